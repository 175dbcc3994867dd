//! Runtime for the generated Taobao Open Platform bindings.
//!
//! Hand-written and never touched by `cargo xtask regen`. The generated crate
//! implements [`Request`] for every API; this crate signs and sends requests
//! over the TOP gateway or Qimen protocol and decodes the answers.

pub mod request;
pub mod types;

pub use request::{EncodeError, Params, Protocol, Request};
pub use types::FileItem;
