//! Scalars in the gateway's loose forms, streamed.

use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use super::exact::{RAW_TOKEN, is_number};
use super::{KeyText, NUMBER_TOKEN, TEXT_KEYS, Wire};
use crate::types::DateTime;

/// A scalar in the gateway's loose forms: each says what it makes of text,
/// of a number (as written, digits exact) and of a boolean.
trait Loose: Sized {
    /// For messages: `an integer`.
    const WHAT: &'static str;
    /// See [`Wire::EMPTY_IS_VALUE`].
    const EMPTY_IS_VALUE: bool = false;
    /// See [`Wire::EXACT`].
    const EXACT: bool = false;
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
    const EXACT: bool = true;
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
    const EXACT: bool = true;
    fn from_text(s: &str) -> Result<Self, String> {
        parse_decimal(s.trim())
    }
    // The number exactly as sent (see `super::exact`).
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
            const EXACT: bool = <$t as Loose>::EXACT;
            fn may_start_item(key: &str) -> bool {
                TEXT_KEYS.contains(&key)
            }
            fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                LooseVisitor::<$t>::new(true).read(d)
            }
            fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                LooseVisitor::<$t>::new(false).read(d)?
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
    /// Whether to ask the reader for the value's raw text, when `T` needs
    /// a number's digits.
    raw: bool,
    ty: PhantomData<T>,
}

impl<T> Clone for LooseVisitor<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for LooseVisitor<T> {}

impl<T: Loose> LooseVisitor<T> {
    fn new(optional: bool) -> Self {
        LooseVisitor {
            optional,
            raw: true,
            ty: PhantomData,
        }
    }

    fn read<'de, D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        if T::EXACT && self.raw {
            d.deserialize_newtype_struct(RAW_TOKEN, self)
        } else {
            d.deserialize_any(self)
        }
    }

    /// A number from its digits; anything else read again from the text,
    /// without asking for raw text a second time (that bounds the depth).
    fn read_raw<E: de::Error>(self, raw: &str) -> Result<Option<T>, E> {
        let raw = raw.trim();
        if is_number(raw) {
            return T::from_number(digits(raw)).map(Some).map_err(E::custom);
        }
        let again = LooseVisitor { raw: false, ..self };
        let mut de = serde_json::Deserializer::from_str(raw);
        let v = de.deserialize_any(again).map_err(E::custom)?;
        de.end().map_err(E::custom)?;
        Ok(v)
    }

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
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
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
        let v = if key == RAW_TOKEN {
            let raw = map.next_value_seed(KeyText)?;
            self.read_raw(&raw)?
        } else if key == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            T::from_number(digits(&text))
                .map(Some)
                .map_err(A::Error::custom)?
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
        self.read(d)
    }
}

/// A number's digits as the scalars read them. `-0` is 0, as serde_json
/// reads it into a plain integer, so every reading agrees.
fn digits(text: &str) -> &str {
    if text == "-0" { "0" } else { text }
}
