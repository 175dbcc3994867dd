//! Text encoding of request parameters, used by every generated `params()`.
//!
//! Scalars go as their text (a decimal exactly as held, `10.50` stays
//! `10.50`), lists of scalars comma-joined, structs, maps and JSON values as
//! JSON strings.

use crate::request::EncodeError;
use crate::types::{DateTime, Decimal};

/// A scalar parameter value.
pub trait Text {
    fn to_text(&self) -> String;
}

impl Text for String {
    fn to_text(&self) -> String {
        self.clone()
    }
}

impl Text for i64 {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl Text for bool {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl Text for Decimal {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl Text for DateTime {
    fn to_text(&self) -> String {
        self.to_string()
    }
}

/// A scalar as text.
pub fn text<T: Text>(v: &T) -> String {
    v.to_text()
}

/// A list of scalars, comma-joined as the gateway expects.
pub fn joined<T: Text>(v: &[T]) -> String {
    v.iter().map(Text::to_text).collect::<Vec<_>>().join(",")
}

/// A struct, list of structs, map or JSON value as a JSON string.
pub fn json<T: serde::Serialize>(
    api: &'static str,
    param: &'static str,
    v: &T,
) -> Result<String, EncodeError> {
    serde_json::to_string(v).map_err(|e| EncodeError {
        api,
        param,
        message: e.to_string(),
    })
}

/// The element name a list item takes in a Qimen XML body.
pub trait XmlItem {
    const ELEMENT: &'static str;
}

impl XmlItem for String {
    const ELEMENT: &'static str = "string";
}

impl XmlItem for i64 {
    const ELEMENT: &'static str = "number";
}

impl XmlItem for bool {
    const ELEMENT: &'static str = "boolean";
}

impl XmlItem for Decimal {
    const ELEMENT: &'static str = "number";
}

impl XmlItem for DateTime {
    const ELEMENT: &'static str = "date";
}

/// Serializes a list as Qimen XML writes it: wrapped by its item name
/// (`<subSourceOrders><subSourceOrder>…</subSourceOrder></subSourceOrders>`).
pub fn xml_items<S, T>(v: &[T], s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: XmlItem + serde::Serialize,
{
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(T::ELEMENT, v)?;
    m.end()
}

/// [`xml_items`] for an optional list (skipped when `None`).
pub fn xml_items_opt<S, T>(v: &Option<Vec<T>>, s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: XmlItem + serde::Serialize,
{
    xml_items(v.as_deref().unwrap_or_default(), s)
}

/// The Qimen XML body of a request: `value` under a `<request>` root.
pub fn qimen_xml<T: serde::Serialize>(api: &'static str, v: &T) -> Result<String, EncodeError> {
    quick_xml::se::to_string_with_root("request", v).map_err(|e| EncodeError {
        api,
        param: "request",
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_and_lists() {
        assert_eq!(text(&"10.50".parse::<Decimal>().unwrap()), "10.50");
        assert_eq!(text(&3_045_861_756_863_154_425_i64), "3045861756863154425");
        assert_eq!(text(&true), "true");
        assert_eq!(joined(&["Top".to_string(), "Pub".to_string()]), "Top,Pub");
        assert_eq!(joined::<i64>(&[]), "");
    }

    #[derive(serde::Serialize)]
    struct Sub {
        #[serde(rename = "subSourceOrderCode")]
        code: String,
    }
    impl XmlItem for Sub {
        const ELEMENT: &'static str = "subSourceOrder";
    }
    #[derive(serde::Serialize)]
    struct Body {
        #[serde(rename = "orderCode")]
        order_code: String,
        #[serde(rename = "subSourceOrders", serialize_with = "xml_items")]
        subs: Vec<Sub>,
    }

    #[test]
    fn qimen_lists_are_wrapped_by_item_name() {
        let b = Body {
            order_code: "O1".into(),
            subs: vec![Sub { code: "a".into() }, Sub { code: "b".into() }],
        };
        assert_eq!(
            qimen_xml("x", &b).unwrap(),
            "<request><orderCode>O1</orderCode><subSourceOrders>\
             <subSourceOrder><subSourceOrderCode>a</subSourceOrderCode></subSourceOrder>\
             <subSourceOrder><subSourceOrderCode>b</subSourceOrderCode></subSourceOrder>\
             </subSourceOrders></request>"
        );
    }
}
