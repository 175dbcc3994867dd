//! Where things live below an output root: the folders every stage writes
//! or reads, named once.

use std::path::{Path, PathBuf};

/// Folder of the specs, relative to the output root.
pub const SPECS_DIR: &str = "specs";
/// Folder of the generated family of crates: one folder per crate, named
/// after the crate.
pub const GENERATED_DIR: &str = "generated";
/// Folder of the generated example tests.
pub const TESTS_DIR: &str = "tests/tests/api";
/// Folder of the embedded default input pages.
pub const PAGES_DIR: &str = "pages";

/// The owned folders `regen` replaces.
pub const REGEN_DIRS: [&str; 3] = [SPECS_DIR, GENERATED_DIR, TESTS_DIR];

/// The spec file scrape writes for an API, relative to the output root.
pub fn spec_file(api: &str) -> PathBuf {
    Path::new(SPECS_DIR).join(format!("{api}.yaml"))
}

/// The folder of a generated crate, relative to the output root.
pub fn crate_dir(krate: &str) -> String {
    format!("{GENERATED_DIR}/{krate}")
}

/// A file of a generated crate (`rel` below its folder), relative to the output root.
pub fn crate_file(krate: &str, rel: &str) -> String {
    format!("{GENERATED_DIR}/{krate}/{rel}")
}

/// The module file of an API, in its category's crate.
pub fn module_file(api: &crate::emit::space::Api) -> String {
    let krate = crate::naming::category_crate(&api.feature);
    crate_file(&krate, &format!("src/{}/{}.rs", api.group, api.module))
}
