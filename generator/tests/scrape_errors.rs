//! Bad and quirky pages: each error names the file and line and says what is
//! wrong; doubtful readings are warnings with their line.

use std::path::Path;

use topgen::scrape::{Context, Scraped, scrape_page};

const DIR: &str = "tests/fixtures/pages";

fn read(name: &str) -> (String, Vec<u8>) {
    let shown = format!("{DIR}/{name}");
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(&shown)).expect("fixture");
    (shown, bytes)
}

fn ok(name: &str) -> Scraped {
    let (shown, bytes) = read(name);
    scrape_page(Path::new(&shown), &bytes, &Context::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The error message, checked to start with `file:line:`.
fn err(name: &str, line: usize) -> String {
    let (shown, bytes) = read(name);
    let e = scrape_page(Path::new(&shown), &bytes, &Context::default())
        .map(|s| s.spec.api)
        .expect_err("the page must be rejected");
    let msg = e.to_string();
    let at = format!("{shown}:{line}: ");
    assert!(msg.starts_with(&at), "expected `{at}…`, got `{msg}`");
    msg
}

#[test]
fn an_empty_page() {
    assert!(err("empty.txt", 1).contains("empty"));
}

#[test]
fn a_truncated_page() {
    let m = err("truncated.txt", 60);
    assert!(m.contains("truncated"), "{m}");
}

#[test]
fn a_page_without_request_parameters() {
    let m = err("no-request-params.txt", 11);
    assert!(m.contains("no 请求参数"), "{m}");
}

#[test]
fn an_unknown_required_flag() {
    let m = err("unknown-required-flag.txt", 17);
    assert!(m.contains("`必需`") && m.contains("必须 or 可选"), "{m}");
}

#[test]
fn two_different_rows_with_one_name() {
    let m = err("duplicate-rows.txt", 25);
    assert!(
        m.contains("`buyer_id` is used by two different rows in `param` (lines 20 and 25)"),
        "{m}"
    );
}

#[test]
fn an_exact_repeat_is_merged_with_a_warning() {
    let got = ok("repeated-row.txt");
    let param = &got.spec.request[0];
    assert_eq!(
        param
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["biz_order_id", "buyer_id"]
    );
    let w = got
        .warnings
        .iter()
        .find(|w| w.message.contains("repeats"))
        .expect("a warning");
    assert_eq!(w.line, Some(25));
    assert!(
        got.spec
            .notes
            .iter()
            .any(|n| n.starts_with("line 25: `buyer_id` repeats the row at line 20"))
    );
}

#[test]
fn a_name_with_spaces() {
    let m = err("name-with-spaces.txt", 20);
    assert!(m.contains("`buyer id` contains spaces"), "{m}");
}

#[test]
fn a_top_level_name_with_spaces() {
    let m = err("top-name-with-spaces.txt", 14);
    assert!(m.contains("a name with spaces"), "{m}");
}

#[test]
fn an_empty_name() {
    let m = err("empty-name.txt", 20);
    assert!(m.contains("empty name"), "{m}");
}

#[test]
fn a_bullet_group_with_too_few_cells() {
    let m = err("short-bullet-group.txt", 20);
    assert!(m.contains("has 2 cells"), "{m}");
}

#[test]
fn a_java_setter_on_the_wrong_struct() {
    let m = err("java-wrong-struct.txt", 102);
    assert!(
        m.contains("Java request example puts `TradeId` in `orderItems`"),
        "{m}"
    );
}

#[test]
fn a_java_setter_on_the_request_for_a_nested_field() {
    let m = err("java-setter-on-request.txt", 97);
    assert!(m.contains("puts `subSourceOrderCode` in `request`"), "{m}");
    assert!(
        m.contains("follows the struct row `subSourceOrders` (line 47)"),
        "{m}"
    );
}

#[test]
fn an_xml_example_that_misplaces_a_field() {
    let m = err("xml-misplaced-field.txt", 117);
    assert!(
        m.contains("XML response example puts `out_order_id` in `order_items`"),
        "{m}"
    );
    assert!(m.contains("places it elsewhere (line 49)"), "{m}");
}

#[test]
fn a_broken_xml_example_is_a_warning_and_the_rows_decide() {
    let got = ok("xml-broken.txt");
    let w = got
        .warnings
        .iter()
        .find(|w| w.message.contains("not well-formed"))
        .expect("a warning");
    assert_eq!(w.line, Some(110));
    // Without evidence, the most plausible reading still finds this tree.
    let cpo = &got.spec.response[0].fields[3];
    assert_eq!(cpo.name, "contract_place_order");
    assert_eq!(
        cpo.fields.last().map(|f| f.name.as_str()),
        Some("order_items")
    );
    assert_eq!(cpo.fields.last().map(|f| f.fields.len()), Some(5));
    // Each row the rows alone placed is noted with its line.
    assert!(
        got.warnings
            .iter()
            .any(|w| w.line == Some(60) && w.message.contains("no example"))
    );
}

#[test]
fn a_page_neither_utf8_nor_gbk_is_rejected() {
    let m = err("latin1.txt", 3);
    assert!(m.contains("not UTF-8"), "{m}");
}

#[test]
fn a_gbk_page_reads_like_the_utf8_one() {
    let gbk = ok("gbk.txt");
    let (_, bytes) = read("../../../../pages/taobao.pc.order.cancel.txt");
    let utf8 = scrape_page(Path::new("x.txt"), &bytes, &Context::default()).expect("page");
    let mut a = gbk.spec.clone();
    a.notes.clear();
    a.source.clear();
    let mut b = utf8.spec;
    b.source.clear();
    assert_eq!(a, b);
    assert!(gbk.warnings.iter().any(|w| w.message.contains("GBK")));
}

#[test]
fn crlf_and_a_bom_read_like_the_plain_page() {
    let a = ok("crlf-bom.txt").spec;
    let (_, bytes) = read("../../../../pages/taobao.pc.order.cancel.txt");
    let b = scrape_page(
        Path::new(&format!("{DIR}/crlf-bom.txt")),
        &bytes,
        &Context::default(),
    )
    .expect("page");
    assert_eq!(a, b.spec);
}

#[test]
fn unknown_page_kinds_are_named() {
    let e = scrape_page(Path::new("a.pdf"), b"x", &Context::default()).expect_err("not a page");
    assert!(e.to_string().contains("unknown page kind `.pdf`"), "{e}");
    // JSON documents go to the JSON reader, whose errors name the file too.
    let e =
        scrape_page(Path::new("a.json"), b"[", &Context::default()).expect_err("not a document");
    assert!(e.to_string().starts_with("a.json"), "{e}");
}

#[test]
fn nested_rows_under_a_scalar_are_rejected() {
    let page = "文档中心 > API类目 > x\n\ntaobao.a.b (t)\n\n请求参数\n\n名称 类型 是否必须 示例值 更多限制 描述\nn String 可选 1 d\n  • └ m\n  • String\n  • 可选\n  • 1\n  • d\n\n错误码解释\n\n错误码 错误描述 解决方案\n";
    let e = scrape_page(Path::new("a.txt"), page.as_bytes(), &Context::default())
        .expect_err("bad nesting");
    assert!(
        e.to_string()
            .starts_with("a.txt:9: nested row `m` follows `n`"),
        "{e}"
    );
}
