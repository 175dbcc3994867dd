//! Fuzzing the readers with structured mutations of the real inputs.
//!
//! Every target starts from real pages (text, HTML), doc-center JSON
//! documents or YAML specs and applies a short list of mutations: cuts at a
//! line or byte, deleted / duplicated / swapped lines, flipped `└` marks and
//! required flags, replaced cells, CRLF, random bytes and UTF-8, deep nesting
//! and huge lines. The properties, checked for every case:
//! - no panic, and each case ends within a time limit (it runs on a thread
//!   with a rayon-sized 2 MiB stack, as `pipeline::scrape_all` does);
//! - an error names the file, and its line (when it gives one) is on the page;
//! - so does every warning;
//! - an accepted input yields a spec that round-trips through
//!   `Spec::to_yaml` / `Spec::from_yaml`, with no U+FFFD the input lacked;
//! - a text or HTML page reads the same with CRLF line endings.
//!
//! `PROPTEST_CASES` sets the number of cases per target (default 48, kept
//! small for CI); `ROBUST_CASE_SECS` the per-case limit (default 20 s, for
//! debug builds on a loaded machine). Each failure found is kept as a file in
//! `tests/regressions/`, replayed by `regressions_stay_fixed`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError};
use serde_json::Value;
use topgen::scrape::{Context, scrape_page};
use topgen::spec::Spec;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------
// The checker.

/// What a reader is asked to read.
#[derive(Clone)]
enum Input {
    /// A page (`.txt`, `.html`, `.json`) through `scrape_page`.
    Page {
        shown: String,
        bytes: Vec<u8>,
        category: Option<String>,
    },
    /// A spec through `Spec::from_yaml`.
    Yaml { shown: String, text: String },
}

fn case_limit() -> Duration {
    let secs = std::env::var("ROBUST_CASE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    Duration::from_secs(secs)
}

/// Run `f` on a 2 MiB thread; a panic or an overrun becomes an `Err`.
fn bounded<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::Builder::new()
        .name(format!("case {what}"))
        .stack_size(2 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r.map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            }));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let limit = case_limit();
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(format!("{what}: panicked: {msg}")),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "{what}: still running after {:?} (a hang, or work out of proportion to the input)",
            started.elapsed()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(format!("{what}: the case thread died")),
    }
}

/// Lines of an input as a reader numbers them (at least one).
fn line_count(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).lines().count().max(1)
}

fn check_line(what: &str, line: Option<usize>, lines: usize) -> Result<(), String> {
    match line {
        Some(l) if l == 0 || l > lines => Err(format!(
            "{what} gives line {l}, outside the input's {lines} lines"
        )),
        _ => Ok(()),
    }
}

/// Check every property for one input; `Err` says which failed.
fn check(input: &Input) -> Result<(), String> {
    match input {
        Input::Page {
            shown,
            bytes,
            category,
        } => {
            let got = read_page(shown, bytes, category)?;
            check_page_result(shown, bytes, &got)?;
            // CRLF reads like LF (JSON has its own line rules and no such promise).
            if !shown.ends_with(".json") && bytes.contains(&b'\n') {
                let crlf = to_crlf(bytes);
                let again = read_page(shown, &crlf, category)?;
                let same = match (&got, &again) {
                    (Ok(a), Ok(b)) => a.0 == b.0,
                    (Err(a), Err(b)) => a == b,
                    _ => false,
                };
                if !same {
                    return Err(format!(
                        "CRLF changes the reading:\n  LF:   {}\n  CRLF: {}",
                        brief(&got),
                        brief(&again)
                    ));
                }
            }
            Ok(())
        }
        Input::Yaml { shown, text } => {
            let (s, t) = (shown.clone(), text.clone());
            let got = bounded(shown, move || Spec::from_yaml(Path::new(&s), &t))?;
            match got {
                Err(e) => {
                    if e.file != Path::new(shown) {
                        return Err(format!("the error names {:?}, not {shown}: {e}", e.file));
                    }
                    check_line("the error", e.line, line_count(text.as_bytes()))
                        .map_err(|m| format!("{m}: {e}"))
                }
                Ok(spec) => round_trip(&spec),
            }
        }
    }
}

type PageResult = Result<(Spec, Vec<topgen::Warning>), topgen::Error>;

fn read_page(shown: &str, bytes: &[u8], category: &Option<String>) -> Result<PageResult, String> {
    let (s, b) = (shown.to_string(), bytes.to_vec());
    let ctx = Context {
        category: category.clone(),
        ..Context::default()
    };
    bounded(shown, move || {
        scrape_page(Path::new(&s), &b, &ctx).map(|got| (got.spec, got.warnings))
    })
}

fn brief(r: &PageResult) -> String {
    match r {
        Ok((s, _)) => format!("a spec of {} ({} notes)", s.api, s.notes.len()),
        Err(e) => e.to_string(),
    }
}

fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn check_page_result(shown: &str, bytes: &[u8], got: &PageResult) -> Result<(), String> {
    let lines = line_count(bytes);
    match got {
        Err(e) => {
            if e.file != Path::new(shown) {
                return Err(format!("the error names {:?}, not {shown}: {e}", e.file));
            }
            if e.message.trim().is_empty() {
                return Err(format!("an error without a message: {e:?}"));
            }
            check_line("the error", e.line, lines).map_err(|m| format!("{m}: {e}"))
        }
        Ok((spec, warnings)) => {
            for w in warnings {
                if w.file != Path::new(shown) {
                    return Err(format!("a warning names {:?}, not {shown}: {w}", w.file));
                }
                check_line("a warning", w.line, lines).map_err(|m| format!("{m}: {w}"))?;
            }
            if spec.source != shown {
                return Err(format!("source is {:?}, not {shown:?}", spec.source));
            }
            let yaml = spec.to_yaml();
            // HTML decoding itself turns NUL and bad character references into U+FFFD.
            let html_replaces = shown.ends_with(".html")
                && (bytes.contains(&0) || bytes.windows(2).any(|w| w == b"&#"));
            let had_fffd = html_replaces || bytes.windows(3).any(|w| w == "\u{FFFD}".as_bytes());
            if !had_fffd && yaml.contains('\u{FFFD}') {
                return Err("the spec holds U+FFFD, garbled text the page did not have".into());
            }
            round_trip(spec)
        }
    }
}

fn round_trip(spec: &Spec) -> Result<(), String> {
    let yaml = spec.to_yaml();
    match Spec::from_yaml(Path::new("round-trip.yaml"), &yaml) {
        Ok(again) if again == *spec => Ok(()),
        Ok(again) => Err(format!(
            "the spec changes through YAML:\n{yaml}\n--- read back as ---\n{}",
            again.to_yaml()
        )),
        Err(e) => Err(format!("the spec's own YAML is rejected: {e}\n{yaml}")),
    }
}

// ---------------------------------------------------------------------------
// Seeds: the real inputs.

struct Seed {
    shown: String,
    bytes: Vec<u8>,
    category: Option<String>,
}

fn files_in(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_in(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext)
            && p.file_name().is_some_and(|n| n != "catelog.json")
        {
            out.push(p);
        }
    }
}

fn seeds_from(dirs: &[&str], ext: &str) -> Vec<Seed> {
    let mut paths = Vec::new();
    for d in dirs {
        files_in(&manifest().join(d), ext, &mut paths);
    }
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("seed is readable");
            let category = p
                .parent()
                .and_then(|d| std::fs::read_to_string(d.join("catelog.json")).ok())
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["name"].as_str().map(str::to_string));
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("page");
            Seed {
                shown: format!("fuzz/{name}"),
                bytes,
                category,
            }
        })
        .collect()
}

fn text_seeds() -> &'static [Seed] {
    static S: OnceLock<Vec<Seed>> = OnceLock::new();
    S.get_or_init(|| seeds_from(&["../pages", "tests/fixtures/pages"], "txt"))
}

fn html_seeds() -> &'static [Seed] {
    static S: OnceLock<Vec<Seed>> = OnceLock::new();
    S.get_or_init(|| seeds_from(&["tests/fixtures/html"], "html"))
}

fn json_seeds() -> &'static [Seed] {
    static S: OnceLock<Vec<Seed>> = OnceLock::new();
    S.get_or_init(|| seeds_from(&["tests/fixtures/top-docs"], "json"))
}

/// Specs of the real pages and of some JSON documents, as YAML.
fn yaml_seeds() -> &'static [Seed] {
    static S: OnceLock<Vec<Seed>> = OnceLock::new();
    S.get_or_init(|| {
        let pages = seeds_from(&["../pages"], "txt");
        let docs = seeds_from(&["tests/fixtures/top-docs"], "json");
        pages
            .iter()
            .chain(docs.iter().step_by(4))
            .filter_map(|s| {
                let ctx = Context {
                    category: s.category.clone(),
                    ..Context::default()
                };
                scrape_page(Path::new(&s.shown), &s.bytes, &ctx).ok()
            })
            .map(|got| Seed {
                shown: format!("specs/{}.yaml", got.spec.api),
                bytes: got.spec.to_yaml().into_bytes(),
                category: None,
            })
            .collect()
    })
}

// ---------------------------------------------------------------------------
// Mutations.

/// Cells and lines that mean something to a reader.
const TOKENS: &[&str] = &[
    "String",
    "Number",
    "Boolean",
    "String []",
    "String[]",
    "byte[]",
    "Struct",
    "OrderItem []",
    "Foo",
    "必须",
    "可选",
    "必需",
    "特殊可选",
    "└",
    "└ x",
    "└ └",
    "•",
    "  • ",
    "  • └ a",
    "type",
    "ref",
    "self",
    "Self",
    "match",
    "a-b",
    "a.b",
    "",
    "   ",
    "公共参数",
    "请求参数",
    "响应参数",
    "请求示例",
    "响应示例",
    "异常示例",
    "错误码解释",
    "名称 类型 是否必须 示例值 更多限制 描述",
    "名称 类型 示例值 描述",
    "名称",
    "<a>",
    "</a>",
    "<a/>",
    "<result>",
    "</result>",
    "{",
    "[",
    "\"",
    "(",
    ")",
    "taobao.a.b (t)",
    "taobao.pc.order.cancel (取消)",
    "文档中心 > API类目 > X",
    "文档中心 >",
    "注意:以下文档只适用于TOP接口",
    "obj1.setX(obj2);",
    "req.setA(\"1\");",
    "req.setParam(obj1);",
    "X obj1 = new X();",
    "List<X> list9 = new ArrayList<X>();",
    "list9.add(obj9);",
    "client.execute(req);",
    "QimenClient client = new DefaultQimenClient(url, appkey, secret);",
    "<![CDATA[x]]>",
    "&amp;",
    "&bogus;",
    "&#0;",
    "&#xFFFFFF;",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE x>",
    "\u{FFFD}",
    "\u{0}",
    "\t",
    "\r",
    "🦀",
    "１２３",
    "最大长度：20",
    "最大值：99999999999999999999",
    "<table>",
    "</table>",
    "<tr><td>a</td></tr>",
    "<ul><li>",
    "</li></ul>",
    "<pre>",
    "</pre>",
    "<h2>请求参数</h2>",
    "<th>名称</th>",
];

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => any::<String>().prop_map(|s| s.chars().take(40).collect()),
    ]
}

/// Deep or wide structures, inserted near where each kind is read.
#[derive(Debug, Clone, Copy)]
enum Deep {
    /// Struct bullet rows, each opening the next.
    StructRows,
    /// Leaf rows side by side.
    LeafRows,
    /// Top-level table rows.
    TopRows,
    /// Nested XML elements in the response example.
    XmlNest,
    /// Sibling XML elements.
    XmlWide,
    /// Java objects, each set on the one before.
    JavaChain,
    /// Java objects, each set twice on the one before (a DAG).
    JavaDag,
    /// Nested `<div>`s.
    HtmlDivs,
    /// Nested `<ul><li>`s.
    HtmlLists,
    /// Many `<pre>` blocks.
    HtmlPres,
}

fn deep_text(kind: Deep, n: usize) -> String {
    let mut s = String::new();
    match kind {
        Deep::StructRows => {
            for i in 0..n {
                s += &format!("  • s{i}\n  • S{i}\n  • 可选\n");
            }
        }
        Deep::LeafRows => {
            for i in 0..n {
                s += &format!("  • └ f{i}\n  • String\n  • 可选\n  • 1\n  • d\n");
            }
        }
        Deep::TopRows => {
            for i in 0..n {
                s += &format!("t{i} String 可选 1 d\n");
            }
        }
        Deep::XmlNest => {
            s += &"<a>".repeat(n);
            s += &"</a>".repeat(n);
            s.push('\n');
        }
        Deep::XmlWide => {
            for i in 0..n {
                s += &format!("<w{i}>1</w{i}>\n");
            }
        }
        Deep::JavaChain | Deep::JavaDag => {
            for i in 0..n {
                s += &format!("X obj{i} = new X();\n");
            }
            for i in 0..n {
                s += &format!("obj{i}.setA(obj{});\n", i + 1);
                if matches!(kind, Deep::JavaDag) {
                    s += &format!("obj{i}.setB(obj{});\n", i + 1);
                }
            }
            s += "req.setParam(obj0);\n";
        }
        Deep::HtmlDivs => {
            s += &"<div>".repeat(n);
            s += &"</div>".repeat(n);
            s.push('\n');
        }
        Deep::HtmlLists => {
            s += &"<ul><li>x".repeat(n);
            s.push('\n');
        }
        Deep::HtmlPres => {
            for _ in 0..n {
                s += "<pre><code>a</code></pre>\n";
            }
        }
    }
    s
}

/// Where a deep structure goes: the line after the first one matching.
fn anchor(kind: Deep) -> &'static [&'static str] {
    match kind {
        Deep::StructRows | Deep::LeafRows => &["  • ", "<ul><li>"],
        Deep::TopRows => &["名称 类型", "<tbody>"],
        Deep::XmlNest | Deep::XmlWide => &["_response>", "<response>", "<flag>"],
        Deep::JavaChain | Deep::JavaDag => &["Request req", "req = new"],
        Deep::HtmlDivs | Deep::HtmlLists | Deep::HtmlPres => &["<body>", "<h2>"],
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    TruncateLines(usize),
    TruncateBytes(usize),
    DeleteLines(usize, usize),
    DuplicateLines(usize, usize),
    SwapLines(usize, usize),
    /// Add or remove the `└` of the n-th bullet line.
    FlipLeaf(usize),
    /// Replace the n-th required flag.
    FlipRequired(usize, String),
    /// Replace the k-th space-separated cell of a line.
    ReplaceCell(usize, usize, String),
    InsertLine(usize, String),
    /// Copy a line of another seed in.
    Transplant(usize, usize, usize),
    Crlf,
    InsertBytes(usize, Vec<u8>),
    InsertText(usize, String),
    SetByte(usize, u8),
    Deep(Deep, usize),
    HugeLine(usize, usize, char),
}

fn deep_kind() -> impl Strategy<Value = Deep> {
    proptest::sample::select(vec![
        Deep::StructRows,
        Deep::LeafRows,
        Deep::TopRows,
        Deep::XmlNest,
        Deep::XmlWide,
        Deep::JavaChain,
        Deep::JavaDag,
        Deep::HtmlDivs,
        Deep::HtmlLists,
        Deep::HtmlPres,
    ])
}

/// Upper bound of deep / huge sizes: big enough to hit depth limits and
/// quadratic paths, small enough for a debug build on 2 cores.
fn max_size() -> usize {
    std::env::var("ROBUST_MAX_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let ix = 0..100_000usize;
    prop_oneof![
        2 => ix.clone().prop_map(Mutation::TruncateLines),
        2 => ix.clone().prop_map(Mutation::TruncateBytes),
        3 => (ix.clone(), 1..8usize).prop_map(|(a, b)| Mutation::DeleteLines(a, b)),
        2 => (ix.clone(), 1..8usize).prop_map(|(a, b)| Mutation::DuplicateLines(a, b)),
        2 => (ix.clone(), ix.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        3 => ix.clone().prop_map(Mutation::FlipLeaf),
        3 => (ix.clone(), prop_oneof![
                Just("必须".to_string()), Just("可选".to_string()), Just("必需".to_string()),
                Just("特殊可选".to_string()), Just(String::new()), Just("Y".to_string())
            ]).prop_map(|(a, b)| Mutation::FlipRequired(a, b)),
        4 => (ix.clone(), 0..8usize, token()).prop_map(|(a, b, c)| Mutation::ReplaceCell(a, b, c)),
        3 => (ix.clone(), token()).prop_map(|(a, b)| Mutation::InsertLine(a, b)),
        2 => (ix.clone(), ix.clone(), ix.clone()).prop_map(|(a, b, c)| Mutation::Transplant(a, b, c)),
        1 => Just(Mutation::Crlf),
        1 => (ix.clone(), proptest::collection::vec(any::<u8>(), 1..16))
                .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        1 => (ix.clone(), any::<String>()).prop_map(|(a, b)| Mutation::InsertText(a, b)),
        1 => (ix.clone(), any::<u8>()).prop_map(|(a, b)| Mutation::SetByte(a, b)),
        1 => (deep_kind(), 1..=max_size()).prop_map(|(k, n)| Mutation::Deep(k, n)),
        1 => (ix.clone(), 1..=max_size() * 100, any::<char>())
                .prop_map(|(a, n, c)| Mutation::HugeLine(a, n, c)),
    ]
}

/// Split into lines that keep their `\n`, so joining gives the bytes back.
fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn with_newline(mut l: Vec<u8>) -> Vec<u8> {
    if l.last() != Some(&b'\n') {
        l.push(b'\n');
    }
    l
}

fn find_line(lines: &[Vec<u8>], pred: impl Fn(&str) -> bool) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| pred(&String::from_utf8_lossy(l)))
        .map(|(i, _)| i)
        .collect()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation, donors: &[Seed]) {
    let mut lines = lines_of(bytes);
    let n = lines.len().max(1);
    let at = |i: usize| i % n;
    let at_incl = |i: usize| i % (lines.len() + 1);
    match m {
        Mutation::TruncateLines(i) => lines.truncate(at_incl(*i)),
        Mutation::TruncateBytes(i) => {
            bytes.truncate(*i % (bytes.len() + 1));
            return;
        }
        Mutation::DeleteLines(i, k) if !lines.is_empty() => {
            let s = at(*i);
            let e = (s + k).min(lines.len());
            lines.drain(s..e);
        }
        Mutation::DuplicateLines(i, k) if !lines.is_empty() => {
            let s = at(*i);
            let e = (s + k).min(lines.len());
            let copy: Vec<Vec<u8>> = lines[s..e].iter().cloned().map(with_newline).collect();
            lines.splice(e..e, copy);
        }
        Mutation::SwapLines(i, j) if !lines.is_empty() => {
            let (a, b) = (at(*i), at(*j));
            lines.swap(a, b);
        }
        Mutation::FlipLeaf(i) => {
            let bullets = find_line(&lines, |l| {
                l.trim_start().starts_with('•') || l.contains("<li>")
            });
            if let Some(&k) = bullets.get(*i % bullets.len().max(1)) {
                let l = String::from_utf8_lossy(&lines[k]).into_owned();
                let flipped = if l.contains("└ ") {
                    l.replacen("└ ", "", 1)
                } else if let Some(p) = l.find("• ") {
                    format!("{}└ {}", &l[..p + "• ".len()], &l[p + "• ".len()..])
                } else {
                    l.replacen("<li>", "<li>└ ", 1)
                };
                lines[k] = flipped.into_bytes();
            }
        }
        Mutation::FlipRequired(i, to) => {
            let flags = find_line(&lines, |l| l.contains("必须") || l.contains("可选"));
            if let Some(&k) = flags.get(*i % flags.len().max(1)) {
                let l = String::from_utf8_lossy(&lines[k]).into_owned();
                let from = if l.contains("必须") {
                    "必须"
                } else {
                    "可选"
                };
                lines[k] = l.replacen(from, to, 1).into_bytes();
            }
        }
        Mutation::ReplaceCell(i, c, tok) if !lines.is_empty() => {
            let k = at(*i);
            let l = String::from_utf8_lossy(&lines[k]).into_owned();
            let nl = l.ends_with('\n');
            let mut cells: Vec<&str> = l.trim_end_matches('\n').split(' ').collect();
            let c = *c % cells.len();
            cells[c] = tok;
            let mut joined = cells.join(" ");
            if nl {
                joined.push('\n');
            }
            lines[k] = joined.into_bytes();
        }
        Mutation::InsertLine(i, tok) => {
            let k = at_incl(*i);
            lines.insert(k, format!("{tok}\n").into_bytes());
        }
        Mutation::Transplant(d, src, i) if !donors.is_empty() => {
            let donor = lines_of(&donors[*d % donors.len()].bytes);
            if !donor.is_empty() {
                let l = with_newline(donor[*src % donor.len()].clone());
                let k = at_incl(*i);
                lines.insert(k, l);
            }
        }
        Mutation::Crlf => {
            *bytes = to_crlf(bytes);
            return;
        }
        Mutation::InsertBytes(i, b) => {
            let p = *i % (bytes.len() + 1);
            bytes.splice(p..p, b.iter().copied());
            return;
        }
        Mutation::InsertText(i, t) => {
            let k = at_incl(*i);
            lines.insert(k, t.clone().into_bytes());
        }
        Mutation::SetByte(i, b) if !bytes.is_empty() => {
            let p = *i % bytes.len();
            bytes[p] = *b;
            return;
        }
        Mutation::Deep(kind, size) => {
            let hits = find_line(&lines, |l| anchor(*kind).iter().any(|a| l.contains(a)));
            let k = hits.first().map_or(lines.len(), |&h| h + 1);
            lines.insert(k, deep_text(*kind, *size).into_bytes());
        }
        Mutation::HugeLine(i, len, ch) => {
            let k = at_incl(*i);
            let mut l: String = std::iter::repeat_n(*ch, *len).collect();
            l.push('\n');
            lines.insert(k, l.into_bytes());
        }
        _ => {}
    }
    *bytes = lines.concat();
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..6)
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48);
    Config {
        cases,
        // Failures are kept by hand, minimized, in tests/regressions/.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

/// Check `input`; on failure, `ROBUST_DUMP=DIR` keeps the input there (the
/// last one written is the minimized one) for `tests/regressions/`.
fn run(input: &Input, what: &dyn Fn() -> String) -> Result<(), TestCaseError> {
    let Err(e) = check(input) else {
        return Ok(());
    };
    if let Ok(dir) = std::env::var("ROBUST_DUMP") {
        let (name, bytes) = match input {
            Input::Page { shown, bytes, .. } => (shown, bytes.clone()),
            Input::Yaml { shown, text } => (shown, text.clone().into_bytes()),
        };
        let ext = Path::new(name)
            .extension()
            .and_then(|x| x.to_str())
            .unwrap_or("txt");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(Path::new(&dir).join(format!("last.{ext}")), bytes);
    }
    Err(TestCaseError::fail(format!("{}:\n{e}", what())))
}

// ---------------------------------------------------------------------------
// JSON documents: structural mutations of the value, then of the text.

#[derive(Debug, Clone)]
enum JsonMutation {
    /// Remove the k-th child of the n-th container.
    Delete(usize, usize),
    /// Replace the n-th node with a value from the pool.
    Replace(usize, usize),
    /// Repeat the k-th child of the n-th array.
    Duplicate(usize, usize),
    /// Give the n-th object a `subParams` chain this deep.
    Deep(usize, usize),
    /// Rename the k-th key of the n-th object.
    Rename(usize, usize, String),
    /// Any text mutation of the serialized document.
    Text(Mutation),
}

fn json_pool() -> Vec<Value> {
    serde_json::from_str(
        r#"[null, true, false, 0, -1, 1.5, 1e300, 18446744073709551616, -99999999999999999999,
            "", " ", "String", "Item []", "X[][]", "null[]", "null", "a b", "type", "a.b",
            "Number", "\u0000", "\ud83e\udd80", "taobao.a.b", "..", [], {}, [{}],
            [{"name": "x"}], [{"name": "x", "type": "String"}, {"name": "x", "type": "Number"}],
            {"name": 1}, [[[[[]]]]]]"#,
    )
    .expect("pool is JSON")
}

fn json_mutation() -> impl Strategy<Value = JsonMutation> {
    let ix = 0..10_000usize;
    prop_oneof![
        3 => (ix.clone(), ix.clone()).prop_map(|(a, b)| JsonMutation::Delete(a, b)),
        4 => (ix.clone(), ix.clone()).prop_map(|(a, b)| JsonMutation::Replace(a, b)),
        2 => (ix.clone(), ix.clone()).prop_map(|(a, b)| JsonMutation::Duplicate(a, b)),
        1 => (ix.clone(), 1..200usize).prop_map(|(a, b)| JsonMutation::Deep(a, b)),
        2 => (ix.clone(), ix.clone(), prop_oneof![
                Just("name".to_string()), Just("type".to_string()), Just("subParams".to_string()),
                Just("required".to_string()), Just("requestParams".to_string()),
                Just("maxValue".to_string()), Just("minValue".to_string()), Just("x".to_string())
            ]).prop_map(|(a, b, c)| JsonMutation::Rename(a, b, c)),
        2 => mutation().prop_map(JsonMutation::Text),
    ]
}

/// Call `f` on the n-th node (pre-order) that `filter` accepts.
fn nth_node(
    v: &mut Value,
    n: usize,
    filter: &dyn Fn(&Value) -> bool,
    f: &mut dyn FnMut(&mut Value),
) {
    fn count(v: &Value, filter: &dyn Fn(&Value) -> bool) -> usize {
        let own = usize::from(filter(v));
        own + match v {
            Value::Array(a) => a.iter().map(|c| count(c, filter)).sum(),
            Value::Object(o) => o.values().map(|c| count(c, filter)).sum(),
            _ => 0,
        }
    }
    fn visit(
        v: &mut Value,
        target: usize,
        seen: &mut usize,
        filter: &dyn Fn(&Value) -> bool,
        f: &mut dyn FnMut(&mut Value),
    ) -> bool {
        if filter(v) {
            if *seen == target {
                f(v);
                return true;
            }
            *seen += 1;
        }
        match v {
            Value::Array(a) => a.iter_mut().any(|c| visit(c, target, seen, filter, f)),
            Value::Object(o) => o.values_mut().any(|c| visit(c, target, seen, filter, f)),
            _ => false,
        }
    }
    let total = count(v, filter);
    if total > 0 {
        visit(v, n % total, &mut 0, filter, f);
    }
}

fn apply_json(bytes: &mut Vec<u8>, ms: &[JsonMutation], donors: &[Seed]) {
    let pool = json_pool();
    let mut value: Option<Value> = serde_json::from_slice(bytes).ok();
    for m in ms {
        if let (Some(v), false) = (&mut value, matches!(m, JsonMutation::Text(_))) {
            match m {
                JsonMutation::Delete(n, k) => nth_node(
                    v,
                    *n,
                    &|x| x.is_array() || x.is_object(),
                    &mut |x| match x {
                        Value::Array(a) if !a.is_empty() => {
                            let k = k % a.len();
                            a.remove(k);
                        }
                        Value::Object(o) if !o.is_empty() => {
                            let key = o.keys().nth(k % o.len()).cloned().unwrap_or_default();
                            o.remove(&key);
                        }
                        _ => {}
                    },
                ),
                JsonMutation::Replace(n, k) => {
                    let new = pool[k % pool.len()].clone();
                    nth_node(v, *n, &|_| true, &mut |x| *x = new.clone());
                }
                JsonMutation::Duplicate(n, k) => nth_node(v, *n, &Value::is_array, &mut |x| {
                    if let Value::Array(a) = x
                        && !a.is_empty()
                    {
                        let c = a[k % a.len()].clone();
                        a.push(c);
                    }
                }),
                JsonMutation::Deep(n, depth) => nth_node(v, *n, &Value::is_object, &mut |x| {
                    let mut chain = serde_json::json!({"name": "leaf", "type": "String"});
                    for i in 0..*depth {
                        chain = serde_json::json!({"name": format!("s{i}"), "type": format!("S{i}"), "subParams": [chain]});
                    }
                    if let Value::Object(o) = x {
                        o.insert("subParams".into(), Value::Array(vec![chain]));
                    }
                }),
                JsonMutation::Rename(n, k, to) => nth_node(v, *n, &Value::is_object, &mut |x| {
                    if let Value::Object(o) = x
                        && !o.is_empty()
                    {
                        let key = o.keys().nth(k % o.len()).cloned().unwrap_or_default();
                        if let Some(val) = o.remove(&key) {
                            o.insert(to.clone(), val);
                        }
                    }
                }),
                JsonMutation::Text(_) => {}
            }
            *bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
        } else if let JsonMutation::Text(t) = m {
            apply(bytes, t, donors);
            value = None;
        }
    }
}

// ---------------------------------------------------------------------------
// YAML specs: text mutations with YAML-specific tokens.

const YAML_TOKENS: &[&str] = &[
    "format: 2",
    "format: -1",
    "format: '1'",
    "api: x..y",
    "api: ''",
    "api: [a]",
    "title: ~",
    "type: [1]",
    "required: yes",
    "required: 1",
    "required: ~",
    "array: \"true\"",
    "example: 00",
    "example: [1, 2]",
    "example: {a: 1}",
    "fields: {}",
    "fields: ~",
    "- name: x",
    "  - name: x",
    "    type: String",
    "name: \"a b\"",
    "name: ''",
    "name: type",
    "name: a-b.c",
    "typ: String",
    "protocol: soap",
    "protocol: QIMEN",
    "max_length: -1",
    "max_length: 99999999999999999999999",
    "max_length: 1.5",
    "constraints: []",
    "&a [*a]",
    "*a",
    "x: &a {b: *a}",
    "!!binary aGk=",
    "!tag x",
    "? complex",
    "---",
    "...",
    "%YAML 1.1",
    "\t- tab",
    "notes: [1, {a: b}]",
    "error_codes: [{code: 1}]",
    "examples: {request: [{lang: java}]}",
    "<<: *a",
];

fn yaml_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => mutation(),
        2 => (0..100_000usize, proptest::sample::select(YAML_TOKENS))
                .prop_map(|(i, t)| Mutation::InsertLine(i, t.to_string())),
        2 => (0..100_000usize, 0..4usize, proptest::sample::select(YAML_TOKENS))
                .prop_map(|(i, c, t)| Mutation::ReplaceCell(i, c, t.to_string())),
    ]
}

/// A spec whose fields nest `depth` deep, or an alias bomb.
fn yaml_extreme(kind: usize, n: usize) -> String {
    let head = "format: 1\napi: taobao.a.b\ntitle: t\ncategory: c\nprotocol: top\n";
    match kind % 3 {
        0 => {
            let mut s = format!("{head}request:\n");
            for i in 0..n {
                let pad = "  ".repeat(2 * i);
                s += &format!("{pad}- name: f{i}\n{pad}  type: S\n{pad}  fields:\n");
            }
            s += &format!(
                "{}- name: leaf\n{}  type: String\n",
                "  ".repeat(2 * n),
                "  ".repeat(2 * n)
            );
            s
        }
        1 => {
            let mut s = format!("{head}notes:\n  - &a0 x\n");
            for i in 1..n.min(40) {
                s += &format!("  - &a{i} [*a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1);
            }
            s
        }
        _ => format!("{head}request: {}{}\n", "[".repeat(n), "]".repeat(n)),
    }
}

// ---------------------------------------------------------------------------
// The targets.

fn pick(seeds: &[Seed], i: usize) -> &Seed {
    &seeds[i % seeds.len()]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_text_pages(s in any::<usize>(), ms in mutations()) {
        let seed = pick(text_seeds(), s);
        let mut bytes = seed.bytes.clone();
        for m in &ms {
            apply(&mut bytes, m, text_seeds());
        }
        let input = Input::Page { shown: seed.shown.clone(), bytes, category: None };
        run(&input, &|| format!("seed {}, mutations {ms:?}", seed.shown))?;
    }

    #[test]
    fn fuzz_html_pages(s in any::<usize>(), ms in mutations()) {
        let seed = pick(html_seeds(), s);
        let mut bytes = seed.bytes.clone();
        for m in &ms {
            apply(&mut bytes, m, html_seeds());
        }
        let input = Input::Page { shown: seed.shown.clone(), bytes, category: None };
        run(&input, &|| format!("seed {}, mutations {ms:?}", seed.shown))?;
    }

    #[test]
    fn fuzz_json_documents(s in any::<usize>(), ms in proptest::collection::vec(json_mutation(), 1..6)) {
        let seed = pick(json_seeds(), s);
        let mut bytes = seed.bytes.clone();
        apply_json(&mut bytes, &ms, json_seeds());
        let input = Input::Page { shown: seed.shown.clone(), bytes, category: seed.category.clone() };
        run(&input, &|| format!("seed {}, mutations {ms:?}", seed.shown))?;
    }

    #[test]
    fn fuzz_yaml_specs(s in any::<usize>(), ms in proptest::collection::vec(yaml_mutation(), 1..6)) {
        let seed = pick(yaml_seeds(), s);
        let mut bytes = seed.bytes.clone();
        for m in &ms {
            apply(&mut bytes, m, yaml_seeds());
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let input = Input::Yaml { shown: seed.shown.clone(), text };
        run(&input, &|| format!("seed {}, mutations {ms:?}", seed.shown))?;
    }

    #[test]
    fn fuzz_yaml_extremes(kind in 0..3usize, n in 1..400usize) {
        let input = Input::Yaml { shown: "specs/deep.yaml".into(), text: yaml_extreme(kind, n) };
        run(&input, &|| format!("extreme {kind} × {n}"))?;
    }

    #[test]
    fn fuzz_random_bytes(ext in proptest::sample::select(vec!["txt", "html", "json"]),
                         bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let input = Input::Page { shown: format!("fuzz/random.{ext}"), bytes, category: Some("c".into()) };
        run(&input, &|| "random bytes".into())?;
    }

    #[test]
    fn fuzz_random_utf8(ext in proptest::sample::select(vec!["txt", "html", "json"]),
                        text in any::<String>()) {
        let input = Input::Page { shown: format!("fuzz/random.{ext}"), bytes: text.into_bytes(), category: Some("c".into()) };
        run(&input, &|| "random UTF-8".into())?;
    }
}

// ---------------------------------------------------------------------------
// Every failure the fuzzers found, minimized, kept.

#[test]
fn regressions_stay_fixed() {
    let dir = manifest().join("tests/regressions");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/regressions exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x != "md"))
        .collect();
    paths.sort();
    assert!(
        !paths.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for p in &paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let bytes = std::fs::read(p).expect("regression input");
        let shown = format!("regressions/{name}");
        let input = if name.ends_with(".yaml") {
            Input::Yaml {
                shown,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            }
        } else {
            Input::Page {
                shown,
                bytes,
                category: Some("回归".into()),
            }
        };
        if let Err(e) = check(&input) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// Deep and wide inputs at sizes the random cases do not reach.

/// Each deep kind, at `ROBUST_EXTREME` (default 5 000) repetitions, in the
/// first text and HTML page; every case must pass the same checks.
#[test]
fn extremes_at_scale() {
    let n = std::env::var("ROBUST_EXTREME")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let kinds = [
        Deep::StructRows,
        Deep::LeafRows,
        Deep::TopRows,
        Deep::XmlNest,
        Deep::XmlWide,
        Deep::JavaChain,
        Deep::JavaDag,
        Deep::HtmlDivs,
        Deep::HtmlLists,
        Deep::HtmlPres,
    ];
    let mut failures = Vec::new();
    for seed in [&text_seeds()[0], &html_seeds()[0]] {
        for kind in kinds {
            let mut bytes = seed.bytes.clone();
            apply(&mut bytes, &Mutation::Deep(kind, n), &[]);
            let input = Input::Page {
                shown: seed.shown.clone(),
                bytes,
                category: None,
            };
            let started = Instant::now();
            let r = check(&input);
            eprintln!("{} {kind:?} × {n}: {:?}", seed.shown, started.elapsed());
            if let Err(e) = r {
                failures.push(format!(
                    "{} {kind:?} × {n}: {}",
                    seed.shown,
                    e.chars().take(600).collect::<String>()
                ));
            }
        }
    }
    for (kind, depth) in [(0, 200), (1, 40), (2, 100_000)] {
        let input = Input::Yaml {
            shown: "specs/deep.yaml".into(),
            text: yaml_extreme(kind, depth),
        };
        if let Err(e) = check(&input) {
            failures.push(format!("yaml {kind} × {depth}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
