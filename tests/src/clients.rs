//! A client set up for a local gateway, with retries short enough for tests.

use std::time::Duration;

use top_runtime::client::{Client, ClientBuilder, RetryPolicy};

use crate::Gateway;

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
