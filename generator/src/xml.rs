//! The one XML reader for a page's examples, shared by the scraper (which
//! reads them as evidence of the parameter trees) and the emitter (which
//! rewrites them as the gateway's JSON). Strict: end tags must match their
//! start tags, text stands inside elements, and nesting is limited, so a
//! hostile example cannot exhaust the stack or memory.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::diag::Lines;

/// Deepest element nesting read: an array of structs takes two levels per
/// parameter level, and a deeper tree could not become a spec anyway.
pub const MAX_NESTING: usize = 4 * crate::spec::MAX_DEPTH;

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// 1-based page line of its start tag (0 for an element built in memory).
    pub line: usize,
    /// Its text as written, entities resolved, whitespace kept.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// A leaf element with `text`, built in memory.
    pub fn leaf(name: &str, text: String) -> Self {
        Element {
            name: name.to_string(),
            text,
            ..Element::default()
        }
    }

    /// An element with `children`, built in memory.
    pub fn parent(name: &str, children: Vec<Element>) -> Self {
        Element {
            name: name.to_string(),
            children,
            ..Element::default()
        }
    }
}

/// Why an example could not be read, with its page line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parse an example into its root elements (a fragment may have several).
/// `first_line` is the page line of the code's first line.
pub fn parse(code: &str, first_line: usize) -> Result<Vec<Element>, Broken> {
    let mut reader = Reader::from_str(code);
    reader.config_mut().check_end_names = true;
    let lines = Lines::new(code.as_bytes());
    let line_at = |pos: u64| {
        first_line + lines.line(usize::try_from(pos).unwrap_or(usize::MAX).min(code.len())) - 1
    };
    let broken = |pos: u64, message: String| Broken {
        line: line_at(pos),
        message,
    };
    let mut stack: Vec<Element> = vec![Element {
        line: first_line,
        ..Element::default()
    }];
    loop {
        let ev = reader.read_event();
        let pos = reader.buffer_position();
        match ev {
            Err(e) => return Err(broken(reader.error_position(), e.to_string())),
            Ok(Event::Start(e)) => {
                if stack.len() > MAX_NESTING {
                    return Err(broken(
                        pos,
                        format!("elements nested deeper than {MAX_NESTING} levels"),
                    ));
                }
                stack.push(Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    line: line_at(pos),
                    ..Element::default()
                });
            }
            Ok(Event::Empty(e)) => {
                let n = Element {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    line: line_at(pos),
                    ..Element::default()
                };
                top(&mut stack).children.push(n);
            }
            Ok(Event::End(_)) => {
                let n = stack.pop().expect("end names are checked");
                top(&mut stack).children.push(n);
            }
            Ok(Event::Text(t)) => {
                let s = t.decode().map_err(|e| broken(pos, e.to_string()))?;
                push_text(&mut stack, &s, || {
                    broken(pos, format!("text `{}` outside any element", s.trim()))
                })?;
            }
            Ok(Event::CData(t)) => {
                let s = String::from_utf8_lossy(&t).into_owned();
                push_text(&mut stack, &s, || {
                    broken(pos, "CDATA outside any element".into())
                })?;
            }
            Ok(Event::GeneralRef(r)) => {
                let s = entity(&r).map_err(|m| broken(pos, m))?;
                push_text(&mut stack, &s, || {
                    broken(pos, "entity outside any element".into())
                })?;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    if stack.len() > 1 {
        let open = stack.last().expect("checked length");
        return Err(Broken {
            line: open.line,
            message: format!("element `{}` is never closed", open.name),
        });
    }
    let root = stack.pop().expect("the virtual root stays");
    if root.children.is_empty() {
        return Err(Broken {
            line: first_line,
            message: "no XML element in the example".into(),
        });
    }
    Ok(root.children)
}

fn top(stack: &mut [Element]) -> &mut Element {
    stack.last_mut().expect("the virtual root stays")
}

/// A character reference or one of XML's five named entities.
fn entity(r: &quick_xml::events::BytesRef) -> Result<String, String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    Ok(match name.as_ref() {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        other => return Err(format!("unknown entity `&{other};`")),
    }
    .to_string())
}

fn push_text(
    stack: &mut [Element],
    s: &str,
    outside: impl FnOnce() -> Broken,
) -> Result<(), Broken> {
    if stack.len() == 1 {
        if s.trim().is_empty() {
            return Ok(());
        }
        return Err(outside());
    }
    top(stack).text.push_str(s);
    Ok(())
}

/// XML text of `nodes` under a root element `root`, indented.
pub fn render(root: &str, nodes: &[Element]) -> String {
    fn write(out: &mut String, n: &Element, depth: usize) {
        let pad = "    ".repeat(depth);
        if n.children.is_empty() {
            let text = quick_xml::escape::escape(n.text.as_str());
            out.push_str(&format!("{pad}<{0}>{text}</{0}>\n", n.name));
        } else {
            out.push_str(&format!("{pad}<{}>\n", n.name));
            for c in &n.children {
                write(out, c, depth + 1);
            }
            out.push_str(&format!("{pad}</{}>\n", n.name));
        }
    }
    let mut out = String::new();
    write(&mut out, &Element::parent(root, nodes.to_vec()), 0);
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_with_lines() {
        let roots = parse(
            "<a_response>\n  <x>1</x>\n  <l><i><y>2</y></i></l>\n</a_response>",
            10,
        )
        .unwrap();
        assert_eq!(roots.len(), 1);
        let a = &roots[0];
        assert_eq!((a.name.as_str(), a.line), ("a_response", 10));
        assert_eq!((a.children[0].text.as_str(), a.children[0].line), ("1", 11));
        assert_eq!(a.children[1].children[0].children[0].text, "2");
        assert_eq!(a.children[1].line, 12);
    }

    #[test]
    fn a_fragment_has_several_roots() {
        let roots = parse("<flag>ok</flag>\n<code>S01</code>", 1).unwrap();
        let names: Vec<_> = roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["flag", "code"]);
    }

    #[test]
    fn entities_are_resolved_and_whitespace_kept() {
        let roots = parse("<m> a &amp; b &#x4e2d; </m>", 1).unwrap();
        assert_eq!(roots[0].text, " a & b 中 ");
        let e = parse("<m>&nbsp;</m>", 1).unwrap_err();
        assert!(e.message.contains("unknown entity"), "{e:?}");
    }

    #[test]
    fn a_mismatched_end_tag_is_reported_with_its_line() {
        let e = parse("<a>\n  <b>1</c>\n</a>", 5).unwrap_err();
        assert_eq!(e.line, 6, "{e:?}");
    }

    #[test]
    fn an_unclosed_element_is_reported() {
        let e = parse("<a>\n  <b>1</b>\n", 3).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("never closed"), "{e:?}");
    }

    #[test]
    fn text_outside_elements_and_an_empty_example_are_broken() {
        assert!(parse("<a>1</a> tail", 1).is_err());
        assert!(parse("  \n", 1).is_err());
    }

    #[test]
    fn nesting_is_limited() {
        let deep = "<a>".repeat(MAX_NESTING + 2);
        let e = parse(&deep, 1).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e:?}");
        let ok = format!(
            "{}{}",
            "<a>".repeat(MAX_NESTING),
            "</a>".repeat(MAX_NESTING)
        );
        assert!(parse(&ok, 1).is_ok());
    }

    #[test]
    fn render_escapes_and_round_trips_through_parse() {
        let nodes = vec![
            Element::leaf("a", "x < y & z".into()),
            Element::parent(
                "list",
                vec![
                    Element::leaf("string", "1".into()),
                    Element::leaf("string", "2".into()),
                ],
            ),
        ];
        let xml = render("r", &nodes);
        assert_eq!(
            xml,
            "<r>\n    <a>x &lt; y &amp; z</a>\n    <list>\n        <string>1</string>\n        <string>2</string>\n    </list>\n</r>"
        );
        let back = parse(&xml, 1).unwrap();
        assert_eq!(back[0].children[0].text, "x < y & z");
        assert_eq!(back[0].children[1].children.len(), 2);
    }
}
