//! Running the `citymirror` binary from the tests.

use std::process::Command;

#[allow(dead_code)] // Not every test binary runs a server.
pub mod server;

/// Runs `citymirror` with `args`; returns (success, stdout, stderr).
pub fn citymirror(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_citymirror"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run citymirror");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
