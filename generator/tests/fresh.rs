//! The checked-in `specs/`, `generated/` and `tests/tests/api/` are exactly
//! what the generator makes from `pages/` today.

use std::path::Path;

use topgen::emit::Options;
use topgen::freshness::stale_files;
use topgen::pipeline::{self, PAGES_DIR, REGEN_DIRS};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ is inside the repository")
}

fn regen() -> pipeline::Regen {
    let pages = pipeline::collect_inputs(&[repo().join(PAGES_DIR)]).expect("pages/ is readable");
    pipeline::regen(repo(), &pages, &Options::default(), &|| {}).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn checked_in_output_is_fresh() {
    let stale = stale_files(repo(), &REGEN_DIRS, &regen().files);
    let report: Vec<String> = stale.iter().map(ToString::to_string).collect();
    assert!(
        stale.is_empty(),
        "{} files are stale; run `cargo xtask regen` and commit the result:\n{}",
        stale.len(),
        report.join("\n")
    );
}

#[test]
fn regen_is_deterministic() {
    assert_eq!(regen().files, regen().files);
}
