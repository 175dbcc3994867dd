//! A client set up for a local gateway, with retries short enough for tests.

use std::time::Duration;

use top_api::pc::order_detail::{ContractOrderDetailReq, PcOrderDetailRequest};
use top_runtime::client::{CallOptions, Client, ClientBuilder, RetryPolicy};

use crate::{Gateway, GatewayConfig};

/// A gateway with the default settings.
pub fn gateway() -> Gateway {
    Gateway::start(GatewayConfig::default()).expect("gateway starts")
}

/// `taobao.pc.order.detail`: a read by its name.
pub fn detail() -> PcOrderDetailRequest {
    PcOrderDetailRequest::new().with_tp_request(ContractOrderDetailReq::new("10000001", 10000001))
}

/// Options that send a call as a write: tried again only when it
/// provably did not run.
pub fn write() -> CallOptions {
    CallOptions::new().idempotent(false)
}

/// A builder for `gw`: its app key, secret, routers and Qimen customer.
pub fn builder(gw: &Gateway) -> ClientBuilder {
    let cfg = gw.config();
    Client::builder(cfg.app_key.clone(), cfg.secret.clone())
        .url(gw.url())
        .qimen_url(gw.qimen_url())
        .customer_id(cfg.customer_id.clone())
        .retry(
            RetryPolicy::default()
                .max_retries(2)
                .backoff(Duration::from_millis(10), Duration::from_millis(40)),
        )
}

/// A client without timers, for paused tokio time: a paused clock jumps to
/// the next timer whenever the test runtime is idle, so a timeout (or the
/// connection pool's idle sweep) would fire, and the clock run ahead, while
/// the gateway on its own runtime is still answering.
pub fn paused_client(gw: &Gateway, policy: RetryPolicy) -> Client {
    let http = top_runtime::reqwest::Client::builder()
        .pool_idle_timeout(None)
        .no_proxy()
        .build()
        .unwrap();
    builder(gw)
        .http_client(http)
        .timeout(None)
        .retry(policy)
        .build()
        .unwrap()
}
