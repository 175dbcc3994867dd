//! The doc center over HTTP: the `_tb_token_` cookie, then GETs with a
//! timeout, retried with backoff on what may pass (429, 5xx, resets,
//! timeouts). The token is a credential: it is sent, never shown (every URL
//! in a message is [`Endpoint::shown`], and reqwest's errors lose their URL).

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};

/// The page that sets the token cookie.
const DOC_CENTER_PAGE: &str = "/docCenter";
/// The cookie every later call carries, also as a query parameter.
const TOKEN_COOKIE: &str = "_tb_token_";
/// The catalogue of every API category and its documents.
pub const CATALOGUE: Endpoint = Endpoint {
    path: "/handler/document/getApiCatelogConfig.json",
    query: "scopeId=&treeId=&docId=285&docType=2&tag=",
};
/// One API's document, by the catalogue entry's `id`.
pub const DOCUMENT: Endpoint = Endpoint {
    path: "/handler/document/getDocument.json",
    query: "isEn=false&treeId=&docType=2",
};

/// First backoff; each retry doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A `Retry-After` longer than this is cut to it.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The doc center page of the doc center at `base`.
pub fn page_url(base: &str) -> String {
    format!("{}{DOC_CENTER_PAGE}", base.trim_end_matches('/'))
}

/// One handler of the doc center.
#[derive(Clone, Copy)]
pub struct Endpoint {
    pub path: &'static str,
    query: &'static str,
}

impl Endpoint {
    /// The handler's name, as messages name it (`getDocument.json`).
    pub fn name(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }

    /// The URL without the token, for messages: `base/path?extra`.
    pub fn shown(&self, base: &str, extra: &str) -> String {
        let sep = if extra.is_empty() { "" } else { "?" };
        format!("{base}{}{sep}{extra}", self.path)
    }
}

/// How requests are made and retried.
#[derive(Clone, Copy)]
pub struct Policy {
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
}

/// A session with the doc center: the client, its base URL and cookies.
pub struct DocCenter {
    client: Client,
    pub base: String,
    token: String,
    cookies: String,
    policy: Policy,
}

/// Why a request gave nothing to read.
pub type Failure = String;

impl DocCenter {
    /// Open a session: the doc center page sets the token cookie.
    pub fn connect(base: &str, policy: Policy) -> Result<DocCenter, Failure> {
        let client = Client::builder()
            .timeout(policy.timeout)
            .user_agent(concat!("top-bindings-xtask/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))?;
        let mut session = DocCenter {
            client,
            base: base.trim_end_matches('/').to_string(),
            token: String::new(),
            cookies: String::new(),
            policy,
        };
        let url = page_url(base);
        let response = session.send(&url)?;
        let cookies = cookie_pairs(response.headers().get_all(SET_COOKIE).iter());
        session.token = cookies
            .iter()
            .find(|(name, _)| name == TOKEN_COOKIE)
            .map(|(_, value)| value.clone())
            .ok_or_else(|| {
                format!(
                    "the answer sets no `{TOKEN_COOKIE}` cookie; \
                     is --doc-center the doc center's address?"
                )
            })?;
        session.cookies = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        Ok(session)
    }

    /// The body of `endpoint` with `extra` query parameters, after retries.
    pub fn get(&self, endpoint: Endpoint, extra: &str) -> Result<Vec<u8>, Failure> {
        let mut url = format!("{}{}?{}", self.base, endpoint.path, endpoint.query);
        if !extra.is_empty() {
            url.push('&');
            url.push_str(extra);
        }
        url.push_str(&format!("&{TOKEN_COOKIE}={}", query_escape(&self.token)));
        let response = self.send(&url)?;
        response
            .bytes()
            .map(|b| b.to_vec())
            .map_err(|e| format!("reading the answer failed: {}", e.without_url()))
    }

    /// GET `url` until it answers 2xx, retrying what may pass.
    fn send(&self, url: &str) -> Result<reqwest::blocking::Response, Failure> {
        let mut attempt = 0;
        loop {
            let mut request = self.client.get(url);
            if !self.cookies.is_empty() {
                request = request.header(COOKIE, &self.cookies);
            }
            let (why, wait) = match request.send() {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) if retryable(r.status()) => (format!("HTTP {}", r.status()), retry_after(&r)),
                Ok(r) => return Err(format!("HTTP {}", r.status())),
                Err(e) if e.is_timeout() => ("timed out".to_string(), None),
                Err(e) => (with_sources(&e.without_url()), None),
            };
            if attempt >= self.policy.retries {
                return Err(match attempt {
                    0 => why,
                    n => format!("{why} ({} attempts)", n + 1),
                });
            }
            std::thread::sleep(wait.unwrap_or_else(|| backoff(attempt)));
            attempt += 1;
        }
    }
}

/// An error with its causes: reqwest's own text is only the outermost.
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        cause = c.source();
    }
    text
}

/// Statuses worth another try: too many requests, a server's trouble.
fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

/// A `Retry-After` in seconds (the form the doc center's gateways send).
fn retry_after(r: &reqwest::blocking::Response) -> Option<Duration> {
    let secs: u64 = r
        .headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// Exponential backoff with jitter: half the step fixed, half random, so
/// workers that failed together do not retry together.
fn backoff(attempt: u32) -> Duration {
    let step = FIRST_BACKOFF
        .saturating_mul(1 << attempt.min(16))
        .min(MAX_BACKOFF);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    let jitter = (h.finish() % 1000) as u32;
    step / 2 + step / 2 * jitter / 1000
}

/// `name=value` of each `Set-Cookie` header.
fn cookie_pairs<'a>(
    headers: impl Iterator<Item = &'a reqwest::header::HeaderValue>,
) -> Vec<(String, String)> {
    headers
        .filter_map(|h| h.to_str().ok())
        .filter_map(|h| h.split(';').next()?.split_once('='))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

/// Percent-encode a query value (all but unreserved characters).
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_stops_growing() {
        for attempt in 0..20 {
            let step = FIRST_BACKOFF
                .saturating_mul(1 << attempt.min(16))
                .min(MAX_BACKOFF);
            let b = backoff(attempt);
            assert!(
                b >= step / 2 && b <= step,
                "{attempt}: {b:?} outside {step:?}"
            );
        }
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("a b&c=d~"), "a%20b%26c%3Dd~");
    }
}
