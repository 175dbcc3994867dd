//! Decoding a `taobao.pc.order.detail` answer with 1 000 sub-orders into the
//! generated types, through the client's own decoding path, next to
//! `serde_json::from_slice::<serde_json::Value>` on the same bytes.
//!
//! `cargo bench -p top-tests --bench decode`. Compare the two lines' times:
//! typed / untyped is the ratio the README reports.

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use serde_json::Value;
use top_api::pc::order_detail::PcOrderDetailResponse;
use top_runtime::envelope::decode_top;

const API: &str = "taobao.pc.order.detail";
const SUB_ORDERS: usize = 1000;

fn main() {
    divan::main();
}

/// The page's answer with its one sub-order repeated into `SUB_ORDERS`,
/// each with its own ids so no two items are equal.
fn answer() -> Vec<u8> {
    let text = include_str!("../src/fixtures/pc_order_detail.json");
    let mut v: Value = serde_json::from_str(text).expect("fixture is JSON");
    let list = &mut v["pc_order_detail_response"]["result"]["order_detail_item"]["sub_order_details"]
        ["sub_order_detail_item"];
    let one = list[0].clone();
    let items: Vec<Value> = (0..SUB_ORDERS)
        .map(|i| {
            let mut item = one.clone();
            item["biz_order_id"] = Value::String(format!("{}", 3_000_000_000_000 + i));
            item["item_id"] = Value::from(600_000_000_000_i64 + i as i64);
            item["item_price"] = Value::String(format!("{}", 100 + i));
            item
        })
        .collect();
    *list = Value::Array(items);
    serde_json::to_vec(&v).expect("serializable")
}

fn check(body: &[u8]) {
    let r: PcOrderDetailResponse = decode_top(API, body, false).unwrap_or_else(|e| panic!("{e}"));
    let item = r
        .result
        .and_then(|r| r.order_detail_item)
        .expect("order_detail_item");
    assert_eq!(item.sub_order_details.len(), SUB_ORDERS);
    assert_eq!(
        item.sub_order_details[SUB_ORDERS - 1].item_id,
        Some(600_000_000_000 + SUB_ORDERS as i64 - 1)
    );
}

/// Typed: the generated response type, as the client decodes it.
#[divan::bench]
fn typed_generated(bencher: Bencher) {
    let body = answer();
    check(&body);
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| decode_top::<PcOrderDetailResponse>(API, black_box(&body), false).is_ok());
}

/// The envelope as a derived struct: serde alone, without `decode_top`'s
/// checks (`error_response`, trailing bytes), which should cost next to nothing.
#[derive(serde::Deserialize)]
struct Envelope {
    pc_order_detail_response: PcOrderDetailResponse,
}

/// Typed, straight from the bytes through a derived envelope.
#[divan::bench]
fn typed_from_slice(bencher: Bencher) {
    let body = answer();
    let r: Envelope = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
    let n = r
        .pc_order_detail_response
        .result
        .and_then(|r| r.order_detail_item);
    assert_eq!(n.map(|i| i.sub_order_details.len()), Some(SUB_ORDERS));
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| serde_json::from_slice::<Envelope>(black_box(&body)).is_ok());
}

/// Untyped: `serde_json::Value` on the same bytes.
#[divan::bench]
fn untyped_value(bencher: Bencher) {
    let body = answer();
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| serde_json::from_slice::<Value>(black_box(&body)).is_ok());
}
