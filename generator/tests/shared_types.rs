//! Shared types: a TOP type that several APIs of a category use is one Rust
//! type in the crate's `types` module; disagreements between documents are
//! decided by rule, with a decision and a warning each.

use std::path::Path;

use topgen::diff::{self, Tree};
use topgen::emit::{self, Options};
use topgen::spec::Spec;

/// A trade API of the category `交易API` answering `trade`, whose fields
/// are given as YAML lines (indented for the `Trade` struct's field list),
/// and `refund`, whose field `extra` is of type `extra`.
fn trade_api(api: &str, trade_fields: &str, extra: &str) -> Spec {
    let yaml = format!(
        "format: 1\napi: {api}\ntitle: t\ncategory: 交易API\nprotocol: top\n\
         request:\n- name: tid\n  type: Number\n  required: true\n\
         response:\n- name: trade\n  type: Trade\n  fields:\n{trade_fields}\
         - name: refund\n  type: Refund\n  fields:\n  - name: refund_id\n    type: Number\n\
         \x20 - name: extra\n    type: {extra}\n"
    );
    Spec::from_yaml(Path::new("a.yaml"), &yaml).unwrap_or_else(|e| panic!("{e}"))
}

fn specs() -> Vec<Spec> {
    vec![
        trade_api(
            "taobao.trade.get",
            "  - name: tid\n    type: Number\n    description: 交易编号\n\
             \x20 - name: created\n    type: Date\n\
             \x20 - name: status\n    type: String\n    values:\n    - value: WAIT_BUYER_PAY\n      description: 等待买家付款\n\
             \x20 - name: orders\n    type: Order\n    array: true\n    fields:\n\
             \x20   - name: oid\n      type: Number\n\
             \x20 - name: promotion_details\n    type: PromotionDetail\n    array: true\n    fields:\n\
             \x20   - name: id\n      type: Number\n",
            "String",
        ),
        trade_api(
            "taobao.trades.sold.get",
            "  - name: tid\n    type: String\n\
             \x20 - name: created\n    type: String\n\
             \x20 - name: status\n    type: String\n    values:\n    - value: TRADE_FINISHED\n      description: 交易成功\n\
             \x20 - name: orders\n    type: Order\n    array: true\n    fields:\n\
             \x20   - name: oid\n      type: Number\n\
             \x20   - name: title\n      type: String\n\
             \x20 - name: promotion_details\n    type: PromotionDetails\n    array: true\n    fields:\n\
             \x20   - name: discount_fee\n      type: Price\n",
            "Extra\n    fields:\n    - name: note\n      type: String",
        ),
    ]
}

fn generate(specs: &[Spec]) -> emit::Generated {
    emit::generate(specs, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn text(g: &emit::Generated, path: &str) -> String {
    let bytes = g.files.get(path).unwrap_or_else(|| {
        let all: Vec<&str> = g.files.iter().map(|(p, _)| p).collect();
        panic!("{path} was not generated; these were: {all:?}")
    });
    String::from_utf8(bytes.to_vec()).unwrap()
}

const TYPES: &str = "generated/top-api-jiaoyi/src/types.rs";
const GET: &str = "generated/top-api-jiaoyi/src/trade/get.rs";
const SOLD: &str = "generated/top-api-jiaoyi/src/trades/sold_get.rs";

fn struct_count(code: &str, name: &str) -> usize {
    code.lines()
        .filter(|l| *l == format!("pub struct {name} {{"))
        .count()
}

#[test]
fn trade_and_order_are_one_type_each_in_the_types_module() {
    let g = generate(&specs());
    let types = text(&g, TYPES);
    for name in ["Trade", "Order", "PromotionDetail"] {
        assert_eq!(struct_count(&types, name), 1, "{name} in:\n{types}");
    }
    for module in [GET, SOLD] {
        let code = text(&g, module);
        assert_eq!(struct_count(&code, "Trade"), 0, "{module}:\n{code}");
        assert!(
            code.contains("pub use crate::types::{"),
            "{module} does not re-export its shared types:\n{code}"
        );
        assert!(code.contains("Option<Trade>"), "{code}");
    }
    // The union of the documents' fields, with the types that read every form.
    assert!(types.contains("pub tid: Option<String>,"), "{types}");
    assert!(types.contains("pub created: Option<String>,"), "{types}");
    assert!(types.contains("pub title: Option<String>,"), "{types}");
    assert!(
        types.contains("pub discount_fee: Option<::top_runtime::Decimal>,"),
        "{types}"
    );
    // Both documents' codes are variants of one enum, named after its field.
    assert!(types.contains("pub enum TradeStatus {"), "{types}");
    assert!(
        types.contains("WaitBuyerPay") && types.contains("TradeFinished"),
        "{types}"
    );
    let lib = text(&g, "generated/top-api-jiaoyi/src/lib.rs");
    assert!(lib.contains("pub mod types;"), "{lib}");
}

#[test]
fn each_disagreement_is_a_decision_and_a_warning() {
    let g = generate(&specs());
    let decided: Vec<(String, String)> = g
        .decisions
        .iter()
        .map(|d| (format!("{}.{}", d.top_type, d.field), d.outcome.clone()))
        .collect();
    let outcome = |field: &str| {
        decided
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, o)| o.as_str())
            .unwrap_or_else(|| panic!("no decision on {field}: {decided:?}"))
    };
    assert!(outcome("Trade.tid").starts_with("one type `String`"));
    assert!(outcome("Trade.created").starts_with("one type `String`"));
    assert!(outcome("Trade.promotion_details").contains("PromotionDetail"));
    // A scalar in one document, a struct in the other: no one type reads both.
    assert!(outcome("Refund.extra").starts_with("kept apart"));
    assert_eq!(g.decisions.len(), 4, "{decided:?}");
    let warned = g
        .warnings
        .iter()
        .filter(|w| w.message.contains("documents disagree"))
        .count();
    assert_eq!(warned, g.decisions.len());
    let row = g.decisions[0].tsv_row();
    assert_eq!(row.matches('\t').count(), 5, "{row}");
}

#[test]
fn a_type_whose_documents_contradict_each_other_stays_a_struct_per_api() {
    let g = generate(&specs());
    let types = text(&g, TYPES);
    // `Refund.extra` is text in one document and a struct in the other:
    // each API keeps its own `Refund`, every field of it kept.
    assert_eq!(struct_count(&types, "Refund"), 0, "{types}");
    let get = text(&g, GET);
    let sold = text(&g, SOLD);
    assert_eq!(struct_count(&get, "Refund"), 1, "{get}");
    assert_eq!(struct_count(&sold, "Refund"), 1, "{sold}");
    assert!(get.contains("pub extra: Option<String>,"), "{get}");
    assert!(sold.contains("pub extra: Option<Extra>,"), "{sold}");
}

#[test]
fn the_output_is_the_same_in_any_input_order() {
    let mut reversed = specs();
    reversed.reverse();
    assert_eq!(generate(&specs()).files, generate(&reversed).files);
}

#[test]
fn the_change_report_lists_a_shared_type_change_once_with_the_apis_it_reaches() {
    let old = specs();
    let mut new = specs();
    new[0] = trade_api(
        "taobao.trade.get",
        "  - name: tid\n    type: Number\n    description: 交易编号\n\
         \x20 - name: buyer_nick\n    type: String\n",
        "String",
    );
    let tree = |specs: &[Spec]| Tree::from_specs("t", specs);
    let report = diff::compare(&tree(&old), &tree(&new)).unwrap_or_else(|e| panic!("{e}"));
    let added: Vec<&diff::Change> = report
        .changes
        .iter()
        .filter(|c| c.is_shared_type() && c.path == "Trade.buyer_nick")
        .collect();
    assert_eq!(added.len(), 1, "{:#?}", report.changes);
    assert!(
        added[0]
            .effect
            .contains("taobao.trade.get, taobao.trades.sold.get"),
        "{}",
        added[0].effect
    );
    // Counted with the APIs, not as one.
    assert!(report.apis().keys().all(|a| a.starts_with("taobao.")));
}

/// An API of the category `交易API` whose document is `body` (YAML lines
/// from `request:` on).
fn api_of(api: &str, body: &str) -> Spec {
    let yaml = format!("format: 1\napi: {api}\ntitle: t\ncategory: 交易API\nprotocol: top\n{body}");
    Spec::from_yaml(Path::new("a.yaml"), &yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// The field lines of an API's request and response structs: the Rust
/// type of each field, by the names its module gives them.
fn fields_in(g: &emit::Generated, module: &str, api: &str) -> Vec<String> {
    let code = text(g, &format!("generated/top-api-jiaoyi/src/{module}.rs"));
    let own = [format!("{api}Request"), format!("{api}Response")];
    let mut inside = false;
    let mut out = Vec::new();
    for line in code.lines() {
        if let Some(name) = line.strip_prefix("pub struct ") {
            inside = own.iter().any(|o| name.starts_with(&format!("{o} ")));
        } else if line == "}" {
            inside = false;
        } else if inside && line.trim_start().starts_with("pub ") {
            out.push(line.trim().to_string());
        }
    }
    out
}

#[test]
fn no_other_document_renames_what_an_api_module_names() {
    // `taobao.one.get` sends and answers a `Query`, and answers an `Item`
    // and a `Note`; each other document agrees with it, disagrees in a way
    // that is reconciled, or contradicts it, about some of them.
    let one = api_of(
        "taobao.one.get",
        "request:\n- {name: q, type: Query, fields: [{name: id, type: Number}]}\n\
         response:\n- {name: q, type: Query, fields: [{name: id, type: Number}]}\n\
         - {name: item, type: Item, fields: [{name: x, type: String}]}\n\
         - {name: note, type: Note, fields: [{name: n, type: String}]}\n",
    );
    let others = [
        api_of(
            "taobao.two.get",
            "request:\n- {name: q, type: Query, fields: [{name: id, type: String}]}\n\
             response:\n- {name: item, type: Item, fields: [{name: x, type: Number}]}\n",
        ),
        api_of(
            "taobao.three.get",
            "response:\n- {name: item, type: Item, fields: [{name: x, type: Note, fields: [{name: m, type: String}]}]}\n\
             - {name: q, type: Query, fields: [{name: id, type: Number}, {name: more, type: Query2, fields: [{name: z, type: String}]}]}\n",
        ),
        api_of(
            "taobao.four.get",
            "request:\n- {name: q, type: Query, fields: [{name: id, type: Number}]}\n\
             response:\n- {name: note, type: Note, fields: [{name: n, type: Number}]}\n",
        ),
    ];
    let alone = fields_in(&generate(std::slice::from_ref(&one)), "one/get", "OneGet");
    for decl in [
        "pub q: Option<Q>,",
        "pub q: Option<QData>,",
        "pub item: Option<Item>,",
        "pub note: Option<Note>,",
    ] {
        assert!(alone.iter().any(|l| l == decl), "{decl} in {alone:?}");
    }
    let mut with: Vec<Vec<Spec>> = others.iter().map(|o| vec![o.clone()]).collect();
    with.push(others.to_vec());
    for with in with {
        let apis: Vec<&str> = with.iter().map(|s| s.api.as_str()).collect();
        let mut specs = vec![one.clone()];
        specs.extend(with.iter().cloned());
        let g = generate(&specs);
        assert_eq!(fields_in(&g, "one/get", "OneGet"), alone, "with {apis:?}");
    }
}
