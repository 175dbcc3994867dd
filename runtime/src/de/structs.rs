//! Generated response structs: the field lookup, the field reader, optional structs.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer,
};
use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};

use super::{KeyText, NUMBER_TOKEN, Wire, field_index, list, option, unknown};

/// An optional struct without buffering: `null` and `""` are `None`, a map
/// is read field by field, anything else fails as `from_value` would.
pub(super) struct StructOption<T>(pub(super) PhantomData<T>);

impl<'de, T: Wire> Visitor<'de> for StructOption<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object, null or \"\"")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::wire_option(d)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(v.into_deserializer()).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(SeqAccessDeserializer::new(seq)).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(NotANumber(map))).map(Some)
    }
}

/// A map that refuses to be `arbitrary_precision`'s number map, so a number
/// where a struct belongs fails instead of reading as an empty struct.
pub(super) struct NotANumber<A>(pub(super) A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for NotANumber<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.0.next_key_seed(KeyText)? else {
            return Ok(None);
        };
        if key == NUMBER_TOKEN {
            return Err(A::Error::invalid_type(
                de::Unexpected::Other("number"),
                &"an object",
            ));
        }
        match key {
            Cow::Borrowed(k) => seed.deserialize(BorrowedStrDeserializer::new(k)),
            Cow::Owned(k) => seed.deserialize(StringDeserializer::new(k)),
        }
        .map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(seed)
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// A generated response struct: its fields by wire name, and a reader for
/// each. [`wire_struct!`](crate::wire_struct!) adds `Deserialize` and
/// [`Wire`] on top, so the per-struct code is a list of wire names and a
/// `match`.
pub trait WireStruct: Default {
    /// The wire names of the fields, in the order [`WireStruct::read`]
    /// numbers them.
    const FIELDS: &'static [&'static str];

    /// The index of the field sent as `key`; `None` for a key the page did
    /// not document (its value is skipped).
    fn field(key: &str) -> Option<usize> {
        field_index(Self::FIELDS, key)
    }

    /// Reads the value of field `index` (from [`WireStruct::field`]) off
    /// `map`, with [`field_into`].
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
}

/// The impls every generated struct shares, given its [`WireStruct`]:
/// `Deserialize` through [`wire_struct`], and [`Wire`] with its field names
/// telling a bare list item from a list wrapper.
#[macro_export]
macro_rules! wire_struct {
    ($t:ty) => {
        impl<'de> $crate::__serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::de::wire_struct(d)
            }
        }
        impl $crate::de::Wire for $t {
            fn may_start_item(key: &str) -> bool {
                <Self as $crate::de::WireStruct>::field(key).is_some()
            }
        }
    };
}

/// `Deserialize` of a generated struct: an object, read field by field;
/// unknown keys are skipped, a repeated key keeps its last value.
pub fn wire_struct<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: WireStruct,
{
    d.deserialize_map(StructVisitor(PhantomData))
}

/// Reads one field's value into `slot`, in the gateway's loose forms:
/// `Option<T>` as [`option`] does, `Vec<T>` as [`list`] does.
pub fn field_into<'de, A, F>(map: &mut A, slot: &mut F) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FieldValue,
{
    *slot = map.next_value_seed(FieldSeed(PhantomData))?;
    Ok(())
}

/// Skips a value nobody reads.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

/// The type of a generated response field.
pub trait FieldValue: Sized {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

impl<T: Wire> FieldValue for Option<T> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        option(d)
    }
}

impl<T: Wire> FieldValue for Vec<T> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        list(d)
    }
}

struct FieldSeed<F>(PhantomData<F>);

impl<'de, F: FieldValue> DeserializeSeed<'de> for FieldSeed<F> {
    type Value = F;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<F, D::Error> {
        F::read(d)
    }
}

/// A key of a generated struct, resolved without allocating.
enum StructKey<'de> {
    /// A field, with its wire name for the path of what it holds.
    Field(usize, Cow<'de, str>),
    Unknown,
    /// `arbitrary_precision`'s number map: a number where an object belongs.
    Number,
}

struct StructKeySeed<T>(PhantomData<T>);

impl<'de, T: WireStruct> DeserializeSeed<'de> for StructKeySeed<T> {
    type Value = StructKey<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StructKey<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<T: WireStruct> StructKeySeed<T> {
    fn key<'de>(v: &str, name: impl FnOnce() -> Cow<'de, str>) -> StructKey<'de> {
        match T::field(v) {
            Some(i) => StructKey::Field(i, name()),
            None if v == NUMBER_TOKEN => StructKey::Number,
            None => {
                unknown::note(v);
                StructKey::Unknown
            }
        }
    }
}

impl<'de, T: WireStruct> Visitor<'de> for StructKeySeed<T> {
    type Value = StructKey<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<StructKey<'de>, E> {
        Ok(Self::key(v, || Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<StructKey<'de>, E> {
        Ok(Self::key(v, || Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<StructKey<'de>, E> {
        Ok(match Self::key(&v, || Cow::Borrowed("")) {
            StructKey::Field(i, _) => StructKey::Field(i, Cow::Owned(v)),
            other => other,
        })
    }
}

struct StructVisitor<T>(PhantomData<T>);

/// Reads the rest of a struct's map into `out`.
fn struct_fields<'de, T: WireStruct, A: MapAccess<'de>>(
    out: &mut T,
    map: &mut A,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key_seed(StructKeySeed::<T>(PhantomData))? {
        match key {
            StructKey::Field(i, name) => {
                let before = unknown::count();
                let read = out.read(i, map);
                if unknown::count() != before {
                    unknown::under_key(before, &name);
                }
                read?;
            }
            StructKey::Unknown => skip(map)?,
            StructKey::Number => {
                return Err(A::Error::invalid_type(
                    de::Unexpected::Other("number"),
                    &"an object",
                ));
            }
        }
    }
    Ok(())
}

impl<'de, T: WireStruct> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        struct_fields(&mut out, &mut map)?;
        Ok(out)
    }
}
