//! The blocking client (feature `blocking`): it drives the same
//! `Attempts` as the async one; only sending the request, reading the
//! answer and sleeping differ.

use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::{
    Answer, AnswerMeta, Attempts, Call, CallOptions, Config, FailedCall, Next, Outgoing, Prepared,
    decode, too_large,
};
use crate::de::Decoding;
use crate::error::Error;
use crate::request::Request;

/// The blocking client. Build it with
/// [`ClientBuilder::build_blocking`](super::ClientBuilder::build_blocking);
/// it must not be created or dropped inside an async runtime.
#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::blocking::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("cfg", &self.cfg)
            .finish()
    }
}

impl Client {
    pub(super) fn new(cfg: Config, http: reqwest::blocking::Client) -> Self {
        Client {
            cfg: Arc::new(cfg),
            http,
        }
    }

    /// The signed wire form of `req` at `timestamp`, not sent.
    pub fn prepare<'r, R: Request>(
        &self,
        req: &'r R,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Prepared<'r>, Error> {
        self.cfg.prepare_call(&Call::of(req)?, timestamp, opts)
    }

    /// Calls the API with the client's defaults.
    pub fn execute<R: Request>(&self, req: &R) -> Result<R::Response, Error> {
        self.execute_with(req, &CallOptions::default())
    }

    /// Calls the API with per-call options.
    pub fn execute_with<R: Request>(
        &self,
        req: &R,
        opts: &CallOptions,
    ) -> Result<R::Response, Error> {
        Ok(self.execute_with_meta(req, opts)?.into_value())
    }

    /// Calls the API; the answer, or the failure, comes with its
    /// [`AnswerMeta`] (request id, raw body, URL, status).
    pub fn execute_with_meta<R: Request>(
        &self,
        req: &R,
        opts: &CallOptions,
    ) -> Result<Answer<R::Response>, FailedCall> {
        let call = Call::of(req)?;
        self.send(&call, opts, |m, how| decode(R::PROTOCOL, how, m))
    }

    /// The one send path of every call, as the async client's.
    pub(crate) fn send<T>(
        &self,
        call: &Call<'_>,
        opts: &CallOptions,
        judge: impl Fn(&AnswerMeta, Decoding) -> Result<T, Error>,
    ) -> Result<Answer<T>, FailedCall> {
        let started = Instant::now();
        let mut attempts = Attempts::new(&self.cfg, call, opts, judge);
        loop {
            let span = attempts.span();
            let begun = Instant::now();
            let answer = span.in_scope(|| self.exchange(&attempts.request()?));
            match attempts.settle(answer, &span, begun.elapsed(), started.elapsed()) {
                Next::Done(outcome) => return outcome,
                Next::Wait(wait) => std::thread::sleep(wait),
            }
        }
    }

    fn exchange(&self, out: &Outgoing<'_>) -> Result<AnswerMeta, Error> {
        let api = out.prepared.api;
        let builder = out.fill(self.http.post(&out.prepared.url))?;
        let resp = builder.send().map_err(|e| Error::transport(api, e))?;
        let status = resp.status().as_u16();
        let limit = self.cfg.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(api, limit));
        }
        let mut body = Vec::new();
        // One byte past the limit tells "too large" from "exactly the limit".
        resp.take(limit as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| Error::transport_io(api, e))?;
        if body.len() > limit {
            return Err(too_large(api, limit));
        }
        Ok(out.answer(status, body))
    }
}
