//! Several TOP calls in one HTTP request, through the platform's batch
//! endpoint (`/router/batch`).
//!
//! The wire form, as the platform's own SDKs send it: the system
//! parameters go in the URL without `method`; the body
//! (`text/plain;charset=UTF-8`) holds each call's business parameters
//! form-encoded, its `method` among them (`N` for a call with none),
//! joined by [`SEPARATOR`]. Parameters shared by every call may come first
//! as [`PUBLIC_PREFIX`] + form-encoded + separator. The signature covers
//! the URL parameters and the whole body. The answer holds one TOP answer
//! per call, in order, joined by the same separator; a batch the gateway
//! refuses as a whole (bad signature, unknown app key) gets one
//! `error_response`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::IgnoredAny;
use serde_json::Value;

pub use crate::client::batch_url;
use crate::client::{self, Answer, AnswerMeta, Body, Call, CallOptions, Client, FailedCall};
use crate::de::Decoding;
use crate::dynamic::DynamicRequest;
use crate::envelope::{decode_error, decode_top, decode_top_with};
use crate::error::Error;
use crate::request::{EncodeError, Protocol, Request};

/// Between two calls in the body and two answers in the answer. Form
/// encoding escapes CR and LF and JSON text never holds them raw, so it
/// cannot stand inside a call or an answer.
pub const SEPARATOR: &str = "\r\n-S-\r\n";
/// Marks the parameters every call shares.
pub const PUBLIC_PREFIX: &str = "#PUBLIC#";
/// The body's content type.
pub const CONTENT_TYPE: &str = client::BATCH_CONTENT_TYPE;
/// The body part of a call without parameters.
const NO_PARAMS: &str = "N";

/// The calls of one batch, in order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Batch {
    calls: Vec<Part>,
    public: Vec<(String, String)>,
}

#[derive(Clone, PartialEq, Eq)]
struct Part {
    method: String,
    /// `method` first, then the business parameters.
    fields: Vec<(String, String)>,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameter values may be personal data: the methods say enough.
        f.debug_struct("Batch")
            .field("methods", &self.methods())
            .field(
                "public",
                &self.public.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Where the answer of a typed call stands in a [`BatchAnswer`].
pub struct Slot<R> {
    index: usize,
    response: PhantomData<fn() -> R>,
}

impl<R> Slot<R> {
    /// The call's place in its batch, from 0.
    pub fn index(&self) -> usize {
        self.index
    }
}

impl<R> Clone for Slot<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Slot<R> {}

impl<R> fmt::Debug for Slot<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slot({})", self.index)
    }
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a typed call. Qimen APIs and calls with files cannot go in a
    /// batch: its body is text in the TOP form.
    pub fn push<R: Request>(&mut self, req: &R) -> Result<Slot<R>, Error> {
        let api = R::METHOD;
        if R::PROTOCOL == Protocol::Qimen {
            return Err(EncodeError {
                api,
                param: "request",
                message: "a Qimen API cannot go in a batch".into(),
            }
            .into());
        }
        if let Some((name, _)) = req.files().first() {
            return Err(EncodeError {
                api,
                param: name,
                message: "a file cannot go in a batch: its body is text".into(),
            }
            .into());
        }
        let declared: Vec<(String, String)> = req
            .params()?
            .0
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let index = self.add(api, &declared)?;
        Ok(Slot {
            index,
            response: PhantomData,
        })
    }

    /// Adds a call by a run-time method name; its answer is read with
    /// [`BatchAnswer::value`] at the index returned.
    pub fn push_dynamic(&mut self, req: &DynamicRequest) -> Result<usize, Error> {
        if req.qimen_body().is_some() {
            return Err(Error::Config(format!(
                "{}: a Qimen call cannot go in a batch",
                req.method()
            )));
        }
        self.add(req.method(), req.params())
    }

    /// A business parameter every call of the batch shares (a call's own
    /// parameter of the same name wins).
    pub fn public_param(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<&mut Self, Error> {
        let extra = [(name.into(), value.into())];
        client::merge_params("batch", &mut self.public, &extra)?;
        Ok(self)
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The methods of the calls, in order.
    pub fn methods(&self) -> Vec<&str> {
        self.calls.iter().map(|c| c.method.as_str()).collect()
    }

    fn add(&mut self, method: &str, params: &[(String, String)]) -> Result<usize, Error> {
        if method.is_empty() {
            return Err(Error::Config("a call needs a method name".into()));
        }
        let mut fields = Vec::with_capacity(params.len() + 1);
        client::merge_params(method, &mut fields, params)?;
        fields.insert(0, ("method".to_owned(), method.to_owned()));
        self.calls.push(Part {
            method: method.to_owned(),
            fields,
        });
        Ok(self.calls.len() - 1)
    }

    /// The request body, exactly as sent and signed.
    pub fn body(&self) -> String {
        let mut parts: Vec<String> = Vec::with_capacity(self.calls.len() + 1);
        if !self.public.is_empty() {
            parts.push(format!("{PUBLIC_PREFIX}{}", form(&self.public)));
        }
        parts.extend(self.calls.iter().map(|c| form(&c.fields)));
        parts.join(SEPARATOR)
    }

    /// How errors about the whole batch name it.
    fn label(&self) -> String {
        format!("batch [{}]", self.methods().join(", "))
    }
}

fn form(fields: &[(String, String)]) -> String {
    let text = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if text.is_empty() {
        NO_PARAMS.to_owned()
    } else {
        text
    }
}

/// The answers of a batch, one per call, each decoded or failed on its own
/// as the client that sent it decodes a single answer (with
/// [`ClientBuilder::strict`](crate::ClientBuilder::strict), a field the
/// documents lack fails that call's answer).
#[derive(Debug, Clone)]
pub struct BatchAnswer {
    methods: Vec<String>,
    parts: Vec<String>,
    how: Decoding,
}

impl BatchAnswer {
    /// Splits a complete answer: exactly one part per call, or the error
    /// that refused the whole batch. Each part is later read as `how` says.
    pub fn parse(batch: &Batch, body: &[u8], how: Decoding) -> Result<Self, Error> {
        let label = batch.label();
        let text = std::str::from_utf8(body).map_err(|e| {
            decode_error(&label, ".", format!("the answer is not UTF-8: {e}"), body)
        })?;
        let mut parts: Vec<&str> = text.split(SEPARATOR).collect();
        // A separator after the last answer ends it; it opens no new one.
        while parts.len() > 1 && parts.last().is_some_and(|p| p.trim().is_empty()) {
            parts.pop();
        }
        if parts.len() != batch.len() {
            if let [only] = parts.as_slice() {
                // An `error_response` alone refuses the batch as a whole.
                decode_top::<IgnoredAny>(&label, only.as_bytes(), true)?;
            }
            return Err(decode_error(
                &label,
                ".",
                format!(
                    "the batch answer has {} part(s) for {} call(s)",
                    parts.len(),
                    batch.len()
                ),
                body,
            ));
        }
        Ok(BatchAnswer {
            methods: batch.calls.iter().map(|c| c.method.clone()).collect(),
            parts: parts.into_iter().map(str::to_owned).collect(),
            how,
        })
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The decoded answer of a typed call, or the error it holds.
    pub fn get<R: Request>(&self, slot: Slot<R>) -> Result<R::Response, Error> {
        let part = self.part(slot.index)?;
        if self.methods[slot.index] != R::METHOD {
            return Err(Error::Config(format!(
                "call {} of this batch is {}, not {}: the slot belongs to another batch",
                slot.index,
                self.methods[slot.index],
                R::METHOD
            )));
        }
        decode_top_with::<R::Response>(R::METHOD, part.as_bytes(), self.how)
    }

    /// The answer of call `index` as JSON (the envelope's value), or the
    /// error it holds.
    pub fn value(&self, index: usize) -> Result<Value, Error> {
        let part = self.part(index)?;
        decode_top_with::<Value>(&self.methods[index], part.as_bytes(), self.how)
    }

    /// The answer of call `index` as sent.
    pub fn raw(&self, index: usize) -> Option<&str> {
        self.parts.get(index).map(String::as_str)
    }

    fn part(&self, index: usize) -> Result<&str, Error> {
        self.raw(index).ok_or_else(|| {
            Error::Config(format!(
                "the batch has {} call(s); there is no call {index}",
                self.parts.len()
            ))
        })
    }
}

impl Client {
    /// Sends every call of `batch` in one request with the client's
    /// defaults.
    pub async fn execute_batch(&self, batch: &Batch) -> Result<BatchAnswer, Error> {
        self.execute_batch_with(batch, &CallOptions::default())
            .await
    }

    /// Sends every call of `batch` in one request; `opts` sets the session
    /// and `target_app_key` of the whole batch. Retried as a write is: only
    /// when the platform provably did not act on it (a batch may hold
    /// writes).
    pub async fn execute_batch_with(
        &self,
        batch: &Batch,
        opts: &CallOptions,
    ) -> Result<BatchAnswer, Error> {
        Ok(self
            .execute_batch_with_meta(batch, opts)
            .await?
            .into_value())
    }

    /// [`execute_batch_with`](Self::execute_batch_with), the answers or the
    /// failure with the [`AnswerMeta`] of the one HTTP answer.
    pub async fn execute_batch_with_meta(
        &self,
        batch: &Batch,
        opts: &CallOptions,
    ) -> Result<Answer<BatchAnswer>, FailedCall> {
        let label = batch.label();
        let call = batch.call(&label)?;
        // It may hold writes: retried only when provably not run.
        let opts = opts.clone().idempotent(false);
        self.send(&call, &opts, |m, how| BatchAnswer::judge(batch, m, how))
            .await
    }
}

#[cfg(feature = "blocking")]
impl crate::client::blocking::Client {
    /// Sends every call of `batch` in one request with the client's
    /// defaults.
    pub fn execute_batch(&self, batch: &Batch) -> Result<BatchAnswer, Error> {
        self.execute_batch_with(batch, &CallOptions::default())
    }

    /// As the async client's [`Client::execute_batch_with`].
    pub fn execute_batch_with(
        &self,
        batch: &Batch,
        opts: &CallOptions,
    ) -> Result<BatchAnswer, Error> {
        Ok(self.execute_batch_with_meta(batch, opts)?.into_value())
    }

    /// As the async client's [`Client::execute_batch_with_meta`].
    pub fn execute_batch_with_meta(
        &self,
        batch: &Batch,
        opts: &CallOptions,
    ) -> Result<Answer<BatchAnswer>, FailedCall> {
        let label = batch.label();
        let call = batch.call(&label)?;
        let opts = opts.clone().idempotent(false);
        self.send(&call, &opts, |m, how| BatchAnswer::judge(batch, m, how))
    }
}

impl Batch {
    /// The one call that carries the batch; refused before sending when
    /// empty. It takes no extra parameters: they belong to its calls.
    fn call<'a>(&self, label: &'a str) -> Result<Call<'a>, Error> {
        if self.is_empty() {
            return Err(Error::Config(format!(
                "{label}: a batch needs at least one call"
            )));
        }
        Ok(Call::new(label, Body::Batch(self.body())))
    }
}

impl BatchAnswer {
    /// One HTTP answer of a batch: split into its parts, or the error of
    /// the whole (a non-2xx status, the batch refused).
    fn judge(batch: &Batch, meta: &AnswerMeta, how: Decoding) -> Result<Self, Error> {
        if !(200..300).contains(&meta.status()) {
            client::decode::<IgnoredAny>(Protocol::Top, Decoding::new().simplify(true), meta)?;
        }
        BatchAnswer::parse(batch, meta.raw(), how)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Params;

    struct Detail(&'static str);

    impl Request for Detail {
        const METHOD: &'static str = "taobao.pc.order.detail";
        const PROTOCOL: Protocol = Protocol::Top;
        type Response = Value;

        fn params(&self) -> Result<Params, EncodeError> {
            Ok(Params(vec![
                ("tp_request", self.0.into()),
                ("empty", String::new()),
            ]))
        }
    }

    fn two() -> Batch {
        let mut b = Batch::new();
        b.push(&Detail(r#"{"biz_order_id":"1 2"}"#)).unwrap();
        b.push_dynamic(&DynamicRequest::new("taobao.time.get"))
            .unwrap();
        b
    }

    #[test]
    fn body_joins_form_encoded_calls() {
        let mut b = two();
        assert_eq!(
            b.body(),
            "method=taobao.pc.order.detail&tp_request=%7B%22biz_order_id%22%3A%221+2%22%7D\
             \r\n-S-\r\nmethod=taobao.time.get"
        );
        b.public_param("fields", "a,b").unwrap();
        assert!(
            b.body()
                .starts_with("#PUBLIC#fields=a%2Cb\r\n-S-\r\nmethod=taobao.pc")
        );
        assert!(b.public_param("sign", "x").is_err());
    }

    #[test]
    fn each_part_decodes_or_fails_alone() {
        let b = two();
        let body = "{\"pc_order_detail_response\":{\"ok\":1}}\r\n-S-\r\n\
                    {\"error_response\":{\"code\":15,\"msg\":\"Remote service error\",\"sub_code\":\"isp.x\"}}\r\n-S-\r\n";
        let a = BatchAnswer::parse(&b, body.as_bytes(), Decoding::new()).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a.value(0).unwrap()["ok"], serde_json::json!(1));
        let e = a.value(1).unwrap_err();
        let p = e.platform().expect("platform error");
        assert_eq!(p.api, "taobao.time.get");
        assert_eq!(p.sub_code.as_deref(), Some("isp.x"));
        assert!(matches!(a.value(2), Err(Error::Config(_))));
    }

    #[test]
    fn fewer_parts_than_calls_is_an_error_naming_the_batch() {
        let b = two();
        let body = br#"{"pc_order_detail_response":{"ok":1}}"#;
        match BatchAnswer::parse(&b, body, Decoding::new()).unwrap_err() {
            Error::Decode { api, message, .. } => {
                assert_eq!(api, "batch [taobao.pc.order.detail, taobao.time.get]");
                assert!(message.contains("1 part(s) for 2 call(s)"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        // One error_response is the refusal of the whole batch.
        let refused = br#"{"error_response":{"code":25,"msg":"Invalid signature"}}"#;
        let e = BatchAnswer::parse(&b, refused, Decoding::new()).unwrap_err();
        assert_eq!(e.platform().expect("platform error").code, "25");
        for hostile in [&b""[..], b"\xff\xfe", b"<html>502</html>"] {
            assert!(BatchAnswer::parse(&b, hostile, Decoding::new()).is_err());
        }
    }
}
