//! Lists in any of the gateway's forms: bare, wrapped by the item name, one item, absent.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::exact::{Exact, number};
use super::structs::NotANumber;
use super::{KeyText, NUMBER_TOKEN, Wire, unknown};

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
    // Their numbers' digits come only with the whole value buffered.
    if T::EXACT {
        return items_from_value(Exact::TOP.deserialize(d)?);
    }
    d.deserialize_any(List(PhantomData))
}

fn items_from_value<T: Wire, E: de::Error>(v: Value) -> Result<Vec<T>, E> {
    items(v)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let before = unknown::count();
            let item = T::from_wire(v).map_err(|e| E::custom(format!("item {i}: {e}")));
            if unknown::count() != before {
                unknown::under_index(before, i);
            }
            item
        })
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
        let before = unknown::count();
        let item = seq.next_element_seed(Item(PhantomData));
        if unknown::count() != before {
            unknown::under_index(before, i);
        }
        match item {
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
        items_from_value(number(&v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        items_from_value(number(&v.to_string()))
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
        return items_from_value(number(&text));
    }
    let first = if T::may_start_item(&key) {
        map.next_value_seed(Exact::TOP)?
    } else {
        let before = unknown::count();
        let wrapped = map.next_value_seed(WrapperValue(PhantomData));
        if unknown::count() != before {
            unknown::under_key(before, &key);
        }
        match wrapped? {
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
        let v = map.next_value_seed(Exact::TOP)?;
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
        Ok(WrapperOr::Scalar(number(&v.to_string())))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(WrapperOr::Scalar(number(&v.to_string())))
    }
}
