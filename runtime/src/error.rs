//! The one error type of a call: what the platform said, what the network
//! did, or what could not be decoded.

use std::fmt;
use std::time::Duration;

use crate::request::EncodeError;

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The gateway answered `error_response`.
    #[error("{0}")]
    Platform(Box<PlatformError>),
    /// A Qimen answer with `flag=failure`.
    #[error("{0}")]
    Qimen(Box<QimenFailure>),
    /// No complete HTTP answer: connect failure, timeout, broken body.
    #[error("{api}: transport error ({kind}): {source}")]
    Transport {
        api: String,
        kind: TransportKind,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An HTTP status other than 2xx without a platform error in the body.
    #[error("{api}: HTTP status {status} from the gateway; body starts with: {snippet}")]
    Http {
        api: String,
        status: u16,
        snippet: String,
    },
    /// A complete answer that does not decode into the response type.
    #[error("{api}: cannot decode the answer at `{path}`: {message}; body starts with: {snippet}")]
    Decode {
        api: String,
        /// Field path inside the response, `.` for the root.
        path: String,
        message: String,
        snippet: String,
    },
    /// Under strict decoding, a field the API's documents do not list; the
    /// path is the field's inside the response (`result.new_field`).
    #[error("{api}: the answer has a field the documents lack, at `{path}`")]
    UnknownField { api: String, path: String },
    /// A request value that cannot be put on the wire.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The client is set up wrongly (bad URL, missing customerId, …).
    #[error("client configuration: {0}")]
    Config(String),
}

/// What went wrong below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection was made: the request was never sent.
    Connect,
    /// The configured timeout ran out.
    Timeout,
    /// The answer's body broke off.
    Body,
    /// The answer said it was gzip-compressed but did not decompress.
    Decompress,
    /// Anything else reqwest reports.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Body => "body",
            TransportKind::Decompress => "decompress",
            TransportKind::Other => "other",
        })
    }
}

impl TransportKind {
    pub(crate) fn of(e: &reqwest::Error) -> Self {
        // A connect timeout is both; it is a connect failure first: the
        // request never left, which decides whether resending is safe.
        if e.is_connect() {
            TransportKind::Connect
        } else if e.is_timeout() {
            TransportKind::Timeout
        } else if e.is_decode() || e.is_body() {
            // reqwest reports a body that did not inflate as a body or a
            // decode error, like one that broke off; the decoder's own
            // complaint (invalid data) tells them apart.
            if inflate_failed(e) {
                TransportKind::Decompress
            } else {
                TransportKind::Body
            }
        } else {
            TransportKind::Other
        }
    }
}

/// An invalid-data I/O error below `e`: what the gzip decoder reports.
fn inflate_failed(e: &reqwest::Error) -> bool {
    let mut next = std::error::Error::source(e);
    while let Some(cause) = next {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::InvalidData)
        {
            return true;
        }
        next = cause.source();
    }
    false
}

impl Error {
    /// The platform's error, if the gateway sent one.
    pub fn platform(&self) -> Option<&PlatformError> {
        match self {
            Error::Platform(p) => Some(p),
            _ => None,
        }
    }

    /// How long a call-limit ban still lasts, when the platform said so
    /// (`This ban will last for N more seconds`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.platform()?.retry_after()
    }

    /// The error as it may be logged: no snippet of the answer's body (it
    /// may hold a token, a buyer's name or phone), no decoder message (it
    /// may quote a value). A platform or Qimen failure keeps its code and
    /// message, the error text the gateway or the warehouse system wrote.
    pub fn without_body(&self) -> impl fmt::Display + '_ {
        WithoutBody(self)
    }

    /// True when the configured timeout ran out.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        )
    }

    /// True when a retry cannot do harm: the request never reached the
    /// gateway, or the platform reported a transient failure of its own.
    /// A timeout is not: the gateway may have acted on the request.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            } => true,
            Error::Platform(p) => p.is_retryable(),
            _ => false,
        }
    }

    pub(crate) fn transport(api: &str, source: reqwest::Error) -> Self {
        if source.is_builder() {
            // reqwest refused the request before sending anything.
            return Error::Config(format!(
                "{api}: the HTTP request cannot be built, nothing was sent: {}",
                source.without_url()
            ));
        }
        Error::Transport {
            api: api.to_owned(),
            kind: TransportKind::of(&source),
            // reqwest names the URL, and the URL holds the session.
            source: Box::new(source.without_url()),
        }
    }

    /// A failure while reading the body of a blocking answer.
    #[cfg(feature = "blocking")]
    pub(crate) fn transport_io(api: &str, source: std::io::Error) -> Self {
        let kind = if source.kind() == std::io::ErrorKind::TimedOut {
            TransportKind::Timeout
        } else {
            TransportKind::Body
        };
        // Keep reqwest's own error where the reader wrapped one.
        let source: Box<dyn std::error::Error + Send + Sync> = match source.into_inner() {
            Some(inner) => match inner.downcast::<reqwest::Error>() {
                Ok(re) => {
                    let re = Box::new(re.without_url());
                    let kind = TransportKind::of(&re);
                    return Error::Transport {
                        api: api.to_owned(),
                        kind: if kind == TransportKind::Other {
                            TransportKind::Body
                        } else {
                            kind
                        },
                        source: re,
                    };
                }
                Err(other) => other,
            },
            None => "reading the answer failed".into(),
        };
        Error::Transport {
            api: api.to_owned(),
            kind,
            source,
        }
    }
}

/// See [`Error::without_body`].
struct WithoutBody<'e>(&'e Error);

impl fmt::Display for WithoutBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::Http { api, status, .. } => {
                write!(f, "{api}: HTTP status {status} from the gateway")
            }
            Error::Decode { api, path, .. } => {
                write!(f, "{api}: cannot decode the answer at `{path}`")
            }
            Error::Encode(e) => write!(f, "{}: cannot encode parameter `{}`", e.api, e.param),
            other => other.fmt(f),
        }
    }
}

/// Numeric top-level codes with a name (the platform's public error table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 7: App Call Limited (frequency or daily quota).
    CallLimited,
    /// 10: Service Currently Unavailable.
    ServiceUnavailable,
    /// 11: Insufficient ISV Permissions.
    InsufficientIsvPermissions,
    /// 12: Insufficient User Permissions.
    InsufficientUserPermissions,
    /// 15: Remote service error (details in `sub_code`).
    RemoteServiceError,
    /// 21: Missing Method.
    MissingMethod,
    /// 22: Invalid Method.
    InvalidMethod,
    /// 25: Invalid Signature.
    InvalidSignature,
    /// 26: Missing Session.
    MissingSession,
    /// 27: Invalid Session.
    InvalidSession,
    /// 29: Invalid App Key.
    InvalidAppKey,
    /// 31: Invalid Timestamp.
    InvalidTimestamp,
    /// 40: Missing Required Arguments.
    MissingRequiredArguments,
    /// 41: Invalid Arguments.
    InvalidArguments,
}

impl ErrorCode {
    pub const fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            7 => ErrorCode::CallLimited,
            10 => ErrorCode::ServiceUnavailable,
            11 => ErrorCode::InsufficientIsvPermissions,
            12 => ErrorCode::InsufficientUserPermissions,
            15 => ErrorCode::RemoteServiceError,
            21 => ErrorCode::MissingMethod,
            22 => ErrorCode::InvalidMethod,
            25 => ErrorCode::InvalidSignature,
            26 => ErrorCode::MissingSession,
            27 => ErrorCode::InvalidSession,
            29 => ErrorCode::InvalidAppKey,
            31 => ErrorCode::InvalidTimestamp,
            40 => ErrorCode::MissingRequiredArguments,
            41 => ErrorCode::InvalidArguments,
            _ => return None,
        })
    }

    pub const fn code(self) -> i64 {
        match self {
            ErrorCode::CallLimited => 7,
            ErrorCode::ServiceUnavailable => 10,
            ErrorCode::InsufficientIsvPermissions => 11,
            ErrorCode::InsufficientUserPermissions => 12,
            ErrorCode::RemoteServiceError => 15,
            ErrorCode::MissingMethod => 21,
            ErrorCode::InvalidMethod => 22,
            ErrorCode::InvalidSignature => 25,
            ErrorCode::MissingSession => 26,
            ErrorCode::InvalidSession => 27,
            ErrorCode::InvalidAppKey => 29,
            ErrorCode::InvalidTimestamp => 31,
            ErrorCode::MissingRequiredArguments => 40,
            ErrorCode::InvalidArguments => 41,
        }
    }
}

/// An `error_response` from the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformError {
    /// The API that was called.
    pub api: String,
    /// The top-level code as sent (a number on the wire, kept as text so an
    /// odd value still reaches the caller).
    pub code: String,
    pub msg: String,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub request_id: Option<String>,
}

impl PlatformError {
    /// The top-level code as a number, if it is one.
    pub fn code_number(&self) -> Option<i64> {
        self.code.trim().parse().ok()
    }

    /// The named code, if the platform's table has one for it.
    pub fn known_code(&self) -> Option<ErrorCode> {
        self.code_number().and_then(ErrorCode::from_code)
    }

    /// `isp.*`: the platform or the service behind it failed.
    pub fn is_service_fault(&self) -> bool {
        self.sub_code
            .as_deref()
            .is_some_and(|s| s.starts_with("isp."))
    }

    /// The caller must change something: an `isv.*` sub code, or a
    /// top-level code about the request itself (signature, session,
    /// arguments, permissions, app key, timestamp, method).
    pub fn is_caller_fault(&self) -> bool {
        if self
            .sub_code
            .as_deref()
            .is_some_and(|s| s.starts_with("isv."))
        {
            return true;
        }
        matches!(
            self.known_code(),
            Some(
                ErrorCode::InsufficientIsvPermissions
                    | ErrorCode::InsufficientUserPermissions
                    | ErrorCode::MissingMethod
                    | ErrorCode::InvalidMethod
                    | ErrorCode::InvalidSignature
                    | ErrorCode::MissingSession
                    | ErrorCode::InvalidSession
                    | ErrorCode::InvalidAppKey
                    | ErrorCode::InvalidTimestamp
                    | ErrorCode::MissingRequiredArguments
                    | ErrorCode::InvalidArguments
            )
        )
    }

    /// Worth trying again later: `isp.*`, or a busy code (7 call limited,
    /// 10 service unavailable, 15 remote service error) that is not the
    /// caller's fault.
    pub fn is_retryable(&self) -> bool {
        if self.is_caller_fault() {
            return false;
        }
        self.is_service_fault()
            || matches!(
                self.known_code(),
                Some(
                    ErrorCode::CallLimited
                        | ErrorCode::ServiceUnavailable
                        | ErrorCode::RemoteServiceError
                )
            )
    }
}

/// The words before the ban's length in a call-limit message.
const BAN_PHRASE: &str = "this ban will last for ";

impl PlatformError {
    /// Refused by the platform's access control before the API ran:
    /// code 7 or an `accesscontrol.*` sub_code (`limited-by-app-access-count`,
    /// `limited-by-api-access-count`, …).
    pub fn is_call_limited(&self) -> bool {
        self.known_code() == Some(ErrorCode::CallLimited)
            || self
                .sub_code
                .as_deref()
                .is_some_and(|s| s.starts_with("accesscontrol."))
    }

    /// The ban's length from `This ban will last for N more seconds` in
    /// `sub_msg` or `msg`; `Ok(None)` when the answer is no call-limit ban.
    pub fn ban(&self) -> Result<Option<Duration>, BanMessageError> {
        if !self.is_call_limited() {
            return Ok(None);
        }
        let texts = [self.sub_msg.as_deref(), Some(self.msg.as_str())];
        for text in texts.into_iter().flatten() {
            let lower = text.to_ascii_lowercase();
            let Some(at) = lower.find(BAN_PHRASE) else {
                continue;
            };
            let rest = &lower[at + BAN_PHRASE.len()..];
            let digits: &str = &rest[..rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())];
            let unit_ok = rest[digits.len()..].trim_start().starts_with("more second");
            return match digits.parse::<u64>() {
                Ok(n) if unit_ok => Ok(Some(Duration::from_secs(n))),
                _ => Err(BanMessageError {
                    api: self.api.clone(),
                    message: text.to_owned(),
                }),
            };
        }
        Ok(None)
    }

    /// The ban's length when the message gives a readable one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.ban().ok().flatten()
    }
}

/// A call-limit message that names a ban but not a readable length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{api}: the call-limit answer names a ban without a readable length \
     (expected `This ban will last for N more seconds`): `{message}`"
)]
pub struct BanMessageError {
    pub api: String,
    pub message: String,
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: platform error {} ({})",
            self.api, self.code, self.msg
        )?;
        if let Some(sub) = &self.sub_code {
            write!(f, ", sub_code {sub}")?;
        }
        if let Some(sub) = &self.sub_msg {
            write!(f, " ({sub})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request_id {id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlatformError {}

/// A Qimen `<response>` with `flag=failure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QimenFailure {
    pub api: String,
    pub code: String,
    pub message: String,
}

impl fmt::Display for QimenFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: qimen failure, code {}: {}",
            self.api, self.code, self.message
        )
    }
}

impl std::error::Error for QimenFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str, sub: Option<&str>) -> PlatformError {
        PlatformError {
            api: "taobao.pc.order.detail".into(),
            code: code.into(),
            msg: "m".into(),
            sub_code: sub.map(Into::into),
            sub_msg: None,
            request_id: None,
        }
    }

    #[test]
    fn classification_table() {
        // (code, sub_code, retryable, caller fault)
        let table = [
            ("15", Some("isp.remote-service-timeout"), true, false),
            ("50", Some("isp.http-read-timeout"), true, false),
            ("50", Some("isv.invalid-parameter"), false, true),
            ("15", Some("isv.item-not-exist"), false, true),
            ("7", None, true, false),
            ("10", None, true, false),
            ("15", None, true, false),
            ("25", None, false, true),
            ("27", None, false, true),
            ("41", None, false, true),
            ("99", None, false, false),
            ("not-a-number", None, false, false),
        ];
        for (code, sub, retry, caller) in table {
            let e = err(code, sub);
            assert_eq!(e.is_retryable(), retry, "retryable {code} {sub:?}");
            assert_eq!(e.is_caller_fault(), caller, "caller fault {code} {sub:?}");
        }
    }

    #[test]
    fn ban_lengths() {
        let limited = |code: &str, sub: Option<&str>, msg: &str| PlatformError {
            sub_msg: Some(msg.into()),
            ..err(code, sub)
        };
        let by_app = Some("accesscontrol.limited-by-app-access-count");
        let ok = [
            (
                "7",
                by_app,
                "This ban will last for 71 more seconds",
                Some(71),
            ),
            ("7", None, "this ban will last for 1 more second", Some(1)),
            ("7", by_app, "App Call Limited", None),
            (
                "15",
                Some("isp.x"),
                "This ban will last for 5 more seconds",
                None,
            ),
        ];
        for (code, sub, msg, want) in ok {
            let e = limited(code, sub, msg);
            assert_eq!(e.ban(), Ok(want.map(Duration::from_secs)), "{msg}");
            assert_eq!(e.retry_after(), want.map(Duration::from_secs), "{msg}");
        }
        for msg in [
            "This ban will last for  more seconds",
            "This ban will last for many more seconds",
            "This ban will last for 99999999999999999999999 more seconds",
            "This ban will last for 12 more minutes",
            "This ban will last for ",
        ] {
            let e = limited("7", by_app, msg).ban().unwrap_err();
            assert_eq!(e.api, "taobao.pc.order.detail");
            assert!(e.to_string().contains("taobao.pc.order.detail"), "{e}");
            assert!(e.to_string().contains(msg), "{e}");
        }
    }

    #[test]
    fn named_codes_round_trip() {
        for n in 0..100 {
            if let Some(c) = ErrorCode::from_code(n) {
                assert_eq!(c.code(), n);
            }
        }
        assert_eq!(
            err("25", None).known_code(),
            Some(ErrorCode::InvalidSignature)
        );
        assert_eq!(
            err("27", None).known_code(),
            Some(ErrorCode::InvalidSession)
        );
        assert_eq!(err("7", None).known_code(), Some(ErrorCode::CallLimited));
        assert_eq!(
            err("15", None).known_code(),
            Some(ErrorCode::RemoteServiceError)
        );
    }
}
