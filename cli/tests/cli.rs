//! The built `top` binary against the loopback gateway.

use std::process::{Command, Output};

use top_tests::{Answer, Gateway, GatewayConfig};

const SECRET: &str = "cli-secret-value-0815";
const SESSION: &str = "6100e23657fb0b2d0c78cli-session-value";

fn gateway() -> Gateway {
    Gateway::start(GatewayConfig {
        secret: SECRET.into(),
        session: Some(SESSION.into()),
        ..GatewayConfig::default()
    })
    .expect("gateway starts")
}

/// `top` with the gateway's credentials in the environment and nothing
/// else (no proxy variables, no `TOP_*` from the caller).
fn top(gw: &Gateway, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_top"))
        .env_clear()
        .env("TOP_APP_KEY", &gw.config().app_key)
        .env("TOP_APP_SECRET", SECRET)
        .env("TOP_SESSION", SESSION)
        .env("TOP_SIGN_METHOD", "hmac-sha256")
        .env("TOP_GATEWAY_URL", gw.url())
        .args(args)
        .output()
        .expect("top runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const DETAIL: &[&str] = &[
    "call",
    "taobao.pc.order.detail",
    r#"tp_request={"biz_order_id":"10000001","buyer_id":10000001}"#,
];

#[test]
fn a_call_prints_the_answer_with_exact_numbers() {
    let gw = gateway();
    gw.push([Answer::Raw(
        r#"{"pc_order_detail_response":{"result":{"order_detail_item":{"buyer_id":9007199254740993,"total_fee":12345678901234567890.10}},"request_id":"rid-cli-1"}}"#
            .into(),
    )]);
    let out = top(&gw, DETAIL);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("\"buyer_id\": 9007199254740993"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"total_fee\": 12345678901234567890.10"),
        "{stdout}"
    );
    assert!(stdout.starts_with("{\n  \"result\": {"), "{stdout}");
    assert!(stderr.contains("request_id: rid-cli-1"), "{stderr}");
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None, "signed as the gateway checks");
    assert_eq!(r.query_param("sign_method"), Some("hmac-sha256"));
    assert_eq!(
        r.form_param("tp_request"),
        Some(r#"{"biz_order_id":"10000001","buyer_id":10000001}"#)
    );
}

#[test]
fn json_params_are_sent_as_the_gateway_takes_them() {
    let gw = gateway();
    let out = top(
        &gw,
        &[
            "call",
            "taobao.pc.order.detail",
            "--json-params",
            r#"{"tp_request":{"biz_order_id":"1"},"n":9223372036854775807,"fields":["a","b"]}"#,
            "fields=c",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = &gw.received()[0];
    assert_eq!(r.form_param("tp_request"), Some(r#"{"biz_order_id":"1"}"#));
    assert_eq!(r.form_param("n"), Some("9223372036854775807"));
    assert_eq!(
        r.form_param("fields"),
        Some("c"),
        "a pair replaces a member"
    );
}

#[test]
fn an_error_response_exits_1_with_its_fields() {
    let gw = gateway();
    gw.push([Answer::Error {
        code: 15,
        msg: "Remote service error".into(),
        sub_code: Some("isv.invalid-parameter".into()),
        sub_msg: Some("非法参数".into()),
    }]);
    let out = top(&gw, DETAIL);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    for want in [
        "code: 15",
        "msg: Remote service error",
        "sub_code: isv.invalid-parameter",
        "sub_msg: 非法参数",
        "request_id: local-gateway-1",
    ] {
        assert!(stderr.contains(want), "`{want}` missing from:\n{stderr}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let gw = gateway();
    for args in [
        &["call"][..],
        &["call", "taobao.pc.order.detail", "not-a-pair"],
        &["call", "taobao.pc.order.detail", "--json-params", "{oops"],
        &["call", "taobao.pc.order.detail", "--json-params", "[1]"],
        &["call", "taobao.pc.order.detail", "sign=x"],
        &["call", "taobao.pc.order.detail", "--sign-method", "sha1"],
        &["call", "taobao.pc.order.detail", "--read", "--write"],
        &["nothing"],
    ] {
        let out = top(&gw, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_top"))
        .env_clear()
        .args(DETAIL)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no credentials");
    assert!(text(&out.stderr).contains("TOP_APP_KEY"));
    assert!(gw.received().is_empty());
}

#[test]
fn verbose_shows_attempts_and_the_url_never_a_secret() {
    let gw = gateway();
    // A flaky gateway: busy once, then the answer; a read is tried again.
    gw.push([Answer::Status {
        status: 503,
        retry_after: None,
    }]);
    let mut args = DETAIL.to_vec();
    args.push("--verbose");
    let out = top(&gw, &args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("order_detail_item"), "{stdout}");
    assert_eq!(gw.received().len(), 2);
    for want in [
        "attempt=1",
        "attempt=2",
        "HTTP status 503",
        "retrying",
        "wait_ms=",
        "attempts: 2",
        "url: http://",
        "session=***",
    ] {
        assert!(stderr.contains(want), "`{want}` missing from:\n{stderr}");
    }
    for secret in [SECRET, SESSION] {
        assert!(!stderr.contains(secret), "`{secret}` leaked:\n{stderr}");
        assert!(!stdout.contains(secret), "`{secret}` leaked:\n{stdout}");
    }

    // A write against the same flaky gateway gets one attempt.
    gw.push([Answer::Status {
        status: 503,
        retry_after: None,
    }]);
    args.push("--write");
    let out = top(&gw, &args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("HTTP status 503"));
    assert_eq!(gw.received().len(), 3);
}

#[test]
fn help_says_what_top_does() {
    let out = Command::new(env!("CARGO_BIN_EXE_top"))
        .args(["call", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for want in [
        "TOP_APP_KEY",
        "TOP_APP_SECRET",
        "TOP_SESSION",
        "TOP_SIGN_METHOD",
        "TOP_GATEWAY_URL",
        "--json-params",
        "--verbose",
        "request_id",
        "Exit status",
    ] {
        assert!(help.contains(want), "`{want}` missing from:\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_top"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("call"));
}

#[test]
fn a_qimen_call_sends_its_parameters_as_the_request_document() {
    let gw = gateway();
    let out = Command::new(env!("CARGO_BIN_EXE_top"))
        .env_clear()
        .env("TOP_APP_KEY", &gw.config().app_key)
        .env("TOP_APP_SECRET", SECRET)
        .env("TOP_QIMEN_URL", gw.qimen_url())
        .env("TOP_CUSTOMER_ID", &gw.config().customer_id)
        .args([
            "call",
            "taobao.qimen.order.cancel",
            "--qimen",
            "--json-params",
            r#"{"orderCode":"O1","warehouseCode":"W1"}"#,
            "cancelReason=已经退货 & <备注>",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("\"flag\": \"success\""), "{stdout}");
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(
        r.xml_body.as_deref(),
        Some(
            "<request><cancelReason>已经退货 &amp; &lt;备注&gt;</cancelReason>\
             <orderCode>O1</orderCode><warehouseCode>W1</warehouseCode></request>"
        )
    );
}
