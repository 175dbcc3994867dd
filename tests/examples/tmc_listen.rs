//! Listens to the message service (TMC) and prints one line per message:
//! `<id> <topic> <content>`.
//!
//! ```sh
//! cargo run -p top-tests --example tmc_listen          # starts a local TMC server itself
//! TOP_TMC_URL=ws://mc.api.taobao.com/ TOP_APP_KEY=… TOP_APP_SECRET=… \
//!   TOP_TMC_GROUP=default TOP_TMC_MAX=10 cargo run -p top-tests --example tmc_listen
//! ```
//!
//! It exits 0 once it has handled `TOP_TMC_MAX` distinct message ids, each
//! confirmed before it exits (without `TOP_TMC_MAX` against a real service
//! it listens until killed), 1 when the service refuses the connect, 2 on a
//! usage error. The local server publishes six messages and drops the
//! connection after the third (when more than three are to be handled: a
//! confirm lost with the connection is never sent, the message comes again);
//! the example then checks with it that each was confirmed exactly once. `RUST_LOG=top_runtime=debug` traces connects
//! and confirms to stderr.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use top_runtime::tmc::{Consumer, Message, Shutdown};
use top_tests::cli::{env, trace_to_stderr};
use top_tests::tmc_server::{Published, TmcConfig, TmcServer};

#[tokio::main]
async fn main() -> ExitCode {
    trace_to_stderr();
    let max = match env("TOP_TMC_MAX").map(|m| m.parse::<usize>()) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            eprintln!("TOP_TMC_MAX must be a positive number of messages");
            return ExitCode::from(2);
        }
    };
    let local = match env("TOP_TMC_URL") {
        Some(_) => None,
        None => match local_server(max.unwrap_or(SAMPLES)) {
            Ok(server) => Some(server),
            Err(e) => {
                eprintln!("cannot start the local TMC server: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let url = env("TOP_TMC_URL").or_else(|| local.as_ref().map(TmcServer::url));
    let app_key = env("TOP_APP_KEY").or_else(|| local.as_ref().map(|s| s.config().app_key.clone()));
    let secret =
        env("TOP_APP_SECRET").or_else(|| local.as_ref().map(|s| s.config().secret.clone()));
    let (Some(url), Some(app_key), Some(secret)) = (url, app_key, secret) else {
        eprintln!("TOP_TMC_URL needs TOP_APP_KEY and TOP_APP_SECRET");
        return ExitCode::from(2);
    };
    let max = max.or(local.as_ref().map(|_| SAMPLES));
    let consumer = match Consumer::builder(app_key, secret)
        .url(url)
        .group(env("TOP_TMC_GROUP").unwrap_or_else(|| "default".into()))
        .reconnect_backoff(Duration::from_millis(200), Duration::from_secs(10))
        // A message handled but whose confirm was lost is confirmed when it
        // comes again, not printed twice.
        .dedup_window(Duration::from_secs(600))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let printer = Printer {
        handled: Arc::default(),
        max,
        shutdown: consumer.shutdown_handle(),
    };
    let handled = Arc::clone(&printer.handled);
    if let Err(e) = consumer.run(move |m| printer.clone().print(m)).await {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    let handled = handled.lock().unwrap().clone();
    match local {
        Some(server) => check_confirms(&server, &handled).await,
        None => ExitCode::SUCCESS,
    }
}

/// Prints each message and stops the consumer after `max` distinct ids.
#[derive(Clone)]
struct Printer {
    handled: Arc<Mutex<HashSet<i64>>>,
    max: Option<usize>,
    shutdown: Shutdown,
}

impl Printer {
    async fn print(self, m: Message) -> Result<(), std::io::Error> {
        let mut handled = self.handled.lock().unwrap();
        let full = |handled: &HashSet<i64>| self.max.is_some_and(|max| handled.len() >= max);
        if full(&handled) && !handled.contains(&m.id) {
            // Taken while stopping, beyond the count: sent back as failed,
            // so it comes again to the next consumer; neither printed nor confirmed.
            return Err(std::io::Error::other("beyond TOP_TMC_MAX"));
        }
        println!("{} {} {}", m.id, m.topic, m.content);
        handled.insert(m.id);
        if full(&handled) {
            // Stops taking messages; this one is still confirmed.
            self.shutdown.shutdown();
        }
        Ok(())
    }
}

/// How many messages the local server publishes.
const SAMPLES: usize = 6;
/// After how many messages the local server drops the connection.
const DROP_AFTER: usize = 3;

/// The local server, publishing [`SAMPLES`] messages; it drops the connection
/// after the third when more than three are to be handled (`max`), so the
/// rest come over a second connection.
fn local_server(max: usize) -> std::io::Result<TmcServer> {
    let server = TmcServer::start(TmcConfig::default())?;
    let trade = |id: i64, topic: &str| {
        Published::new(
            id,
            topic,
            &format!(
                r#"{{"tid":{id},"oid":{id},"payment":"128.50","status":"WAIT_SELLER_SEND_GOODS"}}"#
            ),
        )
    };
    server.publish([
        trade(1_000_000_001, "taobao_trade_TradeCreate"),
        trade(1_000_000_002, "taobao_trade_TradeBuyerPay"),
        // Above 2^53: a client reading ids as doubles gets it wrong.
        trade(9_007_199_254_740_993, "taobao_trade_TradeBuyerPay"),
        trade(1_000_000_004, "taobao_refund_RefundCreated").gzip(),
        trade(1_000_000_005, "taobao_trade_TradeSellerShip"),
        trade(1_000_000_006, "taobao_trade_TradeSuccess"),
    ]);
    // Mid-stream, as a network would: what was not confirmed comes again.
    // Stopping at the third, the example would not take them again.
    if max > DROP_AFTER {
        server.drop_after(DROP_AFTER);
    }
    Ok(server)
}

/// Against the local server: every id printed was confirmed exactly once.
async fn check_confirms(server: &TmcServer, handled: &HashSet<i64>) -> ExitCode {
    let seen = server
        .wait_for(Duration::from_secs(5), |s| s.closed >= s.connects.len())
        .await;
    let mut confirmed = seen.confirmed.clone();
    confirmed.sort_unstable();
    let mut printed: Vec<i64> = handled.iter().copied().collect();
    printed.sort_unstable();
    if confirmed != printed {
        eprintln!("confirmed {confirmed:?}, handled {printed:?}");
        return ExitCode::from(1);
    }
    let connections = match seen.connects.len() {
        1 => "1 connection".to_string(),
        n => format!("{n} connections"),
    };
    eprintln!(
        "{} messages over {connections}, each confirmed once",
        printed.len()
    );
    ExitCode::SUCCESS
}
