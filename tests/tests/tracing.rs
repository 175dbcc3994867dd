//! What the client traces: each attempt named, no secret ever.

use std::time::Duration;

use top_runtime::client::{CallOptions, Client, ClientBuilder, RetryPolicy};
use top_tests::capture::Captured;
use top_tests::clients::detail;
use top_tests::{Answer, Gateway, GatewayConfig};

fn builder(gw: &Gateway) -> ClientBuilder {
    let cfg = gw.config();
    Client::builder(cfg.app_key.clone(), cfg.secret.clone())
        .url(gw.url())
        .retry(RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(40)))
}

/// Every trace of this test binary, captured once for all its tests.
fn captured() -> Captured {
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED.get_or_init(Captured::install_global).clone()
}

#[tokio::test]
async fn traces_name_each_attempt_and_never_a_secret() {
    const SESSION: &str = "6100e23657fb0b2d0c78568e55a3031134be9a3a5d4b3a365753805";
    let gw = Gateway::start(GatewayConfig {
        secret: "trace-secret-value-4711".into(),
        session: Some(SESSION.into()),
        ..GatewayConfig::default()
    })
    .unwrap();
    let captured = captured();

    let client = builder(&gw).session(SESSION).build().unwrap();
    gw.push([
        Answer::Error {
            code: 15,
            msg: "Remote service error".into(),
            sub_code: Some("isp.remote-service-timeout".into()),
            sub_msg: None,
        },
        Answer::Raw(
            r#"{"pc_order_detail_response":{"result":{"success":true,"added_later":1},"request_id":"rid-traced"}}"#
                .into(),
        ),
    ]);
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(answer.request_id(), Some("rid-traced"));
    let sent = gw.received()[1].clone();
    // A failure whose error text comes from reqwest.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = builder(&gw)
        .url(format!("http://127.0.0.1:{port}/router/rest"))
        .session(SESSION)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = refused.execute(&detail()).await.unwrap_err();
    assert!(!e.to_string().contains(SESSION), "{e}");
    assert!(!format!("{e:?}").contains(SESSION), "{e:?}");

    let out = captured.text();
    for want in [
        "top_call{method=\"taobao.pc.order.detail\" attempt=1}",
        "top_call{method=\"taobao.pc.order.detail\" attempt=2}",
        "status=200",
        "elapsed_ms=",
        "request_id=\"local-gateway-1\"",
        "request_id=\"rid-traced\"",
        "retrying",
        "failed",
        "answered",
        // A field the documents lack, named with its API and path.
        "api=\"taobao.pc.order.detail\" field=result.added_later",
    ] {
        assert!(out.contains(want), "`{want}` missing from:\n{out}");
    }
    // Decoding happens inside the attempt: its events carry the span.
    let unknown = out
        .lines()
        .find(|l| l.contains("field=result.added_later"))
        .unwrap_or_default();
    assert!(
        unknown.contains("top_call{method=\"taobao.pc.order.detail\" attempt=2}"),
        "{unknown}"
    );
    let sign = sent.query_param("sign").unwrap();
    let timestamp = sent.query_param("timestamp").unwrap();
    for secret in [
        "trace-secret-value-4711",
        SESSION,
        // What the signature is computed over, and the signature itself.
        "app_key12345678",
        "methodtaobao.pc.order.detail",
        sign,
        timestamp,
        "tp_request",
    ] {
        assert!(!out.contains(secret), "`{secret}` leaked into:\n{out}");
    }
}

#[tokio::test]
async fn failed_answers_leave_their_body_out_of_the_traces() {
    const ACCESS: &str = "6200a1b2c3d4e5f6access-token-value";
    const REFRESH: &str = "6201f6e5d4c3b2a1refresh-token-value";
    const PHONE: &str = "13800138000";
    let captured = captured();
    let gw = Gateway::start(GatewayConfig::default()).unwrap();
    let client = builder(&gw).retry(RetryPolicy::none()).build().unwrap();
    gw.push([
        // A token answer cut short: not JSON, the tokens in its first bytes.
        Answer::Raw(format!(
            r#"{{"top_auth_token_create_response":{{"token_result":"{{\"access_token\":\"{ACCESS}\",\"refresh_token\":\"{REFRESH}\""#
        )),
        // A buyer's phone in an answer that does not fit its type.
        Answer::Raw(format!(
            r#"{{"pc_order_detail_response":{{"result":{{"order_detail_item":{{"receiver_mobile":"{PHONE}","buyer_id":"x"}}}}}}}}"#
        )),
    ]);
    let e = client
        .create_token(&top_runtime::oauth::TokenCreateRequest::new("code-1"))
        .await
        .unwrap_err();
    assert!(matches!(e, top_runtime::Error::Decode { .. }), "{e:?}");
    let e = client.execute(&detail()).await.unwrap_err();
    assert!(matches!(e, top_runtime::Error::Decode { .. }), "{e:?}");

    let out = captured.text();
    for want in [
        "taobao.top.auth.token.create: cannot decode the answer at `.`",
        "taobao.pc.order.detail: cannot decode the answer at `result.order_detail_item.buyer_id`",
    ] {
        assert!(out.contains(want), "`{want}` missing from:\n{out}");
    }
    for secret in [ACCESS, REFRESH, PHONE, "body starts with"] {
        assert!(!out.contains(secret), "`{secret}` leaked into:\n{out}");
    }
}
