//! The message service (TMC, 消息服务): messages the platform pushes
//! (orders paid, refunds, shipments) over a WebSocket.
//!
//! ```rust,ignore
//! use top_runtime::tmc::Consumer;
//!
//! let consumer = Consumer::builder("app-key", "app-secret")
//!     .group("default")
//!     .build()?;
//! let shutdown = consumer.shutdown_handle();
//! consumer
//!     .run(|msg| async move {
//!         println!("{} {} {}", msg.id, msg.topic, msg.content);
//!         Ok::<(), std::io::Error>(())
//!     })
//!     .await?;
//! ```
//!
//! A message is confirmed only after its handler returned `Ok`; see the
//! crate's README for the delivery guarantee.

pub mod codec;
mod consumer;
pub mod message;

pub use consumer::{Consumer, ConsumerBuilder, Deliveries, Delivery, Shutdown, TmcError};
pub use message::Message;

/// The production message service (the Java SDK's default).
pub const PRODUCTION_URL: &str = "ws://mc.api.taobao.com/";
/// The sandbox's message service.
pub const SANDBOX_URL: &str = "ws://mc.api.tbsandbox.com/";

/// `__kind`, the Custom header that says what a SEND carries (`MessageKind`).
pub mod kind {
    pub const PULL_REQUEST: i8 = 1;
    pub const CONFIRM: i8 = 2;
    pub const DATA: i8 = 3;
    pub const FAILED: i8 = 20;
}

/// The connect's `sign`: the TOP MD5 signature over `app_key`,
/// `group_name` and `timestamp` (milliseconds), as the SDKs compute it.
pub fn connect_sign(app_key: &str, group: &str, timestamp: &str, secret: &str) -> String {
    let params = [
        ("app_key", app_key),
        ("group_name", group),
        ("timestamp", timestamp),
    ];
    crate::sign::sign(params, None, secret, crate::SignMethod::Md5)
}

#[cfg(test)]
mod tests {
    #[test]
    fn connect_sign_matches_the_java_sdk() {
        // `TaobaoUtils.signTopRequest` of the Java SDK for these inputs.
        assert_eq!(
            super::connect_sign("12345678", "default", "1700000000000", "SECRET_abc"),
            "AA9F0E8735DC9292A7BA1AC5782438D6"
        );
    }
}
