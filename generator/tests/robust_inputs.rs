//! The hard inputs of the robustness table (`generator/hard-inputs.md`) that
//! `scrape_errors.rs` does not already pin: each rejected one names the file
//! and line, each accepted one gives the right spec.

use std::path::{Path, PathBuf};

use topgen::pipeline;
use topgen::scrape::{Context, Scraped, scrape_page};
use topgen::spec::{Param, Spec};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn real_pages() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(root().join("../pages"))
        .expect("pages/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            (format!("pages/{name}"), std::fs::read(&p).expect("page"))
        })
        .collect()
}

fn html_pages() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/html"))
        .expect("html fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            (format!("html/{name}"), std::fs::read(&p).expect("page"))
        })
        .collect()
}

fn scrape(shown: &str, bytes: &[u8]) -> Result<Scraped, topgen::Error> {
    scrape_page(Path::new(shown), bytes, &Context::default())
}

fn hard(name: &str) -> (String, Vec<u8>) {
    let shown = format!("tests/fixtures/hard/{name}");
    (
        shown.clone(),
        std::fs::read(root().join(&shown)).expect("fixture"),
    )
}

/// The error, checked to start with `file:line: `.
fn rejected(shown: &str, bytes: &[u8], line: usize) -> String {
    let e = scrape(shown, bytes)
        .map(|s| s.spec.api)
        .expect_err("the page must be rejected");
    let msg = e.to_string();
    let at = format!("{shown}:{line}: ");
    assert!(msg.starts_with(&at), "expected `{at}…`, got `{msg}`");
    msg
}

/// Names and nesting of a parameter list: `a{b c} d`.
fn shape(ps: &[Param]) -> String {
    ps.iter()
        .map(|p| {
            if p.fields.is_empty() {
                p.name.clone()
            } else {
                format!("{}{{{}}}", p.name, shape(&p.fields))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// --- Rejected ---------------------------------------------------------------

#[test]
fn a_blank_page_is_empty() {
    let m = rejected("blank.txt", b"\n   \n\t\n", 1);
    assert!(m.contains("empty"), "{m}");
    let m = rejected("empty.html", b"", 1);
    assert!(m.contains("empty"), "{m}");
}

#[test]
fn a_binary_file() {
    let (shown, bytes) = hard("binary.txt");
    // A PNG: its first NUL is on line 3, after the `\r\n` and `\n` of its signature.
    let m = rejected(&shown, &bytes, 3);
    assert!(m.contains("binary"), "{m}");
    // The same bytes saved under another page kind.
    let m = rejected("binary.html", &bytes, 3);
    assert!(m.contains("binary"), "{m}");
    // NUL after some text: the line is the NUL's.
    let m = rejected("late.txt", b"a\nb\n\0c", 3);
    assert!(m.contains("NUL"), "{m}");
}

/// Every real page cut at every line before its 错误码解释 section, and at
/// every byte, is rejected with a line on the cut page, never accepted.
#[test]
fn a_page_cut_anywhere_is_rejected() {
    for (shown, bytes) in real_pages() {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8 page");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let codes = lines
            .iter()
            .position(|l| l.trim() == "错误码解释")
            .expect("the page has 错误码解释");
        for k in 0..=codes {
            let cut = lines[..k].concat();
            let e = scrape(&shown, cut.as_bytes())
                .map(|s| s.spec.api)
                .expect_err(&format!("{shown} cut after {k} lines was accepted"));
            let max = cut.lines().count().max(1);
            assert!(
                e.line.is_some_and(|l| (1..=max).contains(&l)),
                "{shown} cut after {k} lines: {e}"
            );
        }
        let end = lines[..codes].concat().len();
        for b in (0..end).step_by(7) {
            let e = scrape(&shown, &bytes[..b])
                .map(|s| s.spec.api)
                .expect_err(&format!("{shown} cut at byte {b} was accepted"));
            assert!(e.line.is_some(), "{shown} cut at byte {b}: {e}");
        }
    }
}

#[test]
fn a_bullet_group_with_too_many_cells() {
    let (shown, bytes) = hard("long-bullet-group.txt");
    // Six cells make a whole row; the seventh is read as a row of its own.
    let m = rejected(&shown, &bytes, 21);
    assert!(m.contains("the nested row `多余` has 1 cells"), "{m}");
}

#[test]
fn two_pages_for_one_api() {
    let pages = [
        root().join("../pages/taobao.pc.order.cancel.txt"),
        root().join("tests/fixtures/html/taobao.pc.order.cancel.html"),
    ];
    let e = pipeline::scrape_all(root(), &pages, &|| {}).expect_err("one API, two pages");
    let msg = e.to_string();
    assert!(
        msg.starts_with("tests/fixtures/html/taobao.pc.order.cancel.html:5: "),
        "{msg}"
    );
    assert!(
        msg.contains(
            "taobao.pc.order.cancel is already described by ../pages/taobao.pc.order.cancel.txt"
        ),
        "{msg}"
    );
}

#[test]
fn one_api_in_two_categories_names_both_files() {
    let tmp = tempfile::tempdir().unwrap();
    let page = std::fs::read_to_string(root().join("../pages/taobao.pc.order.cancel.txt")).unwrap();
    assert!(page.contains("采购宝API"));
    let moved = page.replacen("采购宝API", "物流宝API", 1);
    std::fs::write(tmp.path().join("a.txt"), &page).unwrap();
    std::fs::write(tmp.path().join("b.txt"), moved).unwrap();
    let pages = [tmp.path().join("a.txt"), tmp.path().join("b.txt")];
    let e = pipeline::scrape_all(tmp.path(), &pages, &|| {}).expect_err("two categories");
    let msg = e.to_string();
    assert!(msg.starts_with("b.txt:"), "{msg}");
    assert!(
        msg.contains("is put in category `物流宝API` here and in `采购宝API` by a.txt"),
        "{msg}"
    );
}

fn real_spec_yaml() -> String {
    let (shown, bytes) = real_pages().remove(1);
    assert!(shown.ends_with("taobao.pc.order.cancel.txt"));
    scrape(&shown, &bytes).expect("page").spec.to_yaml()
}

/// An edit of the `n`-th line matching `from`; the error must name its line.
fn edited_spec_error(from: &str, to: &str) -> (usize, String) {
    let yaml = real_spec_yaml();
    let line = yaml
        .lines()
        .position(|l| l.contains(from))
        .unwrap_or_else(|| panic!("`{from}` in the spec"))
        + 1;
    let edited = yaml.replacen(from, to, 1);
    let e = Spec::from_yaml(Path::new("specs/taobao.pc.order.cancel.yaml"), &edited)
        .expect_err("the edit must be rejected");
    (line, e.to_string())
}

#[test]
fn a_hand_edited_spec_with_a_wrong_key() {
    let (line, m) = edited_spec_error(
        "  type: ContractCancelOrderReq",
        "  typ: ContractCancelOrderReq",
    );
    assert!(
        m.starts_with(&format!("specs/taobao.pc.order.cancel.yaml:{line}: ")),
        "{m}"
    );
    assert!(m.contains("unknown field `typ`"), "{m}");
    let (line, m) = edited_spec_error("category:", "categry:");
    assert!(
        m.contains(&format!(".yaml:{line}: ")) && m.contains("categry"),
        "{m}"
    );
}

#[test]
fn a_hand_edited_spec_with_a_wrong_value_type() {
    let (line, m) = edited_spec_error("  required: true", "  required: maybe");
    assert!(
        m.starts_with(&format!("specs/taobao.pc.order.cancel.yaml:{line}: ")),
        "{m}"
    );
    assert!(m.contains("invalid type"), "{m}");
    let (line, m) = edited_spec_error("format: 1", "format: one");
    assert!(m.contains(&format!(".yaml:{line}: ")), "{m}");
    let (line, m) = edited_spec_error("  array: true", "  array: [true]");
    assert!(m.contains(&format!(".yaml:{line}: ")), "{m}");
}

#[test]
fn markup_nested_beyond_any_page_is_refused_before_parsing() {
    let (shown, bytes) = &html_pages()[0];
    let page = String::from_utf8(bytes.clone()).expect("UTF-8");
    let deep = page.replacen("<body>", &format!("<body>\n{}", "<div>".repeat(100_000)), 1);
    let m = rejected(shown, deep.as_bytes(), 9);
    assert!(m.contains("more than 512 deep"), "{m}");
    // Unclosed `<li>`, `<p>`, `<br>` close themselves and do not count.
    let loose = page.replacen(
        "<body>",
        &format!("<body>{}", "<p><li>x<br>".repeat(5_000)),
        1,
    );
    assert!(scrape(shown, loose.as_bytes()).is_ok());
}

#[test]
fn parameters_nested_beyond_any_api_are_refused() {
    let (_, bytes) = &real_pages()[0];
    let page = String::from_utf8(bytes.clone()).expect("UTF-8");
    let rows: String = (0..40)
        .map(|i| format!("  • s{i}\n  • S{i}\n  • 可选\n"))
        .collect();
    let deep = page.replacen("  • sku_list\n", &format!("{rows}  • sku_list\n"), 1);
    let line = deep.lines().position(|l| l == "  • s31").expect("row") + 1;
    let m = rejected("deep.txt", deep.as_bytes(), line);
    assert!(m.contains("nested 33 levels deep"), "{m}");
}

// --- Accepted ---------------------------------------------------------------

fn crlf(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .replace('\n', "\r\n")
        .into_bytes()
}

#[test]
fn crlf_gives_the_same_spec_as_lf() {
    for (shown, bytes) in real_pages().into_iter().chain(html_pages()) {
        let lf = scrape(&shown, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let cr = scrape(&shown, &crlf(&bytes)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lf.spec, cr.spec, "{shown}");
        assert_eq!(lf.warnings, cr.warnings, "{shown}");
        assert!(!cr.spec.to_yaml().contains('\r'), "{shown}");
    }
}

#[test]
fn gbk_pages_read_like_utf8_and_bad_gbk_names_the_encoding() {
    for (shown, bytes) in real_pages() {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        // `•` needs GB18030's four-byte form, which a browser's GBK decoder reads.
        let (gbk, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy, "{shown} is not expressible in GBK");
        let got = scrape(&shown, &gbk).unwrap_or_else(|e| panic!("{e}"));
        let utf8 = scrape(&shown, &bytes).expect("page");
        let mut a = got.spec.clone();
        a.notes.retain(|n| !n.contains("GBK"));
        assert_eq!(a, utf8.spec, "{shown}");
        assert!(!got.spec.to_yaml().contains('\u{FFFD}'), "{shown}");
        // A byte no GBK text has, on line 3: rejected, the encoding named.
        let mut bad = gbk.to_vec();
        let third = bad
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(1)
            .map(|(i, _)| i + 1)
            .expect("three lines");
        bad.insert(third, 0xFF);
        let m = rejected(&shown, &bad, 3);
        assert!(
            m.contains("reads as GBK up to here") && m.contains("UTF-8"),
            "{m}"
        );
    }
}

#[test]
fn keyword_hyphen_and_dot_names_are_kept_verbatim() {
    let (shown, bytes) = hard("keyword-names.txt");
    let got = scrape(&shown, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let s = &got.spec;
    assert_eq!(
        shape(&s.request),
        "type ref self Self match x-request-id dimission.employee box{type a-b.c}"
    );
    assert_eq!(shape(&s.response), "match in");
    let ex: Vec<_> = s.request.iter().map(|p| p.example.as_deref()).collect();
    assert_eq!(
        ex,
        [
            Some("normal"),
            Some("r1"),
            Some("1"),
            Some("true"),
            Some("exact"),
            Some("abc-123"),
            Some("e1"),
            None
        ]
    );
    assert!(s.request[0].required && !s.request[1].required);
    assert_eq!(s.request[7].fields[1].ty, "Number");
    // The names survive the YAML round trip as they are.
    let again = Spec::from_yaml(Path::new("k.yaml"), &s.to_yaml()).expect("round trip");
    assert_eq!(&again, s);
}

/// Breaking each page's XML example (a closing tag dropped) gives a warning
/// naming the broken line; where the table alone places every field, the tree
/// is the one the intact page gives.
#[test]
fn a_broken_xml_example_warns_with_its_line_and_the_table_decides() {
    for (shown, bytes) in real_pages() {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.trim() == "响应示例")
            .expect("响应示例");
        let close = (start..lines.len())
            .find(|&i| lines[i].contains("</"))
            .expect("an end tag");
        // Drop the first end tag: the element is left open.
        let cut = &lines[close][..lines[close].find("</").expect("found")];
        let mut broken: Vec<&str> = lines.clone();
        broken[close] = cut;
        let got = scrape(&shown, broken.join("\n").as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let w = got
            .warnings
            .iter()
            .find(|w| w.message.contains("not well-formed"))
            .unwrap_or_else(|| panic!("{shown}: no warning in {:?}", got.warnings));
        let line = w.line.expect("a line");
        assert!(
            (start + 1..=broken.len()).contains(&line),
            "{shown}: warning line {line} outside the example"
        );
        assert!(
            broken[line - 1].contains('<'),
            "{shown}: line {line} is `{}`",
            broken[line - 1]
        );
        let intact = scrape(&shown, &bytes).expect("page");
        assert_eq!(
            shape(&got.spec.request),
            shape(&intact.spec.request),
            "{shown}"
        );
        if !shown.contains("pc.order.detail") {
            // Only the logistics case needs the XML to place its leaves.
            assert_eq!(
                shape(&got.spec.response),
                shape(&intact.spec.response),
                "{shown}"
            );
        }
    }
}
