//! TMC's binary frames (top-link protocol versions 1 and 2), as the
//! official SDKs write them: `MessageEncoder02` / `MessageDecoder02` in the
//! Java SDK, `tmcCodec.js` in the Node SDK, `MessageIO.cs` in .NET.
//!
//! ```text
//! u8 version | u8 message type | headers… | i16 0 (end of headers)
//! header = i16 type, then: StatusCode i32 | StatusPhrase str | Flag i32 | Token str
//!        | Custom: str name, u8 value format, value
//! str    = i32 byte length, UTF-8 (length 0 reads as absent)
//! ```
//!
//! Little-endian throughout. Pure: no I/O, and [`decode`] answers every byte
//! sequence with a frame or a [`FrameError`], never a panic.

use std::fmt;

/// The protocol version this side writes; replies use the peer's.
pub const VERSION: u8 = 2;

/// A top-link message type (the second byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Connect = 0,
    ConnectAck = 1,
    Send = 2,
    SendAck = 3,
}

impl MessageType {
    fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            0 => MessageType::Connect,
            1 => MessageType::ConnectAck,
            2 => MessageType::Send,
            3 => MessageType::SendAck,
            _ => return None,
        })
    }
}

/// Header types.
const END_OF_HEADERS: i16 = 0;
const CUSTOM: i16 = 1;
const STATUS_CODE: i16 = 2;
const STATUS_PHRASE: i16 = 3;
const FLAG: i16 = 4;
const TOKEN: i16 = 5;

/// A Custom header's value, by its format byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// 0: no value (Java `null`).
    Void,
    /// 1: a counted string.
    Str(String),
    /// 2: one signed byte.
    Byte(i8),
    /// 3
    Int16(i16),
    /// 4
    Int32(i32),
    /// 5
    Int64(i64),
    /// 6: milliseconds since the Unix epoch (`java.util.Date#getTime`).
    Date(i64),
    /// 7 (version 2 only): counted bytes; TMC sends gzip'd content this way.
    Bytes(Vec<u8>),
}

impl Value {
    /// The value as an integer, whatever its integer format.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Byte(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) | Value::Date(v) => Some(v),
            _ => None,
        }
    }

    /// The value as text; integers by their digits.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Void | Value::Bytes(_) => None,
            v => v.as_i64().map(|n| n.to_string()),
        }
    }
}

/// One top-link message.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// 1 or 2 when decoded; [`VERSION`] when built here.
    pub version: u8,
    pub message_type: Option<MessageType>,
    /// Written only when above 0.
    pub status_code: i32,
    pub status_phrase: Option<String>,
    /// Written only when above 0.
    pub flag: i32,
    pub token: Option<String>,
    /// Custom headers in wire order.
    pub content: Vec<(String, Value)>,
}

impl Frame {
    /// An empty frame of `message_type` in [`VERSION`].
    pub fn new(message_type: MessageType) -> Self {
        Frame {
            version: VERSION,
            message_type: Some(message_type),
            ..Frame::default()
        }
    }

    /// Adds a Custom header.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.content.push((name.to_owned(), value));
        self
    }

    /// The first Custom header named `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.content.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Custom headers may carry the connect's `sign` and `token`: only names
/// and formats are shown.
impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.content.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Frame")
            .field("version", &self.version)
            .field("message_type", &self.message_type)
            .field("status_code", &self.status_code)
            .field("status_phrase", &self.status_phrase)
            .field("flag", &self.flag)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("content", &names)
            .finish()
    }
}

/// Why bytes are not a frame; `at` is the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed TMC frame at byte {at}: {reason}")]
pub struct FrameError {
    pub at: usize,
    pub reason: String,
}

/// The frame's bytes, as `MessageEncoder02` writes them.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let mut w = Vec::with_capacity(64);
    w.push(frame.version);
    w.push(frame.message_type.map_or(0, |t| t as u8));
    if frame.status_code > 0 {
        w.extend_from_slice(&STATUS_CODE.to_le_bytes());
        w.extend_from_slice(&frame.status_code.to_le_bytes());
    }
    if let Some(p) = frame.status_phrase.as_deref().filter(|p| !p.is_empty()) {
        w.extend_from_slice(&STATUS_PHRASE.to_le_bytes());
        put_str(&mut w, p);
    }
    if frame.flag > 0 {
        w.extend_from_slice(&FLAG.to_le_bytes());
        w.extend_from_slice(&frame.flag.to_le_bytes());
    }
    if let Some(t) = frame.token.as_deref().filter(|t| !t.is_empty()) {
        w.extend_from_slice(&TOKEN.to_le_bytes());
        put_str(&mut w, t);
    }
    for (name, value) in &frame.content {
        w.extend_from_slice(&CUSTOM.to_le_bytes());
        put_str(&mut w, name);
        put_value(&mut w, value);
    }
    w.extend_from_slice(&END_OF_HEADERS.to_le_bytes());
    w
}

fn put_len(w: &mut Vec<u8>, len: usize) {
    // A frame over 2 GiB cannot be sent; clamp rather than wrap.
    let len = i32::try_from(len).unwrap_or(i32::MAX);
    w.extend_from_slice(&len.to_le_bytes());
}

fn put_str(w: &mut Vec<u8>, s: &str) {
    put_len(w, s.len());
    w.extend_from_slice(s.as_bytes());
}

fn put_value(w: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Void => w.push(0),
        Value::Str(s) => {
            w.push(1);
            put_str(w, s);
        }
        Value::Byte(b) => w.extend_from_slice(&[2, b.to_le_bytes()[0]]),
        Value::Int16(n) => {
            w.push(3);
            w.extend_from_slice(&n.to_le_bytes());
        }
        Value::Int32(n) => {
            w.push(4);
            w.extend_from_slice(&n.to_le_bytes());
        }
        Value::Int64(n) => {
            w.push(5);
            w.extend_from_slice(&n.to_le_bytes());
        }
        Value::Date(ms) => {
            w.push(6);
            w.extend_from_slice(&ms.to_le_bytes());
        }
        Value::Bytes(b) => {
            w.push(7);
            put_len(w, b.len());
            w.extend_from_slice(b);
        }
    }
}

/// Reads one frame; the version byte picks the decoder, as
/// `DefaultMessageDecoderFactory` does.
pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.u8("the protocol version")?;
    if !matches!(version, 1 | 2) {
        return Err(r.fail(format!("protocol version {version}, expected 1 or 2")));
    }
    let type_byte = r.u8("the message type")?;
    let message_type = MessageType::from_byte(type_byte)
        .ok_or_else(|| r.fail(format!("unknown message type {type_byte}")))?;
    let mut frame = Frame {
        version,
        message_type: Some(message_type),
        ..Frame::default()
    };
    loop {
        match r.i16("a header type")? {
            END_OF_HEADERS => break,
            STATUS_CODE => frame.status_code = r.i32("a status code")?,
            STATUS_PHRASE => frame.status_phrase = r.str("a status phrase")?,
            FLAG => frame.flag = r.i32("a flag")?,
            TOKEN => frame.token = r.str("a token")?,
            CUSTOM => {
                let name = r.str("a header name")?.unwrap_or_default();
                let value = r.value(version)?;
                frame.content.push((name, value));
            }
            other => return Err(r.fail(format!("unknown header type {other}"))),
        }
    }
    if r.at != bytes.len() {
        return Err(r.fail(format!(
            "{} byte(s) after the end of headers",
            bytes.len() - r.at
        )));
    }
    Ok(frame)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn fail(&self, reason: String) -> FrameError {
        FrameError {
            at: self.at,
            reason,
        }
    }

    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N], FrameError> {
        let end = self.at.saturating_add(N);
        let chunk = self
            .bytes
            .get(self.at..end)
            .and_then(|c| <[u8; N]>::try_from(c).ok())
            .ok_or_else(|| self.fail(format!("the frame ends inside {what}")))?;
        self.at = end;
        Ok(chunk)
    }

    fn u8(&mut self, what: &str) -> Result<u8, FrameError> {
        Ok(self.take::<1>(what)?[0])
    }
    fn i16(&mut self, what: &str) -> Result<i16, FrameError> {
        Ok(i16::from_le_bytes(self.take(what)?))
    }
    fn i32(&mut self, what: &str) -> Result<i32, FrameError> {
        Ok(i32::from_le_bytes(self.take(what)?))
    }
    fn i64(&mut self, what: &str) -> Result<i64, FrameError> {
        Ok(i64::from_le_bytes(self.take(what)?))
    }

    fn counted(&mut self, what: &str) -> Result<&[u8], FrameError> {
        let len = self.i32(what)?;
        let len = usize::try_from(len)
            .map_err(|_| self.fail(format!("negative length {len} of {what}")))?;
        let end = self.at.saturating_add(len);
        let chunk = self.bytes.get(self.at..end).ok_or_else(|| {
            self.fail(format!("{what} of {len} byte(s) runs past the frame's end"))
        })?;
        self.at = end;
        Ok(chunk)
    }

    /// A counted string; length 0 reads as absent, as in the SDKs.
    fn str(&mut self, what: &str) -> Result<Option<String>, FrameError> {
        let start = self.at;
        let bytes = self.counted(what)?;
        if bytes.is_empty() {
            return Ok(None);
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Some(s.to_owned())),
            Err(e) => Err(FrameError {
                at: start,
                reason: format!("{what} is not UTF-8: {e}"),
            }),
        }
    }

    fn value(&mut self, version: u8) -> Result<Value, FrameError> {
        Ok(match self.u8("a value format")? {
            0 => Value::Void,
            2 => Value::Byte(i8::from_le_bytes(self.take("a byte value")?)),
            3 => Value::Int16(self.i16("an int16 value")?),
            4 => Value::Int32(self.i32("an int32 value")?),
            5 => Value::Int64(self.i64("an int64 value")?),
            6 => Value::Date(self.i64("a date value")?),
            7 if version >= 2 => Value::Bytes(self.counted("a byte array")?.to_vec()),
            // Version 1 reads any other format as a string (`MessageDecoder01`).
            1 | 7 => Value::Str(self.str("a string value")?.unwrap_or_default()),
            other => return Err(self.fail(format!("unknown value format {other}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(char::is_ascii_hexdigit).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The Confirm of id 9007199254740993 (2^53 + 1) with token `tk`, as
    /// the Java SDK's `MessageEncoder02` writes it (byte for byte from its
    /// source: token header, then `__kind` Byte 2, then `id` Int64).
    const CONFIRM: &str = "02 02 | 05 00 02000000 746b | 01 00 06000000 5f5f6b696e64 02 02 | 01 00 02000000 6964 05 0100000000002000 | 00 00";

    fn confirm() -> Frame {
        Frame {
            token: Some("tk".into()),
            ..Frame::new(MessageType::Send)
        }
        .with("__kind", Value::Byte(2))
        .with("id", Value::Int64(9_007_199_254_740_993))
    }

    #[test]
    fn confirm_matches_the_java_encoder() {
        assert_eq!(encode(&confirm()), hex(CONFIRM));
        assert_eq!(decode(&hex(CONFIRM)).unwrap(), confirm());
    }

    #[test]
    fn every_header_and_format_round_trips() {
        let frame = Frame {
            status_code: 401,
            status_phrase: Some("签名错误".into()),
            flag: 7,
            token: Some("uuid-1".into()),
            ..Frame::new(MessageType::ConnectAck)
        }
        .with("void", Value::Void)
        .with("s", Value::Str("淘宝".into()))
        .with("b", Value::Byte(-3))
        .with("h", Value::Int16(-300))
        .with("i", Value::Int32(-70_000))
        .with("l", Value::Int64(i64::MIN))
        .with("d", Value::Date(1_700_000_000_000))
        .with("bytes", Value::Bytes(vec![0x1f, 0x8b, 0]));
        assert_eq!(decode(&encode(&frame)).unwrap(), frame);
    }

    #[test]
    fn fixed_headers_come_in_the_java_order() {
        // StatusCode, StatusPhrase, Flag, Token, then Custom: `02 00`, `03 00`, `04 00`, `05 00`.
        let bytes = encode(&Frame {
            status_code: 1,
            status_phrase: Some("x".into()),
            flag: 2,
            token: Some("t".into()),
            ..Frame::new(MessageType::ConnectAck)
        });
        assert_eq!(
            bytes,
            hex("02 01 0200 01000000 0300 01000000 78 0400 02000000 0500 01000000 74 0000")
        );
    }

    #[test]
    fn version_1_reads_an_unknown_format_as_a_string() {
        let v1 = hex("01 02 | 01 00 01000000 63 07 02000000 6869 | 00 00");
        let frame = decode(&v1).unwrap();
        assert_eq!(frame.version, 1);
        assert_eq!(frame.get("c"), Some(&Value::Str("hi".into())));
    }

    #[test]
    fn an_empty_counted_string_is_absent() {
        let frame = decode(&hex("02 01 | 05 00 00000000 | 00 00")).unwrap();
        assert_eq!(frame.token, None);
    }

    #[test]
    fn broken_frames_say_where() {
        let cases: [(&str, &str); 7] = [
            ("", "ends inside the protocol version"),
            ("09 00 0000", "protocol version 9"),
            ("02 09 0000", "unknown message type 9"),
            ("02 02 0900", "unknown header type 9"),
            ("02 02 0500 ffffffff", "negative length"),
            ("02 02 0500 10000000 74", "runs past the frame's end"),
            ("02 02 0000 00", "after the end of headers"),
        ];
        for (bytes, want) in cases {
            let err = decode(&hex(bytes)).unwrap_err();
            assert!(err.to_string().contains(want), "{bytes}: {err}");
        }
        let err = decode(&hex("02 02 0100 01000000 63 09")).unwrap_err();
        assert_eq!(err.at, 10);
        assert!(err.reason.contains("unknown value format 9"), "{err}");
    }

    #[test]
    fn debug_hides_values() {
        let frame = Frame::new(MessageType::Connect).with("sign", Value::Str("AA9F0E87".into()));
        let shown = format!(
            "{:?}",
            Frame {
                token: Some("tok-secret".into()),
                ..frame
            }
        );
        assert!(
            !shown.contains("AA9F0E87") && !shown.contains("tok-secret"),
            "{shown}"
        );
        assert!(shown.contains("sign"), "{shown}");
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Void),
                "\\PC{1,12}".prop_map(Value::Str),
                any::<i8>().prop_map(Value::Byte),
                any::<i16>().prop_map(Value::Int16),
                any::<i32>().prop_map(Value::Int32),
                any::<i64>().prop_map(Value::Int64),
                any::<i64>().prop_map(Value::Date),
                proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
            ]
        }

        fn frame() -> impl Strategy<Value = Frame> {
            (
                0u8..4,
                0i32..1000,
                proptest::option::of("\\PC{1,8}"),
                0i32..1000,
                proptest::option::of("[a-z0-9-]{1,8}"),
                proptest::collection::vec(("[a-z_]{1,8}", value()), 0..6),
            )
                .prop_map(|(t, code, phrase, flag, token, content)| Frame {
                    version: VERSION,
                    message_type: MessageType::from_byte(t),
                    status_code: code,
                    status_phrase: phrase,
                    flag,
                    token,
                    content,
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn any_bytes_decode_or_fail_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                let _ = decode(&bytes);
            }

            #[test]
            fn frames_round_trip(frame in frame()) {
                prop_assert_eq!(decode(&encode(&frame)).unwrap(), frame);
            }

            #[test]
            fn mutated_frames_never_panic(frame in frame(), at in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
                let mut bytes = encode(&frame);
                let i = at % bytes.len();
                bytes[i] = byte;
                bytes.truncate(cut % (bytes.len() + 1));
                let _ = decode(&bytes);
            }
        }
    }
}
