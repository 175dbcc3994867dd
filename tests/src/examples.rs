//! Support for the generated example tests in `tests/api/`: the request's
//! wire form as the client signs it with fixed credentials and time, and a
//! platform error as its snapshot shows it.

use top_runtime::client::Body;
use top_runtime::testing::RequestFixture;
use top_runtime::{CallOptions, Client, Error, Protocol, SignMethod};

use crate::verify::expected_sign;

/// Fixed credentials and time, so the signature in a snapshot is stable.
pub const APP_KEY: &str = "12345678";
pub const SECRET: &str = "test-secret";
pub const CUSTOMER_ID: &str = "stub-cust-code";
/// 2026-11-23 10:28:05 UTC, sent as `2026-11-23 18:28:05` (GMT+8).
pub const TIMESTAMP: i64 = 1_795_429_685;
pub const SIGN_METHOD: SignMethod = SignMethod::Md5;

/// The client of every example, on the production routers (nothing is sent).
pub fn client() -> Client {
    Client::builder(APP_KEY, SECRET)
        .sign_method(SIGN_METHOD)
        .customer_id(CUSTOMER_ID)
        .build()
        .expect("the example client builds")
}

/// The business parameters of `req`, then the signed call the client would
/// send: URL, system parameters in order (`sign` last), content type and
/// body. The signature is checked against the gateway's own computation.
pub fn wire_text<R: RequestFixture>(req: &R) -> String {
    let params = req.params().expect("the page's example encodes");
    let mut out = format!(
        "method={}\njson_params={}\n",
        R::METHOD,
        R::JSON_PARAMS.join(",")
    );
    for (name, value) in &params.0 {
        out.push_str(&format!("{name}={value}\n"));
    }

    let ts = chrono::DateTime::from_timestamp(TIMESTAMP, 0).expect("a valid timestamp");
    let p = client()
        .prepare(req, ts, &CallOptions::new())
        .expect("the page's example prepares");
    assert_eq!(p.protocol, R::PROTOCOL);
    assert_eq!(p.query_param("timestamp"), Some("2026-11-23 18:28:05"));
    assert_eq!(
        p.query_param("customerId"),
        (R::PROTOCOL == Protocol::Qimen).then_some(CUSTOMER_ID)
    );

    let mut signed: Vec<(String, String)> = p
        .query
        .iter()
        .filter(|(k, _)| k != "sign")
        .cloned()
        .collect();
    let mut body_text = String::new();
    let mut xml_body = None;
    match &p.body {
        Body::Form(fields) => {
            signed.extend(fields.iter().cloned());
            body_text = p.form_body().unwrap_or_default();
        }
        Body::Multipart { fields, files } => {
            signed.extend(fields.iter().cloned());
            for (k, v) in fields {
                body_text.push_str(&format!("field {k}={v}\n"));
            }
            for (k, f) in files {
                body_text.push_str(&format!(
                    "file {k}={} ({} bytes)\n",
                    f.file_name,
                    f.bytes.len()
                ));
            }
        }
        Body::Xml(xml) => {
            body_text = xml.clone();
            xml_body = Some(xml.as_str());
        }
        other => panic!("unexpected body {other:?}"),
    }
    assert_eq!(
        expected_sign(&signed, xml_body, SECRET, SIGN_METHOD.as_str()).as_deref(),
        p.query_param("sign"),
        "the signature is the platform's"
    );

    out.push_str(&format!("\nPOST {}\n", p.url));
    for (k, v) in &p.query {
        out.push_str(&format!("  {k}={v}\n"));
    }
    out.push_str(&format!(
        "Content-Type: {}\n\n{body_text}\n",
        p.content_type
    ));
    out
}

/// A call's error as the example snapshots show it: the message a user
/// sees, the platform's fields and the classification helpers.
pub fn error_text(e: &Error) -> String {
    let mut out = format!("{e}\n");
    match e.platform() {
        Some(p) => {
            out.push_str(&format!("{p:#?}\n"));
            out.push_str(&format!("known_code: {:?}\n", p.known_code()));
            out.push_str(&format!("caller_fault: {}\n", p.is_caller_fault()));
            out.push_str(&format!("service_fault: {}\n", p.is_service_fault()));
        }
        None => out.push_str(&format!("{e:#?}\n")),
    }
    out.push_str(&format!("retryable: {}\n", e.is_retryable()));
    out
}
