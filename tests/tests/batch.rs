//! Batch calls through the local gateway's `/router/batch`: each call's
//! answer decoded or failed on its own, and answers that do not fit.

use serde_json::json;
use top_api::pc::order_cancel::PcOrderCancelRequest;
use top_api::pc::order_detail::PcOrderDetailRequest;
use top_api::qimen::order_cancel::QimenOrderCancelRequest;
use top_runtime::client::{CallOptions, Client};
use top_runtime::{Batch, BatchAnswer, DynamicRequest, Error, Slot};
use top_tests::clients::{builder, detail, gateway};
use top_tests::gateway::BATCH_PATH;
use top_tests::{Answer, Gateway, GatewayConfig};

#[tokio::test]
async fn one_failing_call_leaves_the_others_decoded() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let mut batch = Batch::new();
    let first = batch.push(&detail()).unwrap();
    let second = batch.push(&PcOrderCancelRequest::new()).unwrap();
    let third = batch
        .push_dynamic(&DynamicRequest::new("taobao.pc.order.detail").param("tp_request", "{}"))
        .unwrap();
    gw.push([
        Answer::Page,
        Answer::Error {
            code: 15,
            msg: "Remote service error".into(),
            sub_code: Some("isv.order-not-exist".into()),
            sub_msg: Some("订单不存在".into()),
        },
    ]);
    let answer = client.execute_batch(&batch).await.unwrap();
    assert_eq!(answer.len(), 3);

    let detail = answer.get(first).unwrap();
    let item = detail.result.unwrap().order_detail_item.unwrap();
    assert_eq!(item.buyer_id, Some(3));
    let e = answer.get(second).unwrap_err();
    let p = e.platform().expect("platform error");
    assert_eq!(p.api, "taobao.pc.order.cancel");
    assert_eq!(p.sub_code.as_deref(), Some("isv.order-not-exist"));
    assert_eq!(p.sub_msg.as_deref(), Some("订单不存在"));
    let v = answer.value(third).unwrap();
    assert_eq!(v["result"]["order_detail_item"]["buyer_id"], json!(3));
    assert!(answer.raw(1).unwrap().contains("error_response"));

    let received = gw.received();
    assert_eq!(received.len(), 1, "one HTTP request for the batch");
    let r = &received[0];
    assert_eq!(r.path, BATCH_PATH);
    assert_eq!(r.rejected_with, None, "signature over the URL and the body");
    assert_eq!(r.query_param("method"), None);
    assert_eq!(r.content_type, "text/plain;charset=UTF-8");
    let body = r.batch_body.as_deref().unwrap();
    assert_eq!(body, batch.body());
    assert_eq!(body.matches("\r\n-S-\r\n").count(), 2);
}

#[tokio::test]
async fn public_parameters_session_and_simplify() {
    let gw = Gateway::start(GatewayConfig {
        session: Some("user-session".into()),
        ..GatewayConfig::default()
    })
    .unwrap();
    let client = builder(&gw).simplify(true).build().unwrap();
    let mut batch = Batch::new();
    batch.public_param("tp_request", "{}").unwrap();
    let a = batch
        .push_dynamic(&DynamicRequest::new("taobao.pc.order.detail"))
        .unwrap();
    let b = batch.push(&detail()).unwrap();
    let answer = client
        .execute_batch_with(&batch, &CallOptions::new().session("user-session"))
        .await
        .unwrap();
    assert_eq!(answer.value(a).unwrap()["result"]["success"], json!(true));
    assert!(answer.get(b).unwrap().result.is_some());
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.query_param("session"), Some("user-session"));
    assert_eq!(r.query_param("simplify"), Some("true"));
    assert!(
        r.batch_body
            .as_deref()
            .unwrap()
            .starts_with("#PUBLIC#tp_request=%7B%7D\r\n-S-\r\n")
    );

    // The whole batch refused: one error for every call.
    let e = client
        .execute_batch_with(&batch, &CallOptions::new().session("someone-else"))
        .await
        .unwrap_err();
    assert_eq!(e.platform().expect("platform error").code, "27");
}

#[tokio::test]
async fn an_answer_with_fewer_parts_than_calls_is_an_error() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let mut batch = Batch::new();
    batch.push(&detail()).unwrap();
    batch.push(&PcOrderCancelRequest::new()).unwrap();
    gw.push([Answer::Raw(
        include_str!("../src/fixtures/pc_order_detail.json").to_owned(),
    )]);
    match client.execute_batch(&batch).await.unwrap_err() {
        Error::Decode { api, message, .. } => {
            assert_eq!(
                api,
                "batch [taobao.pc.order.detail, taobao.pc.order.cancel]"
            );
            assert!(message.contains("1 part(s) for 2 call(s)"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }

    let bad = Client::builder(gw.config().app_key.clone(), "wrong-secret")
        .url(gw.url())
        .build()
        .unwrap();
    let e = bad.execute_batch(&batch).await.unwrap_err();
    assert_eq!(e.platform().expect("platform error").code, "25");
}

#[tokio::test]
async fn what_cannot_go_in_a_batch_is_refused_before_sending() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    assert!(matches!(
        client.execute_batch(&Batch::new()).await,
        Err(Error::Config(_))
    ));
    let mut batch = Batch::new();
    let e = batch
        .push(&QimenOrderCancelRequest::new("W1", "O1"))
        .unwrap_err();
    assert!(matches!(e, Error::Encode(_)), "{e:?}");
    batch.push(&detail()).unwrap();
    let e = client
        .execute_batch_with(&batch, &CallOptions::new().param("x", "1"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert!(gw.received().is_empty());
}

#[test]
fn the_blocking_client_sends_batches_too() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    let mut batch = Batch::new();
    let first = batch.push(&detail()).unwrap();
    let second = batch.push(&PcOrderCancelRequest::new()).unwrap();
    gw.push([
        Answer::Error {
            code: 15,
            msg: "Remote service error".into(),
            sub_code: Some("isv.order-not-exist".into()),
            sub_msg: None,
        },
        Answer::Page,
    ]);
    let answer = client
        .execute_batch_with_meta(&batch, &CallOptions::new())
        .unwrap();
    assert_eq!(answer.meta().attempts(), 1);
    assert!(answer.get(first).unwrap_err().platform().is_some());
    assert!(answer.get(second).unwrap().result.is_some());
    assert_eq!(gw.received()[0].rejected_with, None);
}

/// `taobao.pc.order.detail`'s answer with a field its documents lack, in
/// the envelope and (`simplify=true`) without it.
const WITH_NEW_FIELD: &str = r#"{"pc_order_detail_response":{"result":{"success":true,"added_later":{"x":1}},"request_id":"r1"}}"#;
const WITH_NEW_FIELD_BARE: &str = r#"{"result":{"success":true,"added_later":{"x":1}}}"#;

/// A detail whose answer holds an unknown field, a cancel and a dynamic
/// detail answered with their pages' examples.
struct UnknownFieldBatch {
    batch: Batch,
    detail: Slot<PcOrderDetailRequest>,
    cancel: Slot<PcOrderCancelRequest>,
    dynamic: usize,
}

impl UnknownFieldBatch {
    fn new() -> Self {
        let mut batch = Batch::new();
        let detail = batch.push(&detail()).unwrap();
        let cancel = batch.push(&PcOrderCancelRequest::new()).unwrap();
        let dynamic = batch
            .push_dynamic(&DynamicRequest::new("taobao.pc.order.detail").param("tp_request", "{}"))
            .unwrap();
        UnknownFieldBatch {
            batch,
            detail,
            cancel,
            dynamic,
        }
    }

    /// What the gateway answers the calls with, in order.
    fn answers(bare: bool) -> [Answer; 3] {
        let part = if bare {
            WITH_NEW_FIELD_BARE
        } else {
            WITH_NEW_FIELD
        };
        [Answer::Part(part.into()), Answer::Page, Answer::Page]
    }

    /// The answer decoded as a lenient client does: the unknown field skipped.
    fn assert_lenient(&self, answer: &BatchAnswer) {
        assert!(answer.raw(0).unwrap().contains("added_later"));
        let detail = answer.get(self.detail).unwrap();
        assert_eq!(detail.result.and_then(|r| r.success), Some(true));
        self.assert_others_decode(answer);
    }

    /// The answer decoded as a strict client does: the detail refused for
    /// its unknown field, the other calls decoded all the same.
    fn assert_strict(&self, answer: &BatchAnswer) {
        match answer.get(self.detail) {
            Err(Error::UnknownField { api, path }) => {
                assert_eq!(api, "taobao.pc.order.detail");
                assert_eq!(path, "result.added_later");
            }
            other => panic!("expected UnknownField, got {other:?}"),
        }
        self.assert_others_decode(answer);
    }

    fn assert_others_decode(&self, answer: &BatchAnswer) {
        assert_eq!(answer.len(), 3);
        assert!(answer.get(self.cancel).unwrap().result.is_some());
        let v = answer.value(self.dynamic).unwrap();
        assert_eq!(v["result"]["order_detail_item"]["buyer_id"], json!(3));
    }
}

#[tokio::test]
async fn a_strict_client_refuses_an_unknown_field_in_that_sub_answer_only() {
    let gw = gateway();
    let b = UnknownFieldBatch::new();

    let lenient = builder(&gw).build().unwrap();
    gw.push(UnknownFieldBatch::answers(false));
    b.assert_lenient(&lenient.execute_batch(&b.batch).await.unwrap());

    let strict = builder(&gw).strict(true).build().unwrap();
    gw.push(UnknownFieldBatch::answers(false));
    b.assert_strict(&strict.execute_batch(&b.batch).await.unwrap());

    // Strict and simplify together: the bare answer is read without its
    // envelope and still refused for the field.
    let both = builder(&gw).strict(true).simplify(true).build().unwrap();
    gw.push(UnknownFieldBatch::answers(true));
    b.assert_strict(&both.execute_batch(&b.batch).await.unwrap());
    assert_eq!(gw.received()[2].query_param("simplify"), Some("true"));
    assert!(gw.received().iter().all(|r| r.rejected_with.is_none()));
}

#[test]
fn a_strict_blocking_client_refuses_an_unknown_field_in_that_sub_answer_only() {
    let gw = gateway();
    let b = UnknownFieldBatch::new();

    let lenient = builder(&gw).build_blocking().unwrap();
    gw.push(UnknownFieldBatch::answers(false));
    b.assert_lenient(&lenient.execute_batch(&b.batch).unwrap());

    let strict = builder(&gw).strict(true).build_blocking().unwrap();
    gw.push(UnknownFieldBatch::answers(false));
    b.assert_strict(&strict.execute_batch(&b.batch).unwrap());

    let both = builder(&gw)
        .strict(true)
        .simplify(true)
        .build_blocking()
        .unwrap();
    gw.push(UnknownFieldBatch::answers(true));
    b.assert_strict(&both.execute_batch(&b.batch).unwrap());
    assert!(gw.received().iter().all(|r| r.rejected_with.is_none()));
}
