//! `topgen`: Taobao Open Platform doc pages in, typed Rust bindings out.
//!
//! The pipeline keeps its stages apart:
//! - [`scrape`] reads a page (text, HTML, or the doc center's JSON) into rows
//!   of cells, recovers the parameter trees, and yields a [`spec::Spec`];
//! - [`spec`] is the model in between, stored as YAML under `specs/`;
//! - [`emit`] resolves the specs into Rust types ([`emit`]'s type space) and
//!   emits the `generated/` crate and its example tests with `quote!`;
//! - [`output`] swaps the result in atomically;
//! - [`diff`] compares two spec trees in the terms of the generated crate.

pub mod diag;
pub mod diff;
pub mod emit;
pub mod freshness;
pub mod naming;
pub mod output;
pub mod pipeline;
pub mod scrape;
pub mod spec;

pub use diag::{Error, Warning};
