//! Maps and raw JSON, read through a buffered `Value`.

use std::collections::BTreeMap;

use serde::de::{DeserializeSeed as _, Deserializer, Error as _};
use serde_json::Value;

use super::exact::{Exact, exact_value, number_text};
use super::{Wire, kind, optional, plain, scalar};

/// Maps and raw JSON are read as a [`Value`] and converted by `from_wire`.
macro_rules! buffered {
    () => {
        const BUFFERED: bool = true;
        const EXACT: bool = true;
        fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
            optional(Exact::TOP.deserialize(d)?).map_err(D::Error::custom)
        }
        fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Self::from_wire(Exact::TOP.deserialize(d)?).map_err(D::Error::custom)
        }
    };
}

impl Wire for BTreeMap<String, String> {
    buffered!();
    fn from_wire(v: Value) -> Result<Self, String> {
        match scalar(v) {
            Value::Object(m) => m
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        v if number_text(&v).is_some() => String::from_wire(v)?,
                        Value::Object(_) | Value::Array(_) => plain(v).to_string(),
                        v => String::from_wire(v)?,
                    };
                    Ok((k, text))
                })
                .collect(),
            // Some APIs send a map as its JSON text.
            Value::String(s) => {
                let v = exact_value(s.as_bytes()).map_err(|e| format!("not a JSON map: {e}"))?;
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
        Ok(plain(v))
    }
}
