//! The connection loop: connect and sign, pull and heartbeat, hand messages
//! out under a concurrency bound, confirm after success, reconnect.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt as _, Stream, StreamExt as _};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, timeout};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use tracing::{debug, warn};

use super::codec::{self, Frame, MessageType, Value};
use super::message::{self, Message};
use super::{PRODUCTION_URL, connect_sign, kind};
use crate::client::{Secret, jittered};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the consumer reports to its caller. Transient trouble (a dropped
/// connection, a malformed frame) is logged and retried, never returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TmcError {
    /// The service answered the connect with a status: a wrong app key or
    /// secret, or a group the app does not have.
    #[error(
        "TMC at {url} refused app key {app_key}, group `{group}`: status {code} {phrase}; check the app key, the app secret and the group"
    )]
    Refused {
        url: String,
        app_key: String,
        group: String,
        code: i32,
        phrase: String,
    },
    /// The consumer's settings cannot work; nothing was sent.
    #[error("TMC consumer setup: {0}")]
    Config(String),
}

/// Builds a [`Consumer`].
#[derive(Debug, Clone)]
pub struct ConsumerBuilder {
    cfg: Config,
}

#[derive(Debug, Clone)]
struct Config {
    url: String,
    app_key: String,
    secret: Secret,
    group: String,
    concurrency: usize,
    pull_interval: Duration,
    heartbeat: Duration,
    backoff: (Duration, Duration),
    connect_timeout: Duration,
    seen_window: Duration,
    dedup: bool,
}

impl ConsumerBuilder {
    /// `ws://` or `wss://`; [`PRODUCTION_URL`] by default.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.cfg.url = url.into();
        self
    }

    /// The message group (`default` by default).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.cfg.group = group.into();
        self
    }

    /// At most this many messages handled at once (16); the next is read
    /// from the connection only when one finished.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.cfg.concurrency = n;
        self
    }

    /// How often to ask for messages the push missed; the first request
    /// goes right after connecting (15 s, as the Java SDK).
    pub fn pull_interval(mut self, every: Duration) -> Self {
        self.cfg.pull_interval = every;
        self
    }

    /// A WebSocket ping after connecting and then this often (45 s, as the
    /// Java SDK). A missing pong is not taken for a dead connection.
    pub fn heartbeat(mut self, every: Duration) -> Self {
        self.cfg.heartbeat = every;
        self
    }

    /// Wait before reconnect number `n`: `base` doubling up to `max`, each
    /// drawn between half and all of it (1 s up to 30 s).
    pub fn reconnect_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.cfg.backoff = (base, max);
        self
    }

    /// Longest wait for the WebSocket handshake and the connect's answer (10 s).
    pub fn connect_timeout(mut self, limit: Duration) -> Self {
        self.cfg.connect_timeout = limit;
        self
    }

    /// Remembers the ids handled successfully during `window`: one delivered
    /// again is confirmed without running the handler. Without it (the
    /// default) a redelivered message runs the handler again. Either way
    /// [`Message::redelivered`] tells a second delivery within the window
    /// (10 minutes when not set here).
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.cfg.seen_window = window;
        self.cfg.dedup = true;
        self
    }

    pub fn build(self) -> Result<Consumer, TmcError> {
        let cfg = self.cfg;
        if !(cfg.url.starts_with("ws://") || cfg.url.starts_with("wss://")) {
            return Err(TmcError::Config(format!(
                "`{}` is not a ws:// or wss:// URL",
                cfg.url
            )));
        }
        cfg.url
            .as_str()
            .into_client_request()
            .map_err(|e| TmcError::Config(format!("`{}`: {e}", cfg.url)))?;
        if cfg.concurrency == 0 {
            return Err(TmcError::Config("concurrency must be at least 1".into()));
        }
        if cfg.concurrency > MAX_CONCURRENCY {
            return Err(TmcError::Config(format!(
                "concurrency must be at most {MAX_CONCURRENCY}"
            )));
        }
        if cfg.pull_interval.is_zero() || cfg.heartbeat.is_zero() {
            return Err(TmcError::Config(
                "the pull interval and the heartbeat must be above zero".into(),
            ));
        }
        // Timers add these to the clock: a sum past its end would panic.
        for (name, every) in [
            ("pull interval", cfg.pull_interval),
            ("heartbeat", cfg.heartbeat),
        ] {
            if Instant::now().checked_add(every).is_none() {
                return Err(TmcError::Config(format!(
                    "the {name} {every:?} is too long for the clock"
                )));
            }
        }
        let tls = tls()?;
        let (shutdown, _) = watch::channel(false);
        Ok(Consumer {
            cfg: Arc::new(cfg),
            tls,
            shutdown: Shutdown(Arc::new(shutdown)),
        })
    }
}

/// The most handlers at once: the semaphore's bound, and the permits
/// `Supervisor::wait_for_handlers` takes back in one `u32`.
const MAX_CONCURRENCY: usize = if Semaphore::MAX_PERMITS < u32::MAX as usize {
    Semaphore::MAX_PERMITS
} else {
    u32::MAX as usize
};

/// rustls with ring and the webpki roots, as the REST client's reqwest.
fn tls() -> Result<Connector, TmcError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TmcError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connector::Rustls(Arc::new(config)))
}

/// A TMC consumer: [`Consumer::run`] with a handler, or
/// [`Consumer::deliveries`] as a stream.
pub struct Consumer {
    cfg: Arc<Config>,
    tls: Connector,
    shutdown: Shutdown,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// Asks a running consumer to stop: it takes no new message, lets the
/// handlers running finish, sends their confirms, then closes.
#[derive(Debug, Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Shutdown {
    pub fn shutdown(&self) {
        self.0.send_replace(true);
    }
}

impl Consumer {
    pub fn builder(app_key: impl Into<String>, secret: impl Into<Secret>) -> ConsumerBuilder {
        ConsumerBuilder {
            cfg: Config {
                url: PRODUCTION_URL.into(),
                app_key: app_key.into(),
                secret: secret.into(),
                group: "default".into(),
                concurrency: 16,
                pull_interval: Duration::from_secs(15),
                heartbeat: Duration::from_secs(45),
                backoff: (Duration::from_secs(1), Duration::from_secs(30)),
                connect_timeout: Duration::from_secs(10),
                seen_window: Duration::from_secs(600),
                dedup: false,
            },
        }
    }

    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// The messages as a stream of [`Delivery`]s, each to be confirmed or
    /// failed. Keep polling after a shutdown until the stream ends: the
    /// consumer closes once every delivery it handed out is settled. The
    /// stream yields an error (then ends) when the first connect is refused.
    /// The consumer starts on the first poll, which must be inside a Tokio
    /// runtime.
    pub fn deliveries(self) -> Deliveries {
        Deliveries {
            start: Some(self),
            rx: None,
            task: None,
            shutdown: None,
        }
    }

    /// Runs `handler` on each message, at most `concurrency` at once, each
    /// in a task of its own: `Ok` confirms the message; an error or a panic
    /// sends it back as failed (the platform delivers it again). Returns
    /// after a [`Shutdown`] once the running handlers are done, or with the
    /// error that stopped the consumer.
    pub async fn run<H, Fut, E>(self, handler: H) -> Result<(), TmcError>
    where
        H: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        let handler = Arc::new(handler);
        let mut deliveries = self.deliveries();
        while let Some(delivery) = deliveries.next().await {
            let delivery = delivery?;
            let (handler, message) = (Arc::clone(&handler), delivery.message().clone());
            // Called inside the task, so a handler that panics before
            // returning its future fails the message too.
            let work = tokio::spawn(async move { handler(message).await });
            tokio::spawn(async move {
                match work.await {
                    Ok(Ok(())) => delivery.confirm(),
                    Ok(Err(e)) => delivery.fail(e),
                    Err(e) if e.is_panic() => delivery.fail("the handler panicked"),
                    Err(_) => delivery.fail("the handler was cancelled"),
                }
            });
        }
        Ok(())
    }
}

/// The stream of [`Consumer::deliveries`].
pub struct Deliveries {
    start: Option<Consumer>,
    rx: Option<mpsc::Receiver<Delivery>>,
    task: Option<JoinHandle<Result<(), TmcError>>>,
    shutdown: Option<Shutdown>,
}

impl Stream for Deliveries {
    type Item = Result<Delivery, TmcError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        // Started on the first poll, so inside the caller's runtime.
        if let Some(consumer) = this.start.take() {
            let (tx, rx) = mpsc::channel(consumer.cfg.concurrency);
            this.shutdown = Some(consumer.shutdown.clone());
            this.rx = Some(rx);
            this.task = Some(tokio::spawn(supervise(consumer, tx)));
        }
        if let Some(rx) = this.rx.as_mut() {
            match rx.poll_recv(cx) {
                Poll::Ready(Some(d)) => return Poll::Ready(Some(Ok(d))),
                Poll::Ready(None) => this.rx = None,
                Poll::Pending => return Poll::Pending,
            }
        }
        let Some(task) = this.task.as_mut() else {
            return Poll::Ready(None);
        };
        let done = std::task::ready!(Pin::new(task).poll(cx));
        this.task = None;
        Poll::Ready(match done {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(Err(e)),
            Err(e) => Some(Err(TmcError::Config(format!(
                "the consumer task failed: {e}"
            )))),
        })
    }
}

/// Dropping the stream stops the consumer as a [`Shutdown`] does.
impl Drop for Deliveries {
    fn drop(&mut self) {
        if let Some(s) = &self.shutdown {
            s.shutdown();
        }
    }
}

/// One message handed out: [`Delivery::confirm`] after handling it,
/// [`Delivery::fail`] when it could not be. Dropped without either, the
/// message stays unconfirmed and the platform delivers it again.
pub struct Delivery {
    message: Message,
    settle: Settle,
}

struct Settle {
    id: i64,
    outcomes: mpsc::UnboundedSender<Outcome>,
    sent: bool,
    // Declared last: released after the outcome is queued.
    _permit: OwnedSemaphorePermit,
}

#[derive(Debug)]
struct Outcome {
    id: i64,
    result: Settled,
}

#[derive(Debug)]
enum Settled {
    Confirm,
    Failed(String),
    Abandoned,
}

impl Delivery {
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// Confirms the message (sent on the connection it came from).
    pub fn confirm(mut self) {
        self.settle.send(Settled::Confirm);
    }

    /// Sends the message back as failed, with `reason` (at most 128
    /// characters, as the Java SDK) for the platform's records.
    pub fn fail(mut self, reason: impl fmt::Display) {
        let reason: String = reason.to_string().chars().take(128).collect();
        self.settle.send(Settled::Failed(reason));
    }
}

impl std::ops::Deref for Delivery {
    type Target = Message;
    fn deref(&self) -> &Message {
        &self.message
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Delivery").field(&self.message).finish()
    }
}

impl Settle {
    fn send(&mut self, result: Settled) {
        if !self.sent {
            self.sent = true;
            // The loop is gone only after every permit came back.
            let _ = self.outcomes.send(Outcome {
                id: self.id,
                result,
            });
        }
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        self.send(Settled::Abandoned);
    }
}

/// State that outlives a connection.
struct Supervisor {
    cfg: Arc<Config>,
    tls: Connector,
    shutdown: watch::Receiver<bool>,
    deliveries: mpsc::Sender<Delivery>,
    permits: Arc<Semaphore>,
    outcomes_tx: mpsc::UnboundedSender<Outcome>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    /// Ids handed out and not yet settled, each with the connection that
    /// delivered it last: the confirm goes there, or nowhere.
    in_flight: HashMap<i64, u64>,
    seen: Seen,
    connection: u64,
}

/// Why a connection ended.
enum End {
    Shutdown,
    Dropped(String),
}

async fn supervise(consumer: Consumer, deliveries: mpsc::Sender<Delivery>) -> Result<(), TmcError> {
    let cfg = consumer.cfg;
    let (outcomes_tx, outcomes) = mpsc::unbounded_channel();
    let mut s = Supervisor {
        permits: Arc::new(Semaphore::new(cfg.concurrency)),
        seen: Seen::new(cfg.seen_window),
        tls: consumer.tls,
        shutdown: consumer.shutdown.0.subscribe(),
        deliveries,
        outcomes_tx,
        outcomes,
        in_flight: HashMap::new(),
        connection: 0,
        cfg,
    };
    let result = s.connect_loop().await;
    s.wait_for_handlers().await;
    debug!(target: "top_runtime::tmc", "consumer stopped");
    result
}

impl Supervisor {
    async fn connect_loop(&mut self) -> Result<(), TmcError> {
        let mut failures: u32 = 0;
        let mut connected_once = false;
        loop {
            let attempt = tokio::select! {
                biased;
                _ = stop_asked(&mut self.shutdown, &self.deliveries) => return Ok(()),
                r = connect(&self.cfg, &self.tls) => r,
            };
            match attempt {
                Ok((ws, token)) => {
                    failures = 0;
                    connected_once = true;
                    self.connection += 1;
                    debug!(target: "top_runtime::tmc", url = %self.cfg.url, group = %self.cfg.group, connection = self.connection, "connected");
                    match self.session(ws, &token).await {
                        End::Shutdown => return Ok(()),
                        End::Dropped(reason) => {
                            debug!(target: "top_runtime::tmc", connection = self.connection, %reason, "disconnected");
                        }
                    }
                }
                Err(Failure::Refused { code, phrase }) if !connected_once => {
                    return Err(TmcError::Refused {
                        url: self.cfg.url.clone(),
                        app_key: self.cfg.app_key.clone(),
                        group: self.cfg.group.clone(),
                        code,
                        phrase,
                    });
                }
                Err(e) => warn!(target: "top_runtime::tmc", error = %e, "connect failed"),
            }
            let wait = backoff(self.cfg.backoff, failures);
            failures = failures.saturating_add(1);
            debug!(target: "top_runtime::tmc", wait_ms = wait.as_millis() as u64, attempt = failures, "reconnecting");
            tokio::select! {
                _ = sleep(wait) => {}
                _ = stop_asked(&mut self.shutdown, &self.deliveries) => return Ok(()),
            }
        }
    }

    /// Every delivery handed out is settled (its outcome is dropped: no
    /// connection is left to confirm on).
    async fn wait_for_handlers(&mut self) {
        // At most MAX_CONCURRENCY, which fits a u32 (checked by `build`).
        let all = u32::try_from(self.cfg.concurrency).unwrap_or(u32::MAX);
        let _ = self.permits.acquire_many(all).await;
        while self.outcomes.try_recv().is_ok() {}
    }

    /// One connection, until it drops or a shutdown has drained it.
    async fn session(&mut self, ws: Ws, token: &str) -> End {
        let (sink, mut stream) = ws.split();
        let mut conn = Conn {
            sink,
            token: token.to_owned(),
            id: self.connection,
        };
        // The Java SDK pings right after the handshake.
        if let Err(e) = conn.sink.send(WsMessage::Ping(Vec::new().into())).await {
            return End::Dropped(format!("ping failed: {e}"));
        }
        let now = Instant::now();
        let mut pull = interval_at(now, self.cfg.pull_interval);
        let mut heartbeat = interval_at(now + self.cfg.heartbeat, self.cfg.heartbeat);
        pull.set_missed_tick_behavior(MissedTickBehavior::Delay);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut permit: Option<OwnedSemaphorePermit> = None;
        let mut draining = false;
        loop {
            if draining && self.idle() {
                return close(&mut conn, &mut stream).await;
            }
            let step = tokio::select! {
                biased;
                Some(o) = self.outcomes.recv() => self.settle(&mut conn, o).await,
                _ = stop_asked(&mut self.shutdown, &self.deliveries), if !draining => {
                    draining = true;
                    permit = None;
                    debug!(target: "top_runtime::tmc", connection = conn.id, "shutting down: taking no new message");
                    Ok(())
                }
                p = self.permits.clone().acquire_owned(), if permit.is_none() && !draining => {
                    permit = p.ok();
                    Ok(())
                }
                _ = pull.tick(), if !draining => conn.send_kind(kind::PULL_REQUEST, Vec::new()).await,
                _ = heartbeat.tick() => conn.sink.send(WsMessage::Ping(Vec::new().into())).await.map_err(|e| format!("ping failed: {e}")),
                read = stream.next(), if permit.is_some() || draining => {
                    self.read(&mut conn, read, &mut permit, draining).await
                }
            };
            if let Err(reason) = step {
                let _ = timeout(CLOSE_WAIT, conn.sink.close()).await;
                return End::Dropped(reason);
            }
        }
    }

    /// No delivery outstanding and no outcome left to send (draining holds
    /// no permit of its own).
    fn idle(&self) -> bool {
        self.outcomes.is_empty() && self.permits.available_permits() == self.cfg.concurrency
    }

    /// A handler's outcome: confirmed (or failed) on the connection that
    /// delivered the message last, if it is this one; otherwise nothing is
    /// sent and the platform delivers the message again.
    async fn settle(&mut self, conn: &mut Conn, o: Outcome) -> Result<(), String> {
        let delivered_on = self.in_flight.remove(&o.id);
        if let Settled::Confirm = o.result {
            self.seen.handled(o.id);
        }
        if delivered_on != Some(conn.id) {
            debug!(target: "top_runtime::tmc", id = o.id, "not confirmed: its connection is gone; it will be delivered again");
            return Ok(());
        }
        match o.result {
            Settled::Confirm => conn.confirm(o.id).await,
            Settled::Failed(reason) => {
                debug!(target: "top_runtime::tmc", id = o.id, "sent as failed");
                conn.send_kind(
                    kind::FAILED,
                    vec![("id", Value::Int64(o.id)), ("msg", Value::Str(reason))],
                )
                .await
            }
            Settled::Abandoned => {
                debug!(target: "top_runtime::tmc", id = o.id, "dropped unsettled; left for redelivery");
                Ok(())
            }
        }
    }

    async fn read(
        &mut self,
        conn: &mut Conn,
        read: Option<Result<WsMessage, tokio_tungstenite::tungstenite::Error>>,
        permit: &mut Option<OwnedSemaphorePermit>,
        draining: bool,
    ) -> Result<(), String> {
        let bytes = match read {
            None => return Err("the server closed the connection".into()),
            Some(Err(e)) => return Err(format!("read failed: {e}")),
            Some(Ok(WsMessage::Binary(b))) => b,
            Some(Ok(WsMessage::Close(c))) => {
                return Err(format!(
                    "the server sent Close {:?}",
                    c.map(|c| c.reason.to_string())
                ));
            }
            Some(Ok(WsMessage::Text(_))) => return Err("malformed: a text frame".into()),
            // Pings are answered by tungstenite; pongs are not awaited.
            Some(Ok(_)) => return Ok(()),
        };
        let frame = codec::decode(&bytes).map_err(|e| {
            warn!(target: "top_runtime::tmc", connection = conn.id, error = %e, "malformed frame; reconnecting");
            e.to_string()
        })?;
        if frame.message_type != Some(MessageType::Send) || !is_data(&frame) {
            debug!(target: "top_runtime::tmc", message_type = ?frame.message_type, "frame ignored");
            return Ok(());
        }
        if frame.token.as_deref().is_some_and(|t| t != conn.token) {
            debug!(target: "top_runtime::tmc", "message with another connection's token ignored");
            return Ok(());
        }
        if draining {
            debug!(target: "top_runtime::tmc", "message left for redelivery: shutting down");
            return Ok(());
        }
        let mut msg = match message::from_frame(&frame) {
            Ok(m) => m,
            Err(e) => {
                warn!(target: "top_runtime::tmc", error = %e, "message skipped, left unconfirmed");
                return Ok(());
            }
        };
        msg.redelivered = self.seen.saw(msg.id);
        debug!(target: "top_runtime::tmc", id = msg.id, topic = %msg.topic, redelivered = msg.redelivered, "message");
        if let Some(latest) = self.in_flight.get_mut(&msg.id) {
            // Its handler is still running: its outcome goes here now.
            *latest = conn.id;
            return Ok(());
        }
        if self.cfg.dedup && self.seen.was_handled(msg.id) {
            debug!(target: "top_runtime::tmc", id = msg.id, "handled before: confirmed without the handler");
            return conn.confirm(msg.id).await;
        }
        let Some(permit) = permit.take() else {
            return Ok(());
        };
        self.hand_out(conn.id, msg, permit)
    }

    fn hand_out(
        &mut self,
        conn: u64,
        message: Message,
        permit: OwnedSemaphorePermit,
    ) -> Result<(), String> {
        let id = message.id;
        let delivery = Delivery {
            message,
            settle: Settle {
                id,
                outcomes: self.outcomes_tx.clone(),
                sent: false,
                _permit: permit,
            },
        };
        self.in_flight.insert(id, conn);
        // Each queued delivery holds a permit, so the queue is never full;
        // when nobody takes messages any more, the dropped delivery settles
        // as abandoned and the loop stops on `deliveries.closed()`.
        let _ = self.deliveries.try_send(delivery);
        Ok(())
    }
}

/// Resolves once a [`Shutdown`] was asked for or the deliveries' receiver is gone.
async fn stop_asked(shutdown: &mut watch::Receiver<bool>, deliveries: &mpsc::Sender<Delivery>) {
    tokio::select! {
        _ = shutdown.wait_for(|stop| *stop) => {}
        _ = deliveries.closed() => {}
    }
}

/// The closing handshake: Close, then read until the server ends the
/// connection. Dropping the socket at once would reset it, and a reset
/// throws away the confirms the server has not read yet.
async fn close(conn: &mut Conn, stream: &mut SplitStream<Ws>) -> End {
    let _ = conn.sink.send(WsMessage::Close(None)).await;
    let _ = timeout(CLOSE_WAIT, async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    debug!(target: "top_runtime::tmc", connection = conn.id, "closed");
    End::Shutdown
}

/// Longest wait for the server to end the connection after our Close.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// A SEND that carries a message: `__kind` 3, or no kind but an id and a
/// topic (no client checks the kind).
fn is_data(frame: &Frame) -> bool {
    match frame.get("__kind").and_then(Value::as_i64) {
        Some(k) => k == i64::from(kind::DATA),
        None => frame.get("id").is_some() && frame.get("topic").is_some(),
    }
}

/// The writing half of one connection.
struct Conn {
    sink: SplitSink<Ws, WsMessage>,
    token: String,
    id: u64,
}

impl Conn {
    async fn send_kind(&mut self, k: i8, fields: Vec<(&str, Value)>) -> Result<(), String> {
        let mut frame = Frame {
            token: Some(self.token.clone()),
            ..Frame::new(MessageType::Send)
        }
        .with("__kind", Value::Byte(k));
        for (name, value) in fields {
            frame = frame.with(name, value);
        }
        self.sink
            .send(WsMessage::Binary(codec::encode(&frame).into()))
            .await
            .map_err(|e| format!("write failed: {e}"))
    }

    async fn confirm(&mut self, id: i64) -> Result<(), String> {
        self.send_kind(kind::CONFIRM, vec![("id", Value::Int64(id))])
            .await?;
        debug!(target: "top_runtime::tmc", id, connection = self.id, "confirmed");
        Ok(())
    }
}

/// Why a connect did not give a session.
#[derive(Debug)]
enum Failure {
    Refused { code: i32, phrase: String },
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Refused { code, phrase } => write!(f, "refused: status {code} {phrase}"),
            Failure::Other(reason) => f.write_str(reason),
        }
    }
}

/// The WebSocket handshake, the signed CONNECT and its CONNECTACK.
async fn connect(cfg: &Config, tls: &Connector) -> Result<(Ws, String), Failure> {
    let handshake = tokio_tungstenite::connect_async_tls_with_config(
        cfg.url.as_str(),
        None,
        false,
        Some(tls.clone()),
    );
    let (mut ws, _) = timeout(cfg.connect_timeout, handshake)
        .await
        .map_err(|_| {
            Failure::Other(format!(
                "no WebSocket handshake within {:?}",
                cfg.connect_timeout
            ))
        })?
        .map_err(|e| Failure::Other(format!("WebSocket handshake with {} failed: {e}", cfg.url)))?;
    ws.send(WsMessage::Binary(codec::encode(&connect_frame(cfg)).into()))
        .await
        .map_err(|e| Failure::Other(format!("sending the connect failed: {e}")))?;
    let ack = timeout(cfg.connect_timeout, connect_ack(&mut ws))
        .await
        .map_err(|_| {
            Failure::Other(format!(
                "no answer to the connect within {:?}",
                cfg.connect_timeout
            ))
        })??;
    if ack.status_code > 0 {
        return Err(Failure::Refused {
            code: ack.status_code,
            phrase: ack.status_phrase.unwrap_or_default(),
        });
    }
    let token = ack
        .token
        .ok_or_else(|| Failure::Other("the connect's answer has no token".into()))?;
    Ok((ws, token))
}

/// The connect flag; the Java SDK counts from 1 per channel.
const CONNECT_FLAG: i32 = 1;

fn connect_frame(cfg: &Config) -> Frame {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
        .to_string();
    let sign = connect_sign(&cfg.app_key, &cfg.group, &timestamp, cfg.secret.expose());
    let s = |v: &str| Value::Str(v.to_owned());
    Frame {
        flag: CONNECT_FLAG,
        ..Frame::new(MessageType::Connect)
    }
    .with("app_key", s(&cfg.app_key))
    .with("group_name", s(&cfg.group))
    .with("timestamp", s(&timestamp))
    .with("sign", s(&sign))
    .with(
        "sdk",
        s(concat!("top-runtime-rust-", env!("CARGO_PKG_VERSION"))),
    )
}

async fn connect_ack(ws: &mut Ws) -> Result<Frame, Failure> {
    loop {
        let bytes = match ws.next().await {
            None => return Err(Failure::Other("closed before answering the connect".into())),
            Some(Err(e)) => return Err(Failure::Other(format!("read failed: {e}"))),
            Some(Ok(WsMessage::Binary(b))) => b,
            Some(Ok(WsMessage::Close(_))) => {
                return Err(Failure::Other("closed before answering the connect".into()));
            }
            Some(Ok(_)) => continue,
        };
        let frame = codec::decode(&bytes).map_err(|e| Failure::Other(e.to_string()))?;
        if frame.message_type == Some(MessageType::ConnectAck) {
            return Ok(frame);
        }
    }
}

fn backoff((base, max): (Duration, Duration), failures: u32) -> Duration {
    let d = base.saturating_mul(1u32 << failures.min(20)).min(max);
    jittered(d)
}

/// Ids seen within a window, and whether each was handled.
struct Seen {
    window: Duration,
    handled: HashMap<i64, bool>,
    order: VecDeque<(Instant, i64)>,
}

/// Ids remembered at most, whatever the window, so memory stays bounded.
const SEEN_MAX: usize = 100_000;

impl Seen {
    fn new(window: Duration) -> Self {
        Seen {
            window,
            handled: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Notes `id`; whether it was seen before.
    fn saw(&mut self, id: i64) -> bool {
        self.expire();
        if self.handled.contains_key(&id) {
            return true;
        }
        self.handled.insert(id, false);
        self.order.push_back((Instant::now(), id));
        false
    }

    fn handled(&mut self, id: i64) {
        if let Some(h) = self.handled.get_mut(&id) {
            *h = true;
        }
    }

    fn was_handled(&self, id: i64) -> bool {
        self.handled.get(&id).copied().unwrap_or(false)
    }

    fn expire(&mut self) {
        let now = Instant::now();
        while let Some(&(at, id)) = self.order.front() {
            if now.duration_since(at) < self.window && self.order.len() < SEEN_MAX {
                break;
            }
            self.order.pop_front();
            self.handled.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let c = Consumer::builder("12345678", "SECRET_abc").build().unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET_abc"), "{shown}");
        assert!(shown.contains("12345678"), "{shown}");
    }

    #[test]
    fn the_connect_is_flagged_and_signed_as_the_java_sdk_sends_it() {
        let c = Consumer::builder("12345678", "SECRET_abc").build().unwrap();
        let frame = connect_frame(&c.cfg);
        let bytes = codec::encode(&frame);
        // Version 2, CONNECT, Flag 1, then `app_key` as a counted string.
        let head = b"\x02\x00\x04\x00\x01\x00\x00\x00\x01\x00\x07\x00\x00\x00app_key\x01\x08\x00\x00\x0012345678";
        assert_eq!(&bytes[..head.len()], head);
        let names: Vec<&str> = frame.content.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["app_key", "group_name", "timestamp", "sign", "sdk"]);
        let text = |k: &str| frame.get(k).and_then(Value::to_text).unwrap();
        let sign = connect_sign("12345678", "default", &text("timestamp"), "SECRET_abc");
        assert_eq!(text("sign"), sign);
    }

    #[test]
    fn setup_errors_say_what_is_wrong() {
        let err = Consumer::builder("k", "s")
            .url("http://x/")
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("not a ws:// or wss:// URL"),
            "{err}"
        );
        let err = Consumer::builder("k", "s")
            .concurrency(0)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("concurrency"), "{err}");
    }

    #[test]
    fn concurrency_above_the_semaphore_or_u32_is_refused() {
        let max = Semaphore::MAX_PERMITS.min(u32::MAX as usize);
        assert_eq!(MAX_CONCURRENCY, max);
        assert!(Consumer::builder("k", "s").concurrency(max).build().is_ok());
        for n in [max + 1, usize::MAX] {
            let err = Consumer::builder("k", "s")
                .concurrency(n)
                .build()
                .unwrap_err();
            assert!(matches!(err, TmcError::Config(_)), "{n}: {err:?}");
            assert!(err.to_string().contains("concurrency"), "{n}: {err}");
        }
    }

    #[test]
    fn intervals_past_the_end_of_the_clock_are_refused() {
        let err = Consumer::builder("k", "s")
            .heartbeat(Duration::MAX)
            .build()
            .unwrap_err();
        assert!(matches!(err, TmcError::Config(_)), "{err:?}");
        assert!(err.to_string().contains("heartbeat"), "{err}");
        let err = Consumer::builder("k", "s")
            .pull_interval(Duration::MAX)
            .build()
            .unwrap_err();
        assert!(matches!(err, TmcError::Config(_)), "{err:?}");
        assert!(err.to_string().contains("pull interval"), "{err}");
        // Long but representable intervals still build.
        let year = Duration::from_secs(365 * 24 * 3600);
        assert!(
            Consumer::builder("k", "s")
                .heartbeat(year)
                .pull_interval(year)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_max_with_jitter() {
        let b = (Duration::from_millis(100), Duration::from_millis(1000));
        for (n, full) in [(0, 100), (1, 200), (3, 800), (9, 1000), (40, 1000)] {
            let d = backoff(b, n).as_millis();
            assert!(d >= full / 2 && d <= full, "{n}: {d}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn seen_ids_expire_after_the_window() {
        let mut seen = Seen::new(Duration::from_secs(60));
        assert!(!seen.saw(1));
        assert!(seen.saw(1));
        seen.handled(1);
        assert!(seen.was_handled(1));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(!seen.saw(1));
        assert!(!seen.was_handled(1));
    }
}
