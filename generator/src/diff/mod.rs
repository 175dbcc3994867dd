//! What changed between two spec trees, in the terms of the generated crate.
//!
//! [`load`] reads a tree (a folder, or `specs/` of a git revision) through the
//! spec model and its validation; [`compare`] pairs the APIs by name and their
//! parameters by wire path, after resolving both sides through the emitter's
//! type space, so every effect names the struct, field and setter the
//! generated crate really has; [`render`] writes Markdown or JSON.

mod compare;
pub mod load;
pub mod render;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

pub use compare::compare;
pub use load::{Tree, open_pair};

/// What kind of change one entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ApiAdded,
    ApiRemoved,
    FieldAdded,
    FieldRemoved,
    TypeChanged,
    RequiredChanged,
    CategoryChanged,
    ProtocolChanged,
    DescriptionChanged,
    ExampleChanged,
    ErrorCodeAdded,
    ErrorCodeRemoved,
    /// A code of a field's code list (its enum's variant).
    ValueAdded,
    ValueRemoved,
    /// A TOP type became one type of its crate's `types` module, or stopped
    /// being one.
    TypeShared,
    TypeUnshared,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ApiAdded => "api-added",
            Kind::ApiRemoved => "api-removed",
            Kind::FieldAdded => "field-added",
            Kind::FieldRemoved => "field-removed",
            Kind::TypeChanged => "type-changed",
            Kind::RequiredChanged => "required-changed",
            Kind::CategoryChanged => "category-changed",
            Kind::ProtocolChanged => "protocol-changed",
            Kind::DescriptionChanged => "description-changed",
            Kind::ExampleChanged => "example-changed",
            Kind::ErrorCodeAdded => "error-code-added",
            Kind::ErrorCodeRemoved => "error-code-removed",
            Kind::ValueAdded => "value-added",
            Kind::ValueRemoved => "value-removed",
            Kind::TypeShared => "type-shared",
            Kind::TypeUnshared => "type-unshared",
        }
    }
}

/// The version bump a change asks for, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Semver {
    None,
    Patch,
    Minor,
    Major,
}

impl Semver {
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

/// Both are written by their names (`api-added`, `major`).
macro_rules! serialize_as_str {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(Kind, Semver);

/// One change to one API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub api: String,
    /// Wire path, side first (`request.param.biz_order_id`); `""` for the whole API.
    pub path: String,
    pub kind: Kind,
    pub breaking: bool,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
    /// What it does to the generated crate, in Rust terms.
    pub effect: String,
    #[serde(skip)]
    pub level: Semver,
    /// Category of the API after the change (before it, for a removal).
    #[serde(skip)]
    pub category: String,
    /// The facade's feature (the category's crate) of the API, on the same side.
    #[serde(skip)]
    pub feature: String,
    /// For a change of a shared type (`api` is `types::Trade`): the APIs
    /// that use the type, whose users it reaches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reaches: Vec<String>,
}

/// Every change between two trees, in API order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Change {
    /// A change of a shared type rather than of one API.
    pub fn is_shared_type(&self) -> bool {
        self.api.starts_with(SHARED_PREFIX)
    }
}

/// What [`Change::api`] of a shared type's change starts with.
pub const SHARED_PREFIX: &str = "types::";

impl Report {
    pub fn semver(&self) -> Semver {
        self.changes
            .iter()
            .map(|c| c.level)
            .max()
            .unwrap_or(Semver::None)
    }

    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.breaking)
    }

    /// The APIs with a change, each with whether one of its changes breaks;
    /// a shared type's change (`types::Trade`) counts for each API it
    /// reaches, not as an API of its own.
    pub fn apis(&self) -> BTreeMap<&str, bool> {
        let mut out: BTreeMap<&str, bool> = BTreeMap::new();
        for c in &self.changes {
            if c.is_shared_type() {
                for api in &c.reaches {
                    *out.entry(api.as_str()).or_default() |= c.breaking;
                }
            } else {
                *out.entry(c.api.as_str()).or_default() |= c.breaking;
            }
        }
        out
    }

    /// `3 APIs changed, 1 breaking`: the counts a closing line reports.
    pub fn headline(&self) -> String {
        let apis = self.apis();
        let breaking = apis.values().filter(|b| **b).count();
        if apis.is_empty() {
            return "no API changed".to_string();
        }
        format!(
            "{} API{} changed, {breaking} breaking",
            apis.len(),
            if apis.len() == 1 { "" } else { "s" }
        )
    }
}
