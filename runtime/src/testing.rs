//! What the generated example tests read of a request type beside the
//! [`Request`] contract. Not part of the client: sending a call needs
//! none of it.

use crate::request::{Protocol, Request};
use crate::{envelope, qimen};

/// Implemented by every generated request type for its tests.
pub trait RequestFixture: Request {
    /// Parameters that travel as JSON strings (struct-typed ones).
    const JSON_PARAMS: &'static [&'static str];

    /// Key of the answer's body: `<name>_response` on the TOP gateway
    /// ([`envelope::response_key`]), the `<response>` root for Qimen.
    fn response_key() -> String {
        match Self::PROTOCOL {
            Protocol::Top => envelope::response_key(Self::METHOD),
            Protocol::Qimen => qimen::ROOT.to_owned(),
        }
    }
}

/// Shorthands the generated example tests build their sample values with.
pub mod sample {
    /// `Some` of what the field's type is made from: text for a `String`,
    /// a struct for its `Box`, a code for its code enum.
    pub fn some<T, U: Into<T>>(value: U) -> Option<T> {
        Some(value.into())
    }

    /// A list of what its item type is made from.
    pub fn list<T, U: Into<T>, const N: usize>(items: [U; N]) -> Vec<T> {
        items.into_iter().map(Into::into).collect()
    }

    /// A date-time as the gateway writes it (`2026-11-23 18:28:01`).
    #[track_caller]
    pub fn date_time(text: &str) -> crate::DateTime {
        text.parse().expect("a date-time")
    }

    /// A decimal as the gateway writes it (`10.50`).
    #[track_caller]
    pub fn decimal(text: &str) -> crate::Decimal {
        text.parse().expect("a decimal")
    }
}

#[cfg(test)]
mod tests {
    use super::sample::*;

    #[test]
    fn the_sample_helpers_convert_to_the_fields_type() {
        let text: Option<String> = some("示例 <&>");
        assert_eq!(text.as_deref(), Some("示例 <&>"));
        let boxed: Option<Box<i64>> = some(9_007_199_254_740_993_i64);
        assert_eq!(boxed, Some(Box::new(9_007_199_254_740_993)));
        let json: Option<serde_json::Value> = some("a 1");
        assert_eq!(json, Some(serde_json::Value::from("a 1")));
        let items: Vec<String> = list(["a", "b"]);
        assert_eq!(items, ["a", "b"]);
        assert_eq!(
            date_time("2026-11-23 18:28:01").to_string(),
            "2026-11-23 18:28:01"
        );
        assert_eq!(decimal("10.50").to_string(), "10.50");
    }

    #[test]
    #[should_panic(expected = "a date-time")]
    fn a_sample_date_time_that_does_not_read_says_so() {
        date_time("23/11/2026");
    }
}
