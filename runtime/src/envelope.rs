//! TOP gateway answers: the `<method>_response` envelope, `simplify`, and
//! `error_response`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer as _;
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::de::{Decoding, KeyText, check_json, text_of, unknown};
use crate::error::{Error, PlatformError};

/// The envelope key of an API's answer: the method minus a leading
/// `taobao.`, dots as underscores, plus `_response`
/// (`taobao.pc.order.cancel` → `pc_order_cancel_response`).
pub fn response_key(method: &str) -> String {
    let bare = method.strip_prefix("taobao.").unwrap_or(method);
    let mut key = bare.replace('.', "_");
    key.push_str("_response");
    key
}

/// Decodes a TOP JSON answer of `api` into `T`, as [`decode_top_with`]
/// does with `simplify` as given and unknown fields reported, not refused.
pub fn decode_top<T: DeserializeOwned>(api: &str, body: &[u8], simplify: bool) -> Result<T, Error> {
    decode_top_with(api, body, Decoding::new().simplify(simplify))
}

/// Decodes a TOP JSON answer of `api` into `T`.
///
/// With `simplify` the gateway leaves out the envelope; an envelope that is
/// there anyway is still accepted, and a bare answer none of whose keys is
/// a field of `T` is an error, not an empty response. `error_response`
/// becomes [`Error::Platform`]; anything else that does not fit `T` becomes
/// [`Error::Decode`] with the field path. Each field the documents lack is
/// a `debug` event, or with `strict` an [`Error::UnknownField`].
pub fn decode_top_with<T: DeserializeOwned>(
    api: &str,
    body: &[u8],
    how: Decoding,
) -> Result<T, Error> {
    // The common answer streams straight into `T`; anything else (an error,
    // no envelope, a body that does not fit) takes the buffered reading
    // below, which says precisely what is wrong.
    if !how.simplify
        && let (Some(answer), found) = unknown::collect(|| streamed(api, body))
    {
        unknown::report(api, &found, how.strict)?;
        return Ok(answer);
    }
    buffered(api, body, how)
}

/// `{"<key>": {...}}` read in one pass; `None` unless it decoded and there
/// was no `error_response`.
fn streamed<T: DeserializeOwned>(api: &str, body: &[u8]) -> Option<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let answer = de
        .deserialize_map(EnvelopeVisitor {
            key: response_key(api),
            answer: PhantomData,
        })
        .ok()
        .flatten()?;
    de.end().ok()?;
    Some(answer)
}

/// The envelope's value under `key`; `None` when it is absent or an
/// `error_response` is there.
struct EnvelopeVisitor<T> {
    key: String,
    answer: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for EnvelopeVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with `{}`", self.key)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut answer = None;
        while let Some(key) = map.next_key_seed(KeyText)? {
            if key == "error_response" {
                return Ok(None);
            }
            if key == self.key {
                answer = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(answer)
    }
}

fn buffered<T: DeserializeOwned>(api: &str, body: &[u8], how: Decoding) -> Result<T, Error> {
    let (whole, mut map) = answer_keys(api, body)?;
    if let Some(err) = map.get("error_response") {
        return Err(platform_error(api, err));
    }
    let key = response_key(api);
    let inner = match map.remove(&key) {
        Some(inner) => inner,
        None if how.simplify => {
            let (answer, found) = unknown::collect(|| from_raw(api, whole, body));
            let answer = answer?;
            fits_bare(api, map.keys(), &found, body)?;
            unknown::report(api, &found, how.strict)?;
            return Ok(answer);
        }
        None => {
            let found: Vec<&str> = map.keys().map(String::as_str).take(5).collect();
            return Err(decode_error(
                api,
                ".",
                format!("expected `{key}` or `error_response`, found keys {found:?}"),
                body,
            ));
        }
    };
    let (answer, found) = unknown::collect(|| from_raw(api, inner, body));
    let answer = answer?;
    unknown::report(api, &found, how.strict)?;
    Ok(answer)
}

/// A bare answer (no envelope, under `simplify`) must be this API's: one
/// with keys of which none is a field of the response has some other shape,
/// and reading it as an empty response would hide that.
fn fits_bare<'a>(
    api: &str,
    keys: impl Iterator<Item = &'a String>,
    unknown: &[String],
    body: &[u8],
) -> Result<(), Error> {
    let own: Vec<&String> = keys.filter(|k| !unknown::is_platform_field(k)).collect();
    if own.is_empty() || !own.iter().all(|k| unknown.contains(k)) {
        return Ok(());
    }
    let shown: Vec<&str> = own.iter().map(|k| k.as_str()).take(5).collect();
    Err(decode_error(
        api,
        ".",
        format!(
            "under simplify the answer has no field of the response (keys {shown:?}): it is not this API's answer"
        ),
        body,
    ))
}

/// The keys of a JSON answer, each with its value's raw text (numbers keep
/// their digits that way), and the whole answer's text.
pub(crate) fn answer_keys<'a>(
    api: &str,
    body: &'a [u8],
) -> Result<(&'a RawValue, BTreeMap<String, &'a RawValue>), Error> {
    let not_json = |e| decode_error(api, ".", format!("the answer is not JSON: {e}"), body);
    check_json(body).map_err(not_json)?;
    let whole: &RawValue = serde_json::from_slice(body).map_err(not_json)?;
    let not_object = || decode_error(api, ".", "the answer is not a JSON object".into(), body);
    if !whole.get().starts_with('{') {
        return Err(not_object());
    }
    let map = serde_json::from_str(whole.get()).map_err(|_| not_object())?;
    Ok((whole, map))
}

/// `error_response` as [`Error::Platform`].
pub(crate) fn platform_error(api: &str, raw: &RawValue) -> Error {
    let v: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
    Error::Platform(Box::new(platform_error_from_json(api, &v)))
}

/// Decodes `T` from one value's raw text; an error names the field path.
pub(crate) fn from_raw<T: DeserializeOwned>(
    api: &str,
    raw: &RawValue,
    body: &[u8],
) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        decode_error(api, &path, e.into_inner().to_string(), body)
    })
}

/// Reads an `error_response` object; tolerant of codes sent as text or
/// number and of missing fields.
pub(crate) fn platform_error_from_json(api: &str, v: &Value) -> PlatformError {
    let text = |name: &str| v.get(name).and_then(text_of);
    PlatformError {
        api: api.to_owned(),
        code: text("code").unwrap_or_default(),
        msg: text("msg").unwrap_or_default(),
        sub_code: text("sub_code"),
        sub_msg: text("sub_msg"),
        request_id: text("request_id"),
    }
}

pub(crate) fn decode_error(api: &str, path: &str, message: String, body: &[u8]) -> Error {
    Error::Decode {
        api: api.to_owned(),
        path: if path.is_empty() {
            ".".into()
        } else {
            path.into()
        },
        message,
        snippet: snippet(body),
    }
}

/// The start of a body for error messages: at most 160 characters, lossy
/// UTF-8, control characters escaped.
pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 160;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    let mut out: String = text
        .chars()
        .take(MAX)
        .collect::<String>()
        .escape_debug()
        .collect();
    if text.chars().count() > MAX || body.len() > MAX * 4 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::MapAccess;

    #[derive(Debug, Deserialize)]
    struct Detail {
        result: DetailResult,
    }

    #[derive(Debug, Deserialize)]
    struct DetailResult {
        success: bool,
        order_detail_item: Item,
    }

    #[derive(Debug, Deserialize)]
    struct Item {
        buyer_id: i64,
    }

    const API: &str = "taobao.pc.order.detail";

    #[test]
    fn response_key_rule() {
        assert_eq!(
            response_key("taobao.pc.order.cancel"),
            "pc_order_cancel_response"
        );
        assert_eq!(
            response_key("taobao.qimen.auto.entryorder.giftitemcancel"),
            "qimen_auto_entryorder_giftitemcancel_response"
        );
        assert_eq!(
            response_key("alibaba.aliqin.fc.sms.num.send"),
            "alibaba_aliqin_fc_sms_num_send_response"
        );
    }

    #[test]
    fn envelope_and_simplify() {
        let wrapped = br#"{"pc_order_detail_response":{"result":{"success":true,"order_detail_item":{"buyer_id":9007199254740993}}}}"#;
        let d: Detail = decode_top(API, wrapped, false).unwrap();
        assert!(d.result.success);
        // 2^53 + 1 is not representable in f64.
        assert_eq!(d.result.order_detail_item.buyer_id, 9_007_199_254_740_993);

        let bare = br#"{"result":{"success":false,"order_detail_item":{"buyer_id":3}}}"#;
        let d: Detail = decode_top(API, bare, true).unwrap();
        assert_eq!(d.result.order_detail_item.buyer_id, 3);
        // An envelope is accepted under simplify too.
        let d: Detail = decode_top(API, wrapped, true).unwrap();
        assert!(d.result.success);
        // Without simplify the envelope is required.
        let e = decode_top::<Detail>(API, bare, false).unwrap_err();
        assert!(
            e.to_string()
                .contains("expected `pc_order_detail_response`"),
            "{e}"
        );
    }

    #[test]
    fn error_response_is_a_platform_error() {
        let body = r#"{"error_response":{"code":50,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数","request_id":"abc"}}"#.as_bytes();
        for simplify in [false, true] {
            let e = decode_top::<Detail>(API, body, simplify).unwrap_err();
            let p = e.platform().expect("platform error");
            assert_eq!(p.code, "50");
            assert_eq!(p.sub_code.as_deref(), Some("isv.invalid-parameter"));
            assert_eq!(p.sub_msg.as_deref(), Some("非法参数"));
            assert_eq!(p.request_id.as_deref(), Some("abc"));
            assert!(p.is_caller_fault());
        }
    }

    #[test]
    fn error_response_wins_wherever_it_stands() {
        // The streamed reading has already decoded the answer when it meets
        // `error_response`; the error still wins, as it does when buffered.
        let body = br#"{"pc_order_detail_response":{"result":{"success":true,"order_detail_item":{"buyer_id":3}}},"error_response":{"code":7,"msg":"App Call Limited"}}"#;
        let e = decode_top::<Detail>(API, body, false).unwrap_err();
        assert_eq!(e.platform().expect("platform error").code, "7");
        // Trailing bytes after the object are not an answer.
        let trailing = br#"{"pc_order_detail_response":{"result":{"success":true,"order_detail_item":{"buyer_id":3}}}} x"#;
        assert!(matches!(
            decode_top::<Detail>(API, trailing, false),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn decode_error_names_api_and_path() {
        let body = br#"{"pc_order_detail_response":{"result":{"success":true,"order_detail_item":{"buyer_id":"x"}}}}"#;
        match decode_top::<Detail>(API, body, false).unwrap_err() {
            Error::Decode { api, path, .. } => {
                assert_eq!(api, API);
                assert_eq!(path, "result.order_detail_item.buyer_id");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let deep = "[".repeat(100_000);
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"<html><body>502 Bad Gateway</body></html>".to_vec(),
            br#"{"pc_order_detail_response":{"result":{"succ"#.to_vec(),
            deep.into_bytes(),
            vec![0xff, 0xfe, 0x00, 0x7b],
            b"null".to_vec(),
            br#"{"error_response":[1,2]}"#.to_vec(),
            format!(r#"{{"pc_order_detail_response":{{"result":{{"success":true,"order_detail_item":{{"buyer_id":1{}}}}}}}}}"#, "0".repeat(5000)).into_bytes(),
        ];
        for body in cases {
            for simplify in [false, true] {
                assert!(decode_top::<Detail>(API, &body, simplify).is_err());
            }
        }
    }

    /// A response as the generator writes it: `result.buyer_id` and
    /// `result.items[].fee`.
    #[derive(Debug, Default, PartialEq)]
    struct Wired {
        result: Option<WiredResult>,
    }
    #[derive(Debug, Default, PartialEq)]
    struct WiredResult {
        buyer_id: Option<i64>,
        items: Vec<WiredItem>,
    }
    #[derive(Debug, Default, PartialEq)]
    struct WiredItem {
        fee: Option<crate::Decimal>,
    }
    macro_rules! wired {
        ($t:ty, $($name:literal => $field:ident),*) => {
            impl crate::de::WireStruct for $t {
                const FIELDS: &'static [&'static str] = &[$($name),*];
                fn read<'de, A: MapAccess<'de>>(&mut self, i: usize, map: &mut A) -> Result<(), A::Error> {
                    let mut n = 0;
                    $(if i == n { return crate::de::field_into(map, &mut self.$field); } n += 1;)*
                    let _ = n;
                    crate::de::skip(map)
                }
            }
            crate::wire_struct!($t);
        };
    }
    wired!(Wired, "result" => result);
    wired!(WiredResult, "buyer_id" => buyer_id, "items" => items);
    wired!(WiredItem, "fee" => fee);

    const WITH_NEW_FIELD: &[u8] = br#"{"pc_order_detail_response":{"result":{"buyer_id":9223372036854775807,"items":{"item":[{"fee":0.1},{"fee":0.2,"new_field":1}]}},"request_id":"r1"}}"#;

    #[test]
    fn unknown_fields_are_found_with_their_path() {
        let (d, found) = unknown::collect(|| decode_top::<Wired>(API, WITH_NEW_FIELD, false));
        let r = d.unwrap().result.unwrap();
        assert_eq!(r.buyer_id, Some(i64::MAX));
        let sum = r.items.iter().filter_map(|i| i.fee).sum::<crate::Decimal>();
        assert_eq!(sum.to_string(), "0.3");
        // `collect` inside `decode_top` keeps its own list; the outer one
        // sees nothing.
        assert!(found.is_empty());
        let ((), found) = unknown::collect(|| {
            let d: Wired = serde_json::from_slice::<serde_json::Value>(WITH_NEW_FIELD)
                .ok()
                .and_then(|v| serde_json::from_value(v["pc_order_detail_response"].clone()).ok())
                .unwrap();
            assert!(d.result.is_some());
        });
        // A `Value` holds its keys sorted.
        assert_eq!(found, ["request_id", "result.items.item[1].new_field"]);
    }

    #[test]
    fn strict_refuses_an_unknown_field_but_not_request_id() {
        for simplify in [false, true] {
            let strict = Decoding::new().strict(true).simplify(simplify);
            match decode_top_with::<Wired>(API, WITH_NEW_FIELD, strict).unwrap_err() {
                Error::UnknownField { api, path } => {
                    assert_eq!(api, API);
                    assert_eq!(path, "result.items.item[1].new_field");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let known = br#"{"pc_order_detail_response":{"result":{"buyer_id":1},"request_id":"r1"}}"#;
        let d = decode_top_with::<Wired>(API, known, Decoding::new().strict(true)).unwrap();
        assert_eq!(d.result.unwrap().buyer_id, Some(1));
        // Lenient decoding keeps the answer.
        assert!(decode_top::<Wired>(API, WITH_NEW_FIELD, false).is_ok());
    }

    #[test]
    fn simplify_refuses_an_answer_of_another_shape() {
        for body in [
            &br#"{"other_api_response":{"result":{"buyer_id":1}}}"#[..],
            br#"{"buyer_id":1,"request_id":"r1"}"#,
        ] {
            match decode_top::<Wired>(API, body, true).unwrap_err() {
                Error::Decode {
                    api, path, message, ..
                } => {
                    assert_eq!((api.as_str(), path.as_str()), (API, "."));
                    assert!(message.contains("no field of the response"), "{message}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        // A bare answer with its own fields, or with none at all, is fine.
        let d: Wired = decode_top(API, br#"{"result":{"buyer_id":1},"x":2}"#, true).unwrap();
        assert_eq!(d.result.unwrap().buyer_id, Some(1));
        assert_eq!(
            decode_top::<Wired>(API, b"{}", true).unwrap(),
            Wired::default()
        );
        assert_eq!(
            decode_top::<Wired>(API, br#"{"request_id":"r1"}"#, true).unwrap(),
            Wired::default()
        );
    }

    #[test]
    fn money_and_ids_are_exact_in_every_reading() {
        let bare =
            br#"{"result":{"buyer_id":9223372036854775807,"items":[{"fee":0.1},{"fee":0.2}]}}"#;
        let wrapped = WITH_NEW_FIELD;
        for d in [
            decode_top::<Wired>(API, bare, true).unwrap(),
            decode_top::<Wired>(API, wrapped, false).unwrap(),
            decode_top::<Wired>(API, wrapped, true).unwrap(),
        ] {
            let r = d.result.unwrap();
            assert_eq!(r.buyer_id, Some(i64::MAX));
            let sum = r.items.iter().filter_map(|i| i.fee).sum::<crate::Decimal>();
            assert_eq!(sum, "0.3".parse::<crate::Decimal>().unwrap());
        }
    }

    #[test]
    fn snippet_is_bounded() {
        let long = "数".repeat(1000);
        let s = snippet(long.as_bytes());
        assert!(s.chars().count() <= 161);
        assert!(s.ends_with('…'));
        assert_eq!(snippet(b"a\nb"), "a\\nb");
    }
}
