//! `cargo xtask diff`: what changed between two spec trees, for a pull request.

use std::path::Path;

use topgen::Error;
use topgen::diff::{self, Tree};

/// Output form of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// Print the report of `old` → `new`; with `deny_breaking`, a breaking change is an error.
pub fn run(
    repo: &Path,
    old: &str,
    new: &str,
    format: Format,
    deny_breaking: bool,
) -> Result<(), Error> {
    let old = Tree::open(old, repo)?;
    let new = Tree::open(new, repo)?;
    let report = diff::compare(&old, &new)?;
    let text = match format {
        Format::Markdown => diff::render::markdown(&report),
        Format::Json => diff::render::json(&report),
    };
    print!("{text}");
    let breaking = report.breaking().count();
    if deny_breaking && breaking > 0 {
        return Err(Error::at(
            Path::new(&new.label),
            None,
            format!(
                "{breaking} breaking changes against {} (--deny-breaking)",
                old.label
            ),
        ));
    }
    Ok(())
}
