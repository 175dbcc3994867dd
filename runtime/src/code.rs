//! Fields whose description lists their codes are generated as enums with a
//! catch-all (`Other(String)`), so a code the documentation does not list
//! still decodes and can be sent.
//!
//! A generated enum implements [`Code`] (its codes and two `match`es) and
//! invokes [`code_enum!`](crate::code_enum) for everything else: decoding reads
//! the wire value with the text field's lenient reader (a number or a string
//! alike), encoding gives back the exact wire text, and a `Number` field's
//! codes go out as JSON numbers.

use serde::de::Deserializer;
use serde::ser::Serializer;

use crate::de::Wire;

/// A code list: each listed code has a variant, anything else is kept as text.
pub trait Code: Sized {
    /// The listed codes' wire texts, in variant order.
    const CODES: &'static [&'static str];
    /// The field is a TOP `Number`: its codes are integers, sent as numbers in JSON.
    const NUMBER: bool;
    /// The variant of `CODES[index]`.
    fn listed(index: usize) -> Self;
    /// The catch-all for a code the list lacks.
    fn other(text: String) -> Self;
    /// `Ok(index into CODES)` for a listed variant, `Err(text)` for the catch-all.
    fn index(&self) -> Result<usize, &str>;

    /// The code exactly as on the wire.
    fn wire(&self) -> &str {
        match self.index() {
            Ok(i) => Self::CODES[i],
            Err(text) => text,
        }
    }

    /// The variant for a wire text; unlisted text goes to the catch-all as it came.
    fn from_wire_text(text: String) -> Self {
        match Self::CODES.iter().position(|c| *c == text) {
            Some(i) => Self::listed(i),
            None => Self::other(text),
        }
    }
}

/// An empty text is an absent value, unless the list has the empty code.
fn present<T: Code>(text: Option<String>) -> Option<T> {
    text.filter(|t| !t.is_empty() || T::CODES.contains(&""))
        .map(T::from_wire_text)
}

/// [`Wire::wire_option`] of a code enum: the text reader, then the lookup.
pub fn wire_option<'de, D: Deserializer<'de>, T: Code>(d: D) -> Result<Option<T>, D::Error> {
    <String as Wire>::wire_option(d).map(present)
}

/// [`Wire::wire_item`] of a code enum.
pub fn wire_item<'de, D: Deserializer<'de>, T: Code>(d: D) -> Result<T, D::Error> {
    <String as Wire>::wire_item(d).map(T::from_wire_text)
}

/// `Serialize` of a code enum: the wire text, a number for a `Number` field's
/// integer codes (an unlisted non-integer text stays text).
pub fn serialize<S: Serializer, T: Code>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    let text = v.wire();
    match text.parse::<i64>() {
        Ok(n) if T::NUMBER => s.serialize_i64(n),
        _ => s.serialize_str(text),
    }
}

/// The impls every generated code enum needs: `Deserialize`, `Serialize`,
/// `Display` and `From` a code's text, and an inherent `as_str()` (no trait
/// to import), all through [`Code`]. [`Wire`], [`Text`](crate::params::Text)
/// and [`XmlItem`](crate::params::XmlItem) come from blanket impls here.
#[macro_export]
macro_rules! code_enum {
    ($t:ty) => {
        impl $t {
            /// The code exactly as on the wire.
            pub fn as_str(&self) -> &str {
                $crate::code::Code::wire(self)
            }
        }
        impl ::core::fmt::Display for $t {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::code::Code::wire(self))
            }
        }
        impl<'de> $crate::__serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::code::wire_item(d)
            }
        }
        impl $crate::__serde::Serialize for $t {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::code::serialize(self, s)
            }
        }
        impl ::core::convert::From<&str> for $t {
            fn from(code: &str) -> Self {
                $crate::code::Code::from_wire_text(code.to_owned())
            }
        }
        impl ::core::convert::From<::std::string::String> for $t {
            fn from(code: ::std::string::String) -> Self {
                $crate::code::Code::from_wire_text(code)
            }
        }
    };
}

// Written once for every code enum rather than per enum by `code_enum!`:
// less for the compiler in a crate of thousands.
impl<T: Code + serde::de::DeserializeOwned> Wire for T {
    const BUFFERED: bool = true;
    fn may_start_item(key: &str) -> bool {
        <String as Wire>::may_start_item(key)
    }
    fn wire_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        wire_option(d)
    }
    fn wire_item<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        wire_item(d)
    }
}

impl<T: Code> crate::params::Text for T {
    fn to_text(&self) -> String {
        self.wire().to_owned()
    }
}

impl<T: Code> crate::params::XmlItem for T {
    const ELEMENT: &'static str = if T::NUMBER { "number" } else { "string" };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Text, joined};

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Status {
        Open,
        Closed,
        Other(String),
    }

    impl Code for Status {
        const CODES: &'static [&'static str] = &["OPEN", "CLOSED"];
        const NUMBER: bool = false;
        fn listed(index: usize) -> Self {
            match index {
                0 => Self::Open,
                _ => Self::Closed,
            }
        }
        fn other(text: String) -> Self {
            Self::Other(text)
        }
        fn index(&self) -> Result<usize, &str> {
            match self {
                Self::Open => Ok(0),
                Self::Closed => Ok(1),
                Self::Other(t) => Err(t),
            }
        }
    }
    crate::code_enum!(Status);

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Level {
        L1,
        L2,
        Other(String),
    }

    impl Code for Level {
        const CODES: &'static [&'static str] = &["1", "2"];
        const NUMBER: bool = true;
        fn listed(index: usize) -> Self {
            match index {
                0 => Self::L1,
                _ => Self::L2,
            }
        }
        fn other(text: String) -> Self {
            Self::Other(text)
        }
        fn index(&self) -> Result<usize, &str> {
            match self {
                Self::L1 => Ok(0),
                Self::L2 => Ok(1),
                Self::Other(t) => Err(t),
            }
        }
    }
    crate::code_enum!(Level);

    #[derive(Debug, Default, PartialEq)]
    struct Row {
        status: Option<Status>,
        levels: Vec<Level>,
    }

    impl crate::de::WireStruct for Row {
        const FIELDS: &'static [&'static str] = &["status", "levels"];
        fn read<'de, A: serde::de::MapAccess<'de>>(
            &mut self,
            index: usize,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match index {
                0 => crate::de::field_into(map, &mut self.status),
                1 => crate::de::field_into(map, &mut self.levels),
                _ => crate::de::skip(map),
            }
        }
    }
    crate::wire_struct!(Row);

    fn row(json: &str) -> Row {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn listed_codes_decode_to_their_variant_and_others_keep_their_text() {
        assert_eq!(row(r#"{"status": "OPEN"}"#).status, Some(Status::Open));
        assert_eq!(
            row(r#"{"status": "PAUSED"}"#).status,
            Some(Status::Other("PAUSED".into()))
        );
        assert_eq!(row(r#"{"status": ""}"#).status, None);
        assert_eq!(row(r#"{"status": null}"#).status, None);
    }

    #[test]
    fn numeric_codes_read_as_numbers_or_text_and_in_wrapped_lists() {
        assert_eq!(
            row(r#"{"levels": [1, "2", 7]}"#).levels,
            [Level::L1, Level::L2, Level::Other("7".into())]
        );
        assert_eq!(row(r#"{"levels": {"number": [2]}}"#).levels, [Level::L2]);
        assert_eq!(row(r#"{"levels": 1}"#).levels, [Level::L1]);
    }

    #[test]
    fn encoding_gives_back_the_wire_text_numbers_as_numbers() {
        assert_eq!(Status::Closed.to_text(), "CLOSED");
        assert_eq!(Status::from("OPEN"), Status::Open);
        assert_eq!(Status::from(String::from("x")), Status::Other("x".into()));
        assert_eq!(Status::Other("NEW_ONE".into()).to_text(), "NEW_ONE");
        assert_eq!(joined(&[Level::L2, Level::Other("9".into())]), "2,9");
        let json = serde_json::to_string(&(Level::L1, Status::Open, Level::Other("x".into())));
        assert_eq!(json.unwrap(), r#"[1,"OPEN","x"]"#);
    }

    #[test]
    fn as_str_and_display_give_the_wire_text_without_a_trait_import() {
        assert_eq!(Status::Open.as_str(), "OPEN");
        assert_eq!(Status::Other("NEW".into()).as_str(), "NEW");
        assert_eq!(Level::from("2").to_string(), "2");
        assert_eq!(Level::L1.as_str(), "1");
        assert_eq!(format!("{}", Status::Closed), "CLOSED");
    }
}
