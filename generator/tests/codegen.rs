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

/// An API's module and its crate's `types` module, where its nested types are.
fn code_of(g: &emit::Generated, module: &str) -> String {
    let krate = module
        .split_once("/src/")
        .map_or(module, |(krate, _)| krate);
    let shared = ["types.rs", "types/param.rs"].map(|file| {
        g.files
            .get(&format!("{krate}/src/{file}"))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    });
    format!("{}\n{}\n{}", text(g, module), shared[0], shared[1])
}

#[test]
fn emitted_code_of_each_api() {
    let g = generate(&fixtures());
    for (api, path) in [
        (
            "taobao.pc.order.cancel",
            "generated/top-api-caigoubao/src/pc/order_cancel.rs",
        ),
        (
            "taobao.pc.order.detail",
            "generated/top-api-caigoubao/src/pc/order_detail.rs",
        ),
        (
            "taobao.qimen.order.cancel",
            "generated/top-api-qimen/src/qimen/order_cancel.rs",
        ),
        (
            "taobao.qimen.auto.entryorder.giftitemcancel",
            "generated/top-api-wlb/src/qimen/auto_entryorder_giftitemcancel.rs",
        ),
        (
            "taobao.itemmarket.order.info.update",
            "generated/top-api-puhuo/src/itemmarket/order_info_update.rs",
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
    insta::assert_snapshot!("Cargo.toml", text(&g, "generated/top-api/Cargo.toml"));
    insta::assert_snapshot!("lib.rs", text(&g, "generated/top-api/src/lib.rs"));
    insta::assert_snapshot!("README.md", text(&g, "generated/top-api/README.md"));
    let qimen = "generated/top-api-qimen";
    insta::assert_snapshot!("qimen_Cargo.toml", text(&g, &format!("{qimen}/Cargo.toml")));
    insta::assert_snapshot!("qimen_lib.rs", text(&g, &format!("{qimen}/src/lib.rs")));
    insta::assert_snapshot!("qimen_README.md", text(&g, &format!("{qimen}/README.md")));
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
fn every_category_of_the_pages_gets_its_crate_and_feature() {
    let g = generate(&fixtures());
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    let toml = text(&g, "generated/top-api/Cargo.toml");
    for f in [
        "caigoubao = [\"dep:top-api-caigoubao\"]",
        "qimen = [\"dep:top-api-qimen\"]",
        "wlb = [\"dep:top-api-wlb\"]",
        "puhuo = [\"dep:top-api-puhuo\"]",
        "default = []",
        "full = [\"caigoubao\", \"puhuo\", \"qimen\", \"wlb\"]",
    ] {
        assert!(toml.contains(f), "missing `{f}` in\n{toml}");
    }
    for krate in ["caigoubao", "puhuo", "qimen", "wlb"] {
        let manifest = text(&g, &format!("generated/top-api-{krate}/Cargo.toml"));
        assert!(
            manifest.contains(&format!("name = \"top-api-{krate}\"")),
            "{manifest}"
        );
        assert!(
            manifest.contains("top-runtime = { path = \"../../runtime\""),
            "{manifest}"
        );
    }
    assert!(
        g.files.get("generated/Cargo.toml").is_none(),
        "inside the repository, its workspace holds the family"
    );
}

#[test]
fn standalone_output_is_a_workspace_of_the_family() {
    let options = Options {
        runtime_path: "/abs/runtime".into(),
        standalone: true,
    };
    let g = emit::generate(&fixtures(), &options).unwrap_or_else(|e| panic!("{e}"));
    let workspace = text(&g, "generated/Cargo.toml");
    for member in [
        "top-api",
        "top-api-caigoubao",
        "top-api-puhuo",
        "top-api-qimen",
        "top-api-wlb",
    ] {
        assert!(workspace.contains(&format!("\"{member}\"")), "{workspace}");
    }
    // A check of the family pays for incremental state and gains nothing.
    assert!(
        workspace.contains("[profile.dev]\nincremental = false\n"),
        "{workspace}"
    );
    let qimen = text(&g, "generated/top-api-qimen/Cargo.toml");
    assert!(qimen.contains("path = \"/abs/runtime\""), "{qimen}");
}

fn spec_with(yaml_tail: &str) -> Spec {
    let text = format!(
        "format: 1\napi: taobao.x\ntitle: t\ncategory: 采购宝API\nprotocol: top\n{yaml_tail}"
    );
    Spec::from_yaml(Path::new("specs/taobao.x.yaml"), &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_unknown_type_is_kept_as_json_and_names_file_api_and_path() {
    // A struct type the document never defines: its data is kept, with a warning.
    let s = spec_with(
        "response:\n  - name: result\n    type: Result\n    fields:\n      - name: foo\n        type: Fooo\n",
    );
    let g = generate(&[s]);
    assert_eq!(g.warnings.len(), 1, "{:?}", g.warnings);
    assert_eq!(
        g.warnings[0].to_string(),
        "warning: specs/taobao.x.yaml: taobao.x: response.result.foo: type `Fooo` has no fields here and no definition elsewhere in the document; kept as a JSON value (`serde_json::Value`)"
    );
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    assert!(
        code.contains("pub foo: Option<::serde_json::Value>,"),
        "{code}"
    );
}

#[test]
fn a_struct_type_without_fields_is_a_json_value_with_a_warning() {
    let s = spec_with("request:\n  - name: param\n    type: SomeReq\n    required: true\n");
    let g = generate(&[s]);
    assert_eq!(g.warnings.len(), 1, "{:?}", g.warnings);
    assert!(
        g.warnings[0]
            .to_string()
            .contains("taobao.x: request.param: type `SomeReq` has no fields"),
        "{}",
        g.warnings[0]
    );
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    assert!(code.contains("pub param: ::serde_json::Value,"), "{code}");
    // It travels as a JSON string, like any structured parameter.
    assert!(
        code.contains("JSON_PARAMS: &'static [&'static str] = &[\"param\"]"),
        "{code}"
    );
}

#[test]
fn a_file_inside_a_struct_or_a_response_is_json_with_a_warning() {
    let s = spec_with(
        "request:\n  - name: param\n    type: Req\n    fields:\n      - name: image\n        type: byte\n        array: true\n\
         \x20 - name: top\n    type: byte\n    array: true\n\
         response:\n  - name: bytes\n    type: byte[]\n",
    );
    let g = generate(&[s]);
    let w: Vec<String> = g.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains(
            "request.param.image: `byte[]` is a file only as a top-level TOP request parameter"
        ),
        "{w:?}"
    );
    assert!(
        w[1].contains("response.bytes: `byte[]` is a file only"),
        "{w:?}"
    );
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for decl in [
        "pub image: Option<::serde_json::Value>,",
        "pub top: Option<::top_runtime::FileItem>,",
        "pub bytes: Option<::serde_json::Value>,",
    ] {
        assert!(code.contains(decl), "missing `{decl}` in\n{code}");
    }
}

#[test]
fn the_mapping_table_covers_java_names_and_byte() {
    // `byte` alone is Java's `Byte` (codes like `is_test`: 0/1), `byte[]` a file.
    let s = spec_with(
        "request:\n\
         \x20 - {name: is_test, type: byte}\n\
         \x20 - {name: ids, type: Integer, array: true}\n\
         \x20 - {name: big, type: Long, array: true}\n\
         \x20 - {name: upload, type: File}\n\
         \x20 - {name: data, type: \"byte[]\"}\n\
         \x20 - {name: scan, type: Byte, array: true}\n\
         \x20 - {name: rate, type: Double}\n\
         \x20 - {name: ratio, type: Float}\n\
         \x20 - {name: fields, type: FieldList}\n\
         \x20 - {name: small, type: Short}\n\
         response:\n\
         \x20 - {name: status, type: byte}\n",
    );
    let g = generate(&[s]);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for decl in [
        "pub is_test: Option<i64>,",
        "pub ids: Option<Vec<i64>>,",
        "pub big: Option<Vec<i64>>,",
        "pub upload: Option<::top_runtime::FileItem>,",
        "pub data: Option<::top_runtime::FileItem>,",
        "pub scan: Option<::top_runtime::FileItem>,",
        // Doubles are decimals, so an amount never goes through `f64`.
        "pub rate: Option<::top_runtime::Decimal>,",
        "pub ratio: Option<::top_runtime::Decimal>,",
        "pub fields: Option<String>,",
        "pub small: Option<i64>,",
        "pub status: Option<i64>,",
    ] {
        assert!(code.contains(decl), "missing `{decl}` in\n{code}");
    }
}

#[test]
fn a_struct_named_like_a_scalar_is_a_struct() {
    let s = spec_with(
        "request:\n  - {name: fee, type: Price, array: true, fields: [{name: amount, type: Price}, {name: currency, type: String}]}\n",
    );
    let g = generate(&[s]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    assert!(code.contains("pub struct Price {"), "{code}");
    assert!(code.contains("pub fee: Option<Vec<Price>>,"), "{code}");
    assert!(
        code.contains("pub amount: Option<::top_runtime::Decimal>,"),
        "{code}"
    );
}

#[test]
fn struct_references_resolve_to_the_documents_definition() {
    // `Node` refers to itself (boxed, never required), `Tip` is defined in
    // two places (one shared type with the fields of both), `Far` only on
    // the request side (copied to the response side, a type of each side).
    let s = spec_with(
        "request:\n\
         \x20 - {name: far, type: Far, fields: [{name: k, type: String}]}\n\
         response:\n\
         \x20 - name: root\n    type: Node\n    fields:\n\
         \x20     - {name: id, type: Number}\n\
         \x20     - {name: parent, type: Node, required: true}\n\
         \x20     - {name: children, type: Node, array: true}\n\
         \x20 - {name: tips, type: Tip, fields: [{name: text, type: String}]}\n\
         \x20 - {name: other, type: Tip, fields: [{name: n, type: Number}]}\n\
         \x20 - {name: again, type: Tip}\n\
         \x20 - {name: tips2, type: Tip}\n\
         \x20 - {name: far, type: Far}\n",
    );
    let g = generate(&[s]);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for decl in [
        "pub parent: Option<Box<Node>>,",
        "pub children: Vec<Node>,",
        "impl ::top_runtime::de::Wire for Box<Node> {}",
        // Two shapes of the response's `Tip`: two types, named from their
        // paths; the references take the shape of their definition.
        "pub tips: Option<Tips>,",
        "pub other: Option<Other>,",
        "pub again: Option<Tips>,",
        "pub tips2: Option<Tips>,",
        "pub text: Option<String>,",
        "pub n: Option<i64>,",
        // The request's `Far` is copied to the response side: one type on
        // each side, the response's named from its path's side.
        "pub far: Option<Far>,",
        "pub far: Option<FarData>,",
        "pub use crate::types::{Far as FarData, Node, param::Far};",
    ] {
        assert!(code.contains(decl), "missing `{decl}` in\n{code}");
    }
    assert_eq!(code.matches("pub struct Node {").count(), 1, "{code}");
    assert_eq!(code.matches("pub struct Tips {").count(), 1, "{code}");
    assert_eq!(code.matches("pub struct Other {").count(), 1, "{code}");
}

#[test]
fn a_recursive_request_field_is_optional_and_takes_the_plain_struct() {
    let s = spec_with(
        "request:\n  - name: node\n    type: Node\n    required: true\n    fields:\n\
         \x20     - {name: id, type: Number, required: true}\n\
         \x20     - {name: next, type: Node, required: true}\n",
    );
    let g = generate(&[s]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for decl in [
        "pub next: Option<Box<Node>>,",
        "next: impl Into<Box<Node>>)",
        "pub fn new(id: i64) -> Self",
    ] {
        assert!(code.contains(decl), "missing `{decl}` in\n{code}");
    }
}

#[test]
fn user_type_names_never_clash_with_std_or_the_runtime() {
    let names = [
        "Result", "Response", "Request", "Data", "Map", "T", "Option", "Vec", "String", "Box",
        "Self",
    ];
    let fields: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!("  - {{name: f{i}, type: {n}, fields: [{{name: v, type: String}}]}}\n")
        })
        .collect();
    let s = spec_with(&format!("response:\n{}", fields.concat()));
    let g = generate(&[s]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for n in [
        "XResult",
        "Data",
        "Map",
        "T",
        "XOption",
        "XVec",
        "XString",
        "XBox",
        "SelfValue",
    ] {
        assert!(
            code.contains(&format!("pub struct {n} {{")),
            "{n} in\n{code}"
        );
    }
    // A prelude name would be shadowed by `use module::*`; the TOP name stays in the docs.
    for n in ["Result", "Option", "Vec", "String", "Box"] {
        assert!(
            !code.contains(&format!("pub struct {n} {{")),
            "{n} in\n{code}"
        );
        assert!(code.contains(&format!("TOP type `{n}`")), "{n} in\n{code}");
    }
    // `Request` / `Response` are left to the API's own structs and the trait.
    assert!(!code.contains("pub struct Request {"), "{code}");
    assert!(!code.contains("pub struct Response {"), "{code}");
    // Generated code writes `Option<…>`, `Result<…>` as the prelude does:
    // no name it declares or imports in any file may shadow one.
    let uses_prelude = ["Option<", "Result<"]
        .iter()
        .all(|generic| code.contains(generic));
    assert!(uses_prelude, "{code}");
    for (path, bytes) in g.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let file = syn::parse_file(std::str::from_utf8(bytes).expect("UTF-8"))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        for name in declared_names(&file.items) {
            assert!(
                !topgen::naming::is_prelude_name(&name),
                "{path} declares or imports `{name}`, shadowing the prelude"
            );
        }
    }
}

/// Every name the items bring into their module: declared, or imported by a
/// `use` (its last segment or its `as` name), nested modules included.
fn declared_names(items: &[syn::Item]) -> Vec<String> {
    fn tree(t: &syn::UseTree, out: &mut Vec<String>) {
        match t {
            syn::UseTree::Path(p) => tree(&p.tree, out),
            syn::UseTree::Name(n) => out.push(n.ident.to_string()),
            syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| tree(t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut out = Vec::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => out.push(s.ident.to_string()),
            syn::Item::Enum(e) => out.push(e.ident.to_string()),
            syn::Item::Type(t) => out.push(t.ident.to_string()),
            syn::Item::Fn(f) => out.push(f.sig.ident.to_string()),
            syn::Item::Use(u) => tree(&u.tree, &mut out),
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    out.extend(declared_names(items));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn type_names_differing_only_in_case_are_one_name() {
    // One document with both spellings: two types, as that document alone
    // names them, never `…Do2`.
    let s = spec_with(
        "response:\n\
         \x20 - {name: a, type: ASODeviceInfoDO, fields: [{name: x, type: String}]}\n\
         \x20 - {name: b, type: AsoDeviceInfoDo, fields: [{name: y, type: String}]}\n\
         \x20 - {name: Kind, type: String}\n\
         \x20 - {name: kind, type: String}\n",
    );
    let g = generate(&[s]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for decl in [
        "pub a: Option<AsoDeviceInfoDo>,",
        "pub b: Option<B>,",
        "pub struct AsoDeviceInfoDo {",
        "pub struct B {",
    ] {
        assert_eq!(code.matches(decl).count(), 1, "`{decl}` once in\n{code}");
    }
    assert!(!code.to_lowercase().contains("asodeviceinfodo2"), "{code}");
    assert!(
        code.contains("pub kind: ") && code.contains("pub kind2: "),
        "{code}"
    );
    // Two documents, one spelling each: one shared type with the fields of
    // both, its acronyms spelled as Rust does, so its name is the same
    // whichever spellings the documents use.
    let other = |api: &str, top: &str, field: &str| {
        let text = format!(
            "format: 1\napi: {api}\ntitle: t\ncategory: 采购宝API\nprotocol: top\n\
             response:\n  - {{name: a, type: {top}, fields: [{{name: {field}, type: String}}]}}\n"
        );
        Spec::from_yaml(Path::new("specs/x.yaml"), &text).unwrap_or_else(|e| panic!("{e}"))
    };
    let g = generate(&[
        other("taobao.x.one", "ASODeviceInfoDO", "x"),
        other("taobao.x.two", "AsoDeviceInfoDo", "y"),
    ]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/one.rs");
    for decl in [
        "pub use crate::types::AsoDeviceInfoDo;",
        "pub struct AsoDeviceInfoDo {",
        "pub x: Option<String>,",
        "pub y: Option<String>,",
        "(also named `AsoDeviceInfoDo`)",
    ] {
        assert_eq!(code.matches(decl).count(), 1, "`{decl}` once in\n{code}");
    }
}

#[test]
fn nesting_six_levels_deep() {
    let mut node = "{name: leaf, type: String}".to_string();
    for level in (0..6).rev() {
        node = format!("{{name: l{level}, type: L{level}, fields: [{node}]}}");
    }
    let yaml = format!("response:\n  - {node}\n");
    let g = generate(&[spec_with(&yaml)]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for level in 0..6 {
        assert!(
            code.contains(&format!("pub struct L{level} {{")),
            "L{level} in\n{code}"
        );
    }
    assert!(code.contains("pub leaf: "), "{code}");
}

#[test]
fn reserved_words_and_dotted_names_are_escaped_and_renamed() {
    let names = [
        "type", "match", "in", "box", "priv", "self", "Self", "a.b", "a-c",
    ];
    let fields: Vec<String> = names
        .iter()
        .map(|n| format!("  - {{name: \"{n}\", type: String}}\n"))
        .collect();
    let g = generate(&[spec_with(&format!("request:\n{}", fields.concat()))]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for (wire, ident) in [
        ("type", "type_"),
        ("match", "match_"),
        ("in", "in_"),
        ("box", "box_"),
        ("priv", "priv_"),
        ("self", "self_"),
        ("Self", "self_2"),
        ("a.b", "a_b"),
        ("a-c", "a_c"),
    ] {
        assert!(
            code.contains(&format!("rename = \"{wire}\""))
                && code.contains(&format!("pub {ident}: ")),
            "`{wire}` as `{ident}` in\n{code}"
        );
    }
}

#[test]
fn generate_partial_leaves_out_only_the_failing_api() {
    let good = spec_with("request:\n  - name: q\n    type: String\n");
    let mut bad = spec_with("");
    bad.api = "taobao.X".into();
    let (g, errors) = emit::generate_partial(&[good, bad], &Options::default());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .to_string()
            .contains("both map to module `x::api`")
    );
    assert!(
        g.files
            .get("generated/top-api-caigoubao/src/x/api.rs")
            .is_some()
    );
    assert_eq!(
        text(&g, "generated/top-api-caigoubao/src/lib.rs")
            .matches("pub mod api;")
            .count(),
        1
    );
}

#[test]
fn a_new_category_gets_a_crate_named_after_it() {
    let mut s = spec_with("request:\n  - name: q\n    type: String\n");
    s.category = "新类目".into();
    let mut t = spec_with("request:\n  - name: q\n    type: String\n");
    t.api = "taobao.y".into();
    t.category = "某类目".into();
    t.package = Some("shop".into());
    let g = generate(&[s, t]);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    assert!(
        g.files
            .get("generated/top-api-xinleimu/src/x/api.rs")
            .is_some()
    );
    assert!(g.files.get("generated/top-api-shop/src/y/api.rs").is_some());
    let facade = text(&g, "generated/top-api/Cargo.toml");
    assert!(
        facade.contains("xinleimu = [\"dep:top-api-xinleimu\"]"),
        "{facade}"
    );
    assert!(facade.contains("shop = [\"dep:top-api-shop\"]"), "{facade}");
    assert!(!facade.contains("uncategorized"), "{facade}");
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

/// Specs read under other file names: messages name the files read.
fn read_as(name: &str, spec: Spec) -> spec::SpecFile {
    spec::SpecFile {
        file: Path::new("copies").join(name),
        text: spec.to_yaml(),
        spec,
    }
}

#[test]
fn two_specs_for_one_api_name_both_files_read() {
    let a = read_as("first.yaml", spec_with(""));
    let b = read_as("second.yaml", spec_with(""));
    let e = emit::generate_read(&[a, b], &Options::default()).unwrap_err();
    assert_eq!(e.kind, topgen::Kind::DuplicateApi);
    assert_eq!(e.file, Path::new("copies/second.yaml"));
    assert_eq!(e.api.as_deref(), Some("taobao.x"));
    // The `api:` line of the file read.
    assert_eq!(e.line, Some(4), "{e}");
    let shown = e.to_string();
    assert!(shown.contains("two specs for one API"), "{shown}");
    assert!(shown.contains("copies/first.yaml"), "{shown}");
    assert!(!shown.contains("both map to module"), "{shown}");
}

#[test]
fn two_apis_on_one_module_name_both_files_read() {
    let a = read_as("a.yaml", spec_with(""));
    let mut other = spec_with("");
    other.api = "taobao.X".into();
    let b = read_as("b.yaml", other);
    let e = emit::generate_read(&[a, b], &Options::default()).unwrap_err();
    assert_eq!(e.kind, topgen::Kind::ModuleClash);
    let (first, second) = if e.file == Path::new("copies/a.yaml") {
        ("copies/b.yaml", "copies/a.yaml")
    } else {
        ("copies/a.yaml", "copies/b.yaml")
    };
    assert_eq!(e.file, Path::new(second));
    let shown = e.to_string();
    assert!(shown.contains("both map to module `x::api`"), "{shown}");
    assert!(shown.contains(first), "{shown}");
}

#[test]
fn codegen_of_a_file_read_points_at_the_field_line() {
    let s =
        spec_with("response:\n  - name: ok\n    type: String\n  - name: gone\n    type: Missing\n");
    let read = read_as("gone.yaml", s);
    let line = read
        .text
        .lines()
        .position(|l| l.ends_with("name: gone"))
        .map(|i| i + 1);
    let g = emit::generate_read(&[read], &Options::default()).unwrap();
    assert_eq!(g.warnings[0].line, line);
    let shown = g.warnings[0].to_string();
    assert!(
        shown.starts_with(&format!(
            "warning: copies/gone.yaml:{}: taobao.x: response.gone: type `Missing`",
            line.unwrap()
        )),
        "{shown}"
    );
}

#[test]
fn codegen_messages_carry_kind_api_and_field_path() {
    let s = spec_with("response:\n  - {name: gone, type: Missing}\n");
    let g = generate(&[s]);
    let w = &g.warnings[0];
    assert_eq!(w.kind, topgen::Kind::Codegen);
    assert_eq!(w.file, Path::new("specs/taobao.x.yaml"));
    assert_eq!(w.api.as_deref(), Some("taobao.x"));
    assert_eq!(w.path.as_deref(), Some("response.gone"));
    assert!(w.message.starts_with("type `Missing` has no fields"), "{w}");
}

#[test]
fn a_broken_xml_example_gets_no_test_and_a_warning() {
    // The scraper keeps such an example verbatim and warns; codegen follows.
    let s = spec_with(
        "response:\n  - {name: a, type: String}\n\
         examples:\n\
         \x20 response:\n\
         \x20   - {lang: xml, code: \"<x_response><a>1</b></x_response>\"}\n\
         \x20 error:\n\
         \x20   - {lang: xml, code: \"<error_response><code>7</error_response>\"}\n",
    );
    let g = generate(&[s]);
    let said: Vec<String> = g.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said[0].contains("XML response example is not well-formed"),
        "{said:?}"
    );
    assert!(said[0].ends_with("no response test"), "{said:?}");
    assert!(
        said[1].contains("XML error example is not well-formed"),
        "{said:?}"
    );
    assert!(
        g.files
            .get("generated/top-api-caigoubao/src/x/api.rs")
            .is_some()
    );
    assert!(g.files.get("tests/tests/api/x_api.rs").is_none());
}

#[test]
fn names_collide_by_shape_not_by_name() {
    // Two response `Item`s of different shapes in one document are two
    // types named from their paths, as that document alone decides; two
    // `Same` of one shape are one type; a type named like the API's
    // response struct is the API's own, named from its path.
    let s = spec_with(
        "response:\n\
         \x20 - {name: a, type: Item, fields: [{name: x, type: String}]}\n\
         \x20 - {name: b, type: Item, fields: [{name: y, type: Number}]}\n\
         \x20 - {name: c, type: Same, fields: [{name: z, type: String}]}\n\
         \x20 - {name: d, type: Same, array: true, fields: [{name: z, type: String}]}\n\
         \x20 - {name: e, type: XResponse, fields: [{name: z, type: String}]}\n",
    );
    let g = generate(&[s]);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    assert!(!code.contains("pub struct Item {"), "{code}");
    for decl in [
        "pub struct A {",
        "pub struct B {",
        "pub a: Option<A>,",
        "pub b: Option<B>,",
        "pub struct Same {",
        "pub struct E {",
        "pub struct XResponse {",
        "pub x: Option<String>,",
        "pub y: Option<i64>,",
    ] {
        assert_eq!(code.matches(decl).count(), 1, "`{decl}` once in\n{code}");
    }
}

#[test]
fn generic_struct_types_are_named_from_their_path() {
    let g = generate(&fixtures());
    let code = text(
        &g,
        "generated/top-api-wlb/src/qimen/auto_entryorder_giftitemcancel.rs",
    );
    for decl in [
        "pub struct RequestParam {",
        "pub struct RequestOrderItems {",
        "pub struct RequestOrderItemsOrderItem {",
    ] {
        assert!(code.contains(decl), "missing `{decl}`");
    }
    assert!(!code.contains("pub struct Struct"));
    let detail = code_of(&g, "generated/top-api-caigoubao/src/pc/order_detail.rs");
    assert_eq!(detail.matches("pub struct Logistics {").count(), 1);
}

#[test]
fn listed_codes_become_an_enum_with_a_catch_all() {
    let s = spec_with(
        "request:\n  - name: order_type\n    type: String\n    required: true\n    values:\n      - value: JYCK\n        description: 一般交易出库单\n      - value: OTHER\n        description: 其他\n\
         response:\n  - name: trade\n    type: Trade\n    fields:\n      - name: status\n        type: String\n        values:\n          - value: TRADE_CLOSED_BY_TAOBAO\n            description: 交易关闭\n          - value: open\n            description: 打开\n          - value: OPEN\n            description: 打开\n      - name: level\n        type: Number\n        array: true\n        values:\n          - value: '1'\n            description: 一级\n          - value: '-1'\n            description: 不限\n",
    );
    let g = generate(&[s]);
    assert!(g.warnings.is_empty(), "{:?}", g.warnings);
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    for want in [
        "pub enum RequestOrderType {",
        "Jyck,",
        "OtherCode,",
        "Other(String),",
        "pub fn new(order_type: impl Into<RequestOrderType>) -> Self",
        "pub enum TradeStatus {",
        "TradeClosedByTaobao,",
        "Open,",
        "Open2,",
        "pub status: Option<TradeStatus>,",
        "pub enum TradeLevel {",
        "Code1,",
        "CodeMinus1,",
        "pub level: Vec<TradeLevel>,",
        "const CODES: &'static [&'static str] = &[\"1\", \"-1\"];",
        "const NUMBER: bool = true;",
        "/// 交易关闭 (`TRADE_CLOSED_BY_TAOBAO`)",
        "::top_runtime::code_enum!(TradeStatus);",
    ] {
        assert!(code.contains(want), "{want}\n{code}");
    }
}

#[test]
fn doubtful_code_lists_are_generated_with_a_warning_and_no_field_lost() {
    let s = spec_with(
        "response:\n  - name: kind\n    type: String\n    values:\n      - value: A\n        description: 甲\n      - value: A\n        description: 乙\n      - value: ''\n        description: 空\n\
         \x20 - name: count\n    type: Number\n    values:\n      - value: x\n        description: 叉\n\
         \x20 - name: flag\n    type: Boolean\n    values:\n      - value: 'true'\n        description: 是\n",
    );
    let g = generate(&[s]);
    let warnings: Vec<String> = g.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    for (w, want) in warnings.iter().zip([
        "response.kind: code `A` is listed twice; generated once",
        "response.kind: an empty code is listed; generated as `Empty`",
        "response.count: code `x` of a Number field is not an integer; the field stays a number",
        "response.flag: `values` on a `Boolean` field are not generated",
    ]) {
        assert!(w.contains(want), "{w}");
        assert!(
            w.starts_with("warning: specs/taobao.x.yaml: taobao.x: "),
            "{w}"
        );
    }
    let code = code_of(&g, "generated/top-api-caigoubao/src/x/api.rs");
    assert!(code.contains("pub kind: Option<ResponseKind>,"), "{code}");
    assert!(
        code.contains("const CODES: &'static [&'static str] = &[\"A\", \"\"];"),
        "{code}"
    );
    assert!(code.contains("Empty,"), "{code}");
    assert!(code.contains("pub count: Option<i64>,"), "{code}");
    assert!(code.contains("pub flag: Option<bool>,"), "{code}");
}
