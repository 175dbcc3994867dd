//! The commands as a user runs them: exit codes, messages, what lands on disk.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{snapshot, text};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn pages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../pages")
}

#[test]
fn help_lists_every_command() {
    let out = xtask(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["scrape", "codegen", "regen", "check", "fetch", "sync"] {
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

// `cargo xtask diff`: output forms, exit codes, bad input, regen's closing line.

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generator/tests/fixtures/specs")
}

/// A copy of the fixture specs with `edit` applied to the text of one.
fn edited(api: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let file = dir.path().join(format!("{api}.yaml"));
    let t = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(&t)).unwrap();
    dir
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn deny_breaking_exits_1_on_a_breaking_change_only() {
    let flipped = edited("taobao.pc.order.cancel", |t| {
        t.replacen("required: true", "required: false", 1)
    });
    let out = xtask(&[
        "diff",
        "--deny-breaking",
        arg(&fixtures()),
        arg(flipped.path()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("**breaking** required-changed"));
    assert!(
        text(&out.stderr).contains("1 breaking changes"),
        "{}",
        text(&out.stderr)
    );

    let docs = edited("taobao.pc.order.cancel", |t| {
        t.replace("description: \"买家ID\"", "description: \"买家的ID\"")
    });
    let out = xtask(&[
        "diff",
        "--deny-breaking",
        arg(&fixtures()),
        arg(docs.path()),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("## API changes: semver patch"));
}

#[test]
fn json_says_the_semver_bump() {
    let added = edited("taobao.pc.order.cancel", |t| {
        t.replacen(
            "\nresponse:\n",
            "\n  - name: remark\n    type: String\nresponse:\n",
            1,
        )
    });
    let out = xtask(&[
        "diff",
        "--format",
        "json",
        arg(&fixtures()),
        arg(added.path()),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["semver"], "minor");
    assert_eq!(v["changes"][0]["path"], "request.remark");
    assert_eq!(v["changes"][0]["breaking"], false);
}

#[test]
fn bad_input_is_named_and_no_report_is_printed() {
    let empty = tempfile::tempdir().unwrap();
    let broken = edited("taobao.pc.order.cancel", |t| {
        t.replace("protocol: top", "protocol: soap")
    });
    let fixtures = fixtures();
    let cases = [
        (
            vec!["diff", arg(empty.path())],
            "no specs (*.yaml) in this folder".to_string(),
        ),
        (
            vec!["diff", "no-such-revision"],
            "`no-such-revision` is neither a folder nor a revision".to_string(),
        ),
        (
            vec!["diff", arg(&fixtures), arg(broken.path())],
            format!(
                "{}:",
                broken.path().join("taobao.pc.order.cancel.yaml").display()
            ),
        ),
    ];
    for (args, msg) in cases {
        let out = xtask(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        assert!(
            text(&out.stderr).contains(&msg),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn regen_ends_with_the_changes_against_the_specs_it_replaced() {
    let out = tempfile::tempdir().unwrap();
    let root = arg(out.path());
    let first = xtask(&["regen", "--out", root]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout)
            .trim_end()
            .ends_with("; 5 APIs changed, 0 breaking"),
        "{}",
        text(&first.stdout)
    );
    // What regen will replace: one spec with a required flag dropped.
    let spec = out.path().join("specs/taobao.pc.order.cancel.yaml");
    let t = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, t.replacen("required: true", "required: false", 1)).unwrap();
    let second = xtask(&["regen", "--out", root]);
    assert!(
        text(&second.stdout)
            .trim_end()
            .ends_with("; 1 API changed, 1 breaking"),
        "{}",
        text(&second.stdout)
    );
    let third = xtask(&["regen", "--out", root]);
    assert!(
        text(&third.stdout).trim_end().ends_with("; no API changed"),
        "{}",
        text(&third.stdout)
    );
}

#[test]
fn platform_lists_every_field_read_as_a_code_list() {
    let out = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generator/tests/fixtures/top-docs");
    let run = xtask(&[
        "platform",
        "--no-check",
        "--out",
        arg(out.path()),
        arg(&corpus),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let lists = fs::read_to_string(out.path().join("code-lists.tsv")).unwrap();
    let mut lines = lists.lines();
    assert_eq!(lines.next(), Some("api\tpath\ttype\tcodes\tdescription"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert!(!rows.is_empty(), "the fixtures hold code lists");
    for row in &rows {
        assert_eq!(row.len(), 5, "{row:?}");
        assert!(
            row[1].starts_with("request.") || row[1].starts_with("response."),
            "{row:?}"
        );
        assert!(!row[3].is_empty(), "{row:?}");
    }
}

/// The binary as cargo's `RUSTC_WRAPPER`: rustc runs with the same arguments,
/// its messages and exit status come through, and each run adds a log line.
#[test]
fn as_rustc_wrapper_it_passes_rustc_through_and_logs_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("times.log");
    fs::write(dir.path().join("good.rs"), "pub fn f() -> u32 { 1 }\n").unwrap();
    fs::write(dir.path().join("bad.rs"), "pub fn f() -> u32 { \"x\" }\n").unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let wrapped = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg(&rustc)
            .args([
                "--crate-name",
                name,
                "--crate-type",
                "lib",
                "--emit",
                "metadata",
            ])
            .arg("--out-dir")
            .arg(dir.path())
            .arg(dir.path().join(format!("{name}.rs")))
            .env("TOPGEN_RUSTC_TIMES", &log)
            .output()
            .expect("xtask runs")
    };
    let good = wrapped("good");
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert!(dir.path().join("libgood.rmeta").is_file());
    let bad = wrapped("bad");
    assert_eq!(bad.status.code(), Some(1), "rustc's own exit status");
    assert!(text(&bad.stderr).contains("E0308"), "{}", text(&bad.stderr));
    let version = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([rustc.as_str(), "-vV"])
        .env("TOPGEN_RUSTC_TIMES", &log)
        .output()
        .unwrap();
    assert!(
        text(&version.stdout).starts_with("rustc "),
        "{}",
        text(&version.stdout)
    );

    let lines = fs::read_to_string(&log).unwrap();
    let runs: Vec<Vec<&str>> = lines.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        runs.len(),
        2,
        "one line per crate compiled, none for -vV:\n{lines}"
    );
    for (run, name) in runs.iter().zip(["good", "bad"]) {
        assert_eq!(run.len(), 4, "{run:?}");
        assert_eq!(run[0], name);
        for seconds in &run[1..3] {
            assert!(seconds.parse::<f64>().unwrap() >= 0.0, "{run:?}");
        }
        if cfg!(unix) {
            assert!(
                run[3].parse::<u64>().unwrap() > 1000,
                "rustc peak RSS in kB: {run:?}"
            );
        }
    }
}
