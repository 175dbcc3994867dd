//! The intermediate page form both readers (text and HTML) produce, so one
//! structural parser serves both.

/// One cell with the 1-based page line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub line: usize,
}

impl Cell {
    pub fn new(text: impl Into<String>, line: usize) -> Self {
        Cell {
            text: text.into(),
            line,
        }
    }
}

/// Where a row sits in its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A table row proper (a top-level parameter).
    Top,
    /// A bullet group under a top-level row. `leaf` is the `└` mark, which
    /// says nothing about depth; `depth` is known only where the format nests.
    Nested { leaf: bool, depth: Option<usize> },
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub kind: RowKind,
    /// Cells in column order. When `joined`, a single cell holds the row's
    /// cells joined by spaces with the empty ones gone (the text form).
    pub cells: Vec<Cell>,
    pub joined: bool,
}

/// A table: its header cells and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub line: usize,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// A code block; `line` is the page line of its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub lang: String,
    pub text: String,
    pub line: usize,
}

/// A titled part of the page (`请求参数`, `响应示例`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub line: usize,
    pub table: Option<Table>,
    /// Language tabs shown above a code block (`JAVA`, `XML示例`, …).
    pub tabs: Vec<String>,
    pub code: Vec<Code>,
}

/// A whole page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Number of lines in the page.
    pub lines: usize,
    /// Non-empty lines before the first section title.
    pub head: Vec<Cell>,
    pub sections: Vec<Section>,
}

impl Page {
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.title == title)
    }
}

pub const REQUEST_PARAMS: &str = "请求参数";
pub const RESPONSE_PARAMS: &str = "响应参数";
pub const REQUEST_EXAMPLE: &str = "请求示例";
pub const RESPONSE_EXAMPLE: &str = "响应示例";
pub const ERROR_EXAMPLE: &str = "异常示例";
pub const ERROR_CODES: &str = "错误码解释";

/// Section titles of a doc page, in page order; the last ones are the footer.
pub const SECTION_TITLES: [&str; 12] = [
    "公共参数",
    REQUEST_PARAMS,
    RESPONSE_PARAMS,
    REQUEST_EXAMPLE,
    RESPONSE_EXAMPLE,
    ERROR_EXAMPLE,
    ERROR_CODES,
    "API工具",
    "如何获得此API",
    "FAQ",
    "返回",
    "顶部",
];

/// Sections whose body is a table.
pub fn is_table_section(title: &str) -> bool {
    matches!(title, REQUEST_PARAMS | RESPONSE_PARAMS | ERROR_CODES)
}

/// Sections whose body is language tabs and code.
pub fn is_code_section(title: &str) -> bool {
    matches!(title, REQUEST_EXAMPLE | RESPONSE_EXAMPLE | ERROR_EXAMPLE)
}

/// Lowercase language name for a tab label (`JAVA`, `XML示例`, `C/C++`).
pub fn tab_lang(tab: &str) -> String {
    let t = tab.trim().trim_end_matches("示例").to_lowercase();
    match t.as_str() {
        ".net" => "csharp".into(),
        "c/c++" => "c".into(),
        _ => t,
    }
}

/// Language of a block from its content, for example blocks without a tab.
pub fn sniff_lang(code: &str) -> Option<&'static str> {
    match code.trim_start().chars().next()? {
        '<' => Some("xml"),
        '{' | '[' => Some("json"),
        _ => None,
    }
}

/// Split a response example that shows XML and then JSON into its blocks:
/// a new block starts at a column-0 line opening the other format.
pub fn split_formats(text: &str, line: usize) -> Vec<Code> {
    let mut out: Vec<Code> = Vec::new();
    let mut cur: Option<(String, Vec<&str>, usize)> = None;
    for (i, l) in text.lines().enumerate() {
        let starts = match l.chars().next() {
            Some('<') => Some("xml"),
            Some('{') => Some("json"),
            _ => None,
        };
        match (&mut cur, starts) {
            (Some((lang, _, _)), Some(s)) if lang != s => {
                let (lang, lines, at) = cur.take().expect("matched Some");
                out.push(Code {
                    lang,
                    text: lines.join("\n"),
                    line: at,
                });
                cur = Some((s.to_string(), vec![l], line + i));
            }
            (Some((_, lines, _)), _) => lines.push(l),
            (None, s) => {
                let lang = s.or_else(|| sniff_lang(l)).unwrap_or("text");
                cur = Some((lang.to_string(), vec![l], line + i));
            }
        }
    }
    if let Some((lang, lines, at)) = cur {
        let text = lines.join("\n").trim_end().to_string();
        out.push(Code {
            lang,
            text,
            line: at,
        });
    }
    for c in &mut out {
        c.text = c.text.trim_end().to_string();
    }
    out
}
