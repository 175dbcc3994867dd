//! Hand-written `Request` types for APIs no page has, so the client tests
//! can exercise what the generated ones never do. Every real API comes from
//! `top_api`.

use serde::Deserialize;
use top_runtime::{EncodeError, FileItem, Params, Protocol, Request};

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

/// A test-only Qimen API whose answer holds lists (no page's does), to
/// check that every repeated element of an XML answer is kept.
#[derive(Debug, Clone)]
pub struct QimenItemsRequest {
    pub order_code: String,
}

impl Request for QimenItemsRequest {
    const METHOD: &'static str = crate::gateway::QIMEN_ITEMS_METHOD;
    const PROTOCOL: Protocol = Protocol::Qimen;
    type Response = QimenItemsResponse;

    fn params(&self) -> Result<Params, EncodeError> {
        Ok(Params::default())
    }

    fn qimen_body(&self) -> Result<Option<String>, EncodeError> {
        Ok(Some(format!(
            "<request><orderCode>{}</orderCode></request>",
            quick_xml::escape::escape(self.order_code.as_str())
        )))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct QimenItemsResponse {
    #[serde(default, deserialize_with = "top_runtime::de::option")]
    pub flag: Option<String>,
    #[serde(default, deserialize_with = "top_runtime::de::list")]
    pub items: Vec<QimenItem>,
    #[serde(
        default,
        rename = "orderCodes",
        deserialize_with = "top_runtime::de::list"
    )]
    pub order_codes: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct QimenItem {
    #[serde(
        default,
        rename = "itemCode",
        deserialize_with = "top_runtime::de::option"
    )]
    pub item_code: Option<String>,
    #[serde(default, deserialize_with = "top_runtime::de::option")]
    pub quantity: Option<i64>,
}

impl top_runtime::de::Wire for QimenItem {}
