//! `cargo xtask`: the project's commands. `cargo xtask --help` lists them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// The allocator of every command (see `Cargo.toml` for why).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod diff;
mod fetch;
mod platform;
mod times;

use topgen::cache::{self, Cache};
use topgen::emit;
use topgen::output;
use topgen::pipeline::{self, GENERATED_DIR, PAGES_DIR, SPECS_DIR, TESTS_DIR};
use topgen::{Error, Warning};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Turn TOP doc pages into specs and Rust bindings"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read doc pages (text, HTML, JSON) and write one YAML spec per API to specs/
    Scrape(ScrapeArgs),
    /// Generate the family of bindings crates (generated/) and its example tests from specs/
    Codegen(CodegenArgs),
    /// Scrape, then codegen, swapped in together only when both succeed
    Regen(RegenArgs),
    /// Fail with a diff when the checked-in specs/ or generated/ are stale
    Check,
    /// Generate a whole doc-center corpus into a scratch folder and `cargo check` it
    Platform(PlatformArgs),
    /// Measure regen at platform scale: 100, 1 000 and all documents of a corpus
    Bench(BenchArgs),
    /// Report the API changes between two spec trees: a folder or a git revision each
    Diff(DiffArgs),
    /// Download the doc center's catalogue and documents into a corpus folder
    Fetch(FetchArgs),
    /// Fetch, regen from the corpus, print the API changes as Markdown; exit 0 when
    /// the corpus did not change, 1 when it did, 2 on an error
    Sync(SyncArgs),
}

#[derive(Args)]
struct DocCenterArgs {
    /// The doc center's address (a mirror, or a local one for tests)
    #[arg(long, value_name = "URL", default_value = fetch::DOC_CENTER)]
    doc_center: String,
    /// Fetch only this category: its name (`采购宝API`) or its folder (`caigoubao`); repeatable
    #[arg(long = "category", value_name = "NAME|PKG")]
    categories: Vec<String>,
    /// Fetch only this API (`taobao.pc.order.detail`); repeatable
    #[arg(long = "api", value_name = "METHOD")]
    apis: Vec<String>,
    /// Documents fetched at once
    #[arg(long, value_name = "N", default_value_t = 4)]
    jobs: usize,
    /// Seconds a request may take before it is retried
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Retries of a request after a 429, a 5xx, a reset or a timeout
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,
    /// Write the corpus even when some documents failed (they keep their old files)
    #[arg(long)]
    keep_going: bool,
    /// Fetch every document anew instead of resuming an unfinished run
    #[arg(long)]
    restart: bool,
}

impl DocCenterArgs {
    fn options(&self, out: PathBuf) -> Result<fetch::Options, Error> {
        // Not NaN, negative, infinite, too large for a Duration, nor so
        // small it rounds to no time at all.
        let Some(timeout) = std::time::Duration::try_from_secs_f64(self.timeout)
            .ok()
            .filter(|d| !d.is_zero())
        else {
            return Err(Error::at(
                Path::new("--timeout"),
                None,
                "give a number of seconds above 0",
            ));
        };
        Ok(fetch::Options {
            doc_center: self.doc_center.clone(),
            out,
            categories: self.categories.clone(),
            apis: self.apis.clone(),
            jobs: self.jobs,
            timeout,
            retries: self.retries,
            keep_going: self.keep_going,
            restart: self.restart,
        })
    }
}

#[derive(Args)]
struct FetchArgs {
    /// The corpus folder to write; default: top-docs/ in this repository
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    doc_center: DocCenterArgs,
}

#[derive(Args)]
struct SyncArgs {
    /// Root to regen into; default: target/sync in this repository
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The corpus folder to fetch into and regen from; default: top-docs/ in this repository
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
    #[command(flatten)]
    doc_center: DocCenterArgs,
    /// Redo every page and API instead of taking unchanged ones from the regen cache
    #[arg(long)]
    no_cache: bool,
}

#[derive(Args)]
struct DiffArgs {
    /// The old specs: a folder of specs, or a git revision (`HEAD~1`, `main`) whose specs/ is read
    #[arg(value_name = "OLD")]
    old: String,
    /// The new specs, in the same forms; default: specs/ of this repository
    #[arg(value_name = "NEW")]
    new: Option<String>,
    /// `markdown` for a pull request, `json` for tools
    #[arg(long, value_enum, default_value = "markdown")]
    format: diff::Format,
    /// Exit 1 when a change breaks users of the generated crate
    #[arg(long)]
    deny_breaking: bool,
}

#[derive(Args)]
struct BenchArgs {
    /// Scratch root for the output; default: target/bench in this repository
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Measure one subset of this many documents and print its figures (used internally)
    #[arg(long, hide = true)]
    child: Option<usize>,
    /// The corpus; default: ../shared/top-docs beside the repository, else the test fixtures
    #[arg(value_name = "CORPUS_DIR")]
    corpus: Option<PathBuf>,
}

#[derive(Args)]
struct PlatformArgs {
    /// Scratch root to generate into; default: target/platform in this repository
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Skip `cargo check` of the generated crate
    #[arg(long)]
    no_check: bool,
    /// The corpus: one folder per category, `catelog.json` and one JSON document per API
    #[arg(value_name = "CORPUS_DIR")]
    corpus: PathBuf,
}

#[derive(Args)]
struct OutArg {
    /// Root to write under (specs/, generated/, tests/ land there); default: this repository
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct ScrapeArgs {
    #[command(flatten)]
    out: OutArg,
    /// Pages or folders of pages; default: the embedded pages in pages/
    #[arg(value_name = "PAGE_OR_FOLDER")]
    inputs: Vec<PathBuf>,
}

#[derive(Args)]
struct RegenArgs {
    #[command(flatten)]
    scrape: ScrapeArgs,
    /// Redo every page and API instead of taking unchanged ones from the
    /// cache in target/regen-cache
    #[arg(long)]
    no_cache: bool,
}

#[derive(Args)]
struct CodegenArgs {
    #[command(flatten)]
    out: OutArg,
    /// Folder of specs to read; default: specs/ under the output root
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
}

fn main() -> ExitCode {
    // Started by cargo as a rustc wrapper (see `times`): no xtask command line.
    if let Some(code) = times::wrapper() {
        std::process::exit(code);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scrape(a) => scrape(a),
        Command::Codegen(a) => codegen(a),
        Command::Regen(a) => regen(a),
        Command::Check => check(),
        Command::Platform(a) => platform(a),
        Command::Bench(a) => bench(a),
        Command::Diff(a) => {
            let repo = repo_root();
            let new = a
                .new
                .unwrap_or_else(|| repo.join(SPECS_DIR).display().to_string());
            diff::run(&repo, &a.old, &new, a.format, a.deny_breaking)
        }
        Command::Fetch(a) => fetch(a),
        Command::Sync(a) => return sync(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root: xtask lives one folder below it.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_path_buf()
}

fn out_root(arg: &OutArg) -> PathBuf {
    arg.out.clone().unwrap_or_else(repo_root)
}

/// Codegen options for an output root: the generated crates must find the
/// runtime, and outside this repository they are a workspace of their own.
fn emit_options(out: &Path) -> emit::Options {
    let repo = repo_root();
    let same = out.canonicalize().ok() == repo.canonicalize().ok();
    let runtime_path = if same {
        "../runtime".to_string()
    } else {
        repo.join("runtime")
            .canonicalize()
            .unwrap_or(repo.join("runtime"))
            .display()
            .to_string()
    };
    emit::Options {
        runtime_path,
        standalone: !same,
    }
}

/// Counts for the closing summary line.
struct Summary {
    pages: usize,
    specs: usize,
    apis: usize,
    warnings: Vec<Warning>,
}

impl Summary {
    fn print(&self, what: &str) {
        self.print_with(what, "");
    }

    /// The summary line with `tail` appended.
    fn print_with(&self, what: &str, tail: &str) {
        self.warn();
        println!("{}", self.line(what, tail));
    }

    fn warn(&self) {
        for w in &self.warnings {
            eprintln!("{w}");
        }
    }

    fn line(&self, what: &str, tail: &str) -> String {
        format!(
            "{what}: {} pages read, {} specs written, {} APIs generated, {} warnings{tail}",
            self.pages,
            self.specs,
            self.apis,
            self.warnings.len()
        )
    }
}

/// The pages to read: the arguments, or the embedded pages.
fn pages(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let inputs = if inputs.is_empty() {
        vec![repo_root().join(PAGES_DIR)]
    } else {
        inputs.to_vec()
    };
    let pages = pipeline::collect_inputs(&inputs)?;
    if pages.is_empty() {
        return Err(Error::at(
            &inputs[0],
            None,
            "no pages (.txt, .html, .json) found here",
        ));
    }
    Ok(pages)
}

/// Paths are shown relative to the repository for its own pages, else to the working folder.
fn display_base(pages: &[PathBuf]) -> PathBuf {
    let repo = repo_root();
    if pages.iter().all(|p| p.starts_with(&repo)) {
        repo
    } else {
        std::env::current_dir().unwrap_or(repo)
    }
}

pub(crate) fn progress(len: u64, what: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}

fn scrape(a: ScrapeArgs) -> Result<(), Error> {
    let pages = pages(&a.inputs)?;
    let bar = progress(pages.len() as u64, "scraping");
    let scraped = pipeline::scrape_all(&display_base(&pages), &pages, &|| bar.inc(1))?;
    bar.finish_and_clear();
    output::commit(
        &out_root(&a.out),
        &[SPECS_DIR],
        &pipeline::spec_files(&scraped.specs),
    )?;
    Summary {
        pages: pages.len(),
        specs: scraped.specs.len(),
        apis: 0,
        warnings: scraped.warnings,
    }
    .print("scrape");
    Ok(())
}

fn codegen(a: CodegenArgs) -> Result<(), Error> {
    let out = out_root(&a.out);
    let specs_dir = a.specs.clone().unwrap_or_else(|| out.join(SPECS_DIR));
    let specs = pipeline::read_spec_files(&specs_dir)?;
    let generated = pipeline::codegen_read(&specs, &emit_options(&out))?;
    output::commit(&out, &[GENERATED_DIR, TESTS_DIR], &generated.files)?;
    Summary {
        pages: 0,
        specs: 0,
        apis: specs.len(),
        warnings: generated.warnings,
    }
    .print("codegen");
    Ok(())
}

/// Fingerprint folders of older generator builds kept in the cache.
const CACHE_KEEP: usize = 2;

/// The regen cache in cargo's target folder, for this build of the
/// generator; `None` when turned off or when the generator cannot
/// fingerprint itself.
pub(crate) fn regen_cache(enabled: bool) -> Option<Cache> {
    if !enabled {
        return None;
    }
    let dir = cache::default_dir(&repo_root());
    let fingerprint = cache::exe_fingerprint(&dir)?;
    let cache = Cache::open(&dir, &fingerprint);
    cache.prune(CACHE_KEEP);
    Some(cache)
}

fn regen_in_memory(
    inputs: &[PathBuf],
    out: &Path,
    cache: Option<&Cache>,
) -> Result<pipeline::Regen, Error> {
    let pages = pages(inputs)?;
    let bar = progress(pages.len() as u64, "regen");
    let regen = pipeline::regen_with(
        &display_base(&pages),
        &pages,
        &emit_options(out),
        cache,
        &|| bar.inc(1),
    )?;
    bar.finish_and_clear();
    Ok(regen)
}

fn regen(a: RegenArgs) -> Result<(), Error> {
    let RegenArgs {
        scrape: a,
        no_cache,
    } = a;
    let out = out_root(&a.out);
    let cache = regen_cache(!no_cache);
    let r = regen_in_memory(&a.inputs, &out, cache.as_ref())?;
    let changes = diff::against_replaced(&out.join(SPECS_DIR), &r, out == repo_root());
    output::commit(&out, &pipeline::REGEN_DIRS, &r.files)?;
    Summary {
        pages: r.pages,
        specs: r.specs,
        apis: r.specs,
        warnings: r.warnings,
    }
    .print_with("regen", &changes);
    Ok(())
}

fn check() -> Result<(), Error> {
    let repo = repo_root();
    // The cache only saves work: what is compared is the files on disk.
    let cache = regen_cache(true);
    let r = regen_in_memory(&[], &repo, cache.as_ref())?;
    let stale = topgen::freshness::stale_files(&repo, &pipeline::REGEN_DIRS, &r.files);
    if stale.is_empty() {
        println!("check: specs/, generated/ and {TESTS_DIR}/ are fresh");
        return Ok(());
    }
    for s in &stale {
        eprintln!("{s}");
    }
    Err(Error::at(
        &repo,
        None,
        format!(
            "{} files are stale; run `cargo xtask regen` and commit the result",
            stale.len()
        ),
    ))
}

fn platform(a: PlatformArgs) -> Result<(), Error> {
    let out = a.out.unwrap_or_else(|| repo_root().join("target/platform"));
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let options = emit_options(&out);
    if platform::run(&a.corpus, &out, &options, !a.no_check)? {
        Ok(())
    } else {
        Err(Error::at(
            &a.corpus,
            None,
            "not every document was generated and checked; see above",
        ))
    }
}

fn bench(a: BenchArgs) -> Result<(), Error> {
    let repo = repo_root();
    let corpus = a.corpus.unwrap_or_else(|| {
        let shared = repo.join("../shared/top-docs");
        if shared.is_dir() {
            shared
        } else {
            repo.join("generator/tests/fixtures/top-docs")
        }
    });
    let out = a.out.unwrap_or_else(|| repo.join("target/bench"));
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    match a.child {
        Some(n) => {
            let options = emit_options(&out);
            bench::child(&corpus, n, &out, &options)
        }
        None => bench::run(&corpus, &out),
    }
}

/// The corpus folder of `fetch` and `sync` when none is given.
const CORPUS_DIR: &str = "top-docs";

fn fetch(a: FetchArgs) -> Result<(), Error> {
    let out = a.out.unwrap_or_else(|| repo_root().join(CORPUS_DIR));
    // Failures without --keep-going are an error of `run`; with it, each
    // was reported and the summary counts them.
    let (fetched, _) = fetch::run(&a.doc_center.options(out)?)?;
    println!("{}", fetched.line());
    Ok(())
}

/// `sync`'s exit statuses, as `diff(1)`'s: same, different, trouble.
const SYNC_UNCHANGED: u8 = 0;
const SYNC_CHANGED: u8 = 1;
const SYNC_ERROR: u8 = 2;

fn sync(a: SyncArgs) -> ExitCode {
    match sync_run(a) {
        Ok(true) => ExitCode::from(SYNC_CHANGED),
        Ok(false) => ExitCode::from(SYNC_UNCHANGED),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(SYNC_ERROR)
        }
    }
}

/// Fetch, regen, print the report of the specs of the corpus before
/// against those after; whether the corpus changed. When the regen, the
/// report or writing the regen fails, the previous corpus is put back.
/// Summaries go to stderr, so stdout is the report alone.
fn sync_run(a: SyncArgs) -> Result<bool, Error> {
    let repo = repo_root();
    let out = a.out.unwrap_or_else(|| repo.join("target/sync"));
    let corpus = a.corpus.unwrap_or_else(|| repo.join(CORPUS_DIR));
    let before = corpus_specs(&corpus);
    let (fetched, previous) = fetch::run(&a.doc_center.options(corpus.clone())?)?;
    eprintln!("{}", fetched.line());
    let cache = regen_cache(!a.no_cache);
    // A corpus whose regen is not written to `out` is not kept: the next
    // run sees the change again.
    let regen = || -> Result<_, Error> {
        let r = regen_in_memory(&[corpus], &out, cache.as_ref())?;
        let report = topgen::diff::compare(
            &topgen::diff::Tree::from_specs("before", &before),
            &topgen::diff::Tree::from_specs("after", &r.scraped),
        )?;
        output::commit(&out, &pipeline::REGEN_DIRS, &r.files)?;
        Ok((r, report))
    };
    let (r, report) = match regen() {
        Ok(done) => done,
        Err(e) => {
            previous.restore()?;
            return Err(e);
        }
    };
    let summary = Summary {
        pages: r.pages,
        specs: r.specs,
        apis: r.specs,
        warnings: r.warnings,
    };
    summary.warn();
    eprintln!(
        "{}",
        summary.line("regen", &format!("; {}", report.headline()))
    );
    print!("{}", topgen::diff::render::markdown(&report));
    Ok(fetched.changed_corpus())
}

/// The specs of the corpus about to be replaced; none when it is missing,
/// or (with a note) when it does not read.
fn corpus_specs(corpus: &Path) -> Vec<topgen::spec::Spec> {
    if !corpus.is_dir() {
        return Vec::new();
    }
    let read = pipeline::collect_inputs(&[corpus.to_path_buf()])
        .and_then(|pages| pipeline::scrape_all(&display_base(&pages), &pages, &|| {}));
    match read {
        Ok(scraped) => scraped.specs,
        Err(e) => {
            eprintln!(
                "note: the corpus being replaced does not read ({e}); every API is reported as new"
            );
            Vec::new()
        }
    }
}
