use super::*;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::MapAccess;

use crate::types::DateTime;

#[derive(Debug, Default, PartialEq, Deserialize)]
struct Item {
    #[serde(default, deserialize_with = "option")]
    item_id: Option<i64>,
    #[serde(default, deserialize_with = "option")]
    can_buy: Option<bool>,
}
impl Wire for Item {}

#[derive(Debug, Default, PartialEq, Deserialize)]
struct Body {
    #[serde(default, deserialize_with = "option")]
    id: Option<i64>,
    #[serde(default, deserialize_with = "option")]
    ok: Option<bool>,
    #[serde(default, deserialize_with = "option")]
    name: Option<String>,
    #[serde(default, deserialize_with = "option")]
    fee: Option<Decimal>,
    #[serde(default, deserialize_with = "option")]
    at: Option<DateTime>,
    #[serde(default, deserialize_with = "list")]
    ids: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    items: Vec<Item>,
    #[serde(default, deserialize_with = "option")]
    props: Option<BTreeMap<String, String>>,
}

fn json(text: &str) -> Body {
    serde_json::from_str(text).unwrap()
}

/// `Item` and part of `Body` as the generator writes them.
#[derive(Debug, Default, PartialEq)]
struct WItem {
    item_id: Option<i64>,
    can_buy: Option<bool>,
}
impl WireStruct for WItem {
    const FIELDS: &'static [&'static str] = &["item_id", "can_buy"];
    fn read<'de, A: MapAccess<'de>>(&mut self, i: usize, map: &mut A) -> Result<(), A::Error> {
        match i {
            0 => field_into(map, &mut self.item_id),
            1 => field_into(map, &mut self.can_buy),
            _ => skip(map),
        }
    }
}
crate::wire_struct!(WItem);

#[derive(Debug, Default, PartialEq)]
struct WBody {
    id: Option<i64>,
    name: Option<String>,
    fee: Option<Decimal>,
    ids: Vec<String>,
    items: Vec<WItem>,
}
impl WireStruct for WBody {
    const FIELDS: &'static [&'static str] = &["id", "name", "fee", "ids", "items"];
    fn read<'de, A: MapAccess<'de>>(&mut self, i: usize, map: &mut A) -> Result<(), A::Error> {
        match i {
            0 => field_into(map, &mut self.id),
            1 => field_into(map, &mut self.name),
            2 => field_into(map, &mut self.fee),
            3 => field_into(map, &mut self.ids),
            4 => field_into(map, &mut self.items),
            _ => skip(map),
        }
    }
}
crate::wire_struct!(WBody);

/// The streamed reading (from text) and the buffered one (from a
/// `Value` as the runtime buffers an answer, whose maps tell their size)
/// must agree with each other and with the derived reader of the same fields.
fn both_ways(text: &str) -> Result<WBody, String> {
    let streamed = serde_json::from_str::<WBody>(text).map_err(|e| e.to_string());
    let value = exact_value(text.as_bytes()).unwrap();
    let buffered = serde_json::from_value::<WBody>(value).map_err(|e| e.to_string());
    assert_eq!(
        streamed.is_ok(),
        buffered.is_ok(),
        "{text}: {streamed:?} / {buffered:?}"
    );
    if let Ok(b) = &streamed {
        assert_eq!(Ok(b), buffered.as_ref(), "{text}");
        let derived = json(text);
        assert_eq!(
            (derived.id, &derived.name, derived.fee, &derived.ids),
            (b.id, &b.name, b.fee, &b.ids),
            "{text}"
        );
        let items: Vec<WItem> = derived
            .items
            .into_iter()
            .map(|i| WItem {
                item_id: i.item_id,
                can_buy: i.can_buy,
            })
            .collect();
        assert_eq!(items, b.items, "{text}");
    }
    streamed
}

#[test]
fn generated_structs_read_every_form() {
    for text in [
        r#"{"id": 9007199254740993, "name": 200, "fee": 10.50}"#,
        r#"{"id": "9007199254740993", "name": "200", "fee": "10.50"}"#,
        r#"{"id": null, "name": "", "fee": ""}"#,
        r#"{"ids": {"string": ["Top", "Pub"]}, "items": {"order_item": [{"item_id": 3}]}}"#,
        r#"{"ids": ["Top", "Pub"], "items": [{"item_id": "3", "can_buy": "true"}]}"#,
        r#"{"ids": {"string": "Top"}, "items": {"order_item": {"item_id": 3}}}"#,
        r#"{"items": {"item_id": 3, "can_buy": false}}"#,
        r#"{"items": {"undocumented": 1, "item_id": 3}}"#,
        r#"{"items": {"order_item": null}, "ids": ""}"#,
        r#"{"items": {}, "ids": null, "unknown": {"deep": [1, 2]}}"#,
        // Past 64 bits, and `-0`, which a `Value` reads as 0.
        r#"{"name": 99999999999999999999999999, "ids": -9223372036854775809}"#,
        r#"{"name": -0, "ids": [-0], "fee": -0}"#,
        r#"{"fee": 1.5, "name": 1.50, "ids": [1e5, 2.0]}"#,
    ] {
        both_ways(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    let b = both_ways(r#"{"items": {"order_item": [{"item_id": 3}, {"can_buy": 1}]}}"#).unwrap();
    assert_eq!(b.items[1].can_buy, Some(true));
    // A repeated key keeps its last value, as a `Value` would (serde's
    // derive refuses it).
    let twice = r#"{"id": 1, "id": 2}"#;
    assert_eq!(serde_json::from_str::<WBody>(twice).unwrap().id, Some(2));
    let v = exact_value(twice.as_bytes()).unwrap();
    assert_eq!(serde_json::from_value::<WBody>(v).unwrap().id, Some(2));
    for bad in [
        r#"{"id": "abc"}"#,
        r#"{"id": [1]}"#,
        r#"{"items": 5}"#,
        r#"{"items": [{"item_id": {"x": 1}}]}"#,
    ] {
        assert!(both_ways(bad).is_err(), "{bad}");
    }
    // A number where an object belongs is an error, not an empty struct.
    let e = serde_json::from_str::<WBody>(r#"{"items": [7]}"#).unwrap_err();
    assert!(e.to_string().contains("item 0"), "{e}");
}

#[test]
fn a_wrapper_is_streamed_and_checked() {
    // Streamed from text, a wrapper followed by more keys cannot be
    // taken back; it is an error that says so.
    let e = serde_json::from_str::<WBody>(r#"{"items": {"order_item": [], "item_id": 3}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`order_item` holds a list"), "{e}");
    assert!(e.contains("`item_id` follows it"), "{e}");
}

#[test]
fn numbers_and_booleans_in_either_form() {
    let a = json(r#"{"id": 9007199254740993, "ok": true, "name": 200}"#);
    let b = json(r#"{"id": "9007199254740993", "ok": "true", "name": "200"}"#);
    assert_eq!(a, b);
    // 2^53 + 1: not representable in f64, must survive exactly.
    assert_eq!(a.id, Some(9_007_199_254_740_993));
    assert_eq!(a.name.as_deref(), Some("200"));
    assert_eq!(
        json(r#"{"id": 3045861756863154425}"#).id,
        Some(3_045_861_756_863_154_425)
    );
}

#[test]
fn ids_are_exact_at_the_edges() {
    let max = json(&format!(r#"{{"id": {}, "name": {}}}"#, i64::MAX, u64::MAX));
    assert_eq!(max.id, Some(i64::MAX));
    assert_eq!(max.name.as_deref(), Some("18446744073709551615"));
    assert_eq!(
        json(&format!(r#"{{"id": {}}}"#, i64::MIN)).id,
        Some(i64::MIN)
    );
    // Past 64 bits an id is refused, not rounded.
    assert!(serde_json::from_str::<Body>(r#"{"id": 9223372036854775808}"#).is_err());
    let b = both_ways(r#"{"id": 9223372036854775807, "name": 9007199254740993}"#).unwrap();
    assert_eq!(b.id, Some(i64::MAX));
    assert_eq!(b.name.as_deref(), Some("9007199254740993"));
}

#[test]
fn amounts_sent_as_numbers_add_up() {
    let a = both_ways(r#"{"fee": 0.1}"#).unwrap().fee.unwrap();
    let b = both_ways(r#"{"fee": 0.2}"#).unwrap().fee.unwrap();
    assert_eq!(a + b, "0.3".parse::<Decimal>().unwrap());
    assert_eq!((a + b).to_string(), "0.3");
    // Digits f64 cannot hold, in every reading.
    let big = both_ways(r#"{"fee": 12345678901234567.89}"#).unwrap();
    assert_eq!(big.fee.unwrap().to_string(), "12345678901234567.89");
    let xml: Body = from_xml("<r><fee>0.10</fee></r>").unwrap();
    assert_eq!(xml.fee.unwrap().to_string(), "0.10");
}

#[test]
fn money_is_exact() {
    let a = json(r#"{"fee": 10.50}"#);
    let b = json(r#"{"fee": "10.50"}"#);
    assert_eq!(a.fee.unwrap().to_string(), "10.50");
    assert_eq!(b.fee.unwrap().to_string(), "10.50");
    let big = json(r#"{"fee": 12345678901234567.89}"#);
    assert_eq!(big.fee.unwrap().to_string(), "12345678901234567.89");
}

#[test]
fn lists_wrapped_bare_single_and_absent() {
    let wrapped =
        json(r#"{"ids": {"string": ["Top", "Pub"]}, "items": {"order_item": [{"item_id": 3}]}}"#);
    let bare = json(r#"{"ids": ["Top", "Pub"], "items": [{"item_id": "3"}]}"#);
    let single =
        json(r#"{"ids": {"string": ["Top", "Pub"]}, "items": {"order_item": {"item_id": 3}}}"#);
    assert_eq!(wrapped, bare);
    assert_eq!(wrapped, single);
    assert_eq!(wrapped.ids, ["Top", "Pub"]);
    assert_eq!(wrapped.items[0].item_id, Some(3));
    let bare_item = json(r#"{"items": {"item_id": 3, "can_buy": false}}"#);
    assert_eq!(
        bare_item.items,
        [Item {
            item_id: Some(3),
            can_buy: Some(false)
        }]
    );
    assert_eq!(json("{}"), Body::default());
    assert_eq!(json(r#"{"ids": null, "items": ""}"#), Body::default());
}

#[test]
fn dates_and_maps() {
    let b = json(r#"{"at": "2024-01-31 08:00:05", "props": {"a": "1", "b": 2}}"#);
    assert_eq!(b.at.unwrap().to_string(), "2024-01-31 08:00:05");
    assert_eq!(b.props.unwrap()["b"], "2");
}

#[test]
fn bad_values_are_errors_not_guesses() {
    let e = serde_json::from_str::<Body>(r#"{"id": "abc"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`abc` is not a 64-bit integer"), "{e}");
    assert!(serde_json::from_str::<Body>(r#"{"ok": "yes"}"#).is_err());
    assert!(serde_json::from_str::<Body>(r#"{"id": 1.5}"#).is_err());
}

#[test]
fn xml_decodes_like_json() {
    let xml = "<x_response><id>9007199254740993</id><ok>true</ok><name>a &amp; b</name>\
               <ids><string>Top</string><string>Pub</string></ids>\
               <items><order_item><item_id>3</item_id><can_buy>false</can_buy></order_item></items>\
               <props/></x_response>";
    let b: Body = from_xml(xml).unwrap();
    assert_eq!(b.id, Some(9_007_199_254_740_993));
    assert_eq!(b.name.as_deref(), Some("a & b"));
    assert_eq!(b.ids, ["Top", "Pub"]);
    assert_eq!(
        b.items,
        [Item {
            item_id: Some(3),
            can_buy: Some(false)
        }]
    );
    assert_eq!(b.props, None);
}

#[test]
fn xml_fragments_and_errors() {
    let b: ErrorResponse = from_xml("<code>50</code><msg>bad</msg>").unwrap();
    assert_eq!(b.code.as_deref(), Some("50"));
    let e: ErrorResponse =
        from_xml("<error_response><code>50</code><sub_msg>非法参数</sub_msg></error_response>")
            .unwrap();
    assert_eq!(e.sub_msg.as_deref(), Some("非法参数"));
    assert!(from_xml::<ErrorResponse>("<a><b></a>").is_err());
    assert!(from_xml::<ErrorResponse>("<a>").is_err());
    // Deep nesting is refused, not decoded into a tree that overflows
    // the stack when dropped.
    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    let e = from_xml::<ErrorResponse>(&deep).unwrap_err();
    assert!(e.0.contains("nested deeper than 128"), "{e}");
}
