//! A page saved from a browser as HTML, read into the same intermediate
//! [`Page`] as the text form.
//!
//! Headings and paragraphs give the head and the section titles; a `<table>`
//! per parameter block has a header row and one `<tr>` per top-level
//! parameter with every cell; nested rows are `<ul>` lists with one `<li>` per
//! cell; examples are `<pre>` blocks under their language tabs (a `<ul>`).

use std::collections::HashMap;

use ego_tree::NodeId;
use scraper::{ElementRef, Html};

use super::page::{
    Cell, Code, Page, REQUEST_EXAMPLE, Row, RowKind, SECTION_TITLES, Section, Table,
    is_code_section, is_table_section, sniff_lang, split_formats, tab_lang,
};

/// Elements whose text is one line of the page (head lines, section titles).
const LINE_TAGS: [&str; 9] = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span"];
/// Elements that hold other blocks.
const BLOCK_TAGS: [&str; 14] = [
    "div", "section", "article", "main", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre",
    "ul",
];

/// Source line of each element start tag, found by scanning the markup: the
/// DOM does not keep positions. Falls back to the parent's line when counts disagree.
struct Lines {
    by_node: HashMap<NodeId, usize>,
    /// For `<pre>`: the line its content starts on.
    pre_content: HashMap<NodeId, usize>,
}

fn scan_tags(src: &str) -> (HashMap<String, Vec<usize>>, Vec<usize>) {
    let mut tags: HashMap<String, Vec<usize>> = HashMap::new();
    let mut pre_content = Vec::new();
    let bytes = src.as_bytes();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'<' if src[i..].starts_with("<!--") => {
                let end = src[i..].find("-->").map_or(src.len(), |e| i + e + 3);
                line += src[i..end].matches('\n').count();
                i = end;
                continue;
            }
            b'<' => {
                let name: String = src[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !name.is_empty() {
                    tags.entry(name.clone()).or_default().push(line);
                    if name == "pre" {
                        pre_content.push(content_line(src, i, line));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    (tags, pre_content)
}

/// Line of the first content character after a `<pre>` (and a `<code>`) tag;
/// a newline right after the tag is dropped by HTML parsing.
fn content_line(src: &str, at: usize, line: usize) -> usize {
    let mut rest = &src[at..];
    let mut line = line;
    for _ in 0..2 {
        let Some(end) = rest.find('>') else {
            return line;
        };
        line += rest[..end].matches('\n').count();
        rest = &rest[end + 1..];
        if !rest
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("<code"))
        {
            break;
        }
    }
    if rest.starts_with('\n') || rest.starts_with("\r\n") {
        line + 1
    } else {
        line
    }
}

impl Lines {
    fn new(doc: &Html, src: &str) -> Lines {
        let (tags, pres) = scan_tags(src);
        let mut counters: HashMap<String, usize> = HashMap::new();
        let mut by_node = HashMap::new();
        let mut pre_content = HashMap::new();
        let last = src.lines().count().max(1);
        for el in doc.root_element().descendent_elements() {
            let name = el.value().name().to_string();
            let k = counters.entry(name.clone()).or_default();
            // Without a matching tag (one the parser implied, or counts
            // thrown off by an unclosed comment): the parent's line.
            let parent = el
                .parent()
                .and_then(|p| by_node.get(&p.id()).copied())
                .unwrap_or(1);
            let line = tags
                .get(&name)
                .and_then(|v| v.get(*k))
                .copied()
                .unwrap_or(parent)
                .min(last);
            if name == "pre" {
                pre_content.insert(el.id(), pres.get(*k).copied().unwrap_or(line).min(last));
            }
            by_node.insert(el.id(), line);
            *k += 1;
        }
        Lines {
            by_node,
            pre_content,
        }
    }

    fn of(&self, el: &ElementRef<'_>) -> usize {
        self.by_node.get(&el.id()).copied().unwrap_or(1)
    }
}

/// Text of an element: markup line breaks (with their indentation) become
/// one space; other spacing is kept verbatim.
fn text_of(el: &ElementRef<'_>) -> String {
    let raw: String = el.text().collect();
    let mut out = String::with_capacity(raw.len());
    for (i, part) in raw.split('\n').enumerate() {
        let part = if i == 0 { part.trim_end() } else { part.trim() };
        if i > 0 && !part.is_empty() && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out.trim().to_string()
}

fn has_block_child(el: &ElementRef<'_>) -> bool {
    el.child_elements()
        .any(|c| BLOCK_TAGS.contains(&c.value().name()))
}

struct Reader<'a> {
    lines: &'a Lines,
    head: Vec<Cell>,
    sections: Vec<Section>,
}

impl Reader<'_> {
    /// Visit the blocks in document order; a stack, not recursion, so deep
    /// markup cannot exhaust the thread's stack.
    fn walk(&mut self, root: ElementRef<'_>) {
        let mut todo = vec![root];
        while let Some(el) = todo.pop() {
            let name = el.value().name();
            match name {
                "script" | "style" | "head" | "nav" | "footer" => {}
                "table" => self.table(el),
                "pre" => self.pre(el),
                "ul" | "ol" => self.tabs(el),
                _ if LINE_TAGS.contains(&name) && !has_block_child(&el) => self.line(el),
                _ => {
                    let start = todo.len();
                    todo.extend(el.child_elements());
                    todo[start..].reverse();
                }
            }
        }
    }

    fn line(&mut self, el: ElementRef<'_>) {
        let text = text_of(&el);
        if text.is_empty() {
            return;
        }
        let line = self.lines.of(&el);
        if SECTION_TITLES.contains(&text.as_str()) {
            self.sections.push(Section {
                title: text,
                line,
                table: None,
                tabs: vec![],
                code: vec![],
            });
        } else if self.sections.is_empty() {
            self.head.push(Cell::new(text, line));
        }
    }

    fn tabs(&mut self, el: ElementRef<'_>) {
        if let Some(s) = self
            .sections
            .last_mut()
            .filter(|s| is_code_section(&s.title))
        {
            s.tabs.extend(
                el.child_elements()
                    .filter(|c| c.value().name() == "li")
                    .map(|c| text_of(&c)),
            );
        }
    }

    fn pre(&mut self, el: ElementRef<'_>) {
        let Some(s) = self
            .sections
            .last_mut()
            .filter(|s| is_code_section(&s.title))
        else {
            return;
        };
        let raw: String = el.text().collect();
        let text = raw.trim_end().to_string();
        if text.trim().is_empty() {
            return;
        }
        let line = self.lines.pre_content.get(&el.id()).copied().unwrap_or(1);
        let declared = std::iter::once(el)
            .chain(el.child_elements().filter(|c| c.value().name() == "code"))
            .find_map(|e| {
                e.value().attr("data-lang").map(str::to_string).or_else(|| {
                    e.value().classes().find_map(|c| {
                        c.strip_prefix("language-")
                            .or_else(|| c.strip_prefix("lang-"))
                            .map(str::to_string)
                    })
                })
            });
        if s.title == REQUEST_EXAMPLE {
            let lang = declared
                .or_else(|| s.tabs.get(s.code.len()).map(|t| tab_lang(t)))
                .unwrap_or_else(|| "java".into());
            s.code.push(Code {
                lang: lang.to_lowercase(),
                text,
                line,
            });
        } else if let Some(lang) = declared {
            s.code.push(Code {
                lang: lang.to_lowercase(),
                text,
                line,
            });
        } else if sniff_lang(&text).is_some() {
            s.code.extend(split_formats(&text, line));
        } else {
            s.code.push(Code {
                lang: "text".into(),
                text,
                line,
            });
        }
    }

    fn table(&mut self, el: ElementRef<'_>) {
        let Some(s) = self
            .sections
            .last_mut()
            .filter(|s| is_table_section(&s.title))
        else {
            return;
        };
        let trs: Vec<ElementRef<'_>> = el
            .descendent_elements()
            .filter(|e| e.value().name() == "tr")
            .collect();
        let mut header = Vec::new();
        let mut hline = self.lines.of(&el);
        let mut rows = Vec::new();
        for tr in trs {
            let ths: Vec<_> = tr
                .child_elements()
                .filter(|c| c.value().name() == "th")
                .collect();
            if !ths.is_empty() && header.is_empty() {
                header = ths.iter().map(text_of).collect();
                hline = self.lines.of(&tr);
                continue;
            }
            let uls: Vec<ElementRef<'_>> = tr
                .descendent_elements()
                .filter(|e| e.value().name() == "ul")
                .collect();
            if uls.is_empty() {
                let line = self.lines.of(&tr);
                let cells = tr
                    .child_elements()
                    .filter(|c| matches!(c.value().name(), "td" | "th"))
                    .map(|c| Cell::new(text_of(&c), line))
                    .collect();
                rows.push(Row {
                    line,
                    kind: RowKind::Top,
                    cells,
                    joined: false,
                });
                continue;
            }
            let nested_uls = uls.iter().any(|u| {
                u.ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.value().name() == "ul")
            });
            for ul in uls {
                let cells: Vec<Cell> = ul
                    .child_elements()
                    .filter(|c| c.value().name() == "li")
                    .map(|li| Cell::new(text_of(&li), self.lines.of(&li)))
                    .collect();
                let Some(first) = cells.first() else { continue };
                let leaf = first.text.starts_with('└');
                let depth = nested_uls.then(|| {
                    ul.ancestors()
                        .filter_map(ElementRef::wrap)
                        .take_while(|a| a.value().name() != "tr")
                        .filter(|a| a.value().name() == "ul")
                        .count()
                });
                let mut cells = cells;
                cells[0].text = cells[0].text.trim_start_matches('└').trim().to_string();
                rows.push(Row {
                    line: cells[0].line,
                    kind: RowKind::Nested { leaf, depth },
                    cells,
                    joined: false,
                });
            }
        }
        s.table = Some(Table {
            line: hline,
            header,
            rows,
        });
    }
}

/// Deepest element nesting accepted. A saved doc page nests about 20 deep;
/// browsers stop nesting at 512, and the HTML parser's work grows with the
/// square of the depth, so a deeper page is refused before it is parsed.
pub const MAX_NESTING: usize = 512;

/// Elements without an end tag, or whose end tag may be left out: the parser
/// closes them itself, so they do not count toward the nesting.
const UNNESTED: [&str; 30] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "li", "p", "td", "th", "tr", "dt", "dd", "option", "optgroup", "tbody",
    "thead", "tfoot", "colgroup", "caption", "rt", "rp",
];

/// The line where the markup first nests deeper than [`MAX_NESTING`], from
/// a linear scan of the tags (comments, scripts and styles skipped).
pub fn too_deep(src: &str) -> Option<usize> {
    let lower = src.to_ascii_lowercase();
    let b = lower.as_bytes();
    let newlines = |from: usize, to: usize| b[from..to].iter().filter(|&&c| c == b'\n').count();
    let (mut depth, mut line, mut i) = (0usize, 1usize, 0usize);
    while i < b.len() {
        if b[i] == b'\n' {
            line += 1;
        }
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if lower[i..].starts_with("<!--") {
            let end = lower[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            line += newlines(i, end);
            i = end;
            continue;
        }
        let close = b.get(i + 1) == Some(&b'/');
        let start = i + 1 + usize::from(close);
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let name = &lower[start..start + len];
        if name.is_empty() {
            i += 1;
            continue;
        }
        // The tag runs to its `>`; a `<` before it ends the scan of this tag.
        let end = b[start..]
            .iter()
            .position(|&c| c == b'>' || c == b'<')
            .map_or(b.len(), |e| start + e);
        let self_closing = end > 0 && b.get(end) == Some(&b'>') && b[end - 1] == b'/';
        line += newlines(i, end);
        i = end;
        if !close && (name == "script" || name == "style") {
            let stop = format!("</{name}");
            let to = lower[i..].find(&stop).map_or(b.len(), |e| i + e);
            line += newlines(i, to);
            i = to;
            continue;
        }
        if UNNESTED.contains(&name) || self_closing {
            continue;
        }
        if close {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > MAX_NESTING {
                return Some(line);
            }
        }
    }
    None
}

/// Read an HTML page.
pub fn read(src: &str) -> Page {
    // The parser keeps CR in `<pre>` text; CRLF must read like LF, and CRs
    // before a line end go as in the text reader.
    let src = &src
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n");
    let doc = Html::parse_document(src);
    let lines = Lines::new(&doc, src);
    let mut r = Reader {
        lines: &lines,
        head: vec![],
        sections: vec![],
    };
    r.walk(doc.root_element());
    Page {
        lines: src.lines().count(),
        head: r.head,
        sections: r.sections,
    }
}
