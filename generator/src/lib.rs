//! `topgen`: Taobao Open Platform doc pages in, typed Rust bindings out.
//!
//! The pipeline keeps its stages apart:
//! - [`scrape`] reads a page (text, HTML, or the doc center's JSON) into rows
//!   of cells, recovers the parameter trees, and yields a [`spec::Spec`];
//! - [`spec`] is the model in between, stored as YAML under `specs/`;
//! - [`emit`] resolves the specs into Rust types ([`emit`]'s type space) and
//!   emits the `generated/` crate and its example tests with `quote!`;
//! - [`output`] swaps the result in atomically;
//! - [`cache`] keeps per-document and per-API results, so a regen redoes
//!   only the work whose input changed;
//! - [`diff`] compares two spec trees in the terms of the generated crate.
//!
//! Shared by the stages: [`types`] (what TOP types there are and what each
//! becomes), [`xml`] (the one reader of XML examples), [`layout`] (folder
//! names) and [`diag`] (typed, located errors and warnings).

pub mod cache;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod freshness;
pub mod layout;
pub mod naming;
pub mod output;
pub mod pipeline;
pub mod scrape;
pub mod spec;
pub mod types;
pub mod xml;

pub use diag::{Error, Kind, Warning};
