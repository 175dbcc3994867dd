//! Page readers: text and HTML pages (and the doc center's JSON) become specs.
//!
//! The stages are kept apart: a reader ([`text`], [`html`]) turns a page into
//! the intermediate [`page::Page`] ([`json`] reads doc-center JSON documents
//! straight into a spec); [`rows`] assigns each row's cells;
//! [`evidence`] reads the Java request and XML response examples; [`tree`]
//! recovers the parameter trees from rows and evidence; [`assemble`] puts the
//! spec together, for every reader.

pub mod codes;
pub mod evidence;
pub mod html;
pub mod json;
pub mod page;
pub mod rows;
pub mod text;
pub mod tree;

use std::path::Path;

use crate::diag::{Error, Warning, line_of};
use crate::spec::{
    CodeExample, ErrorCode, Examples, FORMAT_VERSION, Param, Protocol, ProtocolEvidence, Spec,
    is_api_name,
};
use evidence::{EvNode, java, xml};
use page::{Cell, Page};

/// A spec with the warnings raised while reading it.
#[derive(Debug, Clone)]
pub struct Scraped {
    pub spec: Spec,
    pub warnings: Vec<Warning>,
}

/// What the pipeline knows about a page besides its bytes.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Context {
    /// Category name from a `catelog.json` beside a JSON document.
    pub category: Option<String>,
    /// The category's package name (`pkg`) from that `catelog.json`.
    pub package: Option<String>,
}

/// All that reading a page depends on: the arguments of [`scrape_page`].
/// The cache keys a page's result on the whole of it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PageInput<'a> {
    pub file: &'a Path,
    #[serde(serialize_with = "crate::cache::by_digest")]
    pub bytes: &'a [u8],
    pub context: &'a Context,
}

impl PageInput<'_> {
    pub fn read(&self) -> Result<Scraped, Error> {
        scrape_page(self.file, self.bytes, self.context)
    }
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
    build(file, &page, ctx, warnings)
}

/// The text of a file saved as UTF-8, a byte order mark skipped; the one
/// UTF-8 rule of every reader. `Err` holds the line of the first byte that
/// is not UTF-8.
pub fn utf8_text(bytes: &[u8]) -> Result<&str, usize> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| line_of(bytes, e.valid_up_to()))
}

/// UTF-8 (with or without BOM); GBK where a browser saved it so and it
/// reads as a doc page. Anything else is rejected, never garbled.
fn decode(file: &Path, bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String, Error> {
    // No text encoding of a doc page has NUL bytes (UTF-16 does: save as UTF-8).
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::at(
            file,
            Some(line_of(bytes, at)),
            "the file holds NUL bytes: it is binary (or UTF-16), not a doc page saved as UTF-8 text",
        ));
    }
    let not_utf8 = match utf8_text(bytes) {
        Ok(s) => return Ok(s.to_string()),
        Err(line) => line,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (gbk, bad) = decode_gbk(bytes);
    // Judged on the whole page, bad sequences replaced, so a bad byte
    // before the markers still finds a GBK page.
    let whole = match bad {
        None => std::borrow::Cow::Borrowed(gbk.as_str()),
        Some(_) => encoding_rs::GBK.decode_without_bom_handling(bytes).0,
    };
    let looks_like_page = whole.contains(page::REQUEST_PARAMS) || whole.contains("文档中心");
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
            Some(line_of(bytes, at)),
            "the page reads as GBK up to here, where a byte sequence is neither GBK nor UTF-8; save the page again as UTF-8",
        )),
        _ => Err(Error::at(
            file,
            Some(not_utf8),
            "the page is not UTF-8 text (nor GBK); save it again as UTF-8",
        )),
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
    is_api_name(api).then(|| (api.to_string(), title.trim().to_string()))
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
    qimen: bool,
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
            let root = if qimen {
                "`<response>` root".to_string()
            } else {
                format!("`<{envelope}>` envelope")
            };
            let msg = format!(
                "the XML response example has no {root}; its {} root element(s) read as the response parameters",
                roots.len()
            );
            warnings.push(Warning::at(file, line, msg));
            roots.iter().collect()
        }
    }
}

/// A page's parameter tables, as rows.
struct Tables<'p> {
    request: Vec<rows::ParamRow>,
    response: Vec<rows::ParamRow>,
    codes: &'p page::Section,
}

/// The sections every doc page has: 错误码解释 last (else it is truncated)
/// and a 请求参数 table; a page without a 响应参数 table has no response.
fn tables<'p>(
    file: &Path,
    page: &'p Page,
    warnings: &mut Vec<Warning>,
) -> Result<Tables<'p>, Error> {
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
    let request = rows::param_rows(file, req_table)?;
    let response = match page
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
    Ok(Tables {
        request,
        response,
        codes,
    })
}

/// What the page's examples say: the Java request example (with the client
/// it calls) and the XML response example's elements.
struct Evidence {
    java: Option<java::JavaEvidence>,
    xml: Option<Vec<EvNode>>,
}

fn evidence(file: &Path, page: &Page, warnings: &mut Vec<Warning>) -> Evidence {
    let java_code = page
        .section(page::REQUEST_EXAMPLE)
        .and_then(|s| s.code.iter().find(|c| c.lang == "java"));
    let java = java_code.map(|c| java::parse(&c.text, c.line));
    if let (Some(code), Some(j)) = (java_code, &java)
        && j.root.is_none()
    {
        warnings.push(Warning::at(
            file,
            Some(code.line),
            "the Java request example builds no request object; request fields are placed by the table alone",
        ));
    }
    let xml_code = page
        .section(page::RESPONSE_EXAMPLE)
        .and_then(|s| s.code.iter().find(|c| c.lang == "xml"));
    let xml = match xml_code.map(|c| xml::parse(&c.text, c.line)) {
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
    Evidence { java, xml }
}

impl Evidence {
    /// The protocol the Java example shows, before the trees are known: it
    /// decides which example nodes are protocol parameters.
    fn java_qimen(&self) -> Option<bool> {
        self.java.as_ref().map(|j| j.qimen)
    }
}

/// The request and response trees, from the rows and the examples.
fn trees(
    file: &Path,
    api: &str,
    tables: &Tables,
    ev: &Evidence,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Param>, Vec<Param>), Error> {
    let qimen = ev.java_qimen() == Some(true);
    let top_names: Vec<&str> = tables
        .response
        .iter()
        .filter(|r| !r.nested)
        .map(|r| r.name.as_str())
        .collect();
    let resp_root = ev
        .xml
        .as_deref()
        .map(|roots| response_root(file, api, roots, &top_names, qimen, warnings));
    let req_root = ev
        .java
        .as_ref()
        .and_then(|j| j.root.as_ref())
        .map(|r| r.children.iter().collect());
    let ignore: &[&str] = if qimen {
        &["customerid", "version"]
    } else {
        &[]
    };
    let request = tree::recover(
        file,
        &tree::Side {
            label: "request",
            rows: &tables.request,
            root: req_root,
            ignore,
        },
        warnings,
    )?;
    let response = tree::recover(
        file,
        &tree::Side {
            label: "response",
            rows: &tables.response,
            root: resp_root,
            ignore: &[],
        },
        warnings,
    )?;
    Ok((request, response))
}

/// The category and its package name: the page's breadcrumb (a page names
/// no package), else the pipeline's.
fn category(
    file: &Path,
    page: &Page,
    head: &Head,
    ctx: &Context,
) -> Result<(String, Option<String>), Error> {
    match (&head.category, &ctx.category) {
        (Some(c), _) => Ok((c.clone(), None)),
        (None, Some(c)) => Ok((c.clone(), ctx.package.clone())),
        (None, None) => Err(Error::at(
            file,
            Some(page.head.first().map_or(1, |c| c.line)),
            "no breadcrumb `文档中心 > API类目 > …` above the title; the category cannot be told",
        )),
    }
}

fn build(
    file: &Path,
    page: &Page,
    ctx: &Context,
    mut warnings: Vec<Warning>,
) -> Result<Scraped, Error> {
    let head = head(file, &page.head)?;
    let tables = tables(file, page, &mut warnings)?;
    let ev = evidence(file, page, &mut warnings);
    let (request, response) = trees(file, &head.api, &tables, &ev, &mut warnings)?;
    let (error_codes, doubts) = tables
        .codes
        .table
        .as_ref()
        .map(rows::error_codes)
        .unwrap_or_default();
    warnings.extend(
        doubts
            .into_iter()
            .map(|(l, m)| Warning::at(file, Some(l), m)),
    );
    let (category, package) = category(file, page, &head, ctx)?;
    let parts = Parts {
        header: Header {
            api: head.api,
            title: head.title,
            category,
            package,
            description: head.description,
            top_only: head.top_only,
        },
        java_qimen: ev.java_qimen(),
        request,
        response,
        examples: Examples {
            request: examples(page, page::REQUEST_EXAMPLE),
            response: examples(page, page::RESPONSE_EXAMPLE),
            error: examples(page, page::ERROR_EXAMPLE),
        },
        error_codes,
    };
    Ok(assemble(file, parts, warnings))
}

/// What a reader knows about an API besides its parameters.
#[derive(Debug, Clone)]
pub struct Header {
    pub api: String,
    pub title: String,
    pub category: String,
    pub package: Option<String>,
    pub description: String,
    pub top_only: bool,
}

/// Everything a reader found, for [`assemble`].
#[derive(Debug, Clone)]
pub struct Parts {
    pub header: Header,
    /// Whether the Java request example calls the Qimen client, where there is one.
    pub java_qimen: Option<bool>,
    pub request: Vec<Param>,
    pub response: Vec<Param>,
    pub examples: Examples,
    pub error_codes: Vec<ErrorCode>,
}

/// The one place a spec is put together, for every reader: the protocol by
/// the one rule, the source as a `/` path, the warnings kept as notes.
pub fn assemble(file: &Path, parts: Parts, warnings: Vec<Warning>) -> Scraped {
    let Parts {
        header,
        java_qimen,
        request,
        response,
        examples,
        error_codes,
    } = parts;
    let protocol = Protocol::from_evidence(&ProtocolEvidence {
        java_qimen,
        category: &header.category,
        request: &request,
    });
    let spec = Spec {
        format: FORMAT_VERSION,
        api: header.api,
        title: header.title,
        category: header.category,
        package: header.package,
        description: header.description,
        top_only: header.top_only,
        protocol,
        source: file.to_string_lossy().replace('\\', "/"),
        request,
        response,
        examples,
        error_codes,
        notes: warnings.iter().map(Warning::note).collect(),
    };
    Scraped { spec, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_line_names_the_api_by_the_one_rule() {
        let t = |s: &str| split_title(s).map(|(api, title)| format!("{api}|{title}"));
        assert_eq!(
            t("taobao.pc.order.cancel (企业购订单取消)").as_deref(),
            Some("taobao.pc.order.cancel|企业购订单取消")
        );
        assert_eq!(
            t("m-kvstore.aliyuncs.com.X.2015-03-01 （创建实例）").as_deref(),
            Some("m-kvstore.aliyuncs.com.X.2015-03-01|创建实例")
        );
        assert_eq!(t("taobao (一个词)"), None);
        assert_eq!(t("文档中心 > API类目 (x)"), None);
    }
}
