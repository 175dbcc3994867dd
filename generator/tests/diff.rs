//! `diff` on whole trees: a realistic doc change as a Markdown snapshot,
//! trees read from git revisions, and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use topgen::diff::{self, Semver, Tree};
use topgen::spec::{Param, Spec};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs")
}

fn fixtures() -> Tree {
    Tree::from_dir(&fixtures_dir()).unwrap_or_else(|e| panic!("{e}"))
}

/// Built through serde, as a spec file is read: keys added to the model later keep their defaults.
fn param(name: &str, ty: &str, required: bool) -> Param {
    let v = serde_json::json!({"name": name, "type": ty, "required": required});
    serde_json::from_value(v).unwrap()
}

fn spec<'t>(tree: &'t mut Tree, api: &str) -> &'t mut Spec {
    tree.specs.get_mut(api).unwrap()
}

/// One doc-center update over the five fixtures: a new required parameter,
/// a nested response struct gone, a list that became one value, a required
/// flag dropped, an API moved to another category, one removed, one added,
/// and docs edits.
fn changed() -> Tree {
    let mut t = fixtures();
    let cancel = spec(&mut t, "taobao.pc.order.cancel");
    cancel.request[0]
        .fields
        .push(param("cancel_reason", "String", true));
    cancel.request[0].fields[1].required = false;
    cancel.response[0].fields[0].description = Some("取消是否成功".into());
    let detail = spec(&mut t, "taobao.pc.order.detail");
    let item = &mut detail.response[0].fields[3];
    item.fields[0].fields.retain(|f| f.name != "logistics");
    item.fields[0].array = false;
    item.fields.push(param("buyer_note", "String", false));
    detail.request[0].fields[0].example = Some("20000002".into());
    let gift = spec(&mut t, "taobao.qimen.auto.entryorder.giftitemcancel");
    gift.category = "奇门仓储API".into();
    let mut added = t.specs["taobao.pc.order.cancel"].clone();
    added.api = "taobao.pc.order.confirm".into();
    added.title = "企业购订单确认".into();
    t.specs.insert(added.api.clone(), added);
    t.specs.remove("taobao.qimen.order.cancel");
    t
}

#[test]
fn a_realistic_change_as_markdown() {
    let report = diff::compare(&fixtures(), &changed()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.semver(), Semver::Major);
    insta::assert_snapshot!("realistic_markdown", diff::render::markdown(&report));
}

#[test]
fn the_report_is_the_same_both_ways_round_in_size() {
    let forth = diff::compare(&fixtures(), &changed()).unwrap();
    let back = diff::compare(&changed(), &fixtures()).unwrap();
    assert_eq!(forth.changes.len(), back.changes.len());
    assert_eq!(forth.apis().len(), back.apis().len());
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with the fixtures committed, then one spec changed in a second commit.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    for s in fixtures().specs.values() {
        std::fs::write(specs.join(format!("{}.yaml", s.api)), s.to_yaml()).unwrap();
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    let mut t = fixtures();
    spec(&mut t, "taobao.pc.order.cancel").request[0]
        .fields
        .push(param("cancel_reason", "String", true));
    let s = &t.specs["taobao.pc.order.cancel"];
    std::fs::write(specs.join("taobao.pc.order.cancel.yaml"), s.to_yaml()).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "two"]);
    dir
}

#[test]
fn revisions_are_read_from_git() {
    let repo = repo();
    let old = Tree::open("HEAD~1", repo.path()).unwrap_or_else(|e| panic!("{e}"));
    let new = Tree::open("HEAD", repo.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.specs.len(), 5);
    assert_eq!(
        old.files["taobao.pc.order.cancel"],
        Path::new("HEAD~1:specs/taobao.pc.order.cancel.yaml")
    );
    let report = diff::compare(&old, &new).unwrap();
    let got: Vec<_> = report
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.breaking, c.effect.as_str()))
        .collect();
    assert_eq!(
        got,
        [(
            "ContractCancelOrderReq.cancel_reason",
            true,
            "`ContractCancelOrderReq::new` gains an argument `cancel_reason: String`; \
             reaches taobao.pc.order.cancel"
        )]
    );
    // Read as a pair, files one side shares with the other are parsed once.
    let (pair_old, pair_new) = diff::open_pair("HEAD~1", "HEAD", repo.path()).unwrap();
    assert_eq!(pair_old.specs, old.specs);
    assert_eq!(pair_new.specs, new.specs);
    assert_eq!(pair_new.files, new.files);
    // A folder and a revision compare alike.
    let folder = Tree::open(repo.path().join("specs").to_str().unwrap(), repo.path()).unwrap();
    assert!(diff::compare(&new, &folder).unwrap().changes.is_empty());
}

#[test]
fn a_revision_that_does_not_exist_is_named() {
    let repo = repo();
    let e = Tree::open("no-such-branch", repo.path())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`no-such-branch` is neither a folder nor a revision"),
        "{e}"
    );
}

#[test]
fn a_revision_without_specs_is_named() {
    let repo = repo();
    git(repo.path(), &["rm", "-rq", "specs"]);
    git(repo.path(), &["commit", "-q", "-m", "three"]);
    let e = Tree::open("HEAD", repo.path()).unwrap_err().to_string();
    assert!(e.contains("revision `HEAD` has no specs"), "{e}");
}

#[test]
fn a_spec_that_does_not_parse_in_a_revision_names_revision_file_and_line() {
    let repo = repo();
    let file = repo.path().join("specs/taobao.pc.order.cancel.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("protocol: top", "protocol: soap")).unwrap();
    git(repo.path(), &["commit", "-q", "-am", "bad"]);
    let e = Tree::open("HEAD", repo.path()).unwrap_err().to_string();
    assert!(
        e.starts_with("HEAD:specs/taobao.pc.order.cancel.yaml:"),
        "{e}"
    );
    assert!(e.contains("soap"), "{e}");
}

#[test]
fn a_folder_without_specs_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = Tree::from_dir(dir.path()).unwrap_err().to_string();
    assert!(e.contains("no specs (*.yaml) in this folder"), "{e}");
    assert!(Tree::replaced(dir.path()).unwrap().specs.is_empty());
}

#[test]
fn a_folder_with_a_specs_folder_reads_that() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    std::fs::copy(
        fixtures_dir().join("taobao.pc.order.cancel.yaml"),
        dir.path().join("specs/taobao.pc.order.cancel.yaml"),
    )
    .unwrap();
    assert_eq!(Tree::from_dir(dir.path()).unwrap().specs.len(), 1);
}

#[test]
fn two_specs_of_one_api_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.yaml", "b.yaml"] {
        std::fs::copy(
            fixtures_dir().join("taobao.pc.order.cancel.yaml"),
            dir.path().join(name),
        )
        .unwrap();
    }
    let e = Tree::from_dir(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("b.yaml") && e.contains("already described by"),
        "{e}"
    );
}
