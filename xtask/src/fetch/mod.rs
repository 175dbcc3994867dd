//! `cargo xtask fetch`: the doc center's catalogue and documents into a
//! corpus folder, in the layout the JSON page reader reads: one folder per
//! category with its `catelog.json` (`name`, `pkg`, `id`) and one
//! `<api with _ for .>.json` per API, holding the document as the doc center
//! sent it.
//!
//! - Names: a category keeps the folder and `pkg` it has in the corpus
//!   being replaced (found by the catalogue's id, else by name); a new one
//!   is named by the generator's rule ([`naming::category_slug`]) and that
//!   name is written as its `pkg`, so it stays when the rule changes.
//! - Atomic: the new corpus is built in memory and swapped in by
//!   [`output::commit`]; a failure before leaves the old one as it was.
//! - Resumable: each document fetched is also kept in a journal beside the
//!   corpus (`.<name>.fetch-partial/`) until the corpus is swapped in, so a
//!   run after an interrupted or failed one asks only for what is missing.
//!   The doc center gives no modification time, so a run after a complete
//!   one asks for every document again and rewrites only those that changed.

mod answer;
mod client;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use topgen::Error;
use topgen::naming::{self, Features};
use topgen::output::{self, FileSet};

use answer::{Api, Category};
use client::{CATALOGUE, DOCUMENT, DocCenter, Policy};

/// A document as sent, or why it did not arrive.
type Body = Result<Vec<u8>, String>;

/// The doc center's public address.
pub const DOC_CENTER: &str = "https://open.taobao.com";
/// The category file of each corpus folder.
const CATEGORY_FILE: &str = "catelog.json";

/// What to fetch, from where, into where.
pub struct Options {
    pub doc_center: String,
    pub out: PathBuf,
    /// Category names or folder names; empty: every category.
    pub categories: Vec<String>,
    /// API method names; empty: every API of the chosen categories.
    pub apis: Vec<String>,
    pub jobs: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub keep_going: bool,
    /// Drop the journal of an unfinished run instead of resuming it.
    pub restart: bool,
}

/// What a fetch did, for its summary line.
#[derive(Debug, Default)]
pub struct Fetched {
    pub categories: usize,
    pub documents: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Documents taken from the journal of an unfinished run.
    pub resumed: usize,
    /// (API, reason) of each document that did not arrive.
    pub failed: Vec<(String, String)>,
    /// What swapping the corpus in wrote: every file, `catelog.json`s too.
    pub written: output::Written,
}

impl Fetched {
    /// Whether the corpus on disk changed: any file written or removed,
    /// a category's `catelog.json` (a category renamed) as much as a document.
    pub fn changed_corpus(&self) -> bool {
        self.written.changed + self.written.removed > 0
    }

    pub fn line(&self) -> String {
        let resumed = if self.resumed > 0 {
            format!(", {} resumed", self.resumed)
        } else {
            String::new()
        };
        format!(
            "fetch: {} categories, {} documents ({} new, {} changed, {} unchanged, {} removed{resumed}), {} failed",
            self.categories,
            self.documents,
            self.new,
            self.changed,
            self.unchanged,
            self.removed,
            self.failed.len()
        )
    }
}

/// The corpus a fetch replaced, to put back when what follows fails.
pub struct Previous {
    out: PathBuf,
    /// `None` when there was no corpus folder.
    files: Option<BTreeMap<String, Vec<u8>>>,
}

impl Previous {
    pub fn restore(self) -> Result<(), Error> {
        match self.files {
            Some(files) => commit(&self.out, &files).map(drop),
            None => match std::fs::remove_dir_all(&self.out) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&self.out, e)),
                _ => Ok(()),
            },
        }
    }
}

/// Fetch, then swap the new corpus in.
pub fn run(o: &Options) -> Result<(Fetched, Previous), Error> {
    let out = absolute(&o.out)?;
    let old = Corpus::read(&out)?;
    let policy = Policy {
        timeout: o.timeout,
        retries: o.retries,
    };
    let session = DocCenter::connect(&o.doc_center, policy)
        .map_err(|why| Error::at(Path::new(&client::page_url(&o.doc_center)), None, why))?;
    let catalogue = fetch_catalogue(&session)?;
    let plan = plan(&catalogue, &old, &o.categories, &o.apis)?;
    let journal = Journal::open(&out, o.restart)?;
    let jobs: Vec<(&Planned, &Api)> = plan
        .iter()
        .flat_map(|p| p.apis.iter().map(move |a| (p, a)))
        .collect();
    let (bodies, resumed) = download(&session, &jobs, o.jobs, &journal);
    let mut fetched = Fetched {
        categories: plan.len(),
        documents: jobs.len(),
        resumed,
        ..Fetched::default()
    };
    fetched.failed = failures(&session.base, &jobs, &bodies);
    if !fetched.failed.is_empty() && !o.keep_going {
        return Err(Error::at(
            &out,
            None,
            format!(
                "{} of {} documents failed (above); the corpus is unchanged. Run again to \
                 fetch only what is missing (the rest is kept in {}), or pass --keep-going \
                 to write the corpus without them",
                fetched.failed.len(),
                jobs.len(),
                journal.dir.display()
            ),
        ));
    }
    let whole = o.categories.is_empty() && o.apis.is_empty();
    let files = assemble(&old, &plan, &jobs, &bodies, whole, &mut fetched);
    fetched.written = commit(&out, &files)?;
    journal.finish();
    let previous = Previous {
        files: old.existed.then_some(old.files),
        out,
    };
    Ok((fetched, previous))
}

/// (API, reason) of each document that did not arrive, each shown on stderr.
fn failures(base: &str, jobs: &[(&Planned, &Api)], bodies: &[Body]) -> Vec<(String, String)> {
    let mut failed = Vec::new();
    for ((_, api), body) in jobs.iter().zip(bodies) {
        if let Err(why) = body {
            let url = DOCUMENT.shown(base, &doc_query(api));
            eprintln!("error: {}: {url}: {why}", api.name);
            failed.push((api.name.clone(), why.clone()));
        }
    }
    failed
}

/// `path`, absolute, so its folder has a parent to stage beside.
fn absolute(path: &Path) -> Result<PathBuf, Error> {
    let abs = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    if abs.parent().is_none() {
        return Err(Error::at(
            path,
            None,
            "give a folder below the root to fetch into",
        ));
    }
    Ok(abs)
}

fn fetch_catalogue(session: &DocCenter) -> Result<Vec<Category>, Error> {
    let shown = CATALOGUE.shown(&session.base, "");
    let fail = |why: String| {
        Error::at(
            Path::new(&shown),
            None,
            format!("{}: {why}", CATALOGUE.name()),
        )
    };
    let body = session.get(CATALOGUE, "").map_err(fail)?;
    answer::catalogue(&body).map_err(fail)
}

/// The corpus being replaced: every file, and each category folder's
/// `catelog.json`.
#[derive(Default)]
struct Corpus {
    existed: bool,
    files: BTreeMap<String, Vec<u8>>,
    folders: BTreeMap<String, Known>,
}

/// A category folder's `catelog.json`.
#[derive(Default)]
struct Known {
    id: Option<String>,
    name: Option<String>,
    pkg: Option<String>,
}

impl Corpus {
    fn read(dir: &Path) -> Result<Corpus, Error> {
        let mut corpus = Corpus {
            existed: dir.is_dir(),
            ..Corpus::default()
        };
        if corpus.existed {
            not_a_corpus(dir)?;
            corpus.walk(dir, "")?;
        }
        let categories: Vec<(String, Known)> = corpus
            .files
            .iter()
            .filter_map(|(rel, bytes)| {
                let folder = rel.strip_suffix(&format!("/{CATEGORY_FILE}"))?;
                (!folder.contains('/')).then(|| (folder.to_string(), known(bytes)))
            })
            .collect();
        corpus.folders.extend(categories);
        Ok(corpus)
    }

    fn walk(&mut self, dir: &Path, prefix: &str) -> Result<(), Error> {
        for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let e = e.map_err(|e| Error::io(dir, e))?;
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if path.is_dir() {
                self.walk(&path, &rel)?;
            } else {
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                self.files.insert(rel, bytes);
            }
        }
        Ok(())
    }
}

/// Refuse a folder that is not a corpus (every subfolder a category with
/// its `catelog.json`): the swap would replace all of it.
fn not_a_corpus(dir: &Path) -> Result<(), Error> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = e.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() && !path.join(CATEGORY_FILE).is_file() {
            return Err(Error::at(
                &path,
                None,
                format!(
                    "a folder without a `{CATEGORY_FILE}`: this is not a doc-center corpus; \
                     fetch into a corpus folder or a new one"
                ),
            ));
        }
    }
    Ok(())
}

/// What a `catelog.json` says, as far as it can be read.
fn known(bytes: &[u8]) -> Known {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    let text = |key: &str| match &v[key] {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    Known {
        id: text("id"),
        name: text("name"),
        pkg: text("pkg"),
    }
}

/// One category to fetch: its folder, its `catelog.json`, its chosen APIs.
struct Planned {
    folder: String,
    catelog: Vec<u8>,
    apis: Vec<Api>,
    /// Every API of the category is fetched, so the folder is replaced whole.
    whole: bool,
}

/// Folders for the catalogue's categories, and what the filters choose.
fn plan(
    catalogue: &[Category],
    old: &Corpus,
    categories: &[String],
    apis: &[String],
) -> Result<Vec<Planned>, Error> {
    let folders = folder_names(catalogue, old);
    let mut chosen = Vec::new();
    let mut seen_category = BTreeSet::new();
    let mut seen_api = BTreeSet::new();
    for (c, (folder, pkg)) in catalogue.iter().zip(folders) {
        // Every filter naming the category is seen, by its name or its folder.
        let mut picked = false;
        for f in categories.iter().filter(|f| **f == c.name || **f == folder) {
            seen_category.insert(f.as_str());
            picked = true;
        }
        if !categories.is_empty() && !picked {
            continue;
        }
        let wanted: Vec<Api> = c
            .apis
            .iter()
            .filter(|a| apis.is_empty() || apis.contains(&a.name))
            .inspect(|a| {
                seen_api.insert(a.name.as_str());
            })
            .cloned()
            .collect();
        if !apis.is_empty() && wanted.is_empty() {
            continue;
        }
        chosen.push(Planned {
            catelog: catelog_json(
                c,
                pkg.as_deref(),
                old.files.get(&format!("{folder}/{CATEGORY_FILE}")),
            ),
            folder,
            whole: apis.is_empty(),
            apis: wanted,
        });
    }
    let unknown: Vec<&str> = categories
        .iter()
        .map(String::as_str)
        .filter(|f| !seen_category.contains(f))
        .chain(
            apis.iter()
                .map(String::as_str)
                .filter(|a| !seen_api.contains(a)),
        )
        .collect();
    if !unknown.is_empty() {
        return Err(Error::at(
            Path::new(CATALOGUE.name()),
            None,
            format!(
                "the catalogue has no category or API {}; name a category by its name or its \
                 folder, an API by its method name",
                unknown.join(", ")
            ),
        ));
    }
    Ok(chosen)
}

/// Each category's folder and `pkg`: as in the old corpus (by id, then
/// by name, each old folder for one category only), else by the
/// generator's naming rule, unique among all folders.
fn folder_names(catalogue: &[Category], old: &Corpus) -> Vec<(String, Option<String>)> {
    let mut names: Vec<Option<(String, Option<String>)>> = vec![None; catalogue.len()];
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    let same_id = |c: &Category, k: &Known| k.id.as_deref() == Some(c.id.as_str());
    let same_name = |c: &Category, k: &Known| k.name.as_deref() == Some(c.name.as_str());
    for same in [&same_id as &dyn Fn(&Category, &Known) -> bool, &same_name] {
        for (c, name) in catalogue.iter().zip(names.iter_mut()) {
            if name.is_some() {
                continue;
            }
            let found = old
                .folders
                .iter()
                .find(|(f, k)| !claimed.contains(f.as_str()) && same(c, k));
            if let Some((folder, k)) = found {
                claimed.insert(folder);
                *name = Some((folder.clone(), k.pkg.clone()));
            }
        }
    }
    let mut taken: BTreeSet<String> = old.folders.keys().cloned().collect();
    let overrides = Features::builtin();
    catalogue
        .iter()
        .zip(names)
        .map(|(c, name)| {
            name.unwrap_or_else(|| {
                let category = naming::Category {
                    name: c.name.clone(),
                    package: None,
                };
                let (slug, _, _) = naming::category_slug(&category, &overrides);
                let mut folder = slug.clone();
                let mut n = 2;
                while taken.contains(&folder) {
                    folder = format!("{slug}-{n}");
                    n += 1;
                }
                taken.insert(folder.clone());
                (folder.clone(), Some(folder))
            })
        })
        .collect()
}

/// A category's `catelog.json` in the corpus's form; the old file's bytes
/// when it says the same.
fn catelog_json(c: &Category, pkg: Option<&str>, old: Option<&Vec<u8>>) -> Vec<u8> {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let pkg = pkg
        .map(|p| format!("\n  \"pkg\": {},", quote(p)))
        .unwrap_or_default();
    let text = format!(
        "{{\n  \"name\": {},{pkg}\n  \"id\": {}\n}}",
        quote(&c.name),
        c.id
    );
    let same = |old: &Vec<u8>| {
        let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).ok();
        parse(old).is_some() && parse(old) == parse(text.as_bytes())
    };
    match old {
        Some(old) if same(old) => old.clone(),
        _ => text.into_bytes(),
    }
}

/// Documents of unfinished runs, kept beside the corpus until it is swapped in.
struct Journal {
    dir: PathBuf,
}

impl Journal {
    fn open(out: &Path, restart: bool) -> Result<Journal, Error> {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let dir = out.with_file_name(format!(".{name}.fetch-partial"));
        if restart && dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(Journal { dir })
    }

    fn path(&self, folder: &str, api: &Api) -> PathBuf {
        self.dir.join(folder).join(api.file_name())
    }

    fn get(&self, folder: &str, api: &Api) -> Option<Vec<u8>> {
        std::fs::read(self.path(folder, api)).ok()
    }

    /// Keep a document; a journal that cannot be written only costs a refetch.
    fn put(&self, folder: &str, api: &Api, bytes: &[u8]) {
        let path = self.path(folder, api);
        let part = path.with_extension("part");
        let _ = std::fs::create_dir_all(self.dir.join(folder))
            .and_then(|()| std::fs::write(&part, bytes))
            .and_then(|()| std::fs::rename(&part, &path));
    }

    fn finish(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every job's document, by a few workers; the count taken from the journal.
fn download(
    session: &DocCenter,
    jobs: &[(&Planned, &Api)],
    workers: usize,
    journal: &Journal,
) -> (Vec<Body>, usize) {
    let bar = crate::progress(jobs.len() as u64, "fetching");
    let next = AtomicUsize::new(0);
    let resumed = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Body>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, jobs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((planned, api)) = jobs.get(i) else {
                        break;
                    };
                    let result = match journal.get(&planned.folder, api) {
                        Some(bytes) => {
                            resumed.fetch_add(1, Ordering::Relaxed);
                            Ok(bytes)
                        }
                        None => fetch_document(session, api).inspect(|bytes| {
                            journal.put(&planned.folder, api, bytes);
                        }),
                    };
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let bodies = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not fetched".to_string())))
        .collect();
    (bodies, resumed.into_inner())
}

/// The query a document is asked by, as sent and as shown in errors.
fn doc_query(api: &Api) -> String {
    format!("docId={}", client::query_escape(&api.id))
}

fn fetch_document(session: &DocCenter, api: &Api) -> Body {
    let body = session.get(DOCUMENT, &doc_query(api))?;
    answer::document(&body, &api.name).map_err(|why| format!("{}: {why}", DOCUMENT.name()))
}

/// The new corpus: the old one, with each planned category's folder (or
/// chosen documents) replaced; with no filter, folders of categories the
/// catalogue no longer has go. A document that failed keeps its old file.
fn assemble(
    old: &Corpus,
    plan: &[Planned],
    jobs: &[(&Planned, &Api)],
    bodies: &[Body],
    whole: bool,
    fetched: &mut Fetched,
) -> BTreeMap<String, Vec<u8>> {
    let planned: BTreeSet<&str> = plan.iter().map(|p| p.folder.as_str()).collect();
    let replaced = |rel: &str| {
        let folder = rel.split_once('/').map(|(f, _)| f);
        folder.is_some_and(|f| {
            let category = old.folders.contains_key(f);
            (planned.contains(f) && plan.iter().any(|p| p.folder == f && p.whole))
                || (whole && category && !planned.contains(f))
        })
    };
    let mut files: BTreeMap<String, Vec<u8>> = old
        .files
        .iter()
        .filter(|(rel, _)| !replaced(rel))
        .map(|(r, b)| (r.clone(), b.clone()))
        .collect();
    for p in plan {
        files.insert(format!("{}/{CATEGORY_FILE}", p.folder), p.catelog.clone());
    }
    for ((p, api), body) in jobs.iter().zip(bodies) {
        let rel = format!("{}/{}", p.folder, api.file_name());
        let before = old.files.get(&rel);
        match (body, before) {
            (Ok(b), None) => {
                fetched.new += 1;
                files.insert(rel, b.clone());
            }
            (Ok(b), Some(old)) => {
                if b == old {
                    fetched.unchanged += 1;
                } else {
                    fetched.changed += 1;
                }
                files.insert(rel, b.clone());
            }
            (Err(_), Some(old)) => {
                files.insert(rel, old.clone());
            }
            (Err(_), None) => {}
        }
    }
    fetched.removed = old
        .files
        .keys()
        .filter(|rel| !files.contains_key(*rel) && !rel.ends_with(CATEGORY_FILE))
        .count();
    files
}

/// Swap the new corpus in as the folder `out`; what that wrote.
fn commit(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<output::Written, Error> {
    let (Some(root), Some(name)) = (out.parent(), out.file_name().and_then(|n| n.to_str())) else {
        return Err(Error::at(out, None, "not a folder name to fetch into"));
    };
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let mut set = FileSet::new();
    for (rel, bytes) in files {
        set.insert(format!("{name}/{rel}"), bytes.clone());
    }
    output::commit(root, &[name], &set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: &str, name: &str) -> Category {
        Category {
            id: id.to_string(),
            name: name.to_string(),
            apis: Vec::new(),
        }
    }

    fn corpus(folders: &[(&str, &str, &str)]) -> Corpus {
        let mut c = Corpus::default();
        for (folder, id, name) in folders {
            let known = Known {
                id: Some(id.to_string()),
                name: Some(name.to_string()),
                pkg: Some(folder.to_string()),
            };
            c.folders.insert(folder.to_string(), known);
        }
        c
    }

    #[test]
    fn a_document_is_asked_and_shown_by_its_escaped_id() {
        let api = |id: &str| Api {
            name: "taobao.pc.order.detail".to_string(),
            id: id.to_string(),
        };
        assert_eq!(doc_query(&api("21055")), "docId=21055");
        assert_eq!(doc_query(&api("1 2&x")), "docId=1%202%26x");
    }

    #[test]
    fn folders_come_from_the_old_corpus_by_id_then_name_once_each_else_the_rule() {
        let old = corpus(&[("pc", "1", "采购宝API"), ("renamed", "2", "旧名")]);
        let catalogue = [
            category("9", "采购宝API"),
            category("1", "采购宝API"),
            category("2", "新名"),
            category("3", "奇门仓储API"),
            category("4", "pc"),
        ];
        let names: Vec<String> = folder_names(&catalogue, &old)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(names, ["caigoubao", "pc", "renamed", "qimen", "pc-2"]);
    }
}
