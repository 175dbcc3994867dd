//! `cargo xtask bench`: regen throughput at platform scale, measured against
//! a plain read of the same bytes in the same run: a full regen without the
//! cache, and `cargo xtask regen` as users run it with the regen cache
//! (cold, warm, and after one document changed).
//!
//! Each subset runs in a child process so its peak memory is its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use topgen::cache::{self, Cache};
use topgen::diff::Tree;
use topgen::pipeline;
use topgen::spec::Spec;
use topgen::{Error, output};

/// Figures of one subset, printed by the child as one line of `key=value`.
#[derive(Debug, Default)]
struct Figures {
    docs: usize,
    bytes: u64,
    read_s: f64,
    scrape_s: f64,
    codegen_s: f64,
    regen_s: f64,
    peak_mib: f64,
    /// Specs scraped; equals `docs` unless pages describe one API twice.
    specs: usize,
    /// Whether codegen succeeded; when not, `regen_s` is scrape plus specs/
    /// only and `codegen_s` is the time to the failure.
    codegen_ok: bool,
    /// `cargo xtask regen` with the cache (fingerprint, regen, the summary's
    /// diff, commit), in a copy of the subset: the cache empty, then nothing
    /// changed, then one document changed (with its CPU time). Measured only
    /// when codegen succeeds.
    cold_s: f64,
    warm_s: f64,
    one_s: f64,
    one_cpu_s: f64,
}

impl Figures {
    fn line(&self) -> String {
        format!(
            "docs={} bytes={} read_s={} scrape_s={} codegen_s={} regen_s={} peak_mib={} specs={} codegen_ok={} cold_s={} warm_s={} one_s={} one_cpu_s={}",
            self.docs,
            self.bytes,
            self.read_s,
            self.scrape_s,
            self.codegen_s,
            self.regen_s,
            self.peak_mib,
            self.specs,
            self.codegen_ok,
            self.cold_s,
            self.warm_s,
            self.one_s,
            self.one_cpu_s
        )
    }

    fn parse(line: &str) -> Option<Figures> {
        let mut f = Figures::default();
        for kv in line.split_whitespace() {
            let (k, v) = kv.split_once('=')?;
            match k {
                "docs" => f.docs = v.parse().ok()?,
                "bytes" => f.bytes = v.parse().ok()?,
                "read_s" => f.read_s = v.parse().ok()?,
                "scrape_s" => f.scrape_s = v.parse().ok()?,
                "codegen_s" => f.codegen_s = v.parse().ok()?,
                "regen_s" => f.regen_s = v.parse().ok()?,
                "peak_mib" => f.peak_mib = v.parse().ok()?,
                "specs" => f.specs = v.parse().ok()?,
                "codegen_ok" => f.codegen_ok = v.parse().ok()?,
                "cold_s" => f.cold_s = v.parse().ok()?,
                "warm_s" => f.warm_s = v.parse().ok()?,
                "one_s" => f.one_s = v.parse().ok()?,
                "one_cpu_s" => f.one_cpu_s = v.parse().ok()?,
                _ => {}
            }
        }
        Some(f)
    }
}

/// The first `limit` documents of the corpus, in a stable order.
fn subset(corpus: &Path, limit: usize) -> Result<Vec<PathBuf>, Error> {
    let mut pages = pipeline::collect_inputs(&[corpus.to_path_buf()])?;
    pages.truncate(limit);
    Ok(pages)
}

/// Peak resident memory of this process, from the kernel.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time of this process so far (user + system, all threads), from the
/// kernel: on a loaded machine it says more than the wall clock.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime are 14 and 15.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// One subset, measured in this process (the child side).
pub fn child(
    corpus: &Path,
    limit: usize,
    out: &Path,
    emit: &topgen::emit::Options,
) -> Result<(), Error> {
    let pages = subset(corpus, limit)?;
    let mut f = Figures {
        docs: pages.len(),
        ..Figures::default()
    };

    // Baseline: read the same bytes, nothing else; the first pass warms the page cache.
    let read_all = || -> Result<u64, Error> {
        pages.iter().try_fold(0, |n, p| {
            Ok(n + std::fs::read(p).map_err(|e| Error::io(p, e))?.len() as u64)
        })
    };
    read_all()?;
    let t = Instant::now();
    f.bytes = read_all()?;
    f.read_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let scraped = pipeline::scrape_all(corpus, &pages, &|| {})?;
    f.scrape_s = t.elapsed().as_secs_f64();
    f.specs = scraped.specs.len();

    let t = Instant::now();
    let generated = pipeline::codegen(&scraped.specs, emit);
    f.codegen_s = t.elapsed().as_secs_f64();
    f.codegen_ok = generated.is_ok();
    if let Err(e) = &generated {
        // Reported beside the figures; the run goes on with scrape-only regen.
        println!("codegen_error={e}");
    }
    drop(generated);
    drop(scraped);

    // End to end, as `cargo xtask regen --out` does it (specs only when
    // codegen fails).
    let t = Instant::now();
    if f.codegen_ok {
        let r = pipeline::regen(corpus, &pages, emit, &|| {})?;
        output::commit(out, &pipeline::REGEN_DIRS, &r.files)?;
    } else {
        let scraped = pipeline::scrape_all(corpus, &pages, &|| {})?;
        output::commit(
            out,
            &[pipeline::SPECS_DIR],
            &pipeline::spec_files(&scraped.specs),
        )?;
    }
    f.regen_s = t.elapsed().as_secs_f64();
    f.peak_mib = peak_mib();

    if f.codegen_ok {
        incremental(corpus, &pages, out, emit, &mut f)?;
    }
    println!("{}", f.line());
    Ok(())
}

/// `cargo xtask regen` as users run it, with the cache in a scratch folder:
/// time it cold, warm, and after one document of a copy of the subset changed.
fn incremental(
    corpus: &Path,
    pages: &[PathBuf],
    out: &Path,
    emit: &topgen::emit::Options,
    f: &mut Figures,
) -> Result<(), Error> {
    // A copy, so a document can change; shown paths stay as in the corpus.
    let copy = out.join(".bench-corpus");
    let _ = std::fs::remove_dir_all(&copy);
    let mut copied = Vec::with_capacity(pages.len());
    for p in pages {
        let rel = p.strip_prefix(corpus).unwrap_or(p);
        let to = copy.join(rel);
        let dir = to.parent().unwrap_or(&copy);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        std::fs::copy(p, &to).map_err(|e| Error::io(&to, e))?;
        let cat = p.with_file_name("catelog.json");
        if cat.is_file() {
            let _ = std::fs::copy(&cat, to.with_file_name("catelog.json"));
        }
        copied.push(to);
    }
    let cache_dir = out.join(".bench-cache");
    let _ = std::fs::remove_dir_all(&cache_dir);
    let target = out.join("regen");
    let run = || -> Result<(f64, f64), Error> {
        let (t, cpu) = (Instant::now(), cpu_s());
        let fingerprint = cache::exe_fingerprint(&cache_dir)
            .ok_or_else(|| Error::at(&cache_dir, None, "cannot fingerprint the executable"))?;
        let cache = Cache::open(&cache_dir, &fingerprint);
        let r = pipeline::regen_with(&copy, &copied, emit, Some(&cache), &|| {})?;
        let _summary = crate::diff::against_replaced(&target.join(pipeline::SPECS_DIR), &r, false);
        output::commit(&target, &pipeline::REGEN_DIRS, &r.files)?;
        Ok((t.elapsed().as_secs_f64(), cpu_s() - cpu))
    };
    f.cold_s = run()?.0;
    f.warm_s = run()?.0;
    let edited = &copied[copied.len() / 2];
    edit_document(edited)?;
    (f.one_s, f.one_cpu_s) = run()?;
    // Left for the parent to delete after every subset (see `run`).
    Ok(())
}

/// Change one document as an edit of the documentation would: a doc-center
/// JSON document gets another description, any other page a line more at its end.
fn edit_document(page: &Path) -> Result<(), Error> {
    let bytes = std::fs::read(page).map_err(|e| Error::io(page, e))?;
    let json = page.extension().is_some_and(|x| x == "json");
    let edited = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut doc) if json && doc.get("description").is_some_and(|d| d.is_string()) => {
            let d = doc["description"].as_str().unwrap_or_default().to_string();
            doc["description"] = serde_json::Value::String(format!("{d} (edited)"));
            serde_json::to_vec_pretty(&doc).map_err(|e| Error::at(page, None, e.to_string()))?
        }
        _ => {
            let mut b = bytes;
            b.extend_from_slice(b"\n");
            b
        }
    };
    std::fs::write(page, edited).map_err(|e| Error::io(page, e))
}

/// Run each subset in a child process and print one table.
pub fn run(corpus: &Path, scratch: &Path) -> Result<(), Error> {
    let total = pipeline::collect_inputs(&[corpus.to_path_buf()])?.len();
    let mut sizes: Vec<usize> = [100, 1000].into_iter().filter(|&n| n < total).collect();
    sizes.push(total);
    let exe = std::env::current_exe().map_err(|e| Error::at(corpus, None, e.to_string()))?;
    // `cargo xtask` builds the dev profile: the generator and its hot
    // dependencies optimized, the rest not.
    let profile = if env!("XTASK_PROFILE") == "release" {
        "release build"
    } else {
        "dev profile; `cargo run --release -p xtask -- bench` for release figures"
    };
    println!(
        "corpus: {} ({total} documents), {} threads, {profile}",
        corpus.display(),
        rayon::current_num_threads()
    );
    println!(
        "{:>6} {:>9} {:>9} {:>10} {:>9} {:>10} {:>9} {:>10}  regen covers",
        "docs", "docs/s", "APIs/s", "regen s", "read s", "regen/read", "peak MiB", "MiB/1k doc",
    );
    let mut failures = Vec::new();
    let mut diff_line = None;
    let mut cached_rows = Vec::new();
    // Deleted only at the end: on ext4, creating files within a minute of
    // deleting thousands costs seconds of system time (the kernel skips
    // recently freed inodes), which would land in the next subset's figures.
    let mut outputs = Vec::new();
    for n in sizes {
        let out = scratch.join(format!("bench-{n}"));
        outputs.push(out.clone());
        let child = Command::new(&exe)
            .args(["bench", "--child", &n.to_string(), "--out"])
            .arg(&out)
            .arg(corpus)
            .output()
            .map_err(|e| {
                Error::at(
                    corpus,
                    None,
                    format!("cannot start the benchmark child: {e}"),
                )
            })?;
        let stdout = String::from_utf8_lossy(&child.stdout);
        let f = stdout
            .lines()
            .filter(|l| l.starts_with("docs="))
            .find_map(Figures::parse)
            .ok_or_else(|| {
                Error::at(
                    corpus,
                    None,
                    format!(
                        "benchmark child failed: {}",
                        String::from_utf8_lossy(&child.stderr)
                    ),
                )
            })?;
        let covers = if f.codegen_ok {
            "scrape+codegen+write".to_string()
        } else {
            let why = stdout
                .lines()
                .find_map(|l| l.strip_prefix("codegen_error="))
                .unwrap_or("unknown error");
            failures.push(format!("{n} docs: codegen failed: {why}"));
            "scrape+specs only (codegen failed, see below)".to_string()
        };
        let apis_per_s = if f.codegen_ok {
            format!("{:.0}", f.specs as f64 / f.codegen_s)
        } else {
            "failed".to_string()
        };
        println!(
            "{:>6} {:>9.0} {:>9} {:>10.3} {:>9.4} {:>9.1}x {:>9.1} {:>10.1}  {}",
            f.docs,
            f.docs as f64 / f.scrape_s,
            apis_per_s,
            f.regen_s,
            f.read_s,
            f.regen_s / f.read_s,
            f.peak_mib,
            f.peak_mib * 1000.0 / f.docs as f64,
            covers,
        );
        if f.codegen_ok {
            cached_rows.push(format!(
                "{:>6} {:>10.3} {:>8.1}x {:>9.3} {:>9.3} {:>9.1}x {:>10.3} {:>9.1}x {:>8.2}",
                f.docs,
                f.regen_s,
                f.regen_s / f.read_s,
                f.cold_s,
                f.warm_s,
                f.warm_s / f.read_s,
                f.one_s,
                f.one_s / f.read_s,
                f.one_cpu_s,
            ));
        }
        if n == total {
            diff_line = Some(diff(&out.join(pipeline::SPECS_DIR), scratch)?);
        }
    }
    for out in outputs {
        let _ = std::fs::remove_dir_all(out);
    }
    if !cached_rows.is_empty() {
        println!(
            "`cargo xtask regen` with the regen cache: full regen (no cache) against the cache \
             empty, nothing changed, and one document changed; each against the read above"
        );
        println!(
            "{:>6} {:>10} {:>9} {:>9} {:>9} {:>10} {:>10} {:>10} {:>8}",
            "docs",
            "full s",
            "full/read",
            "cold s",
            "warm s",
            "warm/read",
            "one doc s",
            "one/read",
            "one CPU-s",
        );
        for row in &cached_rows {
            println!("{row}");
        }
    }
    for msg in &failures {
        println!("{msg}");
    }
    if let Some(line) = diff_line {
        println!("{line}");
    }
    Ok(())
}

/// `cargo xtask diff` of the full-corpus specs against an edited copy:
/// both trees read and validated, compared, and rendered as Markdown.
fn diff(specs: &Path, scratch: &Path) -> Result<String, Error> {
    let new = Tree::from_dir(specs)?;
    let old_dir = scratch.join("bench-diff-old");
    let edited = edited_copy(&new);
    output::commit(
        &old_dir,
        &[pipeline::SPECS_DIR],
        &pipeline::spec_files(&edited),
    )?;
    let old_specs = old_dir.join(pipeline::SPECS_DIR);
    let t = Instant::now();
    let cpu = cpu_s();
    let (old, new) = topgen::diff::open_pair(
        &old_specs.display().to_string(),
        &specs.display().to_string(),
        scratch,
    )?;
    let load_s = t.elapsed().as_secs_f64();
    let report = topgen::diff::compare(&old, &new)?;
    let markdown = topgen::diff::render::markdown(&report);
    let total_s = t.elapsed().as_secs_f64();
    let cpu = cpu_s() - cpu;
    let _ = std::fs::remove_dir_all(&old_dir);
    Ok(format!(
        "diff: {} against {} specs, {} APIs and {} changes ({} breaking), {} KiB of Markdown: {total_s:.3} s ({load_s:.3} s reading both trees), {cpu:.2} CPU-s",
        old.specs.len(),
        new.specs.len(),
        report.apis().len(),
        report.changes.len(),
        report.breaking().count(),
        markdown.len() / 1024,
    ))
}

/// The corpus as it might have been a year earlier: of every 100 APIs, 2 did
/// not exist yet, 5 lacked their last response field, 4 their last request
/// parameter, 4 had a required flag the other way and 3 a `String` where a
/// `Number` is now, and 5 had another description.
fn edited_copy(tree: &Tree) -> Vec<Spec> {
    let mut out = Vec::with_capacity(tree.specs.len());
    for (i, spec) in tree.specs.values().enumerate() {
        let mut s = spec.clone();
        match i % 100 {
            0 | 50 => continue,
            1..=5 => drop(s.response.pop()),
            6..=9 => drop(s.request.pop()),
            10..=13 => {
                if let Some(p) = s.request.first_mut() {
                    p.required = !p.required;
                }
            }
            14..=16 => {
                if let Some(p) = s.response.iter_mut().find(|p| p.ty == "Number") {
                    p.ty = "String".into();
                }
            }
            17..=21 => s.description.push_str(" (旧)"),
            _ => {}
        }
        out.push(s);
    }
    out
}
