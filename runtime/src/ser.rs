//! `serde::Serialize` of the generated response types (their crates'
//! feature `serde`): each type lists its fields once and [`fields`] writes
//! any of them, so a type costs its crate one small impl, not a derive.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::params::{self, XmlItem};

/// A response field as it is written: left out when absent (`None`, an
/// empty list).
pub trait Field {
    fn absent(&self) -> bool;
    fn value(&self) -> &dyn erased_serde::Serialize;
}

impl<T: Serialize> Field for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
    fn value(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

impl<T: Serialize> Field for Vec<T> {
    fn absent(&self) -> bool {
        self.is_empty()
    }
    fn value(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

/// A list of a Qimen API, wrapped by its item name
/// ([`params::xml_items`]).
pub struct XmlItems<'a, T>(pub &'a [T]);

impl<T: XmlItem + Serialize> Serialize for XmlItems<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        params::xml_items(self.0, s)
    }
}

impl<T: XmlItem + Serialize> Field for XmlItems<'_, T> {
    fn absent(&self) -> bool {
        self.0.is_empty()
    }
    fn value(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

/// Writes the struct `name` with its `fields` (wire name and value, in
/// order), leaving the absent ones out, as serde's derive with
/// `skip_serializing_if` does.
pub fn fields<S: Serializer>(
    s: S,
    name: &'static str,
    fields: &[(&'static str, &dyn Field)],
) -> Result<S::Ok, S::Error> {
    let len = fields.iter().filter(|(_, f)| !f.absent()).count();
    let mut out = s.serialize_struct(name, len)?;
    for (key, f) in fields {
        if f.absent() {
            out.skip_field(key)?;
        } else {
            out.serialize_field(key, f.value())?;
        }
    }
    out.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Order {
        id: Option<i64>,
        note: Option<String>,
        tags: Vec<String>,
    }

    impl Serialize for Order {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            fields(
                s,
                "Order",
                &[
                    ("order_id", &self.id),
                    ("note", &self.note),
                    ("tags", &self.tags),
                ],
            )
        }
    }

    #[test]
    fn absent_fields_are_left_out_and_present_ones_keep_their_wire_names() {
        let order = Order {
            id: Some(9_007_199_254_740_993),
            note: None,
            tags: vec!["a".into()],
        };
        let json = serde_json::to_string(&order).unwrap();
        assert_eq!(json, r#"{"order_id":9007199254740993,"tags":["a"]}"#);
        let empty = Order {
            id: None,
            note: None,
            tags: Vec::new(),
        };
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
    }

    #[test]
    fn a_qimen_list_is_wrapped_by_its_item_name() {
        struct Items(Vec<String>);
        impl Serialize for Items {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                fields(s, "Items", &[("names", &XmlItems(&self.0))])
            }
        }
        let xml = quick_xml::se::to_string_with_root("response", &Items(vec!["a".into()]));
        assert_eq!(
            xml.unwrap(),
            "<response><names><string>a</string></names></response>"
        );
        let none = quick_xml::se::to_string_with_root("response", &Items(Vec::new()));
        assert_eq!(none.unwrap(), "<response/>");
    }
}
