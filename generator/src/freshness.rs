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
            Ok(old) => out.push(Stale {
                path: path.to_string(),
                diff: diff(&old, bytes, path),
            }),
            Err(_) => out.push(Stale {
                path: path.to_string(),
                diff: "missing: not checked in\n".into(),
            }),
        }
    }
    for dir in owned {
        for rel in crate::output::list_files(&root.join(dir), Path::new("")) {
            let path = format!("{dir}/{}", rel.display());
            if fresh.get(&path).is_none() {
                out.push(Stale {
                    path,
                    diff: "extra: the generator no longer makes this file\n".into(),
                });
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
