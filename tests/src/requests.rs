//! Hand-written `Request` types for the client tests and the example, in
//! the shape the generated ones have (a subset of the fields). They stand in
//! until `top_api` has the generated types.

use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use top_runtime::{EncodeError, FileItem, Params, Protocol, Request};

/// Accepts a bare list or one wrapped by its item name
/// (`{"string": ["a", "b"]}`), as the gateway sends them.
fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct ListVisitor<T>(std::marker::PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list, or an object holding one list")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(_key) = map.next_key::<String>()? {
                out.extend(map.next_value::<Vec<T>>()?);
            }
            Ok(out)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }

    d.deserialize_any(ListVisitor(std::marker::PhantomData))
}

/// `taobao.pc.order.detail` request.
#[derive(Debug, Clone, Default)]
pub struct PcOrderDetailRequest {
    pub tp_request: Option<ContractOrderDetailReq>,
}

/// 订单详情请求
#[derive(Debug, Clone, Serialize)]
pub struct ContractOrderDetailReq {
    pub biz_order_id: String,
    pub buyer_id: i64,
}

impl PcOrderDetailRequest {
    pub fn new(biz_order_id: impl Into<String>, buyer_id: i64) -> Self {
        PcOrderDetailRequest {
            tp_request: Some(ContractOrderDetailReq {
                biz_order_id: biz_order_id.into(),
                buyer_id,
            }),
        }
    }
}

impl Request for PcOrderDetailRequest {
    const METHOD: &'static str = "taobao.pc.order.detail";
    const PROTOCOL: Protocol = Protocol::Top;
    const JSON_PARAMS: &'static [&'static str] = &["tp_request"];
    type Response = PcOrderDetailResponse;

    fn params(&self) -> Result<Params, EncodeError> {
        let mut out = Vec::new();
        if let Some(req) = &self.tp_request {
            let json = serde_json::to_string(req).map_err(|e| EncodeError {
                api: Self::METHOD,
                param: "tp_request",
                message: e.to_string(),
            })?;
            out.push(("tp_request", json));
        }
        Ok(Params(out))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct PcOrderDetailResponse {
    #[serde(default)]
    pub result: Option<OrderResult>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct OrderResult {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_msg: Option<String>,
    #[serde(default)]
    pub order_detail_item: Option<OrderDetailItem>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct OrderDetailItem {
    #[serde(default, deserialize_with = "list")]
    pub sub_order_details: Vec<SubOrderDetailItem>,
    #[serde(default)]
    pub pay_info: Option<PayInfo>,
    #[serde(default, deserialize_with = "list")]
    pub logistics: Vec<Logistics>,
    #[serde(default)]
    pub buyer_id: Option<i64>,
    #[serde(default)]
    pub biz_order_id: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub tp_order_id_list: Vec<String>,
    #[serde(default)]
    pub total_fee: Option<i64>,
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub receiver: Option<Receiver>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct SubOrderDetailItem {
    #[serde(default, deserialize_with = "list")]
    pub logistics: Vec<Logistics>,
    #[serde(default)]
    pub item_id: Option<i64>,
    #[serde(default)]
    pub item_name: Option<String>,
    #[serde(default)]
    pub buy_amount: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Logistics {
    #[serde(default)]
    pub cp_code: Option<String>,
    #[serde(default)]
    pub mail_no: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct PayInfo {
    #[serde(default)]
    pub pay_type: Option<i64>,
    #[serde(default)]
    pub total_price: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Receiver {
    #[serde(default)]
    pub receiver_name: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
}

/// `taobao.qimen.order.cancel` (Qimen protocol) request.
#[derive(Debug, Clone, Default)]
pub struct QimenOrderCancelRequest {
    pub warehouse_code: String,
    pub owner_code: Option<String>,
    pub order_code: String,
    pub order_id: Option<String>,
    pub order_type: Option<String>,
    pub cancel_reason: Option<String>,
}

impl Request for QimenOrderCancelRequest {
    const METHOD: &'static str = "taobao.qimen.order.cancel";
    const PROTOCOL: Protocol = Protocol::Qimen;
    const JSON_PARAMS: &'static [&'static str] = &[];
    type Response = QimenOrderCancelResponse;

    fn params(&self) -> Result<Params, EncodeError> {
        Ok(Params::default())
    }

    fn qimen_body(&self) -> Result<Option<String>, EncodeError> {
        let mut xml = String::from("<request>");
        let mut field = |name: &str, value: Option<&str>| {
            if let Some(v) = value {
                xml += &format!("<{name}>{}</{name}>", quick_xml::escape::escape(v));
            }
        };
        field("warehouseCode", Some(&self.warehouse_code));
        field("ownerCode", self.owner_code.as_deref());
        field("orderCode", Some(&self.order_code));
        field("orderId", self.order_id.as_deref());
        field("orderType", self.order_type.as_deref());
        field("cancelReason", self.cancel_reason.as_deref());
        xml += "</request>";
        Ok(Some(xml))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct QimenOrderCancelResponse {
    #[serde(default)]
    pub flag: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// A test-only API with a `byte[]` parameter (no page has one), to
/// exercise multipart uploads.
#[derive(Debug, Clone)]
pub struct FileUploadRequest {
    pub title: String,
    pub image: FileItem,
}

impl Request for FileUploadRequest {
    const METHOD: &'static str = crate::gateway::UPLOAD_METHOD;
    const PROTOCOL: Protocol = Protocol::Top;
    const JSON_PARAMS: &'static [&'static str] = &[];
    type Response = FileUploadResponse;

    fn params(&self) -> Result<Params, EncodeError> {
        Ok(Params(vec![("title", self.title.clone())]))
    }

    fn files(&self) -> Vec<(&'static str, &FileItem)> {
        vec![("image", &self.image)]
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct FileUploadResponse {
    #[serde(default)]
    pub accepted: Option<bool>,
}
