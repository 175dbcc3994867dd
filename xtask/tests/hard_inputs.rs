//! The rejected hard inputs of `generator/hard-inputs.md`, through the
//! command: a non-zero exit, `file:line:` in the message, no panic, and
//! nothing written under `--out`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn generator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generator")
}

/// Run `cmd` on `input` into a fresh output root; assert it fails cleanly
/// with `name:line:` and writes nothing. Returns stderr.
fn refused(cmd: &str, extra: &[&str], name: &str, line: usize) -> String {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_root = tmp.path().join("out");
    let mut args = vec![cmd, "--out", out_root.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let out = xtask(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(&format!("{name}:{line}: ")),
        "expected `{name}:{line}:` in {err}"
    );
    assert!(!out_root.exists(), "{args:?} wrote under --out");
    err
}

/// A page made by `make` from a real page, written into a scratch folder.
fn page(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    fs::write(&p, bytes).expect("write page");
    p.to_str().expect("utf-8 path").to_string()
}

fn real(name: &str) -> Vec<u8> {
    fs::read(generator().join("../pages").join(name)).expect("real page")
}

#[test]
fn rejected_pages_exit_non_zero_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let fixtures = generator().join("tests/fixtures");
    let fixture = |p: &str| fs::read(fixtures.join(p)).expect("fixture");
    let cancel = real("taobao.pc.order.cancel.txt");
    let cancel_text = String::from_utf8(cancel.clone()).expect("utf-8");
    let cut: String = cancel_text.lines().take(20).collect::<Vec<_>>().join("\n");
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        ("empty.txt", vec![], 1, "empty"),
        ("binary.txt", fixture("hard/binary.txt"), 3, "binary"),
        ("cut.txt", cut.into_bytes(), 20, "truncated"),
        (
            "no-request.txt",
            fixture("pages/no-request-params.txt"),
            11,
            "no 请求参数",
        ),
        (
            "flag.txt",
            fixture("pages/unknown-required-flag.txt"),
            17,
            "`必需`",
        ),
        (
            "short.txt",
            fixture("pages/short-bullet-group.txt"),
            20,
            "has 2 cells",
        ),
        (
            "long.txt",
            fixture("hard/long-bullet-group.txt"),
            21,
            "has 1 cells",
        ),
        (
            "java.txt",
            fixture("pages/java-wrong-struct.txt"),
            102,
            "contradicts itself",
        ),
        ("latin1.txt", fixture("pages/latin1.txt"), 3, "not UTF-8"),
    ];
    for (name, bytes, line, says) in cases {
        let p = page(d, name, &bytes);
        for cmd in ["scrape", "regen"] {
            let err = refused(cmd, &[&p], name, line);
            assert!(err.contains(says), "{name}: {err}");
        }
    }
}

#[test]
fn two_pages_for_one_api_write_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let txt = generator().join("../pages/taobao.pc.order.cancel.txt");
    let html = generator().join("tests/fixtures/html/taobao.pc.order.cancel.html");
    let out_root = tmp.path().join("out");
    let out = xtask(&[
        "scrape",
        "--out",
        out_root.to_str().expect("utf-8"),
        txt.to_str().expect("utf-8"),
        html.to_str().expect("utf-8"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("taobao.pc.order.cancel.html"), "{err}");
    assert!(err.contains("already described by"), "{err}");
    assert!(!out_root.exists());
}

#[test]
fn a_hand_edited_spec_fails_codegen_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("root");
    let ok = xtask(&["scrape", "--out", root.to_str().expect("utf-8")]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let spec = root.join("specs/taobao.pc.order.cancel.yaml");
    let text = fs::read_to_string(&spec).expect("spec");
    for (from, to) in [
        ("    type: String", "    typ: String"),
        ("    required: true", "    required: maybe"),
    ] {
        let line = text
            .lines()
            .position(|l| l.starts_with(from))
            .expect("line")
            + 1;
        let specs = tmp.path().join("specs");
        fs::create_dir_all(&specs).expect("dir");
        fs::write(
            specs.join("taobao.pc.order.cancel.yaml"),
            text.replacen(from, to, 1),
        )
        .expect("write");
        let err = refused(
            "codegen",
            &["--specs", specs.to_str().expect("utf-8")],
            "taobao.pc.order.cancel.yaml",
            line,
        );
        assert!(err.contains("spec-format.md"), "{err}");
    }
}
