//! The five doc pages in `pages/`, read into specs and checked by hand: every
//! field in its place with its type, array flag, required flag and example.
//! The HTML fixtures of the same pages must give the same specs.

use std::path::{Path, PathBuf};

use topgen::scrape::{Context, Scraped, scrape_page};
use topgen::spec::{Param, Protocol, Spec};

const APIS: [&str; 5] = [
    "taobao.itemmarket.order.info.update",
    "taobao.pc.order.cancel",
    "taobao.pc.order.detail",
    "taobao.qimen.auto.entryorder.giftitemcancel",
    "taobao.qimen.order.cancel",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ is in the repository")
        .to_path_buf()
}

fn scrape(rel: &str) -> Scraped {
    let bytes = std::fs::read(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    scrape_page(Path::new(rel), &bytes, &Context::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn text_page(api: &str) -> Scraped {
    scrape(&format!("pages/{api}.txt"))
}

fn html_page(api: &str) -> Scraped {
    scrape(&format!("generator/tests/fixtures/html/{api}.html"))
}

/// One line per parameter: name, type, array mark, required flag, example.
fn render(spec: &Spec) -> String {
    fn walk(out: &mut String, ps: &[Param], depth: usize) {
        for p in ps {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&format!("{}: {}", p.name, p.ty));
            if p.array {
                out.push_str("[]");
            }
            if p.required {
                out.push_str(" required");
            }
            if let Some(e) = &p.example {
                out.push_str(&format!(" ex={e}"));
            }
            out.push('\n');
            walk(out, &p.fields, depth + 1);
        }
    }
    let mut out = String::from("request\n");
    walk(&mut out, &spec.request, 1);
    out.push_str("response\n");
    walk(&mut out, &spec.response, 1);
    out
}

fn find<'a>(ps: &'a [Param], path: &str) -> &'a Param {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let p = ps
        .iter()
        .find(|p| p.name == head)
        .unwrap_or_else(|| panic!("no `{head}` in {path}"));
    if rest.is_empty() {
        p
    } else {
        find(&p.fields, rest)
    }
}

/// taobao.pc.order.cancel, checked row by row against pages/taobao.pc.order.cancel.txt.
const PC_ORDER_CANCEL: &str = "\
request
  param: ContractCancelOrderReq
    biz_order_id: String required ex=10000001
    buyer_id: Number required ex=10000001
response
  result: Result
    success: Boolean ex=true
    error_code: String ex=200
    error_msg: String ex=参数错误
    contract_place_order: ContractPlaceOrder
      contract_no: String ex=xxxxx
      out_order_id: String ex=xxxxx
      biz_order_ids: String[] ex=Top,Pub
      order_items: OrderItem[]
        item_id: Number ex=3
        sku_id: Number ex=3
        buy_amount: Number ex=10
        item_price: Number ex=3
        can_buy: Boolean ex=false
";

/// taobao.pc.order.detail, checked row by row against pages/taobao.pc.order.detail.txt.
const PC_ORDER_DETAIL: &str = "\
request
  tp_request: ContractOrderDetailReq
    biz_order_id: String required ex=10000001
    buyer_id: Number required ex=10000001
response
  result: Result
    success: Boolean ex=true
    error_code: String ex=200
    error_msg: String ex=参数错误
    order_detail_item: OrderDetailItem
      sub_order_details: SubOrderDetailItem[]
        logistics: Logistics[]
          cp_code: String ex=xxxxx
          cp_name: String ex=xxxxx
          mail_no: String ex=xxxxx
          consign_time: String ex=xxxxx
          standard_desc: String ex=xxxxx
          status_code: String ex=xxxxx
          phone: String ex=xxxxx
        biz_order_id: String ex=xxxxx
        parent_id: String ex=xxxxx
        tp_order_id: String ex=xxxxx
        out_order_id: String ex=xxxxx
        item_id: Number ex=3
        item_name: String ex=xxxxx
        item_pic: String ex=xxxxx
        sku_id: Number ex=3
        sku_property: String ex=xxxxx
        item_price: Number ex=3
        buy_amount: Number ex=10
        status: Number ex=10
        pay_status: Number ex=10
        logistics_status: Number ex=10
        refund_status: Number ex=10
        create_time: String ex=xxxxx
        pay_time: String ex=xxxxx
        end_time: String ex=xxxxx
      pay_info: PayInfo
        pay_type: Number ex=10
        total_price: Number ex=3
        pay_time: String ex=xxxxx
      logistics: Logistics[]
        cp_code: String ex=xxxxx
        cp_name: String ex=xxxxx
        mail_no: String ex=xxxxx
        consign_time: String ex=xxxxx
        standard_desc: String ex=xxxxx
        status_code: String ex=xxxxx
        phone: String ex=xxxxx
      buyer_id: Number ex=3
      out_service_id: Number ex=3
      out_service_nick: String ex=xxxxx
      biz_order_id: String ex=xxxxx
      out_order_id: String ex=xxxxx
      contract_no: String ex=xxxxx
      social_credit_code: String ex=xxxxx
      tp_order_id_list: String[] ex=Top,Pub
      buy_amount: Number ex=10
      total_fee: Number ex=3
      post_fee: Number ex=3
      status: Number ex=10
      pay_status: Number ex=10
      logistics_status: Number ex=10
      refund_status: Number ex=10
      create_time: String ex=xxxxx
      pay_time: String ex=xxxxx
      end_time: String ex=xxxxx
      logistics_confirm_time: String ex=xxxxx
      remark: String ex=xxxxx
      receiver: Receiver
        receiver_name: String ex=xxxxx
        mobile: String ex=xxxxx
        address_detail: String ex=xxxxx
";

/// taobao.qimen.order.cancel, checked row by row against pages/taobao.qimen.order.cancel.txt.
const QIMEN_ORDER_CANCEL: &str = "\
request
  request: OrderCancelRequest
    warehouseCode: String required ex=W1234
    ownerCode: String ex=H1234
    orderCode: String required ex=O1234
    orderId: String ex=WQ1234
    orderType: String ex=JYCK
    cancelReason: String ex=已经退货
    extendProps: Map
    subSourceOrders: SubSourceOrder[]
      subSourceOrderCode: String ex=21324234
response
  response: OrderCancelResponse
    flag: String ex=success
    code: String ex=0
    message: String ex=invalid appkey
";

/// taobao.qimen.auto.entryorder.giftitemcancel, checked row by row against pages/taobao.qimen.auto.entryorder.giftitemcancel.txt.
const QIMEN_AUTO_ENTRYORDER_GIFTITEMCANCEL: &str = "\
request
  request: Struct
    ownUserId: String required ex=415670368
    userId: String required ex=415670368
    trade_id: String required ex=123
    status: String required ex=00
    orderItems: Struct
      orderItem: Struct
        trade_id: String required ex=123
        sourceOrderCode: String ex=123
        sub_trade_id: String ex=123
        itemId: String required ex=526332459429
        itemCode: String required ex=69889900002
        status: String required ex=00
response
  flag: String ex=success|failure
  code: String ex=S01|failure
  message: String ex=成功|失败
";

/// taobao.itemmarket.order.info.update, checked row by row against pages/taobao.itemmarket.order.info.update.txt.
const ITEMMARKET_ORDER_INFO_UPDATE: &str = "\
request
  vendor_order_id: String required ex=3047544471326439704
  logistics_order_id_list: String ex=[\"YT175361\", \"SF534400\"]
  item_id: Number ex=643888576658
  total_quantity: Number ex=15
  total_fee: BigDecimal ex=10.50
  purchase_order_id: Number required ex=3045861756863154425
  alipay_order_id: String ex=2022112222001137391429021979
  event: String required ex=VENDOR_PAID
  sku_info: ImItemSkuInfoVO
    sku_list: ImItemSkuDetailVO[]
      id: Number ex=109
      quantity: Number ex=5
response
  call_success: Boolean ex=true
  call_error_code: String ex=1001
  call_error_msg: String ex=SystemError
";

#[test]
fn pc_order_cancel_by_hand() {
    let s = text_page("taobao.pc.order.cancel").spec;
    assert_eq!(render(&s), PC_ORDER_CANCEL);
    assert_eq!(
        (s.api.as_str(), s.title.as_str()),
        ("taobao.pc.order.cancel", "企业购订单取消")
    );
    assert_eq!(s.category, "采购宝API");
    assert_eq!(s.description, "企业购订单取消");
    assert!(s.top_only);
    assert_eq!(s.protocol, Protocol::Top);
    assert!(s.error_codes.is_empty());
    assert_eq!(
        find(&s.request, "param").description.as_deref(),
        Some("订单取消请求")
    );
    let result = find(&s.response, "result");
    assert_eq!(
        (result.example.as_deref(), result.description.as_deref()),
        (None, Some("result"))
    );
    assert_eq!(s.examples.request.len(), 1);
    assert_eq!(s.examples.request[0].lang, "java");
    assert!(
        s.examples.request[0]
            .code
            .starts_with("TaobaoClient client")
    );
    assert_eq!(s.examples.response[0].lang, "xml");
    assert!(
        s.examples.response[0]
            .code
            .ends_with("</pc_order_cancel_response>")
    );
    assert_eq!(s.examples.error[0].lang, "xml");
    assert!(
        s.examples.error[0]
            .code
            .contains("<sub_code>isv.invalid-parameter</sub_code>")
    );
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!(s.source, "pages/taobao.pc.order.cancel.txt");
}

#[test]
fn pc_order_detail_by_hand() {
    let s = text_page("taobao.pc.order.detail").spec;
    assert_eq!(render(&s), PC_ORDER_DETAIL);
    assert_eq!(s.protocol, Protocol::Top);
    // The leaves after the sub-order's logistics belong to the sub-order.
    let sub = find(&s.response, "result.order_detail_item.sub_order_details");
    assert_eq!(sub.fields[0].name, "logistics");
    assert_eq!(sub.fields[1].name, "biz_order_id");
    assert_eq!(sub.fields[1].description.as_deref(), Some("子订单ID"));
    let odi = find(&s.response, "result.order_detail_item");
    assert_eq!(
        odi.fields.iter().filter(|f| f.name == "logistics").count(),
        1
    );
    assert_eq!(
        find(&s.response, "result.order_detail_item.pay_time")
            .description
            .as_deref(),
        Some("支付确认时间")
    );
    assert_eq!(
        find(&s.response, "result.order_detail_item.pay_info.pay_time")
            .description
            .as_deref(),
        Some("支付时间")
    );
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn qimen_order_cancel_by_hand() {
    let got = text_page("taobao.qimen.order.cancel");
    let s = &got.spec;
    assert_eq!(render(s), QIMEN_ORDER_CANCEL);
    assert_eq!(s.protocol, Protocol::Qimen);
    assert!(!s.top_only);
    assert_eq!(s.category, "奇门仓储API");
    let request = find(&s.request, "request");
    assert_eq!(
        (request.required, request.description.as_deref()),
        (false, None)
    );
    let ext = find(&s.request, "request.extendProps");
    assert_eq!(
        (ext.example.as_deref(), ext.description.as_deref()),
        (None, Some("扩展属性"))
    );
    let codes: Vec<_> = s.error_codes.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "isp.http-connection-timeout",
            "isp.http-connection-refuse",
            "isp.http-read-timeout",
            "isp.http-closed"
        ]
    );
    assert!(
        s.error_codes
            .iter()
            .all(|c| c.description.is_empty() && c.solution.is_empty())
    );
    // setRemark is not in the parameter list: a warning, not a field.
    assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
    assert_eq!(got.warnings[0].line, Some(93));
    assert!(
        got.warnings[0].message.contains("`Remark`"),
        "{}",
        got.warnings[0]
    );
    assert_eq!(s.notes, [got.warnings[0].note()]);
}

#[test]
fn giftitemcancel_by_hand() {
    let got = text_page("taobao.qimen.auto.entryorder.giftitemcancel");
    let s = &got.spec;
    assert_eq!(render(s), QIMEN_AUTO_ENTRYORDER_GIFTITEMCANCEL);
    // Despite its name, the example calls the TOP client.
    assert_eq!(s.protocol, Protocol::Top);
    assert_eq!(s.category, "物流宝API");
    assert_eq!(s.title, "BMS增加的赠品取消信息回退接口");
    let descs: Vec<_> = s
        .response
        .iter()
        .map(|p| p.description.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(descs, ["响应结果", "响应码", "响应信息"]);
    // No `_response` envelope in the XML example: fine, with a warning.
    assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
    assert_eq!(got.warnings[0].line, Some(111));
    assert!(got.warnings[0].message.contains("envelope"));
}

#[test]
fn itemmarket_order_info_update_by_hand() {
    let s = text_page("taobao.itemmarket.order.info.update").spec;
    assert_eq!(render(&s), ITEMMARKET_ORDER_INFO_UPDATE);
    assert_eq!(s.category, "分销铺货");
    let list = find(&s.request, "logistics_order_id_list");
    assert_eq!(list.description.as_deref(), Some("物流单号列表"));
    assert_eq!(
        find(&s.request, "event").description.as_deref(),
        Some(
            "服务商事件;VENDOR_PAID: 服务商已收到货款; VENDOR_DELIVERING: 服务商配送中; VENDOR_DELIVERED: 服务商配送完成; VENDOR_REFUND: 服务商逆向处理;"
        )
    );
    let sku = find(&s.request, "sku_info");
    assert_eq!(
        (sku.example.as_deref(), sku.description.as_deref()),
        (None, Some("sku 信息"))
    );
    assert_eq!(
        find(&s.request, "sku_info.sku_list").description.as_deref(),
        Some("sku 列表")
    );
    assert_eq!(
        find(&s.request, "vendor_order_id").description.as_deref(),
        Some("服务商订单 id")
    );
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn snapshots_of_the_five_specs() {
    for api in APIS {
        insta::assert_snapshot!(api, text_page(api).spec.to_yaml());
    }
}

/// Notes without their line numbers: HTML and text number lines differently.
fn comparable(mut s: Spec) -> Spec {
    s.source.clear();
    for n in &mut s.notes {
        if let Some((_, rest)) = n.split_once(": ").filter(|(l, _)| l.starts_with("line ")) {
            *n = rest.to_string();
        }
    }
    s
}

#[test]
fn html_and_text_give_the_same_spec() {
    for api in APIS {
        let text = comparable(text_page(api).spec);
        let html = comparable(html_page(api).spec);
        assert_eq!(html, text, "{api}");
    }
}

#[test]
fn html_lines_point_into_the_html_file() {
    let got = html_page("taobao.qimen.order.cancel");
    let w = &got.warnings[0];
    let line = w.line.expect("a located warning");
    let src = std::fs::read_to_string(
        repo().join("generator/tests/fixtures/html/taobao.qimen.order.cancel.html"),
    )
    .expect("fixture");
    let at = src.lines().nth(line - 1).expect("line inside the file");
    assert!(at.contains("req.setRemark"), "line {line} is `{at}`");
}

#[test]
fn crlf_reads_like_lf() {
    for api in APIS {
        let lf = std::fs::read_to_string(repo().join(format!("pages/{api}.txt"))).expect("page");
        let crlf = lf.replace('\n', "\r\n");
        let a = scrape_page(Path::new("p.txt"), lf.as_bytes(), &Context::default()).expect("lf");
        let b =
            scrape_page(Path::new("p.txt"), crlf.as_bytes(), &Context::default()).expect("crlf");
        assert_eq!(a.spec, b.spec, "{api}");
    }
}

#[test]
fn every_spec_reads_back_through_the_strict_reader() {
    for api in APIS {
        let s = text_page(api).spec;
        let again =
            Spec::from_yaml(Path::new("x.yaml"), &s.to_yaml()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, s);
    }
}
