//! The XML response example as evidence, read by the shared example reader
//! ([`crate::xml`]). It may be a fragment with several roots (a page without
//! the `_response` envelope).

use super::{EvNode, Source};
pub use crate::xml::Broken;
use crate::xml::Element;

fn node(e: Element) -> EvNode {
    // A leaf's value is its text, trimmed; a parent has none.
    let value = e.children.is_empty().then(|| e.text.trim().to_string());
    EvNode {
        name: e.name,
        line: e.line,
        value,
        children: e.children.into_iter().map(node).collect(),
        class: None,
        source: Source::Xml,
    }
}

/// Parse the example into its root elements. `first_line` is the page line of
/// the code's first line.
pub fn parse(code: &str, first_line: usize) -> Result<Vec<EvNode>, Broken> {
    Ok(crate::xml::parse(code, first_line)?
        .into_iter()
        .map(node)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_have_trimmed_values_and_parents_none() {
        let roots = parse("<a>\n  <x> 1 </x>\n  <e/>\n  <l><i>2</i></l>\n</a>", 10).unwrap();
        let a = &roots[0];
        assert_eq!((a.value.as_deref(), a.line), (None, 10));
        assert_eq!(a.children[0].value.as_deref(), Some("1"));
        assert_eq!(a.children[0].line, 11);
        assert_eq!(a.children[1].value.as_deref(), Some(""));
        assert_eq!(a.children[2].children[0].value.as_deref(), Some("2"));
        assert_eq!(a.children[2].children[0].source, Source::Xml);
    }

    #[test]
    fn items_of_an_array_join_with_commas() {
        let roots = parse("<ids><string>Top</string><string>Pub</string></ids>", 1).unwrap();
        assert_eq!(roots[0].joined_items().as_deref(), Some("Top,Pub"));
    }
}
