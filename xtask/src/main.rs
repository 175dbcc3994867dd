//! `cargo xtask`: the project's commands. `cargo xtask --help` lists them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use topgen::emit;
use topgen::output::{self, FileSet};
use topgen::pipeline::{self, GENERATED_DIR, PAGES_DIR, SPECS_DIR, TESTS_DIR};
use topgen::{Error, Warning};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Turn TOP doc pages into specs and Rust bindings")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read doc pages (text, HTML, JSON) and write one YAML spec per API to specs/
    Scrape(ScrapeArgs),
    /// Generate the bindings crate (generated/) and its example tests from specs/
    Codegen(CodegenArgs),
    /// Scrape, then codegen, swapped in together only when both succeed
    Regen(ScrapeArgs),
    /// Fail with a diff when the checked-in specs/ or generated/ are stale
    Check,
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
struct CodegenArgs {
    #[command(flatten)]
    out: OutArg,
    /// Folder of specs to read; default: specs/ under the output root
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scrape(a) => scrape(a),
        Command::Codegen(a) => codegen(a),
        Command::Regen(a) => regen(a),
        Command::Check => check(),
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
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the repository").to_path_buf()
}

fn out_root(arg: &OutArg) -> PathBuf {
    arg.out.clone().unwrap_or_else(repo_root)
}

/// Codegen options for an output root: the generated crate must find the runtime.
fn emit_options(out: &Path) -> emit::Options {
    let repo = repo_root();
    let same = out.canonicalize().ok() == repo.canonicalize().ok();
    let runtime_path = if same {
        "../runtime".to_string()
    } else {
        repo.join("runtime").canonicalize().unwrap_or(repo.join("runtime")).display().to_string()
    };
    emit::Options { runtime_path }
}

/// Counts for the closing summary line.
#[derive(Default)]
struct Summary {
    pages: usize,
    specs: usize,
    apis: usize,
    warnings: Vec<Warning>,
}

impl Summary {
    fn print(&self, what: &str) {
        for w in &self.warnings {
            eprintln!("{w}");
        }
        println!(
            "{what}: {} pages read, {} specs written, {} APIs generated, {} warnings",
            self.pages,
            self.specs,
            self.apis,
            self.warnings.len()
        );
    }
}

fn scrape_inputs(inputs: &[PathBuf], summary: &mut Summary) -> Result<Vec<topgen::spec::Spec>, Error> {
    let repo = repo_root();
    let inputs = if inputs.is_empty() { vec![repo.join(PAGES_DIR)] } else { inputs.to_vec() };
    let pages = pipeline::collect_inputs(&inputs)?;
    if pages.is_empty() {
        return Err(Error::at(&inputs[0], None, "no pages (.txt, .html, .json) found here"));
    }
    let bar = progress(pages.len() as u64, "scraping");
    let base = std::env::current_dir().unwrap_or(repo.clone());
    let base = if pages.iter().all(|p| p.starts_with(&repo)) { repo } else { base };
    let mut specs = Vec::new();
    // Pages one by one, so the bar moves; duplicates are caught across all of them.
    for chunk in pages.chunks(64) {
        let got = pipeline::scrape_all(&base, chunk)?;
        bar.inc(chunk.len() as u64);
        specs.extend(got.specs);
        summary.warnings.extend(got.warnings);
    }
    bar.finish_and_clear();
    specs.sort_by(|a, b| a.api.cmp(&b.api));
    if let Some(w) = specs.windows(2).find(|w| w[0].api == w[1].api) {
        return Err(Error::at(Path::new(&w[1].source), None, format!("{} is described by two pages; keep one", w[1].api)));
    }
    summary.pages = pages.len();
    summary.specs = specs.len();
    Ok(specs)
}

fn progress(len: u64, what: &'static str) -> indicatif::ProgressBar {
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
    let mut summary = Summary::default();
    let specs = scrape_inputs(&a.inputs, &mut summary)?;
    output::commit(&out_root(&a.out), &[SPECS_DIR], &pipeline::spec_files(&specs))?;
    summary.print("scrape");
    Ok(())
}

fn codegen(a: CodegenArgs) -> Result<(), Error> {
    let out = out_root(&a.out);
    let specs_dir = a.specs.clone().unwrap_or_else(|| out.join(SPECS_DIR));
    let specs = pipeline::read_specs(&specs_dir)?;
    let mut summary = Summary { specs: 0, apis: specs.len(), ..Summary::default() };
    let generated = pipeline::codegen(&specs, &emit_options(&out))?;
    summary.warnings.extend(generated.warnings);
    output::commit(&out, &[GENERATED_DIR, TESTS_DIR], &generated.files)?;
    summary.print("codegen");
    Ok(())
}

fn regen_files(inputs: &[PathBuf], out: &Path, summary: &mut Summary) -> Result<FileSet, Error> {
    let specs = scrape_inputs(inputs, summary)?;
    let generated = pipeline::codegen(&specs, &emit_options(out))?;
    summary.apis = specs.len();
    summary.warnings.extend(generated.warnings);
    let mut files = pipeline::spec_files(&specs);
    files.extend(generated.files);
    Ok(files)
}

fn regen(a: ScrapeArgs) -> Result<(), Error> {
    let out = out_root(&a.out);
    let mut summary = Summary::default();
    let files = regen_files(&a.inputs, &out, &mut summary)?;
    output::commit(&out, &[SPECS_DIR, GENERATED_DIR, TESTS_DIR], &files)?;
    summary.print("regen");
    Ok(())
}

fn check() -> Result<(), Error> {
    let repo = repo_root();
    let mut summary = Summary::default();
    let files = regen_files(&[], &repo, &mut summary)?;
    let stale = topgen::freshness::stale_files(&repo, &[SPECS_DIR, GENERATED_DIR, TESTS_DIR], &files);
    if stale.is_empty() {
        println!("check: specs/, generated/ and {TESTS_DIR}/ are fresh");
        return Ok(());
    }
    for s in &stale {
        eprintln!("{s}");
    }
    Err(Error::at(&repo, None, format!("{} files are stale; run `cargo xtask regen` and commit the result", stale.len())))
}
