//! The `<request>` document of a Qimen call, from the command line's
//! parameters.

use serde_json::{Map, Value};

/// `<request>` with one element per member of `json`, then per `pairs`
/// (a pair replaces a member of its name): objects nest, a list repeats
/// its element, `null` is left out, text is escaped.
pub fn request_document(
    json: Option<&Value>,
    pairs: &[(String, String)],
) -> Result<String, String> {
    let mut members = match json {
        Some(Value::Object(members)) => members.clone(),
        Some(_) => return Err("--json-params must be a JSON object".into()),
        None => Map::new(),
    };
    for (name, value) in pairs {
        members.insert(name.clone(), Value::String(value.clone()));
    }
    let mut out = String::from("<request>");
    for (name, value) in &members {
        element(&mut out, name, value)?;
    }
    out.push_str("</request>");
    Ok(out)
}

fn element(out: &mut String, name: &str, value: &Value) -> Result<(), String> {
    if !is_element_name(name) {
        return Err(format!("`{name}` cannot be an XML element name"));
    }
    let text = match value {
        Value::Null => return Ok(()),
        Value::Array(items) => {
            for item in items {
                element(out, name, item)?;
            }
            return Ok(());
        }
        Value::Object(members) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in members {
                element(out, k, v)?;
            }
            out.push_str(&format!("</{name}>"));
            return Ok(());
        }
        Value::String(s) => escape(s),
        other => other.to_string(),
    };
    out.push_str(&format!("<{name}>{text}</{name}>"));
    Ok(())
}

/// Letters, digits, `_`, `-` and `.`, not starting with a digit, `-` or `.`.
fn is_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_become_elements() {
        let json = json!({
            "orderCode": "O1",
            "items": {"item": [{"itemCode": "A", "quantity": 2}, {"itemCode": "B&<"}]},
            "gone": null
        });
        let doc = request_document(Some(&json), &[("warehouseCode".into(), "W1".into())]).unwrap();
        assert_eq!(
            doc,
            "<request><items><item><itemCode>A</itemCode><quantity>2</quantity></item>\
             <item><itemCode>B&amp;&lt;</itemCode></item></items><orderCode>O1</orderCode>\
             <warehouseCode>W1</warehouseCode></request>"
        );
    }

    #[test]
    fn bad_names_and_non_objects_are_refused() {
        assert!(request_document(None, &[("a b".into(), "1".into())]).is_err());
        assert!(request_document(None, &[("<x>".into(), "1".into())]).is_err());
        assert!(request_document(Some(&json!([1])), &[]).is_err());
        assert_eq!(request_document(None, &[]).unwrap(), "<request></request>");
    }
}
