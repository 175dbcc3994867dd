//! `cargo xtask platform`: a whole doc-center corpus through scrape, codegen
//! and `cargo check`, with a table per category.
//!
//! One bad document does not stop the run: it is counted as an error in its
//! category's row and left out of the generated crate, so the table shows the
//! state of the whole corpus. Every warning and error is also written to
//! `<out>/platform-report.txt`, one per line; every field read as a code
//! list is listed in `<out>/code-lists.tsv`, for checking that reading, and
//! every disagreement between documents about a shared type, with how it was
//! decided, in `<out>/type-merges.tsv`.
//!
//! The check is timed per rustc (see [`crate::times`]): the totals, the
//! largest rustc and the largest generated crates are printed, and every
//! rustc run is listed in `<out>/check-times.tsv`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::times;
use topgen::pipeline;
use topgen::spec::Spec;
use topgen::{Error, output};

#[derive(Default)]
struct Row {
    documents: usize,
    specs: usize,
    generated: usize,
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

/// The corpus as read: a row per category, the specs, and every message.
#[derive(Default)]
struct Tally {
    table: BTreeMap<String, Row>,
    specs: Vec<Spec>,
    /// Category of each API that has a spec.
    category_of: BTreeMap<String, String>,
    /// Warnings, one per line, for the report file.
    report: String,
    errors: Vec<String>,
    /// Errors of the crate as a whole (not of one API): no crate to check.
    crate_errors: usize,
}

impl Tally {
    /// The row of the category an API's spec came from.
    fn row_of(&mut self, api: Option<&str>) -> Option<&mut Row> {
        let cat = self.category_of.get(api?)?;
        self.table.get_mut(cat)
    }
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
    let started = Instant::now();
    let mut tally = scrape(corpus, &pages);
    let generated = codegen(&mut tally, emit);
    let scraped_in = started.elapsed();
    for e in &tally.errors {
        eprintln!("error: {e}");
        let _ = writeln!(tally.report, "error: {e}");
    }
    write(out, &tally, generated)?;
    eprintln!(
        "scraped and generated in {:.1} s; warnings and errors listed in {}",
        scraped_in.as_secs_f64(),
        out.join(REPORT).display()
    );
    let check_ok = if check && tally.crate_errors == 0 {
        cargo_check(out)?
    } else {
        !check
    };
    Ok(print_table(&tally, check, check_ok))
}

/// File under the output root listing every warning and error.
const REPORT: &str = "platform-report.txt";

/// Scrape every document past bad ones, counting each in its category's row.
fn scrape(corpus: &Path, pages: &[PathBuf]) -> Tally {
    let bar = crate::progress(pages.len() as u64, "scraping");
    let results = pipeline::scrape_each(corpus, pages, &|| bar.inc(1));
    bar.finish_and_clear();
    let mut tally = Tally::default();
    let mut specs = BTreeMap::new();
    for (page, result) in pages.iter().zip(results) {
        let cat = category(corpus, page);
        let row = tally.table.entry(cat.clone()).or_default();
        row.documents += 1;
        match result {
            Ok(got) => {
                row.specs += 1;
                row.warnings += got.warnings.len();
                for w in &got.warnings {
                    let _ = writeln!(tally.report, "{w}");
                }
                tally.category_of.insert(got.spec.api.clone(), cat);
                specs.insert(got.spec.api.clone(), got.spec);
            }
            Err(e) => {
                row.errors += 1;
                tally.errors.push(e.to_string());
            }
        }
    }
    tally.specs = specs.into_values().collect();
    tally
}

/// Generate what can be; each message counts in its API's row.
fn codegen(tally: &mut Tally, emit: &topgen::emit::Options) -> topgen::emit::Generated {
    let (generated, errors) = topgen::emit::generate_partial(&tally.specs, emit);
    let apis: Vec<String> = tally.specs.iter().map(|s| s.api.clone()).collect();
    for api in &apis {
        if let Some(row) = tally.row_of(Some(api)) {
            row.generated += 1;
        }
    }
    for w in &generated.warnings {
        let _ = writeln!(tally.report, "{w}");
        if let Some(row) = tally.row_of(w.api.as_deref()) {
            row.warnings += 1;
        }
    }
    for e in &errors {
        tally.errors.push(e.to_string());
        match tally.row_of(e.api.as_deref()) {
            Some(row) => {
                row.errors += 1;
                row.generated = row.generated.saturating_sub(1);
            }
            None => tally.crate_errors += 1,
        }
    }
    generated
}

/// The specs, the generated crate and tests, and the report.
fn write(out: &Path, tally: &Tally, generated: topgen::emit::Generated) -> Result<(), Error> {
    let merges_path = out.join(TYPE_MERGES);
    let mut merges = String::from(topgen::emit::share::Decision::TSV_HEADER);
    for d in &generated.decisions {
        merges.push_str(&d.tsv_row());
    }
    let (structs, shared) = struct_counts(&generated.files);
    println!(
        "types: {structs} structs generated, {shared} of them shared in `types` modules; \
         {} disagreements between documents decided ({})",
        generated.decisions.len(),
        merges_path.display()
    );
    let mut files = pipeline::spec_files(&tally.specs);
    files.extend(generated.files);
    output::commit(out, &pipeline::REGEN_DIRS, &files)?;
    let report_path = out.join(REPORT);
    std::fs::write(&report_path, &tally.report).map_err(|e| Error::io(&report_path, e))?;
    let lists_path = out.join(CODE_LISTS);
    std::fs::write(&lists_path, code_lists(&tally.specs)).map_err(|e| Error::io(&lists_path, e))?;
    std::fs::write(&merges_path, merges).map_err(|e| Error::io(&merges_path, e))
}

/// File under the output root listing how each disagreement between the
/// documents of a category about a shared TOP type was decided.
const TYPE_MERGES: &str = "type-merges.tsv";

/// Structs of the generated crates, and those of them in `types` modules.
fn struct_counts(files: &output::FileSet) -> (usize, usize) {
    let mut all = 0;
    let mut shared = 0;
    for (path, body) in files.iter() {
        if !path.ends_with(".rs") {
            continue;
        }
        let n = String::from_utf8_lossy(body)
            .lines()
            .filter(|l| l.starts_with("pub struct "))
            .count();
        all += n;
        let types = topgen::naming::TYPES_MODULE;
        if path.ends_with(&format!("/src/{types}.rs")) || path.contains(&format!("/src/{types}/")) {
            shared += n;
        }
    }
    (all, shared)
}

/// File under the output root listing every field read as a code list.
const CODE_LISTS: &str = "code-lists.tsv";

/// Every field whose description was read as a code list, a line each:
/// `api<TAB>path<TAB>type<TAB>codes<TAB>description`, for checking the reading.
fn code_lists(specs: &[Spec]) -> String {
    let mut out = String::from("api\tpath\ttype\tcodes\tdescription\n");
    for spec in specs {
        for (side, params) in [("request", &spec.request), ("response", &spec.response)] {
            list_codes(&spec.api, side, params, &mut out);
        }
    }
    out
}

fn list_codes(api: &str, at: &str, params: &[topgen::spec::Param], out: &mut String) {
    for p in params {
        let path = format!("{at}.{}", p.name);
        if !p.values.is_empty() {
            let codes: Vec<&str> = p.values.iter().map(|v| v.value.as_str()).collect();
            let description = p.description.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "{api}\t{path}\t{}\t{}\t{}",
                p.ty,
                codes.join(","),
                description.replace(['\t', '\n', '\r'], " ")
            );
        }
        list_codes(api, &path, &p.fields, out);
    }
}

/// The table per category and the closing `total:` line; true when every
/// document was generated and the check (if run) passed.
fn print_table(tally: &Tally, check: bool, check_ok: bool) -> bool {
    println!(
        "{:<24} {:>9} {:>6} {:>9} {:>9} {:>7}",
        "category", "documents", "specs", "generated", "warnings", "errors"
    );
    let mut total = Row::default();
    for (name, row) in &tally.table {
        println!(
            "{name:<24} {:>9} {:>6} {:>9} {:>9} {:>7}",
            row.documents, row.specs, row.generated, row.warnings, row.errors
        );
        total.documents += row.documents;
        total.specs += row.specs;
        total.generated += row.generated;
        total.warnings += row.warnings;
        total.errors += row.errors;
    }
    let generated = if tally.crate_errors == 0 {
        total.generated
    } else {
        0
    };
    let verdict = match (check, check_ok) {
        (false, _) => "check skipped",
        (true, true) => "check ok",
        (true, false) => "check failed",
    };
    println!(
        "total: {generated}/{} documents generated, {} warnings, {} errors, {verdict}",
        total.documents,
        total.warnings,
        total.errors + tally.crate_errors
    );
    generated == total.documents && check_ok
}

/// File under the output root the rustc wrapper logs to (see [`times`]).
const TIMES_LOG: &str = "rustc-times.log";

/// File under the output root listing every rustc run of the check.
const CHECK_TIMES: &str = "check-times.tsv";

/// `cargo check --workspace --all-features` of the generated crates (one
/// package or a workspace of them), warnings denied, in a target folder of
/// their own, with every rustc timed; prints the figures and writes them to
/// [`CHECK_TIMES`]. True when the check passed.
///
/// The runtime and the dependencies are checked first, so the figures are of
/// the generated crates on a warm dependency cache; the generated crates' own
/// artifacts are cleaned, so they are checked from scratch even when
/// unchanged since an earlier run. Incremental compilation is off, as when
/// the crates are built as a dependency.
fn cargo_check(out: &Path) -> Result<bool, Error> {
    let manifest = out.join(pipeline::GENERATED_DIR).join("Cargo.toml");
    let log = std::path::absolute(out.join(TIMES_LOG)).map_err(|e| Error::io(out, e))?;
    let wrapper = std::env::current_exe()
        .map_err(|e| Error::at(out, None, format!("cannot find the xtask binary: {e}")))?;
    let cargo = |args: &[&str]| {
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command
            .args(args)
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", out.join("target"))
            .env("RUSTFLAGS", "-D warnings")
            .env("CARGO_INCREMENTAL", "0")
            // This binary wraps rustc itself; another wrapper (a compiler
            // cache) would hide the work, and a workspace wrapper would stand
            // between it and rustc.
            .env("RUSTC_WRAPPER", &wrapper)
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env(times::LOG_ENV, &log);
        command
    };
    let run = |args: &[&str]| {
        cargo(args)
            .status()
            .map(|s| s.success())
            .map_err(|e| Error::at(&manifest, None, format!("cannot run cargo: {e}")))
    };
    if !run(&["check", "-p", "top-runtime"])? {
        eprintln!(
            "error: `cargo check -p top-runtime` failed; the generated crates were not checked"
        );
        return Ok(false);
    }
    if let Err(e) = clean_members(&cargo) {
        eprintln!("warning: {e}; the figures may leave out crates checked by an earlier run");
    }
    match std::fs::remove_file(&log) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&log, e)),
        _ => {}
    }
    let started = Instant::now();
    let ok = run(&["check", "--workspace", "--all-features"])?;
    let wall_s = started.elapsed().as_secs_f64();
    let text = match std::fs::read_to_string(&log) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(&log, e)),
    };
    let runs = times::parse_log(&text);
    let tsv_path = out.join(CHECK_TIMES);
    std::fs::write(&tsv_path, times::tsv(&runs)).map_err(|e| Error::io(&tsv_path, e))?;
    print!("{}", times::report(&runs, wall_s, &tsv_path));
    Ok(ok)
}

/// `cargo clean` of every package of the generated workspace, named by
/// `cargo metadata` (the runtime and the dependencies stay).
fn clean_members(cargo: &dyn Fn(&[&str]) -> Command) -> Result<(), String> {
    let metadata = cargo(&["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !metadata.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&metadata.stderr).trim()
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&metadata.stdout)
        .map_err(|e| format!("cannot read the output of cargo metadata: {e}"))?;
    let names: Vec<&str> = json["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    if names.is_empty() {
        return Err("cargo metadata lists no package".into());
    }
    let mut args = vec!["clean"];
    for name in &names {
        args.extend(["-p", name]);
    }
    let status = cargo(&args)
        .status()
        .map_err(|e| format!("cannot run cargo clean: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo clean of the generated crates failed".into())
    }
}
