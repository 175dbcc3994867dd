//! The client: builds the signed wire form of a [`Request`], sends it over
//! the TOP gateway or Qimen protocol, and decodes the answer.
//!
//! [`Client`] is async (tokio + reqwest over rustls); with the `blocking`
//! feature `blocking::Client` does the same without an async runtime.
//! Both drive the same `Attempts`: it signs each attempt, judges each
//! answer and plans retries; only sending the request, reading the answer
//! and sleeping differ.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use tracing::Instrument as _;

use crate::de::Decoding;
use crate::envelope::decode_top_with;
use crate::error::Error;
use crate::qimen::{self, decode_qimen_with};
use crate::request::{Protocol, Request};
use crate::sign::SignMethod;

mod answer;
#[cfg(feature = "blocking")]
pub mod blocking;
mod retry;
mod wire;

pub use answer::{Answer, AnswerMeta, FailedCall};
pub use retry::RetryPolicy;
#[cfg(feature = "tmc")]
pub(crate) use retry::jittered;
pub(crate) use wire::{BATCH_CONTENT_TYPE, Call, merge_params};
pub use wire::{Body, Prepared};

/// Production TOP router (HTTPS).
pub const PRODUCTION_URL: &str = "https://eco.taobao.com/router/rest";
/// Sandbox TOP router.
pub const SANDBOX_URL: &str = "https://gw.api.tbsandbox.com/router/rest";
/// Overseas TOP router.
pub const OVERSEAS_URL: &str = "https://api.taobao.com/router/rest";

/// A credential: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for signing and the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// Per-call settings that override the client's.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    session: Option<Secret>,
    customer_id: Option<String>,
    target_app_key: Option<String>,
    timeout: Option<Duration>,
    idempotent: Option<bool>,
    params: Vec<(String, String)>,
}

impl CallOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// The user's authorization (`session`) for this call.
    pub fn session(mut self, session: impl Into<Secret>) -> Self {
        self.session = Some(session.into());
        self
    }

    /// Qimen `customerId` for this call.
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.customer_id = Some(id.into());
        self
    }

    /// `target_app_key` for this call.
    pub fn target_app_key(mut self, key: impl Into<String>) -> Self {
        self.target_app_key = Some(key.into());
        self
    }

    /// The whole-attempt timeout of this call, in place of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Whether the call may run twice without harm. By default a method
    /// whose last segment is `get`, `query`, `detail`, `search`, `list` or
    /// `count` is a read (`true`) and every other one a write (`false`);
    /// a write is only tried again when the platform provably did not run it.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// A business parameter the request type does not have (a field added
    /// after the doc was written), sent as text and signed. It replaces a
    /// declared parameter of the same name; for Qimen APIs it goes in the
    /// URL. System parameter names are refused.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// These options with `declared` parameters of `api` under their
    /// extra ones: an extra parameter replaces a declared one of the same
    /// name, as it does in a form.
    pub(crate) fn over_declared(
        &self,
        api: &str,
        mut declared: Vec<(String, String)>,
    ) -> Result<CallOptions, Error> {
        merge_params(api, &mut declared, &self.params)?;
        Ok(CallOptions {
            params: declared,
            ..self.clone()
        })
    }

    fn read(&self, method: &str) -> bool {
        self.idempotent
            .unwrap_or_else(|| retry::is_read_method(method))
    }
}

/// The settings every call shares.
#[derive(Clone)]
struct Config {
    app_key: String,
    secret: Secret,
    url: String,
    qimen_url: String,
    sign_method: SignMethod,
    session: Option<Secret>,
    partner_id: Option<String>,
    target_app_key: Option<String>,
    customer_id: Option<String>,
    simplify: bool,
    strict: bool,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    proxy: Option<String>,
    env_proxy: bool,
    retry: RetryPolicy,
    max_body_bytes: usize,
    max_in_flight: Option<usize>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("app_key", &self.app_key)
            .field("secret", &self.secret)
            .field("url", &self.url)
            .field("qimen_url", &self.qimen_url)
            .field("sign_method", &self.sign_method)
            .field("session", &self.session)
            .field("partner_id", &self.partner_id)
            .field("target_app_key", &self.target_app_key)
            .field("customer_id", &self.customer_id)
            .field("simplify", &self.simplify)
            .field("strict", &self.strict)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            // A proxy URL may carry a password.
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .field("env_proxy", &self.env_proxy)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

impl Config {
    /// How answers of this client are decoded.
    fn decoding(&self) -> Decoding {
        Decoding::new().simplify(self.simplify).strict(self.strict)
    }

    /// reqwest's builder with the transport settings: gzip, timeouts apart
    /// from the whole-call one, proxies.
    fn http_builder(&self) -> Result<reqwest::ClientBuilder, Error> {
        let mut b = reqwest::Client::builder().gzip(true);
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        if let Some(t) = self.read_timeout {
            b = b.read_timeout(t);
        }
        if !self.env_proxy {
            b = b.no_proxy();
        }
        if let Some(url) = &self.proxy {
            let proxy = reqwest::Proxy::all(url)
                .map_err(|e| Error::Config(format!("the proxy URL is not valid: {e}")))?;
            b = b.proxy(proxy);
        }
        Ok(b)
    }
}

fn build_failed(e: reqwest::Error) -> Error {
    Error::Config(format!("cannot build the HTTP client: {}", e.without_url()))
}

/// Builds a [`Client`] (or, with the `blocking` feature, a
/// `blocking::Client`).
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    cfg: Config,
    http: Option<reqwest::Client>,
    #[cfg(feature = "blocking")]
    blocking_http: Option<reqwest::blocking::Client>,
}

impl ClientBuilder {
    /// The router URL for TOP calls ([`PRODUCTION_URL`], [`SANDBOX_URL`],
    /// [`OVERSEAS_URL`] or any other).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.cfg.url = url.into();
        self
    }

    /// The router URL for Qimen calls ([`qimen::PRODUCTION_URL`] by default).
    pub fn qimen_url(mut self, url: impl Into<String>) -> Self {
        self.cfg.qimen_url = url.into();
        self
    }

    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.cfg.sign_method = method;
        self
    }

    /// The default `session` (user authorization) of every call.
    pub fn session(mut self, session: impl Into<Secret>) -> Self {
        self.cfg.session = Some(session.into());
        self
    }

    pub fn partner_id(mut self, id: impl Into<String>) -> Self {
        self.cfg.partner_id = Some(id.into());
        self
    }

    pub fn target_app_key(mut self, key: impl Into<String>) -> Self {
        self.cfg.target_app_key = Some(key.into());
        self
    }

    /// The default Qimen `customerId`.
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.cfg.customer_id = Some(id.into());
        self
    }

    /// Ask for answers without the `<method>_response` envelope.
    pub fn simplify(mut self, on: bool) -> Self {
        self.cfg.simplify = on;
        self
    }

    /// Refuse an answer with a field the documents lack
    /// ([`Error::UnknownField`]) instead of reporting it as a `debug` event
    /// and skipping it. Off by default: the platform adds fields to answers
    /// before the docs list them.
    pub fn strict(mut self, on: bool) -> Self {
        self.cfg.strict = on;
        self
    }

    /// Timeout of one whole attempt, 15 s by default; `None` for none.
    /// [`CallOptions::timeout`] overrides it for one call.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.cfg.timeout = timeout.into();
        self
    }

    /// Connect timeout, 5 s by default; `None` for none.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.cfg.connect_timeout = timeout.into();
        self
    }

    /// Longest wait for the next bytes of the answer, none by default
    /// (async client only; the blocking one has the whole-call timeout).
    pub fn read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.cfg.read_timeout = timeout.into();
        self
    }

    /// An HTTP or HTTPS proxy for every call (`http://user:pass@host:port`).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.cfg.proxy = Some(url.into());
        self
    }

    /// Ignore `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`
    /// (read by default).
    pub fn no_env_proxy(mut self) -> Self {
        self.cfg.env_proxy = false;
        self
    }

    /// Send through this `reqwest::Client` (async client). Its own
    /// timeouts, proxies and compression apply; the builder's transport
    /// settings do not, except the per-attempt timeout.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Send through this `reqwest::blocking::Client` (blocking client),
    /// as [`http_client`](Self::http_client) does for the async one.
    #[cfg(feature = "blocking")]
    pub fn blocking_http_client(mut self, http: reqwest::blocking::Client) -> Self {
        self.blocking_http = Some(http);
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.cfg.retry = policy;
        self
    }

    /// Answers larger than this are refused (32 MiB by default).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.cfg.max_body_bytes = limit;
        self
    }

    /// At most `n` HTTP exchanges of this client (and its clones) at once,
    /// and so at most `n` connections to one router; further calls wait
    /// their turn. A waiting call's timeout starts when its exchange does.
    /// No cap by default.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.cfg.max_in_flight = Some(n);
        self
    }

    fn checked(&self) -> Result<Config, Error> {
        for (what, url) in [("url", &self.cfg.url), ("qimen_url", &self.cfg.qimen_url)] {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| Error::Config(format!("{what} `{url}` is not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::Config(format!(
                    "{what} `{url}` must start with http:// or https://"
                )));
            }
        }
        if self.cfg.app_key.is_empty() {
            return Err(Error::Config("the app key is empty".into()));
        }
        if self.cfg.secret.expose().is_empty() {
            return Err(Error::Config("the app secret is empty".into()));
        }
        if self.cfg.max_in_flight == Some(0) {
            return Err(Error::Config(
                "max_in_flight is 0: no call could ever be sent".into(),
            ));
        }
        Ok(self.cfg.clone())
    }

    /// The async client.
    pub fn build(self) -> Result<Client, Error> {
        let cfg = self.checked()?;
        let http = match self.http {
            Some(http) => http,
            None => cfg.http_builder()?.build().map_err(build_failed)?,
        };
        Ok(Client {
            gate: cfg
                .max_in_flight
                .map(|n| Arc::new(tokio::sync::Semaphore::new(n))),
            cfg: Arc::new(cfg),
            http,
        })
    }

    /// The blocking client. Do not call it from inside an async runtime.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<blocking::Client, Error> {
        let cfg = self.checked()?;
        let http = match self.blocking_http {
            Some(http) => http,
            None => reqwest::blocking::ClientBuilder::from(cfg.http_builder()?)
                .timeout(None)
                .build()
                .map_err(build_failed)?,
        };
        Ok(blocking::Client::new(cfg, http))
    }
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8, as the gateway expects.
pub fn format_timestamp(ts: DateTime<Utc>) -> String {
    let gmt8 = FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset");
    ts.with_timezone(&gmt8)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The batch endpoint beside a TOP router: `…/router/rest` → `…/router/batch`.
pub fn batch_url(router: &str) -> Result<String, Error> {
    let mut url = reqwest::Url::parse(router)
        .map_err(|e| Error::Config(format!("URL `{router}` is not valid: {e}")))?;
    let Some(prefix) = url.path().strip_suffix("/router/rest") else {
        return Err(Error::Config(format!(
            "cannot tell the batch endpoint of `{router}`: its path does not end in /router/rest"
        )));
    };
    let path = format!("{prefix}/router/batch");
    url.set_path(&path);
    Ok(url.into())
}

/// Judges one complete answer: the decoded value, or the error it holds.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    protocol: Protocol,
    how: Decoding,
    meta: &AnswerMeta,
) -> Result<T, Error> {
    let (api, body, status) = (meta.api(), meta.raw(), meta.status());
    let decoded = match protocol {
        Protocol::Top => decode_top_with::<T>(api, body, how),
        Protocol::Qimen => decode_qimen_with::<T>(api, body, how),
    };
    if (200..300).contains(&status) {
        return decoded;
    }
    // A platform error in a non-2xx answer still says more than the status.
    match decoded {
        Err(e @ (Error::Platform(_) | Error::Qimen(_))) => Err(e),
        _ => Err(Error::Http {
            api: api.to_owned(),
            status,
            snippet: crate::envelope::snippet(body),
        }),
    }
}

fn too_large(api: &str, limit: usize) -> Error {
    Error::Decode {
        api: api.to_owned(),
        path: ".".into(),
        message: format!("the answer is larger than the limit of {limit} bytes"),
        snippet: String::new(),
    }
}

/// The span of one attempt: the method and the attempt number. Neither
/// the URL (it holds the session) nor any parameter goes into it.
fn attempt_span(api: &str, attempt: u32) -> tracing::Span {
    tracing::debug_span!("top_call", method = api, attempt)
}

/// One event per attempt: HTTP status, time taken, request id, outcome.
fn log_attempt<T>(outcome: &Result<Answer<T>, FailedCall>, elapsed: Duration) {
    let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(a) => tracing::debug!(
            status = a.meta().status(),
            elapsed_ms,
            request_id = a.request_id(),
            "answered"
        ),
        // The error without a snippet of the answer's body: it may hold
        // tokens or buyers' personal data.
        Err(f) => tracing::debug!(
            status = f.meta().map(AnswerMeta::status),
            elapsed_ms,
            request_id = f.request_id(),
            error = %f.error().without_body(),
            "failed"
        ),
    }
}

/// One attempt's answer judged by `decode_with`, its meta kept either way.
fn judged<T>(
    meta: Result<AnswerMeta, Error>,
    decode_with: &impl Fn(&AnswerMeta) -> Result<T, Error>,
) -> Result<Answer<T>, FailedCall> {
    let meta = meta?;
    match decode_with(&meta) {
        Ok(v) => Ok(Answer::new(v, meta)),
        Err(e) => Err(FailedCall::new(e, Some(meta))),
    }
}

/// What follows an attempt.
enum Next<T> {
    /// The call's result, its attempts counted.
    Done(Result<Answer<T>, FailedCall>),
    /// Wait this long, then try again.
    Wait(Duration),
}

/// Logs one attempt and asks the plan what follows; `took` is the
/// attempt's time, `since_start` the call's.
fn settle<T>(
    plan: &mut retry::Plan<'_>,
    mut outcome: Result<Answer<T>, FailedCall>,
    span: &tracing::Span,
    took: Duration,
    since_start: Duration,
) -> Next<T> {
    let attempts = plan.attempt();
    span.in_scope(|| log_attempt(&outcome, took));
    let wait = match &outcome {
        Err(f) => plan.after(
            f.error(),
            f.meta().and_then(AnswerMeta::retry_after),
            since_start,
        ),
        Ok(_) => None,
    };
    if let Some(wait) = wait {
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        span.in_scope(|| tracing::debug!(wait_ms, "retrying"));
        return Next::Wait(wait);
    }
    match &mut outcome {
        Ok(a) => a.meta_mut().set_attempts(attempts),
        Err(f) => {
            if let Some(m) = f.meta_mut() {
                m.set_attempts(attempts);
            }
        }
    }
    Next::Done(outcome)
}

/// The HTTP request of one attempt, the same for both clients.
struct Outgoing<'r> {
    prepared: Prepared<'r>,
    /// The whole-attempt timeout.
    timeout: Option<Duration>,
}

impl Outgoing<'_> {
    /// `builder` (async or blocking) with this request's body and timeout.
    fn fill<B: wire::HttpRequest>(&self, builder: B) -> Result<B, Error> {
        let p = &self.prepared;
        let mut builder = match p.content() {
            wire::Content::Bytes(body) => builder.bytes(p.content_type, body),
            wire::Content::Multipart { fields, files } => {
                builder.form(wire::multipart(p.api, fields, files)?)
            }
        };
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        Ok(builder)
    }

    /// The facts of the answer to this request.
    fn answer(&self, status: u16, body: Vec<u8>) -> AnswerMeta {
        let p = &self.prepared;
        AnswerMeta::new(p.api, p.protocol, p.redacted_url(), status, body)
    }
}

/// The attempts of one call under its retry plan. A client drives it:
/// sends each [`Outgoing`] its own way, hands back the answer, and sleeps
/// as [`Next::Wait`] says.
struct Attempts<'a, 'r, J> {
    cfg: &'a Config,
    call: &'a Call<'r>,
    opts: &'a CallOptions,
    /// Judges a complete answer under the client's decoding.
    judge: J,
    plan: retry::Plan<'a>,
}

impl<'a, 'r, T, J> Attempts<'a, 'r, J>
where
    J: Fn(&AnswerMeta, Decoding) -> Result<T, Error>,
{
    fn new(cfg: &'a Config, call: &'a Call<'r>, opts: &'a CallOptions, judge: J) -> Self {
        let plan = retry::Plan::new(&cfg.retry, opts.read(call.method));
        Attempts {
            cfg,
            call,
            opts,
            judge,
            plan,
        }
    }

    /// The span of the next attempt.
    fn span(&self) -> tracing::Span {
        attempt_span(self.call.method, self.plan.attempt())
    }

    /// The next attempt's request, signed now so the timestamp stays fresh.
    fn request(&self) -> Result<Outgoing<'r>, Error> {
        Ok(Outgoing {
            prepared: self.cfg.prepare_call(self.call, Utc::now(), self.opts)?,
            timeout: self.opts.timeout.or(self.cfg.timeout),
        })
    }

    /// Judges one attempt's answer, logs it and asks the plan what
    /// follows; `took` is the attempt's time, `since_start` the call's.
    fn settle(
        &mut self,
        answer: Result<AnswerMeta, Error>,
        span: &tracing::Span,
        took: Duration,
        since_start: Duration,
    ) -> Next<T> {
        let how = self.cfg.decoding();
        // Decoding reports unknown fields: inside the attempt's span.
        let outcome = span.in_scope(|| judged(answer, &|m: &AnswerMeta| (self.judge)(m, how)));
        settle(&mut self.plan, outcome, span, took, since_start)
    }
}

/// The answer's `Retry-After` header, when it has a readable one.
fn retry_after_of(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    answer::parse_retry_after(value, Utc::now())
}

/// The async client.
#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::Client,
    /// Permits for [`ClientBuilder::max_in_flight`].
    gate: Option<Arc<tokio::sync::Semaphore>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("cfg", &self.cfg).finish()
    }
}

impl Client {
    /// A builder with the production router, `md5` signing and default
    /// timeouts and retries.
    pub fn builder(app_key: impl Into<String>, secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            cfg: Config {
                app_key: app_key.into(),
                secret: secret.into(),
                url: PRODUCTION_URL.into(),
                qimen_url: qimen::PRODUCTION_URL.into(),
                sign_method: SignMethod::Md5,
                session: None,
                partner_id: None,
                target_app_key: None,
                customer_id: None,
                simplify: false,
                strict: false,
                timeout: Some(Duration::from_secs(15)),
                connect_timeout: Some(Duration::from_secs(5)),
                read_timeout: None,
                proxy: None,
                env_proxy: true,
                retry: RetryPolicy::default(),
                max_body_bytes: 32 << 20,
                max_in_flight: None,
            },
            http: None,
            #[cfg(feature = "blocking")]
            blocking_http: None,
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
    pub async fn execute<R: Request>(&self, req: &R) -> Result<R::Response, Error> {
        self.execute_with(req, &CallOptions::default()).await
    }

    /// Calls the API with per-call options.
    pub async fn execute_with<R: Request>(
        &self,
        req: &R,
        opts: &CallOptions,
    ) -> Result<R::Response, Error> {
        Ok(self.execute_with_meta(req, opts).await?.into_value())
    }

    /// Calls the API; the answer, or the failure, comes with its
    /// [`AnswerMeta`] (request id, raw body, URL, status).
    pub async fn execute_with_meta<R: Request>(
        &self,
        req: &R,
        opts: &CallOptions,
    ) -> Result<Answer<R::Response>, FailedCall> {
        let call = Call::of(req)?;
        self.send(&call, opts, |m, how| decode(R::PROTOCOL, how, m))
            .await
    }

    /// The one send path of every call (typed, run-time, batch): attempts
    /// `call` until `judge` accepts an answer or the retry plan gives up.
    pub(crate) async fn send<T>(
        &self,
        call: &Call<'_>,
        opts: &CallOptions,
        judge: impl Fn(&AnswerMeta, Decoding) -> Result<T, Error>,
    ) -> Result<Answer<T>, FailedCall> {
        let started = tokio::time::Instant::now();
        let mut attempts = Attempts::new(&self.cfg, call, opts, judge);
        loop {
            let span = attempts.span();
            let begun = tokio::time::Instant::now();
            let answer = async { self.exchange(&attempts.request()?).await }
                .instrument(span.clone())
                .await;
            match attempts.settle(answer, &span, begun.elapsed(), started.elapsed()) {
                Next::Done(outcome) => return outcome,
                Next::Wait(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// One HTTP exchange: the request out, the whole answer in.
    async fn exchange(&self, out: &Outgoing<'_>) -> Result<AnswerMeta, Error> {
        let api = out.prepared.api;
        let builder = out.fill(self.http.post(&out.prepared.url))?;
        // Held until the whole body is in; never closed, so never an error.
        let _permit = match &self.gate {
            Some(gate) => gate.acquire().await.ok(),
            None => None,
        };
        let mut resp = builder.send().await.map_err(|e| Error::transport(api, e))?;
        let status = resp.status().as_u16();
        let retry_after = retry_after_of(resp.headers());
        let limit = self.cfg.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(api, limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| Error::transport(api, e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large(api, limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(out.answer(status, body).with_retry_after(retry_after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DynamicRequest;
    use crate::request::{EncodeError, Params};

    struct Detail;

    impl Request for Detail {
        const METHOD: &'static str = "taobao.pc.order.detail";
        const PROTOCOL: Protocol = Protocol::Top;
        type Response = serde_json::Value;

        fn params(&self) -> Result<Params, EncodeError> {
            Ok(Params(vec![(
                "tp_request",
                r#"{"biz_order_id":"10000001","buyer_id":10000001}"#.into(),
            )]))
        }
    }

    struct Bad;

    impl Request for Bad {
        const METHOD: &'static str = "taobao.bad";
        const PROTOCOL: Protocol = Protocol::Top;
        type Response = serde_json::Value;

        fn params(&self) -> Result<Params, EncodeError> {
            Ok(Params(vec![("sign", "x".into())]))
        }
    }

    fn ts() -> DateTime<Utc> {
        // 2026-11-23 10:28:05 UTC = 18:28:05 GMT+8
        DateTime::from_timestamp(1_795_429_685, 0).unwrap()
    }

    #[test]
    fn batch_endpoint_sits_beside_the_router() {
        assert_eq!(
            batch_url("https://eco.taobao.com/router/rest").unwrap(),
            "https://eco.taobao.com/router/batch"
        );
        assert_eq!(
            batch_url("http://127.0.0.1:9/x/router/rest").unwrap(),
            "http://127.0.0.1:9/x/router/batch"
        );
        assert!(matches!(batch_url("https://h/api"), Err(Error::Config(_))));
    }

    #[test]
    fn timestamp_is_gmt8() {
        assert_eq!(format_timestamp(ts()), "2026-11-23 18:28:05");
    }

    #[test]
    fn prepared_top_call_matches_python_vector() {
        let client = Client::builder("12345678", "test-secret-密钥")
            .url("http://127.0.0.1:9/router/rest")
            .build()
            .unwrap();
        let p = client.prepare(&Detail, ts(), &CallOptions::new()).unwrap();
        // Computed independently:
        // python3 -c 'import hashlib; s="test-secret-密钥"; p={"method":"taobao.pc.order.detail","app_key":"12345678","timestamp":"2026-11-23 18:28:05","format":"json","v":"2.0","sign_method":"md5","tp_request":"{\"biz_order_id\":\"10000001\",\"buyer_id\":10000001}"}; b="".join(k+v for k,v in sorted(p.items()) if v); print(hashlib.md5((s+b+s).encode()).hexdigest().upper())'
        assert_eq!(
            p.query_param("sign"),
            Some("025F224A7A798D403E7EAD6DDD9FBD6E")
        );
        assert_eq!(p.query_param("timestamp"), Some("2026-11-23 18:28:05"));
        assert_eq!(p.query_param("session"), None);
        assert!(p.url.starts_with("http://127.0.0.1:9/router/rest?method=taobao.pc.order.detail&app_key=12345678&timestamp=2026-11-23+18%3A28%3A05&format=json&v=2.0&sign_method=md5&sign="));
        assert_eq!(
            p.form_body().unwrap(),
            "tp_request=%7B%22biz_order_id%22%3A%2210000001%22%2C%22buyer_id%22%3A10000001%7D"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let client = Client::builder("12345678", "very-secret-value")
            .session("session-token-value")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(!shown.contains("session-token-value"), "{shown}");
        let p = client.prepare(&Detail, ts(), &CallOptions::new()).unwrap();
        assert_eq!(p.query_param("session"), Some("session-token-value"));
        let shown = format!("{p:?}");
        assert!(!shown.contains("session-token-value"), "{shown}");
    }

    #[test]
    fn reserved_business_names_are_refused() {
        let client = Client::builder("k", "s").build().unwrap();
        let e = client.prepare(&Bad, ts(), &CallOptions::new()).unwrap_err();
        assert!(matches!(e, Error::Encode(_)), "{e:?}");
    }

    #[test]
    fn bad_configuration_is_an_error() {
        assert!(matches!(
            Client::builder("k", "s").url("not a url").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder("k", "s").url("ftp://x/router/rest").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder("k", "").build(),
            Err(Error::Config(_))
        ));
    }

    /// Answers one HTTP request on loopback with `body`; hands back what
    /// it received.
    fn one_answer(body: &'static str) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/router/rest", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            // Head, then the announced body.
            while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
                let n = conn.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
            }
            let text = String::from_utf8_lossy(&seen).into_owned();
            let len: usize = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            let head_end = text.find("\r\n\r\n").unwrap() + 4;
            while seen.len() < head_end + len {
                let n = conn.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(answer.as_bytes()).unwrap();
            String::from_utf8_lossy(&seen).into_owned()
        });
        (url, server)
    }

    #[tokio::test]
    async fn a_dynamic_call_sends_its_parameters_and_keeps_the_raw_answer() {
        let body = r#"{"custom_thing_get_response":{"x":1,"request_id":"raw-1"}}"#;
        let (url, server) = one_answer(body);
        let client = Client::builder("k", "s").url(url).build().unwrap();
        let req = DynamicRequest::new("taobao.custom.thing.get").param("extra", "值 1");
        let answer = client
            .call_with_meta(&req, &CallOptions::new())
            .await
            .unwrap();
        let meta = answer.meta();
        assert_eq!(meta.raw(), body.as_bytes());
        assert_eq!(meta.request_id(), Some("raw-1"));
        assert_eq!(meta.api(), "taobao.custom.thing.get");
        let seen = server.join().unwrap();
        assert!(seen.contains("method=taobao.custom.thing.get"), "{seen}");
        assert!(seen.ends_with("extra=%E5%80%BC+1"), "{seen}");

        let bad = DynamicRequest::new("taobao.custom.thing.get").param("sign", "x");
        let e = client
            .call_with_meta(&bad, &CallOptions::new())
            .await
            .unwrap_err();
        assert!(e.error().to_string().contains("`sign`"), "{e:?}");
    }

    #[tokio::test]
    async fn a_raw_call_still_reports_the_platform_error() {
        let body =
            r#"{"error_response":{"code":41,"msg":"Invalid Arguments","request_id":"raw-2"}}"#;
        let (url, server) = one_answer(body);
        let client = Client::builder("k", "s").url(url).build().unwrap();
        let req = DynamicRequest::new("taobao.custom.thing.get");
        let failed = client
            .call_with_meta(&req, &CallOptions::new())
            .await
            .unwrap_err();
        assert!(failed.error().platform().is_some(), "{failed:?}");
        assert_eq!(failed.request_id(), Some("raw-2"));
        assert_eq!(failed.meta().map(AnswerMeta::raw), Some(body.as_bytes()));
        server.join().unwrap();
    }
}
