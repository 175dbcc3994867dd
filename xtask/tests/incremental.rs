//! A one-page change rewrites only the files whose bytes changed: every other
//! file keeps its inode and mtime, so cargo does not rebuild it. Inodes
//! are Unix's.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the repository")
}

/// (inode, mtime, bytes) of every file below `root`, by relative path.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, SystemTime, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (u64, SystemTime, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).expect("readable output") {
            let p = e.expect("readable entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let m = std::fs::metadata(&p).expect("metadata");
                let bytes = std::fs::read(&p).expect("readable file");
                let rel = p.strip_prefix(root).expect("below root").to_path_buf();
                out.insert(rel, (m.ino(), m.modified().expect("mtime"), bytes));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn regen(pages: &Path, out: &Path) {
    regen_in(pages, out, None, &[]);
}

#[test]
fn one_page_change_rewrites_only_changed_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let pages = tmp.path().join("pages");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&pages).expect("pages dir");
    std::fs::create_dir_all(&out).expect("out dir");
    for e in std::fs::read_dir(repo().join("pages")).expect("pages/") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, pages.join(p.file_name().expect("name"))).expect("copy page");
    }

    regen(&pages, &out);
    let before = snapshot(&out);
    assert!(before.len() > 10, "regen wrote only {} files", before.len());

    // mtimes must be able to differ from the first run's.
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Change one field's description on one page.
    let page = pages.join("taobao.pc.order.cancel.txt");
    let text = std::fs::read_to_string(&page).expect("page");
    let changed = text.replacen("企业购订单号", "企业购订单编号", 1);
    assert_ne!(changed, text, "the page should contain the text to change");
    std::fs::write(&page, changed).expect("write page");

    regen(&pages, &out);
    let after = snapshot(&out);

    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the set of files changed"
    );
    let mut rewritten = Vec::new();
    for (path, (ino, mtime, bytes)) in &before {
        let (ino2, mtime2, bytes2) = &after[path];
        if bytes == bytes2 {
            assert_eq!(
                ino,
                ino2,
                "{} kept its bytes but got a new inode",
                path.display()
            );
            assert_eq!(
                mtime,
                mtime2,
                "{} kept its bytes but got a new mtime",
                path.display()
            );
        } else {
            assert!(
                ino != ino2 || mtime != mtime2,
                "{} changed without a new inode or mtime",
                path.display()
            );
            rewritten.push(path.display().to_string());
        }
    }
    // The change reaches that API's spec, its files and the shared type the
    // field is of (in its category's `types` module or `types::param`), and
    // nothing else.
    rewritten.sort();
    assert!(
        rewritten
            .iter()
            .any(|p| p.ends_with("specs/taobao.pc.order.cancel.yaml")),
        "{rewritten:?}"
    );
    assert!(
        rewritten.iter().all(|p| [
            "pc_order_cancel",
            "pc/order_cancel",
            "pc.order.cancel",
            "top-api-caigoubao/src/types.rs",
            "top-api-caigoubao/src/types/param.rs"
        ]
        .iter()
        .any(|k| p.contains(k))),
        "files of other APIs were rewritten: {rewritten:?}"
    );
}

/// `cargo xtask regen` with `extra` arguments, its cache below `target`
/// (else cargo's target folder): (stdout, stderr).
fn regen_in(pages: &Path, out: &Path, target: Option<&Path>, extra: &[&str]) -> (String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("regen")
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(pages);
    if let Some(target) = target {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    let run = cmd.output().expect("xtask runs");
    assert!(
        run.status.success(),
        "regen failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (text(&run.stdout), text(&run.stderr))
}

fn files_below(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |rd| {
        rd.map(|e| {
            let p = e.expect("entry").path();
            if p.is_dir() { files_below(&p) } else { 1 }
        })
        .sum()
    })
}

#[test]
fn the_cache_changes_nothing_but_the_time() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let target = tmp.path().join("target");
    let cache = target.join("regen-cache");
    let (cached, plain) = (tmp.path().join("cached"), tmp.path().join("plain"));
    let pages = repo().join("pages");

    let cold = regen_in(&pages, &cached, Some(&target), &[]);
    let entries = files_below(&cache);
    assert!(entries > 10, "the cache holds {entries} files");
    let warm = regen_in(&pages, &cached, Some(&target), &[]);
    assert_eq!(files_below(&cache), entries, "a warm run adds no entry");
    let none = regen_in(&pages, &plain, Some(&target), &["--no-cache"]);
    assert_eq!(
        files_below(&cache),
        entries,
        "--no-cache leaves the cache alone"
    );

    let bytes = |root: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(root)
            .into_iter()
            .map(|(p, (_, _, b))| (p, b))
            .collect()
    };
    assert_eq!(bytes(&cached), bytes(&plain));
    // The same warnings and summary, but for what changed against the tree replaced.
    assert_eq!(cold.1, none.1);
    assert_eq!(warm.1, none.1);
    assert_eq!(cold.0, none.0);
    assert!(warm.0.contains("no API changed"), "{}", warm.0);
}
