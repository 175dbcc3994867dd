//! Evidence: what the page's examples say about the parameter trees.
//!
//! Both the XML response example and the Java request example become trees of
//! [`EvNode`]s. An array of structs shows as a wrapper whose children are the
//! items (`<order_items><order_item>…`, `listN.add(objN)`), so a struct's
//! fields are the children of the items.

pub mod java;
pub mod xml;

/// Which example a node comes from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Java,
    Xml,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Java => "Java request example",
            Source::Xml => "XML response example",
        }
    }
}

/// One element (XML) or setter call (Java).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvNode {
    /// Element name, or the setter's name without `set`.
    pub name: String,
    /// 1-based page line.
    pub line: usize,
    /// Text of a leaf element, or the literal passed to a setter.
    pub value: Option<String>,
    pub children: Vec<EvNode>,
    /// Java class of the object passed (simple name), where declared.
    pub class: Option<String>,
    pub source: Source,
}

impl EvNode {
    /// Matching key: `biz_order_id`, `BizOrderId` and `bizOrderId` agree.
    pub fn key(&self) -> String {
        key(&self.name)
    }

    /// Value of an array of scalars: the items' values joined by commas.
    pub fn joined_items(&self) -> Option<String> {
        if self.children.is_empty() {
            return self.value.clone();
        }
        let vals: Option<Vec<&str>> = self.children.iter().map(|c| c.value.as_deref()).collect();
        vals.map(|v| v.join(","))
    }
}

/// Wire names and setter names compare without underscores and case.
pub fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}
