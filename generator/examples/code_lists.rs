//! Lists every description of a doc-center corpus that the code-list reader
//! turns into codes, one line each: `file<TAB>side<TAB>path<TAB>type<TAB>codes<TAB>description`.
//! `--all` lists the descriptions it leaves alone too, with `-` for codes.
//!
//! `cargo run -p topgen --example code_lists -- ../shared/top-docs > lists.tsv`

use std::path::Path;

use serde_json::Value;
use topgen::scrape::codes;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.iter().any(|a| a == "--all");
    let Some(root) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: code_lists [--all] CORPUS_DIR");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root).expect("corpus folder") {
        let dir = dir.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).expect("category folder") {
            let f = f.expect("entry").path();
            if f.extension().is_some_and(|e| e == "json")
                && f.file_name().is_some_and(|n| n != "catelog.json")
            {
                files.push(f);
            }
        }
    }
    files.sort();
    let (mut fields, mut lists) = (0usize, 0usize);
    for f in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(f).expect("read")).expect("json");
        let rel = f.strip_prefix(root).unwrap_or(f);
        for side in ["requestParams", "responseParams"] {
            walk(rel, side, "", &doc[side], all, &mut fields, &mut lists);
        }
    }
    eprintln!(
        "{} documents, {fields} fields, {lists} code lists",
        files.len()
    );
}

fn walk(
    f: &Path,
    side: &str,
    at: &str,
    params: &Value,
    all: bool,
    fields: &mut usize,
    lists: &mut usize,
) {
    for p in params.as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or("");
        let path = if at.is_empty() {
            name.to_string()
        } else {
            format!("{at}.{name}")
        };
        let desc = p["description"].as_str().unwrap_or("");
        *fields += 1;
        let ty = p["type"].as_str().unwrap_or("");
        let read = codes::read_typed(ty.trim_end_matches("[]").trim_end(), desc);
        if read.is_some() {
            *lists += 1;
        }
        if read.is_some() || all {
            let shown = read.map_or("-".to_string(), |r| {
                r.values
                    .iter()
                    .map(|v| format!("{}={}", v.value, v.description.replace(['\n', '\t'], " ")))
                    .collect::<Vec<_>>()
                    .join(" | ")
            });
            println!(
                "{}\t{side}\t{path}\t{}\t{shown}\t{}",
                f.display(),
                p["type"].as_str().unwrap_or(""),
                desc.replace(['\n', '\t'], " ")
            );
        }
        walk(f, side, &path, &p["subParams"], all, fields, lists);
    }
}
