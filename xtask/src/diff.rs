//! `cargo xtask diff`: what changed between two spec trees, for a pull request.

use std::path::Path;

use topgen::pipeline::{Regen, SPECS_DIR};

use topgen::Error;
use topgen::diff;

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
    let (old, new) = diff::open_pair(old, new, repo)?;
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

/// The end of regen's summary line: what the new specs change against those
/// in `dir` they replace (`; 3 APIs changed, 1 breaking — …`). Never fails:
/// specs that cannot be read are said so, and regen goes on.
pub fn against_replaced(dir: &Path, new: &Regen, in_repo: bool) -> String {
    let new_files = new.files.under(SPECS_DIR).map(|(path, bytes)| {
        let name = path.rsplit('/').next().unwrap_or(path);
        (name, bytes)
    });
    let report = diff::load::replaced_changes(dir, &new.scraped, new_files);
    match report {
        Ok(r) if r.changes.is_empty() || !in_repo => format!("; {}", r.headline()),
        Ok(r) => format!("; {} — cargo xtask diff HEAD for details", r.headline()),
        Err(e) => format!("; the specs replaced could not be compared ({e})"),
    }
}
