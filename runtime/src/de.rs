//! Lenient decoding of gateway answers, shared by every generated response type.
//!
//! The gateway is loose about types: numbers arrive as strings and strings as
//! numbers, booleans as `"true"`, lists wrapped by their item name
//! (`{"order_items": {"order_item": [...]}}`) or bare (`simplify=true`), and a
//! one-item list as the item itself. Generated fields name one of the helpers
//! here in `#[serde(deserialize_with = "…")]`; each reads a [`serde_json::Value`]
//! first and converts it, so the rules live in one place.
//!
//! XML answers go through [`from_xml`], which turns the document into the same
//! JSON shape (repeated elements become arrays, text stays text) and decodes
//! that, so both formats share one set of rules.

use std::collections::BTreeMap;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer,
};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::types::DateTime;

/// The magic key serde_json's `arbitrary_precision` uses for numbers seen
/// through `deserialize_any`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A value that can be read from the gateway's loose JSON.
///
/// Generated struct types implement it with the default method (plain serde);
/// scalars override it to accept the loose forms.
pub trait Wire: DeserializeOwned {
    /// Whether an empty text (`<remark></remark>` in XML) is a value rather
    /// than an absent one. Only strings keep it.
    const EMPTY_IS_VALUE: bool = false;

    /// Whether the type is read through a buffered [`Value`] (scalars, maps)
    /// rather than field by field (generated structs).
    const BUFFERED: bool = false;

    fn from_wire(v: Value) -> Result<Self, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    /// A present-or-absent value read straight from `d`. Structs (the
    /// default) stream their fields; scalars override it to go through
    /// [`Wire::from_wire`], which is cheap for one scalar.
    fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(StructOption(PhantomData))
    }

    /// One list item read straight from `d`; same split as [`Wire::wire_option`].
    fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize(d)
    }
}

/// Scalars are read as a [`Value`] and converted by their `from_wire`.
macro_rules! buffered_scalar {
    () => {
        const BUFFERED: bool = true;
        fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            optional(Value::deserialize(d)?).map_err(D::Error::custom)
        }
        fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Self::from_wire(Value::deserialize(d)?).map_err(D::Error::custom)
        }
    };
}

/// An optional struct without buffering: `null` and `""` are `None`, a map
/// is read field by field, anything else fails as `from_value` would.
struct StructOption<T>(PhantomData<T>);

impl<'de, T: Wire> Visitor<'de> for StructOption<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object, null or \"\"")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::wire_option(d)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(SeqAccessDeserializer::new(seq)).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(NotANumber(map))).map(Some)
    }
}

/// A map that refuses to be `arbitrary_precision`'s number map, so a number
/// where a struct belongs fails instead of reading as an empty struct.
struct NotANumber<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for NotANumber<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.0.next_key::<Cow<'de, str>>()? else {
            return Ok(None);
        };
        if key == NUMBER_TOKEN {
            return Err(A::Error::invalid_type(
                de::Unexpected::Other("number"),
                &"an object",
            ));
        }
        match key {
            Cow::Borrowed(k) => seed.deserialize(BorrowedStrDeserializer::new(k)),
            Cow::Owned(k) => seed.deserialize(StringDeserializer::new(k)),
        }
        .map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(seed)
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// Unwraps `{"$text": …}` / `{"$value": …}` (quick-xml's view of a text
/// element) and the `arbitrary_precision` number map.
fn scalar(v: Value) -> Value {
    match v {
        Value::Object(mut m) if m.len() == 1 => {
            for key in ["$text", "$value", NUMBER_TOKEN] {
                if let Some(inner) = m.remove(key) {
                    return scalar(inner);
                }
            }
            Value::Object(m)
        }
        v => v,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl Wire for String {
    const EMPTY_IS_VALUE: bool = true;
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        match scalar(v) {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(format!("expected text, found {}", kind(&other))),
        }
    }
}

impl Wire for i64 {
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        let text = match scalar(v) {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s,
            other => return Err(format!("expected an integer, found {}", kind(&other))),
        };
        text.trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a 64-bit integer"))
    }
}

impl Wire for bool {
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        match scalar(v) {
            Value::Bool(b) => Ok(b),
            Value::String(s) => match s.trim() {
                "true" | "True" | "TRUE" | "1" => Ok(true),
                "false" | "False" | "FALSE" | "0" => Ok(false),
                _ => Err(format!("`{s}` is not a boolean")),
            },
            Value::Number(n) => match n.to_string().as_str() {
                "1" => Ok(true),
                "0" => Ok(false),
                t => Err(format!("`{t}` is not a boolean")),
            },
            other => Err(format!("expected a boolean, found {}", kind(&other))),
        }
    }
}

impl Wire for Decimal {
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        let text = match scalar(v) {
            // With `arbitrary_precision` this is the number exactly as sent.
            Value::Number(n) => n.to_string(),
            Value::String(s) => s,
            other => return Err(format!("expected a decimal, found {}", kind(&other))),
        };
        parse_decimal(text.trim())
    }
}

/// Exact decimal text, scientific notation included; never through `f64`.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("`{text}` is not a decimal number"))
}

impl Wire for DateTime {
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        match scalar(v) {
            Value::String(s) => s.trim().parse().map_err(|e: chrono::ParseError| {
                format!("`{s}` is not a date-time like `2024-01-31 08:00:00`: {e}")
            }),
            other => Err(format!("expected a date-time, found {}", kind(&other))),
        }
    }
}

impl Wire for BTreeMap<String, String> {
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        match scalar(v) {
            Value::Object(m) => m
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::Object(_) | Value::Array(_) => v.to_string(),
                        v => String::from_wire(v)?,
                    };
                    Ok((k, text))
                })
                .collect(),
            // Some APIs send a map as its JSON text.
            Value::String(s) => {
                let v: Value =
                    serde_json::from_str(&s).map_err(|e| format!("not a JSON map: {e}"))?;
                Self::from_wire(v)
            }
            other => Err(format!("expected a map, found {}", kind(&other))),
        }
    }
}

impl Wire for Value {
    const EMPTY_IS_VALUE: bool = true;
    buffered_scalar!();
    fn from_wire(v: Value) -> Result<Self, String> {
        Ok(v)
    }
}

fn optional<T: Wire>(v: Value) -> Result<Option<T>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() && !T::EMPTY_IS_VALUE => Ok(None),
        v => T::from_wire(v).map(Some),
    }
}

/// An optional field: absent, `null` and (except for text) `""` are `None`.
pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Wire,
{
    T::wire_option(d)
}

/// The items of a list in any of the gateway's forms.
fn items(v: Value) -> Vec<Value> {
    match v {
        Value::Null => Vec::new(),
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::Array(a) => a,
        // `{"order_item": [...]}`: wrapped by the item name.
        Value::Object(m) if m.len() == 1 && !m.contains_key(NUMBER_TOKEN) => m
            .into_iter()
            .flat_map(|(_, v)| items_of_wrapper(v))
            .collect(),
        // A single item where a list was expected.
        v => vec![v],
    }
}

fn items_of_wrapper(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Null => Vec::new(),
        v => vec![v],
    }
}

/// A list field: bare, wrapped by its item name, a single item, or absent.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Wire,
{
    d.deserialize_any(List(PhantomData))
}

fn items_from_value<T: Wire, E: de::Error>(v: Value) -> Result<Vec<T>, E> {
    items(v)
        .into_iter()
        .enumerate()
        .map(|(i, v)| T::from_wire(v).map_err(|e| E::custom(format!("item {i}: {e}"))))
        .collect()
}

/// A list streamed item by item; only the forms that cannot be told apart
/// without looking ahead are buffered as a [`Value`] and read by [`items`].
struct List<T>(PhantomData<T>);

/// One list item, through [`Wire::wire_item`].
struct Item<T>(PhantomData<T>);

impl<'de, T: Wire> DeserializeSeed<'de> for Item<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::wire_item(d)
    }
}

/// The items of a sequence, each error prefixed with its index.
fn seq_items<'de, T: Wire, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
    loop {
        let i = out.len();
        match seq.next_element_seed(Item(PhantomData)) {
            Ok(Some(v)) => out.push(v),
            Ok(None) => return Ok(out),
            Err(e) => return Err(A::Error::custom(format!("item {i}: {e}"))),
        }
    }
}

/// A map that is the list's only item.
fn one_item<'de, T: Wire, A: MapAccess<'de>>(map: A) -> Result<Vec<T>, A::Error> {
    let item = if T::BUFFERED {
        T::wire_item(MapAccessDeserializer::new(map))
    } else {
        T::wire_item(MapAccessDeserializer::new(NotANumber(map)))
    };
    item.map(|v| vec![v])
        .map_err(|e| A::Error::custom(format!("item 0: {e}")))
}

/// The value under a wrapper key: a list, nothing, or one item.
struct Wrapped<T>(PhantomData<T>);

impl<'de, T: Wire> DeserializeSeed<'de> for Wrapped<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Wire> Visitor<'de> for Wrapped<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list or one item")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        seq_items(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        one_item(map)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        items_from_value(Value::Array(vec![Value::String(v.to_owned())]))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        items_from_value(Value::Array(vec![Value::Bool(v)]))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        items_from_value(Value::Array(vec![v.into()]))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        items_from_value(Value::Array(vec![v.into()]))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        items_from_value(Value::Array(vec![v.into()]))
    }
}

impl<'de, T: Wire> Visitor<'de> for List<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, a wrapped list, one item or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        seq_items(seq)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        items_from_value(Value::String(v.to_owned()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        items_from_value(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        items_from_value(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        items_from_value(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        items_from_value(Value::from(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // A map of one key wraps the list; any other map is one item. Only a
        // map that tells its size (a decoded `Value`) is streamed; otherwise
        // it is buffered, since its size is known only at its end.
        match map.size_hint() {
            Some(1) => {
                let Some(key) = map.next_key::<Cow<'de, str>>()? else {
                    return Ok(Vec::new());
                };
                if key == NUMBER_TOKEN {
                    let text: String = map.next_value()?;
                    let n = serde_json::from_str::<Value>(&text).map_err(A::Error::custom)?;
                    return items_from_value(n);
                }
                let v = map.next_value_seed(Wrapped(PhantomData))?;
                while map.next_key::<de::IgnoredAny>()?.is_some() {
                    map.next_value::<de::IgnoredAny>()?;
                }
                Ok(v)
            }
            Some(_) => one_item(map),
            None => items_from_value(Value::deserialize(MapAccessDeserializer::new(map))?),
        }
    }
}

/// An answer that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

/// Decode an XML answer. The root element is the envelope
/// (`<pc_order_cancel_response>`, `<response>`, `<error_response>`) and is
/// dropped; a fragment of several top-level elements is decoded as is.
pub fn from_xml<T: DeserializeOwned>(xml: &str) -> Result<T, DecodeError> {
    let doc = xml_to_value(xml)?;
    let body = match doc {
        Value::Object(m) if m.len() == 1 && m.values().all(Value::is_object) => {
            m.into_iter().next().map(|(_, v)| v).unwrap_or_default()
        }
        // `<flag>x</flag><code>y</code>`: the fragment is the body.
        doc => doc,
    };
    serde_json::from_value(body).map_err(|e| DecodeError(e.to_string()))
}

/// Elements nested deeper are refused (serde_json's own JSON limit).
const MAX_XML_DEPTH: usize = 128;

/// An XML document as JSON: elements become objects keyed by child name,
/// repeated children become arrays, leaf text stays a string (an empty
/// element is `""`). Attributes are dropped; the gateway does not use them.
pub fn xml_to_value(xml: &str) -> Result<Value, DecodeError> {
    use quick_xml::events::Event;

    struct Open {
        name: String,
        children: Map<String, Value>,
        text: String,
    }
    fn insert(map: &mut Map<String, Value>, name: String, v: Value) {
        match map.get_mut(&name) {
            Some(Value::Array(a)) => a.push(v),
            Some(old) => {
                let first = old.take();
                *old = Value::Array(vec![first, v]);
            }
            None => {
                map.insert(name, v);
            }
        }
    }
    fn close(open: Open) -> (String, Value) {
        let v = if open.children.is_empty() {
            Value::String(open.text)
        } else {
            Value::Object(open.children)
        };
        (open.name, v)
    }
    let err = |e: &dyn std::fmt::Display| DecodeError(format!("not well-formed XML: {e}"));

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = Map::new();
    let mut stack: Vec<Open> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| err(&e))? {
            // A deeper tree would overflow the stack when decoded or dropped.
            Event::Start(_) if stack.len() >= MAX_XML_DEPTH => {
                return Err(DecodeError(format!(
                    "nested deeper than {MAX_XML_DEPTH} elements"
                )));
            }
            Event::Start(s) => stack.push(Open {
                name: String::from_utf8_lossy(s.name().as_ref()).into_owned(),
                children: Map::new(),
                text: String::new(),
            }),
            Event::Empty(s) => {
                let name = String::from_utf8_lossy(s.name().as_ref()).into_owned();
                let parent = stack.last_mut().map_or(&mut root, |o| &mut o.children);
                insert(parent, name, Value::String(String::new()));
            }
            Event::End(_) => {
                let Some(open) = stack.pop() else {
                    return Err(DecodeError("not well-formed XML: unmatched end tag".into()));
                };
                let (name, v) = close(open);
                let parent = stack.last_mut().map_or(&mut root, |o| &mut o.children);
                insert(parent, name, v);
            }
            Event::Text(t) => {
                if let Some(o) = stack.last_mut() {
                    o.text.push_str(&t.decode().map_err(|e| err(&e))?);
                }
            }
            Event::CData(t) => {
                if let Some(o) = stack.last_mut() {
                    o.text.push_str(&t.decode().map_err(|e| err(&e))?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(o) = stack.last_mut() {
                    match r.resolve_char_ref().map_err(|e| err(&e))? {
                        Some(c) => o.text.push(c),
                        None => {
                            let name = r.decode().map_err(|e| err(&e))?;
                            let entity = format!("&{name};");
                            let text = quick_xml::escape::unescape(&entity).map_err(|e| err(&e))?;
                            o.text.push_str(&text);
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(DecodeError(format!(
            "not well-formed XML: <{}> is never closed",
            open.name
        )));
    }
    Ok(Value::Object(root))
}

/// The gateway's `error_response`, as the page's error example shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// Top-level code (`50`), kept as text.
    #[serde(default, deserialize_with = "option")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "option")]
    pub msg: Option<String>,
    #[serde(default, deserialize_with = "option")]
    pub sub_code: Option<String>,
    #[serde(default, deserialize_with = "option")]
    pub sub_msg: Option<String>,
    #[serde(default, deserialize_with = "option")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let wrapped = json(
            r#"{"ids": {"string": ["Top", "Pub"]}, "items": {"order_item": [{"item_id": 3}]}}"#,
        );
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
}
