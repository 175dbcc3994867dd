//! Runtime for the generated Taobao Open Platform bindings.
//!
//! Hand-written and never touched by `cargo xtask regen`. The generated crate
//! implements [`Request`] for every API; this crate signs and sends requests
//! over the TOP gateway or Qimen protocol and decodes the answers, and
//! receives the Qimen gateway's calls ([`qimen::server`]).

pub mod batch;
pub mod client;
pub mod code;
pub mod de;
pub mod dynamic;
pub mod envelope;
pub mod error;
pub mod oauth;
pub mod params;
pub mod qimen;
pub mod request;
#[doc(hidden)]
pub mod ser;
pub mod sign;
#[doc(hidden)]
pub mod testing;
#[cfg(feature = "tmc")]
pub mod tmc;
pub mod types;

pub use batch::{Batch, BatchAnswer, Slot};
pub use dynamic::DynamicRequest;
pub use oauth::{AccessToken, TokenCreateRequest, TokenRefreshRequest};
pub use request::{EncodeError, Params, Protocol, Request};
pub use types::{DateTime, Decimal, FileItem};

pub use client::{
    Answer, AnswerMeta, CallOptions, Client, ClientBuilder, FailedCall, Prepared, RetryPolicy,
    Secret,
};
pub use error::{BanMessageError, Error, ErrorCode, PlatformError, QimenFailure};

/// The HTTP client underneath, for [`ClientBuilder::http_client`].
pub use reqwest;
pub use sign::SignMethod;

#[doc(hidden)]
pub use serde as __serde;
