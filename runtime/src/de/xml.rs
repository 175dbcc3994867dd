//! XML answers, read as the same JSON shape.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::DecodeError;

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
