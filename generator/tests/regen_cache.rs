//! Regen through the cache gives what a regen without it gives, byte for
//! byte and warning for warning: cold, warm, after documents change, with
//! damaged entries, and under another generator fingerprint.

use std::fs;
use std::path::{Path, PathBuf};

use topgen::cache::Cache;
use topgen::emit::Options;
use topgen::pipeline::{self, Regen};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            fs::copy(&p, &dest).unwrap();
        }
    }
}

/// The doc-center fixture documents and the five pages, in a folder of
/// their own so a test can edit them.
fn corpus(root: &Path) -> PathBuf {
    let corpus = root.join("corpus");
    copy_dir(
        &manifest_dir().join("tests/fixtures/top-docs"),
        &corpus.join("top-docs"),
    );
    copy_dir(&manifest_dir().join("../pages"), &corpus.join("pages"));
    corpus
}

fn options() -> Options {
    Options {
        runtime_path: "/nonexistent/runtime".into(),
        standalone: true,
    }
}

fn regen(corpus: &Path, cache: Option<&Cache>) -> Regen {
    let pages = pipeline::collect_inputs(&[corpus.to_path_buf()]).unwrap();
    pipeline::regen_with(corpus, &pages, &options(), cache, &|| {})
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The cached regen equals a regen without the cache, in every part.
fn assert_same(corpus: &Path, cache: &Cache, when: &str) -> Regen {
    let full = regen(corpus, None);
    let cached = regen(corpus, Some(cache));
    assert!(full.files.len() > 100, "{when}: the corpus generates files");
    for (path, bytes) in full.files.iter() {
        assert!(
            cached.files.get(path) == Some(bytes),
            "{when}: {path} differs from a full regen"
        );
    }
    assert!(
        cached.files == full.files,
        "{when}: other files than a full regen"
    );
    assert_eq!(cached.warnings, full.warnings, "{when}: warnings");
    assert!(!full.warnings.is_empty(), "the fixtures raise warnings");
    assert_eq!(cached.scraped, full.scraped, "{when}: specs");
    assert_eq!(
        (cached.pages, cached.specs),
        (full.pages, full.specs),
        "{when}"
    );
    cached
}

/// The cache's entries, by path.
fn entries(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n != "used") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} holds {from}", file.display());
    fs::write(file, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn cold_warm_and_after_edits_the_cache_gives_a_full_regen() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let dir = tmp.path().join("cache");
    let cache = Cache::open(&dir, "fingerprint 1");

    assert_same(&corpus, &cache, "cold");
    let cold = entries(&dir);
    assert!(
        cold.len() > 100,
        "a cold run fills the cache: {}",
        cold.len()
    );

    assert_same(&corpus, &cache, "warm");
    assert_eq!(entries(&dir), cold, "a warm run finds every entry");

    let docs = corpus.join("top-docs/nazca");
    let doc = docs.join("alibaba_infodept_lassen_casestatistics_get.json");
    // A parameter's description: one page, one module, one test module.
    edit(&doc, "\"地区代码\"", "\"地区代码(新)\"");
    assert_same(&corpus, &cache, "after a description changed");
    let after = entries(&dir);
    let added = after.len() - cold.len();
    assert!((1..=4).contains(&added), "{added} entries added");

    // A title is in the facade's tables too.
    edit(&doc, "法庭提交和结案案件量接口", "法庭案件量接口");
    assert_same(&corpus, &cache, "after a title changed");

    // A category's name and package are the context of every document in it.
    edit(&docs.join("catelog.json"), "网上法庭对外API", "网上法庭API");
    assert_same(&corpus, &cache, "after a category was renamed");
    edit(&docs.join("catelog.json"), "\"nazca\"", "\"nazca2\"");
    assert_same(&corpus, &cache, "after a package was renamed");

    // A text page, and a document removed.
    edit(
        &corpus.join("pages/taobao.pc.order.cancel.txt"),
        "取消",
        "撤销",
    );
    fs::remove_file(&doc).unwrap();
    assert_same(&corpus, &cache, "after a page changed and a document went");
}

#[test]
fn a_damaged_entry_is_a_miss() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let dir = tmp.path().join("cache");
    let cache = Cache::open(&dir, "fingerprint 1");
    assert_same(&corpus, &cache, "cold");
    let all = entries(&dir);
    for (i, entry) in all.iter().enumerate() {
        let mut bytes = fs::read(entry).unwrap();
        match i % 4 {
            0 => bytes.truncate(bytes.len() / 2),
            1 => {
                let at = bytes.len() / 3;
                bytes[at] ^= 0x20;
            }
            2 => bytes.clear(),
            _ => {
                // The bytes of another entry under this one's name.
                bytes = fs::read(&all[(i + 1) % all.len()]).unwrap();
            }
        }
        fs::write(entry, bytes).unwrap();
    }
    assert_same(&corpus, &cache, "every entry damaged");
    // Each damaged entry was a miss and was written anew.
    assert_same(&corpus, &cache, "warm again");
    assert_eq!(entries(&dir), all);
}

#[test]
fn another_fingerprint_reads_none_of_the_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let dir = tmp.path().join("cache");
    assert_same(&corpus, &Cache::open(&dir, "fingerprint 1"), "first build");
    let first = entries(&dir).len();
    assert_same(&corpus, &Cache::open(&dir, "fingerprint 2"), "second build");
    // Nothing of the first build's entries was used: all were made again.
    assert_eq!(entries(&dir).len(), 2 * first);
}

#[test]
fn an_unusable_cache_folder_only_costs_time() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path());
    let file = tmp.path().join("a-file");
    fs::write(&file, b"not a folder").unwrap();
    let cache = Cache::open(&file, "fingerprint 1");
    assert_same(&corpus, &cache, "cache folder is a file");
    assert_same(&corpus, &cache, "again");
}
