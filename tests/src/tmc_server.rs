//! A loopback TMC (message service) server for tests and the `tmc_listen`
//! example.
//!
//! It speaks the frames of the official SDKs with its own reader and writer,
//! written from the protocol's description rather than shared with the
//! runtime, and behaves as the top-link reference server does: it checks
//! the connect's signature (a wrong one gets a CONNECTACK with a status and
//! no token), pushes every message not yet confirmed on each new
//! connection and answers a pull request by pushing what was failed since.
//! It counts pings (its WebSocket library answers them with pongs; the
//! consumer never waits for one). A test can make it drop the connection
//! mid-stream, send a malformed frame, or lose a confirm.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message as Ws;

use crate::gateway::{Background, gzip, lock};
use crate::verify::expected_sign;

/// Who the server accepts.
#[derive(Clone)]
pub struct TmcConfig {
    pub app_key: String,
    pub secret: String,
}

impl Default for TmcConfig {
    fn default() -> Self {
        TmcConfig {
            app_key: "12345678".into(),
            secret: "tmc-test-secret".into(),
        }
    }
}

/// A message to push.
#[derive(Clone, Debug)]
pub struct Published {
    pub id: i64,
    pub topic: String,
    pub content: String,
    /// Sent as a gzip'd byte array, as the Java server may.
    pub gzip: bool,
    pub user_id: i64,
    pub nick: String,
    /// Milliseconds since the epoch.
    pub time: i64,
}

impl Published {
    pub fn new(id: i64, topic: &str, content: &str) -> Self {
        Published {
            id,
            topic: topic.into(),
            content: content.into(),
            gzip: false,
            user_id: 2_200_000_000_001,
            nick: "测试卖家".into(),
            time: 1_700_000_000_000,
        }
    }

    pub fn gzip(mut self) -> Self {
        self.gzip = true;
        self
    }
}

/// One CONNECT as received.
#[derive(Clone, Debug)]
pub struct Connect {
    /// Its Custom headers, values as text (`None` for Void).
    pub headers: Vec<(String, Option<String>)>,
    pub accepted: bool,
}

impl Connect {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// What the server saw.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub connects: Vec<Connect>,
    /// Confirmed ids in arrival order, repeats included.
    pub confirmed: Vec<i64>,
    /// Failed ids with their `msg`.
    pub failed: Vec<(i64, String)>,
    /// Confirms or fails carrying a token not of their connection.
    pub wrong_token: usize,
    pub pulls: usize,
    pub pings: usize,
    /// Data frames written, over all connections.
    pub pushed: usize,
    /// Connections that ended, whatever the reason.
    pub closed: usize,
}

/// Faults, each applied once.
#[derive(Clone, Debug, Default)]
struct Faults {
    /// Drop the TCP connection, no Close frame, after this many Data frames in all.
    drop_after: Option<usize>,
    /// Send a malformed frame after this many Data frames in all.
    malformed_after: Option<usize>,
    /// Ignore this confirm (counted from 1) and drop the connection.
    lose_confirm: Option<usize>,
}

#[derive(Default)]
struct State {
    messages: Vec<Published>,
    seen: Seen,
    faults: Faults,
    confirms_received: usize,
}

struct Shared {
    cfg: TmcConfig,
    state: Mutex<State>,
    /// Wakes connections when a message is published.
    published: Notify,
}

/// A running server on 127.0.0.1; stops when dropped.
pub struct TmcServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _server: Background,
}

impl TmcServer {
    pub fn start(cfg: TmcConfig) -> std::io::Result<TmcServer> {
        let shared = Arc::new(Shared {
            cfg,
            state: Mutex::new(State::default()),
            published: Notify::new(),
        });
        let serving = Arc::clone(&shared);
        let (addr, server) = Background::start("tmc-server", move |listener| async move {
            let mut n = 0u64;
            while let Ok((tcp, _)) = listener.accept().await {
                n += 1;
                tokio::spawn(serve(Arc::clone(&serving), tcp, n));
            }
        })?;
        Ok(TmcServer {
            addr,
            shared,
            _server: server,
        })
    }

    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    pub fn config(&self) -> &TmcConfig {
        &self.shared.cfg
    }

    /// Queues messages and pushes them to the connected consumers.
    pub fn publish(&self, messages: impl IntoIterator<Item = Published>) {
        lock(&self.shared.state).messages.extend(messages);
        self.shared.published.notify_waiters();
    }

    /// Drops the connection (no Close frame) right after the `n`th Data frame.
    pub fn drop_after(&self, n: usize) {
        lock(&self.shared.state).faults.drop_after = Some(n);
    }

    /// Sends a malformed frame right after the `n`th Data frame.
    pub fn malformed_after(&self, n: usize) {
        lock(&self.shared.state).faults.malformed_after = Some(n);
    }

    /// Ignores the `n`th confirm and drops that connection, as when a
    /// confirm is lost in flight.
    pub fn lose_confirm(&self, n: usize) {
        lock(&self.shared.state).faults.lose_confirm = Some(n);
    }

    pub fn seen(&self) -> Seen {
        lock(&self.shared.state).seen.clone()
    }

    /// Waits until `done` holds for what the server saw, at most `limit`.
    pub async fn wait_for(&self, limit: Duration, done: impl Fn(&Seen) -> bool) -> Seen {
        let start = tokio::time::Instant::now();
        loop {
            let seen = self.seen();
            if done(&seen) || start.elapsed() > limit {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

type Conn = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn serve(shared: Arc<Shared>, tcp: TcpStream, n: u64) {
    if let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await
        && let Some(token) = handshake(&shared, &mut ws, n).await
    {
        session(&shared, &mut ws, &token).await;
    }
    lock(&shared.state).seen.closed += 1;
}

/// Reads the CONNECT and answers it; the token when accepted.
async fn handshake(shared: &Shared, ws: &mut Conn, n: u64) -> Option<String> {
    let connect = loop {
        match ws.next().await? {
            Ok(Ws::Binary(b)) => break read_frame(&b)?,
            Ok(Ws::Ping(_)) => lock(&shared.state).seen.pings += 1,
            Ok(_) => continue,
            Err(_) => return None,
        }
    };
    if connect.message_type != CONNECT {
        return None;
    }
    let headers: Vec<(String, Option<String>)> = connect
        .custom
        .iter()
        .map(|(k, v)| (k.clone(), v.text()))
        .collect();
    let accepted = signed_by(&shared.cfg, &headers);
    lock(&shared.state)
        .seen
        .connects
        .push(Connect { headers, accepted });
    let token = format!("token-{n}");
    let ack = if accepted {
        write_frame(CONNECT_ACK, 0, "", connect.flag, &token, &[])
    } else {
        write_frame(CONNECT_ACK, 401, "Invalid signature", connect.flag, "", &[])
    };
    ws.send(Ws::Binary(ack.into())).await.ok()?;
    accepted.then_some(token)
}

/// The platform's check: the app key is ours and `sign` is the MD5
/// signature over `app_key`, `group_name` and `timestamp`.
fn signed_by(cfg: &TmcConfig, headers: &[(String, Option<String>)]) -> bool {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let signed: Vec<(String, String)> = ["app_key", "group_name", "timestamp"]
        .iter()
        .map(|k| (k.to_string(), get(k)))
        .collect();
    get("app_key") == cfg.app_key
        && expected_sign(&signed, None, &cfg.secret, "md5").as_deref() == Some(get("sign").as_str())
}

async fn session(shared: &Shared, ws: &mut Conn, token: &str) {
    let mut sent_here: HashSet<i64> = HashSet::new();
    let mut failed_here: Vec<i64> = Vec::new();
    loop {
        // Registered before pushing, so a message published meanwhile wakes it.
        let published = shared.published.notified();
        tokio::pin!(published);
        published.as_mut().enable();
        if push(shared, ws, token, &mut sent_here).await.is_err() {
            return;
        }
        let incoming = tokio::select! {
            _ = published => continue,
            m = ws.next() => m,
        };
        let frame = match incoming {
            Some(Ok(Ws::Binary(b))) => b,
            Some(Ok(Ws::Ping(_))) => {
                lock(&shared.state).seen.pings += 1;
                continue;
            }
            Some(Ok(Ws::Close(_))) | Some(Err(_)) | None => return,
            Some(Ok(_)) => continue,
        };
        let Some(frame) = read_frame(&frame) else {
            return;
        };
        if !receive(shared, &frame, token, &mut sent_here, &mut failed_here) {
            return;
        }
    }
}

/// Handles a client SEND; `false` to drop the connection.
fn receive(
    shared: &Shared,
    frame: &Frame,
    token: &str,
    sent_here: &mut HashSet<i64>,
    failed_here: &mut Vec<i64>,
) -> bool {
    let mut st = lock(&shared.state);
    let id = frame.get("id").and_then(SValue::int);
    let own = frame.token == token;
    match frame.get("__kind").and_then(SValue::int) {
        Some(1) => {
            st.seen.pulls += 1;
            for id in failed_here.drain(..) {
                sent_here.remove(&id);
            }
        }
        Some(2) => {
            st.confirms_received += 1;
            if st.faults.lose_confirm == Some(st.confirms_received) {
                st.faults.lose_confirm = None;
                return false;
            }
            if !own {
                st.seen.wrong_token += 1;
            }
            st.seen.confirmed.extend(id);
        }
        Some(20) => {
            if !own {
                st.seen.wrong_token += 1;
            }
            let msg = frame.get("msg").and_then(SValue::text).unwrap_or_default();
            if let Some(id) = id {
                st.seen.failed.push((id, msg));
                // Sent again on the next pull request.
                failed_here.push(id);
            }
        }
        _ => {}
    }
    true
}

/// Writes every unconfirmed message not yet sent on this connection,
/// applying the faults; `Err` once the connection should end.
async fn push(
    shared: &Shared,
    ws: &mut Conn,
    token: &str,
    sent_here: &mut HashSet<i64>,
) -> Result<(), ()> {
    loop {
        let (bytes, fault) = {
            let mut st = lock(&shared.state);
            let confirmed: HashSet<i64> = st.seen.confirmed.iter().copied().collect();
            let Some(m) = st
                .messages
                .iter()
                .find(|m| !confirmed.contains(&m.id) && !sent_here.contains(&m.id))
                .cloned()
            else {
                return Ok(());
            };
            sent_here.insert(m.id);
            st.seen.pushed += 1;
            let pushed = Some(st.seen.pushed);
            let fault = if st.faults.drop_after == pushed {
                st.faults.drop_after = None;
                Some(true)
            } else if st.faults.malformed_after == pushed {
                st.faults.malformed_after = None;
                Some(false)
            } else {
                None
            };
            (data_frame(&m, token), fault)
        };
        ws.send(Ws::Binary(bytes.into())).await.map_err(|_| ())?;
        match fault {
            // Dropping the socket without a Close frame.
            Some(true) => return Err(()),
            Some(false) => {
                // Protocol version 9 and a header cut short.
                ws.send(Ws::Binary(vec![9, 2, 1].into()))
                    .await
                    .map_err(|_| ())?;
            }
            None => {}
        }
    }
}

// ---- the frames, written from the protocol's description ----

const CONNECT: u8 = 0;
const CONNECT_ACK: u8 = 1;
const SEND: u8 = 2;

/// A Custom header value as this server needs it.
#[derive(Clone, Debug, PartialEq)]
enum SValue {
    Null,
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

impl SValue {
    fn text(&self) -> Option<String> {
        match self {
            SValue::Text(s) => Some(s.clone()),
            SValue::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            SValue::Int(n) => Some(*n),
            _ => None,
        }
    }
}

struct Frame {
    message_type: u8,
    flag: i32,
    token: String,
    custom: Vec<(String, SValue)>,
}

impl Frame {
    fn get(&self, name: &str) -> Option<&SValue> {
        self.custom.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Reads a version 2 frame; `None` for anything else.
fn read_frame(b: &[u8]) -> Option<Frame> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = b.get(at..at.checked_add(n)?)?;
        at += n;
        Some(s)
    };
    fn i32le(s: &[u8]) -> i32 {
        i32::from_le_bytes([s[0], s[1], s[2], s[3]])
    }
    if take(1)? != [2] {
        return None;
    }
    let message_type = take(1)?[0];
    let mut frame = Frame {
        message_type,
        flag: 0,
        token: String::new(),
        custom: Vec::new(),
    };
    loop {
        let h = take(2)?;
        match i16::from_le_bytes([h[0], h[1]]) {
            0 => return Some(frame),
            2 => {
                take(4)?;
            }
            4 => frame.flag = i32le(take(4)?),
            3 | 5 => {
                let len = usize::try_from(i32le(take(4)?)).ok()?;
                let s = String::from_utf8(take(len)?.to_vec()).ok()?;
                if h[0] == 5 {
                    frame.token = s;
                }
            }
            1 => {
                let len = usize::try_from(i32le(take(4)?)).ok()?;
                let name = String::from_utf8(take(len)?.to_vec()).ok()?;
                let value = match take(1)?[0] {
                    0 => SValue::Null,
                    1 => {
                        let len = usize::try_from(i32le(take(4)?)).ok()?;
                        SValue::Text(String::from_utf8(take(len)?.to_vec()).ok()?)
                    }
                    2 => SValue::Int(i8::from_le_bytes([take(1)?[0]]).into()),
                    3 => {
                        let s = take(2)?;
                        SValue::Int(i16::from_le_bytes([s[0], s[1]]).into())
                    }
                    4 => SValue::Int(i32le(take(4)?).into()),
                    5 | 6 => SValue::Int(i64::from_le_bytes(take(8)?.try_into().ok()?)),
                    7 => {
                        let len = usize::try_from(i32le(take(4)?)).ok()?;
                        SValue::Bytes(take(len)?.to_vec())
                    }
                    _ => return None,
                };
                frame.custom.push((name, value));
            }
            _ => return None,
        }
    }
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as i32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Custom header: name, format byte, value.
fn put_custom(out: &mut Vec<u8>, name: &str, value: &SValue, format: u8) {
    out.extend_from_slice(&1i16.to_le_bytes());
    put_text(out, name);
    out.push(format);
    match value {
        SValue::Null => {}
        SValue::Text(s) => put_text(out, s),
        SValue::Int(n) if format == 2 => out.push(*n as u8),
        SValue::Int(n) => out.extend_from_slice(&n.to_le_bytes()),
        SValue::Bytes(b) => {
            out.extend_from_slice(&(b.len() as i32).to_le_bytes());
            out.extend_from_slice(b);
        }
    }
}

/// Fixed headers in the Java encoder's order, then Custom ones
/// `(name, value, format)`.
fn write_frame(
    message_type: u8,
    status: i32,
    phrase: &str,
    flag: i32,
    token: &str,
    custom: &[(&str, SValue, u8)],
) -> Vec<u8> {
    let mut out = vec![2, message_type];
    if status > 0 {
        out.extend_from_slice(&2i16.to_le_bytes());
        out.extend_from_slice(&status.to_le_bytes());
    }
    if !phrase.is_empty() {
        out.extend_from_slice(&3i16.to_le_bytes());
        put_text(&mut out, phrase);
    }
    if flag > 0 {
        out.extend_from_slice(&4i16.to_le_bytes());
        out.extend_from_slice(&flag.to_le_bytes());
    }
    if !token.is_empty() {
        out.extend_from_slice(&5i16.to_le_bytes());
        put_text(&mut out, token);
    }
    for (name, value, format) in custom {
        put_custom(&mut out, name, value, *format);
    }
    out.extend_from_slice(&0i16.to_le_bytes());
    out
}

/// A Data message as the Java `TmcHandler.parse` reads it.
fn data_frame(m: &Published, token: &str) -> Vec<u8> {
    let content = if m.gzip {
        (SValue::Bytes(gzip(m.content.as_bytes())), 7)
    } else {
        (SValue::Text(m.content.clone()), 1)
    };
    write_frame(
        SEND,
        0,
        "",
        0,
        token,
        &[
            ("__kind", SValue::Int(3), 2),
            ("id", SValue::Int(m.id), 5),
            ("topic", SValue::Text(m.topic.clone()), 1),
            ("content", content.0, content.1),
            ("userid", SValue::Int(m.user_id), 5),
            ("nick", SValue::Text(m.nick.clone()), 1),
            ("time", SValue::Int(m.time), 6),
            ("outtime", SValue::Int(m.time + 1000), 6),
            ("publisher", SValue::Text("4272".into()), 1),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The protocol note's Confirm example, read by this server.
    #[test]
    fn reads_the_java_confirm_bytes() {
        let bytes: Vec<u8> = [
            "0202",
            "0500",
            "02000000",
            "746b",
            "0100",
            "06000000",
            "5f5f6b696e64",
            "0202",
            "0100",
            "02000000",
            "6964",
            "05",
            "0100000000002000",
            "0000",
        ]
        .concat()
        .as_bytes()
        .chunks(2)
        .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap())
        .collect();
        let f = read_frame(&bytes).unwrap();
        assert_eq!(f.message_type, SEND);
        assert_eq!(f.token, "tk");
        assert_eq!(f.get("__kind"), Some(&SValue::Int(2)));
        assert_eq!(f.get("id"), Some(&SValue::Int(9_007_199_254_740_993)));
        let written = write_frame(
            SEND,
            0,
            "",
            0,
            "tk",
            &[
                ("__kind", SValue::Int(2), 2),
                ("id", SValue::Int(9_007_199_254_740_993), 5),
            ],
        );
        assert_eq!(written, bytes);
    }

    #[test]
    fn checks_the_java_sdk_sign() {
        let cfg = TmcConfig {
            app_key: "12345678".into(),
            secret: "SECRET_abc".into(),
        };
        let h = |k: &str, v: &str| (k.to_string(), Some(v.to_string()));
        let mut headers = vec![
            h("app_key", "12345678"),
            h("group_name", "default"),
            h("timestamp", "1700000000000"),
            h("sign", "AA9F0E8735DC9292A7BA1AC5782438D6"),
        ];
        assert!(signed_by(&cfg, &headers));
        headers[3] = h("sign", "AA9F0E8735DC9292A7BA1AC5782438D7");
        assert!(!signed_by(&cfg, &headers));
    }
}
