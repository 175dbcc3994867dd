//! The page's XML response example, read by the shared example reader
//! ([`crate::xml`]) and rewritten as the gateway's JSON answer
//! (`{"x_response": {...}}`), typed by the spec.

use super::space::{Api, Field, Scalar, Ty};
use crate::xml::Element as Node;

/// Top-level elements of an example, by the shared reader.
pub fn parse(xml: &str) -> Result<Vec<Node>, String> {
    crate::xml::parse(xml, 1).map_err(|b| format!("line {}: {}", b.line, b.message))
}

/// JSON text writer that keeps numbers exactly as written.
fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn indent(n: usize) -> String {
    "  ".repeat(n)
}

fn object(entries: Vec<(String, String)>, depth: usize) -> String {
    if entries.is_empty() {
        return "{}".into();
    }
    let inner: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| format!("{}{}: {v}", indent(depth + 1), string(&k)))
        .collect();
    format!("{{\n{}\n{}}}", inner.join(",\n"), indent(depth))
}

fn array(items: Vec<String>, depth: usize) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let inner: Vec<String> = items
        .into_iter()
        .map(|v| format!("{}{v}", indent(depth + 1)))
        .collect();
    format!("[\n{}\n{}]", inner.join(",\n"), indent(depth))
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(int.len() > 1 && int.starts_with('0'))
}

/// A leaf as the gateway sends it: numbers and booleans unquoted.
fn scalar(s: Scalar, text: &str) -> String {
    match s {
        Scalar::Int if text.parse::<i64>().is_ok() && is_decimal(text) => text.to_string(),
        Scalar::Decimal if is_decimal(text) => text.to_string(),
        Scalar::Bool if text == "true" || text == "false" => text.to_string(),
        _ => string(text),
    }
}

/// How lists are written: wrapped by their item name, as the gateway sends
/// them, or bare, as it does with `simplify=true`.
#[derive(Clone, Copy)]
struct Writer<'a, 'b> {
    api: &'a Api<'b>,
    bare: bool,
}

impl Writer<'_, '_> {
    fn value(self, f: Option<&Field>, n: &Node, depth: usize) -> String {
        match f {
            Some(f) if f.array => {
                if self.bare {
                    let items = n
                        .children
                        .iter()
                        .map(|c| self.item(f.ty, c, depth + 1))
                        .collect();
                    return array(items, depth);
                }
                // `<order_items><order_item>…</order_item></order_items>` → `{"order_item": [...]}`
                let item_name = n
                    .children
                    .first()
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| "item".into());
                let items = n
                    .children
                    .iter()
                    .map(|c| self.item(f.ty, c, depth + 2))
                    .collect();
                object(vec![(item_name, array(items, depth + 1))], depth)
            }
            Some(f) => self.item(f.ty, n, depth),
            None if n.children.is_empty() => string(&n.text),
            None => self.fields(&[], &n.children, depth),
        }
    }

    fn item(self, ty: Ty, n: &Node, depth: usize) -> String {
        match ty {
            Ty::Struct(i) => self.fields(&self.api.structs[i].fields, &n.children, depth),
            Ty::Scalar(s) => scalar(s, &n.text),
        }
    }

    fn fields(self, fields: &[Field], nodes: &[Node], depth: usize) -> String {
        let entries = nodes
            .iter()
            .map(|n| {
                let f = fields.iter().find(|f| f.wire == n.name);
                (n.name.clone(), self.value(f, n, depth + 1))
            })
            .collect();
        object(entries, depth)
    }
}

/// The answer's fields: the children of the root when it is named `key`,
/// otherwise the example is a fragment of the body.
fn body<'n>(top: &'n [Node], key: &str) -> &'n [Node] {
    match top {
        [root] if root.name == key => &root.children,
        nodes => nodes,
    }
}

/// The gateway's JSON for the page's XML response example (its parsed
/// top-level elements), under `key`.
pub fn gateway_json(api: &Api, top: &[Node], key: &str) -> String {
    let w = Writer { api, bare: false };
    let inner = w.fields(&api.response, body(top, key), 1);
    format!("{{\n  {}: {inner}\n}}\n", string(key))
}

/// The same answer as the gateway sends it with `simplify=true`: no
/// envelope, lists bare.
pub fn simplified_json(api: &Api, top: &[Node], key: &str) -> String {
    let w = Writer { api, bare: true };
    format!("{}\n", w.fields(&api.response, body(top, key), 0))
}

/// The gateway's JSON for an XML `error_response` example: `code` as the
/// number the gateway sends, everything else as text.
pub fn error_json(xml: &str) -> Result<String, String> {
    let top = parse(xml)?;
    let entries = body(&top, "error_response")
        .iter()
        .map(|n| {
            let text = n.text.trim();
            let v = if n.name == "code" && text.parse::<i64>().is_ok() {
                text.to_string()
            } else {
                string(text)
            };
            (n.name.clone(), v)
        })
        .collect();
    Ok(format!(
        "{{\n  \"error_response\": {}\n}}\n",
        object(entries, 1)
    ))
}

pub use crate::xml::render;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_json_keeps_code_a_number_and_text_as_text() {
        let xml = "<error_response><code>50</code><msg>Remote service error</msg>\
                   <sub_code>isv.invalid-parameter</sub_code><sub_msg>非法 &amp; 参数</sub_msg></error_response>";
        let v: serde_json::Value = serde_json::from_str(&error_json(xml).unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error_response": {
                "code": 50,
                "msg": "Remote service error",
                "sub_code": "isv.invalid-parameter",
                "sub_msg": "非法 & 参数"
            }})
        );
        assert!(error_json("<error_response><code>").is_err());
    }
}
