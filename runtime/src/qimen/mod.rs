//! The Qimen protocol: system parameters and `customerId` in the URL, an XML
//! `<request>` body, an XML `<response>` answer carrying `flag`, `code` and
//! `message`. [`server`] is the other side: receiving the gateway's calls.

pub mod server;

use quick_xml::events::Event;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::de::{Decoding, unknown};
use crate::envelope::{
    answer_keys, decode_error, from_raw, platform_error, platform_error_from_json,
};
use crate::error::{Error, QimenFailure};

/// Production Qimen router.
pub const PRODUCTION_URL: &str = "https://qimen.api.taobao.com/router/qimen/service";
/// Sandbox Qimen router (the platform serves it over plain HTTP).
pub const SANDBOX_URL: &str = "http://qimenapi.tbsandbox.com/router/qimen/service";
/// Content type of the request body.
pub const CONTENT_TYPE: &str = "text/xml;charset=utf-8";
/// The root of an answer (an XML element, or the one key of a JSON one).
pub const ROOT: &str = "response";

/// Deeper documents are refused before they are decoded (serde_json's own
/// limit), so hostile nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// Decodes a Qimen answer of `api` into `T` (the fields of `<response>`).
///
/// `flag=failure` becomes [`Error::Qimen`]; a gateway-level
/// `<error_response>` (bad signature, unknown app key, …) becomes
/// [`Error::Platform`]. XML goes through [`crate::de::xml_to_value`], the
/// same reading the generated types are tested with. Unknown fields are
/// reported, not refused ([`decode_qimen_with`]).
pub fn decode_qimen<T: DeserializeOwned>(api: &str, body: &[u8]) -> Result<T, Error> {
    decode_qimen_with(api, body, Decoding::new())
}

/// [`decode_qimen`], with each field the documents lack a `debug` event, or
/// with `how.strict` an [`Error::UnknownField`]; `how.simplify` does not
/// apply to Qimen.
pub fn decode_qimen_with<T: DeserializeOwned>(
    api: &str,
    body: &[u8],
    how: Decoding,
) -> Result<T, Error> {
    let (answer, found) = unknown::collect(|| decode_answer(api, body));
    let answer = answer?;
    unknown::report(api, &found, how.strict)?;
    Ok(answer)
}

fn decode_answer<T: DeserializeOwned>(api: &str, body: &[u8]) -> Result<T, Error> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(decode_error(
            api,
            ".",
            "the answer is not UTF-8".into(),
            body,
        ));
    };
    if text.trim_start().starts_with('{') {
        return decode_json(api, body);
    }
    let root = scan(text)
        .map_err(|m| decode_error(api, ".", format!("the answer is not XML: {m}"), body))?;
    if root != "error_response" && root != ROOT {
        return Err(decode_error(
            api,
            ".",
            format!("expected a <response> root, found <{root}>"),
            body,
        ));
    }
    let doc = crate::de::xml_to_value(text)
        .map_err(|e| decode_error(api, ".", format!("the answer is not XML: {e}"), body))?;
    let inner = match doc {
        Value::Object(mut m) => m.remove(&root).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    // `<response/>` reads as an empty text: treat it as no fields.
    let inner = match inner {
        Value::String(s) if s.trim().is_empty() => Value::Object(Default::default()),
        other => other,
    };
    if root == "error_response" {
        return Err(Error::Platform(Box::new(platform_error_from_json(
            api, &inner,
        ))));
    }
    finish(api, inner, body)
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(crate::de::text_of)
}

/// `flag=failure` as [`Error::Qimen`].
fn check_flag(api: &str, fields: &Value) -> Result<(), Error> {
    if text(fields, "flag").is_some_and(|f| f.trim().eq_ignore_ascii_case("failure")) {
        return Err(Error::Qimen(Box::new(QimenFailure {
            api: api.to_owned(),
            code: text(fields, "code").unwrap_or_default(),
            message: text(fields, "message").unwrap_or_default(),
        })));
    }
    Ok(())
}

/// Checks `flag`, then decodes the fields of `<response>`.
fn finish<T: DeserializeOwned>(api: &str, inner: Value, body: &[u8]) -> Result<T, Error> {
    check_flag(api, &inner)?;
    serde_path_to_error::deserialize::<_, T>(inner).map_err(|e| {
        let path = e.path().to_string();
        decode_error(api, &path, e.into_inner().to_string(), body)
    })
}

/// Some Qimen routers answer JSON: `{"response": {...}}` or `error_response`.
fn decode_json<T: DeserializeOwned>(api: &str, body: &[u8]) -> Result<T, Error> {
    let (_, map) = answer_keys(api, body)?;
    if let Some(err) = map.get("error_response") {
        return Err(platform_error(api, err));
    }
    let Some(inner) = map.get(ROOT) else {
        return Err(decode_error(
            api,
            ".",
            "expected `response` or `error_response`".into(),
            body,
        ));
    };
    let fields: Value = serde_json::from_str(inner.get()).unwrap_or(Value::Null);
    check_flag(api, &fields)?;
    from_raw(api, inner, body)
}

/// The name of the root element, qualified as [`crate::de::xml_to_value`]
/// keys it (`<ns:response>` is not `<response>`); fails on ill-formed XML,
/// text outside the root, or nesting deeper than [`MAX_DEPTH`].
pub(crate) fn scan(text: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut root = None;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} elements"));
                }
                if root.is_none() {
                    root = Some(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                }
            }
            Ok(Event::Empty(e)) => {
                if root.is_none() {
                    root = Some(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => break,
            Ok(Event::Text(t)) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err("text outside the root element".into());
            }
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    root.ok_or_else(|| "no element".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct OrderCancel {
        flag: String,
        code: String,
        message: Option<String>,
    }

    const API: &str = "taobao.qimen.order.cancel";

    #[test]
    fn page_example_decodes() {
        // The page's response example, verbatim.
        let body = "<response>\n    <flag>success</flag>\n    <code>0</code>\n    <message>invalid appkey</message>\n</response>";
        let r: OrderCancel = decode_qimen(API, body.as_bytes()).unwrap();
        assert_eq!(
            r,
            OrderCancel {
                flag: "success".into(),
                code: "0".into(),
                message: Some("invalid appkey".into())
            }
        );
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        #[serde(rename = "itemCode")]
        item_code: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct WithList {
        flag: String,
        #[serde(deserialize_with = "crate::de::list")]
        items: Vec<Item>,
        #[serde(rename = "orderCodes", deserialize_with = "crate::de::list")]
        order_codes: Vec<String>,
    }
    impl crate::de::Wire for Item {}

    #[test]
    fn repeated_elements_keep_every_item() {
        // quick-xml's serde reading keeps only the last of repeated
        // elements here; the value reading turns them into an array.
        let body = "<response><flag>success</flag>\
                    <items><item><itemCode>A1</itemCode></item><item><itemCode>B2</itemCode></item></items>\
                    <orderCodes><string>O1</string><string>O2</string></orderCodes></response>";
        let r: WithList = decode_qimen(API, body.as_bytes()).unwrap();
        assert_eq!(
            r.items,
            [
                Item {
                    item_code: "A1".into()
                },
                Item {
                    item_code: "B2".into()
                }
            ]
        );
        assert_eq!(r.order_codes, ["O1", "O2"]);
        assert_eq!(r.flag, "success");
    }

    #[test]
    fn failure_flag_is_typed() {
        let body = r#"<?xml version="1.0" encoding="utf-8"?><response><flag>failure</flag><code>S002</code><message>单据不存在</message></response>"#;
        match decode_qimen::<OrderCancel>(API, body.as_bytes()).unwrap_err() {
            Error::Qimen(f) => {
                assert_eq!(f.code, "S002");
                assert_eq!(f.message, "单据不存在");
                assert_eq!(f.api, API);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn error_response_xml_is_platform_error() {
        // The page's error example, verbatim.
        let body = "<error_response>\n    <code>50</code>\n    <msg>Remote service error</msg>\n    <sub_code>isv.invalid-parameter</sub_code>\n    <sub_msg>非法参数</sub_msg>\n</error_response>";
        let e = decode_qimen::<OrderCancel>(API, body.as_bytes()).unwrap_err();
        let p = e.platform().expect("platform error");
        assert_eq!(p.code, "50");
        assert_eq!(p.sub_msg.as_deref(), Some("非法参数"));
        assert!(p.is_caller_fault());
    }

    #[test]
    fn json_answers_are_understood() {
        let ok = br#"{"response":{"flag":"success","code":"0","message":"ok"}}"#;
        let r: OrderCancel = decode_qimen(API, ok).unwrap();
        assert_eq!(r.flag, "success");
        let fail = br#"{"response":{"flag":"failure","code":"E1","message":"no"}}"#;
        assert!(matches!(
            decode_qimen::<OrderCancel>(API, fail),
            Err(Error::Qimen(_))
        ));
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let deep = "<a>".repeat(50_000);
        let closed = format!(
            "<response>{}{}</response>",
            "<a>".repeat(50_000),
            "</a>".repeat(50_000)
        );
        let cases: Vec<Vec<u8>> = vec![
            closed.into_bytes(),
            Vec::new(),
            b"<html><body>502</body></html>".to_vec(),
            b"<response><flag>succ".to_vec(),
            deep.into_bytes(),
            vec![0xff, 0x00],
            b"plain text".to_vec(),
            b"<response><flag>success</flag><code>0</code>".to_vec(),
            b"{\"response\":".to_vec(),
        ];
        for body in cases {
            assert!(decode_qimen::<OrderCancel>(API, &body).is_err());
        }
    }
}
