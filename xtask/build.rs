//! Tells the bench which profile built it: `cfg!(debug_assertions)` does not,
//! as the dev profile turns debug assertions off for xtask (root `Cargo.toml`).

fn main() {
    let profile = std::env::var("PROFILE").unwrap_or_default();
    println!("cargo:rustc-env=XTASK_PROFILE={profile}");
}
