//! The client against a gateway that misbehaves: busy statuses, resets,
//! connections closed under the request, silence, connects that never
//! complete, bans shared by many callers, URLs too long to send, many calls
//! at once. Reads are tried again; writes only when they provably did not
//! run.

use std::time::{Duration, Instant};

use top_runtime::Error;
use top_runtime::client::{CallOptions, Client, RetryPolicy};
use top_runtime::error::TransportKind;
use top_tests::Answer;
use top_tests::clients::{builder, detail, gateway, paused_client, write};
use top_tests::gateway::{Gateway, Unreachable};

fn status(status: u16, retry_after: Option<&str>) -> Answer {
    Answer::Status {
        status,
        retry_after: retry_after.map(Into::into),
    }
}

/// The faults after which a read may run again; none proves a write did
/// not run.
fn transient_faults() -> Vec<Answer> {
    vec![
        status(502, None),
        status(503, None),
        status(504, None),
        status(429, None),
        Answer::Reset,
        Answer::Close,
        Answer::Truncated,
    ]
}

#[tokio::test]
async fn a_read_succeeds_on_the_second_attempt_and_a_write_gets_one() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    for fault in transient_faults() {
        let before = gw.received().len();
        gw.push([fault.clone()]);
        let answer = client
            .execute_with_meta(&detail(), &CallOptions::new())
            .await
            .unwrap_or_else(|f| panic!("{fault:?}: {f}"));
        assert_eq!(answer.meta().attempts(), 2, "{fault:?}");
        assert_eq!(gw.received().len(), before + 2, "{fault:?}");

        gw.push([fault.clone(), Answer::Page]);
        let e = client.execute_with(&detail(), &write()).await.unwrap_err();
        assert_eq!(gw.received().len(), before + 3, "{fault:?}: {e}");
        // Leave the unused answer behind for nobody.
        client.execute(&detail()).await.unwrap();
    }
}

#[tokio::test]
async fn a_read_that_timed_out_is_sent_again() {
    let gw = gateway();
    let client = builder(&gw)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    for fault in [Answer::Slow(Duration::from_secs(30)), Answer::Silent] {
        gw.push([fault.clone()]);
        let started = Instant::now();
        let answer = client
            .execute_with_meta(&detail(), &CallOptions::new())
            .await
            .unwrap_or_else(|f| panic!("{fault:?}: {f}"));
        assert_eq!(answer.meta().attempts(), 2, "{fault:?}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    assert_eq!(gw.received().len(), 4);
}

#[tokio::test]
async fn a_keep_alive_connection_closed_under_a_read() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    client.execute(&detail()).await.unwrap();
    assert_eq!(gw.connections(), 1);
    // The pooled connection is taken, the request sent, then it closes.
    gw.push([Answer::Close]);
    client.execute(&detail()).await.unwrap();
    assert_eq!(gw.received().len(), 3);
    assert_eq!(
        gw.connections(),
        2,
        "the second attempt on a new connection"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for_within_the_ban_ceiling() {
    let gw = gateway();
    let client = paused_client(&gw, RetryPolicy::default());
    gw.push([status(503, Some("3"))]);
    let clock = tokio::time::Instant::now();
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(answer.meta().attempts(), 2);
    assert!(
        clock.elapsed() >= Duration::from_secs(3),
        "{:?}",
        clock.elapsed()
    );

    // Longer than max_ban_wait (10 s): returned at once, the wait told.
    gw.push([status(429, Some("600"))]);
    let clock = tokio::time::Instant::now();
    let failed = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(failed.error(), Error::Http { status: 429, .. }));
    assert_eq!(
        failed.meta().and_then(|m| m.retry_after()),
        Some(Duration::from_secs(600))
    );
    assert!(clock.elapsed() < Duration::from_secs(1));
    assert_eq!(gw.received().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn callers_banned_together_come_back_spread_out() {
    const CALLERS: usize = 200;
    let gw = gateway();
    let client = paused_client(&gw, RetryPolicy::default());
    gw.push((0..CALLERS).map(|_| Answer::Error {
        code: 7,
        msg: "App Call Limited".into(),
        sub_code: Some("accesscontrol.limited-by-app-access-count".into()),
        sub_msg: Some("This ban will last for 2 more seconds".into()),
    }));
    let clock = tokio::time::Instant::now();
    let calls: Vec<_> = (0..CALLERS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client.execute(&detail()).await.unwrap();
                clock.elapsed()
            })
        })
        .collect();
    // Busy until every first attempt is in: an idle runtime would move
    // the paused clock on to the first wait's end, and that caller's
    // second attempt would take a ban queued for another's first.
    let waiting = std::time::Instant::now();
    while gw.received().len() < CALLERS && waiting.elapsed() < Duration::from_secs(30) {
        tokio::task::yield_now().await;
    }
    let mut back: Vec<Duration> = Vec::new();
    for call in calls {
        back.push(call.await.unwrap());
    }
    let (first, last) = (back.iter().min().unwrap(), back.iter().max().unwrap());
    assert!(*first >= Duration::from_secs(2), "{first:?}");
    assert!(
        *last - *first >= Duration::from_millis(500),
        "all came back within {:?}",
        *last - *first
    );
    assert_eq!(gw.received().len(), 2 * CALLERS);
}

#[tokio::test]
async fn a_connect_timeout_is_a_connect_failure_and_retried() {
    let unreachable = Unreachable::start().unwrap();
    let client = Client::builder("12345678", "s")
        .url(unreachable.url())
        .connect_timeout(Duration::from_millis(200))
        .retry(
            RetryPolicy::default()
                .max_retries(2)
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    // A write: never sent, so safe to send again.
    let e = client.execute_with(&detail(), &write()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert!(!e.is_timeout(), "not a timeout after sending");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "three connect attempts: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_url_too_long_to_send_is_refused_before_sending() {
    let gw = gateway();
    let client = builder(&gw).session("s".repeat(70_000)).build().unwrap();
    let e = client.execute(&detail()).await.unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("taobao.pc.order.detail: the request URL is"),
        "{text}"
    );
    assert!(text.contains("nothing was sent"), "{text}");
    assert!(!text.contains("sssssssss"), "{text}");
    assert!(gw.received().is_empty());
    assert_eq!(gw.connections(), 0);
}

#[tokio::test]
async fn calls_in_flight_are_capped() {
    const CALLS: usize = 1_000;
    const CAP: usize = 8;
    let gw = gateway();
    let client = builder(&gw).max_in_flight(CAP).build().unwrap();
    gw.push(slow_answers(CALLS));
    let calls: Vec<_> = (0..CALLS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.execute(&detail()).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(gw.received().len(), CALLS);
    capped(&gw, CAP, CALLS);
    let e = builder(&gw).max_in_flight(0).build().unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[test]
fn the_blocking_client_takes_any_body_limit() {
    let gw = gateway();
    let client = builder(&gw)
        .max_body_bytes(usize::MAX)
        .build_blocking()
        .unwrap();
    let answer = client.execute_with_meta(&detail(), &write()).unwrap();
    assert!(answer.result.is_some());
    assert!(!answer.raw().is_empty());
}

#[test]
fn the_blocking_client_retries_a_read_and_not_a_write() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    gw.push([Answer::Reset]);
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .unwrap();
    assert_eq!(answer.meta().attempts(), 2);
    gw.push([status(503, None), Answer::Page]);
    client.execute_with(&detail(), &write()).unwrap_err();
    assert_eq!(gw.received().len(), 3);
}

#[test]
fn the_blocking_client_caps_calls_in_flight_too() {
    const THREADS: usize = 32;
    const CAP: usize = 4;
    let gw = gateway();
    let client = builder(&gw).max_in_flight(CAP).build_blocking().unwrap();
    gw.push(slow_answers(THREADS * 4));
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let client = client.clone();
            s.spawn(move || {
                for _ in 0..4 {
                    client.execute(&detail()).unwrap();
                }
            });
        }
    });
    assert_eq!(gw.received().len(), THREADS * 4);
    capped(&gw, CAP, THREADS * 4);
}

/// Answers that take long enough for calls to overlap at the gateway.
fn slow_answers(calls: usize) -> impl Iterator<Item = Answer> {
    std::iter::repeat_with(|| Answer::Slow(Duration::from_millis(2))).take(calls)
}

/// The gateway never had more than `cap` of the `calls` at once, and the
/// client reused its connections. (How many it opened is not the cap's to
/// say: a connection goes back to the pool just after its call ends.)
fn capped(gw: &Gateway, cap: usize, calls: usize) {
    let peak = gw.peak_in_flight();
    assert!((1..=cap as u64).contains(&peak), "{peak} calls at once");
    assert!(
        gw.connections() < calls as u64 / 2,
        "{} connections for {calls} calls",
        gw.connections()
    );
}
