//! The TMC consumer against the loopback TMC server: the signed connect,
//! delivery and confirms, dropped connections, malformed frames, failing
//! handlers, the concurrency bound and graceful shutdown.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use top_runtime::tmc::{Consumer, ConsumerBuilder, Message, TmcError};
use top_tests::tmc_server::{Published, Seen, TmcConfig, TmcServer};

/// Every wait in these tests ends by this.
const LIMIT: Duration = Duration::from_secs(20);

const TOPIC: &str = "taobao_trade_TradeBuyerPay";

fn server() -> TmcServer {
    TmcServer::start(TmcConfig::default()).unwrap()
}

fn consumer(server: &TmcServer) -> ConsumerBuilder {
    let cfg = server.config();
    Consumer::builder(cfg.app_key.clone(), cfg.secret.clone())
        .url(server.url())
        .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(100))
        .pull_interval(Duration::from_millis(100))
        .connect_timeout(Duration::from_secs(5))
}

fn messages(ids: impl IntoIterator<Item = i64>) -> Vec<Published> {
    ids.into_iter()
        .map(|id| Published::new(id, TOPIC, &format!(r#"{{"tid":{id},"payment":"10.01"}}"#)))
        .collect()
}

/// Handler runs per id, shared with the test.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<Vec<Message>>>);

impl Runs {
    fn record(&self, m: Message) {
        self.0.lock().unwrap().push(m);
    }
    fn all(&self) -> Vec<Message> {
        self.0.lock().unwrap().clone()
    }
    fn count(&self, id: i64) -> usize {
        self.all().iter().filter(|m| m.id == id).count()
    }
}

/// Each id confirmed exactly once and nothing else confirmed.
fn confirmed_once(seen: &Seen, ids: &[i64]) {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for id in &seen.confirmed {
        *counts.entry(*id).or_default() += 1;
    }
    let want: HashMap<i64, usize> = ids.iter().map(|id| (*id, 1)).collect();
    assert_eq!(counts, want, "{seen:?}");
    assert_eq!(seen.wrong_token, 0, "{seen:?}");
}

fn all_confirmed(ids: &[i64]) -> impl Fn(&Seen) -> bool + '_ {
    move |s: &Seen| {
        let got: HashSet<i64> = s.confirmed.iter().copied().collect();
        ids.iter().all(|id| got.contains(id))
    }
}

/// Runs a consumer with `handler` on a task; returns the shutdown handle
/// and the task.
fn spawn_run<H, Fut>(
    builder: ConsumerBuilder,
    handler: H,
) -> (
    top_runtime::tmc::Shutdown,
    tokio::task::JoinHandle<Result<(), TmcError>>,
)
where
    H: Fn(Message) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let consumer = builder.build().unwrap();
    let shutdown = consumer.shutdown_handle();
    (shutdown, tokio::spawn(consumer.run(handler)))
}

async fn stop(
    shutdown: top_runtime::tmc::Shutdown,
    task: tokio::task::JoinHandle<Result<(), TmcError>>,
) {
    shutdown.shutdown();
    tokio::time::timeout(LIMIT, task)
        .await
        .expect("the consumer stops")
        .unwrap()
        .unwrap();
}

fn recording(runs: &Runs) -> impl Fn(Message) -> std::future::Ready<Result<(), String>> + use<> {
    let runs = runs.clone();
    move |m| {
        runs.record(m);
        std::future::ready(Ok(()))
    }
}

#[tokio::test]
async fn connects_signed_pulls_and_pings() {
    let server = server();
    let (shutdown, task) = spawn_run(consumer(&server).group("orders"), |_| async { Ok(()) });
    let seen = server
        .wait_for(LIMIT, |s| s.pulls >= 2 && s.pings >= 1)
        .await;
    stop(shutdown, task).await;
    let connect = &seen.connects[0];
    assert!(connect.accepted, "{connect:?}");
    assert_eq!(connect.header("app_key"), Some("12345678"));
    assert_eq!(connect.header("group_name"), Some("orders"));
    let ts: i64 = connect.header("timestamp").unwrap().parse().unwrap();
    assert!(
        (ts - chrono::Utc::now().timestamp_millis()).abs() < 60_000,
        "{ts}"
    );
    assert!(
        connect
            .header("sdk")
            .unwrap()
            .starts_with("top-runtime-rust-")
    );
    assert!(seen.pulls >= 2 && seen.pings >= 1, "{seen:?}");
    assert_eq!(seen.connects.len(), 1, "{seen:?}");
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_error_not_a_retry_loop() {
    let server = server();
    let consumer = Consumer::builder("12345678", "not-the-secret")
        .url(server.url())
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(10))
        .build()
        .unwrap();
    let err = tokio::time::timeout(LIMIT, consumer.run(|_| async { Ok::<(), String>(()) }))
        .await
        .expect("refused at once")
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TmcError::Refused { code: 401, .. }),
        "{err:?}"
    );
    assert!(
        text.contains("12345678") && text.contains("Invalid signature"),
        "{text}"
    );
    assert!(text.contains("check the app key, the app secret"), "{text}");
    assert!(!text.contains("not-the-secret") && !format!("{err:?}").contains("not-the-secret"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.seen().connects.len(), 1);
}

#[tokio::test]
async fn delivers_each_message_and_confirms_it_once() {
    let server = server();
    // 2^53 + 1: lost by a client that reads ids as doubles.
    let ids = [9_007_199_254_740_993, 1, i64::MAX];
    let mut published = messages(ids);
    published[1] = published[1].clone().gzip();
    server.publish(published);
    let runs = Runs::default();
    let (shutdown, task) = spawn_run(consumer(&server), recording(&runs));
    let seen = server.wait_for(LIMIT, all_confirmed(&ids)).await;
    stop(shutdown, task).await;
    confirmed_once(&seen, &ids);
    let got = runs.all();
    assert_eq!(got.len(), 3, "{got:?}");
    let big = got.iter().find(|m| m.id == 9_007_199_254_740_993).unwrap();
    assert_eq!(big.content, r#"{"tid":9007199254740993,"payment":"10.01"}"#);
    assert_eq!(big.topic, TOPIC);
    assert_eq!(big.user_id, Some(2_200_000_000_001));
    assert_eq!(big.nick.as_deref(), Some("测试卖家"));
    assert_eq!(big.pub_time.unwrap().to_string(), "2023-11-15 06:13:20");
    assert!(!big.redelivered);
    // The gzip'd one arrives inflated.
    let gz = got.iter().find(|m| m.id == 1).unwrap();
    assert_eq!(gz.content, r#"{"tid":1,"payment":"10.01"}"#);

    #[derive(serde::Deserialize)]
    struct Pay {
        tid: i64,
        #[serde(deserialize_with = "top_runtime::de::option")]
        payment: Option<top_runtime::Decimal>,
    }
    let pay: Pay = big.decode().unwrap();
    assert_eq!(pay.tid, 9_007_199_254_740_993);
    assert_eq!(pay.payment.unwrap().to_string(), "10.01");
}

#[tokio::test]
async fn a_dropped_connection_loses_nothing_and_confirms_nothing_twice() {
    let server = Arc::new(server());
    let ids: Vec<i64> = (1..=10).collect();
    server.publish(messages(ids.clone()));
    // The 3rd message is written, then the socket is dropped: the ones
    // still in their handlers are confirmed nowhere and come again.
    server.drop_after(3);
    let runs = Runs::default();
    let (r, s) = (runs.clone(), server.clone());
    let (shutdown, task) = spawn_run(consumer(&server), move |m| {
        let (r, s) = (r.clone(), s.clone());
        async move {
            // Still running when all ten come again on the second connection.
            s.wait_for(LIMIT, |seen| seen.pushed >= 13).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            r.record(m);
            Ok(())
        }
    });
    let seen = server.wait_for(LIMIT, all_confirmed(&ids)).await;
    stop(shutdown, task).await;
    confirmed_once(&seen, &ids);
    assert_eq!(seen.connects.len(), 2, "{seen:?}");
    // Redelivered while still running: the handler ran once, the confirm
    // went to the new connection.
    for id in &ids {
        assert_eq!(runs.count(*id), 1, "{id}: {:?}", runs.all());
    }
}

#[tokio::test]
async fn a_malformed_frame_closes_the_connection_and_the_consumer_reconnects() {
    let server = server();
    let ids: Vec<i64> = (1..=4).collect();
    server.malformed_after(2);
    server.publish(messages(ids.clone()));
    let runs = Runs::default();
    let (shutdown, task) = spawn_run(consumer(&server), recording(&runs));
    let seen = server.wait_for(LIMIT, all_confirmed(&ids)).await;
    stop(shutdown, task).await;
    confirmed_once(&seen, &ids);
    assert_eq!(seen.connects.len(), 2, "{seen:?}");
}

#[tokio::test]
async fn a_failing_or_panicking_handler_is_reported_and_the_message_comes_again() {
    let server = server();
    server.publish(messages([7, 8, 9]));
    let tries = Arc::new(Mutex::new(HashMap::<i64, usize>::new()));
    let t = tries.clone();
    let (shutdown, task) = spawn_run(consumer(&server), move |m| {
        let n = {
            let mut t = t.lock().unwrap();
            let n = t.entry(m.id).or_default();
            *n += 1;
            *n
        };
        async move {
            match (m.id, n) {
                (7, 1) => Err("stock service down".to_string()),
                (8, 1) => panic!("handler bug"),
                _ => Ok(()),
            }
        }
    });
    let seen = server.wait_for(LIMIT, all_confirmed(&[7, 8, 9])).await;
    stop(shutdown, task).await;
    confirmed_once(&seen, &[7, 8, 9]);
    let mut failed = seen.failed.clone();
    failed.sort();
    assert_eq!(
        failed,
        [
            (7, "stock service down".to_string()),
            (8, "the handler panicked".to_string())
        ]
    );
    let tries = tries.lock().unwrap();
    assert_eq!((tries[&7], tries[&8], tries[&9]), (2, 2, 1));
}

/// A handler that panics while called, before it returns its future: the
/// message is sent back as failed and the consumer keeps going.
#[tokio::test]
async fn a_handler_panicking_before_its_future_fails_the_message_and_the_consumer_goes_on() {
    let server = server();
    server.publish(messages([21, 22]));
    let runs = Runs::default();
    let r = runs.clone();
    let (shutdown, task) = spawn_run(consumer(&server), move |m: Message| {
        let first = r.count(m.id) == 0;
        r.record(m.clone());
        if m.id == 21 && first {
            panic!("handler bug before its future");
        }
        std::future::ready(Ok(()))
    });
    let seen = server.wait_for(LIMIT, all_confirmed(&[21, 22])).await;
    assert!(!task.is_finished(), "the consumer is still running");
    // Still taking messages after the panic.
    server.publish(messages([23]));
    let seen_later = server.wait_for(LIMIT, all_confirmed(&[21, 22, 23])).await;
    stop(shutdown, task).await;
    confirmed_once(&seen_later, &[21, 22, 23]);
    assert_eq!(
        seen.failed,
        [(21, "the handler panicked".to_string())],
        "{seen:?}"
    );
    assert_eq!((runs.count(21), runs.count(22), runs.count(23)), (2, 1, 1));
    let again = runs
        .all()
        .into_iter()
        .filter(|m| m.id == 21)
        .nth(1)
        .unwrap();
    assert!(again.redelivered, "{again:?}");
}

#[tokio::test]
async fn at_most_n_handlers_run_at_once() {
    let server = server();
    let ids: Vec<i64> = (1..=12).collect();
    server.publish(messages(ids.clone()));
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (r, m) = (running.clone(), most.clone());
    let (shutdown, task) = spawn_run(consumer(&server).concurrency(3), move |_| {
        let (r, m) = (r.clone(), m.clone());
        async move {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            r.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }
    });
    let seen = server.wait_for(LIMIT, all_confirmed(&ids)).await;
    stop(shutdown, task).await;
    confirmed_once(&seen, &ids);
    assert_eq!(most.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn shutdown_lets_running_handlers_finish_and_confirms_them() {
    let server = server();
    server.publish(messages([1, 2, 3]));
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let (shutdown, task) = spawn_run(consumer(&server).concurrency(2), move |_| {
        s.fetch_add(1, Ordering::SeqCst);
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(())
        }
    });
    let deadline = tokio::time::Instant::now() + LIMIT;
    while started.load(Ordering::SeqCst) < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Two handlers are running, the third message waits for a slot.
    stop(shutdown, task).await;
    let seen = server.wait_for(LIMIT, |s| s.closed >= 1).await;
    assert_eq!(started.load(Ordering::SeqCst), 2);
    let mut confirmed = seen.confirmed.clone();
    confirmed.sort();
    assert_eq!(confirmed, [1, 2], "{seen:?}");
    assert_eq!(seen.closed, 1, "{seen:?}");
}

#[tokio::test]
async fn with_dedup_a_message_whose_confirm_was_lost_does_not_run_again() {
    for dedup in [false, true] {
        let server = server();
        server.publish(messages([1, 2]));
        // The first confirm is lost with its connection: the platform
        // delivers that message again.
        server.lose_confirm(1);
        let runs = Runs::default();
        let mut builder = consumer(&server).concurrency(1);
        if dedup {
            builder = builder.dedup_window(Duration::from_secs(60));
        }
        let (shutdown, task) = spawn_run(builder, recording(&runs));
        let seen = server.wait_for(LIMIT, all_confirmed(&[1, 2])).await;
        stop(shutdown, task).await;
        confirmed_once(&seen, &[1, 2]);
        let ones: Vec<bool> = runs
            .all()
            .iter()
            .filter(|m| m.id == 1)
            .map(|m| m.redelivered)
            .collect();
        if dedup {
            assert_eq!(ones, [false], "{:?}", runs.all());
            assert_eq!(runs.count(2), 1, "{:?}", runs.all());
        } else {
            // At least once: the handler ran again, and saw it was a redelivery.
            assert_eq!(ones, [false, true], "{:?}", runs.all());
        }
    }
}

#[tokio::test]
async fn deliveries_as_a_stream() {
    let server = server();
    server.publish(messages([5, 6]));
    let consumer = consumer(&server).build().unwrap();
    let shutdown = consumer.shutdown_handle();
    let mut stream = consumer.deliveries();
    let mut got = Vec::new();
    while let Some(d) = tokio::time::timeout(LIMIT, stream.next()).await.unwrap() {
        let d = d.unwrap();
        got.push(d.id);
        if d.id == 5 {
            d.confirm();
        } else {
            d.fail("not today");
            shutdown.shutdown();
        }
    }
    assert_eq!(got, [5, 6]);
    let seen = server.wait_for(LIMIT, |s| s.closed >= 1).await;
    assert_eq!(seen.confirmed, [5]);
    assert_eq!(seen.failed, [(6, "not today".to_string())]);
}

/// Messages per second through the loopback server, handlers doing
/// nothing: `cargo test -p top-tests --test tmc -- --ignored --nocapture throughput`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn throughput() {
    const N: i64 = 2_000;
    let server = server();
    let ids: Vec<i64> = (1..=N).collect();
    let (shutdown, task) = spawn_run(consumer(&server), |_| async { Ok(()) });
    server.wait_for(LIMIT, |s| s.pulls >= 1).await;
    let start = std::time::Instant::now();
    server.publish(messages(ids.clone()));
    let seen = server
        .wait_for(Duration::from_secs(120), |s| s.confirmed.len() >= ids.len())
        .await;
    let took = start.elapsed();
    stop(shutdown, task).await;
    confirmed_once(&seen, &ids);
    println!(
        "{N} messages confirmed in {:.2} s: {:.0} messages/s",
        took.as_secs_f64(),
        N as f64 / took.as_secs_f64()
    );
}
