//! The commands as a user runs them: exit codes, messages, what lands on disk.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn pages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pages")
}

/// Every file below `dir`, relative, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn help_lists_every_command() {
    let out = xtask(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["scrape", "codegen", "regen", "check"] {
        assert!(help.contains(cmd), "`{cmd}` missing from:\n{help}");
    }
    for cmd in ["scrape", "codegen", "regen"] {
        let out = xtask(&[cmd, "--help"]);
        assert!(
            text(&out.stdout).contains("--out"),
            "`{cmd} --help` has no --out"
        );
    }
}

#[test]
fn regen_into_a_scratch_root_is_complete_and_repeatable() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().to_str().unwrap();
    let first = xtask(&["regen", "--out", out_dir]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let summary = text(&first.stdout);
    assert!(
        summary.contains("5 pages read, 5 specs written, 5 APIs generated"),
        "{summary}"
    );
    let specs: Vec<_> = fs::read_dir(tmp.path().join("specs")).unwrap().collect();
    assert_eq!(specs.len(), 6, "five specs and the schema");
    assert!(tmp.path().join("generated/Cargo.toml").exists());

    let before = snapshot(tmp.path());
    let second = xtask(&["regen", "--out", out_dir]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(before, snapshot(tmp.path()), "a second regen changed bytes");
}

#[test]
fn a_bad_page_fails_with_its_name_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("cut.txt");
    let full = fs::read_to_string(pages().join("taobao.pc.order.cancel.txt")).unwrap();
    let cut: String = full.lines().take(18).collect::<Vec<_>>().join("\n");
    fs::write(&page, cut).unwrap();
    let out_root = tmp.path().join("out");
    let out = xtask(&[
        "regen",
        "--out",
        out_root.to_str().unwrap(),
        page.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("cut.txt"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !out_root.exists(),
        "something was written: {:?}",
        snapshot(&out_root)
    );
}

#[test]
fn a_failed_regen_leaves_the_previous_output_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let ok = xtask(&["regen", "--out", out_dir.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let before = snapshot(&out_dir);
    let empty = tmp.path().join("empty.txt");
    fs::write(&empty, "").unwrap();
    let pages_dir = pages();
    let bad = xtask(&[
        "regen",
        "--out",
        out_dir.to_str().unwrap(),
        pages_dir.to_str().unwrap(),
        empty.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert_eq!(before, snapshot(&out_dir));
}

#[test]
fn codegen_of_specs_copied_under_other_names_names_the_files_read() {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("copies");
    fs::create_dir(&specs).unwrap();
    let spec = pages().join("../specs/taobao.pc.order.cancel.yaml");
    fs::copy(&spec, specs.join("cancel-1.yaml")).unwrap();
    fs::copy(&spec, specs.join("cancel-2.yaml")).unwrap();
    let out = xtask(&[
        "codegen",
        "--out",
        dir.path().to_str().unwrap(),
        "--specs",
        specs.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("cancel-2.yaml"), "{err}");
    assert!(err.contains("two specs for one API"), "{err}");
    assert!(err.contains("cancel-1.yaml"), "{err}");
    assert!(!err.contains("specs/taobao.pc.order.cancel.yaml"), "{err}");
    assert!(
        !dir.path().join("generated").exists(),
        "nothing half-written"
    );
}
