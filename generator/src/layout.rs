//! Where things live below an output root: the folders every stage writes
//! or reads, named once.

use std::path::PathBuf;

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

/// How a spec file's name ends: `<api>.yaml`.
pub const SPEC_SUFFIX: &str = ".yaml";

/// The spec file scrape writes for an API, relative to the output root.
pub fn spec_file(api: &str) -> PathBuf {
    PathBuf::from(spec_path(api))
}

/// [`spec_file`] as an output path.
pub fn spec_path(api: &str) -> String {
    format!("{SPECS_DIR}/{api}{SPEC_SUFFIX}")
}

/// The API a spec file's name is for (`taobao.a.b.yaml` → `taobao.a.b`).
pub fn spec_api(file_name: &str) -> Option<&str> {
    file_name.strip_suffix(SPEC_SUFFIX)
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
pub fn module_file(feature: &str, group: &str, module: &str) -> String {
    let krate = crate::naming::category_crate(feature);
    crate_file(&krate, &format!("src/{group}/{module}.rs"))
}
