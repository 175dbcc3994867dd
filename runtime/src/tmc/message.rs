//! A message the platform pushed: the Data frame's fields, read as the
//! Java SDK's `TmcHandler.parse` reads them.

use std::fmt;
use std::io::Read as _;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::codec::{Frame, Value};
use crate::envelope::{decode_error, from_raw};
use crate::error::Error;
use crate::types::DateTime;

/// Inflated content above this is refused (a gzip bomb would otherwise
/// take the process's memory).
pub const MAX_CONTENT_BYTES: u64 = 16 << 20;

/// One pushed message.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The id the confirm names; exact over the whole 64-bit range.
    pub id: i64,
    /// `taobao_trade_TradeBuyerPay`, …
    pub topic: String,
    /// The seller the message is about (`userid` on the wire).
    pub user_id: Option<i64>,
    pub nick: Option<String>,
    /// When the platform published it (`time`), in the platform's zone (UTC+8).
    pub pub_time: Option<DateTime>,
    /// When the server sent it (`outtime`), UTC+8.
    pub out_time: Option<DateTime>,
    /// The publishing app key (`publisher`).
    pub publisher: Option<String>,
    /// `dataid`, whatever its wire format, as text.
    pub data_id: Option<String>,
    /// The content JSON as received (inflated when it came gzip'd).
    pub content: String,
    /// This consumer saw the id before (an earlier delivery it did not
    /// confirm, or whose confirm the platform did not get).
    pub redelivered: bool,
}

impl Message {
    /// The content decoded into `T` by the runtime's decoder: generated
    /// types (and fields using `top_runtime::de`) read ids and money from
    /// their digits, never through `f64`. An error names the topic and
    /// the field path.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body = self.content.as_bytes();
        let not_json = |e: serde_json::Error| {
            decode_error(&self.topic, ".", format!("content is not JSON: {e}"), body)
        };
        crate::de::check_json(body).map_err(not_json)?;
        let raw: &RawValue = serde_json::from_str(&self.content).map_err(not_json)?;
        from_raw(&self.topic, raw, body)
    }
}

/// Content is the user's business data: `Debug` shows its length only.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("topic", &self.topic)
            .field("user_id", &self.user_id)
            .field("nick", &self.nick)
            .field("pub_time", &self.pub_time)
            .field("redelivered", &self.redelivered)
            .field("content_len", &self.content.len())
            .finish_non_exhaustive()
    }
}

/// Why a Data frame could not be made a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TMC message {id:?}: {reason}")]
pub struct MessageError {
    pub id: Option<i64>,
    pub reason: String,
}

/// The message in a Data frame; `redelivered` is left `false`.
pub fn from_frame(frame: &Frame) -> Result<Message, MessageError> {
    let id = frame.get("id").and_then(Value::as_i64);
    let fail = |reason: String| MessageError { id, reason };
    let id = id.ok_or_else(|| fail("no integer `id`".into()))?;
    let text = |name: &str| frame.get(name).and_then(Value::to_text);
    let topic = text("topic").ok_or_else(|| fail("no `topic`".into()))?;
    let content = match frame.get("content") {
        Some(Value::Bytes(gz)) => inflate(gz).map_err(fail)?,
        Some(v) => v.to_text().unwrap_or_default(),
        None => String::new(),
    };
    Ok(Message {
        id,
        topic,
        user_id: frame.get("userid").and_then(Value::as_i64),
        nick: text("nick"),
        pub_time: frame
            .get("time")
            .and_then(Value::as_i64)
            .and_then(platform_time),
        out_time: frame
            .get("outtime")
            .and_then(Value::as_i64)
            .and_then(platform_time),
        publisher: text("publisher"),
        data_id: text("dataid"),
        content,
        redelivered: false,
    })
}

/// Gzip'd UTF-8 JSON (`TmcHandler.parse` gunzips a `byte[]` content).
fn inflate(gz: &[u8]) -> Result<String, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .take(MAX_CONTENT_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("content does not inflate: {e}"))?;
    if out.len() as u64 > MAX_CONTENT_BYTES {
        return Err(format!("content inflates past {MAX_CONTENT_BYTES} bytes"));
    }
    String::from_utf8(out).map_err(|e| format!("inflated content is not UTF-8: {e}"))
}

/// Epoch milliseconds in the platform's zone, UTC+8, like every TOP date.
fn platform_time(ms: i64) -> Option<DateTime> {
    let utc = chrono::DateTime::from_timestamp_millis(ms)?;
    utc.naive_utc()
        .checked_add_signed(chrono::TimeDelta::hours(8))
        .map(DateTime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmc::codec::MessageType;
    use std::io::Write as _;

    fn data() -> Frame {
        Frame::new(MessageType::Send)
            .with("__kind", Value::Byte(3))
            .with("id", Value::Int64(9_007_199_254_740_993))
            .with("topic", Value::Str("taobao_trade_TradeBuyerPay".into()))
            .with("userid", Value::Int64(2_200_000_000_001))
            .with("nick", Value::Str("卖家".into()))
            .with("time", Value::Date(1_700_000_000_000))
            .with("dataid", Value::Int64(42))
    }

    fn gzip(s: &str) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(s.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn reads_the_data_fields() {
        let json = r#"{"tid":9007199254740993,"payment":"10.01"}"#;
        let m = from_frame(&data().with("content", Value::Str(json.into()))).unwrap();
        assert_eq!(m.id, 9_007_199_254_740_993);
        assert_eq!(m.user_id, Some(2_200_000_000_001));
        assert_eq!(m.nick.as_deref(), Some("卖家"));
        // 1700000000000 ms is 2023-11-14 22:13:20 UTC.
        assert_eq!(m.pub_time.unwrap().to_string(), "2023-11-15 06:13:20");
        assert_eq!(m.data_id.as_deref(), Some("42"));
        assert_eq!(m.content, json);
    }

    #[test]
    fn gzip_content_is_inflated() {
        let json = r#"{"tid":1}"#;
        let m = from_frame(&data().with("content", Value::Bytes(gzip(json)))).unwrap();
        assert_eq!(m.content, json);
        let err = from_frame(&data().with("content", Value::Bytes(vec![1, 2, 3]))).unwrap_err();
        assert!(err.reason.contains("does not inflate"), "{err}");
        assert_eq!(err.id, Some(9_007_199_254_740_993));
    }

    #[test]
    fn decode_keeps_ids_and_money_exact() {
        #[derive(serde::Deserialize)]
        struct Pay {
            tid: i64,
            #[serde(deserialize_with = "crate::de::option")]
            payment: Option<crate::Decimal>,
        }
        let json = r#"{"tid":9007199254740993,"payment":10.10}"#;
        let m = from_frame(&data().with("content", Value::Str(json.into()))).unwrap();
        let pay: Pay = m.decode().unwrap();
        assert_eq!(pay.tid, 9_007_199_254_740_993);
        assert_eq!(pay.payment.unwrap().to_string(), "10.10");
        let err = m.decode::<Vec<u8>>().unwrap_err().to_string();
        assert!(err.contains("taobao_trade_TradeBuyerPay"), "{err}");
    }

    #[test]
    fn any_date_reads_without_panic() {
        let last = chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp_millis();
        for ms in [i64::MIN, last - 1, last, i64::MAX] {
            // Past what a date holds (with the 8 hours added): absent, no panic.
            assert_eq!(
                from_frame(&data().with("outtime", Value::Date(ms)))
                    .unwrap()
                    .out_time,
                None
            );
        }
        for ms in [-1, 0, 1_700_000_000_000] {
            assert!(
                from_frame(&data().with("outtime", Value::Date(ms)))
                    .unwrap()
                    .out_time
                    .is_some()
            );
        }
    }

    #[test]
    fn a_frame_without_id_or_topic_is_refused() {
        let no_id = Frame::new(MessageType::Send).with("topic", Value::Str("t".into()));
        assert!(from_frame(&no_id).unwrap_err().reason.contains("`id`"));
        let no_topic = Frame::new(MessageType::Send).with("id", Value::Int64(1));
        assert!(
            from_frame(&no_topic)
                .unwrap_err()
                .reason
                .contains("`topic`")
        );
    }

    mod fuzz {
        use super::super::*;
        use crate::tmc::codec::MessageType;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Void),
                "\\PC{0,12}".prop_map(Value::Str),
                any::<i8>().prop_map(Value::Byte),
                any::<i64>().prop_map(Value::Int64),
                any::<i64>().prop_map(Value::Date),
                proptest::collection::vec(any::<u8>(), 0..32).prop_map(Value::Bytes),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            /// Any value under any Data field name reads or fails, never panics.
            #[test]
            fn any_data_fields_read_without_panic(
                fields in proptest::collection::vec((
                    prop_oneof![Just("id"), Just("topic"), Just("content"), Just("time"),
                        Just("outtime"), Just("userid"), Just("nick"), Just("dataid")],
                    value(),
                ), 0..10),
            ) {
                let mut frame = Frame::new(MessageType::Send);
                for (name, v) in fields {
                    frame = frame.with(name, v);
                }
                let _ = from_frame(&frame);
            }
        }
    }
}
