//! Atomic output: every command that writes builds its whole result in memory
//! as a [`FileSet`], then [`commit`] swaps it in.
//!
//! Each owned folder is staged beside itself and renamed into place only when
//! every folder staged without error, so a failure leaves the previous tree
//! exactly as it was. Files whose bytes did not change are hard-linked from
//! the old tree, so they keep their timestamps and cargo does not rebuild them.
//!
//! A folder where only a few files change is patched instead: each new file
//! is staged beside the one it replaces, and all are renamed into place (the
//! old ones aside, to put back on a failure) once every folder staged; the
//! files that did not change are not touched at all. The result is the same
//! tree either way.

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

/// Called with each new file's path in its owned folder before the file is
/// compared with the old one and staged; tests use it to inject a failure.
pub type Hook<'a> = &'a (dyn Fn(&Path) -> io::Result<()> + Sync);

/// At most this many changed and removed files, or a quarter of the
/// folder's files when more, are patched in place; more are staged.
const PATCH_MIN: usize = 64;

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
    let mut plans: Vec<Plan> = Vec::new();
    let mut written = Written::default();
    let result = (|| {
        for dir in owned {
            let target = root.join(dir);
            let (plan, w) = plan_dir(&target, set.under(dir), dir, tag, hook)?;
            plans.push(plan);
            written.changed += w.changed;
            written.unchanged += w.unchanged;
            written.removed += w.removed;
        }
        apply_all(&plans, tag)
    })();
    if let Err(e) = result {
        for plan in &plans {
            plan.discard();
        }
        return Err(e);
    }
    Ok(written)
}

/// How one owned folder is replaced.
enum Plan {
    /// A whole new folder, staged beside the old one, to swap in.
    Stage { target: PathBuf, stage: PathBuf },
    /// A few files changed in an existing folder: each new file written
    /// beside its old one, to rename into place.
    Patch(Patch),
}

struct Patch {
    /// (file, its staged bytes beside it) for each changed or new file.
    replace: Vec<(PathBuf, PathBuf)>,
    /// Old files the new tree no longer has.
    stale: Vec<PathBuf>,
    /// Folders created for new files, outermost first.
    created: Vec<PathBuf>,
    /// Old folders the new tree no longer has, innermost first.
    emptied: Vec<PathBuf>,
}

impl Plan {
    /// Drop what was staged for a commit that does not happen.
    fn discard(&self) {
        match self {
            Plan::Stage { stage, .. } => {
                let _ = fs::remove_dir_all(stage);
            }
            Plan::Patch(p) => {
                for (_, staged) in &p.replace {
                    let _ = fs::remove_file(staged);
                }
                for d in p.created.iter().rev() {
                    let _ = fs::remove_dir(d);
                }
            }
        }
    }
}

/// The old tree below an owned folder when it holds only plain files and
/// folders (no links or other kinds): relative paths, `/` separated.
struct Plain {
    files: std::collections::BTreeSet<String>,
    dirs: std::collections::BTreeSet<String>,
}

fn plain_tree(target: &Path) -> Option<Plain> {
    fn walk(dir: &Path, prefix: &str, out: &mut Plain) -> Option<()> {
        for e in fs::read_dir(dir).ok()? {
            let e = e.ok()?;
            let name = e.file_name().into_string().ok()?;
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = e.file_type().ok()?;
            if kind.is_dir() {
                walk(&e.path(), &rel, out)?;
                out.dirs.insert(rel);
            } else if kind.is_file() {
                out.files.insert(rel);
            } else {
                return None;
            }
        }
        Some(())
    }
    if !fs::symlink_metadata(target).ok()?.is_dir() {
        return None;
    }
    let mut out = Plain {
        files: Default::default(),
        dirs: Default::default(),
    };
    walk(target, "", &mut out)?;
    Some(out)
}

/// Every folder above `rel` (`a/b/c` → `a`, `a/b`).
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

/// Compare the new files of one owned folder with the old ones and stage
/// what changed: in place when the old folder is plain and few files
/// change, else as a whole new folder. A failure leaves nothing staged.
fn plan_dir<'a>(
    target: &Path,
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
    dir: &str,
    tag: u32,
    hook: Hook,
) -> Result<(Plan, Written), Error> {
    use rayon::prelude::*;
    let files: Vec<(&str, &[u8])> = files.map(|(rel, b)| (&rel[dir.len() + 1..], b)).collect();
    let same: Vec<bool> = files
        .par_iter()
        .map(|(rel, bytes)| {
            let old = target.join(rel);
            hook(&old).map_err(|e| Error::io(&old, e))?;
            Ok(fs::read(&old).is_ok_and(|b| b == *bytes))
        })
        .collect::<Result<_, Error>>()?;
    let unchanged = same.iter().filter(|s| **s).count();
    let changed = same.len() - unchanged;
    if let Some(plain) = plain_tree(target) {
        let new: std::collections::BTreeSet<&str> = files.iter().map(|(rel, _)| *rel).collect();
        let stale: Vec<&String> = plain
            .files
            .iter()
            .filter(|f| !new.contains(f.as_str()))
            .collect();
        let few = (changed + stale.len()) <= PATCH_MIN.max(files.len() / 4);
        // A file where a folder was, or the reverse, needs the whole tree anew.
        let fits = files.iter().all(|(rel, _)| {
            !plain.dirs.contains(*rel) && ancestors(rel).all(|a| !plain.files.contains(a))
        });
        if few && fits {
            let written = Written {
                changed,
                unchanged,
                removed: stale.len(),
            };
            let stale = stale.into_iter().map(|f| target.join(f)).collect();
            let plan = patch(target, &files, &same, &plain, stale, tag)?;
            return Ok((Plan::Patch(plan), written));
        }
    }
    let stale = list_files(target, Path::new(""))
        .into_iter()
        .filter(|p| {
            p.to_str()
                .is_none_or(|p| files.binary_search_by(|(rel, _)| (*rel).cmp(p)).is_err())
        })
        .count();
    let stage = sibling(target, &format!("staging-{tag}"));
    remove_if_exists(&stage)?;
    let plan = Plan::Stage {
        target: target.to_path_buf(),
        stage: stage.clone(),
    };
    match stage_dir(target, &stage, &files, &same) {
        Ok(()) => Ok((
            plan,
            Written {
                changed,
                unchanged,
                removed: stale,
            },
        )),
        Err(e) => {
            plan.discard();
            Err(e)
        }
    }
}

/// Write each changed file beside the one it replaces.
fn patch(
    target: &Path,
    files: &[(&str, &[u8])],
    same: &[bool],
    plain: &Plain,
    stale: Vec<PathBuf>,
    tag: u32,
) -> Result<Patch, Error> {
    let mut needed: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for (rel, _) in files {
        needed.extend(ancestors(rel));
    }
    let mut p = Patch {
        replace: Vec::new(),
        stale,
        created: Vec::new(),
        emptied: plain
            .dirs
            .iter()
            .rev()
            .filter(|d| !needed.contains(d.as_str()))
            .map(|d| target.join(d))
            .collect(),
    };
    let result = (|| {
        for ((rel, bytes), same) in files.iter().zip(same) {
            if *same {
                continue;
            }
            for a in ancestors(rel) {
                if !plain.dirs.contains(a) {
                    let d = target.join(a);
                    if !p.created.contains(&d) {
                        fs::create_dir(&d).map_err(|e| Error::io(&d, e))?;
                        p.created.push(d);
                    }
                }
            }
            let file = target.join(rel);
            let staged = sibling(&file, &format!("staging-{tag}"));
            fs::write(&staged, bytes).map_err(|e| Error::io(&staged, e))?;
            p.replace.push((file, staged));
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(p),
        Err(e) => {
            Plan::Patch(p).discard();
            Err(e)
        }
    }
}

/// Stage a whole folder: unchanged files hard-linked from the old tree,
/// the others written.
fn stage_dir(
    target: &Path,
    stage: &Path,
    files: &[(&str, &[u8])],
    same: &[bool],
) -> Result<(), Error> {
    use rayon::prelude::*;

    // Folders first, then the files in parallel: staging is most of regen's I/O.
    let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    dirs.insert(stage.to_path_buf());
    for (rel, _) in files {
        if let Some(parent) = stage.join(rel).parent() {
            dirs.insert(parent.to_path_buf());
        }
    }
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    files
        .par_iter()
        .zip(same)
        .try_for_each(|((rel, bytes), same)| {
            let old = target.join(rel);
            let new = stage.join(rel);
            if !(*same && fs::hard_link(&old, &new).is_ok()) {
                fs::write(&new, bytes).map_err(|e| Error::io(&new, e))?;
            }
            Ok(())
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

/// One step of putting the new trees in place, as needed to undo it.
enum Done {
    /// A staged folder renamed into place, the old one (if any) renamed aside.
    Swapped {
        target: PathBuf,
        old: Option<PathBuf>,
    },
    /// A file put in place, the old one (if any) renamed aside.
    Replaced { file: PathBuf, old: Option<PathBuf> },
    /// A stale file renamed aside.
    Removed { file: PathBuf, old: PathBuf },
}

/// Put every plan in place, then drop what they replace. A failed rename
/// puts back what was already moved.
fn apply_all(plans: &[Plan], tag: u32) -> Result<(), Error> {
    let mut done: Vec<Done> = Vec::new();
    for plan in plans {
        if let Err(e) = apply(plan, tag, &mut done) {
            rollback(&done);
            return Err(e);
        }
    }
    for d in done {
        match d {
            Done::Swapped { old: Some(old), .. } => {
                let _ = fs::remove_dir_all(old);
            }
            Done::Replaced { old: Some(old), .. } | Done::Removed { old, .. } => {
                let _ = fs::remove_file(old);
            }
            _ => {}
        }
    }
    for plan in plans {
        if let Plan::Patch(p) = plan {
            for d in &p.emptied {
                let _ = fs::remove_dir(d);
            }
        }
    }
    Ok(())
}

fn apply(plan: &Plan, tag: u32, done: &mut Vec<Done>) -> Result<(), Error> {
    let aside = format!("old-{tag}");
    match plan {
        Plan::Stage { target, stage } => {
            let old = sibling(target, &aside);
            let moved_old = if target.exists() {
                fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
                Some(old)
            } else {
                None
            };
            if let Err(e) = fs::rename(stage, target) {
                if let Some(old) = &moved_old {
                    let _ = fs::rename(old, target);
                }
                return Err(Error::io(target, e));
            }
            done.push(Done::Swapped {
                target: target.clone(),
                old: moved_old,
            });
        }
        Plan::Patch(p) => {
            for (file, staged) in &p.replace {
                let old = sibling(file, &aside);
                let moved_old = match fs::rename(file, &old) {
                    Ok(()) => Some(old),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                    Err(e) => return Err(Error::io(file, e)),
                };
                if let Err(e) = fs::rename(staged, file) {
                    if let Some(old) = &moved_old {
                        let _ = fs::rename(old, file);
                    }
                    return Err(Error::io(file, e));
                }
                done.push(Done::Replaced {
                    file: file.clone(),
                    old: moved_old,
                });
            }
            for file in &p.stale {
                let old = sibling(file, &aside);
                fs::rename(file, &old).map_err(|e| Error::io(file, e))?;
                done.push(Done::Removed {
                    file: file.clone(),
                    old,
                });
            }
        }
    }
    Ok(())
}

fn rollback(done: &[Done]) {
    for d in done.iter().rev() {
        match d {
            Done::Swapped { target, old } => {
                let _ = fs::remove_dir_all(target);
                if let Some(old) = old {
                    let _ = fs::rename(old, target);
                }
            }
            Done::Replaced { file, old } => match old {
                Some(old) => {
                    let _ = fs::rename(old, file);
                }
                None => {
                    let _ = fs::remove_file(file);
                }
            },
            Done::Removed { file, old } => {
                let _ = fs::rename(old, file);
            }
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
    #[cfg(unix)]
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

    /// Every file and folder below `root`, with the bytes of the files.
    fn tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
            for e in fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                if p.is_dir() {
                    out.insert(rel, None);
                    walk(root, &p, out);
                } else {
                    out.insert(rel, Some(fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(root, root, &mut out);
        out
    }

    /// Many files, to be staged rather than patched.
    fn many(dir: &str, n: usize, bytes: &str) -> Vec<(String, String)> {
        (0..n)
            .map(|i| (format!("{dir}/m/{i}"), bytes.to_string()))
            .collect()
    }

    #[test]
    fn patching_in_place_gives_the_tree_a_fresh_commit_gives() {
        let steps: Vec<Vec<(String, String)>> = vec![
            vec![("a/x", "1"), ("a/d/y", "1"), ("a/d/e/z", "1"), ("b/k", "1")],
            // A stale file empties two folders; a new one makes a folder.
            vec![("a/x", "2"), ("a/n/w", "1"), ("b/k", "1")],
            // A file where a folder was, and a folder where a file was.
            vec![("a/x/q", "1"), ("a/n", "2"), ("b/k", "1")],
            vec![("a/x", "3"), ("a/n/w", "3"), ("b/k", "2")],
        ]
        .into_iter()
        .map(|s| s.into_iter().map(|(p, b)| (p.into(), b.into())).collect())
        .chain([many("a", 200, "1"), many("a", 200, "2")])
        .chain([many("a", 200, "2")
            .into_iter()
            .map(|(p, b)| {
                if p == "a/m/7" {
                    (p, "3".into())
                } else {
                    (p, b)
                }
            })
            .collect()])
        .collect();
        let patched = tempfile::tempdir().unwrap();
        for (i, step) in steps.iter().enumerate() {
            let mut files = FileSet::new();
            for (p, b) in step {
                files.insert(p.clone(), b.as_bytes());
            }
            let w = commit(patched.path(), &["a", "b"], &files).unwrap();
            let fresh = tempfile::tempdir().unwrap();
            commit(fresh.path(), &["a", "b"], &files).unwrap();
            assert_eq!(tree(patched.path()), tree(fresh.path()), "step {i}");
            assert_eq!(w.changed + w.unchanged, files.len(), "step {i}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn patching_touches_only_the_changed_files() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let files: Vec<(String, String)> = many("a", 100, "1");
        let mut first = FileSet::new();
        for (p, b) in &files {
            first.insert(p.clone(), b.as_bytes());
        }
        commit(tmp.path(), &["a"], &first).unwrap();
        let root_ino = fs::metadata(tmp.path().join("a")).unwrap().ino();
        let kept_ino = fs::metadata(tmp.path().join("a/m/1")).unwrap().ino();
        let mut next = FileSet::new();
        for (p, b) in &files {
            next.insert(p.clone(), if p == "a/m/0" { "2" } else { b.as_str() });
        }
        let w = commit(tmp.path(), &["a"], &next).unwrap();
        assert_eq!((w.changed, w.unchanged, w.removed), (1, 99, 0));
        assert_eq!(read(tmp.path(), "a/m/0"), "2");
        // Patched in place: the folder itself and the other files stay.
        assert_eq!(fs::metadata(tmp.path().join("a")).unwrap().ino(), root_ino);
        assert_eq!(
            fs::metadata(tmp.path().join("a/m/1")).unwrap().ino(),
            kept_ino
        );
        assert_eq!(tree(tmp.path()).len(), 102, "nothing left beside the files");
    }

    #[test]
    fn a_failure_after_patching_puts_every_patched_file_back() {
        let tmp = tempfile::tempdir().unwrap();
        let first = set(&[("a/x", "1"), ("a/old", "0"), ("b/y", "1")]);
        commit(tmp.path(), &["a", "b"], &first).unwrap();
        let before = tree(tmp.path());
        // `a` is patched; `b` changes wholly and is staged, and its old tree
        // cannot be renamed aside: a non-empty folder is in the way.
        let mut next = set(&[("a/x", "2"), ("a/new/z", "1")]);
        for (p, b) in many("b", 100, "2") {
            next.insert(p, b.as_bytes());
        }
        let blocker = tmp.path().join(format!(".b.old-{}", std::process::id()));
        fs::create_dir_all(blocker.join("in-the-way")).unwrap();
        let e = commit(tmp.path(), &["a", "b"], &next).unwrap_err();
        assert_eq!(e.kind, crate::diag::Kind::Io, "{e}");
        fs::remove_dir_all(&blocker).unwrap();
        assert_eq!(tree(tmp.path()), before);
    }

    #[test]
    fn a_failure_while_patching_puts_the_folder_back() {
        let tmp = tempfile::tempdir().unwrap();
        commit(tmp.path(), &["a"], &set(&[("a/x", "1"), ("a/s", "0")])).unwrap();
        // The stale `a/s` cannot be renamed aside: a non-empty folder is in the way.
        let blocker = tmp.path().join(format!("a/.s.old-{}", std::process::id()));
        fs::create_dir_all(blocker.join("in-the-way")).unwrap();
        let before = tree(tmp.path());
        let e = commit(tmp.path(), &["a"], &set(&[("a/x", "2"), ("a/n/w", "1")])).unwrap_err();
        assert_eq!(e.kind, crate::diag::Kind::Io, "{e}");
        assert_eq!(tree(tmp.path()), before);
    }
}
