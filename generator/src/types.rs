//! What the project knows about TOP types, in one place: the scalar type
//! names every reader recognises, the array marks, and the Rust type each
//! scalar becomes. The page readers use it to tell leaves from structs, the
//! JSON reader to doubt a scalar with sub-parameters, the type space to map
//! fields, the emitter to write them.

/// A TOP scalar type: the class of Rust type it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Scalar {
    String,
    Int,
    Bool,
    Decimal,
    DateTime,
    Map,
    Json,
    File,
}

/// Every TOP scalar type name and the scalar it is, the one table.
///
/// `Byte`/`byte` alone is Java's `Byte`, a small number: every such field of
/// the doc center is a code or flag (`is_test`: 0/1); marked as an array it
/// is a file, see [`leaf`]. `Double` and `Float` are decimals, so an amount
/// never goes through `f64`. `FieldList` is the comma-separated field list
/// of the `fields` parameter. `byte[]` and `Byte[]` stay names of their own,
/// as older specs of pages wrote them.
pub const TABLE: [(&str, Scalar); 20] = [
    ("String", Scalar::String),
    ("FieldList", Scalar::String),
    ("Number", Scalar::Int),
    ("Integer", Scalar::Int),
    ("Int", Scalar::Int),
    ("Long", Scalar::Int),
    ("Short", Scalar::Int),
    ("Byte", Scalar::Int),
    ("byte", Scalar::Int),
    ("Boolean", Scalar::Bool),
    ("BigDecimal", Scalar::Decimal),
    ("Price", Scalar::Decimal),
    ("Double", Scalar::Decimal),
    ("Float", Scalar::Decimal),
    ("Date", Scalar::DateTime),
    ("Map", Scalar::Map),
    ("Json", Scalar::Json),
    ("byte[]", Scalar::File),
    ("Byte[]", Scalar::File),
    ("File", Scalar::File),
];

/// How the codes of a code list travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codes {
    /// Any codes, as text.
    Text,
    /// Integer codes, as numbers.
    Number,
}

/// The TOP types whose fields take a code list, and how their codes
/// travel: `String` takes any codes, `Number` integer codes (so they stay
/// numbers on the wire). Other types keep their own meaning (`Boolean`
/// stays `bool`, a `Long` id stays a number).
pub fn code_list(top_type: &str) -> Option<Codes> {
    match top_type {
        "String" => Some(Codes::Text),
        "Number" => Some(Codes::Number),
        _ => None,
    }
}

/// Type given to a parameter whose document names none: it keeps any value.
pub const UNTYPED: &str = "Json";

impl Scalar {
    /// The Rust type the scalar becomes, as the emitter writes it.
    pub fn rust_type(self) -> &'static str {
        match self {
            Scalar::String => "String",
            Scalar::Int => "i64",
            Scalar::Bool => "bool",
            Scalar::Decimal => "::top_runtime::Decimal",
            Scalar::DateTime => "::top_runtime::DateTime",
            Scalar::Map => "::std::collections::BTreeMap<String, String>",
            Scalar::Json => "::serde_json::Value",
            Scalar::File => "::top_runtime::FileItem",
        }
    }

    /// The Rust type as the generated README shows it, with what users
    /// should know about it.
    pub fn shown(self) -> &'static str {
        match self {
            Scalar::String => "`String`",
            Scalar::Int => "`i64`",
            Scalar::Bool => "`bool`",
            Scalar::Decimal => "`top_runtime::Decimal` (exact, never `f64`)",
            Scalar::DateTime => "`top_runtime::DateTime` (`yyyy-MM-dd HH:mm:ss`)",
            Scalar::Map => "`BTreeMap<String, String>`",
            Scalar::Json => "`serde_json::Value`",
            Scalar::File => {
                "`top_runtime::FileItem` (multipart upload) as a top-level request parameter; \
                 elsewhere `serde_json::Value` (base64 text)"
            }
        }
    }
}

/// The TOP type names of each scalar, in table order.
pub fn by_scalar() -> Vec<(Scalar, Vec<&'static str>)> {
    let mut out: Vec<(Scalar, Vec<&str>)> = Vec::new();
    for (name, scalar) in TABLE {
        match out.iter_mut().find(|(s, _)| *s == scalar) {
            Some((_, names)) => names.push(name),
            None => out.push((scalar, vec![name])),
        }
    }
    out
}

/// The scalar a TOP type name is, if it is one.
pub fn scalar(top_type: &str) -> Option<Scalar> {
    TABLE
        .iter()
        .find(|(name, _)| *name == top_type)
        .map(|&(_, s)| s)
}

/// A type that never has fields of its own. Anything else (`Struct`,
/// `OrderItem`) is a struct.
pub fn is_scalar(top_type: &str) -> bool {
    scalar(top_type).is_some()
}

/// The scalar of a parameter without fields, array mark included:
/// `byte` marked as an array is `byte[]`, one file, not a list of numbers.
pub fn leaf(top_type: &str, array: bool) -> Option<(Scalar, bool)> {
    match (top_type, array) {
        ("byte" | "Byte", true) => Some((Scalar::File, false)),
        (t, a) => scalar(t).map(|s| (s, a)),
    }
}

/// The type names of the table, for messages.
pub fn names() -> String {
    TABLE.map(|(name, _)| name).join(", ")
}

/// A type as written, split at its array marks: `Item []`, `Item[]` and
/// `Item [ ]` are one array of `Item`; `byte[][]` has two marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written<'a> {
    pub base: &'a str,
    /// How many `[]` marks follow the base.
    pub marks: usize,
}

impl<'a> Written<'a> {
    pub fn parse(written: &'a str) -> Self {
        let mut base = written.trim();
        let mut marks = 0;
        while let Some(rest) = base.strip_suffix(']') {
            let Some(rest) = rest.trim_end().strip_suffix('[') else {
                break;
            };
            base = rest.trim_end();
            marks += 1;
        }
        Written { base, marks }
    }

    /// A spec keeps one array level: the element type and the array flag.
    pub fn array(&self) -> bool {
        self.marks > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row: what a document writes, the spec's type and array flag,
    /// and the Rust type a field without fields of its own becomes.
    #[test]
    fn test_type_table() {
        let rows: &[(&str, &str, bool, Option<&str>)] = &[
            ("String", "String", false, Some("String")),
            ("FieldList", "FieldList", false, Some("String")),
            ("String []", "String", true, Some("String")),
            ("Number", "Number", false, Some("i64")),
            ("Integer", "Integer", false, Some("i64")),
            ("Int", "Int", false, Some("i64")),
            ("Long", "Long", false, Some("i64")),
            ("Short", "Short", false, Some("i64")),
            ("Byte", "Byte", false, Some("i64")),
            ("byte", "byte", false, Some("i64")),
            ("Number[]", "Number", true, Some("i64")),
            ("Boolean", "Boolean", false, Some("bool")),
            (
                "BigDecimal",
                "BigDecimal",
                false,
                Some("::top_runtime::Decimal"),
            ),
            ("Price", "Price", false, Some("::top_runtime::Decimal")),
            ("Double", "Double", false, Some("::top_runtime::Decimal")),
            ("Float", "Float", false, Some("::top_runtime::Decimal")),
            ("Date", "Date", false, Some("::top_runtime::DateTime")),
            ("Map", "Map", false, Some(Scalar::Map.rust_type())),
            ("Json", "Json", false, Some("::serde_json::Value")),
            ("Json []", "Json", true, Some("::serde_json::Value")),
            ("byte[]", "byte", true, Some("::top_runtime::FileItem")),
            ("Byte[]", "Byte", true, Some("::top_runtime::FileItem")),
            ("File", "File", false, Some("::top_runtime::FileItem")),
            ("byte[][]", "byte", true, Some("::top_runtime::FileItem")),
            (" Item [ ] ", "Item", true, None),
            ("OrderItem", "OrderItem", false, None),
            ("Struct", "Struct", false, None),
            ("double", "double", false, None),
        ];
        for &(written, ty, array, rust) in rows {
            let w = Written::parse(written);
            assert_eq!((w.base, w.array()), (ty, array), "{written}");
            let got = leaf(w.base, w.array()).map(|(s, _)| s.rust_type());
            assert_eq!(got, rust, "{written}");
        }
        // A spec written before the marks were split keeps its meaning.
        assert_eq!(leaf("byte[]", false), Some((Scalar::File, false)));
        assert_eq!(leaf("Number", true), Some((Scalar::Int, true)));
        assert_eq!(Written::parse("byte[][]").marks, 2);
        assert!(names().starts_with("String, FieldList, Number"));
    }
}
