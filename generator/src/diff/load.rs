//! A spec tree to compare: a folder of specs, or `specs/` of a git revision,
//! each spec read and validated by the spec model.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::diag::Error;
use crate::emit::family::Family;
use crate::layout::{self, SPECS_DIR};
use crate::spec::Spec;

/// The specs of one side of a comparison, by API name.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// The folder or revision, for messages.
    pub label: String,
    pub specs: BTreeMap<String, Spec>,
    /// The file each spec was read from (`HEAD:specs/x.yaml` for a revision).
    pub files: BTreeMap<String, PathBuf>,
}

/// The files of a tree as read, before parsing: (shown path, bytes), by file name.
struct Raw {
    label: String,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Raw {
    fn open(arg: &str, repo: &Path) -> Result<Raw, Error> {
        let dir = Path::new(arg);
        if dir.is_dir() {
            Raw::dir(dir)
        } else {
            Raw::rev(repo, arg)
        }
    }

    /// Every `*.yaml` of a folder (or of its `specs/` folder when it has none itself).
    fn dir(dir: &Path) -> Result<Raw, Error> {
        let mut paths = yaml_files(dir)?;
        let mut root = dir.to_path_buf();
        if paths.is_empty() && dir.join(SPECS_DIR).is_dir() {
            root = dir.join(SPECS_DIR);
            paths = yaml_files(&root)?;
        }
        if paths.is_empty() {
            return Err(Error::at(
                dir,
                None,
                "no specs (*.yaml) in this folder; pass a folder of specs or a git revision",
            ));
        }
        Raw::files(&root, paths)
    }

    /// The files at `paths`, read in parallel; `root` is the label.
    fn files(root: &Path, paths: Vec<PathBuf>) -> Result<Raw, Error> {
        use rayon::prelude::*;
        let bytes = paths
            .par_iter()
            .map(|p| std::fs::read(p).map_err(|e| Error::io(p, e)))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Raw {
            label: root.display().to_string(),
            files: paths.into_iter().zip(bytes).collect(),
        })
    }

    /// `specs/*.yaml` of a revision of the git repository at `repo`.
    fn rev(repo: &Path, rev: &str) -> Result<Raw, Error> {
        let commit = git(
            repo,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .ok()
        .filter(|out| !out.trim().is_empty())
        .ok_or_else(|| {
            Error::at(
                repo,
                None,
                format!(
                    "`{rev}` is neither a folder nor a revision of this git repository; \
                     pass a folder of specs or a revision such as `HEAD~1` or `main`"
                ),
            )
        })?;
        let listing = git(
            repo,
            &[
                "ls-tree",
                "-z",
                commit.trim(),
                "--",
                &format!("{SPECS_DIR}/"),
            ],
        )?;
        let blobs: Vec<(&str, &str)> = listing
            .split('\0')
            .filter_map(|entry| {
                let (meta, path) = entry.split_once('\t')?;
                let mut meta = meta.split(' ');
                let (_, kind, id) = (meta.next()?, meta.next()?, meta.next()?);
                (kind == "blob" && path.ends_with(layout::SPEC_SUFFIX)).then_some((id, path))
            })
            .collect();
        if blobs.is_empty() {
            return Err(Error::at(
                repo,
                None,
                format!("revision `{rev}` has no specs (*.yaml) in {SPECS_DIR}/"),
            ));
        }
        let ids: Vec<&str> = blobs.iter().map(|(id, _)| *id).collect();
        let contents = cat_blobs(repo, &ids)?;
        let files = blobs
            .iter()
            .map(|(_, path)| PathBuf::from(format!("{rev}:{path}")))
            .zip(contents)
            .collect();
        Ok(Raw {
            label: rev.to_string(),
            files,
        })
    }
}

/// Both sides of a comparison. A file of NEW with the bytes of OLD's file of
/// that name is parsed once: most specs of a real change are untouched.
pub fn open_pair(old: &str, new: &str, repo: &Path) -> Result<(Tree, Tree), Error> {
    let old = Raw::open(old, repo)?;
    let new = Raw::open(new, repo)?;
    let old_specs = parse(&old.files, &Known::new())?;
    let known: Known = old
        .files
        .iter()
        .zip(&old_specs)
        .filter_map(|((path, bytes), spec)| Some((path.file_name()?, (bytes.as_slice(), spec))))
        .collect();
    let new_specs = parse(&new.files, &known)?;
    drop(known);
    Ok((Tree::build(old, old_specs)?, Tree::build(new, new_specs)?))
}

/// What a regen's specs change against those in `dir` they replace, as
/// [`compare`](super::compare) of [`Tree::replaced`] and
/// [`Tree::from_specs`] reports it; `files` are the bytes of the new specs'
/// files, by file name. A file with the bytes of the new spec's file is that
/// spec (every spec written reads back as itself) and so unchanged: it is
/// neither parsed nor compared, and counts only in naming the categories.
pub fn replaced_changes<'a>(
    dir: &Path,
    specs: &[Spec],
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<super::Report, Error> {
    use rayon::prelude::*;
    let paths = if dir.is_dir() {
        yaml_files(dir)?
    } else {
        Vec::new()
    };
    if paths.is_empty() {
        return super::compare(&Tree::default(), &Tree::from_specs("regen", specs));
    }
    let by_api: HashMap<&str, &Spec> = specs.iter().map(|s| (s.api.as_str(), s)).collect();
    let known: HashMap<&str, (&[u8], &Spec)> = files
        .into_iter()
        .filter_map(|(name, bytes)| Some((name, (bytes, *by_api.get(layout::spec_api(name)?)?))))
        .collect();
    let raw = Raw::files(dir, paths)?;
    // Each old file: the new spec it is byte for byte, or its own spec.
    // The first error in file order wins, before two files of one API.
    let read: Vec<Result<&Spec, Spec>> = raw
        .files
        .par_iter()
        .map(|(path, bytes)| {
            let name = path.file_name().and_then(OsStr::to_str);
            match name.and_then(|n| known.get(n)) {
                Some((b, spec)) if *b == bytes.as_slice() => Ok(Ok(*spec)),
                _ => parse_one(path, bytes).map(Err),
            }
        })
        .collect::<Result<_, Error>>()?;
    let mut old = Tree {
        label: raw.label.clone(),
        ..Tree::default()
    };
    let mut old_all: BTreeMap<&str, &Spec> = BTreeMap::new();
    let mut same = std::collections::HashSet::new();
    let mut first_file: HashMap<String, &Path> = HashMap::new();
    let mut parsed = Vec::new();
    for ((path, _), r) in raw.files.iter().zip(read) {
        let api = match &r {
            Ok(spec) => spec.api.clone(),
            Err(spec) => spec.api.clone(),
        };
        if let Some(first) = first_file.get(&api) {
            return Err(already(path, &api, first));
        }
        first_file.insert(api, path);
        match r {
            Ok(spec) => {
                same.insert(spec.api.as_str());
                old_all.insert(&spec.api, spec);
            }
            Err(spec) => parsed.push((path.clone(), spec)),
        }
    }
    for (path, spec) in parsed {
        old.files.insert(spec.api.clone(), path);
        old.specs.insert(spec.api.clone(), spec);
    }
    old_all.extend(old.specs.values().map(|s| (s.api.as_str(), s)));
    // Shared types are decided over whole categories: every spec counts.
    let all_old: Vec<&Spec> = old_all.into_values().collect();
    let all_new: Vec<&Spec> = specs.iter().collect();
    let families = (
        Family::of_specs(all_old.iter().copied()),
        Family::of_specs(specs),
    );
    let changed: Vec<Spec> = specs
        .iter()
        .filter(|s| !same.contains(s.api.as_str()))
        .cloned()
        .collect();
    super::compare::compare_in(
        &old,
        &Tree::from_specs("regen", &changed),
        &families,
        (&all_old, &all_new),
    )
}

/// Specs already parsed, by file name, with the bytes they were parsed from.
type Known<'a> = HashMap<&'a OsStr, (&'a [u8], &'a Spec)>;

/// Parse and validate every file in parallel; the first error in file order wins.
fn parse(files: &[(PathBuf, Vec<u8>)], known: &Known) -> Result<Vec<Spec>, Error> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|(path, bytes)| {
            let same = path
                .file_name()
                .and_then(|n| known.get(n))
                .filter(|(b, _)| *b == bytes.as_slice());
            if let Some((_, spec)) = same {
                return Ok((*spec).clone());
            }
            parse_one(path, bytes)
        })
        .collect()
}

/// Parse and validate one spec file.
fn parse_one(path: &Path, bytes: &[u8]) -> Result<Spec, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::at(path, None, format!("not UTF-8 ({e}); a spec is UTF-8 YAML")))?;
    Spec::from_yaml(path, text)
}

/// Two files of one API.
fn already(path: &Path, api: &str, first: &Path) -> Error {
    Error::at(
        path,
        None,
        format!(
            "{api} is already described by {}; keep one spec per API",
            first.display()
        ),
    )
}

impl Tree {
    /// A folder when `arg` is one, else a revision of the git repository at `repo`.
    pub fn open(arg: &str, repo: &Path) -> Result<Tree, Error> {
        Tree::read(Raw::open(arg, repo)?)
    }

    /// Every `*.yaml` spec of a folder (or of its `specs/` folder when it has none itself).
    pub fn from_dir(dir: &Path) -> Result<Tree, Error> {
        Tree::read(Raw::dir(dir)?)
    }

    /// `specs/` of a revision of the git repository at `repo`.
    pub fn from_rev(repo: &Path, rev: &str) -> Result<Tree, Error> {
        Tree::read(Raw::rev(repo, rev)?)
    }

    /// The specs a regen replaces in `dir`: none when it is missing or holds none.
    pub fn replaced(dir: &Path) -> Result<Tree, Error> {
        if !dir.is_dir() || yaml_files(dir)?.is_empty() {
            return Ok(Tree::default());
        }
        Tree::from_dir(dir)
    }

    /// Specs already in memory, such as those a regen just scraped.
    pub fn from_specs(label: &str, specs: &[Spec]) -> Tree {
        let mut tree = Tree {
            label: label.to_string(),
            ..Tree::default()
        };
        for s in specs {
            let file = layout::spec_file(&s.api);
            tree.files.insert(s.api.clone(), file);
            tree.specs.insert(s.api.clone(), s.clone());
        }
        tree
    }

    fn read(raw: Raw) -> Result<Tree, Error> {
        let specs = parse(&raw.files, &Known::new())?;
        Tree::build(raw, specs)
    }

    /// Index parsed specs by API; two files of one API are an error.
    fn build(raw: Raw, specs: Vec<Spec>) -> Result<Tree, Error> {
        let mut tree = Tree {
            label: raw.label,
            ..Tree::default()
        };
        for ((path, _), spec) in raw.files.into_iter().zip(specs) {
            if let Some(first) = tree.files.get(&spec.api) {
                return Err(already(&path, &spec.api, first));
            }
            tree.files.insert(spec.api.clone(), path);
            tree.specs.insert(spec.api.clone(), spec);
        }
        Ok(tree)
    }
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(Result::ok)
        .filter(|e| {
            // A link is followed, as `Path::is_file` does.
            let kind = e.file_type();
            kind.as_ref().is_ok_and(|k| k.is_file())
                || kind.is_ok_and(|k| k.is_symlink()) && e.path().is_file()
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Run git in `repo` and return its standard output.
fn git(repo: &Path, args: &[&str]) -> Result<String, Error> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|e| Error::at(repo, None, format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::at(
            repo,
            None,
            format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    String::from_utf8(out.stdout)
        .map_err(|e| Error::at(repo, None, format!("git wrote no UTF-8: {e}")))
}

/// The contents of many blobs through one `git cat-file --batch`.
fn cat_blobs(repo: &Path, ids: &[&str]) -> Result<Vec<Vec<u8>>, Error> {
    let fail = |msg: String| Error::at(repo, None, format!("git cat-file: {msg}"));
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("cannot run git: {e}")))?;
    let mut stdin = child.stdin.take().ok_or_else(|| fail("no stdin".into()))?;
    let request: String = ids.iter().map(|id| format!("{id}\n")).collect();
    // Written from a thread: git answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(
        child
            .stdout
            .take()
            .ok_or_else(|| fail("no stdout".into()))?,
    );
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|e| fail(e.to_string()))?;
        let size: usize = header
            .trim_end()
            .strip_prefix(&format!("{id} blob "))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                fail(format!(
                    "unexpected answer `{}` for {id}",
                    header.trim_end()
                ))
            })?;
        let mut body = vec![0; size + 1];
        reader
            .read_exact(&mut body)
            .map_err(|e| fail(e.to_string()))?;
        body.pop();
        out.push(body);
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(out)
}
