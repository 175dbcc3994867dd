//! A Qimen receiver over HTTP: the `qimen_server` example's service, also
//! started in-process by the tests. It handles `taobao.qimen.order.cancel`
//! and answers everything else in the failure form.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use top_api::qimen::order_cancel::{QimenOrderCancelRequest, QimenOrderCancelResponse};
use top_runtime::code::Code;
use top_runtime::qimen::server::{CONTENT_TYPE, Router, Verifier};

/// The line the example prints for an accepted cancel:
/// `cancel <orderCode> <warehouseCode> <orderType> <cancelReason>`, `-` for
/// an absent value, `orderType` as its wire text.
pub fn cancel_line(req: &QimenOrderCancelRequest) -> String {
    format!(
        "cancel {} {} {} {}",
        req.order_code,
        req.warehouse_code,
        req.order_type.as_ref().map_or("-", |t| t.wire()),
        req.cancel_reason.as_deref().unwrap_or("-"),
    )
}

/// A router verifying with `verifier` that hands each accepted cancel to
/// `accepted` and answers success.
pub fn cancel_router(
    verifier: Verifier,
    accepted: impl Fn(&QimenOrderCancelRequest) + Send + Sync + 'static,
) -> Router {
    Router::new(verifier).on(move |req: QimenOrderCancelRequest, _call| {
        accepted(&req);
        let mut answer = QimenOrderCancelResponse::default();
        answer.message = Some(format!("order {} cancelled", req.order_code));
        Ok(answer)
    })
}

/// The HTTP service: every POST, on any path, is a call for `router`.
pub fn http_app(router: Router) -> axum::Router {
    axum::Router::new()
        .fallback(axum::routing::post(answer))
        .with_state(Arc::new(router))
}

async fn answer(
    State(router): State<Arc<Router>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let xml = router.answer(query.as_deref().unwrap_or(""), &headers, &body);
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], xml)
}
