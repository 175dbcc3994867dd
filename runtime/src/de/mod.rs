//! Lenient decoding of gateway answers, shared by every generated response type.
//!
//! The gateway is loose about types: numbers arrive as strings and strings as
//! numbers, booleans as `"true"`, lists wrapped by their item name
//! (`{"order_items": {"order_item": [...]}}`) or bare (`simplify=true`), and a
//! one-item list as the item itself. Generated structs implement
//! [`WireStruct`] (a field lookup and a field reader) and hand the rest to
//! [`wire_struct`]; every field is read by [`field_into`], so the rules live in one
//! place and a generated struct costs the compiler two `match`es. Answers are
//! streamed: a [`Value`] is built only where the form cannot be told without
//! looking ahead.
//!
//! XML answers go through [`from_xml`], which turns the document into the same
//! JSON shape (repeated elements become arrays, text stays text) and decodes
//! that, so both formats share one set of rules.

mod exact;
mod lists;
mod maps;
mod requests;
mod scalars;
mod structs;
pub mod unknown;
mod xml;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
use serde_json::Value;

pub(crate) use exact::{check_json, text_of};
pub use exact::{exact_value, plain};
pub use lists::list;
pub use requests::{
    WireRequest, need, read_list, read_list_option, read_option, read_required, wire_request,
};
pub use scalars::parse_decimal;
pub use structs::{FieldValue, WireStruct, field_into, skip, wire_struct};
pub use xml::{from_xml, xml_to_value};

use structs::StructOption;

/// How an answer is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decoding {
    /// The call asked for `simplify=true`: a TOP answer may come without
    /// its envelope.
    pub simplify: bool,
    /// A field the documents lack is an [`Error::UnknownField`](crate::Error::UnknownField)
    /// instead of a `debug` event. The platform's `request_id` beside the
    /// documented fields is always accepted.
    pub strict: bool,
}

impl Decoding {
    /// Enveloped answers, unknown fields reported and skipped.
    pub const fn new() -> Self {
        Decoding {
            simplify: false,
            strict: false,
        }
    }

    /// See [`Decoding::simplify`](#structfield.simplify).
    pub const fn simplify(mut self, on: bool) -> Self {
        self.simplify = on;
        self
    }

    /// See [`Decoding::strict`](#structfield.strict).
    pub const fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }
}

/// The key of a number kept as its digits: serde_json's own, with
/// `arbitrary_precision`, and [`exact`]'s buffered numbers.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A value that can be read from the gateway's loose JSON.
///
/// Generated structs implement it through [`WireStruct`]; scalars stream
/// their loose forms; maps and raw JSON go through a [`Value`].
pub trait Wire: DeserializeOwned {
    /// Whether an empty text (`<remark></remark>` in XML) is a value rather
    /// than an absent one. Only strings keep it.
    const EMPTY_IS_VALUE: bool = false;

    /// Whether the type needs a number's digits as sent (decimals, text,
    /// buffered JSON): it then asks the reader for the raw text.
    const EXACT: bool = false;

    /// Whether the type reads `arbitrary_precision`'s number map itself
    /// (scalars, maps) rather than refusing it as a struct must.
    const BUFFERED: bool = false;

    /// Whether a map whose first key is `key`, found where a list of `Self`
    /// belongs, may be one bare item rather than the wrapper
    /// `{"item_name": [...]}`. `true` when unsure: the map is then buffered
    /// and looked at whole.
    fn may_start_item(key: &str) -> bool {
        let _ = key;
        true
    }

    fn from_wire(v: Value) -> Result<Self, String> {
        Self::wire_item(v).map_err(|e| e.to_string())
    }

    /// A present-or-absent value read straight from `d`. Structs (the
    /// default) stream their fields; scalars stream their loose forms; maps
    /// and raw JSON go through [`Wire::from_wire`].
    fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        d.deserialize_any(StructOption(PhantomData))
    }

    /// One list item read straight from `d`; same split as [`Wire::wire_option`].
    fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize(d)
    }
}

/// Unwraps `{"$text": …}` / `{"$value": …}` (an XML reader's view of a text
/// element) and the `arbitrary_precision` number map.
/// The index of `key` among a type's wire names: a scan, as a `match` on
/// strings compiles to.
fn field_index(fields: &[&str], key: &str) -> Option<usize> {
    fields.iter().position(|f| *f == key)
}

fn scalar(v: Value) -> Value {
    match v {
        Value::Object(mut m) if m.len() == 1 => {
            for key in TEXT_KEYS.into_iter().chain([NUMBER_TOKEN]) {
                if let Some(inner) = m.remove(key) {
                    return scalar(inner);
                }
            }
            Value::Object(m)
        }
        v => v,
    }
}

/// Keys under which an XML reader puts an element's text.
const TEXT_KEYS: [&str; 2] = ["$text", "$value"];

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A map key, borrowed from the input when it can be.
pub(crate) struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
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

/// A required field of a request read on the receiving side
/// ([`crate::qimen::server`]): read as [`option`] does, and an absent value
/// (`null`, or `""` where text is not the type) is an error.
pub fn required<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Wire,
{
    T::wire_option(d)?.ok_or_else(|| de::Error::custom("a required value is empty"))
}

/// An optional list of a request read on the receiving side: [`list`], and
/// `Some` whenever the element is there, so an empty list sent stays one.
pub fn list_option<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Wire,
{
    list(d).map(Some)
}

/// An answer that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

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
