//! Is the checked-in output what the generator makes now?

use std::path::Path;

use crate::output::FileSet;

/// One stale file, with a unified diff (checked in → fresh) or why.
#[derive(Debug)]
pub struct Stale {
    pub path: String,
    pub diff: String,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stale: {}\n{}", self.path, self.diff)
    }
}

/// Compare `fresh` with the files below each owned folder of `root`.
pub fn stale_files(root: &Path, owned: &[&str], fresh: &FileSet) -> Vec<Stale> {
    let mut out = Vec::new();
    for (path, bytes) in fresh.iter() {
        match std::fs::read(root.join(path)) {
            Ok(old) if old == bytes => {}
            Ok(old) => out.push(Stale { path: path.to_string(), diff: diff(&old, bytes, path) }),
            Err(_) => out.push(Stale { path: path.to_string(), diff: "missing: not checked in\n".into() }),
        }
    }
    for dir in owned {
        for rel in files_below(&root.join(dir)) {
            let path = format!("{dir}/{rel}");
            if fresh.get(&path).is_none() {
                out.push(Stale { path, diff: "extra: the generator no longer makes this file\n".into() });
            }
        }
    }
    out
}

fn diff(old: &[u8], new: &[u8], path: &str) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(2)
        .header(&format!("{path} (checked in)"), &format!("{path} (fresh)"))
        .to_string()
}

fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            out.extend(files_below(&e.path()).into_iter().map(|r| format!("{name}/{r}")));
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}
