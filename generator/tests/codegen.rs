//! The code generator on the five hand-written fixture specs: snapshots of the
//! emitted code, determinism, and located errors.

use std::path::Path;

use topgen::emit::{self, Options};
use topgen::spec::{self, Spec};

fn fixtures() -> Vec<Spec> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs");
    spec::read_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

fn generate(specs: &[Spec]) -> emit::Generated {
    emit::generate(specs, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn text(g: &emit::Generated, path: &str) -> String {
    let bytes = g
        .files
        .get(path)
        .unwrap_or_else(|| panic!("{path} was not generated"));
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

#[test]
fn emitted_code_of_each_api() {
    let g = generate(&fixtures());
    for (api, path) in [
        ("taobao.pc.order.cancel", "generated/src/pc/order_cancel.rs"),
        ("taobao.pc.order.detail", "generated/src/pc/order_detail.rs"),
        (
            "taobao.qimen.order.cancel",
            "generated/src/qimen/order_cancel.rs",
        ),
        (
            "taobao.qimen.auto.entryorder.giftitemcancel",
            "generated/src/qimen/auto_entryorder_giftitemcancel.rs",
        ),
        (
            "taobao.itemmarket.order.info.update",
            "generated/src/itemmarket/order_info_update.rs",
        ),
    ] {
        let code = text(&g, path);
        assert!(
            code.starts_with(emit::HEADER),
            "{path} lacks the @generated header"
        );
        insta::assert_snapshot!(api, code);
    }
}

#[test]
fn emitted_crate_files() {
    let g = generate(&fixtures());
    insta::assert_snapshot!("Cargo.toml", text(&g, "generated/Cargo.toml"));
    insta::assert_snapshot!("lib.rs", text(&g, "generated/src/lib.rs"));
    insta::assert_snapshot!("README.md", text(&g, "generated/README.md"));
    insta::assert_snapshot!("tests_main.rs", text(&g, "tests/tests/api/main.rs"));
    insta::assert_snapshot!(
        "tests_pc_order_cancel.rs",
        text(&g, "tests/tests/api/pc_order_cancel.rs")
    );
    let paths: Vec<&str> = g.files.iter().map(|(p, _)| p).collect();
    insta::assert_debug_snapshot!("file_list", paths);
}

#[test]
fn output_is_deterministic_and_independent_of_spec_order() {
    let specs = fixtures();
    let a = generate(&specs);
    let mut reversed = specs.clone();
    reversed.reverse();
    let b = generate(&reversed);
    assert_eq!(a.files, b.files);
    assert!(!a.files.is_empty());
}

#[test]
fn every_category_of_the_pages_is_in_the_table() {
    let g = generate(&fixtures());
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    let toml = text(&g, "generated/Cargo.toml");
    for f in [
        "caigoubao = []",
        "qimen = []",
        "wlb = []",
        "puhuo = []",
        "full = [\"caigoubao\", \"puhuo\", \"qimen\", \"wlb\"]",
    ] {
        assert!(toml.contains(f), "missing `{f}` in\n{toml}");
    }
}

fn spec_with(yaml_tail: &str) -> Spec {
    let text = format!(
        "format: 1\napi: taobao.x\ntitle: t\ncategory: 采购宝API\nprotocol: top\n{yaml_tail}"
    );
    Spec::from_yaml(Path::new("specs/taobao.x.yaml"), &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_unknown_type_names_file_api_and_path() {
    let s = spec_with(
        "response:\n  - name: result\n    type: Result\n    fields:\n      - name: foo\n        type: Fooo\n",
    );
    let e = emit::generate(&[s], &Options::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "specs/taobao.x.yaml: taobao.x: response.result.foo: unknown type `Fooo`; use one of String, Number, Boolean, BigDecimal, Price, Date, Map, Json, byte[], or list the struct's fields"
    );
}

#[test]
fn a_struct_type_without_fields_is_unknown() {
    let s = spec_with("request:\n  - name: param\n    type: SomeReq\n");
    let e = emit::generate(&[s], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("taobao.x: request.param: unknown type `SomeReq`"),
        "{e}"
    );
}

#[test]
fn a_file_inside_a_struct_is_refused() {
    let s = spec_with(
        "request:\n  - name: param\n    type: Req\n    fields:\n      - name: image\n        type: byte[]\n",
    );
    let e = emit::generate(&[s], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("request.param.image: `byte[]`"), "{e}");
}

#[test]
fn an_unknown_category_warns_and_falls_back() {
    let mut s = spec_with("request:\n  - name: q\n    type: String\n");
    s.category = "新类目".into();
    let g = generate(&[s]);
    assert_eq!(g.warnings.len(), 1, "{:?}", g.warnings);
    assert!(
        g.warnings[0].to_string().contains("新类目"),
        "{}",
        g.warnings[0]
    );
    assert!(text(&g, "generated/Cargo.toml").contains("uncategorized = []"));
}

#[test]
fn two_apis_on_one_module_are_an_error() {
    let a = spec_with("");
    let mut b = spec_with("");
    b.api = "taobao.X".into();
    let e = emit::generate(&[a, b], &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("both map to module `x::api`"), "{e}");
}

#[test]
fn names_collide_by_shape_not_by_name() {
    // Two `Item` types of different shapes get path names; two `Same` of one shape are one type.
    let s = spec_with(
        "response:\n\
         \x20 - {name: a, type: Item, fields: [{name: x, type: String}]}\n\
         \x20 - {name: b, type: Item, fields: [{name: y, type: Number}]}\n\
         \x20 - {name: c, type: Same, fields: [{name: z, type: String}]}\n\
         \x20 - {name: d, type: Same, array: true, fields: [{name: z, type: String}]}\n\
         \x20 - {name: e, type: XResponse, fields: [{name: z, type: String}]}\n",
    );
    let g = generate(&[s]);
    let code = text(&g, "generated/src/x/api.rs");
    for decl in [
        "pub struct A {",
        "pub struct B {",
        "pub struct Same {",
        "pub struct E {",
        "pub struct XResponse {",
    ] {
        assert_eq!(code.matches(decl).count(), 1, "`{decl}` once in\n{code}");
    }
    assert!(!code.contains("pub struct Item"), "{code}");
}

#[test]
fn generic_struct_types_are_named_from_their_path() {
    let g = generate(&fixtures());
    let code = text(&g, "generated/src/qimen/auto_entryorder_giftitemcancel.rs");
    for decl in [
        "pub struct RequestParam {",
        "pub struct RequestOrderItems {",
        "pub struct RequestOrderItemsOrderItem {",
    ] {
        assert!(code.contains(decl), "missing `{decl}`");
    }
    assert!(!code.contains("pub struct Struct"));
    let detail = text(&g, "generated/src/pc/order_detail.rs");
    assert_eq!(detail.matches("pub struct Logistics {").count(), 1);
}
