//! Fuzzing the response decoders with hostile answers.
//!
//! The inputs start from the pages' response examples (`src/fixtures/`) and
//! go through the client's own decoding functions: `decode_top` (with the
//! envelope, and bare under `simplify`) for the four TOP APIs and
//! `decode_qimen` (XML and JSON) for the Qimen one, into the generated
//! response types. Mutations: cuts at any byte, huge and odd numbers, deep
//! nesting, every value replaced by every other kind, duplicate keys or
//! elements, invalid UTF-8 and random bytes. The properties, for every case:
//! - no panic, and the case ends within a time limit (on a 2 MiB thread,
//!   the stack size of a tokio worker);
//! - an answer `decode_top` streams equals the one read through a
//!   `serde_json::Value`;
//! - a failure is a typed error (`Decode`, `Platform` or `Qimen`) whose
//!   message names the API;
//! - a decode error's field path can be followed through the answer, and
//!   when one value was replaced in well-formed JSON or XML the path leads
//!   to that value (or is inside it, or is its parent).
//!
//! The exhaustive tests cut every seed at every byte and put every hostile
//! value at every position. `PROPTEST_CASES` sets the number of random
//! cases (default 64, kept small for CI); `DECODE_CASE_SECS` the per-case
//! limit (default 10 s, for debug builds on a loaded machine).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError};
use serde_json::Value;
use top_api::itemmarket::order_info_update::ItemmarketOrderInfoUpdateResponse;
use top_api::pc::order_cancel::PcOrderCancelResponse;
use top_api::pc::order_detail::PcOrderDetailResponse;
use top_api::qimen::auto_entryorder_giftitemcancel::QimenAutoEntryorderGiftitemcancelResponse;
use top_api::qimen::order_cancel::QimenOrderCancelResponse;
use top_runtime::Error;
use top_runtime::envelope::decode_top;
use top_runtime::qimen::decode_qimen;

// ---------------------------------------------------------------------------
// Targets and seeds.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    PcOrderDetail,
    PcOrderCancel,
    ItemmarketOrderInfoUpdate,
    QimenGiftitemcancel,
    QimenOrderCancel,
}

impl Api {
    const ALL: [Api; 5] = [
        Api::PcOrderDetail,
        Api::PcOrderCancel,
        Api::ItemmarketOrderInfoUpdate,
        Api::QimenGiftitemcancel,
        Api::QimenOrderCancel,
    ];

    fn method(self) -> &'static str {
        match self {
            Api::PcOrderDetail => "taobao.pc.order.detail",
            Api::PcOrderCancel => "taobao.pc.order.cancel",
            Api::ItemmarketOrderInfoUpdate => "taobao.itemmarket.order.info.update",
            Api::QimenGiftitemcancel => "taobao.qimen.auto.entryorder.giftitemcancel",
            Api::QimenOrderCancel => "taobao.qimen.order.cancel",
        }
    }

    /// The page's answer as the gateway sends it.
    fn fixture(self) -> &'static [u8] {
        match self {
            Api::PcOrderDetail => include_bytes!("../src/fixtures/pc_order_detail.json"),
            Api::PcOrderCancel => include_bytes!("../src/fixtures/pc_order_cancel.json"),
            Api::ItemmarketOrderInfoUpdate => {
                include_bytes!("../src/fixtures/itemmarket_order_info_update.json")
            }
            Api::QimenGiftitemcancel => {
                include_bytes!("../src/fixtures/qimen_auto_entryorder_giftitemcancel.json")
            }
            Api::QimenOrderCancel => include_bytes!("../src/fixtures/qimen_order_cancel.xml"),
        }
    }
}

/// How a body is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `decode_top` without `simplify`: the envelope is required.
    TopWrapped,
    /// `decode_top` with `simplify`, fed the body without its envelope.
    TopBare,
    /// `decode_top` with `simplify`, fed the answer with its envelope.
    TopSimplifyWrapped,
    /// `decode_qimen` on XML.
    QimenXml,
    /// `decode_qimen` on the JSON form some routers answer.
    QimenJson,
    /// `de::from_xml`, the XML reading the generated tests use.
    FromXml,
}

impl Mode {
    fn is_xml(self) -> bool {
        matches!(self, Mode::QimenXml | Mode::FromXml)
    }
}

#[derive(Debug, Clone)]
struct Seed {
    api: Api,
    mode: Mode,
    bytes: Vec<u8>,
}

fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    for api in Api::ALL {
        let bytes = api.fixture().to_vec();
        if api == Api::QimenOrderCancel {
            let doc = top_runtime::de::xml_to_value(std::str::from_utf8(&bytes).unwrap()).unwrap();
            let json = serde_json::to_vec_pretty(&doc).unwrap();
            out.push(Seed {
                api,
                mode: Mode::QimenXml,
                bytes: bytes.clone(),
            });
            out.push(Seed {
                api,
                mode: Mode::FromXml,
                bytes: bytes.clone(),
            });
            out.push(Seed {
                api,
                mode: Mode::QimenJson,
                bytes: json,
            });
            continue;
        }
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let inner = doc.as_object().unwrap().values().next().unwrap().clone();
        out.push(Seed {
            api,
            mode: Mode::TopWrapped,
            bytes: bytes.clone(),
        });
        out.push(Seed {
            api,
            mode: Mode::TopSimplifyWrapped,
            bytes,
        });
        out.push(Seed {
            api,
            mode: Mode::TopBare,
            bytes: serde_json::to_vec_pretty(&inner).unwrap(),
        });
    }
    out
}

fn decode_as<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    api: Api,
    mode: Mode,
    body: &[u8],
) -> Result<(), Error> {
    let m = api.method();
    match mode {
        Mode::TopWrapped => {
            let typed = decode_top::<T>(m, body, false);
            // Skipped values are not nested-limited when streamed, so only
            // a body a `Value` can hold is compared.
            if let (Ok(answer), Some(reference)) = (&typed, through_value::<T>(m, body)) {
                assert_eq!(
                    Some(answer),
                    reference.as_ref(),
                    "the streamed answer differs from the one read through a `Value`: {}",
                    String::from_utf8_lossy(body)
                );
            }
            typed.map(drop)
        }
        Mode::TopBare | Mode::TopSimplifyWrapped => decode_top::<T>(m, body, true).map(drop),
        Mode::QimenXml | Mode::QimenJson => decode_qimen::<T>(m, body).map(drop),
        Mode::FromXml => match std::str::from_utf8(body) {
            Ok(text) => top_runtime::de::from_xml::<T>(text)
                .map(drop)
                .map_err(|e| Error::Config(e.to_string())),
            Err(_) => Ok(()),
        },
    }
}

/// The envelope's answer read the slow way: the whole body as a `Value`
/// with its numbers' digits (as the runtime buffers), then the answer from it (`None` inside when that fails). `decode_top`
/// streams; both must agree. `None` when the body is no JSON object.
fn through_value<T: serde::de::DeserializeOwned>(method: &str, body: &[u8]) -> Option<Option<T>> {
    let mut doc = top_runtime::de::exact_value(body).ok()?;
    let doc = doc.as_object_mut()?;
    let inner = doc
        .get_mut(&top_runtime::envelope::response_key(method))
        .map(Value::take);
    Some(inner.and_then(|v| serde_json::from_value(v).ok()))
}

fn decode(api: Api, mode: Mode, body: &[u8]) -> Result<(), Error> {
    match api {
        Api::PcOrderDetail => decode_as::<PcOrderDetailResponse>(api, mode, body),
        Api::PcOrderCancel => decode_as::<PcOrderCancelResponse>(api, mode, body),
        Api::ItemmarketOrderInfoUpdate => {
            decode_as::<ItemmarketOrderInfoUpdateResponse>(api, mode, body)
        }
        Api::QimenGiftitemcancel => {
            decode_as::<QimenAutoEntryorderGiftitemcancelResponse>(api, mode, body)
        }
        Api::QimenOrderCancel => decode_as::<QimenOrderCancelResponse>(api, mode, body),
    }
}

// ---------------------------------------------------------------------------
// The checker.

fn case_limit() -> Duration {
    let secs = std::env::var("DECODE_CASE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

/// What a failed decode left to check.
struct Failure {
    display: String,
    typed: bool,
    path: Option<String>,
}

/// Decode on a 2 MiB thread; a panic or an overrun becomes an `Err`.
fn bounded_decode(api: Api, mode: Mode, body: &[u8]) -> Result<Option<Failure>, String> {
    let (tx, rx) = mpsc::channel();
    let owned = body.to_vec();
    let started = Instant::now();
    std::thread::Builder::new()
        .name("decode case".into())
        .stack_size(2 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(|| {
                decode(api, mode, &owned).err().map(|e| Failure {
                    display: e.to_string(),
                    typed: matches!(
                        e,
                        Error::Decode { .. } | Error::Platform(_) | Error::Qimen(_)
                    ),
                    path: match e {
                        Error::Decode { path, .. } => Some(path),
                        _ => None,
                    },
                })
            });
            let _ = tx.send(r.map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            }));
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    match rx.recv_timeout(case_limit()) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(format!("panicked: {msg}")),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "still running after {:?} (a hang, or work out of proportion to the input)",
            started.elapsed()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the case thread died".into()),
    }
}

/// Path segments: `a.b[0].c` → `a`, `b`, `0`, `c`; the root `.` has none.
fn segments(path: &str) -> Vec<String> {
    path.split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One path leads into the other: equal segments up to the shorter one's
/// end, `?` (serde_path_to_error's unknown step) matching anything.
fn compatible(a: &[String], b: &[String]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y || x == "?" || y == "?")
}

/// How a case ended, when it kept the properties.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Decoded,
    /// A platform or Qimen error, or a decode error at the root.
    Refused,
    /// A decode error at a field path inside the body.
    AtField,
}

/// The properties every case must keep; `replaced` is the position of the
/// one value replaced in a well-formed document, if that is what was done.
fn check(
    api: Api,
    mode: Mode,
    body: &[u8],
    replaced: Option<&[String]>,
) -> Result<Outcome, String> {
    let Some(f) = bounded_decode(api, mode, body)? else {
        return Ok(Outcome::Decoded);
    };
    if mode == Mode::FromXml {
        // The XML reading under `decode_qimen`: no API to name.
        return Ok(Outcome::Refused);
    }
    if !f.typed {
        return Err(format!(
            "not a decode, platform or Qimen error: {}",
            f.display
        ));
    }
    if !f.display.contains(api.method()) {
        return Err(format!("the error does not name the API: {}", f.display));
    }
    let Some(path) = f.path else {
        return Ok(Outcome::Refused);
    };
    if path.is_empty() {
        return Err(format!("empty path (the root is `.`): {}", f.display));
    }
    let segs = segments(&path);
    if !segs.is_empty() {
        let leads = body_of(api, mode, body)
            .iter()
            .any(|v| leads_into(v, &path));
        if !leads {
            return Err(format!(
                "path `{path}` does not lead into the answer: {}",
                f.display
            ));
        }
    }
    if let Some(at) = replaced {
        if !compatible(&segs, at) {
            return Err(format!(
                "the value at `{}` was replaced, the error is at `{path}`: {}",
                at.join("."),
                f.display
            ));
        }
        // Inside a well-formed body the root is the wrong place to point at.
        if segs.is_empty() && !at.is_empty() && well_formed(mode, body) {
            return Err(format!(
                "the value at `{}` was replaced, the error names the root: {}",
                at.join("."),
                f.display
            ));
        }
    }
    Ok(if segs.is_empty() {
        Outcome::Refused
    } else {
        Outcome::AtField
    })
}

/// A document with every member kept, a duplicate key included: the
/// decoders stream, so an error may be about a member that a later one of
/// the same key hides from a `Value`.
enum Tree {
    Leaf,
    List(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl From<&Value> for Tree {
    fn from(v: &Value) -> Self {
        match v {
            Value::Array(a) => Tree::List(a.iter().map(Tree::from).collect()),
            Value::Object(m) => {
                Tree::Object(m.iter().map(|(k, v)| (k.clone(), v.into())).collect())
            }
            _ => Tree::Leaf,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Tree;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_str<E>(self, _: &str) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_unit<E>(self) -> Result<Tree, E> {
                Ok(Tree::Leaf)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut items = Vec::new();
                while let Some(t) = a.next_element()? {
                    items.push(t);
                }
                Ok(Tree::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = a.next_entry()? {
                    members.push(member);
                }
                Ok(Tree::Object(members))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The response body as the decoder sees it: below the envelope (when
/// there is one) or below the root element; each member of the envelope's
/// key when it is given twice.
fn body_of(api: Api, mode: Mode, body: &[u8]) -> Vec<Tree> {
    let doc = if mode.is_xml() {
        let Some(v) = std::str::from_utf8(body)
            .ok()
            .and_then(|t| top_runtime::de::xml_to_value(t).ok())
        else {
            return Vec::new();
        };
        Tree::from(&v)
    } else {
        // Every member as written, where serde_json reads the body (it
        // refuses numbers out of `f64`'s range); else the exact reading.
        match serde_json::from_slice::<Tree>(body) {
            Ok(t) => t,
            Err(_) => match top_runtime::de::exact_value(body) {
                Ok(v) => Tree::from(&v),
                Err(_) => return Vec::new(),
            },
        }
    };
    let Tree::Object(members) = doc else {
        return Vec::new();
    };
    let key = match mode {
        Mode::TopWrapped | Mode::TopSimplifyWrapped | Mode::TopBare => {
            top_runtime::envelope::response_key(api.method())
        }
        Mode::QimenJson => "response".into(),
        Mode::QimenXml | Mode::FromXml => match members.first() {
            Some((k, _)) => k.clone(),
            None => return Vec::new(),
        },
    };
    let (inner, rest): (Vec<_>, Vec<_>) = members.into_iter().partition(|(k, _)| *k == key);
    match inner.is_empty() {
        false => inner.into_iter().map(|(_, t)| t).collect(),
        true if mode == Mode::TopBare || mode == Mode::TopSimplifyWrapped => {
            vec![Tree::Object(rest)]
        }
        true => Vec::new(),
    }
}

/// Whether an error path (`a.b[0].c`, `?` for an unknown step) can be
/// followed through `v`. Keys may hold `.` or `[`, so every key that
/// starts the rest of the path is tried.
fn leads_into(v: &Tree, rest: &str) -> bool {
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        return true;
    }
    if let Some(after) = rest.strip_prefix('?') {
        let children: Vec<&Tree> = match v {
            Tree::Object(m) => m.iter().map(|(_, c)| c).collect(),
            Tree::List(a) => a.iter().collect(),
            Tree::Leaf => Vec::new(),
        };
        return children.into_iter().any(|c| leads_into(c, after));
    }
    match v {
        Tree::List(a) => {
            let Some(inner) = rest.strip_prefix('[') else {
                return false;
            };
            let Some((ix, after)) = inner.split_once(']') else {
                return false;
            };
            ix.parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .is_some_and(|c| leads_into(c, after))
        }
        Tree::Object(m) => m.iter().any(|(k, c)| {
            rest.strip_prefix(k.as_str()).is_some_and(|after| {
                (after.is_empty() || after.starts_with(['.', '['])) && leads_into(c, after)
            })
        }),
        Tree::Leaf => false,
    }
}

/// Whether the body reads as a document at all (JSON within serde_json's
/// depth limit, XML through the same reading `decode_qimen` uses).
fn well_formed(mode: Mode, body: &[u8]) -> bool {
    if mode.is_xml() {
        std::str::from_utf8(body)
            .is_ok_and(|t| top_runtime::de::xml_to_value(t).is_ok() && xml_depth(t) <= 128)
    } else {
        top_runtime::de::exact_value(body).is_ok()
    }
}

/// The deepest element nesting of a document.
fn xml_depth(text: &str) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut depth, mut max) = (0usize, 0usize);
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                max = max.max(depth);
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return max,
            Ok(_) => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Hostile values.

/// JSON texts put where a value was.
fn hostile_json() -> Vec<String> {
    let mut v: Vec<String> = [
        "99999999999999999999999999",
        "-9223372036854775809",
        "9223372036854775808",
        "18446744073709551616",
        "1e400",
        "-1e400",
        "1e-400",
        "-0",
        "-0.0",
        "0.1",
        "1.5",
        "1E2",
        "\"12345678901234567890123\"",
        "\"1e400\"",
        "\"-0\"",
        "\" 3 \"",
        "\"\"",
        "\"   \"",
        "\"xxxxx\"",
        "\"\\u0000\"",
        "\"\\ud83e\\udd80\"",
        "\"\\ud800\"",
        "\"true\"",
        "\"TRUE\"",
        "\"2024-02-30 25:61:61\"",
        "null",
        "true",
        "false",
        "{}",
        "[]",
        "[[]]",
        "[{}]",
        "[null]",
        "[1,\"x\",null,true,{}]",
        "{\"a\":1}",
        "{\"a\":[]}",
        "{\"a\":{\"b\":1}}",
        "{\"$text\":\"3\"}",
        "{\"$value\":{}}",
        "{\"$serde_json::private::Number\":\"1\"}",
        "{\"$serde_json::private::Number\":\"x\"}",
        "{\"$serde_json::private::Number\":{}}",
        "{\"error_response\":{\"code\":50}}",
        "{\"flag\":\"failure\"}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("9".repeat(5000));
    v.push(format!("0.{}1", "0".repeat(5000)));
    v.push(format!("\"{}\"", "数".repeat(20_000)));
    v.push(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)));
    v.push(format!(
        "{}1{}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    ));
    v.push(format!("{}{}", "[".repeat(100), "]".repeat(100)));
    v.push(format!("[{}]", vec!["{}"; 20_000].join(",")));
    v
}

/// XML fragments put where an element's text was.
fn hostile_xml() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "   ",
        "99999999999999999999999999",
        "1e400",
        "-0",
        "failure",
        " FAILURE ",
        "&amp;&lt;&gt;",
        "&bogus;",
        "&#0;",
        "&#xD800;",
        "&#x110000;",
        "&#128512;",
        "<![CDATA[<x>]]>",
        "<!-- c -->",
        "<?pi x?>",
        "<x>1</x>",
        "<x/>",
        "<x>1</x><x>2</x>",
        "<a><b>1</b></a>",
        "<flag>success</flag>",
        "<x y=\"1\">2</x>",
        "<ns:x>1</ns:x>",
        "</flag>",
        "<",
        "]]>",
        "\u{0}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("数".repeat(20_000));
    v.push(format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)));
    v.push(format!("{}{}", "<a>".repeat(100), "</a>".repeat(100)));
    v.push("<a>".repeat(10_000));
    v.push("<x/>".repeat(20_000));
    v
}

// ---------------------------------------------------------------------------
// Positions in a document.

/// Every value position of a JSON document, as path segments.
fn json_paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                at.push(k.clone());
                json_paths(c, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                at.push(i.to_string());
                json_paths(c, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

const MARK: &str = "\u{1}hostile\u{1}";

/// The document with the value at `path` replaced by raw JSON text.
fn json_replace(doc: &Value, path: &[String], raw: &str) -> Vec<u8> {
    let mut doc = doc.clone();
    let mut cur = &mut doc;
    for s in path {
        cur = match cur {
            Value::Object(m) => m.get_mut(s).unwrap(),
            Value::Array(a) => &mut a[s.parse::<usize>().unwrap()],
            _ => unreachable!("paths come from the document"),
        };
    }
    *cur = Value::String(MARK.into());
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let quoted = serde_json::to_string(MARK).unwrap();
    text.replacen(&quoted, raw, 1).into_bytes()
}

/// The positions of the text of leaf elements: (element path, byte range).
fn xml_leaves(text: &str) -> Vec<(Vec<String>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    let b = text.as_bytes();
    while let Some(off) = text[i..].find('<') {
        let lt = i + off;
        let Some(gt) = text[lt..].find('>').map(|g| lt + g) else {
            break;
        };
        let tag = &text[lt + 1..gt];
        if let Some(name) = tag.strip_prefix('/') {
            stack.pop();
            let _ = name;
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_owned());
            // A leaf: text up to the next `<`, which closes it.
            if let Some(next) = text[gt + 1..].find('<').map(|n| gt + 1 + n)
                && b.get(next + 1) == Some(&b'/')
            {
                out.push((stack.clone(), gt + 1..next));
            }
        }
        i = gt + 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Exhaustive tests.

fn fail_all(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failing cases, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_cut_of_every_answer() {
    let mut failures = Vec::new();
    for seed in seeds() {
        for cut in 0..seed.bytes.len() {
            let body = &seed.bytes[..cut];
            if let Err(e) = check(seed.api, seed.mode, body, None) {
                failures.push(format!("{:?} {:?} cut at {cut}: {e}", seed.api, seed.mode));
            }
        }
    }
    fail_all(failures);
}

#[test]
fn every_hostile_value_at_every_position() {
    let json_pool = hostile_json();
    let xml_pool = hostile_xml();
    let mut failures = Vec::new();
    let mut cases = 0usize;
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for seed in seeds() {
        if seed.mode.is_xml() {
            let text = String::from_utf8(seed.bytes.clone()).unwrap();
            for (path, range) in xml_leaves(&text) {
                // Inside `<response>`: the path below the root element.
                let below = &path[1..];
                for raw in &xml_pool {
                    let mut body = text.clone();
                    body.replace_range(range.clone(), raw);
                    cases += 1;
                    match check(seed.api, seed.mode, body.as_bytes(), Some(below)) {
                        Ok(o) => *outcomes.entry(format!("{o:?}")).or_default() += 1,
                        Err(e) => failures.push(format!(
                            "{:?} XML <{}> = {raw:.80}: {e:.600}",
                            seed.api,
                            path.join("/")
                        )),
                    }
                }
            }
            continue;
        }
        let doc: Value = serde_json::from_slice(&seed.bytes).unwrap();
        let mut paths = Vec::new();
        json_paths(&doc, &mut Vec::new(), &mut paths);
        for path in paths {
            // The path inside the response body, below the envelope.
            let skip = match seed.mode {
                Mode::TopBare => 0,
                _ => 1,
            };
            let below = if path.len() >= skip {
                &path[skip..]
            } else {
                &path[..0]
            };
            for raw in &json_pool {
                let body = json_replace(&doc, &path, raw);
                cases += 1;
                // Replacing the envelope itself has no position inside.
                let replaced = (path.len() >= skip).then_some(below);
                match check(seed.api, seed.mode, &body, replaced) {
                    Ok(o) => *outcomes.entry(format!("{o:?}")).or_default() += 1,
                    Err(e) => failures.push(format!(
                        "{:?} {:?} at `{}` = {raw:.80}: {e:.600}",
                        seed.api,
                        seed.mode,
                        path.join(".")
                    )),
                }
            }
        }
    }
    assert!(cases > 1000, "only {cases} cases");
    eprintln!("{cases} cases: {outcomes:?}");
    // Each outcome is common, so the path checks above had work to do.
    for o in ["Decoded", "Refused", "AtField"] {
        let n = outcomes.get(o).copied().unwrap_or(0);
        assert!(
            n * 20 > cases,
            "{o}: only {n} of {cases} cases ({outcomes:?})"
        );
    }
    fail_all(failures);
}

/// Decode errors inside the body point at the field, for each API.
#[test]
fn wrong_types_name_the_field_path() {
    let cases: [(Api, Mode, &str, &str); 5] = [
        (
            Api::PcOrderDetail,
            Mode::TopWrapped,
            r#"{"pc_order_detail_response":{"result":{"order_detail_item":{"buyer_id":"12345678901234567890123"}}}}"#,
            "result.order_detail_item.buyer_id",
        ),
        (
            Api::PcOrderCancel,
            Mode::TopBare,
            r#"{"result":{"success":{}}}"#,
            "result.success",
        ),
        (
            Api::ItemmarketOrderInfoUpdate,
            Mode::TopWrapped,
            r#"{"itemmarket_order_info_update_response":{"call_success":"maybe"}}"#,
            "call_success",
        ),
        (
            Api::QimenGiftitemcancel,
            Mode::TopSimplifyWrapped,
            r#"{"qimen_auto_entryorder_giftitemcancel_response":{"code":[1]}}"#,
            "code",
        ),
        (
            Api::QimenOrderCancel,
            Mode::QimenXml,
            "<response><flag>success</flag><code><x>1</x></code></response>",
            "code",
        ),
    ];
    for (api, mode, body, want) in cases {
        match decode(api, mode, body.as_bytes()) {
            Err(Error::Decode {
                api: named, path, ..
            }) => {
                assert_eq!(named, api.method());
                assert_eq!(path, want, "{api:?}");
            }
            other => panic!("{api:?}: expected a decode error at {want}, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Random mutations.

#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the body at this byte.
    Truncate(usize),
    /// Replace the n-th value (JSON) or leaf text (XML) by a hostile one.
    Replace(usize, usize),
    /// Give the n-th key (JSON) or leaf element (XML) a twin before it,
    /// holding a hostile value.
    DuplicateKey(usize, usize),
    /// Insert bytes (random, or broken UTF-8).
    InsertBytes(usize, Vec<u8>),
    /// Overwrite one byte.
    SetByte(usize, u8),
    /// Replace the whole body.
    Random(Vec<u8>),
}

fn broken_utf8() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![0xff]),
        Just(vec![0xc0, 0x80]),
        Just(vec![0xed, 0xa0, 0x80]),
        Just(vec![0xf4, 0x90, 0x80, 0x80]),
        Just(vec![0xe6, 0x95]),
        Just(vec![0xef, 0xbb, 0xbf]),
        Just(vec![0x00]),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let ix = 0..100_000usize;
    prop_oneof![
        2 => ix.clone().prop_map(Mutation::Truncate),
        5 => (ix.clone(), ix.clone()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        2 => (ix.clone(), ix.clone()).prop_map(|(a, b)| Mutation::DuplicateKey(a, b)),
        1 => (ix.clone(), broken_utf8()).prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        1 => (ix.clone(), proptest::collection::vec(any::<u8>(), 1..16))
                .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        1 => (ix.clone(), any::<u8>()).prop_map(|(a, b)| Mutation::SetByte(a, b)),
        1 => proptest::collection::vec(any::<u8>(), 0..256).prop_map(Mutation::Random),
    ]
}

fn apply(bytes: &mut Vec<u8>, xml: bool, m: &Mutation, json_pool: &[String], xml_pool: &[String]) {
    match m {
        Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
        Mutation::InsertBytes(i, b) => {
            let at = i % (bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::SetByte(i, b) => {
            if !bytes.is_empty() {
                let at = i % bytes.len();
                bytes[at] = *b;
            }
        }
        Mutation::Random(b) => *bytes = b.clone(),
        Mutation::Replace(n, h) if xml => {
            let Ok(text) = String::from_utf8(bytes.clone()) else {
                return;
            };
            let leaves = xml_leaves(&text);
            if leaves.is_empty() {
                return;
            }
            let (_, range) = &leaves[n % leaves.len()];
            let mut text = text.clone();
            text.replace_range(range.clone(), &xml_pool[h % xml_pool.len()]);
            *bytes = text.into_bytes();
        }
        Mutation::Replace(n, h) => {
            let Ok(doc) = serde_json::from_slice::<Value>(bytes) else {
                return;
            };
            let mut paths = Vec::new();
            json_paths(&doc, &mut Vec::new(), &mut paths);
            let path = &paths[n % paths.len()];
            *bytes = json_replace(&doc, path, &json_pool[h % json_pool.len()]);
        }
        Mutation::DuplicateKey(n, h) => {
            let Ok(text) = String::from_utf8(bytes.clone()) else {
                return;
            };
            let mut text = text;
            if xml {
                let leaves = xml_leaves(&text);
                if leaves.is_empty() {
                    return;
                }
                let (path, range) = &leaves[n % leaves.len()];
                let name = path.last().cloned().unwrap_or_default();
                let Some(open) = text[..range.start].rfind('<') else {
                    return;
                };
                let twin = format!("<{name}>{}</{name}>", xml_pool[h % xml_pool.len()]);
                text.insert_str(open, &twin);
            } else {
                let keys: Vec<usize> = text.match_indices("\":").map(|(i, _)| i).collect();
                if keys.is_empty() {
                    return;
                }
                let end = keys[n % keys.len()];
                let Some(start) = text[..end].rfind('"') else {
                    return;
                };
                let key = text[start..=end].to_owned();
                let twin = format!("{key}: {},", json_pool[h % json_pool.len()]);
                text.insert_str(start, &twin);
            }
            *bytes = text.into_bytes();
        }
    }
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        // Failures are kept by hand, minimized, as named tests below.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_answers_decode_or_fail_cleanly(
        seed_ix in 0..100usize,
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        let all = seeds();
        let seed = &all[seed_ix % all.len()];
        let (json_pool, xml_pool) = (hostile_json(), hostile_xml());
        let mut body = seed.bytes.clone();
        for m in &mutations {
            apply(&mut body, seed.mode.is_xml(), m, &json_pool, &xml_pool);
        }
        if let Err(e) = check(seed.api, seed.mode, &body, None) {
            return Err(TestCaseError::fail(format!(
                "{:?} {:?} after {mutations:?}:\n{e}\nbody starts: {:.300}",
                seed.api,
                seed.mode,
                String::from_utf8_lossy(&body)
            )));
        }
    }
}

// ---------------------------------------------------------------------------
// Regressions: inputs the fuzzer found, kept by name.

/// Found by `every_hostile_value_at_every_position`: 10 000 nested elements
/// in a leaf made `de::xml_to_value` build a tree as deep, whose decoding
/// and dropping overflowed the stack (an abort, not a panic). The reading
/// now refuses documents nested deeper than 128 elements.
#[test]
fn regression_deep_xml_in_a_leaf_is_refused() {
    let body = format!(
        "<response><flag>success</flag><code>{}{}</code></response>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    for mode in [Mode::QimenXml, Mode::FromXml] {
        let got = bounded_decode(Api::QimenOrderCancel, mode, body.as_bytes())
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"))
            .unwrap_or_else(|| panic!("{mode:?}: decoded"));
        assert!(
            got.display.contains("nested deeper than 128"),
            "{mode:?}: {}",
            got.display
        );
    }
    let e = top_runtime::de::xml_to_value(&body).unwrap_err();
    assert!(e.0.contains("nested deeper than 128"), "{e}");
    // 100 levels are still read.
    let ok = format!(
        "<response><code>{}1{}</code></response>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert!(top_runtime::de::xml_to_value(&ok).is_ok());
}

/// Seen while reading the decoder for the `<ns:x>` fragment above: a
/// namespaced root passed the root check under its local name, then was
/// looked up under its qualified one, so `flag=failure` went unseen and the
/// error spoke of a `null`. The root is now compared by its qualified name.
#[test]
fn regression_namespaced_root_is_named() {
    let body = "<ns:response><flag>failure</flag><code>E1</code></ns:response>";
    let got = bounded_decode(Api::QimenOrderCancel, Mode::QimenXml, body.as_bytes())
        .unwrap()
        .expect("refused");
    assert!(
        got.display
            .contains("expected a <response> root, found <ns:response>"),
        "{}",
        got.display
    );
    assert!(got.display.contains("taobao.qimen.order.cancel"));
}

/// Found by `mutated_answers_decode_or_fail_cleanly` (1 000 000 cases): a
/// key holding `[` (`"[order_item": -1e400`). The decoder's path is right;
/// the check split it at the `[` and looked for a key `order_item`.
#[test]
fn regression_key_with_a_bracket() {
    let body = br#"{"result":{"contract_place_order":{"order_items":{"[order_item":-1e400}}}}"#;
    let want = "result.contract_place_order.order_items.[order_item";
    match decode(Api::PcOrderCancel, Mode::TopBare, body) {
        Err(Error::Decode { path, .. }) => assert_eq!(path, want),
        other => panic!("expected a decode error at {want}, got {other:?}"),
    }
    check(Api::PcOrderCancel, Mode::TopBare, body, None).unwrap();
}

/// The path check follows every member of a key given twice: the decoder
/// may fail on the first, which a `Value` drops for the second.
#[test]
fn path_check_follows_a_duplicate_key() {
    let body = br#"{"pc_order_cancel_response":{"result":{"a":{"$value":{}},"a":10}}}"#;
    let trees = body_of(Api::PcOrderCancel, Mode::TopWrapped, body);
    assert!(trees.iter().any(|t| leads_into(t, "result.a.$value")));
    assert!(!trees.iter().any(|t| leads_into(t, "result.b")));
}

/// The path check itself: a path the answer does not hold is caught.
#[test]
fn path_check_rejects_a_path_the_answer_lacks() {
    let v: Tree = serde_json::from_str(r#"{"a":{"b.c":[{"d":1}]}}"#).unwrap();
    assert!(leads_into(&v, "a.b.c[0].d"));
    assert!(leads_into(&v, "a.?[0]"));
    assert!(!leads_into(&v, "a.b"));
    assert!(!leads_into(&v, "a.b.c[1]"));
    assert!(!leads_into(&v, "x"));
}
