//! The `tmc_listen` example as a user runs it: against its own local server
//! across a dropped connection, against a server the test runs, and refused.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use top_tests::tmc_server::{Published, TmcConfig, TmcServer};

fn example() -> PathBuf {
    top_tests::cli::example_binary("tmc_listen")
}

fn command() -> Command {
    let mut cmd = Command::new(example());
    for v in [
        "TOP_TMC_URL",
        "TOP_APP_KEY",
        "TOP_APP_SECRET",
        "TOP_TMC_GROUP",
        "TOP_TMC_MAX",
        "RUST_LOG",
    ] {
        cmd.env_remove(v);
    }
    cmd
}

/// Runs the example on a thread so the test's server keeps serving.
async fn run(mut cmd: Command) -> Output {
    let child = tokio::task::spawn_blocking(move || cmd.output().unwrap());
    tokio::time::timeout(Duration::from_secs(60), child)
        .await
        .expect("the example exits")
        .unwrap()
}

/// `<id> <topic> <content>` lines: the ids, each checked for its form.
fn printed_ids(stdout: &str) -> Vec<i64> {
    stdout
        .lines()
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let id = parts.next().unwrap().parse().unwrap();
            assert!(parts.next().unwrap().starts_with("taobao_"), "{line}");
            let content: serde_json::Value = serde_json::from_str(parts.next().unwrap()).unwrap();
            assert!(content.is_object(), "{line}");
            id
        })
        .collect()
}

#[tokio::test]
async fn receives_every_message_across_a_dropped_connection() {
    let out = run(command()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    let ids = printed_ids(&stdout);
    assert_eq!(ids.len(), 6, "{stdout}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 6, "{stdout}");
    assert!(ids.contains(&9_007_199_254_740_993), "{stdout}");
    assert!(
        stdout.contains(r#"1000000004 taobao_refund_RefundCreated {"tid":1000000004,"#),
        "{stdout}"
    );
    assert!(
        stderr.contains("6 messages over 2 connections, each confirmed once"),
        "{stderr}"
    );
}

#[tokio::test]
async fn stops_locally_at_a_small_tmc_max_with_each_confirmed() {
    for max in ["1", "3"] {
        let mut cmd = command();
        cmd.env("TOP_TMC_MAX", max);
        let out = run(cmd).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "TOP_TMC_MAX={max}: {out:?}");
        let ids = printed_ids(&stdout);
        assert_eq!(ids.len().to_string(), max, "{stdout}");
        let line = format!("{max} messages over 1 connection, each confirmed once");
        assert!(stderr.contains(&line), "{stderr}");
    }
}

#[tokio::test]
async fn stops_after_tmc_max_with_each_confirmed_once() {
    let server = TmcServer::start(TmcConfig::default()).unwrap();
    let ids: Vec<i64> = (1..=8).collect();
    server.publish(
        ids.iter()
            .map(|id| Published::new(*id, "taobao_trade_TradeCreate", "{}")),
    );
    server.drop_after(2);
    let mut cmd = command();
    cmd.env("TOP_TMC_URL", server.url())
        .env("TOP_APP_KEY", &server.config().app_key)
        .env("TOP_APP_SECRET", &server.config().secret)
        .env("TOP_TMC_MAX", "5");
    let out = run(cmd).await;
    assert!(out.status.success(), "{out:?}");
    let printed = printed_ids(&String::from_utf8_lossy(&out.stdout));
    let seen = server
        .wait_for(Duration::from_secs(10), |s| s.closed >= s.connects.len())
        .await;
    let distinct: HashSet<i64> = printed.iter().copied().collect();
    assert_eq!(distinct.len(), 5, "{printed:?}");
    let mut confirmed = seen.confirmed.clone();
    confirmed.sort_unstable();
    let mut want: Vec<i64> = distinct.into_iter().collect();
    want.sort_unstable();
    assert_eq!(confirmed, want, "{seen:?}");
}

#[tokio::test]
async fn exits_non_zero_when_the_connect_is_refused() {
    let server = TmcServer::start(TmcConfig::default()).unwrap();
    let mut cmd = command();
    cmd.env("TOP_TMC_URL", server.url())
        .env("TOP_APP_KEY", &server.config().app_key)
        .env("TOP_APP_SECRET", "not-the-secret")
        .env("TOP_TMC_MAX", "1");
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr.contains("refused app key 12345678"), "{stderr}");
    assert!(stderr.contains("Invalid signature"), "{stderr}");
    assert!(!stderr.contains("not-the-secret"), "{stderr}");
}
