//! The contract between generated code and the client.

use crate::types::FileItem;

/// How an API is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// The TOP gateway (`/router/rest`).
    Top,
    /// Qimen: system parameters in the URL, an XML `<request>` body.
    Qimen,
}

/// Business parameters as they go on the wire, in declaration order.
/// Struct parameters are already JSON strings; files are not here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(&'static str, String)>);

/// A request value that cannot be put on the wire.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode parameter `{param}` of {api}: {message}")]
pub struct EncodeError {
    pub api: &'static str,
    pub param: &'static str,
    pub message: String,
}

/// Implemented by every generated request type.
pub trait Request {
    /// API method name, e.g. `taobao.pc.order.cancel`.
    const METHOD: &'static str;
    /// Wire protocol of the API.
    const PROTOCOL: Protocol;
    /// The decoded body of a successful answer: the fields inside the
    /// `<name>_response` envelope (TOP) or the `<response>` root (Qimen).
    type Response: serde::de::DeserializeOwned;

    /// Business parameters, text-encoded, struct parameters as JSON.
    fn params(&self) -> Result<Params, EncodeError>;

    /// `byte[]` parameters: sent as multipart, outside the signature.
    fn files(&self) -> Vec<(&'static str, &FileItem)> {
        Vec::new()
    }

    /// Qimen only: the XML request body with its `<request>` root.
    fn qimen_body(&self) -> Result<Option<String>, EncodeError> {
        Ok(None)
    }
}
