//! Test support: a local gateway that speaks the TOP and Qimen protocols,
//! its own signature check, a Qimen receiver (the `qimen_server` example),
//! helpers of the generated example tests, and request types for what no
//! page has (file uploads, Qimen lists).

pub mod capture;
pub mod cli;
pub mod clients;
pub mod examples;
pub mod gateway;
pub mod receiver;
pub mod requests;
pub mod tmc_server;
pub mod verify;

pub use gateway::{Answer, Gateway, GatewayConfig, Received};

/// The README's usage example, compiled as a doctest so it stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
