//! A report as Markdown for a pull request, or as JSON for tools.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::{Change, Kind, Report};
use crate::emit::code::code_span;

/// `{"semver": …, "changes": [{"api", "path", "kind", "breaking", "old", "new", "effect"}]}`.
pub fn json(report: &Report) -> String {
    let doc = json!({
        "semver": report.semver(),
        "changes": report.changes,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("a report serializes");
    s.push('\n');
    s
}

/// Counts first, then per category and API, breaking changes first.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let semver = report.semver().as_str();
    if report.changes.is_empty() {
        out.push_str(&format!("## API changes: none (semver: {semver})\n"));
        return out;
    }
    let _ = writeln!(out, "## API changes: semver {semver}\n");
    counts(report, &mut out);
    for (category, apis) in by_category(report) {
        let feature = apis
            .iter()
            .flat_map(|(_, changes)| changes)
            .next()
            .map_or("", |c| c.feature.as_str());
        let _ = writeln!(out, "\n### {category} (feature `{feature}`)");
        for (api, changes) in apis {
            let broken = changes.iter().filter(|c| c.breaking).count();
            let mark = if broken > 0 {
                format!(" — {broken} breaking")
            } else {
                String::new()
            };
            let _ = writeln!(out, "\n#### `{api}`{mark}\n");
            for c in changes {
                line(c, &mut out);
            }
        }
    }
    out
}

fn counts(report: &Report, out: &mut String) {
    let apis = report.apis();
    let of = |k: Kind| report.changes.iter().filter(|c| c.kind == k).count();
    let modified = apis.len() - of(Kind::ApiAdded) - of(Kind::ApiRemoved);
    let breaking = report.breaking().count();
    let _ = writeln!(
        out,
        "{}: {} added, {} removed, {modified} modified. {} changes, {breaking} breaking.\n",
        report.headline(),
        of(Kind::ApiAdded),
        of(Kind::ApiRemoved),
        report.changes.len(),
    );
    let _ = writeln!(out, "| kind | changes | breaking |\n|---|---:|---:|");
    let mut kinds: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    for c in &report.changes {
        let e = kinds.entry(c.kind).or_default();
        e.0 += 1;
        e.1 += usize::from(c.breaking);
    }
    for (k, (n, b)) in kinds {
        let _ = writeln!(out, "| {} | {n} | {b} |", k.as_str());
    }
}

type Grouped<'r> = Vec<(&'r str, Vec<(&'r str, Vec<&'r Change>)>)>;

/// Categories, then APIs, then changes: whatever breaks first, then by name
/// (changes of one API keep their order along the wire paths).
fn by_category(report: &Report) -> Grouped<'_> {
    let mut apis: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in &report.changes {
        apis.entry(c.api.as_str()).or_default().push(c);
    }
    let mut cats: BTreeMap<&str, Vec<(&str, Vec<&Change>)>> = BTreeMap::new();
    for (api, mut changes) in apis {
        changes.sort_by_key(|c| !c.breaking);
        cats.entry(changes[0].category.as_str())
            .or_default()
            .push((api, changes));
    }
    let breaks = |changes: &[&Change]| changes.iter().any(|c| c.breaking);
    let mut cats: Grouped = cats
        .into_iter()
        .map(|(cat, mut apis)| {
            apis.sort_by_key(|(name, changes)| (!breaks(changes), *name));
            (cat, apis)
        })
        .collect();
    cats.sort_by_key(|(cat, apis)| (!apis.iter().any(|(_, c)| breaks(c)), *cat));
    cats
}

fn line(c: &Change, out: &mut String) {
    let mark = if c.breaking { "**breaking** " } else { "" };
    let path = if c.path.is_empty() {
        String::new()
    } else {
        format!(" {}", code_span(&c.path))
    };
    // Additions, removals and type changes say their types in the effect;
    // examples of a whole API are too long for a line.
    let plain = matches!(
        c.kind,
        Kind::ApiAdded
            | Kind::ApiRemoved
            | Kind::FieldAdded
            | Kind::FieldRemoved
            | Kind::TypeChanged
    ) || (c.kind == Kind::ExampleChanged && c.path.is_empty());
    let values = if plain {
        String::new()
    } else {
        format!(" ({} → {})", short(&c.old), short(&c.new))
    };
    let _ = writeln!(
        out,
        "- {mark}{}{path}: {}{values}",
        c.kind.as_str(),
        c.effect
    );
}

/// A value in a line: one line of at most 40 characters, as code.
fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => return "none".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = one.chars().take(40).collect();
    if cut.len() < one.len() {
        code_span(&format!("{cut}…"))
    } else {
        code_span(&one)
    }
}
