//! Regen is parallel across documents, yet its output does not depend on
//! scheduling: a one-thread pool and a many-thread pool give the same bytes,
//! the same warnings in the same order, and the same first error.

use std::path::{Path, PathBuf};

use topgen::emit::Options;
use topgen::pipeline::{self, PAGES_DIR};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ is inside the repository")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    pipeline::collect_inputs(&[dir.to_path_buf()]).unwrap_or_else(|e| panic!("{e}"))
}

/// Regen on a pool of `threads` threads: files and warnings, or the error.
fn regen_on(
    threads: usize,
    pages: &[PathBuf],
) -> Result<(topgen::output::FileSet, Vec<String>), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        pipeline::regen(repo(), pages, &Options::default(), &|| {})
            .map(|r| {
                let warnings = r.warnings.iter().map(ToString::to_string).collect();
                (r.files, warnings)
            })
            .map_err(|e| e.to_string())
    })
}

fn assert_same_on_any_pool(pages: &[PathBuf], what: &str) {
    let one = regen_on(1, pages).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        one.0.len() > pages.len(),
        "{what}: regen wrote only {} files",
        one.0.len()
    );
    for threads in [2, 4, 8] {
        let many = regen_on(threads, pages).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            one.1, many.1,
            "{what}: warnings differ on {threads} threads"
        );
        let differ: Vec<&str> = one
            .0
            .iter()
            .filter(|(p, b)| many.0.get(p) != Some(*b))
            .map(|(p, _)| p)
            .collect();
        assert!(
            differ.is_empty(),
            "{what}: on {threads} threads these files differ: {differ:?}"
        );
        assert_eq!(
            one.0, many.0,
            "{what}: file sets differ on {threads} threads"
        );
    }
}

#[test]
fn five_pages_are_byte_identical_on_one_thread_and_many() {
    assert_same_on_any_pool(&inputs(&repo().join(PAGES_DIR)), "pages/");
}

#[test]
fn json_documents_are_byte_identical_on_one_thread_and_many() {
    let docs = inputs(&repo().join("generator/tests/fixtures/top-docs"));
    assert_eq!(docs.len(), 34, "the fixture corpus holds 34 documents");
    assert_same_on_any_pool(&docs, "top-docs fixtures");
}

/// Among several bad pages the one reported is the first in input order,
/// whichever thread reaches its page first.
#[test]
fn first_error_is_the_first_bad_page_in_input_order() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut pages = inputs(&repo().join(PAGES_DIR));
    for name in ["a-bad.txt", "z-bad.txt"] {
        let p = tmp.path().join(name);
        std::fs::write(&p, "not a doc page\n").expect("writable temp dir");
        pages.push(p);
    }
    let one = regen_on(1, &pages).expect_err("bad pages fail");
    assert!(one.contains("a-bad.txt"), "{one}");
    for threads in [2, 4, 8] {
        let many = regen_on(threads, &pages).expect_err("bad pages fail");
        assert_eq!(one, many, "on {threads} threads");
    }
}
