//! The stages strung together, shared by `cargo xtask` and the freshness test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cache::{self, Cache};
use crate::diag::{Error, Kind, Warning, find_line};
use crate::emit;
use crate::output::FileSet;
use crate::scrape;
use crate::spec::{self, Spec, SpecFile};

pub use crate::layout::{GENERATED_DIR, PAGES_DIR, REGEN_DIRS, SPECS_DIR, TESTS_DIR};

/// Page files a folder contributes: text, HTML and JSON documents.
pub fn is_page(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(
        p.extension().and_then(|x| x.to_str()),
        Some("txt" | "html" | "htm" | "json")
    ) && name != "catelog.json"
}

/// Expand folders (recursively) into page files, sorted for a stable order.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
        for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let p = e.map_err(|e| Error::io(dir, e))?.path();
            if p.is_dir() {
                walk(&p, out)?;
            } else if is_page(&p) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out)?;
            out[before..].sort();
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(Error::at(p, None, "no such page or folder"));
        }
    }
    Ok(out)
}

/// The result of scraping a set of pages.
#[derive(Debug, Default)]
pub struct Scraped {
    pub specs: Vec<Spec>,
    pub warnings: Vec<Warning>,
}

/// Read one page; `base` is the folder its path is shown relative to.
pub fn scrape_one(base: &Path, page: &Path) -> Result<scrape::Scraped, Error> {
    let shown = page.strip_prefix(base).unwrap_or(page);
    let bytes = std::fs::read(page).map_err(|e| Error::io(shown, e))?;
    scrape::scrape_page(shown, &bytes, &context_for(page)?)
}

/// Scrape every page, in parallel; `base` is the folder paths are shown
/// relative to. Fails on the first bad page in input order, or when two pages
/// describe one API. `on_page` is called after each page, for progress display.
pub fn scrape_all(
    base: &Path,
    pages: &[PathBuf],
    on_page: &(dyn Fn() + Sync),
) -> Result<Scraped, Error> {
    Ok(scrape_all_with(base, pages, None, on_page)?.0)
}

/// [`scrape_all`] through `cache`, with the spec files' YAML of the pages
/// it read or found (by API).
fn scrape_all_with(
    base: &Path,
    pages: &[PathBuf],
    cache: Option<&Cache>,
    on_page: &(dyn Fn() + Sync),
) -> Result<(Scraped, BTreeMap<String, Vec<u8>>), Error> {
    let mut by_api: BTreeMap<String, Spec> = BTreeMap::new();
    let mut yaml = BTreeMap::new();
    let mut warnings = Vec::new();
    for result in scrape_each_with(base, pages, cache, on_page) {
        let (got, y) = result?;
        warnings.extend(got.warnings);
        if let Some(y) = y {
            yaml.insert(got.spec.api.clone(), y);
        }
        by_api.insert(got.spec.api.clone(), got.spec);
    }
    let scraped = Scraped {
        specs: by_api.into_values().collect(),
        warnings,
    };
    Ok((scraped, yaml))
}

/// Scrape every page, in parallel, past bad ones: each page's result, in
/// input order. A page for an API an earlier page already describes is an
/// error naming both.
pub fn scrape_each(
    base: &Path,
    pages: &[PathBuf],
    on_page: &(dyn Fn() + Sync),
) -> Vec<Result<scrape::Scraped, Error>> {
    scrape_each_with(base, pages, None, on_page)
        .into_iter()
        .map(|r| r.map(|(got, _)| got))
        .collect()
}

/// The context of the JSON documents of each folder, read once per folder.
type Contexts<'a> = std::collections::HashMap<&'a Path, Result<scrape::Context, Error>>;

fn contexts(pages: &[PathBuf]) -> Contexts<'_> {
    let mut out = Contexts::new();
    for page in pages {
        if let Some(dir) = page.parent()
            && page.extension().is_some_and(|x| x == "json")
            && !out.contains_key(dir)
        {
            out.insert(dir, context_for(page));
        }
    }
    out
}

/// A page read, with its spec file's YAML when the cache is in use.
type Page = (scrape::Scraped, Option<Vec<u8>>);

fn scrape_each_with(
    base: &Path,
    pages: &[PathBuf],
    cache: Option<&Cache>,
    on_page: &(dyn Fn() + Sync),
) -> Vec<Result<Page, Error>> {
    use rayon::prelude::*;
    let contexts = match cache {
        Some(_) => contexts(pages),
        None => Contexts::new(),
    };
    let results: Vec<_> = pages
        .par_iter()
        .map(|page| {
            let r = match cache {
                Some(cache) => {
                    scrape_cached(base, page, cache, &contexts).map(|(s, y)| (s, Some(y)))
                }
                None => scrape_one(base, page).map(|s| (s, None)),
            };
            on_page();
            r
        })
        .collect();
    // The first page of each API, and the category it puts the API in.
    let mut first_page: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    pages
        .iter()
        .zip(results)
        .map(|(page, result)| {
            let got = result?;
            let spec = &got.0.spec;
            let shown = page.strip_prefix(base).unwrap_or(page);
            if let Some(first) = first_page.get(&spec.api) {
                return Err(duplicate(page, shown, first, spec));
            }
            let first = (shown.to_path_buf(), spec.category.clone());
            first_page.insert(spec.api.clone(), first);
            Ok(got)
        })
        .collect()
}

/// A page's result as the cache keeps it: the spec file's YAML as the body.
#[derive(serde::Serialize, serde::Deserialize)]
struct PageMeta {
    spec: Spec,
    warnings: Vec<Warning>,
}

/// [`scrape_one`] through the cache, keyed by the whole [`scrape::PageInput`]
/// it reads. Also gives the spec file's YAML, kept in the same entry.
fn scrape_cached(
    base: &Path,
    page: &Path,
    cache: &Cache,
    contexts: &Contexts,
) -> Result<(scrape::Scraped, Vec<u8>), Error> {
    const KIND: &str = "page";
    let shown = page.strip_prefix(base).unwrap_or(page);
    let bytes = std::fs::read(page).map_err(|e| Error::io(shown, e))?;
    let context = match page.parent().and_then(|d| contexts.get(d)) {
        Some(ctx) if page.extension().is_some_and(|x| x == "json") => ctx.clone()?,
        _ => context_for(page)?,
    };
    let input = scrape::PageInput {
        file: shown,
        bytes: &bytes,
        context: &context,
    };
    let key = cache.key_of(KIND, &input);
    if let Some(hit) = key.and_then(|k| cache.get::<PageMeta>(KIND, &k)) {
        return Ok(hit.meta.with_yaml(hit.body));
    }
    let got = input.read()?;
    let entry = cache::Entry {
        body: got.spec.to_yaml().into_bytes(),
        meta: PageMeta {
            spec: got.spec,
            warnings: got.warnings,
        },
    };
    if let Some(key) = key {
        cache.put(KIND, &key, &entry);
    }
    Ok(entry.meta.with_yaml(entry.body))
}

impl PageMeta {
    fn with_yaml(self, yaml: Vec<u8>) -> (scrape::Scraped, Vec<u8>) {
        let scraped = scrape::Scraped {
            spec: self.spec,
            warnings: self.warnings,
        };
        (scraped, yaml)
    }
}

fn duplicate(
    page: &Path,
    shown: &Path,
    (first, category): &(PathBuf, String),
    spec: &Spec,
) -> Error {
    let api = &spec.api;
    // The first line of the page that names the API: its title line on a doc
    // page, its `"name"` line in a JSON document.
    let line = std::fs::read(page)
        .ok()
        .and_then(|text| find_line(&String::from_utf8_lossy(&text), api));
    let message = if *category == spec.category {
        format!(
            "{api} is already described by {}; keep one page per API",
            first.display()
        )
    } else {
        // Its module would be in two crates of the family.
        format!(
            "{api} is put in category `{}` here and in `{category}` by {}; keep one page per API",
            spec.category,
            first.display()
        )
    };
    Error::at(shown, line, message).with_kind(Kind::DuplicateApi)
}

/// A JSON document takes its category and the category's package name from
/// the `catelog.json` beside it.
pub fn context_for(page: &Path) -> Result<scrape::Context, Error> {
    let mut ctx = scrape::Context::default();
    if page.extension().is_some_and(|x| x == "json") {
        let cat = page.with_file_name("catelog.json");
        if let Ok(text) = std::fs::read_to_string(&cat) {
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Error::at(&cat, Some(e.line()), format!("not a category file: {e}"))
            })?;
            ctx.category = v["name"]
                .as_str()
                .map(|n| n.trim().trim_end_matches(',').to_string());
            ctx.package = v["pkg"].as_str().map(|p| p.trim().to_string());
        }
    }
    Ok(ctx)
}

/// The `specs/` folder for a set of specs, with its JSON Schema.
pub fn spec_files(specs: &[Spec]) -> FileSet {
    spec_files_with(specs, BTreeMap::new())
}

/// [`spec_files`], taking each spec's YAML from `yaml` (by API) where it is.
fn spec_files_with(specs: &[Spec], mut yaml: BTreeMap<String, Vec<u8>>) -> FileSet {
    use rayon::prelude::*;
    let taken: Vec<Option<Vec<u8>>> = specs.iter().map(|s| yaml.remove(&s.api)).collect();
    // Without the cache, every spec is written: in parallel.
    let texts: Vec<Vec<u8>> = specs
        .par_iter()
        .zip(taken)
        .map(|(s, text)| text.unwrap_or_else(|| s.to_yaml().into_bytes()))
        .collect();
    let mut files = FileSet::new();
    files.insert(format!("{SPECS_DIR}/spec.schema.json"), spec::json_schema());
    for (s, text) in specs.iter().zip(texts) {
        files.insert(crate::layout::spec_path(&s.api), text);
    }
    files
}

/// Read the specs of a folder back, as codegen does.
pub fn read_specs(dir: &Path) -> Result<Vec<Spec>, Error> {
    spec::read_dir(dir)
}

/// Read the specs of a folder back, each with its file.
pub fn read_spec_files(dir: &Path) -> Result<Vec<SpecFile>, Error> {
    spec::read_dir_files(dir)
}

/// Codegen for a set of specs.
pub fn codegen(specs: &[Spec], options: &emit::Options) -> Result<emit::Generated, Error> {
    emit::generate(specs, options)
}

/// Codegen for specs read from files; messages name the file read.
pub fn codegen_read(specs: &[SpecFile], options: &emit::Options) -> Result<emit::Generated, Error> {
    emit::generate_read(specs, options)
}

/// Everything `cargo xtask regen` writes, built in memory.
#[derive(Debug, Default)]
pub struct Regen {
    pub files: FileSet,
    pub pages: usize,
    pub specs: usize,
    pub warnings: Vec<Warning>,
    /// The specs written, to compare with those they replace.
    pub scraped: Vec<Spec>,
}

/// Scrape `pages` and generate code from the specs, without touching the disk.
pub fn regen(
    base: &Path,
    pages: &[PathBuf],
    options: &emit::Options,
    on_page: &(dyn Fn() + Sync),
) -> Result<Regen, Error> {
    regen_with(base, pages, options, None, on_page)
}

/// [`regen`] through `cache` when given: pages and APIs whose inputs did
/// not change since an earlier run take their results (and warnings) from
/// it. The result is the same as without the cache, byte for byte.
pub fn regen_with(
    base: &Path,
    pages: &[PathBuf],
    options: &emit::Options,
    cache: Option<&Cache>,
    on_page: &(dyn Fn() + Sync),
) -> Result<Regen, Error> {
    let (scraped, yaml) = scrape_all_with(base, pages, cache, on_page)?;
    // Each spec's YAML says all it does: every spec written reads back as itself.
    let specs: Vec<emit::SpecRef> = scraped
        .specs
        .iter()
        .map(|spec| emit::SpecRef {
            spec,
            digest: yaml.get(&spec.api).map(|y| cache::digest(y)),
        })
        .collect();
    // The specs' YAML fills the gaps between the emitter's parallel steps.
    let (generated, mut files) = rayon::join(
        || emit::generate_with(&specs, options, cache),
        || spec_files_with(&scraped.specs, yaml),
    );
    let generated = generated?;
    files.extend(generated.files);
    let mut warnings = scraped.warnings;
    warnings.extend(generated.warnings);
    Ok(Regen {
        files,
        pages: pages.len(),
        specs: scraped.specs.len(),
        warnings,
        scraped: scraped.specs,
    })
}
