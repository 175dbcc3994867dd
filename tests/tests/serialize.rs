//! The `serde` feature: an answer decoded from the gateway serializes as
//! JSON under its wire names, ids exact and numbers sent as text as
//! numbers, and reads back as the same value.

use top_api::pc::order_detail::PcOrderDetailResponse;
use top_api::types::caigoubao::OrderDetailItem;

const ANSWER: &str = r#"{"pc_order_detail_response": {"result": {
    "success": true,
    "order_detail_item": {
        "biz_order_id": "9007199254740993",
        "sub_order_details": {"sub_order_detail_item": [
            {"item_id": 9007199254740993, "item_price": "1230", "item_name": "纸"}
        ]}
    }
}}}"#;

fn decoded() -> PcOrderDetailResponse {
    top_runtime::envelope::decode_top("taobao.pc.order.detail", ANSWER.as_bytes(), false)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_answer_serializes_under_its_wire_names_and_reads_back() {
    let answer = decoded();
    let json = serde_json::to_value(&answer).unwrap();
    let item = &json["result"]["order_detail_item"];
    assert_eq!(item["biz_order_id"], "9007199254740993");
    // Lists are plain JSON arrays; absent fields are left out.
    let sub = &item["sub_order_details"][0];
    assert_eq!(sub["item_name"], "纸");
    assert_eq!(sub["item_price"], 1230);
    assert!(sub.get("parent_id").is_none(), "{sub}");
    // An id past 2^53 keeps every digit.
    let text = serde_json::to_string(&answer).unwrap();
    assert!(text.contains("\"item_id\":9007199254740993"), "{text}");
    let again: PcOrderDetailResponse = top_runtime::envelope::decode_top(
        "taobao.pc.order.detail",
        format!("{{\"pc_order_detail_response\": {text}}}").as_bytes(),
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, answer);
}

#[test]
fn a_shared_type_is_one_type_at_every_path() {
    let answer = decoded();
    let item: Option<&OrderDetailItem> = answer
        .result
        .as_ref()
        .and_then(|r| r.order_detail_item.as_ref());
    let same: Option<&top_api::pc::order_detail::OrderDetailItem> = item;
    assert!(same.is_some());
}
