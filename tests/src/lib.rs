//! Test support: a local gateway that speaks the TOP and Qimen protocols,
//! its own signature check, and hand-written request types.

pub mod gateway;
pub mod requests;
pub mod verify;

pub use gateway::{Answer, Gateway, GatewayConfig, Received};
