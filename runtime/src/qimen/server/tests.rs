use super::*;
use chrono::TimeZone;

// Vectors computed independently with Python 3 (hashlib/hmac), following
// SpiUtils: sorted `name` + `value` of every parameter but `sign`, the body,
// md5 wrapped in the secret or HMAC keyed by it.
//
// python3 - <<'EOF'
// import hashlib, hmac
// secret = "test-secret-密钥"
// params = {"method": "taobao.qimen.order.cancel", "app_key": "12345678",
//           "customerId": "c1", "format": "xml", "v": "2.0",
//           "timestamp": "2026-12-04 18:30:00"}
// body = '<request><warehouseCode>W1</warehouseCode><orderCode>O1</orderCode><cancelReason>已经退货</cancelReason></request>'
// for m in ["md5", "hmac", "hmac-sha256"]:
//     p = dict(params, sign_method=m)
//     s = "".join(k + v for k, v in sorted(p.items())) + body
//     if m == "md5": d = hashlib.md5((secret + s + secret).encode()).hexdigest()
//     elif m == "hmac": d = hmac.new(secret.encode(), s.encode(), hashlib.md5).hexdigest()
//     else: d = hmac.new(secret.encode(), s.encode(), hashlib.sha256).hexdigest()
//     print(m, d.upper())
// p = dict(params, sign_method="md5"); p["x-biz-id"] = "a b中"
// s = "".join(k + v for k, v in sorted(p.items())) + body
// print("header", hashlib.md5((secret + s + secret).encode()).hexdigest().upper())
// EOF
const SECRET: &str = "test-secret-密钥";
const BODY: &str = "<request><warehouseCode>W1</warehouseCode><orderCode>O1</orderCode><cancelReason>已经退货</cancelReason></request>";
const VECTORS: [(&str, &str); 3] = [
    ("md5", "D51BA489EADCE45F50C9C4181D3E43F3"),
    ("hmac", "F0E920628951840C464401CA28DA8A33"),
    (
        "hmac-sha256",
        "23BD2C468726E5B410E584CF213986BFB6D8E481DF940A45DB352AA1ABB67888",
    ),
];
const HEADER_VECTOR: &str = "9AFFE9831DC8A1F5592846F4CAE197AE";
const NO_HEADERS: [(&str, &str); 0] = [];

fn query(sign_method: &str, sign: &str, timestamp: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("method", "taobao.qimen.order.cancel")
        .append_pair("app_key", "12345678")
        .append_pair("customerId", "c1")
        .append_pair("format", "xml")
        .append_pair("v", "2.0")
        .append_pair("timestamp", timestamp)
        .append_pair("sign_method", sign_method)
        .append_pair("sign", sign)
        .finish()
}

/// 2026-12-04 18:30:00 in GMT+8.
fn sent_at() -> ChronoDateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 10, 30, 0).unwrap()
}

fn code_of<T: fmt::Debug>(r: Result<T, Failure>) -> String {
    r.unwrap_err().code
}

#[test]
fn every_sign_method_is_verified() {
    let v = Verifier::new(SECRET);
    for (method, sign) in VECTORS {
        let q = query(method, sign, "2026-12-04 18:30:00");
        let call = v
            .verify_at(&q, &NO_HEADERS, BODY.as_bytes(), sent_at())
            .unwrap_or_else(|f| panic!("{method}: {f}"));
        assert_eq!(call.method(), Some("taobao.qimen.order.cancel"));
        assert_eq!(call.param("customerId"), Some("c1"));
        // Lowercase hex is the same signature.
        let q = query(method, &sign.to_ascii_lowercase(), "2026-12-04 18:30:00");
        assert!(
            v.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), sent_at())
                .is_ok()
        );
    }
}

#[test]
fn signed_headers_are_part_of_the_signature() {
    let v = Verifier::new(SECRET);
    let q = query("md5", HEADER_VECTOR, "2026-12-04 18:30:00");
    let headers = [("Top-Sign-List", "x-biz-id"), ("X-Biz-Id", "a+b%E4%B8%AD")];
    assert!(
        v.verify_at(&q, &headers, BODY.as_bytes(), sent_at())
            .is_ok()
    );
    let mut map = http::HeaderMap::new();
    map.insert("top-sign-list", "x-biz-id".parse().unwrap());
    map.insert("x-biz-id", "a+b%E4%B8%AD".parse().unwrap());
    assert!(v.verify_at(&q, &map, BODY.as_bytes(), sent_at()).is_ok());
    // Without the header the same sign is wrong.
    assert_eq!(
        code_of(v.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), sent_at())),
        Failure::INVALID_SIGNATURE
    );
}

#[test]
fn tampering_and_wrong_secrets_are_refused() {
    let (method, sign) = VECTORS[0];
    let q = query(method, sign, "2026-12-04 18:30:00");
    let tampered = BODY.replace("O1", "O2");
    let v = Verifier::new(SECRET);
    let f = v
        .verify_at(&q, &NO_HEADERS, tampered.as_bytes(), sent_at())
        .unwrap_err();
    assert_eq!(f.code, Failure::INVALID_SIGNATURE);
    assert!(!f.message.contains(sign), "{f}");
    let other = Verifier::new("another-secret");
    assert_eq!(
        code_of(other.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), sent_at())),
        Failure::INVALID_SIGNATURE
    );
    assert!(!format!("{v:?}").contains(SECRET));
}

#[test]
fn timestamps_outside_the_window_are_refused() {
    let (method, sign) = VECTORS[0];
    let q = query(method, sign, "2026-12-04 18:30:00");
    let v = Verifier::new(SECRET);
    let at = |mins: i64| sent_at() + TimeDelta::minutes(mins);
    assert!(
        v.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), at(15))
            .is_ok()
    );
    assert!(
        v.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), at(-15))
            .is_ok()
    );
    for mins in [16, -16, 8 * 60] {
        assert_eq!(
            code_of(v.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), at(mins))),
            Failure::STALE_TIMESTAMP,
            "{mins} min"
        );
    }
    let narrow = Verifier::new(SECRET).window(Duration::from_secs(60));
    assert_eq!(
        code_of(narrow.verify_at(&q, &NO_HEADERS, BODY.as_bytes(), at(2))),
        Failure::STALE_TIMESTAMP
    );
}

#[test]
fn missing_or_odd_system_parameters_are_named() {
    let v = Verifier::new(SECRET);
    let f = v
        .verify_at("method=x", &NO_HEADERS, b"", sent_at())
        .unwrap_err();
    assert_eq!(f.code, Failure::MISSING_PARAMETER);
    assert!(f.message.contains("`sign`"), "{f}");
    assert_eq!(
        code_of(v.verify_at("sign=AB&sign_method=sha1", &NO_HEADERS, b"", sent_at())),
        Failure::INVALID_SIGN_METHOD
    );
    // A correctly signed call whose timestamp is missing or unreadable.
    let signed = |ts: Option<&str>| {
        let mut params = BTreeMap::new();
        params.insert("method".to_owned(), "m".to_owned());
        if let Some(ts) = ts {
            params.insert("timestamp".to_owned(), ts.to_owned());
        }
        let sign = signature(&params, b"", SECRET, SignMethod::Md5);
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, val) in &params {
            q.append_pair(k, val);
        }
        q.append_pair("sign", &sign).finish()
    };
    assert_eq!(
        code_of(v.verify_at(&signed(None), &NO_HEADERS, b"", sent_at())),
        Failure::MISSING_PARAMETER
    );
    assert_eq!(
        code_of(v.verify_at(&signed(Some("1733307000000")), &NO_HEADERS, b"", sent_at())),
        Failure::INVALID_TIMESTAMP
    );
}

#[test]
fn failures_are_the_gateway_form() {
    let f = Failure::new("S002", "单据 <O1> & 不存在");
    assert_eq!(
        f.to_xml(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>failure</flag>\
         <code>S002</code><message>单据 &lt;O1&gt; &amp; 不存在</message></response>"
    );
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Cancel {
    #[serde(rename = "orderCode", deserialize_with = "crate::de::required")]
    order_code: String,
    #[serde(rename = "orderId", default, deserialize_with = "crate::de::option")]
    order_id: Option<i64>,
    #[serde(rename = "codes", default, deserialize_with = "crate::de::list_option")]
    codes: Option<Vec<String>>,
}

#[test]
fn request_bodies_decode_exactly() {
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><request><orderCode>单号1</orderCode>\
                <orderId>9007199254740993</orderId><codes><string>a</string><string>b</string></codes>\
                <unknown>x</unknown></request>";
    let c: Cancel = decode_request(body.as_bytes()).unwrap();
    assert_eq!(
        c,
        Cancel {
            order_code: "单号1".into(),
            order_id: Some(9_007_199_254_740_993),
            codes: Some(vec!["a".into(), "b".into()]),
        }
    );
    let c: Cancel = decode_request(b"<request><orderCode>O</orderCode><codes/></request>").unwrap();
    assert_eq!(c.codes, Some(vec![]));
    assert_eq!(c.order_id, None);
}

#[test]
fn bad_request_bodies_are_invalid_body() {
    let cases: [&[u8]; 7] = [
        b"",
        b"\xff\xfe",
        b"<request><orderCode>O</orderCode>",
        b"<response><orderCode>O</orderCode></response>",
        b"<request/>",
        b"<request><orderCode>O</orderCode><orderId>1.5</orderId></request>",
        b"<request><orderCode></orderCode><orderId>x</orderId></request>",
    ];
    for body in cases {
        let f = decode_request::<Cancel>(body).unwrap_err();
        assert_eq!(f.code, Failure::INVALID_BODY, "{body:?}");
    }
    let f = decode_request::<Cancel>(b"<request><orderId>1</orderId></request>").unwrap_err();
    assert!(f.message.contains("orderCode"), "{f}");
}

#[derive(Serialize)]
struct Answer {
    #[serde(rename = "itemCode")]
    item_code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

#[test]
fn answers_carry_flag_and_code() {
    let xml = respond(&Answer {
        item_code: "I<1>",
        message: Some("已取消"),
    })
    .unwrap();
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>success</flag><code>0</code>\
         <itemCode>I&lt;1&gt;</itemCode><message>已取消</message></response>"
    );
    #[derive(Serialize)]
    struct Empty {}
    assert_eq!(
        respond(&Empty {}).unwrap(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><flag>success</flag><code>0</code></response>"
    );
}

#[test]
fn odd_signed_header_lists_are_only_a_wrong_signature() {
    let (method, sign) = VECTORS[0];
    let q = query(method, sign, "2026-12-04 18:30:00");
    let mut map = http::HeaderMap::new();
    map.insert(
        "top-sign-list",
        "a b,,x\ty,%zz,(),top-sign-list".parse().unwrap(),
    );
    let v = Verifier::new(SECRET);
    assert_eq!(
        code_of(v.verify_at(&q, &map, BODY.as_bytes(), sent_at())),
        Failure::INVALID_SIGNATURE
    );
    let pairs = [("top-sign-list", ",ä,"), ("ä", "%E4%B8")];
    assert_eq!(
        code_of(v.verify_at(&q, &pairs, BODY.as_bytes(), sent_at())),
        Failure::INVALID_SIGNATURE
    );
}
