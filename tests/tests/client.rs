//! The runtime client against the local gateway on 127.0.0.1: both
//! protocols, every sign method, and every kind of bad answer.

use std::time::{Duration, Instant};

use top_api::qimen::order_cancel::QimenOrderCancelRequest;
use top_runtime::client::{Body, CallOptions, Client, RetryPolicy};
use top_runtime::error::{ErrorCode, TransportKind};
use top_runtime::{Error, FileItem, SignMethod};
use top_tests::clients::{builder, detail, gateway, paused_client, write};
use top_tests::gateway::Proxy;
use top_tests::requests::{FileUploadRequest, QimenItem, QimenItemsRequest};
use top_tests::verify::expected_sign;
use top_tests::{Answer, Gateway, GatewayConfig};

fn cancel() -> QimenOrderCancelRequest {
    QimenOrderCancelRequest::new("W1234", "O1234")
        .with_owner_code("H1234")
        .with_order_id("WQ1234")
        .with_order_type("JYCK")
        .with_cancel_reason("已经退货 & <备注>")
}

#[tokio::test]
async fn top_page_example_with_every_sign_method() {
    let gw = gateway();
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let client = builder(&gw).sign_method(method).build().unwrap();
        let resp = client.execute(&detail()).await.unwrap();
        let result = resp.result.expect("result");
        assert_eq!(result.success, Some(true));
        assert_eq!(result.error_msg.as_deref(), Some("参数错误"));
        let item = result.order_detail_item.expect("order_detail_item");
        assert_eq!(item.buyer_id, Some(3));
        assert_eq!(item.tp_order_id_list, vec!["Top", "Pub"]);
        assert_eq!(item.sub_order_details.len(), 1);
        assert_eq!(item.sub_order_details[0].logistics.len(), 1);
        assert_eq!(item.logistics[0].cp_code.as_deref(), Some("xxxxx"));
        assert_eq!(item.pay_info.and_then(|p| p.total_price), Some(3));
    }
    let received = gw.received();
    assert_eq!(received.len(), 3);
    for (r, m) in received.iter().zip(["md5", "hmac", "hmac-sha256"]) {
        assert_eq!(r.rejected_with, None, "{m} signature accepted");
        assert_eq!(r.query_param("sign_method"), Some(m));
        assert_eq!(r.query_param("method"), Some("taobao.pc.order.detail"));
        assert_eq!(r.query_param("format"), Some("json"));
        assert_eq!(r.query_param("v"), Some("2.0"));
        assert_eq!(r.query_param("session"), None);
        assert_eq!(
            r.form_param("tp_request"),
            Some(r#"{"biz_order_id":"10000001","buyer_id":10000001}"#)
        );
        assert!(
            r.content_type
                .starts_with("application/x-www-form-urlencoded")
        );
    }
}

#[tokio::test]
async fn system_parameters_where_set() {
    let gw = Gateway::start(GatewayConfig {
        session: Some("user-session".into()),
        ..GatewayConfig::default()
    })
    .unwrap();
    let client = builder(&gw)
        .session("user-session")
        .partner_id("top-sdk-rust")
        .target_app_key("87654321")
        .build()
        .unwrap();
    client.execute(&detail()).await.unwrap();
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.query_param("session"), Some("user-session"));
    assert_eq!(r.query_param("partner_id"), Some("top-sdk-rust"));
    assert_eq!(r.query_param("target_app_key"), Some("87654321"));

    // A per-call session overrides the client's; the gateway refuses it.
    let e = client
        .execute_with(&detail(), &CallOptions::new().session("someone-else"))
        .await
        .unwrap_err();
    let p = e.platform().expect("platform error");
    assert_eq!(p.known_code(), Some(ErrorCode::InvalidSession));
    assert!(p.is_caller_fault());
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn simplify_answers_decode_the_same() {
    let gw = gateway();
    let plain = builder(&gw).build().unwrap();
    let simple = builder(&gw).simplify(true).build().unwrap();
    let a = plain.execute(&detail()).await.unwrap();
    let b = simple.execute(&detail()).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(gw.received()[1].query_param("simplify"), Some("true"));
}

#[tokio::test]
async fn error_response_is_a_typed_platform_error() {
    let gw = gateway();
    gw.push([Answer::Error {
        code: 50,
        msg: "Remote service error".into(),
        sub_code: Some("isv.invalid-parameter".into()),
        sub_msg: Some("非法参数".into()),
    }]);
    let e = builder(&gw)
        .build()
        .unwrap()
        .execute(&detail())
        .await
        .unwrap_err();
    let p = e.platform().expect("platform error");
    assert_eq!(p.api, "taobao.pc.order.detail");
    assert_eq!(p.code, "50");
    assert_eq!(p.msg, "Remote service error");
    assert_eq!(p.sub_code.as_deref(), Some("isv.invalid-parameter"));
    assert_eq!(p.sub_msg.as_deref(), Some("非法参数"));
    assert_eq!(p.request_id.as_deref(), Some("local-gateway-1"));
    assert!(p.is_caller_fault());
    assert!(!e.is_retryable());
    assert_eq!(gw.received().len(), 1, "a caller fault is not retried");
}

#[tokio::test]
async fn wrong_secret_gets_invalid_signature() {
    let gw = gateway();
    let client = Client::builder(gw.config().app_key.clone(), "not-the-secret")
        .url(gw.url())
        .build()
        .unwrap();
    let e = client.execute(&detail()).await.unwrap_err();
    assert_eq!(
        e.platform().and_then(|p| p.known_code()),
        Some(ErrorCode::InvalidSignature)
    );
    assert_eq!(gw.received()[0].rejected_with, Some(25));
}

#[tokio::test]
async fn isp_errors_are_retried_with_a_bound() {
    let gw = gateway();
    let busy = || remote_error("isp.remote-service-timeout");
    gw.push([busy(), busy()]);
    let resp = builder(&gw)
        .build()
        .unwrap()
        .execute(&detail())
        .await
        .unwrap();
    assert!(resp.result.is_some());
    assert_eq!(gw.received().len(), 3, "two retries, then the answer");

    gw.push([busy(), busy(), busy(), busy()]);
    let e = builder(&gw)
        .build()
        .unwrap()
        .execute(&detail())
        .await
        .unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(gw.received().len(), 6, "bounded: 1 + 2 retries");
}

#[tokio::test]
async fn slow_gateway_times_out_without_retry() {
    let gw = gateway();
    gw.push([Answer::Slow(Duration::from_secs(5))]);
    let client = builder(&gw)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.execute_with(&detail(), &write()).await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(gw.received().len(), 1, "a write's timeout is never retried");
}

#[tokio::test]
async fn truncated_body_is_a_transport_error() {
    let gw = gateway();
    gw.push([Answer::Truncated]);
    let e = builder(&gw)
        .build()
        .unwrap()
        .execute_with(&detail(), &write())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                kind: TransportKind::Body,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(gw.received().len(), 1);
}

#[tokio::test]
async fn cut_document_is_a_decode_error_and_not_retried() {
    let gw = gateway();
    gw.push([Answer::CutDocument]);
    let e = builder(&gw)
        .build()
        .unwrap()
        .execute(&detail())
        .await
        .unwrap_err();
    match &e {
        Error::Decode { api, message, .. } => {
            assert_eq!(api, "taobao.pc.order.detail");
            assert!(message.contains("not JSON"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!e.is_retryable());
    assert_eq!(gw.received().len(), 1);
}

#[tokio::test]
async fn html_error_pages() {
    let gw = gateway();
    gw.push([
        Answer::Html(502),
        Answer::Raw("<html><body>维护中</body></html>".into()),
    ]);
    let client = builder(&gw).retry(RetryPolicy::none()).build().unwrap();
    match client.execute(&detail()).await.unwrap_err() {
        Error::Http {
            status, snippet, ..
        } => {
            assert_eq!(status, 502);
            assert!(snippet.contains("Bad Gateway"), "{snippet}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        client.execute(&detail()).await.unwrap_err(),
        Error::Decode { .. }
    ));
}

#[tokio::test]
async fn ids_above_2_pow_53_survive_and_bad_fields_name_their_path() {
    let gw = gateway();
    gw.push([
        Answer::Raw(
            r#"{"pc_order_detail_response":{"result":{"order_detail_item":{"buyer_id":9007199254740993,"total_fee":9223372036854775807}}}}"#
                .into(),
        ),
        Answer::Raw(
            r#"{"pc_order_detail_response":{"result":{"order_detail_item":{"buyer_id":"x"}}}}"#
                .into(),
        ),
    ]);
    let client = builder(&gw).build().unwrap();
    let item = client
        .execute(&detail())
        .await
        .unwrap()
        .result
        .unwrap()
        .order_detail_item
        .unwrap();
    assert_eq!(item.buyer_id, Some(9_007_199_254_740_993));
    assert_eq!(item.total_fee, Some(i64::MAX));
    match client.execute(&detail()).await.unwrap_err() {
        Error::Decode { api, path, .. } => {
            assert_eq!(api, "taobao.pc.order.detail");
            assert_eq!(path, "result.order_detail_item.buyer_id");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn hostile_answers_never_panic() {
    let gw = gateway();
    let bodies = [
        String::new(),
        "null".into(),
        "[".repeat(10_000),
        "{\"pc_order_detail_response\":".repeat(1_000),
        "\u{0}\u{1}\u{2}".into(),
        r#"{"error_response":"x"}"#.into(),
        r#"{"pc_order_detail_response":{"result":{"order_detail_item":{"buyer_id":1e400}}}}"#
            .into(),
    ];
    let n = bodies.len();
    gw.push(bodies.into_iter().map(Answer::Raw));
    let client = builder(&gw).build().unwrap();
    for _ in 0..n {
        assert!(client.execute(&detail()).await.is_err());
    }
}

#[tokio::test]
async fn connection_refused_is_retryable_transport_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder("12345678", "s")
        .url(format!("http://127.0.0.1:{port}/router/rest"))
        .retry(
            RetryPolicy::default()
                .max_retries(2)
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let e = client.execute(&detail()).await.unwrap_err();
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
}

#[tokio::test]
async fn qimen_call_is_signed_over_url_and_body() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let resp = client.execute(&cancel()).await.unwrap();
    assert_eq!(resp.flag.as_deref(), Some("success"));
    assert_eq!(resp.code.as_deref(), Some("0"));
    assert_eq!(resp.message.as_deref(), Some("invalid appkey"));

    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.path, "/router/qimen/service");
    assert_eq!(r.content_type, "text/xml;charset=utf-8");
    assert_eq!(r.query_param("customerId"), Some("stub-cust-code"));
    assert_eq!(r.query_param("format"), Some("xml"));
    assert!(r.form.is_empty());
    let body = r.xml_body.as_deref().unwrap();
    assert!(body.starts_with("<request><warehouseCode>W1234</warehouseCode>"));
    assert!(body.contains("<cancelReason>已经退货 &amp; &lt;备注&gt;</cancelReason>"));
    // The signature really covers the body: without it, it does not match.
    let sign = r.query_param("sign").unwrap();
    let mut unsigned = r.query.clone();
    unsigned.retain(|(k, _)| k != "sign");
    assert_eq!(
        expected_sign(&unsigned, Some(body), &gw.config().secret, "md5").as_deref(),
        Some(sign)
    );
    assert_ne!(
        expected_sign(&unsigned, None, &gw.config().secret, "md5").as_deref(),
        Some(sign)
    );
}

#[tokio::test]
async fn qimen_answers_keep_every_repeated_element() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let req = QimenItemsRequest {
        order_code: "O1234".into(),
    };
    let resp = client.execute(&req).await.unwrap();
    assert_eq!(gw.received()[0].rejected_with, None);
    assert_eq!(resp.flag.as_deref(), Some("success"));
    assert_eq!(
        resp.items,
        [
            QimenItem {
                item_code: Some("A1".into()),
                quantity: Some(2),
            },
            QimenItem {
                item_code: Some("B2".into()),
                quantity: Some(9_007_199_254_740_993),
            },
        ]
    );
    assert_eq!(resp.order_codes, ["O1", "O2"]);
}

#[tokio::test]
async fn qimen_failures_are_typed() {
    let gw = gateway();
    gw.push([Answer::QimenFailure {
        code: "S002".into(),
        message: "单据不存在".into(),
    }]);
    let client = builder(&gw)
        .sign_method(SignMethod::HmacSha256)
        .build()
        .unwrap();
    match client.execute(&cancel()).await.unwrap_err() {
        Error::Qimen(f) => {
            assert_eq!(f.api, "taobao.qimen.order.cancel");
            assert_eq!(f.code, "S002");
            assert_eq!(f.message, "单据不存在");
        }
        other => panic!("unexpected {other:?}"),
    }

    // Another customerId: the router answers flag=failure.
    let e = client
        .execute_with(&cancel(), &CallOptions::new().customer_id("nobody"))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Qimen(f) if f.code == "Q404"), "{e:?}");

    // A bad signature: the gateway's XML error_response.
    let wrong = Client::builder(gw.config().app_key.clone(), "wrong")
        .qimen_url(gw.qimen_url())
        .customer_id("stub-cust-code")
        .build()
        .unwrap();
    let e = wrong.execute(&cancel()).await.unwrap_err();
    assert_eq!(
        e.platform().and_then(|p| p.known_code()),
        Some(ErrorCode::InvalidSignature)
    );

    // The other bad answers, Qimen flavour.
    gw.push([
        Answer::CutDocument,
        Answer::Html(503),
        Answer::Raw("<html><body>oops</body></html>".into()),
    ]);
    assert!(matches!(
        client.execute(&cancel()).await.unwrap_err(),
        Error::Decode { .. }
    ));
    assert!(matches!(
        client.execute(&cancel()).await.unwrap_err(),
        Error::Http { status: 503, .. }
    ));
    assert!(matches!(
        client.execute(&cancel()).await.unwrap_err(),
        Error::Decode { .. }
    ));
}

#[tokio::test]
async fn qimen_without_customer_id_is_refused_before_sending() {
    let gw = gateway();
    let client = Client::builder(gw.config().app_key.clone(), gw.config().secret.clone())
        .qimen_url(gw.qimen_url())
        .build()
        .unwrap();
    assert!(matches!(
        client.execute(&cancel()).await.unwrap_err(),
        Error::Config(_)
    ));
    assert!(gw.received().is_empty());
}

const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0, 1, 2, 3];

fn upload(file_name: &str) -> FileUploadRequest {
    FileUploadRequest {
        title: "主图".into(),
        image: FileItem {
            file_name: file_name.into(),
            mime_type: Some("image/png".into()),
            bytes: PNG.to_vec(),
        },
    }
}

/// The text field and the file as the gateway parsed them.
fn assert_uploaded(gw: &Gateway, file_name: &str) {
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert!(r.content_type.starts_with("multipart/form-data"));
    assert_eq!(r.form_param("title"), Some("主图"));
    assert_eq!(
        r.files,
        vec![("image".to_string(), file_name.to_string(), PNG.to_vec())]
    );
}

#[tokio::test]
async fn files_go_multipart_and_outside_the_signature() {
    let gw = gateway();
    let req = upload("a.png");
    let resp = builder(&gw).build().unwrap().execute(&req).await.unwrap();
    assert_eq!(resp.accepted, Some(true));
    assert_uploaded(&gw, "a.png");
}

/// The blocking client writes its multipart body with reqwest's blocking
/// form: the same parts reach the gateway, a quoted file name intact.
#[test]
fn blocking_files_go_multipart_too() {
    let gw = gateway();
    let req = upload("a \"b\".png");
    let client = builder(&gw).build_blocking().unwrap();
    assert_eq!(client.execute(&req).unwrap().accepted, Some(true));
    assert_uploaded(&gw, "a \"b\".png");
}

#[tokio::test]
async fn prepare_is_the_exact_wire_form() {
    let gw = gateway();
    let client = builder(&gw).session("s-1").build().unwrap();
    let ts = chrono::DateTime::from_timestamp(1_795_429_685, 0).unwrap();
    let req = detail();
    let a = client.prepare(&req, ts, &CallOptions::new()).unwrap();
    let b = client.prepare(&req, ts, &CallOptions::new()).unwrap();
    assert_eq!(a, b, "deterministic");
    assert_eq!(a.query_param("timestamp"), Some("2026-11-23 18:28:05"));
    let names: Vec<&str> = a.query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "method",
            "app_key",
            "session",
            "timestamp",
            "format",
            "v",
            "sign_method",
            "sign"
        ]
    );
    let Body::Form(fields) = &a.body else {
        panic!("form body expected")
    };
    let mut signed = a.query.clone();
    signed.retain(|(k, _)| k != "sign");
    signed.extend(fields.iter().cloned());
    assert_eq!(
        expected_sign(&signed, None, &gw.config().secret, "md5").as_deref(),
        a.query_param("sign")
    );

    let q = cancel();
    let p = client.prepare(&q, ts, &CallOptions::new()).unwrap();
    assert!(p.url.starts_with(&format!(
        "{}?method=taobao.qimen.order.cancel&",
        gw.qimen_url()
    )));
    assert!(matches!(&p.body, Body::Xml(x) if x.starts_with("<request>")));
    assert_eq!(p.content_type, "text/xml;charset=utf-8");
}

/// The blocking client: runs on a plain thread, no async runtime.
#[test]
fn blocking_client_speaks_both_protocols() {
    let gw = gateway();
    let client = builder(&gw)
        .timeout(Duration::from_millis(300))
        .build_blocking()
        .unwrap();
    let resp = client.execute(&detail()).unwrap();
    assert_eq!(
        resp.result
            .and_then(|r| r.order_detail_item)
            .and_then(|i| i.buyer_id),
        Some(3)
    );
    let q = client.execute(&cancel()).unwrap();
    assert_eq!(q.flag.as_deref(), Some("success"));

    gw.push([
        Answer::Error {
            code: 27,
            msg: "Invalid session".into(),
            sub_code: None,
            sub_msg: None,
        },
        Answer::Slow(Duration::from_secs(5)),
        Answer::Truncated,
        Answer::QimenFailure {
            code: "E".into(),
            message: "no".into(),
        },
    ]);
    let e = client.execute(&detail()).unwrap_err();
    assert_eq!(
        e.platform().and_then(|p| p.known_code()),
        Some(ErrorCode::InvalidSession)
    );
    assert!(
        client
            .execute_with(&detail(), &write())
            .unwrap_err()
            .is_timeout()
    );
    assert!(matches!(
        client.execute_with(&detail(), &write()).unwrap_err(),
        Error::Transport {
            kind: TransportKind::Body,
            ..
        }
    ));
    assert!(matches!(
        client.execute(&cancel()).unwrap_err(),
        Error::Qimen(_)
    ));
    assert!(gw.received().iter().all(|r| r.rejected_with.is_none()));
}

#[tokio::test]
async fn every_answer_carries_request_id_raw_body_and_url() {
    let gw = Gateway::start(GatewayConfig {
        session: Some("user-session-secret".into()),
        ..GatewayConfig::default()
    })
    .unwrap();
    let client = builder(&gw).session("user-session-secret").build().unwrap();
    let body =
        r#"{"pc_order_detail_response":{"result":{"success":true},"request_id":"rid-ok-1"}}"#;
    gw.push([Answer::Raw(body.into())]);
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(answer.result.as_ref().and_then(|r| r.success), Some(true));
    assert_eq!(answer.request_id(), Some("rid-ok-1"));
    assert_eq!(answer.raw(), body.as_bytes());
    assert_eq!(answer.meta().status(), 200);
    assert_eq!(answer.meta().attempts(), 1);
    assert!(answer.url().starts_with(&gw.url()), "{}", answer.url());
    assert!(answer.url().contains("method=taobao.pc.order.detail"));
    assert!(answer.url().contains("session=***"), "{}", answer.url());
    assert!(!answer.url().contains("user-session-secret"));
    assert!(!format!("{answer:?}").contains("user-session-secret"));

    gw.push([Answer::Error {
        code: 41,
        msg: "Invalid Arguments".into(),
        sub_code: None,
        sub_msg: None,
    }]);
    let failed = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap_err();
    assert!(failed.error().platform().is_some(), "{failed:?}");
    assert_eq!(failed.request_id(), Some("local-gateway-1"));
    let meta = failed.meta().expect("an answer arrived");
    assert_eq!(meta.request_id(), Some("local-gateway-1"));
    assert!(meta.raw_text().contains("error_response"));
    assert!(meta.url().contains("session=***"));
    // `?` turns it into the plain error.
    let e: Error = failed.into();
    assert!(matches!(e, Error::Platform(_)));

    // No answer, no meta.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let failed = Client::builder("12345678", "s")
        .url(format!("http://127.0.0.1:{port}/router/rest"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap_err();
    assert!(failed.meta().is_none());
    assert!(matches!(
        failed.error(),
        Error::Transport {
            kind: TransportKind::Connect,
            ..
        }
    ));
}

#[test]
fn blocking_answers_carry_the_same_meta() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    let body = r#"{"pc_order_detail_response":{"request_id":"rid-blocking"}}"#;
    gw.push([Answer::Raw(body.into())]);
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .unwrap();
    assert_eq!(answer.request_id(), Some("rid-blocking"));
    assert_eq!(answer.raw(), body.as_bytes());
    assert!(answer.url().starts_with(&gw.url()));
    gw.push([Answer::Html(502)]);
    let failed = client.execute_with_meta(&detail(), &write()).unwrap_err();
    assert!(matches!(failed.error(), Error::Http { status: 502, .. }));
    assert_eq!(failed.meta().map(|m| m.status()), Some(502));
    assert_eq!(failed.request_id(), None);
}

/// A call-limit answer as the platform sends it.
fn ban(secs: &str) -> Answer {
    Answer::Error {
        code: 7,
        msg: "App Call Limited".into(),
        sub_code: Some("accesscontrol.limited-by-app-access-count".into()),
        sub_msg: Some(format!("This ban will last for {secs} more seconds")),
    }
}

/// Code 15 with `sub_code`.
fn remote_error(sub_code: &str) -> Answer {
    Answer::Error {
        code: 15,
        msg: "Remote service error".into(),
        sub_code: Some(sub_code.into()),
        sub_msg: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_ban_within_the_ceiling_is_waited_out_then_tried_once_more() {
    let gw = gateway();
    let client = paused_client(&gw, RetryPolicy::default());
    gw.push([ban("7")]);
    let (clock, wall) = (tokio::time::Instant::now(), Instant::now());
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(gw.received().len(), 2, "the banned call and one more");
    assert_eq!(answer.meta().attempts(), 2);
    assert!(
        clock.elapsed() >= Duration::from_secs(7),
        "{:?}",
        clock.elapsed()
    );
    assert!(
        wall.elapsed() < Duration::from_secs(5),
        "the test did not sleep"
    );

    // Banned again after the wait: returned, not waited out a second time.
    gw.push([ban("2"), ban("2")]);
    let e = client.execute(&detail()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(gw.received().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_ban_above_the_ceiling_or_past_the_deadline_is_returned_at_once() {
    let gw = gateway();
    let client = paused_client(
        &gw,
        RetryPolicy::default().max_ban_wait(Duration::from_secs(30)),
    );
    gw.push([ban("86400")]);
    let clock = tokio::time::Instant::now();
    let e = client.execute(&detail()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(86_400)));
    assert_eq!(e.platform().map(|p| p.is_call_limited()), Some(true));
    assert!(clock.elapsed() < Duration::from_secs(1));
    assert_eq!(gw.received().len(), 1, "no call during the ban");

    let client = paused_client(
        &gw,
        RetryPolicy::default()
            .max_ban_wait(Duration::from_secs(30))
            .deadline(Duration::from_secs(20)),
    );
    gw.push([ban("25")]);
    let e = client.execute(&detail()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(25)));
    assert_eq!(
        gw.received().len(),
        2,
        "a wait past the deadline is not begun"
    );
}

#[tokio::test(start_paused = true)]
async fn a_malformed_ban_message_is_a_typed_error_and_backs_off() {
    let gw = gateway();
    let client = paused_client(&gw, RetryPolicy::default().max_retries(1));
    gw.push([ban("many"), ban("many")]);
    let e = client.execute(&detail()).await.unwrap_err();
    assert_eq!(e.retry_after(), None);
    let bad = e.platform().unwrap().ban().unwrap_err();
    assert_eq!(bad.api, "taobao.pc.order.detail");
    assert!(
        bad.to_string()
            .contains("This ban will last for many more seconds"),
        "{bad}"
    );
    assert_eq!(
        gw.received().len(),
        2,
        "code 7 without a length: one backoff retry"
    );
}

#[tokio::test(start_paused = true)]
async fn writes_are_retried_only_when_the_call_did_not_run() {
    let gw = gateway();
    let client = paused_client(&gw, RetryPolicy::default());
    let write = CallOptions::new().idempotent(false);
    let busy = remote_error("isp.remote-service-timeout");
    gw.push([busy.clone()]);
    let e = client.execute_with(&detail(), &write).await.unwrap_err();
    assert!(e.is_retryable(), "retryable as a read");
    assert_eq!(
        gw.received().len(),
        1,
        "a write that may have run is not repeated"
    );

    // Refused by access control: it did not run, so a write is repeated.
    gw.push([ban("1")]);
    client.execute_with(&detail(), &write).await.unwrap();
    assert_eq!(gw.received().len(), 3);

    // The same isp failure on a read is retried.
    gw.push([busy]);
    client.execute(&detail()).await.unwrap();
    assert_eq!(gw.received().len(), 5);
}

#[tokio::test(start_paused = true)]
async fn retried_codes_are_configurable() {
    let gw = gateway();
    let client = paused_client(
        &gw,
        RetryPolicy::default().retry_codes(["isv.item-is-busy"]),
    );
    let item_busy = remote_error("isv.item-is-busy");
    let isp = remote_error("isp.remote-service-timeout");
    gw.push([item_busy]);
    client.execute(&detail()).await.unwrap();
    assert_eq!(gw.received().len(), 2, "the named sub_code is retried");
    gw.push([isp]);
    client.execute(&detail()).await.unwrap_err();
    assert_eq!(gw.received().len(), 3, "isp.* is no longer in the list");
}

#[tokio::test]
async fn gzip_is_asked_for_and_decoded() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    gw.push([Answer::Gzip]);
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap();
    assert!(gw.received()[0].accept_encoding.contains("gzip"));
    assert!(answer.result.is_some());
    let raw = answer.meta().raw_text();
    assert!(raw.trim_start().starts_with('{'), "decompressed: {raw}");
    assert!(raw.contains("pc_order_detail_response"));

    // Compressed in name only: a typed error, not retried.
    gw.push([Answer::FalseGzip]);
    let e = client.execute(&detail()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                kind: TransportKind::Decompress,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(gw.received().len(), 2);
}

#[test]
fn blocking_gzip_is_asked_for_and_decoded() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    gw.push([Answer::Gzip, Answer::FalseGzip]);
    assert!(client.execute(&detail()).unwrap().result.is_some());
    assert!(gw.received()[0].accept_encoding.contains("gzip"));
    let e = client.execute(&detail()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                kind: TransportKind::Decompress,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_proxy_on_loopback_sees_the_request() {
    let gw = gateway();
    let proxy = Proxy::start(gw.addr()).unwrap();
    let client = builder(&gw).proxy(proxy.url()).build().unwrap();
    client.execute(&detail()).await.unwrap();
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let want = format!("POST {}?method=taobao.pc.order.detail&", gw.url());
    assert!(seen[0].starts_with(&want), "{}", seen[0]);
    assert_eq!(gw.received().len(), 1);

    let with_password = builder(&gw).proxy("http://user:proxy-password@127.0.0.1:9");
    assert!(!format!("{with_password:?}").contains("proxy-password"));
    let e = builder(&gw).proxy("::not a url::").build().unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[test]
fn a_proxy_sees_the_blocking_client_too() {
    let gw = gateway();
    let proxy = Proxy::start(gw.addr()).unwrap();
    let client = builder(&gw).proxy(proxy.url()).build_blocking().unwrap();
    client.execute(&detail()).unwrap();
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with(&format!("POST {}?", gw.url())),
        "{}",
        seen[0]
    );
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_client_one() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    gw.push([Answer::Slow(Duration::from_secs(5))]);
    let started = Instant::now();
    let e = client
        .execute_with(&detail(), &write().timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(gw.received().len(), 1);

    // The read timeout is set apart from the whole-call one.
    let client = builder(&gw)
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    gw.push([Answer::Slow(Duration::from_secs(5))]);
    let started = Instant::now();
    let e = client.execute_with(&detail(), &write()).await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn the_blocking_client_follows_the_same_retry_plan() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    // A ban that is already over: waited out (for no time) and tried again.
    gw.push([ban("0")]);
    let answer = client
        .execute_with_meta(&detail(), &CallOptions::new().idempotent(false))
        .unwrap();
    assert_eq!(answer.meta().attempts(), 2);
    // Above the ceiling: returned at once with its length.
    gw.push([ban("600")]);
    let e = client.execute(&detail()).unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(600)));
    // A write that may have run is not repeated.
    gw.push([remote_error("isp.remote-service-timeout")]);
    let write = CallOptions::new().idempotent(false);
    client.execute_with(&detail(), &write).unwrap_err();
    assert_eq!(gw.received().len(), 4);
}

#[tokio::test]
async fn a_field_the_documents_lack_is_skipped_and_in_strict_mode_refused() {
    let gw = gateway();
    let answer = r#"{"pc_order_detail_response":{"result":{"success":true,"added_later":{"x":1}},"request_id":"r1"}}"#;
    let lenient = builder(&gw).build().unwrap();
    gw.push([Answer::Raw(answer.into())]);
    let got = lenient
        .execute_with_meta(&detail(), &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(got.result.as_ref().and_then(|r| r.success), Some(true));
    assert!(
        got.meta().raw_text().contains("added_later"),
        "the raw body keeps it"
    );

    let strict = builder(&gw).strict(true).build().unwrap();
    gw.push([Answer::Raw(answer.into())]);
    match strict.execute(&detail()).await {
        Err(Error::UnknownField { api, path }) => {
            assert_eq!(api, "taobao.pc.order.detail");
            assert_eq!(path, "result.added_later");
        }
        other => panic!("expected UnknownField, got {other:?}"),
    }
    // The platform's own request_id is no unknown field.
    gw.push([Answer::Raw(
        r#"{"pc_order_detail_response":{"result":{"success":true}},"request_id":"r2"}"#.into(),
    )]);
    assert!(strict.execute(&detail()).await.is_ok());
}
