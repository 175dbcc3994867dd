//! A Qimen receiver: a warehouse system's end of `taobao.qimen.order.cancel`.
//!
//! Listens on `QIMEN_LISTEN` (default `127.0.0.1:0`, a free port) and prints
//! `listening on http://ADDR/` first. Verifies every call with the app
//! secret `TOP_APP_SECRET` and a timestamp window of 15 minutes either way;
//! prints `cancel <orderCode> <warehouseCode> <orderType> <cancelReason>`
//! for each accepted cancel and answers success; answers every other call
//! in Qimen's failure form. Runs until killed; exits 2 on a usage error.
//!
//! ```text
//! TOP_APP_SECRET=… QIMEN_LISTEN=0.0.0.0:8080 cargo run -p top-tests --example qimen_server
//! ```

use std::io::Write;
use std::process::ExitCode;

use top_runtime::qimen::server::Verifier;
use top_tests::cli::env;
use top_tests::receiver::{cancel_line, cancel_router, http_app};

#[tokio::main]
async fn main() -> ExitCode {
    let Some(secret) = env("TOP_APP_SECRET") else {
        eprintln!("error: set TOP_APP_SECRET to the app secret the gateway signs with");
        return ExitCode::from(2);
    };
    let listen = env("QIMEN_LISTEN").unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: QIMEN_LISTEN {listen}: {e}");
            return ExitCode::from(2);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let router = cancel_router(Verifier::new(secret), |req| {
        let mut out = std::io::stdout().lock();
        // A closed stdout must not stop the answers.
        let _ = writeln!(out, "{}", cancel_line(req)).and_then(|()| out.flush());
    });
    println!("listening on http://{addr}/");
    let _ = std::io::stdout().flush();
    if let Err(e) = axum::serve(listener, http_app(router)).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
