//! The contract between generated code and the client.

/// How an API is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// The TOP gateway (`/router/rest`).
    Top,
    /// Qimen: system parameters in the URL, an XML `<request>` body.
    Qimen,
}

/// Implemented by every generated request type.
pub trait Request {
    /// API method name, e.g. `taobao.pc.order.cancel`.
    const METHOD: &'static str;
    /// Wire protocol of the API.
    const PROTOCOL: Protocol;
    /// The decoded body of a successful answer.
    type Response: serde::de::DeserializeOwned;
}
