//! Maps and raw JSON, read through a buffered `Value`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::Value;

use super::{Wire, kind, optional, scalar};

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
