//! The blocking client (feature `blocking`): it drives the same
//! `Attempts` as the async one; only sending the request, reading the
//! answer and sleeping differ.

use std::fmt;
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::{
    Answer, AnswerMeta, Attempts, Call, CallOptions, Config, FailedCall, Next, Outgoing, Prepared,
    decode, retry_after_of, too_large,
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
    /// Turns for [`ClientBuilder::max_in_flight`](super::ClientBuilder::max_in_flight).
    gate: Option<Arc<Gate>>,
}

/// At most `max` exchanges at once across the threads sharing a client.
#[derive(Debug)]
struct Gate {
    max: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

impl Gate {
    fn running(&self) -> MutexGuard<'_, usize> {
        // The count stays right even if a holder panicked.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a turn; the turn ends when the returned guard drops.
    fn enter(&self) -> Turn<'_> {
        let mut running = self.running();
        while *running >= self.max {
            running = self.freed.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        Turn(self)
    }
}

struct Turn<'g>(&'g Gate);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.0.running() -= 1;
        self.0.freed.notify_one();
    }
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
        let gate = cfg.max_in_flight.map(|max| {
            Arc::new(Gate {
                max,
                running: Mutex::new(0),
                freed: Condvar::new(),
            })
        });
        Client {
            cfg: Arc::new(cfg),
            http,
            gate,
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
        // Held until the whole body is in.
        let _turn = self.gate.as_deref().map(Gate::enter);
        let resp = builder.send().map_err(|e| Error::transport(api, e))?;
        let status = resp.status().as_u16();
        let retry_after = retry_after_of(resp.headers());
        let limit = self.cfg.max_body_bytes;
        // A limit beyond u64 (none on today's targets) is no limit.
        let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
        if resp.content_length().is_some_and(|n| n > limit64) {
            return Err(too_large(api, limit));
        }
        let mut body = Vec::new();
        // One byte past the limit tells "too large" from "exactly the limit".
        resp.take(limit64.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| Error::transport_io(api, e))?;
        if body.len() > limit {
            return Err(too_large(api, limit));
        }
        Ok(out.answer(status, body).with_retry_after(retry_after))
    }
}
