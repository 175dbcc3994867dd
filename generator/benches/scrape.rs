//! Page readers' throughput: `scrape::scrape_page` on the five text pages and
//! the five HTML fixtures, next to a baseline over the same bytes (UTF-8
//! validation and a line split, the least any reader must do).
//!
//! `cargo bench -p topgen --bench scrape`; divan prints pages per second.

use std::path::{Path, PathBuf};

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use topgen::scrape::{self, Context};

fn main() {
    divan::main();
}

/// The pages of one kind, read once: (shown path, bytes).
fn pages(kind: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = match kind {
        "text" => root.join("../pages"),
        _ => root.join("tests/fixtures/html"),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable folder").path())
        .filter(|p| topgen::pipeline::is_page(p))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        5,
        "expected five {kind} pages in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable page");
            let shown = PathBuf::from(p.file_name().expect("file name"));
            (shown, bytes)
        })
        .collect()
}

fn total_bytes(pages: &[(PathBuf, Vec<u8>)]) -> usize {
    pages.iter().map(|(_, b)| b.len()).sum()
}

const KINDS: [&str; 2] = ["text", "html"];

/// Every page of the kind read into a spec, per iteration.
#[divan::bench(args = KINDS)]
fn scrape_page(bencher: Bencher, kind: &str) {
    let pages = pages(kind);
    let ctx = Context::default();
    // A page that fails to read would make the figure meaningless.
    for (p, b) in &pages {
        scrape::scrape_page(p, b, &ctx).unwrap_or_else(|e| panic!("{e}"));
    }
    bencher
        .counter(ItemsCount::new(pages.len()))
        .counter(BytesCount::new(total_bytes(&pages)))
        .bench(|| {
            for (p, b) in &pages {
                black_box(scrape::scrape_page(p, black_box(b), &ctx).ok());
            }
        });
}

/// Baseline: UTF-8 validation and a line split of the same bytes.
#[divan::bench(args = KINDS)]
fn baseline_utf8_lines(bencher: Bencher, kind: &str) {
    let pages = pages(kind);
    bencher
        .counter(ItemsCount::new(pages.len()))
        .counter(BytesCount::new(total_bytes(&pages)))
        .bench(|| {
            let mut n = 0usize;
            for (_, b) in &pages {
                let text = std::str::from_utf8(black_box(b)).expect("UTF-8 page");
                n += text.lines().map(|l| l.trim().len()).sum::<usize>();
            }
            black_box(n)
        });
}
