//! `cargo xtask platform`: a whole doc-center corpus through scrape, codegen
//! and `cargo check`, with a table per category.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;
use topgen::pipeline;
use topgen::{Error, output};

#[derive(Default)]
struct Row {
    documents: usize,
    specs: usize,
    warnings: usize,
    errors: usize,
}

/// Category of a document: the folder it sits in, below the corpus root.
fn category(corpus: &Path, page: &Path) -> String {
    page.strip_prefix(corpus)
        .ok()
        .and_then(|rel| rel.parent())
        .and_then(|p| p.components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_else(|| ".".into())
}

pub fn run(
    corpus: &Path,
    out: &Path,
    emit: &topgen::emit::Options,
    check: bool,
) -> Result<bool, Error> {
    let pages = pipeline::collect_inputs(&[corpus.to_path_buf()])?;
    if pages.is_empty() {
        return Err(Error::at(
            corpus,
            None,
            "no documents (.json, .txt, .html) found here",
        ));
    }
    let bar = crate::progress(pages.len() as u64, "scraping");
    let results: Vec<_> = pages
        .par_iter()
        .map(|p| {
            let r = pipeline::scrape_one(corpus, p);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();

    let mut table: BTreeMap<String, Row> = BTreeMap::new();
    let mut specs = BTreeMap::new();
    let mut errors: Vec<String> = Vec::new();
    for (page, result) in pages.iter().zip(results) {
        let row = table.entry(category(corpus, page)).or_default();
        row.documents += 1;
        match result {
            Ok(got) if specs.contains_key(&got.spec.api) => {
                row.errors += 1;
                errors.push(format!(
                    "{}: {} is described twice",
                    page.display(),
                    got.spec.api
                ));
            }
            Ok(got) => {
                row.specs += 1;
                row.warnings += got.warnings.len();
                specs.insert(got.spec.api.clone(), got.spec);
            }
            Err(e) => {
                row.errors += 1;
                errors.push(e.to_string());
            }
        }
    }
    let specs: Vec<_> = specs.into_values().collect();
    let generated = pipeline::codegen(&specs, emit);
    let (files, codegen_ok) = match generated {
        Ok(g) => {
            let mut files = pipeline::spec_files(&specs);
            files.extend(g.files);
            for w in &g.warnings {
                let cat = specs
                    .iter()
                    .find(|s| w.file.to_string_lossy().contains(&s.api))
                    .map(|s| s.source.split('/').next().unwrap_or(".").to_string());
                if let Some(row) = cat.and_then(|c| table.get_mut(&c)) {
                    row.warnings += 1;
                }
            }
            (Some(files), true)
        }
        Err(e) => {
            errors.push(e.to_string());
            (None, false)
        }
    };
    for e in &errors {
        eprintln!("error: {e}");
    }
    let check_ok = match &files {
        Some(files) => {
            output::commit(out, &pipeline::REGEN_DIRS, files)?;
            !check || cargo_check(&out.join(pipeline::GENERATED_DIR))?
        }
        None => false,
    };

    println!(
        "{:<24} {:>9} {:>6} {:>9} {:>7}",
        "category", "documents", "specs", "warnings", "errors"
    );
    let mut total = Row::default();
    for (name, row) in &table {
        println!(
            "{name:<24} {:>9} {:>6} {:>9} {:>7}",
            row.documents, row.specs, row.warnings, row.errors
        );
        total.documents += row.documents;
        total.specs += row.specs;
        total.warnings += row.warnings;
        total.errors += row.errors;
    }
    let generated = if codegen_ok { total.specs } else { 0 };
    let verdict = match (check, check_ok) {
        (false, _) => "check skipped",
        (true, true) => "check ok",
        (true, false) => "check failed",
    };
    println!(
        "total: {generated}/{} documents generated, {} warnings, {} errors, {verdict}",
        total.documents,
        total.warnings,
        total.errors + usize::from(!codegen_ok)
    );
    Ok(generated == total.documents && check_ok)
}

/// `cargo check --all-features` on the generated crate, in its own target folder.
fn cargo_check(krate: &Path) -> Result<bool, Error> {
    let target: PathBuf = krate.parent().unwrap_or(krate).join("target");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--all-features", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env("RUSTFLAGS", "-D warnings")
        .status()
        .map_err(|e| Error::at(krate, None, format!("cannot run cargo: {e}")))?;
    Ok(status.success())
}
