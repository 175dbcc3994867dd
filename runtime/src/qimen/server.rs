//! The receiving side of Qimen: a warehouse system or an ERP that the Qimen
//! gateway calls.
//!
//! The gateway posts the XML `<request>` of an API (`taobao.qimen.order.cancel`,
//! …) with the system parameters in the query string, signed as the official
//! SDK's `SpiUtils.checkSign` checks it: every query parameter and every
//! header named in `top-sign-list` (URL-decoded) except `sign`, sorted by
//! name, written `name` + `value`, then the body; `md5` wraps that in the
//! secret, `hmac` and `hmac-sha256` key it by the secret (`sign_method`,
//! `md5` when absent). The answer is the XML `<response>` with `flag`,
//! `code` and `message`.
//!
//! [`Verifier`] checks the signature (compared in constant time) and the
//! `timestamp` (within a window both ways, GMT+8 as the gateway writes it);
//! [`Call::decode`] reads the body into a generated request type and
//! [`respond`] writes a generated response type, both with the generated
//! crates' `server` feature on; every refusal is a [`Failure`], answered in
//! the gateway's failure form. [`Router`] puts these together for handlers
//! that answer at once. Nothing here depends on an HTTP framework: the query
//! string, the headers ([`Headers`], implemented for `http::HeaderMap` and
//! for name-value pairs) and the body bytes are all it reads.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime as ChronoDateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::client::Secret;
use crate::request::Request;
use crate::sign::SignMethod;
use crate::types::DateTime;

/// How far the `timestamp` of a call may be from the receiver's clock, either
/// way, unless [`Verifier::window`] says otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The header that names the headers which are part of the signature.
pub const SIGN_LIST_HEADER: &str = "top-sign-list";

/// Content type of every answer.
pub const CONTENT_TYPE: &str = super::CONTENT_TYPE;

/// The gateway's clock: China Standard Time, without a zone on the wire.
const GATEWAY_OFFSET_SECS: i32 = 8 * 3600;

/// A refused call, answered as
/// `<response><flag>failure</flag><code>…</code><message>…</message></response>`.
///
/// The codes this module gives are the `Failure::*` constants; a handler may
/// answer its own (`Failure::new("S002", "单据不存在")`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl Failure {
    /// `sign` is not the signature of this call under the app secret.
    pub const INVALID_SIGNATURE: &'static str = "INVALID_SIGNATURE";
    /// `sign_method` names no method the gateway signs with.
    pub const INVALID_SIGN_METHOD: &'static str = "INVALID_SIGN_METHOD";
    /// A system parameter (`sign`, `timestamp`, `method`) is missing.
    pub const MISSING_PARAMETER: &'static str = "MISSING_PARAMETER";
    /// `timestamp` is not `yyyy-MM-dd HH:mm:ss`.
    pub const INVALID_TIMESTAMP: &'static str = "INVALID_TIMESTAMP";
    /// `timestamp` is outside the window: a replay, or a clock far off.
    pub const STALE_TIMESTAMP: &'static str = "STALE_TIMESTAMP";
    /// The body is not the `<request>` of the API.
    pub const INVALID_BODY: &'static str = "INVALID_BODY";
    /// This receiver handles no API of that `method`.
    pub const UNKNOWN_METHOD: &'static str = "UNKNOWN_METHOD";
    /// The answer could not be written.
    pub const ENCODING_FAILED: &'static str = "ENCODING_FAILED";

    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The answer the gateway expects for a refused call.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(XML_DECLARATION);
        out.push_str("<response><flag>failure</flag>");
        element(&mut out, "code", &self.code);
        element(&mut out, "message", &self.message);
        out.push_str("</response>");
        out
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Failure {}

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&quick_xml::escape::escape(text));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// The headers of an incoming call, looked up by name without regard to case.
pub trait Headers {
    /// The value of header `name`, if it is there and is text.
    fn header(&self, name: &str) -> Option<&str>;
}

impl Headers for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        // A name that is no valid header name finds nothing.
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Headers for [(&str, &str)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

impl<const N: usize> Headers for [(&str, &str); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

/// Checks the signature and the timestamp of incoming calls with one app
/// secret. `Debug` does not show the secret.
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: Secret,
    window: Duration,
}

impl Verifier {
    /// Calls signed with `secret`, timestamps within [`DEFAULT_WINDOW`].
    pub fn new(secret: impl Into<Secret>) -> Self {
        Verifier {
            secret: secret.into(),
            window: DEFAULT_WINDOW,
        }
    }

    /// How far `timestamp` may be from the receiver's clock, either way.
    #[must_use]
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Verifies a call against the system clock.
    pub fn verify<'a, H: Headers + ?Sized>(
        &self,
        query: &str,
        headers: &H,
        body: &'a [u8],
    ) -> Result<Call<'a>, Failure> {
        self.verify_at(query, headers, body, Utc::now())
    }

    /// Verifies a call as of `now`: the signature first, then the timestamp.
    pub fn verify_at<'a, H: Headers + ?Sized>(
        &self,
        query: &str,
        headers: &H,
        body: &'a [u8],
        now: ChronoDateTime<Utc>,
    ) -> Result<Call<'a>, Failure> {
        let query = query_params(query);
        let Some(sent) = query.get("sign").filter(|s| !s.is_empty()) else {
            return Err(missing("sign"));
        };
        let method = sign_method(&query)?;
        let mut signed = signed_headers(headers);
        signed.extend(query.iter().map(|(k, v)| (k.clone(), v.clone())));
        let expected = signature(&signed, body, self.secret.expose(), method);
        if !same_signature(&expected, sent) {
            return Err(Failure::new(
                Failure::INVALID_SIGNATURE,
                format!(
                    "the `sign` of this call ({method}) does not match its parameters and body \
                     under this app secret: check the secret, and that the body is read unchanged"
                ),
            ));
        }
        self.check_timestamp(query.get("timestamp").map(String::as_str), now)?;
        Ok(Call {
            params: query,
            body,
        })
    }

    fn check_timestamp(&self, sent: Option<&str>, now: ChronoDateTime<Utc>) -> Result<(), Failure> {
        let Some(sent) = sent.filter(|s| !s.is_empty()) else {
            return Err(missing("timestamp"));
        };
        let at = gateway_time(sent)?;
        let window = TimeDelta::from_std(self.window).unwrap_or(TimeDelta::MAX);
        if (now - at).abs() > window {
            return Err(Failure::new(
                Failure::STALE_TIMESTAMP,
                format!(
                    "`timestamp` {sent} (GMT+8) is more than {} s from this receiver's clock: \
                     a replayed call, or a clock that is off",
                    self.window.as_secs()
                ),
            ));
        }
        Ok(())
    }
}

fn missing(name: &str) -> Failure {
    Failure::new(
        Failure::MISSING_PARAMETER,
        format!("the query string has no `{name}`"),
    )
}

/// The query parameters, URL-decoded; of a repeated name the last counts,
/// as in the SDK's map.
fn query_params(query: &str) -> BTreeMap<String, String> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .into_owned()
        .collect()
}

fn sign_method(query: &BTreeMap<String, String>) -> Result<SignMethod, Failure> {
    match query.get("sign_method").filter(|m| !m.is_empty()) {
        None => Ok(SignMethod::Md5),
        Some(m) => m.parse().map_err(|e: crate::sign::UnknownSignMethod| {
            Failure::new(Failure::INVALID_SIGN_METHOD, e.to_string())
        }),
    }
}

/// The headers named in `top-sign-list`, URL-decoded; one that is absent
/// counts as empty, as in the SDK.
fn signed_headers<H: Headers + ?Sized>(headers: &H) -> BTreeMap<String, String> {
    let Some(list) = headers.header(SIGN_LIST_HEADER).filter(|l| !l.is_empty()) else {
        return BTreeMap::new();
    };
    list.split(',')
        .map(|name| {
            let value = headers.header(name).map(url_decode).unwrap_or_default();
            (name.to_owned(), value)
        })
        .collect()
}

/// `URLDecoder.decode`: `+` is a space, `%XX` a byte.
fn url_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Uppercase hex of the digest of every parameter but `sign`, sorted, as
/// `name` + `value`, then the body.
fn signature(
    params: &BTreeMap<String, String>,
    body: &[u8],
    secret: &str,
    method: SignMethod,
) -> String {
    let mut text = Vec::with_capacity(body.len() + 64 * params.len());
    for (k, v) in params.iter().filter(|(k, _)| *k != "sign") {
        text.extend_from_slice(k.as_bytes());
        text.extend_from_slice(v.as_bytes());
    }
    text.extend_from_slice(body);
    crate::sign::digest_hex(&text, secret, method)
}

/// Compares without stopping at the first difference; hex case is free.
fn same_signature(expected: &str, sent: &str) -> bool {
    let sent = sent.trim().to_ascii_uppercase();
    expected.as_bytes().ct_eq(sent.as_bytes()).into()
}

/// `yyyy-MM-dd HH:mm:ss` on the gateway's clock (GMT+8).
fn gateway_time(sent: &str) -> Result<ChronoDateTime<Utc>, Failure> {
    let offset = FixedOffset::east_opt(GATEWAY_OFFSET_SECS).expect("GMT+8 is a valid offset");
    NaiveDateTime::parse_from_str(sent.trim(), DateTime::FORMAT)
        .ok()
        .and_then(|t| t.and_local_timezone(offset).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            Failure::new(
                Failure::INVALID_TIMESTAMP,
                format!("`timestamp` `{sent}` is not like `2026-12-04 18:30:00` (GMT+8)"),
            )
        })
}

/// A verified call: its query parameters and its body.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    params: BTreeMap<String, String>,
    body: &'a [u8],
}

impl<'a> Call<'a> {
    /// The API called (`method`), if the query names one.
    pub fn method(&self) -> Option<&str> {
        self.param("method")
    }

    /// A query parameter, URL-decoded (`customerId`, `app_key`, …).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The body as it came.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The body as the request type `R` (see [`decode_request`]).
    pub fn decode<R: DeserializeOwned>(&self) -> Result<R, Failure> {
        decode_request(self.body)
    }
}

/// Reads a Qimen `<request>` body into `R`, a generated request type (with
/// its crate's `server` feature), by the rules answers are read with: ids
/// exact, decimals exact, numbers as text, codes the documents do not list
/// kept, lists wrapped or bare. A missing required field, a value of the
/// wrong form or a body that is not the XML of a `<request>` is an
/// [`Failure::INVALID_BODY`] naming the field path.
pub fn decode_request<R: DeserializeOwned>(body: &[u8]) -> Result<R, Failure> {
    let invalid = |m: String| Failure::new(Failure::INVALID_BODY, m);
    let text =
        std::str::from_utf8(body).map_err(|e| invalid(format!("the body is not UTF-8: {e}")))?;
    let root = super::scan(text).map_err(|m| invalid(format!("the body is not XML: {m}")))?;
    if root != "request" {
        return Err(invalid(format!(
            "expected a <request> root, found <{root}>"
        )));
    }
    let doc =
        crate::de::xml_to_value(text).map_err(|e| invalid(format!("the body is not XML: {e}")))?;
    let fields = match doc {
        Value::Object(mut m) => m.remove("request").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    // `<request/>`, or text only: no fields.
    let fields = match fields {
        Value::Object(m) => Value::Object(m),
        _ => Value::Object(Default::default()),
    };
    serde_path_to_error::deserialize::<_, R>(fields).map_err(|e| {
        let path = e.path().to_string();
        invalid(format!("at `{path}`: {}", e.into_inner()))
    })
}

/// The success answer: `response`'s fields (a generated response type, with
/// its crate's `server` feature) under `<response>`, lists wrapped by their
/// item name, with `flag` `success` and `code` `0` unless it sets them.
pub fn respond<T: Serialize>(response: &T) -> Result<String, Failure> {
    let failed = |e: &dyn fmt::Display| {
        Failure::new(
            Failure::ENCODING_FAILED,
            format!("the answer could not be written: {e}"),
        )
    };
    let set = serde_json::to_value(response).map_err(|e| failed(&e))?;
    let mut head = String::new();
    if set.get("flag").is_none() {
        element(&mut head, "flag", "success");
    }
    if set.get("code").is_none() {
        element(&mut head, "code", "0");
    }
    let xml = quick_xml::se::to_string_with_root("response", response).map_err(|e| failed(&e))?;
    let fields = xml
        .strip_prefix("<response>")
        .and_then(|x| x.strip_suffix("</response>"))
        .unwrap_or_default();
    Ok(format!(
        "{XML_DECLARATION}<response>{head}{fields}</response>"
    ))
}

type Handler = Box<dyn Fn(&Call<'_>) -> Result<String, Failure> + Send + Sync>;

/// Answers calls by their `method`, each with the handler of its request
/// type; a call that fails verification or decoding, or names a method
/// with no handler, is answered with its [`Failure`] and reaches no handler.
///
/// Handlers answer at once; for one that waits (a database, another call),
/// use [`Verifier::verify`], [`Call::decode`] and [`respond`] directly.
pub struct Router {
    verifier: Verifier,
    handlers: BTreeMap<&'static str, Handler>,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("verifier", &self.verifier)
            .field("methods", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Router {
    pub fn new(verifier: Verifier) -> Self {
        Router {
            verifier,
            handlers: BTreeMap::new(),
        }
    }

    /// Handles calls of `R::METHOD` with `handler`, which answers the
    /// response or its own failure.
    #[must_use]
    pub fn on<R, F>(mut self, handler: F) -> Self
    where
        R: Request + DeserializeOwned,
        R::Response: Serialize,
        F: Fn(R, &Call<'_>) -> Result<R::Response, Failure> + Send + Sync + 'static,
    {
        let run = move |call: &Call<'_>| {
            let request: R = call.decode()?;
            respond(&handler(request, call)?)
        };
        self.handlers.insert(R::METHOD, Box::new(run));
        self
    }

    /// The methods handled, sorted.
    pub fn methods(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    /// The XML answer to a call, checked against the system clock.
    pub fn answer<H: Headers + ?Sized>(&self, query: &str, headers: &H, body: &[u8]) -> String {
        self.answer_at(query, headers, body, Utc::now())
    }

    /// The XML answer to a call as of `now`.
    pub fn answer_at<H: Headers + ?Sized>(
        &self,
        query: &str,
        headers: &H,
        body: &[u8],
        now: ChronoDateTime<Utc>,
    ) -> String {
        self.run(query, headers, body, now)
            .unwrap_or_else(|f| f.to_xml())
    }

    fn run<H: Headers + ?Sized>(
        &self,
        query: &str,
        headers: &H,
        body: &[u8],
        now: ChronoDateTime<Utc>,
    ) -> Result<String, Failure> {
        let call = self.verifier.verify_at(query, headers, body, now)?;
        let method = call.method().ok_or_else(|| missing("method"))?;
        let handler = self.handlers.get(method).ok_or_else(|| {
            Failure::new(
                Failure::UNKNOWN_METHOD,
                format!("this receiver does not handle `{method}`"),
            )
        })?;
        handler(&call)
    }
}

#[cfg(test)]
mod tests;
