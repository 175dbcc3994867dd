//! `cargo xtask platform`: a whole doc-center corpus through scrape, codegen
//! and `cargo check`, with a table per category.
//!
//! One bad document does not stop the run: it is counted as an error in its
//! category's row and left out of the generated crate, so the table shows the
//! state of the whole corpus. Every warning and error is also written to
//! `<out>/platform-report.txt`, one per line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use topgen::pipeline;
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

/// The API a codegen message is about: its file is `specs/<api>.yaml`.
fn api_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    name.strip_suffix(".yaml").map(str::to_string)
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
    let mut category_of: BTreeMap<String, String> = BTreeMap::new();
    let mut report = String::new();
    let mut errors: Vec<String> = Vec::new();
    for (page, result) in pages.iter().zip(results) {
        let cat = category(corpus, page);
        let row = table.entry(cat.clone()).or_default();
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
                for w in &got.warnings {
                    let _ = writeln!(report, "{w}");
                }
                category_of.insert(got.spec.api.clone(), cat);
                specs.insert(got.spec.api.clone(), got.spec);
            }
            Err(e) => {
                row.errors += 1;
                errors.push(e.to_string());
            }
        }
    }
    let specs: Vec<_> = specs.into_values().collect();
    let (generated, codegen_errors) = topgen::emit::generate_partial(&specs, emit);
    let scraped_in = started.elapsed();

    // Codegen messages name `specs/<api>.yaml`: count them in the API's row.
    let mut crate_errors = 0;
    for s in &specs {
        if let Some(row) = category_of.get(&s.api).and_then(|c| table.get_mut(c)) {
            row.generated += 1;
        }
    }
    for w in &generated.warnings {
        let _ = writeln!(report, "{w}");
        let row = api_of(&w.file)
            .and_then(|a| category_of.get(&a))
            .and_then(|c| table.get_mut(c));
        if let Some(row) = row {
            row.warnings += 1;
        }
    }
    for e in &codegen_errors {
        errors.push(e.to_string());
        let row = api_of(&e.file)
            .and_then(|a| category_of.get(&a))
            .and_then(|c| table.get_mut(c));
        match row {
            Some(row) => {
                row.errors += 1;
                row.generated = row.generated.saturating_sub(1);
            }
            None => crate_errors += 1,
        }
    }
    for e in &errors {
        eprintln!("error: {e}");
        let _ = writeln!(report, "error: {e}");
    }

    let mut files = pipeline::spec_files(&specs);
    files.extend(generated.files);
    output::commit(out, &pipeline::REGEN_DIRS, &files)?;
    let report_path = out.join("platform-report.txt");
    std::fs::write(&report_path, &report).map_err(|e| Error::io(&report_path, e))?;
    eprintln!(
        "scraped and generated in {:.1} s; warnings and errors listed in {}",
        scraped_in.as_secs_f64(),
        report_path.display()
    );

    let check_ok = if check && crate_errors == 0 {
        let started = Instant::now();
        let ok = cargo_check(&out.join(pipeline::GENERATED_DIR))?;
        eprintln!(
            "cargo check --all-features took {:.0} s",
            started.elapsed().as_secs_f64()
        );
        ok
    } else {
        !check
    };

    println!(
        "{:<24} {:>9} {:>6} {:>9} {:>9} {:>7}",
        "category", "documents", "specs", "generated", "warnings", "errors"
    );
    let mut total = Row::default();
    for (name, row) in &table {
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
    let generated = if crate_errors == 0 {
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
        total.errors + crate_errors
    );
    Ok(generated == total.documents && check_ok)
}

/// `cargo check --all-features` on the generated crate, in its own target
/// folder, warnings denied.
fn cargo_check(krate: &Path) -> Result<bool, Error> {
    let target: PathBuf = krate.parent().unwrap_or(krate).join("target");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--all-features", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .status()
        .map_err(|e| Error::at(krate, None, format!("cannot run cargo: {e}")))?;
    Ok(status.success())
}
