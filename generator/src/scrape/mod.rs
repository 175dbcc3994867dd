//! Page readers: text and HTML pages (and the doc center's JSON) become specs.

use std::path::Path;

use crate::diag::{Error, Warning};
use crate::spec::Spec;

/// A spec with the warnings raised while reading it.
#[derive(Debug, Clone)]
pub struct Scraped {
    pub spec: Spec,
    pub warnings: Vec<Warning>,
}

/// What the pipeline knows about a page besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Category name from a `catelog.json` beside a JSON document.
    pub category: Option<String>,
}

/// Read one page. `file` is the path shown in messages and stored as `source`.
pub fn scrape_page(file: &Path, bytes: &[u8], ctx: &Context) -> Result<Scraped, Error> {
    let _ = (bytes, ctx);
    Err(Error::at(file, None, "the page reader is not built yet"))
}
