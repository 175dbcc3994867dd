//! Test support: a local gateway that speaks the TOP and Qimen protocols,
//! its own signature check, a Qimen receiver (the `qimen_server` example),
//! helpers of the generated example tests, and request types for what no
//! page has (file uploads, Qimen lists).

pub mod clients;
pub mod examples;
pub mod gateway;
pub mod receiver;
pub mod requests;
pub mod verify;

pub use gateway::{Answer, Gateway, GatewayConfig, Received};

/// The path of example `name`, which `cargo test` builds beside the test
/// binaries (`target/<profile>/examples/`).
pub fn built_example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} not built", path.display());
    path
}

/// The README's usage example, compiled as a doctest so it stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
