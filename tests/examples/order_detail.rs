//! Calls taobao.pc.order.detail and prints the decoded response and the
//! answer's request id.
//!
//! Reads `TOP_GATEWAY_URL`, `TOP_APP_KEY`, `TOP_APP_SECRET`, `TOP_SESSION`
//! and `TOP_SIGN_METHOD` (`md5`, `hmac`, `hmac-sha256`). Without
//! `TOP_GATEWAY_URL` it starts the local test gateway and calls that.
//! Exits 1 with the platform's error when the gateway answers
//! `error_response`, 2 on a usage error. `RUST_LOG` picks what is traced
//! to stderr (`RUST_LOG=top_runtime=debug` shows each attempt).
//!
//! ```text
//! cargo run -p top-tests --example order_detail
//! RUST_LOG=top_runtime=debug cargo run -p top-tests --example order_detail
//! TOP_GATEWAY_URL=https://eco.taobao.com/router/rest TOP_APP_KEY=… \
//!   TOP_APP_SECRET=… TOP_SESSION=… cargo run -p top-tests --example order_detail
//! ```

use std::process::ExitCode;

use top_api::pc::order_detail::{ContractOrderDetailReq, PcOrderDetailRequest};
use top_runtime::{CallOptions, Client, SignMethod};
use top_tests::cli::{env, trace_to_stderr};
use top_tests::{Gateway, GatewayConfig};

#[tokio::main]
async fn main() -> ExitCode {
    trace_to_stderr();
    let sign_method = match env("TOP_SIGN_METHOD").map(|m| m.parse::<SignMethod>()) {
        None => SignMethod::Md5,
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            eprintln!("error: TOP_SIGN_METHOD: {e}");
            return ExitCode::from(2);
        }
    };

    // Kept alive until the end of main: dropping it stops the gateway.
    let mut local = None;
    let (url, app_key, secret) = match env("TOP_GATEWAY_URL") {
        Some(url) => {
            let (Some(key), Some(secret)) = (env("TOP_APP_KEY"), env("TOP_APP_SECRET")) else {
                eprintln!(
                    "error: TOP_GATEWAY_URL is set, so TOP_APP_KEY and TOP_APP_SECRET must be too"
                );
                return ExitCode::from(2);
            };
            (url, key, secret)
        }
        None => {
            let cfg = GatewayConfig {
                app_key: env("TOP_APP_KEY").unwrap_or_else(|| "12345678".into()),
                secret: env("TOP_APP_SECRET").unwrap_or_else(|| "test-secret".into()),
                session: env("TOP_SESSION"),
                request_ids: true,
                ..GatewayConfig::default()
            };
            let gw = match Gateway::start(cfg.clone()) {
                Ok(gw) => gw,
                Err(e) => {
                    eprintln!("error: cannot start the local gateway: {e}");
                    return ExitCode::from(2);
                }
            };
            eprintln!(
                "TOP_GATEWAY_URL not set: using the local gateway at {}",
                gw.url()
            );
            let url = gw.url();
            local = Some(gw);
            (url, cfg.app_key, cfg.secret)
        }
    };

    let mut builder = Client::builder(app_key, secret)
        .url(url)
        .sign_method(sign_method);
    if let Some(session) = env("TOP_SESSION") {
        builder = builder.session(session);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };

    let req = PcOrderDetailRequest::new()
        .with_tp_request(ContractOrderDetailReq::new("10000001", 10000001));
    let result = client.execute_with_meta(&req, &CallOptions::new()).await;
    drop(local);
    match result {
        Ok(answer) => {
            println!("{:#?}", answer.value());
            println!("request_id: {}", answer.request_id().unwrap_or("(none)"));
            ExitCode::SUCCESS
        }
        Err(failed) => {
            eprintln!("error: {failed}");
            eprintln!("request_id: {}", failed.request_id().unwrap_or("(none)"));
            ExitCode::FAILURE
        }
    }
}
