//! Numbers exactly as sent, without serde_json's `arbitrary_precision`.
//!
//! That feature is global: turning it on here would turn it on for every
//! crate in a user's build, where it breaks `untagged`, `flatten` and
//! internally tagged enums. Instead the few readers that need a number's
//! digits (decimals, text, buffered values) ask serde_json for the value's
//! raw text ([`serde_json::value::RawValue`]'s protocol) and read the digits
//! from it. Buffered values keep a number as the one-key map
//! `{NUMBER_TOKEN: "digits"}`, the form `arbitrary_precision` hands over, so
//! every reader sees one shape whether or not another crate in the build
//! turned the feature on.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{KeyText, NUMBER_TOKEN};

/// The name under which serde_json hands over a value's raw text.
pub(super) const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// Containers nested deeper are refused: serde_json's own limit, which
/// counts 128 with the last one refused.
const MAX_DEPTH: usize = 127;

/// Whether raw JSON text is a number.
pub(super) fn is_number(raw: &str) -> bool {
    raw.starts_with(|c: char| c == '-' || c.is_ascii_digit())
}

/// A buffered number: the digits as sent.
pub(super) fn number(text: &str) -> Value {
    let mut m = Map::new();
    m.insert(NUMBER_TOKEN.to_owned(), Value::String(text.to_owned()));
    Value::Object(m)
}

/// The digits of a buffered number, if `v` is one.
pub(super) fn number_text(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get(NUMBER_TOKEN)?.as_str(),
        _ => None,
    }
}

/// A buffered value as plain JSON for the caller: numbers become
/// [`serde_json::Number`]s (exact up to 64-bit integers; others as `f64`,
/// which is all a plain [`Value`] holds).
pub fn plain(v: Value) -> Value {
    if let Some(text) = number_text(&v) {
        return serde_json::from_str(text).unwrap_or(Value::Null);
    }
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(plain).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, plain(v))).collect()),
        v => v,
    }
}

/// A field's text for messages and error codes: a string as is, a number's
/// digits, anything else as JSON; `None` for `null`.
pub(crate) fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        v => Some(number_text(v).map_or_else(|| plain(v.clone()).to_string(), str::to_owned)),
    }
}

/// A whole JSON document buffered with its numbers exact.
pub fn exact_value(json: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let v = de.deserialize_newtype_struct(RAW_TOKEN, Exact { depth: 0 })?;
    de.end()?;
    Ok(v)
}

/// Checks that `json` is one well-formed JSON document within serde_json's
/// depth limit, strings and escapes included (raw text alone is not checked
/// that closely). Numbers of any size are well-formed: they are digits.
pub(crate) fn check_json(json: &[u8]) -> Result<(), serde_json::Error> {
    exact_value(json).map(drop)
}

/// One value buffered with its numbers exact.
#[derive(Clone, Copy)]
pub(super) struct Exact {
    depth: usize,
}

impl Exact {
    pub(super) const TOP: Exact = Exact { depth: 0 };

    fn deeper<E: de::Error>(self) -> Result<Exact, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(Exact {
            depth: self.depth + 1,
        })
    }

    /// Reads raw JSON text (serde_json has checked it) in one pass: a
    /// number is kept as its digits. Parsing each container's text again
    /// would read a value once per level above it.
    fn read_raw<E: de::Error>(self, raw: &str) -> Result<Value, E> {
        let mut scan = Scan { text: raw, at: 0 };
        let v = scan.value(self.depth).map_err(E::custom)?;
        scan.space();
        match scan.at == raw.len() {
            true => Ok(v),
            false => Err(E::custom("trailing characters after a JSON value")),
        }
    }
}

/// A one-pass reader of JSON text already checked by serde_json. It still
/// refuses anything unexpected with an error, never a panic.
struct Scan<'t> {
    text: &'t str,
    at: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, want: u8) -> Result<(), String> {
        self.space();
        match self.peek() {
            Some(b) if b == want => {
                self.at += 1;
                Ok(())
            }
            _ => Err(format!("expected `{}` at byte {}", want as char, self.at)),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.space();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(_) => match self.number_token() {
                "" => Err(format!("unexpected text at byte {}", self.at)),
                digits => Ok(number(digits)),
            },
            None => Err("a JSON value ends early".into()),
        }
    }

    /// Nesting as the buffering visitor counts it: an array always enters
    /// a level, an object only when it has members.
    fn enter(depth: usize) -> Result<usize, String> {
        match depth >= MAX_DEPTH {
            true => Err(format!("nested deeper than {MAX_DEPTH} levels")),
            false => Ok(depth + 1),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.at += 1;
        let mut out = Map::new();
        self.space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(out));
        }
        let inner = Self::enter(depth)?;
        loop {
            self.space();
            let key = self.string()?;
            self.eat(b':')?;
            let v = self.value(inner)?;
            out.insert(key, v);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                _ => break,
            }
        }
        self.eat(b'}')?;
        Ok(Value::Object(out))
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.at += 1;
        let inner = Self::enter(depth)?;
        let mut out = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(out));
        }
        loop {
            out.push(self.value(inner)?);
            self.space();
            match self.peek() {
                Some(b',') => self.at += 1,
                _ => break,
            }
        }
        self.eat(b']')?;
        Ok(Value::Array(out))
    }

    /// A string token; escapes are decoded by serde_json.
    fn string(&mut self) -> Result<String, String> {
        let start = self.at;
        if self.peek() != Some(b'"') {
            return Err(format!("expected a string at byte {start}"));
        }
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            match bytes.get(i) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => i += 1,
                None => return Err("a string ends early".into()),
            }
        }
        self.at = i + 1;
        let token = self.text.get(start..self.at).ok_or("a string ends early")?;
        match escaped {
            false => Ok(token[1..token.len() - 1].to_owned()),
            true => serde_json::from_str(token).map_err(|e| e.to_string()),
        }
    }

    fn number_token(&mut self) -> &str {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    fn word(&mut self, word: &str, v: Value) -> Result<Value, String> {
        match self.text[self.at..].starts_with(word) {
            true => {
                self.at += word.len();
                Ok(v)
            }
            false => Err(format!("unexpected text at byte {}", self.at)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Exact {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_newtype_struct(RAW_TOKEN, self)
    }
}

impl<'de> Visitor<'de> for Exact {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(number(&v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(number(&v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(number(&v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(number(&v.to_string()))
    }
    // Only from a reader that kept nothing better than a float.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, |n| number(&n.to_string())))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.deeper()?;
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key_seed(KeyText)? else {
            return Ok(Value::Object(Map::new()));
        };
        if first == RAW_TOKEN {
            let raw: Cow<str> = map.next_value_seed(KeyText)?;
            return self.read_raw(&raw);
        }
        let inner = self.deeper()?;
        let mut out = Map::new();
        let v = map.next_value_seed(inner)?;
        out.insert(first.into_owned(), v);
        while let Some(key) = map.next_key_seed(KeyText)? {
            let v = map.next_value_seed(inner)?;
            out.insert(key.into_owned(), v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits() {
        let v = exact_value(
            br#"{"a": 0.10, "b": [12345678901234567.89, -0, 1e400], "c": {"d": 18446744073709551616}}"#,
        )
        .unwrap();
        assert_eq!(number_text(&v["a"]), Some("0.10"));
        assert_eq!(number_text(&v["b"][0]), Some("12345678901234567.89"));
        assert_eq!(number_text(&v["b"][1]), Some("-0"));
        assert_eq!(number_text(&v["b"][2]), Some("1e400"));
        assert_eq!(number_text(&v["c"]["d"]), Some("18446744073709551616"));
        let p = plain(v);
        assert_eq!(p["a"], serde_json::json!(0.1));
        assert_eq!(text_of(&p["a"]).as_deref(), Some("0.1"));
    }

    #[test]
    fn checked_like_a_value() {
        for text in [
            "{\"a\": \"\\ud800\"}",
            "[1e400]",
            "{\"a\": 1} x",
            &format!("{}{}", "[".repeat(128), "]".repeat(128)),
            &format!("{}{}", "[".repeat(127), "]".repeat(127)),
            r#"{"a": [1, {"b": null}], "c": "\u00e9"}"#,
        ] {
            let value = serde_json::from_str::<Value>(text).is_ok() || text.contains("1e400");
            assert_eq!(check_json(text.as_bytes()).is_ok(), value, "{text}");
        }
    }

    #[test]
    fn read_in_one_pass_as_the_visitor_reads() {
        let text =
            r#" {"a" : [ 1 , -2.50e3, "x\"\u00e9" , true, false, null, {}, [] ], "b": {"c": {}}} "#;
        let v = exact_value(text.as_bytes()).unwrap();
        assert_eq!(number_text(&v["a"][1]), Some("-2.50e3"));
        assert_eq!(v["a"][2], "x\"é");
        assert_eq!(plain(v), serde_json::from_str::<Value>(text).unwrap());
        // Arrays count a level when empty, objects only with members.
        let arrays = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(exact_value(arrays.as_bytes()).is_ok());
        let objects = format!("{}{{}}{}", r#"{"a":"#.repeat(127), "}".repeat(127));
        assert!(exact_value(objects.as_bytes()).is_ok());
        let too_deep = format!("{}1{}", "[".repeat(128), "]".repeat(128));
        assert!(exact_value(too_deep.as_bytes()).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(exact_value(deep.as_bytes()).is_err());
        let deep = "[".repeat(100_000);
        assert!(exact_value(deep.as_bytes()).is_err());
        assert!(exact_value(b"{} x").is_err());
    }
}
