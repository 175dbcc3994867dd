//! The client: builds the signed wire form of a [`Request`], sends it over
//! the TOP gateway or Qimen protocol, and decodes the answer.
//!
//! [`Client`] is async (tokio + reqwest over rustls); with the `blocking`
//! feature [`blocking::Client`] does the same without an async runtime.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use crate::envelope::decode_top;
use crate::error::Error;
use crate::qimen::{self, decode_qimen};
use crate::request::{EncodeError, Protocol, Request};
use crate::sign::{self, SignMethod};
use crate::types::FileItem;

#[cfg(feature = "blocking")]
pub mod blocking;

/// Production TOP router (HTTPS).
pub const PRODUCTION_URL: &str = "https://eco.taobao.com/router/rest";
/// Sandbox TOP router.
pub const SANDBOX_URL: &str = "https://gw.api.tbsandbox.com/router/rest";
/// Overseas TOP router.
pub const OVERSEAS_URL: &str = "https://api.taobao.com/router/rest";

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// System parameter names; a business parameter may not reuse one.
const SYSTEM_PARAMS: &[&str] = &[
    "method",
    "app_key",
    "session",
    "timestamp",
    "format",
    "v",
    "sign_method",
    "sign",
    "partner_id",
    "target_app_key",
    "simplify",
    "customerId",
];

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

/// When and how often a failed call is tried again.
///
/// Only [`Error::is_retryable`] failures are retried: no connection could
/// be made, or the platform reported `isp.*` or a busy code. Never after a
/// timeout or an answer that failed to decode, since the gateway may have
/// acted on the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound of one delay.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// No retries at all.
    pub const fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// The delay before retry number `retry` (0-based).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        }
    }
}

/// Per-call settings that override the client's.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    session: Option<Secret>,
    customer_id: Option<String>,
    target_app_key: Option<String>,
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
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: usize,
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
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// Builds a [`Client`] (or, with the `blocking` feature, a
/// [`blocking::Client`]).
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    cfg: Config,
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

    /// Whole-call timeout, 15 s by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.cfg.timeout = timeout;
        self
    }

    /// Connect timeout, 5 s by default.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.cfg.connect_timeout = timeout;
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

    fn checked(self) -> Result<Config, Error> {
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
        Ok(self.cfg)
    }

    /// The async client.
    pub fn build(self) -> Result<Client, Error> {
        let cfg = self.checked()?;
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            cfg: Arc::new(cfg),
            http,
        })
    }

    /// The blocking client. Do not call it from inside an async runtime.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<blocking::Client, Error> {
        let cfg = self.checked()?;
        blocking::Client::new(cfg)
    }
}

/// The body of a prepared call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<'r> {
    /// TOP without files: business parameters, form-encoded.
    Form(Vec<(String, String)>),
    /// TOP with files: business parameters and files as multipart parts.
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<(&'static str, &'r FileItem)>,
    },
    /// Qimen: the XML `<request>` document.
    Xml(String),
}

/// The exact signed wire form of one call, without sending it.
#[derive(Clone, PartialEq, Eq)]
pub struct Prepared<'r> {
    /// The API method.
    pub api: &'static str,
    pub protocol: Protocol,
    /// The full URL: router plus the system parameters.
    pub url: String,
    /// The system parameters as they are in the URL, `sign` last.
    pub query: Vec<(String, String)>,
    pub body: Body<'r>,
    /// The `Content-Type` header (multipart adds its boundary when sent).
    pub content_type: &'static str,
}

impl Prepared<'_> {
    /// The form-encoded body of a [`Body::Form`] call.
    pub fn form_body(&self) -> Option<String> {
        match &self.body {
            Body::Form(fields) => Some(encode_form(fields)),
            _ => None,
        }
    }

    /// The value of one system parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session is a credential: shown redacted, in the URL too.
        let redacted: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| {
                if k == "session" {
                    (k.as_str(), "***")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("Prepared")
            .field("api", &self.api)
            .field("protocol", &self.protocol)
            .field("query", &redacted)
            .field("body", &self.body)
            .field("content_type", &self.content_type)
            .finish()
    }
}

fn encode_form(fields: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8, as the gateway expects.
pub fn format_timestamp(ts: DateTime<Utc>) -> String {
    let gmt8 = FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset");
    ts.with_timezone(&gmt8)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

impl Config {
    fn prepare<'r, R: Request>(
        &self,
        req: &'r R,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Prepared<'r>, Error> {
        let api = R::METHOD;
        let session = opts.session.as_ref().or(self.session.as_ref());
        let target_app_key = opts
            .target_app_key
            .as_ref()
            .or(self.target_app_key.as_ref());
        let format = match R::PROTOCOL {
            Protocol::Top => "json",
            Protocol::Qimen => "xml",
        };

        let mut query: Vec<(String, String)> = vec![
            ("method".into(), api.into()),
            ("app_key".into(), self.app_key.clone()),
        ];
        if let Some(s) = session.filter(|s| !s.expose().is_empty()) {
            query.push(("session".into(), s.expose().to_owned()));
        }
        query.push(("timestamp".into(), format_timestamp(timestamp)));
        query.push(("format".into(), format.into()));
        query.push(("v".into(), "2.0".into()));
        query.push(("sign_method".into(), self.sign_method.as_str().into()));
        if let Some(p) = &self.partner_id {
            query.push(("partner_id".into(), p.clone()));
        }
        if let Some(t) = target_app_key {
            query.push(("target_app_key".into(), t.clone()));
        }

        let (body, content_type, signed_body) = match R::PROTOCOL {
            Protocol::Top => {
                if self.simplify {
                    query.push(("simplify".into(), "true".into()));
                }
                let params = req.params()?;
                let mut fields = Vec::with_capacity(params.0.len());
                for (name, value) in params.0 {
                    reject_reserved(api, name)?;
                    fields.push((name.to_owned(), value));
                }
                let files = req.files();
                for (name, _) in &files {
                    reject_reserved(api, name)?;
                }
                let body = if files.is_empty() {
                    Body::Form(fields)
                } else {
                    Body::Multipart { fields, files }
                };
                let ct = match body {
                    Body::Form(_) => FORM_CONTENT_TYPE,
                    _ => "multipart/form-data",
                };
                (body, ct, None)
            }
            Protocol::Qimen => {
                let customer_id = opts
                    .customer_id
                    .as_ref()
                    .or(self.customer_id.as_ref())
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        Error::Config(format!(
                            "{api} is a Qimen API and needs a customerId: set \
                             ClientBuilder::customer_id or CallOptions::customer_id"
                        ))
                    })?;
                query.push(("customerId".into(), customer_id.clone()));
                let xml = req.qimen_body()?.ok_or_else(|| EncodeError {
                    api,
                    param: "request",
                    message: "a Qimen request needs an XML <request> body".into(),
                })?;
                (Body::Xml(xml.clone()), qimen::CONTENT_TYPE, Some(xml))
            }
        };

        // The signature covers the URL parameters, the text business
        // parameters and the Qimen body; never the files.
        let form_fields: &[(String, String)] = match &body {
            Body::Form(f) | Body::Multipart { fields: f, .. } => f,
            Body::Xml(_) => &[],
        };
        let signature = sign::sign(
            query
                .iter()
                .chain(form_fields.iter())
                .map(|(k, v)| (k.as_str(), v.as_str())),
            signed_body.as_deref(),
            self.secret.expose(),
            self.sign_method,
        );
        query.push(("sign".into(), signature));

        let base = match R::PROTOCOL {
            Protocol::Top => &self.url,
            Protocol::Qimen => &self.qimen_url,
        };
        let mut url = reqwest::Url::parse(base)
            .map_err(|e| Error::Config(format!("URL `{base}` is not valid: {e}")))?;
        url.query_pairs_mut().extend_pairs(query.iter());

        Ok(Prepared {
            api,
            protocol: R::PROTOCOL,
            url: url.into(),
            query,
            body,
            content_type,
        })
    }
}

fn reject_reserved(api: &'static str, name: &'static str) -> Result<(), EncodeError> {
    if SYSTEM_PARAMS.contains(&name) {
        return Err(EncodeError {
            api,
            param: name,
            message: "the name is a system parameter of the gateway".into(),
        });
    }
    Ok(())
}

/// Turns a complete HTTP answer into the response or an error.
fn finish<R: Request>(
    api: &str,
    simplify: bool,
    status: u16,
    body: &[u8],
) -> Result<R::Response, Error> {
    let decoded = match R::PROTOCOL {
        Protocol::Top => decode_top::<R::Response>(api, body, simplify),
        Protocol::Qimen => decode_qimen::<R::Response>(api, body),
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

/// The async client.
#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::Client,
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
                timeout: Duration::from_secs(15),
                connect_timeout: Duration::from_secs(5),
                retry: RetryPolicy::default(),
                max_body_bytes: 32 << 20,
            },
        }
    }

    /// The signed wire form of `req` at `timestamp`, not sent.
    pub fn prepare<'r, R: Request>(
        &self,
        req: &'r R,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Prepared<'r>, Error> {
        self.cfg.prepare(req, timestamp, opts)
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
        let mut retry = 0;
        loop {
            // Signed anew each attempt so the timestamp stays fresh.
            let prepared = self.cfg.prepare(req, Utc::now(), opts)?;
            match self.send_once::<R>(&prepared).await {
                Err(e) if retry < self.cfg.retry.max_retries && e.is_retryable() => {
                    tokio::time::sleep(self.cfg.retry.delay(retry)).await;
                    retry += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once<R: Request>(&self, p: &Prepared<'_>) -> Result<R::Response, Error> {
        let api = p.api;
        let builder = self.http.post(&p.url);
        let builder = match &p.body {
            Body::Form(fields) => builder
                .header(reqwest::header::CONTENT_TYPE, FORM_CONTENT_TYPE)
                .body(encode_form(fields)),
            Body::Multipart { fields, files } => {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in fields {
                    form = form.text(k.clone(), v.clone());
                }
                for (name, file) in files {
                    let mut part = reqwest::multipart::Part::bytes(file.bytes.clone())
                        .file_name(file.file_name.clone());
                    if let Some(mime) = &file.mime_type {
                        part = part.mime_str(mime).map_err(|e| EncodeError {
                            api,
                            param: name,
                            message: format!("invalid MIME type `{mime}`: {e}"),
                        })?;
                    }
                    form = form.part(*name, part);
                }
                builder.multipart(form)
            }
            Body::Xml(xml) => builder
                .header(reqwest::header::CONTENT_TYPE, qimen::CONTENT_TYPE)
                .body(xml.clone()),
        };
        let mut resp = builder.send().await.map_err(|e| Error::transport(api, e))?;
        let status = resp.status().as_u16();
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
        finish::<R>(api, self.cfg.simplify, status, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Params;

    struct Detail;

    impl Request for Detail {
        const METHOD: &'static str = "taobao.pc.order.detail";
        const PROTOCOL: Protocol = Protocol::Top;
        const JSON_PARAMS: &'static [&'static str] = &["tp_request"];
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
        const JSON_PARAMS: &'static [&'static str] = &[];
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

    #[test]
    fn backoff_is_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0), Duration::from_millis(200));
        assert_eq!(p.delay(1), Duration::from_millis(400));
        assert_eq!(p.delay(10), Duration::from_secs(2));
        assert_eq!(p.delay(u32::MAX), Duration::from_secs(2));
    }
}
