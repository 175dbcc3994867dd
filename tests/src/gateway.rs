//! A local TOP + Qimen gateway on 127.0.0.1 for tests and the example.
//!
//! It checks every call as the platform does (app key, timestamp, session,
//! signature, Qimen `customerId`) and answers with the pages' examples, or
//! with whatever a test queued: an `error_response`, a slow answer, a
//! truncated body, an HTML error page, a busy status, a connection reset
//! or closed under the request, silence. It counts the connections it
//! accepts.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{FixedOffset, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::verify::expected_sign;

mod batch;

/// Path of the TOP router.
pub const TOP_PATH: &str = "/router/rest";
/// Path of the Qimen router.
pub const QIMEN_PATH: &str = "/router/qimen/service";
/// Path of the TOP batch endpoint.
pub const BATCH_PATH: &str = "/router/batch";

/// Who the gateway accepts.
#[derive(Clone)]
pub struct GatewayConfig {
    pub app_key: String,
    pub secret: String,
    /// When set, a call carrying another `session` gets code 27.
    pub session: Option<String>,
    /// The Qimen `customerId` the gateway routes; others get `flag=failure`.
    pub customer_id: String,
    /// Refuse timestamps more than 10 minutes off, as the platform does.
    pub check_timestamp: bool,
    /// TOP page answers carry a `request_id` (`local-gateway-page-N`, N
    /// counting calls), as the platform's do.
    pub request_ids: bool,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            app_key: "12345678".into(),
            secret: "test-secret".into(),
            session: None,
            customer_id: "stub-cust-code".into(),
            check_timestamp: true,
            request_ids: false,
        }
    }
}

/// One answer a test queues; the gateway uses queued answers first, then
/// [`Answer::Page`].
#[derive(Debug, Clone)]
pub enum Answer {
    /// The page's response example of the called API.
    Page,
    /// `error_response` (JSON for TOP, XML for Qimen).
    Error {
        code: i64,
        msg: String,
        sub_code: Option<String>,
        sub_msg: Option<String>,
    },
    /// A Qimen `<response>` with `flag=failure`.
    QimenFailure { code: String, message: String },
    /// Waits, then answers with the page's example.
    Slow(Duration),
    /// Announces a longer body than it sends, then closes the connection.
    Truncated,
    /// A complete HTTP answer whose JSON or XML is cut in half.
    CutDocument,
    /// An HTML error page with this status.
    Html(u16),
    /// Any body with status 200; in a batch call, the whole answer.
    Raw(String),
    /// In a batch call, the answer of the one call that takes it, as given
    /// (the other calls answer on their own); outside a batch, as [`Answer::Raw`].
    Part(String),
    /// The page's example gzip-compressed (`Content-Encoding: gzip`), when
    /// the call asked for gzip; plain otherwise.
    Gzip,
    /// `Content-Encoding: gzip` on a body that is not gzip.
    FalseGzip,
    /// This status with a plain-text body and no platform error, and a
    /// `Retry-After` header when given (`"2"`, or an HTTP date).
    Status {
        status: u16,
        retry_after: Option<String>,
    },
    /// The connection reset (RST) after the request was read, no answer.
    Reset,
    /// The connection closed (FIN) after the request was read, no answer:
    /// a keep-alive connection the server dropped under the request.
    Close,
    /// No answer at all, the connection left open.
    Silent,
}

/// What the gateway received in one call.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    /// Multipart files: (name, file name, bytes).
    pub files: Vec<(String, String, Vec<u8>)>,
    pub xml_body: Option<String>,
    /// The text body of a batch call.
    pub batch_body: Option<String>,
    pub content_type: String,
    /// The `Accept-Encoding` header, empty when there was none.
    pub accept_encoding: String,
    /// `None` when the signature was right; otherwise the error code sent.
    pub rejected_with: Option<i64>,
}

impl Received {
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn form_param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Shared {
    cfg: GatewayConfig,
    calls: std::sync::atomic::AtomicU64,
    connections: std::sync::atomic::AtomicU64,
    /// Calls being handled now, and the most there ever were at once.
    in_flight: std::sync::atomic::AtomicU64,
    peak_in_flight: std::sync::atomic::AtomicU64,
    script: Mutex<VecDeque<Answer>>,
    log: Mutex<Vec<Received>>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not take the gateway down with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A server on a thread and tokio runtime of its own, so both async and
/// blocking clients can call it; stops when dropped.
pub(crate) struct Background {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Binds 127.0.0.1 on a free port and runs `serve` on it.
    pub(crate) fn start<F, Fut>(name: &str, serve: F) -> std::io::Result<(SocketAddr, Background)>
    where
        F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()>,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                rt.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::select! {
                        _ = serve(listener) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime cancels connections still open
                // (slow answers included).
                rt.shutdown_background();
            })?;
        let server = Background {
            stop: Some(stop),
            thread: Some(thread),
        };
        Ok((addr, server))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A running gateway; stops when dropped.
pub struct Gateway {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _server: Background,
}

impl Gateway {
    /// Starts a gateway on 127.0.0.1 with a free port, on its own thread
    /// (so both async and blocking clients can use it).
    pub fn start(cfg: GatewayConfig) -> std::io::Result<Gateway> {
        let shared = Arc::new(Shared {
            cfg,
            calls: std::sync::atomic::AtomicU64::new(0),
            connections: std::sync::atomic::AtomicU64::new(0),
            in_flight: std::sync::atomic::AtomicU64::new(0),
            peak_in_flight: std::sync::atomic::AtomicU64::new(0),
            script: Mutex::new(VecDeque::new()),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let counted = Arc::clone(&shared);
        let (addr, server) = Background::start("top-gateway", move |listener| async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted
                    .connections
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::spawn(serve_connection(tcp, app.clone()));
            }
        })?;
        Ok(Gateway {
            addr,
            shared,
            _server: server,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The TOP router URL.
    pub fn url(&self) -> String {
        format!("http://{}{TOP_PATH}", self.addr)
    }

    /// The Qimen router URL.
    pub fn qimen_url(&self) -> String {
        format!("http://{}{QIMEN_PATH}", self.addr)
    }

    pub fn config(&self) -> &GatewayConfig {
        &self.shared.cfg
    }

    /// Queues answers for the next calls, in order.
    pub fn push(&self, answers: impl IntoIterator<Item = Answer>) {
        lock(&self.shared.script).extend(answers);
    }

    /// Every call received so far.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.log).clone()
    }

    /// The TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The most calls the gateway was handling at one time.
    pub fn peak_in_flight(&self) -> u64 {
        self.shared
            .peak_in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A call counted as in flight while its handler runs.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        use std::sync::atomic::Ordering::SeqCst;
        let now = shared.in_flight.fetch_add(1, SeqCst) + 1;
        shared.peak_in_flight.fetch_max(now, SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let in_flight = &self.0.in_flight;
        in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A handler's way to end its own connection without an answer.
#[derive(Clone, Default)]
struct Cut(Arc<CutState>);

#[derive(Default)]
struct CutState {
    now: tokio::sync::Notify,
    reset: std::sync::atomic::AtomicBool,
}

impl Cut {
    /// Ends the connection: reset (RST) or closed (FIN).
    fn fire(&self, reset: bool) {
        self.0
            .reset
            .store(reset, std::sync::atomic::Ordering::Relaxed);
        self.0.now.notify_one();
    }
}

/// Serves one connection with HTTP/1.1 keep-alive until the client leaves
/// or a handler cuts it.
async fn serve_connection(tcp: tokio::net::TcpStream, app: Router) {
    use tower_service::Service as _;
    // A second handle on the socket, to set it to reset once hyper's is gone.
    let Ok(std) = tcp.into_std() else { return };
    let Ok(spare) = std.try_clone() else { return };
    let (Ok(tcp), Ok(spare)) = (
        tokio::net::TcpStream::from_std(std),
        tokio::net::TcpStream::from_std(spare),
    ) else {
        return;
    };
    let cut = Cut::default();
    let handler_cut = cut.clone();
    let svc = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(handler_cut.clone());
        let mut app = app.clone();
        async move { app.call(req.map(Body::new)).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc);
    tokio::select! {
        _ = conn => {}
        _ = cut.0.now.notified() => {
            if cut.0.reset.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = spare.set_zero_linger();
            }
        }
    }
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn param<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let cut = req.extensions().get::<Cut>().cloned().unwrap_or_default();
    let path = req.uri().path().to_owned();
    let query = pairs(req.uri().query().unwrap_or("").as_bytes());
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let accept_encoding = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if path == BATCH_PATH {
        return batch::handle(&shared, req).await;
    }
    let qimen = path == QIMEN_PATH;
    if !qimen && path != TOP_PATH {
        return (StatusCode::NOT_FOUND, "no such router").into_response();
    }

    let mut form = Vec::new();
    let mut files = Vec::new();
    let mut xml_body = None;
    if content_type.starts_with("multipart/form-data") {
        let Ok(mut mp) = Multipart::from_request(req, &()).await else {
            return (StatusCode::BAD_REQUEST, "bad multipart").into_response();
        };
        while let Ok(Some(field)) = mp.next_field().await {
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let Ok(data) = field.bytes().await else {
                return (StatusCode::BAD_REQUEST, "bad multipart field").into_response();
            };
            match file_name {
                Some(f) => files.push((name, f, data.to_vec())),
                None => form.push((name, String::from_utf8_lossy(&data).into_owned())),
            }
        }
    } else {
        let Ok(bytes) = axum::body::to_bytes(req.into_body(), 16 << 20).await else {
            return (StatusCode::BAD_REQUEST, "unreadable body").into_response();
        };
        if qimen {
            xml_body = Some(String::from_utf8_lossy(&bytes).into_owned());
        } else {
            form = pairs(&bytes);
        }
    }

    let method = param(&query, "method").unwrap_or("").to_owned();
    let rejected = check(&shared.cfg, qimen, &query, &form, xml_body.as_deref());
    lock(&shared.log).push(Received {
        path,
        query: query.clone(),
        form: form.clone(),
        files: files.clone(),
        xml_body: xml_body.clone(),
        batch_body: None,
        content_type,
        accept_encoding: accept_encoding.clone(),
        rejected_with: rejected.as_ref().map(|r| r.0),
    });
    if let Some((code, msg)) = rejected {
        return error_answer(qimen, code, msg, None, None);
    }
    if qimen && param(&query, "customerId") != Some(shared.cfg.customer_id.as_str()) {
        return qimen_failure("Q404", "unknown customerId");
    }

    let answer = lock(&shared.script).pop_front().unwrap_or(Answer::Page);
    let simplify = param(&query, "simplify") == Some("true");
    let n = shared
        .calls
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        + 1;
    let request_id = (shared.cfg.request_ids && !qimen).then(|| format!("local-gateway-page-{n}"));
    match answer {
        Answer::Page => match (page_body(&method, qimen, simplify), request_id) {
            (Some(body), Some(id)) => {
                text_answer(StatusCode::OK, qimen, with_request_id(&body, simplify, &id))
            }
            _ => page_answer(&method, qimen, simplify),
        },
        Answer::Error {
            code,
            msg,
            sub_code,
            sub_msg,
        } => error_answer(qimen, code, &msg, sub_code.as_deref(), sub_msg.as_deref()),
        Answer::QimenFailure { code, message } => qimen_failure(&code, &message),
        Answer::Slow(d) => {
            tokio::time::sleep(d).await;
            page_answer(&method, qimen, simplify)
        }
        Answer::Truncated => {
            // The head and a first chunk go out; then the stream breaks
            // off, so hyper drops the connection short of the announced
            // length.
            let chunks = futures_util::stream::unfold(0u8, |step| async move {
                match step {
                    0 => Some((
                        Ok(Bytes::from_static(
                            br#"{"pc_order_detail_response":{"result":"#,
                        )),
                        1,
                    )),
                    1 => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Some((Err(std::io::Error::other("connection lost")), 2))
                    }
                    _ => None,
                }
            });
            let mut resp = Response::new(Body::from_stream(chunks));
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from_static("4096"));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=utf-8"),
            );
            resp
        }
        Answer::CutDocument => {
            let full = page_body(&method, qimen, simplify).unwrap_or_default();
            let mut cut = full.len() / 2;
            while !full.is_char_boundary(cut) {
                cut -= 1;
            }
            text_answer(StatusCode::OK, qimen, full[..cut].to_owned())
        }
        Answer::Html(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut resp = (
                status,
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>Tengine</body></html>",
            )
                .into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            resp
        }
        Answer::Raw(body) | Answer::Part(body) => text_answer(StatusCode::OK, qimen, body),
        Answer::Gzip if accept_encoding.contains("gzip") => {
            let body = page_body(&method, qimen, simplify).unwrap_or_default();
            gzipped(text_answer(StatusCode::OK, qimen, gzip(body.as_bytes())))
        }
        Answer::Gzip => page_answer(&method, qimen, simplify),
        Answer::FalseGzip => gzipped(page_answer(&method, qimen, simplify)),
        Answer::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut resp = (status, "busy, try again later").into_response();
            if let Some(v) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        Answer::Reset | Answer::Close => {
            cut.fire(matches!(answer, Answer::Reset));
            std::future::pending().await
        }
        Answer::Silent => std::future::pending().await,
    }
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Marks an answer `Content-Encoding: gzip`.
fn gzipped(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    resp
}

/// The platform's checks, in its order; `Some((code, msg))` on failure.
fn check(
    cfg: &GatewayConfig,
    qimen: bool,
    query: &[(String, String)],
    form: &[(String, String)],
    xml: Option<&str>,
) -> Option<(i64, &'static str)> {
    let get = |n: &str| param(query, n);
    let method = get("method").unwrap_or("");
    if method.is_empty() {
        return Some((21, "Missing Method"));
    }
    if get("app_key") != Some(cfg.app_key.as_str()) {
        return Some((29, "Invalid App Key"));
    }
    let Some(ts) = get("timestamp") else {
        return Some((30, "Missing Timestamp"));
    };
    let Ok(naive) = NaiveDateTime::parse_from_str(ts, "%Y-%m-%d %H:%M:%S") else {
        return Some((31, "Invalid Timestamp"));
    };
    if cfg.check_timestamp {
        let Some(gmt8) = FixedOffset::east_opt(8 * 3600) else {
            return Some((31, "Invalid Timestamp"));
        };
        let Some(sent) = naive.and_local_timezone(gmt8).single() else {
            return Some((31, "Invalid Timestamp"));
        };
        let skew = (Utc::now() - sent.with_timezone(&Utc)).num_seconds().abs();
        if skew > 600 {
            return Some((31, "Invalid Timestamp"));
        }
    }
    if get("v") != Some("2.0") {
        return Some((33, "Invalid Version"));
    }
    let want_format = if qimen { "xml" } else { "json" };
    if get("format") != Some(want_format) {
        return Some((23, "Invalid Format"));
    }
    let Some(sign) = get("sign") else {
        return Some((24, "Missing Signature"));
    };
    let sign_method = get("sign_method").unwrap_or("md5");
    // Files never reach this list: multipart text fields only.
    let mut signed: Vec<(String, String)> = query.to_vec();
    signed.extend(form.iter().cloned());
    match expected_sign(&signed, xml, &cfg.secret, sign_method) {
        Some(want) if want == sign => {}
        _ => return Some((25, "Invalid Signature")),
    }
    if let (Some(want), Some(got)) = (&cfg.session, get("session"))
        && want != got
    {
        return Some((27, "Invalid Session"));
    }
    if !known_method(method, qimen) {
        return Some((22, "Invalid Method"));
    }
    None
}

const TOP_METHODS: &[&str] = &[
    "taobao.pc.order.detail",
    "taobao.pc.order.cancel",
    "taobao.itemmarket.order.info.update",
    "taobao.qimen.auto.entryorder.giftitemcancel",
    "taobao.top.auth.token.create",
    "taobao.top.auth.token.refresh",
    UPLOAD_METHOD,
];

/// A test-only API with a file parameter; no page has one.
pub const UPLOAD_METHOD: &str = "taobao.test.file.upload";

/// A test-only Qimen API whose answer holds lists; no page has one.
pub const QIMEN_ITEMS_METHOD: &str = "taobao.qimen.test.items.query";

fn known_method(method: &str, qimen: bool) -> bool {
    if qimen {
        method == "taobao.qimen.order.cancel" || method == QIMEN_ITEMS_METHOD
    } else {
        TOP_METHODS.contains(&method)
    }
}

fn page_body(method: &str, qimen: bool, simplify: bool) -> Option<String> {
    if qimen {
        return Some(match method {
            QIMEN_ITEMS_METHOD => QIMEN_ITEMS_ANSWER.to_owned(),
            _ => include_str!("fixtures/qimen_order_cancel.xml").to_owned(),
        });
    }
    let json = match method {
        "taobao.pc.order.detail" => include_str!("fixtures/pc_order_detail.json"),
        "taobao.pc.order.cancel" => include_str!("fixtures/pc_order_cancel.json"),
        "taobao.itemmarket.order.info.update" => {
            include_str!("fixtures/itemmarket_order_info_update.json")
        }
        "taobao.qimen.auto.entryorder.giftitemcancel" => {
            include_str!("fixtures/qimen_auto_entryorder_giftitemcancel.json")
        }
        "taobao.top.auth.token.create" => include_str!("fixtures/top_auth_token_create.json"),
        "taobao.top.auth.token.refresh" => include_str!("fixtures/top_auth_token_refresh.json"),
        UPLOAD_METHOD => r#"{"test_file_upload_response":{"accepted":true}}"#,
        _ => return None,
    };
    if !simplify {
        return Some(json.to_owned());
    }
    let v: Value = serde_json::from_str(json).ok()?;
    let inner = v.as_object()?.values().next()?.clone();
    Some(simplified(inner).to_string())
}

/// `simplify=true`: no envelope, lists without their item-name wrapper.
fn simplified(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(Value::Array(items)) = map.values().next()
            {
                return Value::Array(items.iter().cloned().map(simplified).collect());
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, simplified(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(simplified).collect()),
        other => other,
    }
}

/// The answer of [`QIMEN_ITEMS_METHOD`]: two items in each list.
const QIMEN_ITEMS_ANSWER: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><response>\
    <flag>success</flag><code>0</code>\
    <items><item><itemCode>A1</itemCode><quantity>2</quantity></item>\
    <item><itemCode>B2</itemCode><quantity>9007199254740993</quantity></item></items>\
    <orderCodes><string>O1</string><string>O2</string></orderCodes>\
    </response>";

/// `body` with `"request_id"` first in the answer's object: the envelope's
/// inner object, or the root with `simplify`.
fn with_request_id(body: &str, simplify: bool, id: &str) -> String {
    let opening = if simplify { 1 } else { 2 };
    let Some((at, _)) = body.match_indices('{').nth(opening - 1) else {
        return body.to_owned();
    };
    let rest = &body[at + 1..];
    let sep = if rest.trim_start().starts_with('}') {
        ""
    } else {
        ","
    };
    format!("{}\"request_id\":\"{id}\"{sep}{rest}", &body[..=at])
}

fn page_answer(method: &str, qimen: bool, simplify: bool) -> Response {
    match page_body(method, qimen, simplify) {
        Some(body) => text_answer(StatusCode::OK, qimen, body),
        None => error_answer(qimen, 22, "Invalid Method", None, None),
    }
}

fn text_answer(status: StatusCode, qimen: bool, body: impl Into<Bytes>) -> Response {
    let ct = if qimen {
        "text/xml;charset=utf-8"
    } else {
        "application/json;charset=utf-8"
    };
    let mut resp = (status, body.into()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    resp
}

fn xml_escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn error_answer(
    qimen: bool,
    code: i64,
    msg: &str,
    sub_code: Option<&str>,
    sub_msg: Option<&str>,
) -> Response {
    let request_id = "local-gateway-1";
    let body = if qimen {
        let mut x = format!(
            "<error_response><code>{code}</code><msg>{}</msg>",
            xml_escape(msg)
        );
        if let Some(s) = sub_code {
            x += &format!("<sub_code>{}</sub_code>", xml_escape(s));
        }
        if let Some(s) = sub_msg {
            x += &format!("<sub_msg>{}</sub_msg>", xml_escape(s));
        }
        x += &format!("<request_id>{request_id}</request_id></error_response>");
        x
    } else {
        let mut e = Map::new();
        e.insert("code".into(), Value::from(code));
        e.insert("msg".into(), Value::from(msg));
        if let Some(s) = sub_code {
            e.insert("sub_code".into(), Value::from(s));
        }
        if let Some(s) = sub_msg {
            e.insert("sub_msg".into(), Value::from(s));
        }
        e.insert("request_id".into(), Value::from(request_id));
        serde_json::json!({ "error_response": e }).to_string()
    };
    text_answer(StatusCode::OK, qimen, body)
}

fn qimen_failure(code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>failure</flag><code>{}</code><message>{}</message></response>",
        xml_escape(code),
        xml_escape(message)
    );
    text_answer(StatusCode::OK, true, body)
}

/// An address on 127.0.0.1 where a connect never completes: its listener's
/// accept queue is full and never drained, so the kernel ignores further
/// connection requests until the caller's connect timeout runs out.
pub struct Unreachable {
    addr: SocketAddr,
    _listener: std::net::TcpListener,
    _queued: Vec<std::net::TcpStream>,
}

impl Unreachable {
    pub fn start() -> std::io::Result<Unreachable> {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
        socket.listen(0)?;
        let listener: std::net::TcpListener = socket.into();
        let addr = listener.local_addr()?;
        // Fill the queue: connects succeed until it is full.
        let mut queued = Vec::new();
        for _ in 0..16 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(conn) => queued.push(conn),
                Err(_) => break,
            }
        }
        Ok(Unreachable {
            addr,
            _listener: listener,
            _queued: queued,
        })
    }

    /// A TOP router URL at this address.
    pub fn url(&self) -> String {
        format!("http://{}{TOP_PATH}", self.addr)
    }
}

/// A plain HTTP proxy on 127.0.0.1 that forwards every connection to one
/// address and records the head of each connection's first request (the
/// request line in absolute form, then the headers).
pub struct Proxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    _server: Background,
}

impl Proxy {
    pub fn start(target: SocketAddr) -> std::io::Result<Proxy> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let (addr, server) = Background::start("top-proxy", move |listener| async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(forward(conn, target, Arc::clone(&log)));
            }
        })?;
        Ok(Proxy {
            addr,
            seen,
            _server: server,
        })
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request heads seen so far.
    pub fn seen(&self) -> Vec<String> {
        lock(&self.seen).clone()
    }
}

/// Reads the first request head, records it, then pipes both ways.
async fn forward(
    mut client: tokio::net::TcpStream,
    target: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 << 10 {
            return;
        }
    }
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(head.len());
    lock(&log).push(String::from_utf8_lossy(&head[..end]).into_owned());
    let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
        return;
    };
    if upstream.write_all(&head).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_goes_first_in_the_answer() {
        let table = [
            (
                r#"{"a_response":{"x":1}}"#,
                false,
                r#"{"a_response":{"request_id":"r","x":1}}"#,
            ),
            (
                r#"{"a_response":{ }}"#,
                false,
                r#"{"a_response":{"request_id":"r" }}"#,
            ),
            (
                r#"{"x":{"y":2}}"#,
                true,
                r#"{"request_id":"r","x":{"y":2}}"#,
            ),
        ];
        for (body, simplify, want) in table {
            assert_eq!(with_request_id(body, simplify, "r"), want);
        }
    }

    #[test]
    fn simplify_unwraps_envelope_and_lists() {
        let body = page_body("taobao.pc.order.cancel", false, true).unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["result"]["contract_place_order"]["biz_order_ids"],
            serde_json::json!(["Top", "Pub"])
        );
        assert_eq!(
            v["result"]["contract_place_order"]["order_items"][0]["item_id"],
            serde_json::json!(3)
        );
    }
}
