//! Wall time, CPU time and peak memory of every rustc a `cargo check` runs.
//!
//! The xtask binary is its own `RUSTC_WRAPPER`: with [`LOG_ENV`] naming a log
//! file, cargo starts it as `xtask <path-to-rustc> <args…>`, and it runs
//! rustc with the same arguments and the same standard streams, exits with
//! rustc's status, and appends one line to the log:
//! `crate<TAB>wall_s<TAB>cpu_s<TAB>peak_rss_kb`. CPU (user + sys) and peak
//! resident memory come from `getrusage(RUSAGE_CHILDREN)` once rustc has
//! exited: the wrapper has no other child, so they are rustc's own (with
//! whatever rustc itself waited for). On systems without `getrusage` only the
//! wall time is measured and the other two are written as 0.
//!
//! Reading the log and laying out the figures are the pure functions
//! [`parse_log`], [`report`] and [`tsv`].

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Environment variable naming the log file; set, it makes the binary a rustc wrapper.
pub const LOG_ENV: &str = "TOPGEN_RUSTC_TIMES";

/// Crates whose names start with this are generated ones.
const GENERATED_PREFIX: &str = "top_api";

/// How many of the generated crates the printed table shows.
const LARGEST: usize = 10;

/// One rustc run as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `--crate-name` of the run.
    pub krate: String,
    pub wall_s: f64,
    /// User + system CPU time.
    pub cpu_s: f64,
    /// Peak resident set size, in kB.
    pub rss_kb: u64,
}

/// When started as a rustc wrapper, run rustc and return the exit code to
/// leave with; `None` when this is an ordinary xtask command line.
pub fn wrapper() -> Option<i32> {
    let log = std::env::var_os(LOG_ENV);
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let (rustc, rest) = wrapped(log.as_deref(), &args)?;
    Some(wrap(Path::new(log.as_deref()?), rustc, rest))
}

/// The rustc program and its arguments, when the log variable is set and the
/// first argument names a rustc (`rustc`, `/path/to/rustc`, `rustc.exe`):
/// an xtask subcommand never does, so a log variable left set in a shell does
/// not turn `cargo xtask platform` into a wrapper.
fn wrapped<'a>(log: Option<&OsStr>, args: &'a [OsString]) -> Option<(&'a OsStr, &'a [OsString])> {
    if log.is_none_or(OsStr::is_empty) {
        return None;
    }
    let (first, rest) = args.split_first()?;
    let is_rustc = Path::new(first).file_stem().is_some_and(|s| s == "rustc");
    is_rustc.then_some((first.as_os_str(), rest))
}

/// Run rustc, log the run, and return rustc's exit code.
fn wrap(log: &Path, rustc: &OsStr, args: &[OsString]) -> i32 {
    let started = Instant::now();
    // Standard streams are inherited: rustc's output reaches cargo unchanged.
    let status = match Command::new(rustc).args(args).status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", rustc.to_string_lossy());
            return 1;
        }
    };
    let wall_s = started.elapsed().as_secs_f64();
    if let Some(krate) = crate_name(args) {
        let (cpu_s, rss_kb) = children_usage().unwrap_or((0.0, 0));
        let run = Run {
            krate,
            wall_s,
            cpu_s,
            rss_kb,
        };
        if let Err(e) = append(log, &log_line(&run)) {
            eprintln!("warning: cannot append to {}: {e}", log.display());
        }
    }
    exit_code(status)
}

/// The exit code to pass rustc's status on with; a rustc killed by a signal
/// gives 128 + the signal, as a shell reports it.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}

/// The `--crate-name` argument; `None` for runs that compile no crate (the
/// `-vV` and `--print` probes cargo makes, whose crate is named `___`).
fn crate_name(args: &[OsString]) -> Option<String> {
    let mut args = args.iter().map(|a| a.to_string_lossy());
    let name = loop {
        let arg = args.next()?;
        if arg == "--crate-name" {
            break args.next()?.into_owned();
        }
        if let Some(name) = arg.strip_prefix("--crate-name=") {
            break name.to_string();
        }
    };
    (!name.is_empty() && name != "___").then_some(name)
}

/// The log line of a run, newline included.
fn log_line(run: &Run) -> String {
    format!(
        "{}\t{:.3}\t{:.3}\t{}\n",
        run.krate, run.wall_s, run.cpu_s, run.rss_kb
    )
}

/// Append `line` to the log in one `write` on a file opened with `O_APPEND`:
/// lines of rustc runs finishing at once do not interleave.
fn append(log: &Path, line: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let written = file.write(line.as_bytes())?;
    if written == line.len() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "wrote {written} of {} bytes",
            line.len()
        )))
    }
}

/// CPU seconds (user + sys) and peak RSS in kB of the children waited for.
#[cfg(unix)]
fn children_usage() -> Option<(f64, u64)> {
    let ru = getrusage_children()?;
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu_s = seconds(ru.ru_utime) + seconds(ru.ru_stime);
    let maxrss = u64::try_from(ru.ru_maxrss).unwrap_or(0);
    // Linux and the BSDs count kilobytes, Apple's systems bytes.
    let rss_kb = if cfg!(target_vendor = "apple") {
        maxrss / 1024
    } else {
        maxrss
    };
    Some((cpu_s, rss_kb))
}

#[cfg(not(unix))]
fn children_usage() -> Option<(f64, u64)> {
    None
}

/// `getrusage(RUSAGE_CHILDREN)`: the one foreign call of the xtask.
#[cfg(unix)]
#[allow(unsafe_code)]
fn getrusage_children() -> Option<libc::rusage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: the pointer is to a live, writable `rusage`, which getrusage
    // fills on success; all-zero bytes are a valid `rusage` (integers only),
    // so the value is initialised whatever the call did.
    unsafe {
        if libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) != 0 {
            return None;
        }
        Some(usage.assume_init())
    }
}

/// The runs of a log; a malformed line (wrong field count, a number that
/// does not parse, a last line cut off before its newline) is skipped.
pub fn parse_log(text: &str) -> Vec<Run> {
    text.split_inclusive('\n')
        .filter_map(|line| parse_line(line.strip_suffix('\n')?))
        .collect()
}

fn parse_line(line: &str) -> Option<Run> {
    let mut fields = line.strip_suffix('\r').unwrap_or(line).split('\t');
    let krate = fields.next()?.to_string();
    let seconds = |s: Option<&str>| {
        s?.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let wall_s = seconds(fields.next())?;
    let cpu_s = seconds(fields.next())?;
    let rss_kb = fields.next()?.parse().ok()?;
    if krate.is_empty() || fields.next().is_some() {
        return None;
    }
    Some(Run {
        krate,
        wall_s,
        cpu_s,
        rss_kb,
    })
}

/// The runs, most CPU first (then by name, for a stable order).
fn by_cpu(runs: &[Run]) -> Vec<&Run> {
    let mut sorted: Vec<&Run> = runs.iter().collect();
    sorted.sort_by(|a, b| b.cpu_s.total_cmp(&a.cpu_s).then(a.krate.cmp(&b.krate)));
    sorted
}

/// kB as whole MB (1 MB = 1024 kB), rounded.
fn mb(kb: u64) -> u64 {
    kb.saturating_add(512) / 1024
}

/// What the check cost: a line with the totals and the largest rustc, then a
/// table of the largest generated crates by CPU time. `wall_s` is the wall
/// time of the whole check; `tsv` is where the full table was written.
pub fn report(runs: &[Run], wall_s: f64, tsv: &Path) -> String {
    let mut out = String::new();
    let cpu_s: f64 = runs.iter().map(|r| r.cpu_s).sum();
    let peak = runs
        .iter()
        .max_by(|a, b| a.rss_kb.cmp(&b.rss_kb).then(b.krate.cmp(&a.krate)));
    let _ = write!(out, "check: {wall_s:.1} s wall");
    let Some(peak) = peak else {
        let _ = writeln!(out, "; no rustc ran");
        return out;
    };
    let _ = writeln!(
        out,
        ", {cpu_s:.1} s CPU (user + sys) in {} rustc run{}; peak memory of one rustc {} MB ({})",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        mb(peak.rss_kb),
        peak.krate
    );
    let largest: Vec<&Run> = by_cpu(runs)
        .into_iter()
        .filter(|r| r.krate.starts_with(GENERATED_PREFIX))
        .take(LARGEST)
        .collect();
    if !largest.is_empty() {
        let width = largest
            .iter()
            .map(|r| r.krate.len())
            .chain([24])
            .max()
            .unwrap_or(24);
        let _ = writeln!(
            out,
            "{:<width$} {:>8} {:>8} {:>8}",
            "generated crate", "wall s", "CPU s", "peak MB"
        );
        for r in largest {
            let _ = writeln!(
                out,
                "{:<width$} {:>8.1} {:>8.1} {:>8}",
                r.krate,
                r.wall_s,
                r.cpu_s,
                mb(r.rss_kb)
            );
        }
    }
    let _ = writeln!(out, "every rustc run: {}", tsv.display());
    out
}

/// Every run, most CPU first: `crate<TAB>wall_s<TAB>cpu_s<TAB>peak_rss_kb`.
pub fn tsv(runs: &[Run]) -> String {
    let mut out = String::from("crate\twall_s\tcpu_s\tpeak_rss_kb\n");
    for r in by_cpu(runs) {
        out.push_str(&log_line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(krate: &str, wall_s: f64, cpu_s: f64, rss_kb: u64) -> Run {
        Run {
            krate: krate.into(),
            wall_s,
            cpu_s,
            rss_kb,
        }
    }

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_log_line_reads_back() {
        let r = run("top_api_wdk", 12.25, 11.5, 880_640);
        assert_eq!(log_line(&r), "top_api_wdk\t12.250\t11.500\t880640\n");
        assert_eq!(parse_log(&log_line(&r)), vec![r]);
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let log = "top_api\t1.000\t2.000\t100\n\
                   \n\
                   no tabs at all\n\
                   top_api_x\t1.0\t2.0\n\
                   top_api_x\t1.0\t2.0\t100\textra\n\
                   top_api_x\tone\t2.0\t100\n\
                   top_api_x\t1.0\t-2.0\t100\n\
                   top_api_x\t1.0\tNaN\t100\n\
                   top_api_x\t1.0\t2.0\t-5\n\
                   \t1.0\t2.0\t100\n\
                   serde\t0.5\t0.4\t50000\r\n\
                   top_api_cut\t1.0\t2.0\t12";
        assert_eq!(
            parse_log(log),
            vec![
                run("top_api", 1.0, 2.0, 100),
                run("serde", 0.5, 0.4, 50_000)
            ]
        );
        assert!(parse_log("").is_empty());
    }

    #[test]
    fn the_wrapper_is_detected_by_the_variable_and_a_rustc_program() {
        let log = Some(OsStr::new("/tmp/times.log"));
        let args = os(&["/opt/rust/bin/rustc", "--crate-name", "x"]);
        let (rustc, rest) = wrapped(log, &args).expect("a wrapper call");
        assert_eq!(rustc, "/opt/rust/bin/rustc");
        assert_eq!(rest, &args[1..]);
        assert!(wrapped(log, &os(&["rustc", "-vV"])).is_some());
        assert!(wrapped(log, &os(&["rustc.exe"])).is_some());
        assert!(wrapped(log, &os(&["platform", "corpus"])).is_none());
        assert!(wrapped(log, &os(&["--help"])).is_none());
        assert!(wrapped(log, &[]).is_none());
        assert!(wrapped(None, &args).is_none());
        assert!(wrapped(Some(OsStr::new("")), &args).is_none());
    }

    #[test]
    fn the_crate_name_comes_from_its_flag() {
        let name = |args: &[&str]| crate_name(&os(args));
        assert_eq!(
            name(&["--edition=2024", "--crate-name", "top_api", "src/lib.rs"]).as_deref(),
            Some("top_api")
        );
        assert_eq!(name(&["--crate-name=serde"]).as_deref(), Some("serde"));
        assert_eq!(
            name(&["-", "--crate-name", "___", "--print=file-names"]),
            None
        );
        assert_eq!(name(&["-vV"]), None);
        assert_eq!(name(&["--crate-name"]), None);
    }

    #[test]
    fn the_report_names_the_peak_and_lists_generated_crates_by_cpu() {
        let runs = vec![
            run("serde", 3.0, 9.0, 200_000),
            run("top_api_small", 0.5, 0.4, 90_000),
            run("top_api_wdk", 12.0, 11.5, 880_640),
            run("top_api", 1.0, 1.2, 120_000),
        ];
        let text = report(&runs, 20.04, Path::new("out/check-times.tsv"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "check: 20.0 s wall, 22.1 s CPU (user + sys) in 4 rustc runs; \
             peak memory of one rustc 860 MB (top_api_wdk)"
        );
        assert_eq!(
            lines[1],
            "generated crate            wall s    CPU s  peak MB"
        );
        assert_eq!(
            lines[2],
            "top_api_wdk                  12.0     11.5      860"
        );
        assert!(lines[3].starts_with("top_api "), "{text}");
        assert!(lines[4].starts_with("top_api_small "), "{text}");
        assert_eq!(lines[5], "every rustc run: out/check-times.tsv");
        assert_eq!(lines.len(), 6, "serde is not a generated crate: {text}");
    }

    #[test]
    fn the_report_shows_at_most_ten_crates() {
        let runs: Vec<Run> = (0..15)
            .map(|i| run(&format!("top_api_c{i:02}"), 1.0, f64::from(i), 1024))
            .collect();
        let text = report(&runs, 5.0, Path::new("t.tsv"));
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("top_api_c"))
            .collect();
        assert_eq!(rows.len(), 10, "{text}");
        assert!(rows[0].starts_with("top_api_c14 "), "{text}");
        assert!(rows[9].starts_with("top_api_c05 "), "{text}");
    }

    #[test]
    fn one_run_is_one_run() {
        let text = report(
            &[run("top_api", 0.9, 0.7, 194_576)],
            1.1,
            Path::new("t.tsv"),
        );
        assert!(
            text.starts_with(
                "check: 1.1 s wall, 0.7 s CPU (user + sys) in 1 rustc run; \
                 peak memory of one rustc 190 MB (top_api)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_check_that_compiled_nothing_says_so() {
        assert_eq!(
            report(&[], 0.34, Path::new("t.tsv")),
            "check: 0.3 s wall; no rustc ran\n"
        );
    }

    #[test]
    fn the_tsv_holds_every_run_most_cpu_first() {
        let runs = vec![run("a", 1.0, 1.0, 10), run("top_api", 2.0, 3.0, 20)];
        assert_eq!(
            tsv(&runs),
            "crate\twall_s\tcpu_s\tpeak_rss_kb\n\
             top_api\t2.000\t3.000\t20\n\
             a\t1.000\t1.000\t10\n"
        );
    }
}
