//! Page readers: text and HTML pages (and the doc center's JSON) become specs.
//!
//! The stages are kept apart: a reader ([`text`], [`html`]) turns a page into
//! the intermediate [`page::Page`] ([`json`] reads doc-center JSON documents
//! straight into a spec); [`rows`] assigns each row's cells;
//! [`evidence`] reads the Java request and XML response examples; [`tree`]
//! recovers the parameter trees from rows and evidence; this module puts the
//! spec together.

pub mod evidence;
pub mod html;
pub mod json;
pub mod page;
pub mod rows;
pub mod text;
pub mod tree;

use std::path::Path;

use crate::diag::{Error, Warning};
use crate::spec::{CodeExample, Examples, FORMAT_VERSION, Protocol, Spec};
use evidence::{EvNode, java, xml};
use page::{Cell, Page};

/// A spec with the warnings raised while reading it.
#[derive(Debug, Clone)]
pub struct Scraped {
    pub spec: Spec,
    pub warnings: Vec<Warning>,
}

/// What the pipeline knows about a page besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Category name from a `catelog.json` beside a JSON document.
    pub category: Option<String>,
}

/// Read one page. `file` is the path shown in messages and stored as `source`.
pub fn scrape_page(file: &Path, bytes: &[u8], ctx: &Context) -> Result<Scraped, Error> {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let read: fn(&str) -> Page = match ext.as_str() {
        "txt" => text::read,
        "html" | "htm" => html::read,
        "json" => return json::read_document(file, bytes, ctx),
        other => {
            return Err(Error::at(
                file,
                None,
                format!("unknown page kind `.{other}`; pages are .txt, .html/.htm or .json"),
            ));
        }
    };
    let mut warnings = Vec::new();
    let text = decode(file, bytes, &mut warnings)?;
    if text.trim().is_empty() {
        return Err(Error::at(
            file,
            Some(1),
            "the page is empty; save the whole doc page again",
        ));
    }
    if matches!(ext.as_str(), "html" | "htm")
        && let Some(line) = html::too_deep(&text)
    {
        return Err(Error::at(
            file,
            Some(line),
            format!(
                "the markup nests elements more than {} deep here; a saved doc page nests about 20, save the page again",
                html::MAX_NESTING
            ),
        ));
    }
    let page = read(&text);
    let spec = build(file, &page, ctx, &mut warnings)?;
    Ok(Scraped { spec, warnings })
}

/// UTF-8 (with or without BOM); GBK where a browser saved it so and it
/// reads as a doc page. Anything else is rejected, never garbled.
fn decode(file: &Path, bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // No text encoding of a doc page has NUL bytes (UTF-16 does: save as UTF-8).
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(Error::at(
            file,
            Some(line),
            "the file holds NUL bytes: it is binary (or UTF-16), not a doc page saved as UTF-8 text",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line_of = |at: usize| bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let (gbk, bad) = decode_gbk(bytes);
            // Judged on the whole page, bad sequences replaced, so a bad byte
            // before the markers still finds a GBK page.
            let whole = match bad {
                None => std::borrow::Cow::Borrowed(gbk.as_str()),
                Some(_) => encoding_rs::GBK.decode_without_bom_handling(bytes).0,
            };
            let looks_like_page =
                whole.contains(page::REQUEST_PARAMS) || whole.contains("文档中心");
            match bad {
                None if looks_like_page => {
                    warnings.push(Warning::at(
                        file,
                        None,
                        "the page is GBK-encoded; read as GBK",
                    ));
                    Ok(gbk)
                }
                // A GBK page with a byte sequence neither encoding has: name the encoding.
                Some(at) if looks_like_page => Err(Error::at(
                    file,
                    Some(line_of(at)),
                    "the page reads as GBK up to here, where a byte sequence is neither GBK nor UTF-8; save the page again as UTF-8",
                )),
                _ => Err(Error::at(
                    file,
                    Some(line_of(e.valid_up_to())),
                    "the page is not UTF-8 text (nor GBK); save it again as UTF-8",
                )),
            }
        }
    }
}

/// Decode as GBK without replacement: the text up to the first malformed
/// sequence, and where that sequence ends (`None`: all of it decoded).
fn decode_gbk(bytes: &[u8]) -> (String, Option<usize>) {
    let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => (out, None),
        // Malformed, or (never, given the capacity) a full buffer.
        _ => (out, Some(read.saturating_sub(1))),
    }
}

/// The page head: notice, breadcrumb, `api (title)` and description.
struct Head {
    top_only: bool,
    category: Option<String>,
    api: String,
    title: String,
    description: String,
}

fn split_title(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let (api, rest) = s.split_once([' ', '('])?;
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix('(')
        .or_else(|| rest.strip_prefix('（'))
        .unwrap_or(rest);
    let title = rest.strip_suffix(')').or_else(|| rest.strip_suffix('）'))?;
    let ok = api.contains('.')
        && api
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    ok.then(|| (api.to_string(), title.trim().to_string()))
}

fn head(file: &Path, cells: &[Cell]) -> Result<Head, Error> {
    let mut h = Head {
        top_only: false,
        category: None,
        api: String::new(),
        title: String::new(),
        description: String::new(),
    };
    let mut desc: Vec<&str> = Vec::new();
    let mut titled = false;
    for c in cells {
        let t = c.text.as_str();
        if t.starts_with("注意:以下文档只适用于TOP接口")
            || t.starts_with("注意：以下文档只适用于TOP接口")
        {
            h.top_only = true;
        } else if t.starts_with("文档中心") && t.contains('>') {
            h.category = t.rsplit('>').next().map(|c| c.trim().to_string());
        } else if !titled && let Some((api, title)) = split_title(t) {
            (h.api, h.title, titled) = (api, title, true);
        } else if titled {
            desc.push(t);
        }
    }
    if !titled {
        return Err(Error::at(
            file,
            Some(cells.first().map_or(1, |c| c.line)),
            "no `api.method.name (title)` line at the top of the page; is this a TOP doc page?",
        ));
    }
    h.description = desc.join("\n");
    Ok(h)
}

fn examples(page: &Page, title: &str) -> Vec<CodeExample> {
    page.section(title)
        .map(|s| {
            s.code
                .iter()
                .map(|c| CodeExample {
                    lang: c.lang.clone(),
                    code: c.text.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The response example's top-level nodes: the envelope's children, or the
/// roots themselves when they are the parameters (Qimen's `<response>`, or a
/// fragment without envelope).
fn response_root<'a>(
    file: &Path,
    api: &str,
    roots: &'a [EvNode],
    top_names: &[&str],
    protocol: Protocol,
    warnings: &mut Vec<Warning>,
) -> Vec<&'a EvNode> {
    let envelope = format!(
        "{}_response",
        api.strip_prefix("taobao.").unwrap_or(api).replace('.', "_")
    );
    match roots {
        [one] if top_names.contains(&one.name.as_str()) => vec![one],
        [one] if one.name.ends_with("_response") => {
            if one.name != envelope {
                warnings.push(Warning::at(
                    file,
                    Some(one.line),
                    format!(
                        "the XML response example's envelope is `<{}>`, expected `<{envelope}>`",
                        one.name
                    ),
                ));
            }
            one.children.iter().collect()
        }
        _ => {
            let line = roots.first().map(|r| r.line);
            let msg = match protocol {
                Protocol::Top => format!(
                    "the XML response example has no `<{envelope}>` envelope; its {} root element(s) read as the response parameters",
                    roots.len()
                ),
                Protocol::Qimen => format!(
                    "the XML response example has no `<response>` root; its {} root element(s) read as the response parameters",
                    roots.len()
                ),
            };
            warnings.push(Warning::at(file, line, msg));
            roots.iter().collect()
        }
    }
}

fn build(
    file: &Path,
    page: &Page,
    ctx: &Context,
    warnings: &mut Vec<Warning>,
) -> Result<Spec, Error> {
    let head = head(file, &page.head)?;
    let Some(codes) = page.section(page::ERROR_CODES) else {
        let last = page
            .sections
            .last()
            .map_or("the page head".to_string(), |s| format!("`{}`", s.title));
        return Err(Error::at(
            file,
            Some(page.lines.max(1)),
            format!(
                "the page ends after {last} without its {} section; it looks truncated, save the whole page again",
                page::ERROR_CODES
            ),
        ));
    };
    let Some(req_section) = page.section(page::REQUEST_PARAMS) else {
        let expected = page.section(page::RESPONSE_PARAMS).unwrap_or(codes);
        return Err(Error::at(
            file,
            Some(expected.line),
            format!(
                "the page has no {} section; every TOP doc page lists its request parameters",
                page::REQUEST_PARAMS
            ),
        ));
    };
    let Some(req_table) = &req_section.table else {
        return Err(Error::at(
            file,
            Some(req_section.line),
            format!(
                "the {} section has no table header (名称 类型 是否必须 …)",
                page::REQUEST_PARAMS
            ),
        ));
    };
    let req_rows = rows::param_rows(file, req_table)?;
    let resp_rows = match page
        .section(page::RESPONSE_PARAMS)
        .and_then(|s| s.table.as_ref())
    {
        Some(t) => rows::param_rows(file, t)?,
        None => {
            warnings.push(Warning::at(
                file,
                None,
                "the page has no 响应参数 table; no response parameters",
            ));
            vec![]
        }
    };

    // Evidence: the Java request example and the XML response example.
    let java_code = page
        .section(page::REQUEST_EXAMPLE)
        .and_then(|s| s.code.iter().find(|c| c.lang == "java"));
    let java = java_code.map(|c| java::parse(&c.text, c.line));
    let protocol = if java.as_ref().is_some_and(|j| j.qimen) {
        Protocol::Qimen
    } else {
        Protocol::Top
    };
    if java_code.is_some() && java.as_ref().is_some_and(|j| j.root.is_none()) {
        warnings.push(Warning::at(
            file,
            java_code.map(|c| c.line),
            "the Java request example builds no request object; request fields are placed by the table alone",
        ));
    }
    let xml_code = page
        .section(page::RESPONSE_EXAMPLE)
        .and_then(|s| s.code.iter().find(|c| c.lang == "xml"));
    let xml_roots = match xml_code.map(|c| xml::parse(&c.text, c.line)) {
        Some(Ok(roots)) => Some(roots),
        Some(Err(b)) => {
            warnings.push(Warning::at(
                file,
                Some(b.line),
                format!(
                    "the XML response example is not well-formed ({}); response fields are placed by the table alone",
                    b.message
                ),
            ));
            None
        }
        None => None,
    };

    let top_names: Vec<&str> = resp_rows
        .iter()
        .filter(|r| !r.nested)
        .map(|r| r.name.as_str())
        .collect();
    let resp_root = xml_roots
        .as_deref()
        .map(|roots| response_root(file, &head.api, roots, &top_names, protocol, warnings));
    let req_root = java
        .as_ref()
        .and_then(|j| j.root.as_ref())
        .map(|r| r.children.iter().collect());
    let ignore: &[&str] = match protocol {
        Protocol::Qimen => &["customerid", "version"],
        Protocol::Top => &[],
    };
    let request = tree::recover(
        file,
        &tree::Side {
            label: "request",
            rows: &req_rows,
            root: req_root,
            ignore,
        },
        warnings,
    )?;
    let response = tree::recover(
        file,
        &tree::Side {
            label: "response",
            rows: &resp_rows,
            root: resp_root,
            ignore: &[],
        },
        warnings,
    )?;

    let (error_codes, doubts) = codes
        .table
        .as_ref()
        .map(rows::error_codes)
        .unwrap_or_default();
    warnings.extend(
        doubts
            .into_iter()
            .map(|(l, m)| Warning::at(file, Some(l), m)),
    );

    let category = match (head.category, &ctx.category) {
        (Some(c), _) => c,
        (None, Some(c)) => c.clone(),
        (None, None) => {
            return Err(Error::at(
                file,
                Some(page.head.first().map_or(1, |c| c.line)),
                "no breadcrumb `文档中心 > API类目 > …` above the title; the category cannot be told",
            ));
        }
    };
    Ok(Spec {
        format: FORMAT_VERSION,
        api: head.api,
        title: head.title,
        category,
        description: head.description,
        top_only: head.top_only,
        protocol,
        source: file.to_string_lossy().replace('\\', "/"),
        request,
        response,
        examples: Examples {
            request: examples(page, page::REQUEST_EXAMPLE),
            response: examples(page, page::RESPONSE_EXAMPLE),
            error: examples(page, page::ERROR_EXAMPLE),
        },
        error_codes,
        notes: warnings.iter().map(Warning::note).collect(),
    })
}
