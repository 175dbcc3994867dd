//! What the TMC consumer traces: connects, messages and confirms at
//! `debug`, and never the secret, the connect's signature or its token.

use std::time::Duration;

use top_runtime::tmc::Consumer;
use top_tests::capture::Captured;
use top_tests::tmc_server::{Published, TmcConfig, TmcServer};

#[tokio::test]
async fn traces_connects_messages_and_confirms_never_a_secret() {
    const SECRET: &str = "tmc-trace-secret-0815";
    let server = TmcServer::start(TmcConfig {
        secret: SECRET.into(),
        ..TmcConfig::default()
    })
    .unwrap();
    let captured = Captured::install_global();

    server.publish([Published::new(
        9_007_199_254_740_993,
        "taobao_trade_TradeBuyerPay",
        r#"{"tid":1}"#,
    )]);
    server.malformed_after(1);
    let consumer = Consumer::builder("12345678", SECRET)
        .url(server.url())
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap();
    let shutdown = consumer.shutdown_handle();
    let task = tokio::spawn(consumer.run(|_| async { Ok::<(), String>(()) }));
    let seen = server
        .wait_for(Duration::from_secs(20), |s| {
            !s.confirmed.is_empty() && s.connects.len() >= 2
        })
        .await;
    shutdown.shutdown();
    tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // A refused connect, traced and returned.
    let refused = Consumer::builder("12345678", "wrong-secret-4711")
        .url(server.url())
        .build()
        .unwrap();
    let err = refused
        .run(|_| async { Ok::<(), String>(()) })
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("wrong-secret-4711"));

    let out = captured.text();
    for want in [
        "connected",
        "group=default",
        "message id=9007199254740993 topic=taobao_trade_TradeBuyerPay",
        "confirmed id=9007199254740993",
        "malformed frame; reconnecting",
        "disconnected",
        "reconnecting",
        "closed",
    ] {
        assert!(out.contains(want), "`{want}` missing from:\n{out}");
    }
    let sign = seen.connects[0].header("sign").unwrap().to_owned();
    for secret in [SECRET, "wrong-secret-4711", &sign, "token-1", "token-2"] {
        assert!(!out.contains(secret), "`{secret}` leaked into:\n{out}");
    }
}
