//! Calls by a run-time method name and parameters the request types lack,
//! against the local gateway on 127.0.0.1.

use serde_json::json;
use top_api::pc::order_detail::{ContractOrderDetailReq, PcOrderDetailRequest};
use top_api::qimen::order_cancel::QimenOrderCancelRequest;
use top_runtime::client::CallOptions;
use top_runtime::{DynamicRequest, Error};
use top_tests::Answer;
use top_tests::clients::{builder, gateway};

const TP_REQUEST: &str = r#"{"biz_order_id":"10000001","buyer_id":10000001}"#;

#[tokio::test]
async fn a_method_named_at_run_time_answers_json() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let method = String::from("taobao.pc.order.detail");
    let req = DynamicRequest::from_json(
        method,
        &json!({"tp_request": {"biz_order_id": "10000001", "buyer_id": 10000001}}),
    )
    .unwrap();
    let answer = client.call(&req).await.unwrap();
    let item = &answer["result"]["order_detail_item"];
    assert_eq!(item["buyer_id"], json!(3));
    assert_eq!(item["tp_order_id_list"]["string"], json!(["Top", "Pub"]));
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None, "signature accepted");
    assert_eq!(r.query_param("method"), Some("taobao.pc.order.detail"));
    assert_eq!(r.form_param("tp_request"), Some(TP_REQUEST));

    // With simplify the answer comes without its envelope, as sent.
    let simple = builder(&gw).simplify(true).build().unwrap();
    let answer = simple.call(&req).await.unwrap();
    assert_eq!(answer["result"]["order_detail_item"]["buyer_id"], json!(3));
}

#[tokio::test]
async fn a_dynamic_call_fails_as_a_typed_one_does() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    gw.push([Answer::Error {
        code: 15,
        msg: "Remote service error".into(),
        sub_code: Some("isv.item-not-exist".into()),
        sub_msg: None,
    }]);
    let req = DynamicRequest::new("taobao.pc.order.detail").param("tp_request", TP_REQUEST);
    let e = client.call(&req).await.unwrap_err();
    let p = e.platform().expect("platform error");
    assert_eq!(p.api, "taobao.pc.order.detail");
    assert_eq!(p.sub_code.as_deref(), Some("isv.item-not-exist"));

    // An unknown method is the gateway's to refuse.
    let e = client
        .call(&DynamicRequest::new("taobao.no.such.api"))
        .await
        .unwrap_err();
    assert_eq!(e.platform().expect("platform error").code, "22");

    // A system parameter name never leaves the client.
    let sent = gw.received().len();
    let e = client
        .call(&DynamicRequest::new("taobao.pc.order.detail").param("sign", "x"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert!(e.to_string().contains("`sign`"), "{e}");
    assert_eq!(gw.received().len(), sent);
}

#[tokio::test]
async fn extra_parameters_go_on_typed_calls_and_are_signed() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let req = PcOrderDetailRequest::new()
        .with_tp_request(ContractOrderDetailReq::new("10000001", 10000001));
    let opts = CallOptions::new()
        .param("added_later", "是 & 否")
        .param("tp_request", r#"{"biz_order_id":"2"}"#);
    let resp = client.execute_with(&req, &opts).await.unwrap();
    assert!(resp.result.is_some());
    let r = &gw.received()[0];
    assert_eq!(
        r.rejected_with, None,
        "signature covers the extra parameters"
    );
    assert_eq!(r.form_param("added_later"), Some("是 & 否"));
    // The extra value replaces the declared one of the same name.
    assert_eq!(r.form_param("tp_request"), Some(r#"{"biz_order_id":"2"}"#));
    assert_eq!(r.form.iter().filter(|(k, _)| k == "tp_request").count(), 1);

    // Qimen: the body is the XML document, so extras go in the URL.
    let cancel = QimenOrderCancelRequest::new("W1234", "O1234");
    client
        .execute_with(&cancel, &CallOptions::new().param("extendProps", "x"))
        .await
        .unwrap();
    let r = &gw.received()[1];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.query_param("extendProps"), Some("x"));

    let e = client
        .execute_with(&req, &CallOptions::new().param("app_key", "other"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert_eq!(gw.received().len(), 2);
}

#[test]
fn the_blocking_client_calls_by_name_too() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    let req = DynamicRequest::new("taobao.pc.order.detail").param("tp_request", TP_REQUEST);
    let answer = client
        .call_with_meta(&req, &CallOptions::new().param("added_later", "1"))
        .unwrap();
    assert_eq!(answer["result"]["order_detail_item"]["buyer_id"], json!(3));
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.form_param("added_later"), Some("1"));
}

#[tokio::test]
async fn a_qimen_method_named_at_run_time_sends_its_document() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let xml = "<request><warehouseCode>W1</warehouseCode><orderCode>O1</orderCode></request>";
    let req = DynamicRequest::qimen("taobao.qimen.order.cancel", xml).param("extra", "1");
    let answer = client.call(&req).await.unwrap();
    assert_eq!(answer["flag"], json!("success"));
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None, "signed over URL and body");
    assert_eq!(r.path, "/router/qimen/service");
    assert_eq!(r.xml_body.as_deref(), Some(xml));
    assert_eq!(r.query_param("extra"), Some("1"));
    assert_eq!(r.query_param("customerId"), Some("stub-cust-code"));

    gw.push([Answer::QimenFailure {
        code: "S002".into(),
        message: "单据不存在".into(),
    }]);
    let e = client.call(&req).await.unwrap_err();
    assert!(matches!(&e, Error::Qimen(f) if f.code == "S002"), "{e:?}");

    let e = top_runtime::Batch::new().push_dynamic(&req).unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[tokio::test]
async fn an_extra_parameter_replaces_a_declared_one_on_either_protocol() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let opts = CallOptions::new().param("extra", "from-options");
    let xml = "<request><warehouseCode>W1</warehouseCode><orderCode>O1</orderCode></request>";
    let qimen = DynamicRequest::qimen("taobao.qimen.order.cancel", xml).param("extra", "declared");
    client.call_with(&qimen, &opts).await.unwrap();
    let top = DynamicRequest::new("taobao.pc.order.detail")
        .param("tp_request", TP_REQUEST)
        .param("extra", "declared");
    client.call_with(&top, &opts).await.unwrap();
    let received = gw.received();
    assert_eq!(received[0].rejected_with, None);
    assert_eq!(received[0].query_param("extra"), Some("from-options"));
    assert_eq!(received[1].rejected_with, None);
    assert_eq!(received[1].form_param("extra"), Some("from-options"));
}
