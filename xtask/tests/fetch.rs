//! `cargo xtask fetch` and `sync` against a doc center on 127.0.0.1: the
//! token cookie, the catalogue and documents in the doc center's answer
//! forms, `success: false`, a 429 then success, a document that never
//! arrives, and a category the generator has never seen.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;
use common::{snapshot, text};

const TOKEN: &str = "t0k3n-2f";
/// A category the generator has no name for: named by its rule.
const NEW_CATEGORY: (&str, &str, &str) = ("新类目API", "xinleimu", "99999");
/// How long a document that never arrives keeps its connection open.
const HANG: Duration = Duration::from_secs(4);
/// Connections one mock serves before it stops accepting.
const MAX_CONNECTIONS: usize = 400;

/// How the mock answers one document.
#[derive(Clone)]
enum Answer {
    Document(String),
    /// `success: false`.
    Refused,
    /// 429 this many times, then the document.
    TooMany(usize, String),
    /// Never answers (until [`HANG`] passes).
    Hang,
}

/// A category of the catalogue: id, name, each API with its document id.
struct Served {
    id: String,
    name: String,
    apis: Vec<(String, String)>,
}

#[derive(Default)]
struct State {
    catalogue: Vec<Served>,
    /// Document id → answer.
    docs: BTreeMap<String, Answer>,
    /// Raw catalogue answer instead of the one built from `catalogue`.
    catalogue_body: Option<String>,
    /// Document id → requests received.
    hits: BTreeMap<String, usize>,
    /// Requests without the token, cookie or query.
    tokenless: usize,
}

struct Mock {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Mock {
    /// Serve the categories of the fixture corpus named, and the new category
    /// with one document.
    fn start(folders: &[&str]) -> Mock {
        let mut state = State::default();
        for folder in folders {
            let dir = fixtures().join(folder);
            let cat: serde_json::Value =
                serde_json::from_slice(&fs::read(dir.join("catelog.json")).unwrap()).unwrap();
            let apis = documents(&dir)
                .into_iter()
                .map(|(api, text)| state.add(api, text))
                .collect();
            state.catalogue.push(Served {
                id: cat["id"].to_string(),
                name: cat["name"].as_str().unwrap().to_string(),
                apis,
            });
        }
        let (api, text) = new_category_document();
        let entry = state.add(api, text);
        state.catalogue.push(Served {
            id: NEW_CATEGORY.2.to_string(),
            name: NEW_CATEGORY.0.to_string(),
            apis: vec![entry],
        });
        let state = Arc::new(Mutex::new(state));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Mock { url, state }
    }

    fn set(&self, api: &str, answer: Answer) {
        let mut s = self.state.lock().unwrap();
        let id = s.id_of(api);
        s.docs.insert(id, answer);
    }

    fn edit(&self, api: &str, edit: impl Fn(&str) -> String) {
        let mut s = self.state.lock().unwrap();
        let id = s.id_of(api);
        let Some(Answer::Document(text)) = s.docs.get(&id) else {
            panic!("{api} has no document");
        };
        let text = edit(text);
        s.docs.insert(id, Answer::Document(text));
    }

    fn hits(&self, api: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.hits.get(&s.id_of(api)).copied().unwrap_or(0)
    }
}

impl State {
    /// Add a document; its catalogue entry.
    fn add(&mut self, api: String, text: String) -> (String, String) {
        let id = (1000 + self.docs.len()).to_string();
        self.docs.insert(id.clone(), Answer::Document(text));
        (api, id)
    }

    fn id_of(&self, api: &str) -> String {
        let found = self
            .catalogue
            .iter()
            .flat_map(|c| &c.apis)
            .find(|(a, _)| a == api);
        found
            .unwrap_or_else(|| panic!("{api} is not served"))
            .1
            .clone()
    }

    fn catalogue_answer(&self) -> String {
        if let Some(body) = &self.catalogue_body {
            return body.clone();
        }
        let trees: Vec<serde_json::Value> = self
            .catalogue
            .iter()
            .map(|Served { id, name, apis }| {
                let list: Vec<serde_json::Value> = apis
                    .iter()
                    .map(|(api, doc)| {
                        serde_json::json!({"name": api, "id": doc.parse::<u64>().unwrap(),
                            "docId": 7, "docType": 2, "tips": "", "subName": ""})
                    })
                    .collect();
                serde_json::json!({"id": id.parse::<u64>().unwrap(), "name": name,
                    "catelogList": list})
            })
            .collect();
        serde_json::json!({"success": true, "data": {"id": 285, "name": "API文档",
            "treeCategories": [{"id": 1, "name": "API", "catelogTrees": trees}]}})
        .to_string()
    }
}

/// Answer one request.
fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split(' ').nth(1).unwrap_or("").to_string();
    let mut cookie = String::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':')
            && name.eq_ignore_ascii_case("cookie")
        {
            cookie = value.trim().to_string();
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let param = |key: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .unwrap_or("")
            .to_string()
    };
    let mut out = stream;
    if path == "/docCenter" {
        let headers = format!(
            "Set-Cookie: cna=abc; Path=/\r\nSet-Cookie: _tb_token_={TOKEN}; Path=/; HttpOnly\r\n"
        );
        return respond(&mut out, "200 OK", &headers, "<html>doc center</html>");
    }
    let tokened = param("_tb_token_") == TOKEN
        && cookie
            .split("; ")
            .any(|c| c == format!("_tb_token_={TOKEN}"));
    if !tokened {
        state.lock().unwrap().tokenless += 1;
        let body = r#"{"success":false,"code":"TOKEN_INVALID","errMsg":"no _tb_token_"}"#;
        return respond(&mut out, "200 OK", "", body);
    }
    match path {
        "/handler/document/getApiCatelogConfig.json" => {
            let body = state.lock().unwrap().catalogue_answer();
            respond(&mut out, "200 OK", "", &body)
        }
        "/handler/document/getDocument.json" => {
            let id = param("docId");
            let answer = {
                let mut s = state.lock().unwrap();
                *s.hits.entry(id.clone()).or_default() += 1;
                let answer = s.docs.get(&id).cloned();
                if let Some(Answer::TooMany(n, text)) = &answer {
                    let next = match n {
                        1 => Answer::Document(text.clone()),
                        _ => Answer::TooMany(n - 1, text.clone()),
                    };
                    s.docs.insert(id.clone(), next);
                }
                answer
            };
            match answer {
                Some(Answer::Document(text)) => {
                    let body = format!(r#"{{"success":true,"data":{text}}}"#);
                    respond(&mut out, "200 OK", "", &body)
                }
                Some(Answer::Refused) => {
                    let body = r#"{"success":false,"code":"SYSTEM_BUSY","errMsg":"系统繁忙"}"#;
                    respond(&mut out, "200 OK", "", body)
                }
                Some(Answer::TooMany(..)) => {
                    respond(&mut out, "429 Too Many Requests", "Retry-After: 0\r\n", "")
                }
                Some(Answer::Hang) => std::thread::sleep(HANG),
                None => respond(&mut out, "404 Not Found", "", "no such document"),
            }
        }
        _ => respond(&mut out, "404 Not Found", "", "no such page"),
    }
}

fn respond(out: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json;charset=UTF-8\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(body.as_bytes());
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generator/tests/fixtures/top-docs")
}

/// (API, text) of each document of a fixture folder.
fn documents(dir: &Path) -> Vec<(String, String)> {
    let mut docs: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "catelog.json")
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            (v["name"].as_str().unwrap().to_string(), text)
        })
        .collect();
    docs.sort();
    docs
}

/// The new category's one document: a fixture's, under another API name.
fn new_category_document() -> (String, String) {
    let text = fs::read_to_string(fixtures().join("interactvip/alibaba_interact_vip_get.json"))
        .unwrap()
        .replace("alibaba.interact.vip.get", "alibaba.newcat.item.get");
    ("alibaba.newcat.item.get".to_string(), text)
}

/// The categories served in most tests: one named by the romanizing rule
/// (`宝点API` → `baodian`), one by the override table (`qimen`).
const SERVED: &[&str] = &["baodian", "qimen"];

/// The corpus a person would have saved by hand from the same documents.
fn saved_by_hand(dir: &Path) {
    for folder in SERVED {
        let to = dir.join(folder);
        fs::create_dir_all(&to).unwrap();
        for e in fs::read_dir(fixtures().join(folder)).unwrap() {
            let p = e.unwrap().path();
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    let (name, pkg, id) = NEW_CATEGORY;
    let to = dir.join(pkg);
    fs::create_dir_all(&to).unwrap();
    let catelog = format!("{{\n  \"name\": \"{name}\",\n  \"pkg\": \"{pkg}\",\n  \"id\": {id}\n}}");
    fs::write(to.join("catelog.json"), catelog).unwrap();
    let (api, text) = new_category_document();
    fs::write(to.join(format!("{}.json", api.replace('.', "_"))), text).unwrap();
}

fn xtask_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.output().expect("xtask runs")
}

/// `fetch` from the mock into `out`, with short timeouts.
fn fetch(mock: &Mock, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "fetch",
        "--doc-center",
        &mock.url,
        "--out",
        out.to_str().unwrap(),
        "--retries",
        "1",
    ];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "1"]);
    }
    args.extend_from_slice(extra);
    xtask_in(None, &args)
}

/// The file names beside `dir`, to see that nothing was left staged.
fn beside(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A fetched corpus, fetched once per test.
fn fetched(mock: &Mock) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let out = fetch(mock, &corpus, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (tmp, corpus)
}

#[test]
fn a_fetched_corpus_regens_exactly_as_the_same_documents_saved_by_hand() {
    let mock = Mock::start(SERVED);
    let slow = "taobao.qimen.inventory.report";
    let doc = fs::read_to_string(fixtures().join("qimen/taobao_qimen_inventory_report.json"));
    mock.set(slow, Answer::TooMany(1, doc.unwrap()));
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("fetched/corpus");
    let out = fetch(&mock, &corpus, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "fetch: 3 categories, 5 documents (5 new, 0 changed, 0 unchanged, 0 removed), 0 failed"
    );
    assert_eq!(mock.hits(slow), 2, "the 429 is retried once");
    assert_eq!(
        mock.state.lock().unwrap().tokenless,
        0,
        "every call carries the token"
    );

    let by_hand = tmp.path().join("saved/corpus");
    saved_by_hand(&by_hand);
    assert_eq!(
        snapshot(&corpus),
        snapshot(&by_hand),
        "documents as the doc center sent them"
    );
    let regen = |side: &str| {
        let dir = tmp.path().join(side);
        let out = xtask_in(
            Some(&dir),
            &["regen", "--no-cache", "--out", "out", "corpus"],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        snapshot(&dir.join("out"))
    };
    let fetched = regen("fetched");
    assert!(fetched.contains_key(Path::new("generated/top-api-xinleimu/Cargo.toml")));
    assert_eq!(fetched, regen("saved"));
}

#[test]
fn a_rerun_rewrites_only_what_changed() {
    let mock = Mock::start(SERVED);
    let (tmp, corpus) = fetched(&mock);
    let again = fetch(&mock, &corpus, &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("(0 new, 0 changed, 5 unchanged, 0 removed), 0 failed"),
        "{}",
        text(&again.stdout)
    );
    let before = snapshot(&corpus);
    mock.edit("taobao.baodian.server.sdk.config.get", |t| {
        t.replace(
            "\"name\": \"taobao.baodian",
            "\"new\": 1, \"name\": \"taobao.baodian",
        )
    });
    let changed = fetch(&mock, &corpus, &[]);
    assert!(
        text(&changed.stdout).contains("(0 new, 1 changed, 4 unchanged, 0 removed), 0 failed"),
        "{}",
        text(&changed.stdout)
    );
    let after = snapshot(&corpus);
    let file = Path::new("baodian/taobao_baodian_server_sdk_config_get.json");
    assert!(
        text(&after[file]).contains("\"new\": 1"),
        "unknown fields are kept"
    );
    let differing: Vec<_> = after.keys().filter(|k| before[*k] != after[*k]).collect();
    assert_eq!(differing, [file]);
    assert_eq!(
        beside(&corpus),
        ["corpus"],
        "nothing left beside the corpus"
    );
    drop(tmp);
}

#[test]
fn a_failed_run_leaves_the_corpus_and_the_next_run_fetches_only_what_failed() {
    let mock = Mock::start(SERVED);
    let (_tmp, corpus) = fetched(&mock);
    let before = snapshot(&corpus);
    mock.edit("taobao.qimen.store.delete", |t| {
        t.replacen('{', "{\"new\": 2,", 1)
    });
    mock.set("taobao.qimen.combineitem.query", Answer::Refused);
    mock.set("taobao.baodian.server.sdk.config.get", Answer::Hang);
    let started = std::time::Instant::now();
    let out = fetch(&mock, &corpus, &["--timeout", "0.5"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < HANG, "the timeout cut the wait");
    assert!(
        stderr.contains("taobao.qimen.combineitem.query"),
        "{stderr}"
    );
    assert!(
        stderr.contains("success: false") && stderr.contains("系统繁忙"),
        "{stderr}"
    );
    assert!(
        stderr.contains("taobao.baodian.server.sdk.config.get"),
        "{stderr}"
    );
    assert!(stderr.contains("timed out (2 attempts)"), "{stderr}");
    assert!(stderr.contains("the corpus is unchanged"), "{stderr}");
    assert!(
        !stderr.contains(TOKEN),
        "the token is never shown: {stderr}"
    );
    assert_eq!(
        snapshot(&corpus),
        before,
        "the previous corpus is untouched"
    );

    let fetched_before = mock.hits("taobao.qimen.store.delete");
    let (refused, hung) = (
        mock.hits("taobao.qimen.combineitem.query"),
        mock.hits("taobao.baodian.server.sdk.config.get"),
    );
    for (api, folder) in [
        ("taobao.qimen.combineitem.query", "qimen"),
        ("taobao.baodian.server.sdk.config.get", "baodian"),
    ] {
        let file = format!("{}.json", api.replace('.', "_"));
        let doc = fs::read_to_string(fixtures().join(folder).join(file)).unwrap();
        mock.set(api, Answer::Document(doc));
    }
    let resumed = fetch(&mock, &corpus, &[]);
    let stdout = text(&resumed.stdout);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(
        stdout.contains("1 changed") && stdout.contains("3 resumed"),
        "{stdout}"
    );
    assert_eq!(
        mock.hits("taobao.qimen.store.delete"),
        fetched_before,
        "not asked again"
    );
    assert_eq!(mock.hits("taobao.qimen.combineitem.query"), refused + 1);
    assert_eq!(mock.hits("taobao.baodian.server.sdk.config.get"), hung + 1);
    assert_eq!(
        beside(&corpus),
        ["corpus"],
        "the journal is gone once swapped in"
    );
}

#[test]
fn keep_going_writes_the_corpus_without_what_failed() {
    let mock = Mock::start(SERVED);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    mock.set("taobao.qimen.combineitem.query", Answer::Refused);
    let out = fetch(&mock, &corpus, &["--keep-going"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("taobao.qimen.combineitem.query"));
    assert!(text(&out.stdout).contains("4 new") && text(&out.stdout).contains("1 failed"));
    assert!(corpus.join("qimen/taobao_qimen_store_delete.json").exists());
    assert!(
        !corpus
            .join("qimen/taobao_qimen_combineitem_query.json")
            .exists()
    );
}

#[test]
fn filters_fetch_only_the_chosen_category_or_api_and_keep_the_rest() {
    let mock = Mock::start(SERVED);
    let (_tmp, corpus) = fetched(&mock);
    mock.edit("taobao.qimen.store.delete", |t| {
        t.replacen('{', "{\"new\": 3,", 1)
    });
    mock.edit("taobao.baodian.server.sdk.config.get", |t| {
        t.replacen('{', "{\"new\": 3,", 1)
    });
    let out = fetch(&mock, &corpus, &["--api", "taobao.qimen.store.delete"]);
    assert!(text(&out.stdout).contains("1 categories, 1 documents (0 new, 1 changed"));
    let out = fetch(&mock, &corpus, &["--category", "宝点API"]);
    assert!(text(&out.stdout).contains("1 categories, 1 documents (0 new, 1 changed"));
    assert_eq!(
        snapshot(&corpus).len(),
        8,
        "three categories, five documents, all kept"
    );
    let out = fetch(&mock, &corpus, &["--category", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no category or API nosuch"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn two_filters_naming_one_category_choose_it_once() {
    let mock = Mock::start(SERVED);
    let (_tmp, corpus) = fetched(&mock);
    let out = fetch(
        &mock,
        &corpus,
        &["--category", "宝点API", "--category", "baodian"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 categories, 1 documents (0 new, 0 changed, 1 unchanged"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_bad_catalogue_names_its_api_and_writes_nothing() {
    let mock = Mock::start(SERVED);
    let (_tmp, corpus) = fetched(&mock);
    let before = snapshot(&corpus);
    let cases = [
        ("<html>busy</html>", "not JSON"),
        (
            r#"{"success":false,"code":"E1","errMsg":"denied"}"#,
            "errMsg denied",
        ),
        (
            r#"{"success":true,"data":{"treeCategories":[]}}"#,
            "catelogTrees",
        ),
        (
            r#"{"success":true,"data":{"treeCategories":[{"catelogTrees":[{"id":1,"name":"x","catelogList":[{"id":2}]}]}]}}"#,
            "not an API method name",
        ),
    ];
    for (body, says) in cases {
        mock.state.lock().unwrap().catalogue_body = Some(body.to_string());
        let out = fetch(&mock, &corpus, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("getApiCatelogConfig.json") && stderr.contains(says),
            "{stderr}"
        );
        assert_eq!(snapshot(&corpus), before);
        assert_eq!(beside(&corpus), ["corpus"]);
    }
}

#[test]
fn a_folder_that_is_not_a_corpus_is_refused() {
    let mock = Mock::start(SERVED);
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    fs::create_dir_all(project.join("src")).unwrap();
    fs::write(project.join("src/main.rs"), "fn main() {}").unwrap();
    let before = snapshot(&project);
    let out = fetch(&mock, &project, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a doc-center corpus"), "{stderr}");
    assert_eq!(snapshot(&project), before);
}

#[test]
fn a_timeout_too_large_for_a_duration_is_refused_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    for seconds in ["1e30", "0", "-1", "inf", "NaN", "1e-300"] {
        let timeout = format!("--timeout={seconds}");
        let out = xtask_in(
            None,
            &[
                "fetch",
                "--doc-center",
                "http://127.0.0.1:9",
                "--out",
                corpus.to_str().unwrap(),
                &timeout,
            ],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{seconds}: {stderr}");
        assert!(
            stderr.contains("--timeout") && stderr.contains("give a number of seconds above 0"),
            "{seconds}: {stderr}"
        );
    }
    assert!(!corpus.exists());
}

#[test]
fn a_document_answer_without_its_fields_is_a_failure_naming_it() {
    let mock = Mock::start(SERVED);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    mock.set(
        "taobao.qimen.store.delete",
        Answer::Document("{\"x\": 1}".into()),
    );
    let out = fetch(&mock, &corpus, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("taobao.qimen.store.delete") && stderr.contains("no `name`"),
        "{stderr}"
    );
    assert!(!corpus.exists(), "nothing half-written");
}

/// `sync` from the mock into `corpus`, regenerating into `out`.
fn sync(mock: &Mock, corpus: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sync", "--timeout", "1"];
    if !extra.contains(&"--doc-center") {
        args.extend(["--doc-center", &mock.url]);
    }
    args.extend(["--corpus", corpus.to_str().unwrap()]);
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend_from_slice(extra);
    xtask_in(None, &args)
}

#[test]
fn sync_reports_a_change_with_exit_1_and_none_with_exit_0() {
    let mock = Mock::start(&["baodian"]);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("top-docs");
    let sync = |out: &str, extra: &[&str]| sync(&mock, &corpus, &tmp.path().join(out), extra);
    let first = sync("out", &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).starts_with("## API changes: semver minor"),
        "{}",
        text(&first.stdout)
    );
    assert!(corpus.join("baodian/catelog.json").exists());
    let spec = "out/specs/taobao.baodian.server.sdk.config.get.yaml";
    assert!(tmp.path().join(spec).exists());

    // The report compares the corpus before and after, so a fresh output
    // root (as on a CI runner) reports nothing when the documents are the same.
    let same = sync("fresh", &[]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_eq!(text(&same.stdout), "## API changes: none (semver: none)\n");

    mock.edit("taobao.baodian.server.sdk.config.get", |t| {
        let field = r#"{"name": "extra_flag", "type": "Boolean", "description": "新字段"},"#;
        t.replacen(
            "\"responseParams\": [",
            &format!("\"responseParams\": [{field}"),
            1,
        )
    });
    let changed = sync("out", &[]);
    let report = text(&changed.stdout);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
    assert!(
        report.contains("taobao.baodian.server.sdk.config.get"),
        "{report}"
    );
    assert!(report.contains("extra_flag"), "{report}");
    let stderr = text(&changed.stderr);
    assert!(
        stderr.contains("fetch: 2 categories, 2 documents (0 new, 1 changed"),
        "{stderr}"
    );
    assert!(text(&fs::read(tmp.path().join(spec)).unwrap()).contains("extra_flag"));

    // A document the generator rejects: the regen fails, and the corpus
    // is put back, so the next run meets the change again.
    let corpus_before = snapshot(&corpus);
    mock.edit("taobao.baodian.server.sdk.config.get", |t| {
        t.replacen("\"name\": \"extra_flag\"", "\"name\": \"extra flag\"", 1)
    });
    let rejected = sync("out", &[]);
    let stderr = text(&rejected.stderr);
    assert_eq!(rejected.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("taobao_baodian_server_sdk_config_get.json"),
        "{stderr}"
    );
    assert_eq!(snapshot(&corpus), corpus_before, "the corpus is put back");

    let down = sync(
        "out",
        &["--doc-center", "http://127.0.0.1:9", "--retries", "0"],
    );
    let stderr = text(&down.stderr);
    assert_eq!(down.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("http://127.0.0.1:9/docCenter: error sending request"),
        "{stderr}"
    );
}

#[test]
fn sync_puts_the_corpus_back_when_the_output_cannot_be_written() {
    let mock = Mock::start(&["baodian"]);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("top-docs");
    let out = tmp.path().join("out");
    let first = sync(&mock, &corpus, &out, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));
    let corpus_before = snapshot(&corpus);

    mock.edit("taobao.baodian.server.sdk.config.get", |t| {
        let field = r#"{"name": "extra_flag", "type": "Boolean", "description": "新字段"},"#;
        t.replacen(
            "\"responseParams\": [",
            &format!("\"responseParams\": [{field}"),
            1,
        )
    });
    // The regen succeeds but its output root is a file: the commit fails.
    let blocked = tmp.path().join("blocked");
    fs::write(&blocked, "not a folder").unwrap();
    let failed = sync(&mock, &corpus, &blocked, &[]);
    let stderr = text(&failed.stderr);
    assert_eq!(failed.status.code(), Some(2), "{stderr}");
    assert_eq!(snapshot(&corpus), corpus_before, "the corpus is put back");

    // So the next run meets the change again, and the output gets it.
    let changed = sync(&mock, &corpus, &out, &[]);
    let report = text(&changed.stdout);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
    assert!(report.contains("extra_flag"), "{report}");
    let spec = out.join("specs/taobao.baodian.server.sdk.config.get.yaml");
    assert!(text(&fs::read(spec).unwrap()).contains("extra_flag"));
}

#[test]
fn sync_sees_a_category_renamed_under_the_same_id() {
    let mock = Mock::start(&["baodian"]);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("top-docs");
    let out = tmp.path().join("out");
    let first = sync(&mock, &corpus, &out, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first.stderr));

    mock.state.lock().unwrap().catalogue[0].name = "宝点新名API".to_string();
    let renamed = sync(&mock, &corpus, &out, &[]);
    let stderr = text(&renamed.stderr);
    assert_eq!(renamed.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("(0 new, 0 changed, 2 unchanged, 0 removed)"),
        "documents are counted as before: {stderr}"
    );
    let catelog = text(&fs::read(corpus.join("baodian/catelog.json")).unwrap());
    assert!(catelog.contains("宝点新名API"), "{catelog}");

    let same = sync(&mock, &corpus, &out, &[]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
}
