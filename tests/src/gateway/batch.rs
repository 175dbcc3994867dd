//! The batch endpoint: calls joined by a separator in a text body, one
//! signature over the URL parameters and that body, answers joined the
//! same way. Each call takes the next queued answer (an [`Answer::Part`]
//! as its answer text), except a queued [`Answer::Raw`], which answers the
//! whole batch as given.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{
    Answer, Received, Shared, error_answer, known_method, lock, page_body, pairs, param,
    text_answer,
};
use crate::verify::expected_sign;

const SEPARATOR: &str = "\r\n-S-\r\n";
const PUBLIC_PREFIX: &str = "#PUBLIC#";

pub(super) async fn handle(shared: &Arc<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let query = pairs(req.uri().query().unwrap_or("").as_bytes());
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let accept_encoding = req
        .headers()
        .get(axum::http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), 16 << 20).await else {
        return (StatusCode::BAD_REQUEST, "unreadable body").into_response();
    };
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let rejected = check(shared, &query, &body);
    lock(&shared.log).push(Received {
        path,
        query: query.clone(),
        form: Vec::new(),
        files: Vec::new(),
        xml_body: None,
        batch_body: Some(body.clone()),
        content_type,
        accept_encoding,
        rejected_with: rejected.as_ref().map(|r| r.0),
    });
    if let Some((code, msg)) = rejected {
        return error_answer(false, code, msg, None, None);
    }
    let whole = {
        let mut script = lock(&shared.script);
        match script.front() {
            Some(Answer::Raw(_)) => script.pop_front(),
            _ => None,
        }
    };
    if let Some(Answer::Raw(answer)) = whole {
        return text_answer(StatusCode::OK, false, answer);
    }
    let simplify = param(&query, "simplify") == Some("true");
    let (public, calls) = split_calls(&body);
    let mut answers = Vec::with_capacity(calls.len());
    for call in calls {
        let mut params = public.clone();
        params.extend(call);
        // A call's own parameter wins over a public one of the same name.
        let method = params
            .iter()
            .rev()
            .find(|(k, _)| k == "method")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        answers.push(answer_one(shared, &method, simplify).await);
    }
    text_answer(StatusCode::OK, false, answers.join(SEPARATOR))
}

/// The public parameters and each call's parameters.
type Calls = (Vec<(String, String)>, Vec<Vec<(String, String)>>);

fn split_calls(body: &str) -> Calls {
    let mut public = Vec::new();
    let mut calls = Vec::new();
    for (i, part) in body.split(SEPARATOR).enumerate() {
        match part.strip_prefix(PUBLIC_PREFIX) {
            Some(p) if i == 0 => public = pairs(p.as_bytes()),
            _ if part == "N" => calls.push(Vec::new()),
            _ => calls.push(pairs(part.as_bytes())),
        }
    }
    (public, calls)
}

/// The platform's checks of the batch as a whole.
fn check(shared: &Shared, query: &[(String, String)], body: &str) -> Option<(i64, &'static str)> {
    let cfg = &shared.cfg;
    let get = |n: &str| param(query, n);
    if get("app_key") != Some(cfg.app_key.as_str()) {
        return Some((29, "Invalid App Key"));
    }
    if get("timestamp").is_none() {
        return Some((30, "Missing Timestamp"));
    }
    let Some(sign) = get("sign") else {
        return Some((24, "Missing Signature"));
    };
    let method = get("sign_method").unwrap_or("md5");
    match expected_sign(query, Some(body), &cfg.secret, method) {
        Some(want) if want == sign => {}
        _ => return Some((25, "Invalid Signature")),
    }
    if let (Some(want), Some(got)) = (&cfg.session, get("session"))
        && want != got
    {
        return Some((27, "Invalid Session"));
    }
    None
}

/// One call's answer text: the page's example, or the queued error.
async fn answer_one(shared: &Shared, method: &str, simplify: bool) -> String {
    if method.is_empty() {
        return body_of(error_answer(false, 21, "Missing Method", None, None)).await;
    }
    if !known_method(method, false) {
        return body_of(error_answer(false, 22, "Invalid Method", None, None)).await;
    }
    let answer = lock(&shared.script).pop_front().unwrap_or(Answer::Page);
    let resp = match answer {
        Answer::Error {
            code,
            msg,
            sub_code,
            sub_msg,
        } => error_answer(false, code, &msg, sub_code.as_deref(), sub_msg.as_deref()),
        Answer::Part(text) => return text,
        _ => return page_body(method, false, simplify).unwrap_or_default(),
    };
    body_of(resp).await
}

async fn body_of(resp: Response) -> String {
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}
