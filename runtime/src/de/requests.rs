//! Request types read on the receiving side of Qimen
//! ([`crate::qimen::server`]): each field is read into its slot, then the
//! value is assembled with its required fields checked. Per type that is
//! three `match`es ([`WireRequest`]), where serde's derive with a reader
//! per field made a Qimen crate's `server` build three times as long.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Wire, list, list_option, option, required};

/// A generated Qimen request type, read field by field.
/// [`wire_request!`](crate::wire_request!) adds `Deserialize` on top.
pub trait WireRequest: Sized {
    /// `Option` of each field's declared type: `None` until it is read.
    type Slots;

    /// Every slot empty.
    fn slots() -> Self::Slots;

    /// The wire names of the fields, in the order [`WireRequest::read`]
    /// numbers them.
    const FIELDS: &'static [&'static str];

    /// The index of the field sent as `key`; `None` for a key the page
    /// does not document (its value is skipped).
    fn field(key: &str) -> Option<usize> {
        super::field_index(Self::FIELDS, key)
    }

    /// Reads the value of field `index` into its slot, with the reader for
    /// its kind ([`read_required`], [`read_option`], [`read_list`],
    /// [`read_list_option`]).
    fn read<'de, A: MapAccess<'de>>(
        slots: &mut Self::Slots,
        index: usize,
        map: &mut A,
    ) -> Result<(), A::Error>;

    /// The value, or the first required field missing ([`need`]).
    fn finish<E: de::Error>(slots: Self::Slots) -> Result<Self, E>;
}

/// `Deserialize` of a generated request type: an object read through its
/// [`WireRequest`].
#[macro_export]
macro_rules! wire_request {
    ($t:ty) => {
        impl<'de> $crate::__serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::de::wire_request(d)
            }
        }
    };
}

/// Reads an object as `T`: unknown keys are skipped, a key sent twice is an
/// error, as serde's derive has it.
pub fn wire_request<'de, D: Deserializer<'de>, T: WireRequest>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(RequestVisitor(PhantomData))
}

struct RequestVisitor<T>(PhantomData<T>);

impl<'de, T: WireRequest> Visitor<'de> for RequestVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut slots = T::slots();
        while let Some(key) = map.next_key::<String>()? {
            match T::field(&key) {
                Some(i) => T::read(&mut slots, i, &mut map)?,
                None => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        T::finish(slots)
    }
}

/// The value of a required field, or serde's `missing field` error.
pub fn need<T, E: de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(wire))
}

/// Fills `slot` with `seed`'s value, once.
fn fill<'de, A, S>(
    map: &mut A,
    slot: &mut Option<S::Value>,
    seed: S,
    wire: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    S: DeserializeSeed<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value_seed(seed)?);
    Ok(())
}

/// The readers of the four kinds of field, each a seed of its slot's value
/// and the function that fills the slot.
macro_rules! readers {
    ($($(#[$doc:meta])* $read:ident, $seed:ident, $value:ty, $with:expr;)*) => {$(
        struct $seed<T>(PhantomData<T>);

        impl<'de, T: Wire> DeserializeSeed<'de> for $seed<T> {
            type Value = $value;

            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
                $with(d)
            }
        }

        $(#[$doc])*
        pub fn $read<'de, A: MapAccess<'de>, T: Wire>(
            map: &mut A,
            slot: &mut Option<$value>,
            wire: &'static str,
        ) -> Result<(), A::Error> {
            fill(map, slot, $seed::<T>(PhantomData), wire)
        }
    )*};
}

readers! {
    /// A required field ([`required`]: absent or empty is an error).
    read_required, RequiredSeed, T, required;
    /// An optional field ([`option`]).
    read_option, OptionSeed, Option<T>, option;
    /// A required list ([`list`]): it must be there, and may be empty.
    read_list, ListSeed, Vec<T>, list;
    /// An optional list ([`list_option`]: `Some` whenever the element is there).
    read_list_option, ListOptionSeed, Option<Vec<T>>, list_option;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Cancel {
        code: String,
        note: Option<String>,
        items: Option<Vec<String>>,
    }

    impl WireRequest for Cancel {
        type Slots = (
            Option<String>,
            Option<Option<String>>,
            Option<Option<Vec<String>>>,
        );
        fn slots() -> Self::Slots {
            (None, None, None)
        }
        const FIELDS: &'static [&'static str] = &["orderCode", "note", "items"];
        fn read<'de, A: MapAccess<'de>>(
            slots: &mut Self::Slots,
            index: usize,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match index {
                0 => read_required(map, &mut slots.0, "orderCode"),
                1 => read_option(map, &mut slots.1, "note"),
                _ => read_list_option(map, &mut slots.2, "items"),
            }
        }
        fn finish<E: de::Error>(slots: Self::Slots) -> Result<Self, E> {
            Ok(Cancel {
                code: need(slots.0, "orderCode")?,
                note: slots.1.flatten(),
                items: slots.2.flatten(),
            })
        }
    }

    crate::wire_request!(Cancel);

    fn read(json: &str) -> Result<Cancel, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn fields_are_read_by_kind_and_unknown_ones_skipped() {
        let c = read(r#"{"orderCode": "O-1", "items": [], "extra": {"a": 1}}"#).unwrap();
        assert_eq!(
            c,
            Cancel {
                code: "O-1".into(),
                note: None,
                items: Some(Vec::new()),
            }
        );
        let c = read(r#"{"note": "n", "orderCode": 7}"#).unwrap();
        assert_eq!(
            (c.code.as_str(), c.note.as_deref(), c.items),
            ("7", Some("n"), None)
        );
    }

    #[test]
    fn a_required_field_missing_or_empty_and_a_field_sent_twice_are_errors() {
        let missing = read(r#"{"note": "n"}"#).unwrap_err();
        assert!(missing.contains("missing field `orderCode`"), "{missing}");
        let empty = read(r#"{"orderCode": null}"#).unwrap_err();
        assert!(empty.contains("a required value is empty"), "{empty}");
        let twice = read(r#"{"orderCode": "a", "orderCode": "b"}"#).unwrap_err();
        assert!(twice.contains("duplicate field `orderCode`"), "{twice}");
    }
}
