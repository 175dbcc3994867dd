//! The receiving side of Qimen, called as the gateway calls it: a client
//! that signs with its own code (`top_tests::verify`, not the runtime's
//! signer) posts real-looking bodies to a receiver served over HTTP on
//! loopback, and to the `qimen_server` example run as a user runs it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{FixedOffset, Utc};
use proptest::prelude::*;
use top_api::qimen::order_cancel::{
    QimenOrderCancelRequest, QimenOrderCancelResponse, RequestOrderType, SubSourceOrder,
};
use top_runtime::qimen::server::{Failure, Router, Verifier};
use top_tests::receiver::{cancel_line, cancel_router, http_app};
use top_tests::verify::expected_sign;

const SECRET: &str = "receiver-secret-密钥";
const CANCEL: &str = "taobao.qimen.order.cancel";

/// A body as the gateway forwards it from an ERP: Chinese text, an order id
/// above 2^53, an order type the documents list, a wrapped list, a map.
const BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<request>
    <warehouseCode>仓库-杭州01</warehouseCode>
    <ownerCode>H1234</ownerCode>
    <orderCode>O-20261204-0001</orderCode>
    <orderId>9007199254740993</orderId>
    <orderType>JYCK</orderType>
    <cancelReason>买家已经退货 &amp; 不要了</cancelReason>
    <extendProps><channel>天猫</channel></extendProps>
    <subSourceOrders>
        <subSourceOrder><subSourceOrderCode>21324234</subSourceOrderCode></subSourceOrder>
        <subSourceOrder><subSourceOrderCode>21324235</subSourceOrderCode></subSourceOrder>
    </subSourceOrders>
</request>"#;

/// The gateway's clock: GMT+8, `yyyy-MM-dd HH:mm:ss`, `minutes` from now.
fn gateway_time(minutes: i64) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).unwrap();
    (Utc::now() + chrono::TimeDelta::minutes(minutes))
        .with_timezone(&cst)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A call as the gateway signs it.
struct Signed {
    method: &'static str,
    sign_method: &'static str,
    secret: &'static str,
    minutes: i64,
}

impl Default for Signed {
    fn default() -> Self {
        Signed {
            method: CANCEL,
            sign_method: "md5",
            secret: SECRET,
            minutes: 0,
        }
    }
}

impl Signed {
    /// The query string for `body`, `sign` last.
    fn query(&self, body: &str) -> String {
        let params: Vec<(String, String)> = [
            ("method", self.method),
            ("app_key", "21345678"),
            ("customerId", "c-erp-01"),
            ("format", "xml"),
            ("v", "2.0"),
            ("sign_method", self.sign_method),
            ("timestamp", &gateway_time(self.minutes)),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let sign = expected_sign(&params, Some(body), self.secret, self.sign_method)
            .expect("a known sign method");
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &params {
            q.append_pair(k, v);
        }
        q.append_pair("sign", &sign).finish()
    }
}

/// A receiver on loopback, with the cancels its handler was given.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<QimenOrderCancelRequest>>>,
}

fn router(seen: &Arc<Mutex<Vec<QimenOrderCancelRequest>>>) -> Router {
    let seen = Arc::clone(seen);
    cancel_router(Verifier::new(SECRET), move |req| {
        seen.lock().unwrap().push(req.clone());
    })
}

async fn start() -> Receiver {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = http_app(router(&seen));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, seen }
}

impl Receiver {
    async fn post(&self, query: &str, body: &str) -> String {
        let answer = top_runtime::reqwest::Client::new()
            .post(format!("{}?{query}", self.url))
            .header("content-type", "text/xml;charset=utf-8")
            .body(body.to_owned())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let ctype = answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(ctype.starts_with("text/xml"), "{ctype}");
        answer.text().await.unwrap()
    }

    fn seen(&self) -> Vec<QimenOrderCancelRequest> {
        self.seen.lock().unwrap().clone()
    }
}

/// The fields of an answer, read as a Qimen client reads it.
fn read_answer(xml: &str) -> Result<QimenOrderCancelResponse, top_runtime::Error> {
    top_runtime::qimen::decode_qimen(CANCEL, xml.as_bytes())
}

fn failure_code(xml: &str) -> String {
    assert!(xml.starts_with("<?xml"), "{xml}");
    match read_answer(xml) {
        Err(top_runtime::Error::Qimen(f)) => {
            assert!(!f.message.is_empty(), "{xml}");
            assert!(!f.message.contains(SECRET), "{xml}");
            f.code
        }
        other => panic!("expected the failure form, got {other:?} from {xml}"),
    }
}

#[tokio::test]
async fn a_signed_call_is_decoded_exactly_and_answered_success() {
    let rx = start().await;
    for sign_method in ["md5", "hmac", "hmac-sha256"] {
        let q = Signed {
            sign_method,
            ..Signed::default()
        }
        .query(BODY);
        let xml = rx.post(&q, BODY).await;
        assert!(
            xml.starts_with(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>success</flag><code>0</code>"
            ),
            "{xml}"
        );
        let answer = read_answer(&xml).unwrap();
        assert_eq!(answer.flag.as_deref(), Some("success"));
        assert_eq!(
            answer.message.as_deref(),
            Some("order O-20261204-0001 cancelled")
        );
    }
    let seen = rx.seen();
    assert_eq!(seen.len(), 3);
    let req = &seen[0];
    let expected = QimenOrderCancelRequest::new("仓库-杭州01", "O-20261204-0001")
        .with_owner_code("H1234")
        .with_order_id("9007199254740993")
        .with_order_type(RequestOrderType::Jyck)
        .with_cancel_reason("买家已经退货 & 不要了")
        .with_extend_props([("channel".to_owned(), "天猫".to_owned())].into())
        .with_sub_source_orders(vec![
            SubSourceOrder::new().with_sub_source_order_code("21324234"),
            SubSourceOrder::new().with_sub_source_order_code("21324235"),
        ]);
    assert_eq!(req, &expected);
    assert_eq!(
        cancel_line(req),
        "cancel O-20261204-0001 仓库-杭州01 JYCK 买家已经退货 & 不要了"
    );
}

/// What the client writes, the receiver reads back whole, and the reverse.
#[test]
fn client_and_receiver_agree_both_ways() {
    use top_runtime::Request;
    use top_runtime::qimen::server::{decode_request, respond};
    let request = QimenOrderCancelRequest::new("仓1", "O1")
        .with_order_type(RequestOrderType::Other("ZZCK".into()))
        .with_cancel_reason("<已取消> & 退款")
        .with_sub_source_orders(vec![SubSourceOrder::new().with_sub_source_order_code("1")]);
    let body = request.qimen_body().unwrap().unwrap();
    assert_eq!(
        decode_request::<QimenOrderCancelRequest>(body.as_bytes()),
        Ok(request)
    );
    let mut answer = QimenOrderCancelResponse::default();
    answer.code = Some("W-7".into());
    answer.message = Some("已受理 <1>".into());
    let xml = respond(&answer).unwrap();
    answer.flag = Some("success".into());
    assert_eq!(read_answer(&xml).unwrap(), answer);
}

#[tokio::test]
async fn an_unknown_order_type_is_kept_as_sent() {
    let rx = start().await;
    let body = "<request><warehouseCode>W1</warehouseCode><orderCode>O1</orderCode>\
                <orderType>ZZCK</orderType></request>";
    let xml = rx.post(&Signed::default().query(body), body).await;
    assert_eq!(read_answer(&xml).unwrap().flag.as_deref(), Some("success"));
    let seen = rx.seen();
    assert_eq!(
        seen[0].order_type,
        Some(RequestOrderType::Other("ZZCK".into()))
    );
    assert_eq!(cancel_line(&seen[0]), "cancel O1 W1 ZZCK -");
}

#[tokio::test]
async fn bad_calls_get_the_failure_form_and_never_reach_the_handler() {
    let rx = start().await;
    let good = Signed::default();
    let tampered = BODY.replace("O-20261204-0001", "O-20261204-0002");
    let not_xml = "orderCode=O1";
    let no_order_code = "<request><warehouseCode>W1</warehouseCode></request>";
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "tampered body",
            good.query(BODY),
            &tampered,
            Failure::INVALID_SIGNATURE,
        ),
        (
            "wrong secret",
            Signed {
                secret: "not-the-secret",
                ..Signed::default()
            }
            .query(BODY),
            BODY,
            Failure::INVALID_SIGNATURE,
        ),
        (
            "old timestamp",
            Signed {
                minutes: -20,
                ..Signed::default()
            }
            .query(BODY),
            BODY,
            Failure::STALE_TIMESTAMP,
        ),
        (
            "timestamp from the future",
            Signed {
                minutes: 20,
                ..Signed::default()
            }
            .query(BODY),
            BODY,
            Failure::STALE_TIMESTAMP,
        ),
        (
            "not XML",
            good.query(not_xml),
            not_xml,
            Failure::INVALID_BODY,
        ),
        (
            "missing orderCode",
            good.query(no_order_code),
            no_order_code,
            Failure::INVALID_BODY,
        ),
        (
            "unhandled method",
            Signed {
                method: "taobao.qimen.entryorder.create",
                ..Signed::default()
            }
            .query(BODY),
            BODY,
            Failure::UNKNOWN_METHOD,
        ),
        (
            "no signature",
            "method=taobao.qimen.order.cancel".into(),
            BODY,
            Failure::MISSING_PARAMETER,
        ),
    ];
    for (what, query, body, code) in cases {
        let xml = rx.post(&query, body).await;
        assert_eq!(failure_code(&xml), code, "{what}: {xml}");
    }
    assert!(rx.seen().is_empty(), "{:?}", rx.seen());
}

#[tokio::test]
async fn signed_headers_count() {
    let rx = start().await;
    let headers = [("x-erp-trace", "杭州 1")];
    // The gateway's signature with the header's value among the parameters.
    let ts = gateway_time(0);
    let params: Vec<(String, String)> = [
        ("method", CANCEL),
        ("format", "xml"),
        ("sign_method", "hmac-sha256"),
        ("timestamp", &ts),
        ("x-erp-trace", headers[0].1),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let sign = expected_sign(&params, Some(BODY), SECRET, "hmac-sha256").unwrap();
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(k, _)| k != "x-erp-trace") {
        q.append_pair(k, v);
    }
    let q = q.append_pair("sign", &sign).finish();
    let post = |trace: &'static str| {
        top_runtime::reqwest::Client::new()
            .post(format!("{}?{q}", rx.url))
            .header("top-sign-list", "x-erp-trace")
            .header("x-erp-trace", trace)
            .body(BODY)
            .send()
    };
    // URL-encoded on the wire, as the gateway sends header values.
    let ok = post("%E6%9D%AD%E5%B7%9E+1")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(read_answer(&ok).unwrap().flag.as_deref(), Some("success"));
    let bad = post("%E6%9D%AD%E5%B7%9E+2")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(failure_code(&bad), Failure::INVALID_SIGNATURE);
    assert_eq!(rx.seen().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any body, correctly signed so that it reaches the decoder, gets an
    /// answer in Qimen's form and never a panic.
    #[test]
    fn any_signed_body_gets_an_answer(body in body_strategy()) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let router = router(&seen);
        let text = String::from_utf8_lossy(&body).into_owned();
        let query = Signed::default().query(&text);
        // The signature is over the text; a body that is not UTF-8 is sent as its lossy text.
        let xml = router.answer(&query, &[("content-type", "text/xml")], text.as_bytes());
        prop_assert!(xml.starts_with("<?xml"), "{}", xml);
        let accepted = !seen.lock().unwrap().is_empty();
        match read_answer(&xml) {
            Ok(a) => prop_assert!(accepted && a.flag.as_deref() == Some("success"), "{}", xml),
            Err(top_runtime::Error::Qimen(f)) => {
                prop_assert!(!accepted);
                prop_assert_eq!(f.code, Failure::INVALID_BODY);
            }
            Err(e) => prop_assert!(false, "{e}: {xml}"),
        }
    }
}

/// Bytes that are mostly near-XML: fragments of a real request, cut,
/// repeated and mixed with noise.
fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("<request>".to_owned()),
        Just("</request>".to_owned()),
        Just("<orderCode>O1</orderCode>".to_owned()),
        Just("<warehouseCode>仓</warehouseCode>".to_owned()),
        Just("<orderType>".to_owned()),
        Just("</orderType>".to_owned()),
        Just("<subSourceOrders><subSourceOrder>".to_owned()),
        Just("</subSourceOrder></subSourceOrders>".to_owned()),
        Just("<extendProps><a>1</a></extendProps>".to_owned()),
        Just("&amp;&#x0;&bogus;<![CDATA[x]]>".to_owned()),
        "[a-zA-Z<>/=\"' &;]{0,12}",
        "\\PC{0,6}",
    ];
    prop_oneof![
        prop::collection::vec(piece, 0..24).prop_map(|p| p.concat().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..64),
        Just(BODY.as_bytes()[..BODY.len() / 2].to_vec()),
    ]
}

fn example() -> PathBuf {
    top_tests::cli::example_binary("qimen_server")
}

/// Kills the example when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_example_serves_cancels() {
    let child = Command::new(example())
        .env("TOP_APP_SECRET", SECRET)
        .env_remove("QIMEN_LISTEN")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut running = Running(child);
    let mut lines = BufReader::new(running.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first}"))
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{first}"
    );
    let post = |query: String, body: &str| {
        top_runtime::reqwest::blocking::Client::new()
            .post(format!("{url}?{query}"))
            .body(body.to_owned())
            .timeout(Duration::from_secs(10))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let stale = Signed {
        minutes: -16,
        ..Signed::default()
    };
    assert_eq!(
        failure_code(&post(stale.query(BODY), BODY)),
        Failure::STALE_TIMESTAMP
    );
    let xml = post(Signed::default().query(BODY), BODY);
    assert_eq!(read_answer(&xml).unwrap().flag.as_deref(), Some("success"));
    // The refused call printed nothing: the next line is the accepted one.
    let line = lines.next().unwrap().unwrap();
    assert_eq!(
        line,
        "cancel O-20261204-0001 仓库-杭州01 JYCK 买家已经退货 & 不要了"
    );
}

#[test]
fn the_example_needs_a_secret() {
    let out = Command::new(example())
        .env_remove("TOP_APP_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
