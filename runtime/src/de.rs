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
/// Generated structs implement it through [`WireStruct`]; scalars stream
/// their loose forms; maps and raw JSON go through a [`Value`].
pub trait Wire: DeserializeOwned {
    /// Whether an empty text (`<remark></remark>` in XML) is a value rather
    /// than an absent one. Only strings keep it.
    const EMPTY_IS_VALUE: bool = false;

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

/// Maps and raw JSON are read as a [`Value`] and converted by `from_wire`.
macro_rules! buffered {
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
        let Some(key) = self.0.next_key_seed(KeyText)? else {
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

/// Unwraps `{"$text": …}` / `{"$value": …}` (an XML reader's view of a text
/// element) and the `arbitrary_precision` number map.
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

/// A scalar in the gateway's loose forms: each says what it makes of text,
/// of a number (as written, digits exact) and of a boolean.
trait Loose: Sized {
    /// For messages: `an integer`.
    const WHAT: &'static str;
    /// See [`Wire::EMPTY_IS_VALUE`].
    const EMPTY_IS_VALUE: bool = false;
    fn from_text(s: &str) -> Result<Self, String>;
    fn from_string(s: String) -> Result<Self, String> {
        Self::from_text(&s)
    }
    fn from_number(text: &str) -> Result<Self, String> {
        let _ = text;
        Err(format!("expected {}, found a number", Self::WHAT))
    }
    fn from_bool(b: bool) -> Result<Self, String> {
        let _ = b;
        Err(format!("expected {}, found a boolean", Self::WHAT))
    }
}

impl Loose for String {
    const WHAT: &'static str = "text";
    const EMPTY_IS_VALUE: bool = true;
    fn from_text(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
    fn from_string(s: String) -> Result<Self, String> {
        Ok(s)
    }
    fn from_number(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
    fn from_bool(b: bool) -> Result<Self, String> {
        Ok(b.to_string())
    }
}

impl Loose for i64 {
    const WHAT: &'static str = "an integer";
    fn from_text(s: &str) -> Result<Self, String> {
        s.trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a 64-bit integer"))
    }
    fn from_number(text: &str) -> Result<Self, String> {
        Self::from_text(text)
    }
}

impl Loose for bool {
    const WHAT: &'static str = "a boolean";
    fn from_text(s: &str) -> Result<Self, String> {
        match s.trim() {
            "true" | "True" | "TRUE" | "1" => Ok(true),
            "false" | "False" | "FALSE" | "0" => Ok(false),
            _ => Err(format!("`{s}` is not a boolean")),
        }
    }
    fn from_number(text: &str) -> Result<Self, String> {
        match text {
            "1" => Ok(true),
            "0" => Ok(false),
            t => Err(format!("`{t}` is not a boolean")),
        }
    }
    fn from_bool(b: bool) -> Result<Self, String> {
        Ok(b)
    }
}

impl Loose for Decimal {
    const WHAT: &'static str = "a decimal";
    fn from_text(s: &str) -> Result<Self, String> {
        parse_decimal(s.trim())
    }
    // With `arbitrary_precision` this is the number exactly as sent.
    fn from_number(text: &str) -> Result<Self, String> {
        parse_decimal(text)
    }
}

/// Exact decimal text, scientific notation included; never through `f64`.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("`{text}` is not a decimal number"))
}

impl Loose for DateTime {
    const WHAT: &'static str = "a date-time";
    fn from_text(s: &str) -> Result<Self, String> {
        s.trim().parse().map_err(|e: chrono::ParseError| {
            format!("`{s}` is not a date-time like `2024-01-31 08:00:00`: {e}")
        })
    }
}

/// Scalars stream: no [`Value`] is built for them.
macro_rules! loose_wire {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            const EMPTY_IS_VALUE: bool = <$t as Loose>::EMPTY_IS_VALUE;
            const BUFFERED: bool = true;
            fn may_start_item(key: &str) -> bool {
                TEXT_KEYS.contains(&key)
            }
            fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                d.deserialize_any(LooseVisitor::<$t> { optional: true, ty: PhantomData })
            }
            fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(LooseVisitor::<$t> { optional: false, ty: PhantomData })?
                    .ok_or_else(|| D::Error::custom(format!("expected {}, found null", <$t as Loose>::WHAT)))
            }
        }
    )*};
}

loose_wire!(String, i64, bool, Decimal, DateTime);

/// One scalar; `None` for `null`, and for `""` when `optional` and the type
/// is not text.
struct LooseVisitor<T> {
    optional: bool,
    ty: PhantomData<T>,
}

impl<T: Loose> LooseVisitor<T> {
    fn found<E: de::Error>(what: &str) -> E {
        E::custom(format!("expected {}, found {what}", T::WHAT))
    }
}

impl<'de, T: Loose> Visitor<'de> for LooseVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::WHAT)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::from_bool(v).map(Some).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_number(&v.to_string()).map(Some).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_number(&v.to_string()).map(Some).map_err(E::custom)
    }
    // A `Value` holding a number past 64 bits hands it over as 128 bits.
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        T::from_number(&v.to_string()).map(Some).map_err(E::custom)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        T::from_number(&v.to_string()).map(Some).map_err(E::custom)
    }
    // A `Value` hands over a float only when it prints back as sent.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        let text = serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string());
        T::from_number(&text).map(Some).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() && self.optional && !T::EMPTY_IS_VALUE {
            return Ok(None);
        }
        T::from_text(v).map(Some).map_err(E::custom)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        if v.is_empty() && self.optional && !T::EMPTY_IS_VALUE {
            return Ok(None);
        }
        T::from_string(v).map(Some).map_err(E::custom)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(Self::found("a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(key) = map.next_key_seed(KeyText)? else {
            return Err(Self::found("an object"));
        };
        let v = if key == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            // A `Value` hands `-0` over as the integer 0; read it the same
            // way, so streamed and buffered answers agree.
            let text = if text == "-0" { "0" } else { &text };
            T::from_number(text).map(Some).map_err(A::Error::custom)?
        } else if TEXT_KEYS.contains(&&*key) {
            map.next_value_seed(self)?
        } else {
            return Err(Self::found("an object"));
        };
        if map.next_key_seed(KeyText)?.is_some() {
            return Err(Self::found("an object"));
        }
        Ok(v)
    }
}

impl<'de, T: Loose> DeserializeSeed<'de> for LooseVisitor<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
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

impl Wire for BTreeMap<String, String> {
    buffered!();
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
    buffered!();
    fn from_wire(v: Value) -> Result<Self, String> {
        Ok(v)
    }
}

/// A generated response struct: its fields by wire name, and a reader for
/// each. [`wire_struct!`](crate::wire_struct!) adds `Deserialize` and
/// [`Wire`] on top, so the per-struct code is two `match`es.
pub trait WireStruct: Default {
    /// The index of the field sent as `key`; `None` for a key the page did
    /// not document (its value is skipped).
    fn field(key: &str) -> Option<usize>;

    /// Reads the value of field `index` (from [`WireStruct::field`]) off
    /// `map`, with [`field_into`].
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
}

/// The impls every generated struct shares, given its [`WireStruct`]:
/// `Deserialize` through [`wire_struct`], and [`Wire`] with its field names
/// telling a bare list item from a list wrapper.
#[macro_export]
macro_rules! wire_struct {
    ($t:ty) => {
        impl<'de> $crate::__serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::de::wire_struct(d)
            }
        }
        impl $crate::de::Wire for $t {
            fn may_start_item(key: &str) -> bool {
                <Self as $crate::de::WireStruct>::field(key).is_some()
            }
        }
    };
}

/// `Deserialize` of a generated struct: an object, read field by field;
/// unknown keys are skipped, a repeated key keeps its last value.
pub fn wire_struct<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: WireStruct,
{
    d.deserialize_map(StructVisitor(PhantomData))
}

/// Reads one field's value into `slot`, in the gateway's loose forms:
/// `Option<T>` as [`option`] does, `Vec<T>` as [`list`] does.
pub fn field_into<'de, A, F>(map: &mut A, slot: &mut F) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FieldValue,
{
    *slot = map.next_value_seed(FieldSeed(PhantomData))?;
    Ok(())
}

/// Skips a value nobody reads.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

/// The type of a generated response field.
pub trait FieldValue: Sized {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

impl<T: Wire> FieldValue for Option<T> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        option(d)
    }
}

impl<T: Wire> FieldValue for Vec<T> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        list(d)
    }
}

struct FieldSeed<F>(PhantomData<F>);

impl<'de, F: FieldValue> DeserializeSeed<'de> for FieldSeed<F> {
    type Value = F;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<F, D::Error> {
        F::read(d)
    }
}

/// A key of a generated struct, resolved without allocating.
enum StructKey {
    Field(usize),
    Unknown,
    /// `arbitrary_precision`'s number map: a number where an object belongs.
    Number,
}

struct StructKeySeed<T>(PhantomData<T>);

impl<'de, T: WireStruct> DeserializeSeed<'de> for StructKeySeed<T> {
    type Value = StructKey;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StructKey, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, T: WireStruct> Visitor<'de> for StructKeySeed<T> {
    type Value = StructKey;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<StructKey, E> {
        Ok(match T::field(v) {
            Some(i) => StructKey::Field(i),
            None if v == NUMBER_TOKEN => StructKey::Number,
            None => StructKey::Unknown,
        })
    }
}

struct StructVisitor<T>(PhantomData<T>);

/// Reads the rest of a struct's map into `out`.
fn struct_fields<'de, T: WireStruct, A: MapAccess<'de>>(
    out: &mut T,
    map: &mut A,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key_seed(StructKeySeed::<T>(PhantomData))? {
        match key {
            StructKey::Field(i) => out.read(i, map)?,
            StructKey::Unknown => skip(map)?,
            StructKey::Number => {
                return Err(A::Error::invalid_type(
                    de::Unexpected::Other("number"),
                    &"an object",
                ));
            }
        }
    }
    Ok(())
}

impl<'de, T: WireStruct> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        struct_fields(&mut out, &mut map)?;
        Ok(out)
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
    // A `Value` holding a number past 64 bits hands it over as 128 bits.
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        items_from_value(Value::deserialize(v.into_deserializer())?)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        items_from_value(Value::deserialize(v.into_deserializer())?)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        // A map that tells its size (a decoded `Value`) and has other than
        // one key is one item; any other is told by its first key.
        match map.size_hint() {
            Some(n) if n != 1 => one_item(map),
            _ => map_as_list(map),
        }
    }
}

/// A map where a list belongs, of one key or of a size not known before its
/// end. Its first key decides: a key an item cannot start with is the
/// wrapper (`{"order_item": [...]}`), streamed; otherwise the map is
/// buffered and read as [`items`] reads it.
fn map_as_list<'de, T: Wire, A: MapAccess<'de>>(mut map: A) -> Result<Vec<T>, A::Error> {
    let Some(key) = map.next_key_seed(KeyText)? else {
        return items_from_value(Value::Object(Map::new()));
    };
    if key == NUMBER_TOKEN {
        let text: String = map.next_value()?;
        let n = serde_json::from_str::<Value>(&text).map_err(A::Error::custom)?;
        return items_from_value(n);
    }
    let first = if T::may_start_item(&key) {
        map.next_value::<Value>()?
    } else {
        match map.next_value_seed(WrapperValue(PhantomData))? {
            WrapperOr::List(items) => {
                return match map.next_key_seed(KeyText)? {
                    None => Ok(items),
                    Some(next) => Err(A::Error::custom(format!(
                        "`{key}` holds a list, so it was read as the list's wrapper, but `{next}` follows it"
                    ))),
                };
            }
            WrapperOr::Scalar(v) => v,
        }
    };
    let mut whole = Map::new();
    whole.insert(key.into_owned(), first);
    while let Some(key) = map.next_key_seed(KeyText)? {
        let v = map.next_value::<Value>()?;
        whole.insert(key.into_owned(), v);
    }
    items_from_value(Value::Object(whole))
}

/// The value under what looks like a wrapper key: a list or an object are
/// the list; a scalar is kept until the rest of the map tells.
enum WrapperOr<T> {
    List(Vec<T>),
    Scalar(Value),
}

struct WrapperValue<T>(PhantomData<T>);

impl<'de, T: Wire> DeserializeSeed<'de> for WrapperValue<T> {
    type Value = WrapperOr<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Wire> Visitor<'de> for WrapperValue<T> {
    type Value = WrapperOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, an item or a scalar")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        seq_items(seq).map(WrapperOr::List)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        one_item(map).map(WrapperOr::List)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(Value::String(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(v.into()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Value::deserialize(v.into_deserializer()).map(WrapperOr::Scalar)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Value::deserialize(v.into_deserializer()).map(WrapperOr::Scalar)
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

    /// `Item` and part of `Body` as the generator writes them.
    #[derive(Debug, Default, PartialEq)]
    struct WItem {
        item_id: Option<i64>,
        can_buy: Option<bool>,
    }
    impl WireStruct for WItem {
        fn field(key: &str) -> Option<usize> {
            match key {
                "item_id" => Some(0),
                "can_buy" => Some(1),
                _ => None,
            }
        }
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
        fn field(key: &str) -> Option<usize> {
            ["id", "name", "fee", "ids", "items"]
                .iter()
                .position(|k| *k == key)
        }
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
    /// `Value`, whose maps tell their size) must agree with each other and
    /// with the derived reader of the same fields.
    fn both_ways(text: &str) -> Result<WBody, String> {
        let streamed = serde_json::from_str::<WBody>(text).map_err(|e| e.to_string());
        let value: Value = serde_json::from_str(text).unwrap();
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
        let b =
            both_ways(r#"{"items": {"order_item": [{"item_id": 3}, {"can_buy": 1}]}}"#).unwrap();
        assert_eq!(b.items[1].can_buy, Some(true));
        // A repeated key keeps its last value, as a `Value` would (serde's
        // derive refuses it).
        let twice = r#"{"id": 1, "id": 2}"#;
        assert_eq!(serde_json::from_str::<WBody>(twice).unwrap().id, Some(2));
        let v: Value = serde_json::from_str(twice).unwrap();
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
