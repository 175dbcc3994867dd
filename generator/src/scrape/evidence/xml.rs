//! The XML response example as evidence. It may be a fragment with several
//! roots (a page without the `_response` envelope).

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{EvNode, Source};

/// Deepest element nesting read: an array of structs takes two levels per
/// parameter level, and a deeper tree could not become a spec anyway.
pub const MAX_NESTING: usize = 4 * crate::spec::MAX_DEPTH;

/// Why the example could not be read, with its page line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub line: usize,
    pub message: String,
}

/// Byte offsets where the code's lines start, to turn a position into a
/// line without rescanning the code for every element.
fn line_starts(code: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(code.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn line_at(starts: &[usize], pos: u64, first_line: usize) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX);
    first_line + starts.partition_point(|&s| s <= pos).saturating_sub(1)
}

fn node(name: String, line: usize) -> EvNode {
    EvNode {
        name,
        line,
        value: None,
        children: vec![],
        class: None,
        source: Source::Xml,
    }
}

/// Parse the example into its root elements. `first_line` is the page line of
/// the code's first line.
pub fn parse(code: &str, first_line: usize) -> Result<Vec<EvNode>, Broken> {
    let mut reader = Reader::from_str(code);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<(EvNode, String)> = vec![(node(String::new(), first_line), String::new())];
    let starts = line_starts(code);
    let line_at = |pos: u64| line_at(&starts, pos, first_line);
    let broken = |pos: u64, message: String| Broken {
        line: line_at(pos),
        message,
    };
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
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                stack.push((node(name, line_at(pos)), String::new()));
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut n = node(name, line_at(pos));
                n.value = Some(String::new());
                stack
                    .last_mut()
                    .expect("the virtual root stays")
                    .0
                    .children
                    .push(n);
            }
            Ok(Event::End(_)) => {
                let (mut n, text) = stack.pop().expect("end names are checked");
                if n.children.is_empty() {
                    n.value = Some(text.trim().to_string());
                }
                stack
                    .last_mut()
                    .expect("the virtual root stays")
                    .0
                    .children
                    .push(n);
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
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.decode().map_err(|e| broken(pos, e.to_string()))?;
                        match name.as_ref() {
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "amp" => "&".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            other => {
                                return Err(broken(pos, format!("unknown entity `&{other};`")));
                            }
                        }
                    }
                };
                push_text(&mut stack, &s, || {
                    broken(pos, "entity outside any element".into())
                })?;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
        }
    }
    if stack.len() > 1 {
        let (open, _) = stack.last().expect("checked length");
        return Err(Broken {
            line: open.line,
            message: format!("element `{}` is never closed", open.name),
        });
    }
    let (root, _) = stack.pop().expect("the virtual root stays");
    if root.children.is_empty() {
        return Err(Broken {
            line: first_line,
            message: "no XML element in the example".into(),
        });
    }
    Ok(root.children)
}

fn push_text(
    stack: &mut [(EvNode, String)],
    s: &str,
    outside: impl FnOnce() -> Broken,
) -> Result<(), Broken> {
    if stack.len() == 1 {
        if s.trim().is_empty() {
            return Ok(());
        }
        return Err(outside());
    }
    stack.last_mut().expect("checked length").1.push_str(s);
    Ok(())
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
        assert_eq!(a.name, "a_response");
        assert_eq!(a.children[0].name, "x");
        assert_eq!(a.children[0].value.as_deref(), Some("1"));
        assert_eq!(a.children[0].line, 11);
        assert_eq!(
            a.children[1].children[0].children[0].value.as_deref(),
            Some("2")
        );
        assert_eq!(a.children[1].line, 12);
    }

    #[test]
    fn a_fragment_has_several_roots() {
        let roots = parse("<flag>ok</flag>\n<code>S01</code>", 1).unwrap();
        let names: Vec<_> = roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["flag", "code"]);
    }

    #[test]
    fn entities_are_resolved() {
        let roots = parse("<m>a &amp; b &#x4e2d;</m>", 1).unwrap();
        assert_eq!(roots[0].value.as_deref(), Some("a & b 中"));
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
    fn items_of_an_array_join_with_commas() {
        let roots = parse("<ids><string>Top</string><string>Pub</string></ids>", 1).unwrap();
        assert_eq!(roots[0].joined_items().as_deref(), Some("Top,Pub"));
    }
}
