//! Test support: a local gateway that speaks the TOP and Qimen protocols.
