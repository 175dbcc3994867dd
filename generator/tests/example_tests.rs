//! The example tests codegen emits for a spec whose page shows no response
//! example: a typed sample derived from the schema, its XML and JSON forms,
//! and a test that decodes each back to the sample.

use std::path::Path;

use topgen::emit::{self, Options};
use topgen::spec::{self, Spec};

fn fixture(api: &str) -> Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs");
    spec::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|s| s.api == api)
        .unwrap_or_else(|| panic!("no fixture spec for {api}"))
}

/// The emitted test module of `spec` with its response examples removed.
fn emitted_without_response_example(api: &str, path: &str) -> String {
    let mut spec = fixture(api);
    assert!(
        !spec.examples.response.is_empty(),
        "the fixture has a response example to remove"
    );
    spec.examples.response.clear();
    let g = emit::generate(&[spec], &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let bytes = g
        .files
        .get(path)
        .unwrap_or_else(|| panic!("{path} was not generated"));
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

#[test]
fn top_api_without_response_example_gets_a_schema_sample() {
    let code = emitted_without_response_example(
        "taobao.pc.order.detail",
        "tests/tests/api/pc_order_detail.rs",
    );
    // The sample test replaces the page-example test, and nothing else goes.
    assert!(code.contains("fn response_sample() -> api::PcOrderDetailResponse"));
    assert!(code.contains("fn response_sample_from_the_schema()"));
    assert!(!code.contains("fn response_xml_example()"));
    assert!(code.contains("fn response_json_matches_xml()"));
    assert!(code.contains("fn request_from_the_page_example()"));
    assert!(code.contains("fn error_example()"));
    assert!(code.contains("\"pc_order_detail__sample\""));
    // Every kind of field is filled: nested structs, lists of two items,
    // strings, 64-bit numbers above 2^53, booleans.
    assert!(code.contains("<pc_order_detail_response>"));
    assert!(code.contains("<sub_order_details>"));
    assert_eq!(
        code.matches("<sub_order_detail_item>").count(),
        2,
        "a list of two items"
    );
    assert!(code.contains("<buyer_id>9007199254740993</buyer_id>"));
    assert!(code.contains("<success>true</success>"));
    assert!(code.contains("tp_order_id_list 1 示例 &lt;&amp;&gt;"));
    assert!(code.contains("tp_order_id_list 2 示例 &lt;&amp;&gt;"));
    assert!(code.contains("v.buyer_id = some(9007199254740993i64);"));
    assert!(code.contains("use top_runtime::testing::sample::*;"));
    // The JSON forms: wrapped lists under the envelope, bare lists simplified.
    assert!(code.contains("const RESPONSE_JSON: &str"));
    assert!(code.contains("\"sub_order_detail_item\": ["));
    assert!(code.contains("const RESPONSE_JSON_SIMPLIFIED: &str"));
    assert!(code.contains("\"buyer_id\": 9007199254740993"));
    insta::assert_snapshot!("sample_pc_order_detail", code);
}

#[test]
fn qimen_api_without_response_example_gets_a_schema_sample() {
    let code = emitted_without_response_example(
        "taobao.qimen.order.cancel",
        "tests/tests/api/qimen_order_cancel.rs",
    );
    assert!(code.contains("fn response_sample() -> api::QimenOrderCancelResponse"));
    assert!(code.contains("<response>"));
    assert!(code.contains("<flag>flag 1 示例 &lt;&amp;&gt;</flag>"));
    assert!(code.contains("top_runtime::qimen::decode_qimen"));
    assert!(
        !code.contains("RESPONSE_JSON_SIMPLIFIED"),
        "Qimen has no simplify"
    );
}

#[test]
fn no_response_fields_means_no_response_test() {
    let mut spec = fixture("taobao.pc.order.detail");
    spec.examples.response.clear();
    spec.response.clear();
    let g = emit::generate(&[spec], &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let code = String::from_utf8(
        g.files
            .get("tests/tests/api/pc_order_detail.rs")
            .expect("the request and error tests remain")
            .to_vec(),
    )
    .expect("UTF-8");
    assert!(!code.contains("response_sample"));
    assert!(!code.contains("RESPONSE_XML"));
    assert!(code.contains("fn error_example()"));
}

/// The doc-center documents carry no examples at all: each API with
/// response fields gets a sample test, quirks (keyword and dotted names,
/// deep nesting, recursive types) included, and codegen does not fail.
#[test]
fn doc_center_documents_get_sample_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/top-docs");
    let pages = topgen::pipeline::collect_inputs(std::slice::from_ref(&dir))
        .unwrap_or_else(|e| panic!("{e}"));
    let scraped =
        topgen::pipeline::scrape_all(&dir, &pages, &|| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(scraped.specs.len() >= 10, "the fixture corpus is there");
    let g = emit::generate(&scraped.specs, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let tests: Vec<(&str, String)> = g
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("tests/tests/api/") && !p.ends_with("/main.rs"))
        .map(|(p, b)| (p, String::from_utf8(b.to_vec()).expect("UTF-8")))
        .collect();
    let with_response = scraped
        .specs
        .iter()
        .filter(|s| !s.response.is_empty())
        .count();
    let samples = tests
        .iter()
        .filter(|(_, code)| code.contains("fn response_sample()"))
        .count();
    assert!(samples > 0, "no sample test at all");
    assert!(
        samples * 10 >= with_response * 9,
        "{samples} sample tests for {with_response} APIs with response fields"
    );
    for (path, code) in &tests {
        assert!(
            !code.contains("fn response_xml_example()"),
            "{path}: no page example exists"
        );
    }
}
