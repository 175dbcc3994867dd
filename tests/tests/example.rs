//! The `order_detail` example as a user runs it: against the local gateway
//! it prints the decoded answer; on `error_response` it exits non-zero with
//! the platform's error.

use std::path::PathBuf;
use std::process::Command;

use top_tests::{Gateway, GatewayConfig};

fn example() -> PathBuf {
    top_tests::built_example("order_detail")
}

fn clean(cmd: &mut Command) -> &mut Command {
    for v in [
        "TOP_GATEWAY_URL",
        "TOP_APP_KEY",
        "TOP_APP_SECRET",
        "TOP_SESSION",
        "TOP_SIGN_METHOD",
    ] {
        cmd.env_remove(v);
    }
    cmd
}

#[test]
fn runs_against_its_own_gateway() {
    let out = clean(&mut Command::new(example()))
        .env("TOP_SIGN_METHOD", "hmac-sha256")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("PcOrderDetailResponse"), "{stdout}");
    assert!(stdout.contains("\"Top\""), "{stdout}");
}

#[test]
fn exits_non_zero_with_the_platform_error() {
    let gw = Gateway::start(GatewayConfig::default()).unwrap();
    let out = clean(&mut Command::new(example()))
        .env("TOP_GATEWAY_URL", gw.url())
        .env("TOP_APP_KEY", &gw.config().app_key)
        .env("TOP_APP_SECRET", "not-the-secret")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr.contains("platform error 25"), "{stderr}");
    assert!(stderr.contains("Invalid Signature"), "{stderr}");
}

#[test]
fn refuses_an_unknown_sign_method() {
    let out = clean(&mut Command::new(example()))
        .env("TOP_SIGN_METHOD", "sha1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
