//! The spec: one YAML document per API, the model between the page readers and
//! the code generator. `generator/spec-format.md` documents every key.
//!
//! Specs are read strictly (`deny_unknown_fields`): a spec is this project's own
//! format, so a misspelt key in a hand-edited spec is an error, not a silent default.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Error, find_line};

/// Version of the spec format; bumped when a key changes meaning.
pub const FORMAT_VERSION: u32 = 1;

/// Deepest nesting of parameters (a top-level parameter is level 1). The
/// deepest real document goes 7 levels; YAML readers stop at 128 nested
/// collections, two per level, so a deeper spec could not be read back.
pub const MAX_DEPTH: usize = 32;

/// One API, as read from its documentation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Spec format version, see [`FORMAT_VERSION`].
    pub format: u32,
    /// API method name, e.g. `taobao.pc.order.cancel`.
    pub api: String,
    /// Chinese title shown after the method name on the page.
    pub title: String,
    /// Last part of the page's breadcrumb `文档中心 > API类目 > …`.
    pub category: String,
    /// The doc center's package name of the category (`catelog.json`
    /// `pkg`), where the input gives one: the category's crate is named after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Description paragraph under the title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The page opens with `注意:以下文档只适用于TOP接口`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub top_only: bool,
    /// Wire protocol, from the page's request example.
    pub protocol: Protocol,
    /// Where the spec was read from, relative to the input root.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Request (business) parameters in page order.
    #[serde(default)]
    pub request: Vec<Param>,
    /// Response parameters in page order.
    #[serde(default)]
    pub response: Vec<Param>,
    /// The examples shown on the page, verbatim.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
    /// The 错误码解释 table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_codes: Vec<ErrorCode>,
    /// Doubtful readings the scraper resolved by the most plausible reading,
    /// each with the page line that raised it. Kept so a reviewer sees them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// How the API is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// The TOP gateway: form parameters, JSON or XML response in a `<name>_response` envelope.
    Top,
    /// Qimen: system parameters in the URL, an XML `<request>` body, a `<response>` answer.
    Qimen,
}

/// Category name (a `catelog.json`'s, or a page breadcrumb's last part) of
/// the Qimen warehouse APIs.
pub const QIMEN_CATEGORY: &str = "奇门仓储API";

/// What a page or document shows about how its API is called.
#[derive(Debug, Clone, Copy)]
pub struct ProtocolEvidence<'a> {
    /// Whether the page's Java request example calls the Qimen client;
    /// `None` without a Java example (every JSON document).
    pub java_qimen: Option<bool>,
    pub category: &'a str,
    pub request: &'a [Param],
}

/// A side of an API: what is sent, or what comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Side {
    Request,
    Response,
}

impl Side {
    /// The side's name, first segment of its field paths (`request.tid`),
    /// and what a Qimen API's documents name its XML root.
    pub fn root(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Response => "response",
        }
    }
}

/// The one rule for the root of Qimen XML: a side that is one struct
/// parameter is that element (`<request>`, `<response>`), and its fields
/// are the XML's top level.
pub fn qimen_root(params: &[Param]) -> Option<&Param> {
    match params {
        [one] if !one.fields.is_empty() => Some(one),
        _ => None,
    }
}

impl Protocol {
    /// The one protocol rule. A Java request example says which client it
    /// calls. Without one: `qimen` for APIs of the Qimen category whose
    /// request is one struct named `request` (the Qimen XML body). The Qimen
    /// category also has plain TOP APIs (`taobao.qimen.store.*`), and other
    /// categories have `request` structs (`alibaba.fundplatform.*`), so
    /// neither the category nor the shape alone decides.
    pub fn from_evidence(e: &ProtocolEvidence) -> Protocol {
        let qimen = match e.java_qimen {
            Some(q) => q,
            None => {
                e.category == QIMEN_CATEGORY
                    && qimen_root(e.request).is_some_and(|r| r.name == Side::Request.root())
            }
        };
        if qimen {
            Protocol::Qimen
        } else {
            Protocol::Top
        }
    }
}

/// One parameter, request or response side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Wire name, exactly as on the page.
    pub name: String,
    /// TOP type as written, without the array mark (`String`, `Number`, `OrderItem`).
    #[serde(rename = "type")]
    pub ty: String,
    /// The page writes the type as `X []` (or `X[]`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub array: bool,
    /// 必须 (true) or 可选 (false); response parameters are never required.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Example value, verbatim (`00` stays `"00"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// Description, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 更多限制 (page) or maxLength / maxListSize / minValue / maxValue (JSON).
    #[serde(default, skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
    /// The codes the description lists, in page order; the field is an enum of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<CodeValue>,
    /// Children of a struct parameter, in page order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Param>,
}

/// One code of a parameter's code list: the wire text and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeValue {
    /// The code exactly as sent on the wire (`WAIT_BUYER_PAY`, `1`).
    pub value: String,
    /// Its meaning, as the description states it.
    #[serde(default)]
    pub description: String,
}

/// Limits the documentation states for a parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Constraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_list_size: Option<u64>,
    /// Kept as text: the bound may be wider than any one Rust integer type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
    /// Free text from the page's 更多限制 cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Example blocks from the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Request examples, one per language shown (`java`, `curl`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<CodeExample>,
    /// Response examples (`xml`, `json`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<CodeExample>,
    /// Error examples (`xml`, `json`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error: Vec<CodeExample>,
}

impl Examples {
    pub fn is_empty(&self) -> bool {
        self.request.is_empty() && self.response.is_empty() && self.error.is_empty()
    }
}

/// One example block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeExample {
    /// Lowercase language or format: `java`, `xml`, `json`, …
    pub lang: String,
    /// The code as shown, without trailing blank lines.
    pub code: String,
}

/// One row of the 错误码解释 table; an empty cell stays an empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    pub code: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub solution: String,
}

impl Spec {
    /// The parameters of one side.
    pub fn side(&self, side: Side) -> &[Param] {
        match side {
            Side::Request => &self.request,
            Side::Response => &self.response,
        }
    }

    /// The struct that is the XML root of one side of a Qimen API
    /// ([`qimen_root`]); `None` for TOP APIs.
    pub fn qimen_root(&self, side: Side) -> Option<&Param> {
        if self.protocol != Protocol::Qimen {
            return None;
        }
        qimen_root(self.side(side))
    }

    /// Parse and validate a spec. `file` names the source in errors.
    pub fn from_yaml(file: &Path, text: &str) -> Result<Spec, Error> {
        if let Some(line) = flow_too_deep(text) {
            return Err(Error::at(
                file,
                Some(line),
                format!(
                    "`[` / `{{` nested more than {MAX_FLOW_NESTING} deep; a spec is block YAML, see generator/spec-format.md"
                ),
            ));
        }
        let spec: Spec = serde_yaml_ng::from_str(text).map_err(|e| {
            // An error at the very end (after the last newline) points at the last line.
            let last = text.lines().count().max(1);
            let line = e.location().map(|l| l.line().clamp(1, last));
            Error::at(
                file,
                line,
                format!("{e}; the spec format is described in generator/spec-format.md"),
            )
        })?;
        spec.validate(file, text)?;
        Ok(spec)
    }

    /// Serialize deterministically, with a schema hint for editors.
    pub fn to_yaml(&self) -> String {
        let body = serde_yaml_ng::to_string(self).expect("a spec always serializes");
        format!(
            "# @generated by `cargo xtask scrape` from {}; edit the page, not this file.\n\
             # yaml-language-server: $schema=spec.schema.json\n{body}",
            if self.source.is_empty() {
                "a doc page"
            } else {
                &self.source
            }
        )
    }

    /// Checks serde cannot express: names, format version, duplicate fields.
    fn validate(&self, file: &Path, text: &str) -> Result<(), Error> {
        if self.format != FORMAT_VERSION {
            return Err(Error::at(
                file,
                find_line(text, "format:"),
                format!(
                    "spec format {} is not supported (expected {FORMAT_VERSION}); regenerate it with `cargo xtask scrape`",
                    self.format
                ),
            ));
        }
        if !is_api_name(&self.api) {
            return Err(Error::at(
                file,
                find_line(text, "api:"),
                format!(
                    "`{}` is not an API method name like `taobao.pc.order.cancel`",
                    self.api
                ),
            ));
        }
        for (side, params) in [("request", &self.request), ("response", &self.response)] {
            validate_params(file, text, side, params, 1)?;
        }
        Ok(())
    }
}

/// The one rule for API method names: two or more dotted segments of ASCII
/// letters, digits, `_` and `-` (`taobao.pc.order.cancel`; `-` occurs in
/// Aliyun methods of the doc center, `m-kvstore.aliyuncs.com.X.2015-03-01`).
pub fn is_api_name(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

fn validate_params(
    file: &Path,
    text: &str,
    path: &str,
    params: &[Param],
    level: usize,
) -> Result<(), Error> {
    let mut seen = std::collections::BTreeSet::new();
    for p in params {
        let here = format!("{path}.{}", p.name);
        // Looked up only on error: a search per parameter is quadratic in a big spec.
        let line = || find_line(text, &format!("name: {}", p.name));
        if p.name.trim().is_empty() || p.name.chars().any(char::is_whitespace) {
            return Err(Error::at(
                file,
                line(),
                format!("parameter `{here}` has an empty name or one with spaces"),
            ));
        }
        if !seen.insert(p.name.as_str()) {
            return Err(Error::at(
                file,
                line(),
                format!(
                    "`{path}` has two parameters named `{}`; rename or merge one",
                    p.name
                ),
            ));
        }
        if !p.fields.is_empty() {
            if level >= MAX_DEPTH {
                return Err(Error::at(
                    file,
                    line(),
                    format!(
                        "`{here}` has fields nested deeper than {MAX_DEPTH} levels; no API does, is the spec damaged?"
                    ),
                ));
            }
            validate_params(file, text, &here, &p.fields, level + 1)?;
        }
    }
    Ok(())
}

/// Deepest `[` / `{` nesting read. The YAML scanner's work grows with the
/// square of this depth, and a spec has no use for more than a few levels.
pub const MAX_FLOW_NESTING: usize = 256;

/// The line where flow collections first nest deeper than
/// [`MAX_FLOW_NESTING`]. A small scan: outside a flow collection a bracket
/// opens one only where a value starts (after `: `, `- `, or at the start of
/// a line below a bare `key:`); quoted scalars and block scalars (`|`, `>`)
/// are skipped, so brackets in text never count.
fn flow_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    // Indentation of the line that opened a block scalar: deeper lines are its text.
    let mut block: Option<usize> = None;
    let mut value_below = false;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(b) = block {
            if line.trim().is_empty() || indent > b {
                continue;
            }
            block = None;
        }
        let mut value_start = quote.is_none() && (depth > 0 || value_below);
        let mut prev = ' ';
        let mut last = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if let Some(q) = quote {
                if q == '"' && c == '\\' {
                    chars.next();
                } else if c == q {
                    if q == '\'' && chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                prev = c;
                continue;
            }
            match c {
                '#' if prev == ' ' || prev == '\t' => break,
                '[' | '{' if depth > 0 || value_start => {
                    depth += 1;
                    if depth > MAX_FLOW_NESTING {
                        return Some(n + 1);
                    }
                }
                ']' | '}' if depth > 0 => depth -= 1,
                '"' | '\'' if value_start => quote = Some(c),
                '|' | '>' if depth == 0 && value_start => {
                    block = Some(indent);
                    break;
                }
                _ => {}
            }
            value_start = match c {
                ' ' => value_start || matches!(prev, ':' | '-' | '?'),
                '[' | '{' | ',' => depth > 0,
                _ => false,
            };
            if c != ' ' {
                last = c;
            }
            prev = c;
        }
        if quote.is_none() && block.is_none() && !line.trim().is_empty() {
            value_below = depth == 0 && (last == ':' || line.trim() == "-");
        }
    }
    None
}

/// JSON Schema of the spec format, written next to the specs.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Spec);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serializes");
    s.push('\n');
    s
}

/// A spec and the file it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFile {
    pub file: PathBuf,
    pub spec: Spec,
    /// The text read, to point messages at a line; empty for a spec built
    /// in memory.
    pub text: String,
}

impl SpecFile {
    /// The line of the parameter at a dotted field path
    /// (`response.result.items`), or of `api:` without one: where a message
    /// about it points. A path the text does not follow to the end points at
    /// the deepest parameter found.
    pub fn line_of(&self, path: Option<&str>) -> Option<usize> {
        let Some(path) = path else {
            return find_line(&self.text, "api:");
        };
        let mut segments = path.split('.');
        let side = format!("{}:", segments.next()?);
        let lines: Vec<&str> = self.text.lines().collect();
        let mut at = lines.iter().position(|l| l.trim_end() == side)?;
        for seg in segments {
            match (at + 1..lines.len()).find(|&i| names(lines[i], seg)) {
                Some(i) => at = i,
                None => break,
            }
        }
        Some(at + 1)
    }
}

/// A line that starts the parameter `name`, in block or flow form.
fn names(line: &str, name: &str) -> bool {
    let item = line
        .trim_start()
        .trim_start_matches("- ")
        .trim_start_matches('{');
    let Some(rest) = item.trim_start().strip_prefix("name:") else {
        return false;
    };
    let value = rest.trim_start();
    let value = value.split(',').next().unwrap_or(value).trim();
    let value = value.trim_end_matches('}').trim();
    value.trim_matches(|c| c == '\'' || c == '"') == name
}

/// Read every `*.yaml` spec in a folder, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<Spec>, Error> {
    Ok(read_dir_files(dir)?.into_iter().map(|s| s.spec).collect())
}

/// [`read_dir`], each spec with its file.
pub fn read_dir_files(dir: &Path) -> Result<Vec<SpecFile>, Error> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
            Ok(SpecFile {
                file: p.clone(),
                spec: Spec::from_yaml(p, &text)?,
                text,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> &'static str {
        "format: 1\napi: taobao.a.b\ntitle: t\ncategory: c\nprotocol: top\nrequest:\n  - name: x\n    type: String\n"
    }

    #[test]
    fn reads_a_minimal_spec() {
        let s = Spec::from_yaml(Path::new("a.yaml"), minimal()).unwrap();
        assert_eq!(s.request[0].ty, "String");
        assert!(!s.request[0].required);
    }

    #[test]
    fn round_trips_through_yaml() {
        let s = Spec::from_yaml(Path::new("a.yaml"), minimal()).unwrap();
        let again = Spec::from_yaml(Path::new("b.yaml"), &s.to_yaml()).unwrap();
        assert_eq!(s, again);
    }

    #[test]
    fn a_misspelt_key_names_file_and_line() {
        let text = minimal().replace("    type: String", "    typ: String");
        let e = Spec::from_yaml(Path::new("specs/a.yaml"), &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("specs/a.yaml:8:"), "{e}");
        assert!(e.contains("typ"), "{e}");
    }

    #[test]
    fn a_wrong_value_type_is_an_error() {
        let text = minimal().replace("protocol: top", "protocol: soap");
        let e = Spec::from_yaml(Path::new("a.yaml"), &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.yaml:5"), "{e}");
    }

    #[test]
    fn a_field_path_points_at_its_line() {
        let text = "format: 1\napi: taobao.a.b\ntitle: t\ncategory: c\nprotocol: top\nrequest:\n  - name: x\n    type: String\n\
                    response:\n  - name: result\n    type: R\n    fields:\n      - name: x\n\
                    \x20       type: String\n      - {name: 'y', type: Number}\n";
        let f = SpecFile {
            file: "s.yaml".into(),
            spec: Spec::from_yaml(Path::new("s.yaml"), text).unwrap(),
            text: text.to_string(),
        };
        assert_eq!(f.line_of(None), Some(2));
        assert_eq!(f.line_of(Some("request.x")), Some(7));
        assert_eq!(f.line_of(Some("response.result.x")), Some(13));
        assert_eq!(f.line_of(Some("response.result.y")), Some(15));
        assert_eq!(f.line_of(Some("response.result.z")), Some(10));
        assert_eq!(f.line_of(Some("other.x")), None);
    }

    #[test]
    fn one_api_name_rule() {
        for ok in [
            "taobao.pc.order.cancel",
            "m-kvstore.aliyuncs.com.X.2015-03-01",
            "a_b.c",
        ] {
            assert!(is_api_name(ok), "{ok}");
        }
        for bad in ["", "taobao", "taobao..x", ".a.b", "a.b.", "a.b c", "a.中"] {
            assert!(!is_api_name(bad), "{bad}");
        }
    }

    #[test]
    fn one_protocol_rule_from_each_form_of_evidence() {
        let request = |name: &str, fields: usize| Param {
            name: name.into(),
            ty: "Req".into(),
            fields: (0..fields)
                .map(|i| Param {
                    name: format!("f{i}"),
                    ty: "String".into(),
                    ..request_leaf()
                })
                .collect(),
            ..request_leaf()
        };
        let of = |java_qimen, category, request: &[Param]| {
            Protocol::from_evidence(&ProtocolEvidence {
                java_qimen,
                category,
                request,
            })
        };
        let body = [request("request", 1)];
        // A Java example decides, whatever the shape.
        assert_eq!(of(Some(true), "c", &[]), Protocol::Qimen);
        assert_eq!(of(Some(false), QIMEN_CATEGORY, &body), Protocol::Top);
        // Without one: the Qimen category and one `request` struct.
        assert_eq!(of(None, QIMEN_CATEGORY, &body), Protocol::Qimen);
        assert_eq!(of(None, "资金平台", &body), Protocol::Top);
        assert_eq!(
            of(None, QIMEN_CATEGORY, &[request("request", 0)]),
            Protocol::Top
        );
        assert_eq!(
            of(None, QIMEN_CATEGORY, &[request("req", 1)]),
            Protocol::Top
        );
    }

    fn request_leaf() -> Param {
        Param {
            name: String::new(),
            ty: String::new(),
            array: false,
            required: false,
            example: None,
            description: None,
            constraints: Constraints::default(),
            values: vec![],
            fields: vec![],
        }
    }

    #[test]
    fn aliyun_method_names_are_accepted() {
        let text = minimal().replace(
            "taobao.a.b",
            "m-kvstore.aliyuncs.com.CreateInstance.2015-03-01",
        );
        assert!(Spec::from_yaml(Path::new("a.yaml"), &text).is_ok());
        let text = minimal().replace("taobao.a.b", "taobao..b");
        assert!(Spec::from_yaml(Path::new("a.yaml"), &text).is_err());
    }

    #[test]
    fn only_real_flow_nesting_counts() {
        let deep = "[".repeat(300);
        assert_eq!(flow_too_deep(&format!("a: b\nrequest: {deep}\n")), Some(2));
        assert_eq!(flow_too_deep(&format!("request:\n  {deep}\n")), Some(2));
        assert_eq!(flow_too_deep(&format!("x: [a, {deep}\n")), Some(1));
        // Text: block scalars, quoted and plain scalars, comments.
        for text in [
            format!("code: |-\n  {deep}\n  x\nnext: 1\n"),
            format!("- lang: json\n  code: >\n    {deep}\n"),
            format!("d: \"{deep}\"\n"),
            format!("d: 'it''s {deep}'\n"),
            format!("d: \"a\\\" {deep}\"\n"),
            format!("d: \"first line\n  {deep}\"\n"),
            format!("d: a {deep}\n"),
            format!("d: a b\n  {deep}\n"),
            format!("a: 1 # {deep}\n"),
        ] {
            assert_eq!(flow_too_deep(&text), None, "{text}");
        }
    }

    #[test]
    fn duplicate_fields_are_rejected() {
        let text = format!("{}  - name: x\n    type: Number\n", minimal());
        let e = Spec::from_yaml(Path::new("a.yaml"), &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("two parameters named `x`"), "{e}");
    }
}
