//! Atomic output: every command that writes builds its whole result in memory
//! as a [`FileSet`], then [`commit`] swaps it in.
//!
//! Each owned folder is staged beside itself and renamed into place only when
//! every folder staged without error, so a failure leaves the previous tree
//! exactly as it was. Files whose bytes did not change are hard-linked from
//! the old tree, so they keep their timestamps and cargo does not rebuild them.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::Error;

/// Files to write, keyed by path relative to the output root (`/` separated).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<String, Vec<u8>>,
}

impl FileSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file; a second file at one path is a bug in the caller.
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        let path = path.into();
        let old = self.files.insert(path.clone(), bytes.into());
        assert!(old.is_none(), "two outputs at {path}");
    }

    pub fn extend(&mut self, other: FileSet) {
        for (p, b) in other.files {
            self.insert(p, b);
        }
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Files below `dir/`.
    pub fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        self.iter()
            .filter(move |(p, _)| p.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
    }
}

/// What a commit did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Called before each file is staged; tests use it to inject a failure.
pub type Hook<'a> = &'a (dyn Fn(&Path) -> io::Result<()> + Sync);

/// Replace each folder in `owned` (relative to `root`) with the files of `set`
/// below it. Files of `set` outside the owned folders are an error in the caller.
pub fn commit(root: &Path, owned: &[&str], set: &FileSet) -> Result<Written, Error> {
    commit_with(root, owned, set, &|_| Ok(()))
}

pub fn commit_with(
    root: &Path,
    owned: &[&str],
    set: &FileSet,
    hook: Hook,
) -> Result<Written, Error> {
    for (p, _) in set.iter() {
        assert!(
            owned
                .iter()
                .any(|d| p.strip_prefix(d).is_some_and(|r| r.starts_with('/'))),
            "{p} is outside the owned folders {owned:?}"
        );
    }
    let tag = std::process::id();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut written = Written::default();
    let result = (|| {
        for dir in owned {
            let target = root.join(dir);
            let stage = sibling(&target, &format!("staging-{tag}"));
            remove_if_exists(&stage)?;
            staged.push((target.clone(), stage.clone()));
            let w = stage_dir(&target, &stage, set.under(dir), dir, hook)?;
            written.changed += w.changed;
            written.unchanged += w.unchanged;
            written.removed += w.removed;
        }
        swap_all(&staged, tag)
    })();
    if let Err(e) = result {
        for (_, stage) in &staged {
            let _ = fs::remove_dir_all(stage);
        }
        return Err(e);
    }
    Ok(written)
}

fn stage_dir<'a>(
    target: &Path,
    stage: &Path,
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
    dir: &str,
    hook: Hook,
) -> Result<Written, Error> {
    use rayon::prelude::*;

    let mut stale = list_files(target, Path::new(""));
    let files: Vec<(&str, &[u8])> = files.map(|(rel, b)| (&rel[dir.len() + 1..], b)).collect();
    // Folders first, then the files in parallel: staging is most of regen's I/O.
    let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    dirs.insert(stage.to_path_buf());
    for (rel, _) in &files {
        stale.remove(Path::new(rel));
        if let Some(parent) = stage.join(rel).parent() {
            dirs.insert(parent.to_path_buf());
        }
    }
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let same: Vec<bool> = files
        .par_iter()
        .map(|(rel, bytes)| {
            let old = target.join(rel);
            let new = stage.join(rel);
            hook(&new).map_err(|e| Error::io(&new, e))?;
            let same = fs::read(&old).is_ok_and(|b| b == *bytes);
            if !(same && fs::hard_link(&old, &new).is_ok()) {
                fs::write(&new, bytes).map_err(|e| Error::io(&new, e))?;
            }
            Ok(same)
        })
        .collect::<Result<_, Error>>()?;
    let unchanged = same.iter().filter(|s| **s).count();
    Ok(Written {
        changed: same.len() - unchanged,
        unchanged,
        removed: stale.len(),
    })
}

/// Relative paths of the files below `dir`, sorted.
pub(crate) fn list_files(dir: &Path, prefix: &Path) -> std::collections::BTreeSet<PathBuf> {
    let mut out = std::collections::BTreeSet::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for e in entries.filter_map(Result::ok) {
        let rel = prefix.join(e.file_name());
        if e.path().is_dir() {
            out.extend(list_files(&e.path(), &rel));
        } else {
            out.insert(rel);
        }
    }
    out
}

/// Rename every target aside, every stage into place, then drop the old trees.
/// A failed rename puts back what was already moved.
fn swap_all(staged: &[(PathBuf, PathBuf)], tag: u32) -> Result<(), Error> {
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for (target, stage) in staged {
        let old = sibling(target, &format!("old-{tag}"));
        let moved_old = if target.exists() {
            if let Err(e) = fs::rename(target, &old) {
                rollback(&done);
                return Err(Error::io(target, e));
            }
            Some(old)
        } else {
            None
        };
        if let Err(e) = fs::rename(stage, target) {
            if let Some(old) = &moved_old {
                let _ = fs::rename(old, target);
            }
            rollback(&done);
            return Err(Error::io(target, e));
        }
        done.push((target.clone(), moved_old));
    }
    for (_, old) in done {
        if let Some(old) = old {
            let _ = fs::remove_dir_all(old);
        }
    }
    Ok(())
}

fn rollback(done: &[(PathBuf, Option<PathBuf>)]) {
    for (target, old) in done.iter().rev() {
        let _ = fs::remove_dir_all(target);
        if let Some(old) = old {
            let _ = fs::rename(old, target);
        }
    }
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{suffix}"))
}

fn remove_if_exists(p: &Path) -> Result<(), Error> {
    match fs::remove_dir_all(p) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io(p, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> FileSet {
        let mut s = FileSet::new();
        for (p, b) in files {
            s.insert(*p, b.as_bytes());
        }
        s
    }

    fn read(root: &Path, p: &str) -> String {
        fs::read_to_string(root.join(p)).unwrap()
    }

    #[test]
    fn replaces_owned_folders_and_drops_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        commit(tmp.path(), &["a"], &set(&[("a/x", "1"), ("a/old", "0")])).unwrap();
        let w = commit(tmp.path(), &["a"], &set(&[("a/x", "2"), ("a/d/y", "3")])).unwrap();
        assert_eq!(read(tmp.path(), "a/x"), "2");
        assert_eq!(read(tmp.path(), "a/d/y"), "3");
        assert!(!tmp.path().join("a/old").exists());
        assert_eq!(
            w,
            Written {
                changed: 2,
                unchanged: 0,
                removed: 1
            }
        );
    }

    #[test]
    fn unchanged_files_keep_their_inode() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        commit(tmp.path(), &["a"], &set(&[("a/x", "1"), ("a/y", "1")])).unwrap();
        let before = fs::metadata(tmp.path().join("a/x")).unwrap().ino();
        let w = commit(tmp.path(), &["a"], &set(&[("a/x", "1"), ("a/y", "2")])).unwrap();
        assert_eq!(fs::metadata(tmp.path().join("a/x")).unwrap().ino(), before);
        assert_eq!((w.changed, w.unchanged), (1, 1));
    }

    #[test]
    fn a_failure_midway_leaves_every_folder_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        commit(tmp.path(), &["a", "b"], &set(&[("a/x", "1"), ("b/y", "1")])).unwrap();
        let n = std::sync::atomic::AtomicUsize::new(0);
        let fail_third = |_: &Path| {
            if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 2 {
                Err(io::Error::other("injected"))
            } else {
                Ok(())
            }
        };
        let next = set(&[("a/x", "2"), ("b/y", "2"), ("b/z", "2")]);
        let e = commit_with(tmp.path(), &["a", "b"], &next, &fail_third).unwrap_err();
        assert!(e.to_string().contains("injected"), "{e}");
        assert_eq!(read(tmp.path(), "a/x"), "1");
        assert_eq!(read(tmp.path(), "b/y"), "1");
        assert!(!tmp.path().join("b/z").exists());
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            2,
            "staging folders left behind: {leftovers:?}"
        );
    }
}
