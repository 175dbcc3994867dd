//! One pair of trees per kind of change, with its breaking flag and effect.

use super::*;
use crate::spec::{ErrorCode, Param, Protocol, Spec};

/// Built through serde, as a spec file is read: keys added to the model later keep their defaults.
fn param(name: &str, ty: &str) -> Param {
    serde_json::from_value(serde_json::json!({"name": name, "type": ty})).unwrap()
}

fn required(mut p: Param) -> Param {
    p.required = true;
    p
}

fn strukt(name: &str, ty: &str, fields: Vec<Param>) -> Param {
    Param {
        fields,
        ..param(name, ty)
    }
}

/// `taobao.trade.fullinfo.get`: one required and one optional request
/// parameter, a response struct with a list of structs.
fn base() -> Spec {
    let mut s: Spec = serde_json::from_value(serde_json::json!({
        "format": 1,
        "api": "taobao.trade.fullinfo.get",
        "title": "获取单笔交易的详细信息",
        "category": "交易API",
        "protocol": "top",
    }))
    .unwrap();
    s.request = vec![
        required(param("tid", "Number")),
        param("include_oaid", "String"),
    ];
    s.response = vec![strukt(
        "trade",
        "Trade",
        vec![
            param("status", "String"),
            Param {
                array: true,
                ..strukt(
                    "orders",
                    "Order",
                    vec![param("oid", "Number"), param("title", "String")],
                )
            },
        ],
    )];
    s
}

fn tree(specs: &[Spec]) -> Tree {
    Tree::from_specs("t", specs)
}

fn report(old: &[Spec], new: &[Spec]) -> Report {
    compare(&tree(old), &tree(new)).unwrap()
}

/// Whether a change moves a type into or out of the `types` module.
fn moves_a_type(c: &Change) -> bool {
    matches!(c.kind, Kind::TypeShared | Kind::TypeUnshared)
}

/// The only change between two versions of the base spec, besides types
/// moving into or out of the `types` module.
fn one(edit: impl FnOnce(&mut Spec)) -> Change {
    let mut new = base();
    edit(&mut new);
    let r = report(&[base()], &[new]);
    let mut changes: Vec<Change> = r.changes.into_iter().filter(|c| !moves_a_type(c)).collect();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    changes.remove(0)
}

fn check(c: &Change, kind: Kind, path: &str, breaking: bool, effect: &str) {
    assert_eq!(c.kind, kind, "{c:#?}");
    assert_eq!(c.path, path, "{c:#?}");
    assert_eq!(c.breaking, breaking, "{c:#?}");
    assert!(c.effect.contains(effect), "{:?} lacks {effect:?}", c.effect);
}

#[test]
fn nothing_changed_is_semver_none() {
    let r = report(&[base()], &[base()]);
    assert!(r.changes.is_empty());
    assert_eq!(r.semver(), Semver::None);
    assert_eq!(r.headline(), "no API changed");
}

#[test]
fn apis_added_and_removed() {
    let mut other = base();
    other.api = "taobao.pc.order.cancel".into();
    let r = report(&[base()], &[other.clone()]);
    let [added, removed] = &r.changes[..] else {
        panic!("{:#?}", r.changes)
    };
    check(
        added,
        Kind::ApiAdded,
        "",
        false,
        "`top_api::pc::order_cancel`",
    );
    assert!(
        added.effect.contains("PcOrderCancelRequest"),
        "{}",
        added.effect
    );
    check(
        removed,
        Kind::ApiRemoved,
        "",
        true,
        "`top_api::trade::fullinfo_get`",
    );
    assert_eq!(r.semver(), Semver::Major);
    assert_eq!(report(&[], &[other]).semver(), Semver::Minor);
}

#[test]
fn a_new_required_request_field_changes_new() {
    let c = one(|s| s.request.push(required(param("fields", "String"))));
    check(
        &c,
        Kind::FieldAdded,
        "request.fields",
        true,
        "`TradeFullinfoGetRequest::new` gains an argument `fields: String`",
    );
    assert_eq!(c.level, Semver::Major);
}

#[test]
fn a_new_optional_request_field_is_a_setter() {
    let c = one(|s| s.request.push(param("fields", "String")));
    check(
        &c,
        Kind::FieldAdded,
        "request.fields",
        false,
        "`TradeFullinfoGetRequest` gains `with_fields(…)`",
    );
    assert_eq!(c.level, Semver::Minor);
}

#[test]
fn a_new_response_struct_is_reported_once() {
    let c = one(|s| {
        let f = strukt(
            "buyer",
            "Buyer",
            vec![param("nick", "String"), param("id", "Number")],
        );
        s.response[0].fields.push(f);
    });
    // Every type of the base is shared: a change in one is listed once,
    // under it, with the APIs it reaches.
    check(
        &c,
        Kind::FieldAdded,
        "Trade.buyer",
        false,
        "`Trade` gains a field `buyer: Option<Buyer>`; reaches taobao.trade.fullinfo.get",
    );
    assert_eq!(c.api, "types::Trade");
    let mut new = base();
    new.response[0]
        .fields
        .push(strukt("buyer", "Buyer", vec![param("nick", "String")]));
    let r = report(&[base()], &[new]);
    let shared: Vec<_> = r.changes.iter().filter(|c| moves_a_type(c)).collect();
    assert_eq!(shared.len(), 1, "{:#?}", r.changes);
    check(
        shared[0],
        Kind::TypeShared,
        "Buyer",
        false,
        "new shared type `types::Buyer`",
    );
    // Counted for the API it reaches.
    assert_eq!(r.headline(), "1 API changed, 0 breaking");
}

#[test]
fn removals_break_and_are_reported_once() {
    let c = one(|s| s.response[0].fields.retain(|f| f.name != "orders"));
    check(
        &c,
        Kind::FieldRemoved,
        "Trade.orders",
        true,
        "`Trade` loses the field `orders`",
    );
    assert_eq!(c.old, "Vec<Order>");
    let c = one(|s| s.request.retain(|f| f.name != "include_oaid"));
    check(
        &c,
        Kind::FieldRemoved,
        "request.include_oaid",
        true,
        "`with_include_oaid(…)`",
    );
    let c = one(|s| s.request.retain(|f| f.name != "tid"));
    check(
        &c,
        Kind::FieldRemoved,
        "request.tid",
        true,
        "`TradeFullinfoGetRequest::new` loses the argument `tid`",
    );
}

#[test]
fn type_changes_break() {
    let c = one(|s| s.request[0].ty = "String".into());
    check(
        &c,
        Kind::TypeChanged,
        "request.tid",
        true,
        "`TradeFullinfoGetRequest.tid`: `i64` → `String`",
    );
    assert_eq!(
        (c.old.as_str(), c.new.as_str()),
        (Some("i64"), Some("String"))
    );
    // Array-ness is a type.
    let c = one(|s| s.response[0].fields[1].array = false);
    check(
        &c,
        Kind::TypeChanged,
        "Trade.orders",
        true,
        "`Vec<Order>` → `Option<Order>`",
    );
    // A renamed struct type: the fields below are the same, so nothing more.
    let c = one(|s| s.response[0].fields[1].ty = "TradeOrder".into());
    check(
        &c,
        Kind::TypeChanged,
        "Trade.orders",
        true,
        "`Vec<Order>` → `Vec<TradeOrder>`",
    );
}

#[test]
fn a_type_with_the_same_rust_type_is_no_change() {
    let r = {
        let mut new = base();
        new.request[0].ty = "Long".into();
        report(&[base()], &[new])
    };
    assert!(r.changes.is_empty(), "{:#?}", r.changes);
}

#[test]
fn required_flips_on_the_request_break() {
    let c = one(|s| s.request[1].required = true);
    check(
        &c,
        Kind::RequiredChanged,
        "request.include_oaid",
        true,
        "`TradeFullinfoGetRequest::new` gains an argument `include_oaid`; `with_include_oaid(…)` is gone",
    );
    assert_eq!(
        (c.old.as_bool(), c.new.as_bool()),
        (Some(false), Some(true))
    );
    let c = one(|s| s.request[0].required = false);
    check(
        &c,
        Kind::RequiredChanged,
        "request.tid",
        true,
        "loses the argument `tid`; `with_tid(…)` sets it",
    );
}

#[test]
fn a_required_mark_on_a_response_field_changes_nothing() {
    let r = {
        let mut new = base();
        new.response[0].fields[0].required = true;
        report(&[base()], &[new])
    };
    assert!(r.changes.is_empty(), "{:#?}", r.changes);
}

#[test]
fn docs_and_examples_are_a_patch() {
    let c = one(|s| s.response[0].fields[1].fields[1].description = Some("标题".into()));
    check(
        &c,
        Kind::DescriptionChanged,
        "Order.title",
        false,
        "the doc comment of `Order.title`",
    );
    assert_eq!(c.level, Semver::Patch);
    let c = one(|s| s.request[0].example = Some("123".into()));
    check(
        &c,
        Kind::ExampleChanged,
        "request.tid",
        false,
        "`TradeFullinfoGetRequest.tid`",
    );
    let c = one(|s| s.description = "new".into());
    check(
        &c,
        Kind::DescriptionChanged,
        "",
        false,
        "`TradeFullinfoGetRequest`",
    );
    let c = one(|s| {
        s.examples.request.push(crate::spec::CodeExample {
            lang: "java".into(),
            code: "x".into(),
        })
    });
    check(&c, Kind::ExampleChanged, "", false, "example test");
    let mut new = base();
    new.request[0].example = Some("123".into());
    assert_eq!(report(&[base()], &[new]).semver(), Semver::Patch);
}

#[test]
fn a_category_change_breaks_when_the_feature_changes() {
    let c = one(|s| s.category = "采购宝API".into());
    check(
        &c,
        Kind::CategoryChanged,
        "",
        true,
        "`top_api::trade::fullinfo_get` moves from feature",
    );
    assert!(c.effect.contains("to `caigoubao`"), "{}", c.effect);
    // A category renamed under the same package name keeps its crate.
    let mut old = base();
    old.category = "旧名".into();
    old.package = Some("shop".into());
    let mut new = old.clone();
    new.category = "新名".into();
    let r = report(&[old.clone()], &[new]);
    check(
        &r.changes[0],
        Kind::CategoryChanged,
        "",
        false,
        "stays in feature `shop`",
    );
    // A new package name alone moves the API to another crate.
    let mut moved = old.clone();
    moved.package = Some("store".into());
    let r = report(&[old], &[moved]);
    check(
        &r.changes[0],
        Kind::CategoryChanged,
        "",
        true,
        "from feature `shop` to `store`",
    );
}

#[test]
fn a_protocol_change_breaks() {
    let mut new = base();
    new.protocol = Protocol::Qimen;
    let r = report(&[base()], &[new]);
    check(
        &r.changes[0],
        Kind::ProtocolChanged,
        "",
        true,
        "sent as a Qimen call instead of a TOP call",
    );
    let c = &r.changes[0];
    assert_eq!(
        (c.old.as_str(), c.new.as_str()),
        (Some("top"), Some("qimen"))
    );
    // Qimen answers with the one response struct as the root: its fields move up.
    let moved: Vec<_> = r.changes[1..]
        .iter()
        .filter(|c| !moves_a_type(c))
        .map(|c| (c.kind, c.path.as_str()))
        .collect();
    assert_eq!(
        moved,
        [
            (Kind::FieldAdded, "response.trade.status"),
            (Kind::FieldAdded, "response.trade.orders"),
            (Kind::FieldRemoved, "response.trade"),
        ]
    );
}

#[test]
fn error_codes_added_and_removed_are_docs() {
    let code = |c: &str| ErrorCode {
        code: c.into(),
        description: String::new(),
        solution: String::new(),
    };
    let mut old = base();
    old.error_codes = vec![code("isv.a")];
    let mut new = base();
    new.error_codes = vec![code("isv.b")];
    let r = report(&[old], &[new]);
    let kinds: Vec<_> = r.changes.iter().map(|c| (c.kind, c.breaking)).collect();
    assert_eq!(
        kinds,
        [
            (Kind::ErrorCodeAdded, false),
            (Kind::ErrorCodeRemoved, false)
        ]
    );
    assert_eq!(r.semver(), Semver::Patch);
}

#[test]
fn code_values_added_are_minor_and_removed_break() {
    let with_codes = |codes: &[&str]| {
        let mut s = base();
        let status = &mut s.response[0].fields[0];
        status.values = codes
            .iter()
            .map(|c| {
                serde_json::from_value(serde_json::json!({"value": c, "description": "x"})).unwrap()
            })
            .collect();
        s
    };
    let old = with_codes(&["WAIT_BUYER_PAY", "TRADE_CLOSED"]);
    let added = with_codes(&["WAIT_BUYER_PAY", "TRADE_CLOSED", "TRADE_FINISHED"]);
    let r = report(std::slice::from_ref(&old), &[added]);
    let kinds: Vec<_> = r
        .changes
        .iter()
        .map(|c| (c.kind, c.path.as_str(), c.breaking))
        .collect();
    assert_eq!(kinds, [(Kind::ValueAdded, "Trade.status", false)]);
    assert_eq!(r.changes[0].new, "TRADE_FINISHED");
    assert!(
        r.changes[0].effect.contains("TradeFinished"),
        "{}",
        r.changes[0].effect
    );
    assert_eq!(r.semver(), Semver::Minor);

    let removed = with_codes(&["WAIT_BUYER_PAY"]);
    let r = report(std::slice::from_ref(&old), &[removed]);
    let kinds: Vec<_> = r.changes.iter().map(|c| (c.kind, c.breaking)).collect();
    assert_eq!(kinds, [(Kind::ValueRemoved, true)]);
    assert!(
        r.changes[0].effect.contains("TradeClosed"),
        "{}",
        r.changes[0].effect
    );
    assert_eq!(r.semver(), Semver::Major);

    // A String that becomes an enum is one type change, not a list of codes.
    let r = report(&[base()], &[old]);
    let kinds: Vec<_> = r.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [Kind::TypeChanged]);
}

#[test]
fn qimen_paths_keep_the_hoisted_struct() {
    let qimen = |extra: bool| {
        let mut s = base();
        s.api = "taobao.qimen.order.cancel".into();
        s.protocol = Protocol::Qimen;
        let mut fields = vec![required(param("orderCode", "String"))];
        if extra {
            fields.push(param("ownerCode", "String"));
        }
        s.request = vec![strukt("request", "Request", fields)];
        s
    };
    let r = report(&[qimen(false)], &[qimen(true)]);
    check(
        &r.changes[0],
        Kind::FieldAdded,
        "request.request.ownerCode",
        false,
        "`QimenOrderCancelRequest` gains `with_owner_code(…)`",
    );
}

#[test]
fn a_type_that_contains_itself_ends() {
    let tree_of = |extra: bool| {
        let mut s = base();
        let mut fields = vec![param("name", "String"), param("children", "Node")];
        fields[1].array = true;
        if extra {
            fields.push(param("size", "Number"));
        }
        s.response = vec![strukt("root", "Node", fields)];
        s
    };
    let r = report(&[tree_of(false)], &[tree_of(true)]);
    let paths: Vec<_> = r.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["Node.size"]);
}

#[test]
fn json_has_the_documented_keys() {
    let mut new = base();
    new.request.push(required(param("fields", "String")));
    let text = render::json(&report(&[base()], &[new]));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["semver"], "major");
    let c = &v["changes"][0];
    for key in ["api", "path", "kind", "breaking", "old", "new", "effect"] {
        assert!(c.get(key).is_some(), "{key} missing in {c}");
    }
    assert_eq!(c["kind"], "field-added");
    assert_eq!(c["api"], "taobao.trade.fullinfo.get");
    assert_eq!(c["old"], serde_json::Value::Null);
}

#[test]
fn markdown_puts_breaking_changes_first() {
    let mut new = base();
    new.request[0].example = Some("1".into());
    new.request.push(required(param("fields", "String")));
    let md = render::markdown(&report(&[base()], &[new]));
    let breaking = md.find("**breaking** field-added").expect(&md);
    let docs = md.find("- example-changed").expect(&md);
    assert!(breaking < docs, "{md}");
    assert!(md.starts_with("## API changes: semver major"), "{md}");
    assert!(md.contains("1 API changed, 1 breaking"), "{md}");
}
