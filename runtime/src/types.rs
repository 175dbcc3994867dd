//! Value types the generated code uses beside std's.

/// A `byte[]` parameter: a file upload.
#[derive(Clone, PartialEq, Eq)]
pub struct FileItem {
    pub file_name: String,
    pub mime_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for FileItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileItem")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Exact decimal for `BigDecimal` and `Price`; re-exported so generated code
/// and users name one type.
pub use rust_decimal::Decimal;

/// A TOP `Date`: local time of the platform (UTC+8) written
/// `yyyy-MM-dd HH:mm:ss`, without a zone on the wire.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::NaiveDateTime);

impl DateTime {
    /// The wire format, `2024-01-31 08:00:05`.
    pub const FORMAT: &'static str = "%Y-%m-%d %H:%M:%S";
}

impl std::str::FromStr for DateTime {
    type Err = chrono::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        chrono::NaiveDateTime::parse_from_str(s, Self::FORMAT).map(DateTime)
    }
}

impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format(Self::FORMAT))
    }
}

impl std::fmt::Debug for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DateTime({self})")
    }
}

impl From<chrono::NaiveDateTime> for DateTime {
    fn from(t: chrono::NaiveDateTime) -> Self {
        DateTime(t)
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.trim().parse().map_err(|e| {
            serde::de::Error::custom(format!(
                "`{s}` is not a date-time like `2024-01-31 08:00:05`: {e}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_round_trips_in_the_wire_format() {
        let t: DateTime = "2024-01-31 08:00:05".parse().unwrap();
        assert_eq!(t.to_string(), "2024-01-31 08:00:05");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2024-01-31 08:00:05""#
        );
        assert!("2024-01-31T08:00:05".parse::<DateTime>().is_err());
    }
}
