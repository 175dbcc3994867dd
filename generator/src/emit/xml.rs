//! The page's XML response example, read into a tree and rewritten as the
//! gateway's JSON answer (`{"x_response": {...}}`), typed by the spec.

use quick_xml::events::Event;

use super::space::{Api, Field, Scalar, Ty};

#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub children: Vec<Node>,
    pub text: String,
}

/// Top-level elements of an XML document or fragment.
pub fn parse(xml: &str) -> Result<Vec<Node>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(s) => stack.push(Node {
                name: String::from_utf8_lossy(s.name().as_ref()).into_owned(),
                ..Node::default()
            }),
            Event::Empty(s) => {
                let n = Node {
                    name: String::from_utf8_lossy(s.name().as_ref()).into_owned(),
                    ..Node::default()
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(n);
                }
            }
            Event::End(_) => {
                let n = stack
                    .pop()
                    .filter(|_| !stack.is_empty())
                    .ok_or("unmatched end tag")?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(n);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::unescape(&format!("&{name};"))
                            .map_err(|e| e.to_string())?
                            .into_owned()
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match stack.pop() {
        Some(root) if stack.is_empty() => Ok(root.children),
        _ => Err("an element is never closed".into()),
    }
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

fn value(api: &Api, f: Option<&Field>, n: &Node, depth: usize) -> String {
    match f {
        Some(f) if f.array => {
            // `<order_items><order_item>…</order_item></order_items>` → `{"order_item": [...]}`
            let item_name = n
                .children
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "item".into());
            let items = n
                .children
                .iter()
                .map(|c| item(api, f.ty, c, depth + 2))
                .collect();
            object(vec![(item_name, array(items, depth + 1))], depth)
        }
        Some(f) => item(api, f.ty, n, depth),
        None if n.children.is_empty() => string(&n.text),
        None => fields(api, &[], &n.children, depth),
    }
}

fn item(api: &Api, ty: Ty, n: &Node, depth: usize) -> String {
    match ty {
        Ty::Struct(i) => fields(api, &api.structs[i].fields, &n.children, depth),
        Ty::Scalar(s) => scalar(s, &n.text),
    }
}

fn fields(api: &Api, fields: &[Field], nodes: &[Node], depth: usize) -> String {
    let entries = nodes
        .iter()
        .map(|n| {
            let f = fields.iter().find(|f| f.wire == n.name);
            (n.name.clone(), value(api, f, n, depth + 1))
        })
        .collect();
    object(entries, depth)
}

/// The gateway's JSON for the page's XML response example, under `key`.
/// The XML's root is the envelope when it is named `key`; otherwise the
/// example is a fragment of the body.
pub fn gateway_json(api: &Api, xml: &str, key: &str) -> Result<String, String> {
    let top = parse(xml)?;
    let body: &[Node] = match top.as_slice() {
        [root] if root.name == key => &root.children,
        nodes => nodes,
    };
    let inner = fields(api, &api.response, body, 1);
    Ok(format!("{{\n  {}: {inner}\n}}\n", string(key)))
}
