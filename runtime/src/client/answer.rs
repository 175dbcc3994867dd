//! What every answer carries beside its decoded value: the request id, the
//! raw body, the request URL and the HTTP status.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::time::Duration;

use chrono::{DateTime, Utc};

use serde::Deserializer as _;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use crate::de::KeyText;
use crate::error::Error;
use crate::request::Protocol;

/// The facts of one HTTP answer, success or error.
///
/// The URL is the one the call went to with its `session` shown as `***`,
/// so it can be logged and sent to the platform's support as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct AnswerMeta {
    api: String,
    url: String,
    status: u16,
    request_id: Option<String>,
    raw: Vec<u8>,
    attempts: u32,
    retry_after: Option<Duration>,
}

impl AnswerMeta {
    pub(crate) fn new(
        api: &str,
        protocol: Protocol,
        url: String,
        status: u16,
        raw: Vec<u8>,
    ) -> Self {
        AnswerMeta {
            api: api.to_owned(),
            request_id: request_id(protocol, &raw),
            url,
            status,
            raw,
            attempts: 1,
            retry_after: None,
        }
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.retry_after = wait;
        self
    }

    /// How long the answer's `Retry-After` header asked to wait (a 429 or
    /// 503 sends one), when it had a readable one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The API method that was called.
    pub fn api(&self) -> &str {
        &self.api
    }

    /// The platform's `request_id`: what its support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The answer's body as received (after gzip decoding).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The body as text (lossy where it is not UTF-8).
    pub fn raw_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.raw)
    }

    /// The request URL, `session` redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// How many attempts the call took, this one included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }
}

impl fmt::Debug for AnswerMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerMeta")
            .field("api", &self.api)
            .field("url", &self.url)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("raw_len", &self.raw.len())
            .field("attempts", &self.attempts)
            .field("retry_after", &self.retry_after)
            .finish()
    }
}

/// A decoded answer with its [`AnswerMeta`]; derefs to the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    value: T,
    meta: AnswerMeta,
}

impl<T> Answer<T> {
    pub(crate) fn new(value: T, meta: AnswerMeta) -> Self {
        Answer { value, meta }
    }

    pub fn value(&self) -> &T {
        &self.value
    }

    pub fn into_value(self) -> T {
        self.value
    }

    pub fn into_parts(self) -> (T, AnswerMeta) {
        (self.value, self.meta)
    }

    pub fn meta(&self) -> &AnswerMeta {
        &self.meta
    }

    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    pub fn raw(&self) -> &[u8] {
        self.meta.raw()
    }

    pub fn url(&self) -> &str {
        self.meta.url()
    }

    pub(crate) fn meta_mut(&mut self) -> &mut AnswerMeta {
        &mut self.meta
    }
}

impl<T> Deref for Answer<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// A failed call: the [`Error`] and, when an answer arrived, its
/// [`AnswerMeta`]. Converts into [`Error`] with `?`.
#[derive(Debug)]
pub struct FailedCall {
    error: Error,
    meta: Option<Box<AnswerMeta>>,
}

impl FailedCall {
    pub(crate) fn new(error: Error, meta: Option<AnswerMeta>) -> Self {
        FailedCall {
            error,
            meta: meta.map(Box::new),
        }
    }

    pub fn error(&self) -> &Error {
        &self.error
    }

    pub fn into_error(self) -> Error {
        self.error
    }

    /// The answer's facts; `None` when no complete answer arrived.
    pub fn meta(&self) -> Option<&AnswerMeta> {
        self.meta.as_deref()
    }

    /// The request id of the answer, or the one inside a platform error.
    pub fn request_id(&self) -> Option<&str> {
        self.meta()
            .and_then(AnswerMeta::request_id)
            .or_else(|| self.error.platform()?.request_id.as_deref())
    }

    pub(crate) fn meta_mut(&mut self) -> Option<&mut AnswerMeta> {
        self.meta.as_deref_mut()
    }
}

impl fmt::Display for FailedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for FailedCall {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<FailedCall> for Error {
    fn from(f: FailedCall) -> Error {
        f.error
    }
}

impl From<Error> for FailedCall {
    fn from(error: Error) -> Self {
        FailedCall::new(error, None)
    }
}

/// A `Retry-After` value: seconds, or an HTTP date (`Wed, 21 Oct 2015
/// 07:28:00 GMT`) taken as the time from `now` until then.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// `request_id` at the top of the answer or one level down (inside the
/// envelope or `error_response`); an unreadable body simply has none.
fn request_id(protocol: Protocol, body: &[u8]) -> Option<String> {
    let trimmed = body.trim_ascii_start();
    if protocol == Protocol::Qimen && !trimmed.starts_with(b"{") {
        return xml_request_id(body);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    de.deserialize_map(IdProbe { depth: 0 }).ok().flatten()
}

struct IdProbe {
    depth: u8,
}

impl<'de> Visitor<'de> for IdProbe {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key_seed(KeyText)? {
            if key == "request_id" && found.is_none() {
                found = map.next_value::<IdText>()?.0;
            } else if self.depth == 0 && found.is_none() {
                found = map.next_value::<Nested>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A value one level down: searched when it is an object, skipped if not.
struct Nested(Option<String>);

impl<'de> serde::Deserialize<'de> for Nested {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Nested;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Nested, A::Error> {
                IdProbe { depth: 1 }.visit_map(map).map(Nested)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Nested, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Nested(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Nested, E> {
                Ok(Nested(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Nested, E> {
                Ok(Nested(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Nested, E> {
                Ok(Nested(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Nested, E> {
                Ok(Nested(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Nested, E> {
                Ok(Nested(None))
            }
            fn visit_unit<E>(self) -> Result<Nested, E> {
                Ok(Nested(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A `request_id` value: text, or a number's text.
struct IdText(Option<String>);

impl<'de> serde::Deserialize<'de> for IdText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(IdText(match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }))
    }
}

/// `<request_id>` directly under the root element.
fn xml_request_id(body: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut depth = 0usize;
    let mut inside = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                inside = depth == 2 && e.local_name().as_ref() == b"request_id";
            }
            Event::Text(t) if inside => {
                let text = t.decode().ok()?;
                return Some(text.trim().to_owned()).filter(|s| !s.is_empty());
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                inside = false;
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:30Z")
            .unwrap()
            .with_timezone(&Utc);
        let table = [
            ("120", Some(Duration::from_secs(120))),
            (" 0 ", Some(Duration::ZERO)),
            (
                "Wed, 21 Oct 2015 07:28:00 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Wed, 21 Oct 2015 07:00:00 GMT", Some(Duration::ZERO)),
            ("-1", None),
            ("soon", None),
            ("99999999999999999999999", None),
        ];
        for (value, want) in table {
            assert_eq!(parse_retry_after(value, now), want, "{value}");
        }
    }

    #[test]
    fn request_id_where_the_platform_puts_it() {
        let table: &[(Protocol, &str, Option<&str>)] = &[
            (
                Protocol::Top,
                r#"{"pc_order_detail_response":{"result":{"x":[1,{"request_id":"deep"}]},"request_id":"abc"}}"#,
                Some("abc"),
            ),
            (
                Protocol::Top,
                r#"{"error_response":{"code":7,"request_id":"e1"}}"#,
                Some("e1"),
            ),
            (Protocol::Top, r#"{"result":1,"request_id":12}"#, Some("12")),
            (
                Protocol::Top,
                r#"{"a":{"b":{"request_id":"too-deep"}}}"#,
                None,
            ),
            (Protocol::Top, "<html>", None),
            (Protocol::Top, r#"{"a":"#, None),
            (
                Protocol::Qimen,
                "<error_response><code>25</code><request_id>q1</request_id></error_response>",
                Some("q1"),
            ),
            (
                Protocol::Qimen,
                "<response><flag>success</flag><x><request_id>no</request_id></x></response>",
                None,
            ),
            (
                Protocol::Qimen,
                r#"{"response":{"request_id":"j"}}"#,
                Some("j"),
            ),
        ];
        for (protocol, body, want) in table {
            assert_eq!(
                request_id(*protocol, body.as_bytes()).as_deref(),
                *want,
                "{body}"
            );
        }
    }
}
