//! The doc center's answers: `{"success": true, "data": …}`, or
//! `{"success": false, "code": …, "errMsg": …}`.
//!
//! The catalogue (`getApiCatelogConfig.json`): `data.treeCategories[0]
//! .catelogTrees[]`, each category with `id`, `name` and `catelogList[]`,
//! each API with `name` and `id` (the `docId` its document is asked by).
//! A document (`getDocument.json`): `data` is the document itself, the form
//! the JSON page reader reads; its bytes are kept as sent.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

use topgen::spec::is_api_name;

/// What was wrong with an answer.
pub type Problem = String;

/// An answer's members, each as sent.
type Members<'a> = BTreeMap<String, &'a RawValue>;

/// One API category of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// The catalogue's id, as its JSON text (`21055`).
    pub id: String,
    pub name: String,
    pub apis: Vec<Api>,
}

/// One API of a category.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The API method name (`taobao.pc.order.cancel`).
    pub name: String,
    /// The id its document is asked by.
    pub id: String,
}

impl Api {
    /// The document's file name in the corpus: the method name with `_` for `.`.
    pub fn file_name(&self) -> String {
        format!("{}.json", self.name.replace('.', "_"))
    }
}

/// The `data` of a successful answer.
fn data(body: &[u8]) -> Result<&RawValue, Problem> {
    let text = std::str::from_utf8(body).map_err(|_| "the answer is not UTF-8".to_string())?;
    let members: Members =
        serde_json::from_str(text).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let said = |key: &str| match members.get(key).map(|v| v.get()) {
        None | Some("null") => "none".to_string(),
        Some(v) => v.trim_matches('"').to_string(),
    };
    match members.get("success").map(|v| v.get()) {
        Some("true") => {}
        Some("false") => {
            return Err(format!(
                "the doc center answered `success: false` (code {}, errMsg {})",
                said("code"),
                said("errMsg")
            ));
        }
        _ => return Err("the answer has no `success: true`".to_string()),
    }
    match members.get("data") {
        Some(data) if data.get() != "null" => Ok(data),
        _ => Err("the answer has `success: true` but no `data`".to_string()),
    }
}

/// The categories of a catalogue answer.
pub fn catalogue(body: &[u8]) -> Result<Vec<Category>, Problem> {
    let data: Value =
        serde_json::from_str(data(body)?.get()).map_err(|e| format!("`data` is not JSON: {e}"))?;
    let trees = data["treeCategories"][0]["catelogTrees"]
        .as_array()
        .ok_or("`data.treeCategories[0].catelogTrees` is not a list")?;
    trees
        .iter()
        .enumerate()
        .map(|(i, c)| category(c).map_err(|p| format!("category {i} of the catalogue: {p}")))
        .collect()
}

fn category(c: &Value) -> Result<Category, Problem> {
    let name = c["name"].as_str().map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err("no `name`".to_string());
    }
    let id = id_text(&c["id"]).ok_or_else(|| format!("`{name}` has no `id`"))?;
    let list = match &c["catelogList"] {
        Value::Null => &Vec::new(),
        Value::Array(list) => list,
        _ => return Err(format!("`{name}`: `catelogList` is not a list")),
    };
    let mut apis: Vec<Api> = list
        .iter()
        .enumerate()
        .map(|(i, a)| api(a).map_err(|p| format!("`{name}`, API {i}: {p}")))
        .collect::<Result<_, _>>()?;
    // An API listed twice is one document, one file.
    let mut seen = std::collections::BTreeSet::new();
    apis.retain(|a| seen.insert(a.name.clone()));
    Ok(Category {
        id,
        name: name.to_string(),
        apis,
    })
}

fn api(a: &Value) -> Result<Api, Problem> {
    let name = a["name"].as_str().map(str::trim).unwrap_or_default();
    if !is_api_name(name) {
        return Err(format!("`name` {} is not an API method name", a["name"]));
    }
    let id = id_text(&a["id"]).ok_or_else(|| format!("`{name}` has no numeric `id`"))?;
    Ok(Api {
        name: name.to_string(),
        id,
    })
}

/// An id written as a number or as digits in a string.
fn id_text(v: &Value) -> Option<String> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

/// The document of a document answer, as sent; it must name `api`.
pub fn document(body: &[u8], api: &str) -> Result<Vec<u8>, Problem> {
    let raw = data(body)?;
    let members: Members = serde_json::from_str(raw.get())
        .map_err(|e| format!("`data` is not a document object: {e}"))?;
    let name = members
        .get("name")
        .map(|n| serde_json::from_str::<Value>(n.get()));
    match name {
        Some(Ok(Value::String(n))) if n.trim() == api => Ok(raw.get().as_bytes().to_vec()),
        Some(Ok(Value::String(n))) => Err(format!("`data.name` is `{n}`, not `{api}`")),
        _ => Err("`data` has no `name`".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_kept_byte_for_byte_with_fields_the_reader_ignores() {
        let doc = r#"{ "name": "taobao.a.b", "new": [1, 2.50] }"#;
        let body = format!(r#"{{"success":true,"data":{doc}}}"#);
        assert_eq!(
            document(body.as_bytes(), "taobao.a.b").unwrap(),
            doc.as_bytes()
        );
    }

    #[test]
    fn bad_answers_say_what_was_wrong() {
        let cases = [
            ("<html>", "not JSON"),
            (
                r#"{"success":false,"code":"x","errMsg":"busy"}"#,
                "errMsg busy",
            ),
            (r#"{"data":{}}"#, "no `success: true`"),
            (r#"{"success":true}"#, "no `data`"),
            (r#"{"success":true,"data":{"x":1}}"#, "no `name`"),
            (r#"{"success":true,"data":{"name":"a.c"}}"#, "not `a.b`"),
        ];
        for (body, says) in cases {
            let e = document(body.as_bytes(), "a.b").unwrap_err();
            assert!(e.contains(says), "{body}: {e}");
        }
    }

    #[test]
    fn a_catalogue_lists_categories_and_their_apis() {
        let body = r#"{"success":true,"data":{"treeCategories":[{"catelogTrees":[
            {"id":7,"name":"采购宝API","catelogList":[{"name":"taobao.pc.order.detail","id":"42","docId":1},
                {"name":"taobao.pc.order.detail","id":"42"}]},
            {"id":8,"name":"空"}]}]}}"#;
        let cats = catalogue(body.as_bytes()).unwrap();
        assert_eq!(cats.len(), 2);
        assert_eq!(cats[0].id, "7");
        assert_eq!(cats[0].apis.len(), 1, "listed twice, fetched once");
        assert_eq!(cats[0].apis[0].id, "42");
        assert_eq!(cats[0].apis[0].file_name(), "taobao_pc_order_detail.json");
        assert!(cats[1].apis.is_empty());
    }

    #[test]
    fn a_catalogue_without_what_the_corpus_needs_is_refused() {
        let cases = [
            (r#"{"success":true,"data":{}}"#, "catelogTrees"),
            (
                r#"{"success":true,"data":{"treeCategories":[{"catelogTrees":[{"id":1}]}]}}"#,
                "no `name`",
            ),
            (
                r#"{"success":true,"data":{"treeCategories":[{"catelogTrees":[{"id":1,"name":"c","catelogList":[{"name":"../x","id":1}]}]}]}}"#,
                "not an API method name",
            ),
        ];
        for (body, says) in cases {
            let e = catalogue(body.as_bytes()).unwrap_err();
            assert!(e.contains(says), "{body}: {e}");
        }
    }
}
