//! OAuth tokens: an authorization code for an access token
//! (`taobao.top.auth.token.create`) and a new token for a refresh token
//! (`taobao.top.auth.token.refresh`).
//!
//! Both answer `token_result`: the token as JSON text inside a string,
//! with the fields of the platform's OAuth token endpoint. Tokens and
//! refresh tokens are [`Secret`]s, and errors about a token answer carry
//! no snippet of it, so neither reaches a log.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::{CallOptions, Client, Secret};
use crate::envelope::decode_error;
use crate::error::Error;
use crate::request::{EncodeError, Params, Protocol, Request};

/// Authorization code → access token.
pub const TOKEN_CREATE: &str = "taobao.top.auth.token.create";
/// Refresh token → new access token.
pub const TOKEN_REFRESH: &str = "taobao.top.auth.token.refresh";

/// `taobao.top.auth.token.create`.
#[derive(Debug, Clone)]
pub struct TokenCreateRequest {
    code: Secret,
    uuid: Option<String>,
}

impl TokenCreateRequest {
    /// The `code` the platform sent to the app's callback URL.
    pub fn new(code: impl Into<Secret>) -> Self {
        TokenCreateRequest {
            code: code.into(),
            uuid: None,
        }
    }

    /// The `uuid` the app chose for the authorization, when it set one.
    pub fn with_uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = Some(uuid.into());
        self
    }
}

impl Request for TokenCreateRequest {
    const METHOD: &'static str = TOKEN_CREATE;
    const PROTOCOL: Protocol = Protocol::Top;
    type Response = TokenAnswer;

    fn params(&self) -> Result<Params, EncodeError> {
        let mut p = Params(vec![("code", self.code.expose().to_owned())]);
        if let Some(uuid) = &self.uuid {
            p.0.push(("uuid", uuid.clone()));
        }
        Ok(p)
    }
}

/// `taobao.top.auth.token.refresh`.
#[derive(Debug, Clone)]
pub struct TokenRefreshRequest {
    refresh_token: Secret,
}

impl TokenRefreshRequest {
    pub fn new(refresh_token: impl Into<Secret>) -> Self {
        TokenRefreshRequest {
            refresh_token: refresh_token.into(),
        }
    }
}

impl Request for TokenRefreshRequest {
    const METHOD: &'static str = TOKEN_REFRESH;
    const PROTOCOL: Protocol = Protocol::Top;
    type Response = TokenAnswer;

    fn params(&self) -> Result<Params, EncodeError> {
        Ok(Params(vec![(
            "refresh_token",
            self.refresh_token.expose().to_owned(),
        )]))
    }
}

/// The answer of both token APIs as sent; [`AccessToken::from_answer`]
/// reads the token out of it.
#[derive(Clone, Default, Deserialize)]
pub struct TokenAnswer {
    /// JSON text (an object is taken as well).
    #[serde(default)]
    pub token_result: Option<Value>,
    #[serde(default)]
    pub request_id: Option<String>,
}

impl fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("token_result", &self.token_result.as_ref().map(|_| "***"))
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// An access token with what the platform says about it. Times are
/// milliseconds since the Unix epoch, durations seconds.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessToken {
    /// The `session` of later calls.
    pub access_token: Secret,
    pub token_type: Option<String>,
    /// Seconds the access token stays valid.
    pub expires_in: Option<i64>,
    /// When the access token expires.
    pub expire_time: Option<i64>,
    pub refresh_token: Option<Secret>,
    /// Seconds the refresh token stays valid.
    pub re_expires_in: Option<i64>,
    /// When the refresh token expires.
    pub refresh_token_valid_time: Option<i64>,
    /// Seconds and end of the r1, r2, w1 and w2 permission levels.
    pub r1_expires_in: Option<i64>,
    pub r2_expires_in: Option<i64>,
    pub w1_expires_in: Option<i64>,
    pub w2_expires_in: Option<i64>,
    pub r1_valid: Option<i64>,
    pub r2_valid: Option<i64>,
    pub w1_valid: Option<i64>,
    pub w2_valid: Option<i64>,
    /// The authorizing user (the main account), as text: ids stay exact.
    pub taobao_user_id: Option<String>,
    /// Its nick, URL-decoded (the platform sends it percent-encoded).
    pub taobao_user_nick: Option<String>,
    /// The sub-account that authorized, when one did.
    pub sub_taobao_user_id: Option<String>,
    pub sub_taobao_user_nick: Option<String>,
    pub taobao_open_uid: Option<String>,
    pub taobao_open_sub_uid: Option<String>,
    /// Members this type does not name, as sent.
    pub other: BTreeMap<String, Value>,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Unknown members may be credentials too: their names only.
        f.debug_struct("AccessToken")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("expire_time", &self.expire_time)
            .field("re_expires_in", &self.re_expires_in)
            .field("taobao_user_id", &self.taobao_user_id)
            .field("taobao_user_nick", &self.taobao_user_nick)
            .field("sub_taobao_user_id", &self.sub_taobao_user_id)
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl AccessToken {
    /// The token inside a token API's answer. `api` names the API in
    /// errors: a missing `token_result`, JSON text that does not parse, a
    /// token without `access_token`, a member of the wrong type.
    pub fn from_answer(api: &str, answer: TokenAnswer) -> Result<Self, Error> {
        let inner = match answer.token_result {
            Some(Value::String(text)) => serde_json::from_str::<Value>(&text).map_err(|e| {
                token_error(api, "token_result", format!("the text is not JSON: {e}"))
            })?,
            Some(v @ Value::Object(_)) => v,
            Some(other) => {
                let what = crate::de::kind(&other);
                return Err(token_error(
                    api,
                    "token_result",
                    format!("expected JSON text, found {what}"),
                ));
            }
            None => {
                return Err(token_error(
                    api,
                    "token_result",
                    "the answer has no token_result".into(),
                ));
            }
        };
        let Value::Object(members) = inner else {
            let what = crate::de::kind(&inner);
            return Err(token_error(
                api,
                "token_result",
                format!("expected a JSON object, found {what}"),
            ));
        };
        Members { api, members }.token()
    }
}

/// The members of `token_result`, taken out one by one.
struct Members<'a> {
    api: &'a str,
    members: Map<String, Value>,
}

impl Members<'_> {
    fn token(mut self) -> Result<AccessToken, Error> {
        let access_token = match self.text("access_token")? {
            Some(t) if !t.is_empty() => Secret::new(t),
            _ => {
                return Err(token_error(
                    self.api,
                    "token_result.access_token",
                    "the token has no access_token".into(),
                ));
            }
        };
        Ok(AccessToken {
            access_token,
            token_type: self.text("token_type")?,
            expires_in: self.number("expires_in")?,
            expire_time: self.number("expire_time")?,
            refresh_token: self.text("refresh_token")?.map(Secret::new),
            re_expires_in: self.number("re_expires_in")?,
            refresh_token_valid_time: self.number("refresh_token_valid_time")?,
            r1_expires_in: self.number("r1_expires_in")?,
            r2_expires_in: self.number("r2_expires_in")?,
            w1_expires_in: self.number("w1_expires_in")?,
            w2_expires_in: self.number("w2_expires_in")?,
            r1_valid: self.number("r1_valid")?,
            r2_valid: self.number("r2_valid")?,
            w1_valid: self.number("w1_valid")?,
            w2_valid: self.number("w2_valid")?,
            taobao_user_id: self.text("taobao_user_id")?,
            taobao_user_nick: self.text("taobao_user_nick")?.map(|n| url_decoded(&n)),
            sub_taobao_user_id: self.text("sub_taobao_user_id")?,
            sub_taobao_user_nick: self.text("sub_taobao_user_nick")?.map(|n| url_decoded(&n)),
            taobao_open_uid: self.text("taobao_open_uid")?,
            taobao_open_sub_uid: self.text("taobao_open_sub_uid")?,
            other: std::mem::take(&mut self.members).into_iter().collect(),
        })
    }

    /// A text member; a number is taken by its digits.
    fn text(&mut self, name: &str) -> Result<Option<String>, Error> {
        match self.members.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.wrong(name, "text", &other)),
        }
    }

    /// A whole number, sent as a number or as its text.
    fn number(&mut self, name: &str) -> Result<Option<i64>, Error> {
        let parsed = match self.members.remove(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.to_string().parse::<i64>().ok(),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(other) => return Err(self.wrong(name, "a whole number", &other)),
        };
        parsed
            .map(Some)
            .ok_or_else(|| token_error(self.api, &path(name), "expected a whole number".into()))
    }

    fn wrong(&self, name: &str, want: &str, found: &Value) -> Error {
        let found = crate::de::kind(found);
        token_error(
            self.api,
            &path(name),
            format!("expected {want}, found {found}"),
        )
    }
}

fn path(name: &str) -> String {
    format!("token_result.{name}")
}

/// A decode error without a snippet: the answer holds the token.
fn token_error(api: &str, path: &str, message: String) -> Error {
    decode_error(api, path, message, b"")
}

/// Percent-decoding as the platform's SDKs apply it to nicks (`+` is a
/// space); text that does not decode to UTF-8 is kept as sent.
fn url_decoded(text: &str) -> String {
    let hex = |b: Option<&u8>| b.and_then(|&b| char::from(b).to_digit(16));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make one byte: below 256.
                out.push((high * 16 + low) as u8);
                i += 2;
            }
            (b'+', ..) => out.push(b' '),
            (b, ..) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// A token API's failure with the snippet of the answer left out.
fn without_snippet(e: Error) -> Error {
    match e {
        Error::Decode {
            api, path, message, ..
        } => Error::Decode {
            api,
            path,
            message,
            snippet: String::new(),
        },
        Error::Http { api, status, .. } => Error::Http {
            api,
            status,
            snippet: String::new(),
        },
        other => other,
    }
}

/// No user session: the token APIs are called on the app's behalf.
fn token_call() -> CallOptions {
    CallOptions::new().session("")
}

impl Client {
    /// Trades an authorization code for an access token.
    pub async fn create_token(&self, req: &TokenCreateRequest) -> Result<AccessToken, Error> {
        let answer = self.execute_with(req, &token_call()).await;
        AccessToken::from_answer(TOKEN_CREATE, answer.map_err(without_snippet)?)
    }

    /// Trades a refresh token for a new access token.
    pub async fn refresh_token(&self, req: &TokenRefreshRequest) -> Result<AccessToken, Error> {
        let answer = self.execute_with(req, &token_call()).await;
        AccessToken::from_answer(TOKEN_REFRESH, answer.map_err(without_snippet)?)
    }
}

#[cfg(feature = "blocking")]
impl crate::client::blocking::Client {
    /// Trades an authorization code for an access token.
    pub fn create_token(&self, req: &TokenCreateRequest) -> Result<AccessToken, Error> {
        let answer = self.execute_with(req, &token_call());
        AccessToken::from_answer(TOKEN_CREATE, answer.map_err(without_snippet)?)
    }

    /// Trades a refresh token for a new access token.
    pub fn refresh_token(&self, req: &TokenRefreshRequest) -> Result<AccessToken, Error> {
        let answer = self.execute_with(req, &token_call());
        AccessToken::from_answer(TOKEN_REFRESH, answer.map_err(without_snippet)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(inner: Value) -> TokenAnswer {
        TokenAnswer {
            token_result: Some(inner),
            request_id: None,
        }
    }

    fn parsed(inner: &str) -> Result<AccessToken, Error> {
        AccessToken::from_answer(TOKEN_CREATE, answer(Value::String(inner.into())))
    }

    #[test]
    fn token_result_text_is_read_with_numbers_as_text() {
        let t = parsed(
            r#"{"access_token":"6201-secret","refresh_token":"6202-secret","token_type":"Bearer",
                "expires_in":"86400","expire_time":1799377170000,"taobao_user_id":2206890150985,
                "taobao_user_nick":"shop%E6%97%97%E8%88%B0+1","sp":"taobao","w1_valid":1799377170468}"#,
        )
        .unwrap();
        assert_eq!(t.access_token.expose(), "6201-secret");
        assert_eq!(
            t.refresh_token.as_ref().map(Secret::expose),
            Some("6202-secret")
        );
        assert_eq!(t.expires_in, Some(86_400));
        assert_eq!(t.expire_time, Some(1_799_377_170_000));
        assert_eq!(t.w1_valid, Some(1_799_377_170_468));
        assert_eq!(t.taobao_user_id.as_deref(), Some("2206890150985"));
        assert_eq!(t.taobao_user_nick.as_deref(), Some("shop旗舰 1"));
        assert_eq!(t.other.get("sp"), Some(&json!("taobao")));
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
        // An object instead of text is taken as well.
        let t =
            AccessToken::from_answer(TOKEN_REFRESH, answer(json!({"access_token": "a"}))).unwrap();
        assert_eq!(t.access_token.expose(), "a");
    }

    #[test]
    fn bad_token_answers_are_errors_naming_api_and_member() {
        let cases: Vec<(TokenAnswer, &str, &str)> = vec![
            (
                answer(json!("{\"access_token\":\"6201-secret\"")),
                "token_result",
                "not JSON",
            ),
            (answer(json!("[1]")), "token_result", "found a list"),
            (answer(json!(42)), "token_result", "found a number"),
            (TokenAnswer::default(), "token_result", "no token_result"),
            (
                answer(json!("{}")),
                "token_result.access_token",
                "no access_token",
            ),
            (
                answer(json!(r#"{"access_token":"x","expires_in":"soon"}"#)),
                "token_result.expires_in",
                "whole number",
            ),
            (
                answer(json!(r#"{"access_token":"x","expires_in":1.5}"#)),
                "token_result.expires_in",
                "whole number",
            ),
            (
                answer(json!(r#"{"access_token":["x"]}"#)),
                "token_result.access_token",
                "found a list",
            ),
        ];
        for (a, want_path, want) in cases {
            match AccessToken::from_answer(TOKEN_CREATE, a).unwrap_err() {
                Error::Decode {
                    api,
                    path,
                    message,
                    snippet,
                } => {
                    assert_eq!(api, TOKEN_CREATE);
                    assert_eq!(path, want_path);
                    assert!(message.contains(want), "{message}");
                    assert!(
                        !message.contains("secret") && snippet.is_empty(),
                        "{message}"
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn nicks_decode_like_the_sdks() {
        assert_eq!(url_decoded("%E6%B5%8B%E8%AF%95"), "测试");
        assert_eq!(url_decoded("a+b%2Bc"), "a b+c");
        assert_eq!(url_decoded("100%"), "100%");
        assert_eq!(url_decoded("%zz%4"), "%zz%4");
        assert_eq!(url_decoded("%FF"), "%FF");
        assert_eq!(url_decoded("已%"), "已%");
    }

    #[test]
    fn requests_send_code_and_refresh_token() {
        let p = TokenCreateRequest::new("code-1")
            .with_uuid("u-1")
            .params()
            .unwrap();
        assert_eq!(p.0, vec![("code", "code-1".into()), ("uuid", "u-1".into())]);
        let p = TokenRefreshRequest::new("r-1").params().unwrap();
        assert_eq!(p.0, vec![("refresh_token", "r-1".into())]);
        assert!(!format!("{:?}", TokenRefreshRequest::new("r-secret")).contains("r-secret"));
    }
}
