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

/// Read one page. `file` is the path shown in messages and stored as `source`.
pub fn scrape_page(file: &Path, bytes: &[u8]) -> Result<Scraped, Error> {
    let _ = bytes;
    Err(Error::at(file, None, "the page reader is not built yet"))
}
