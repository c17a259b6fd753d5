//! Running the `citymirror` binary from the tests.

use std::process::Command;

#[allow(dead_code)] // Not every test binary uses PostgreSQL.
pub mod pg;
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

/// Generates a tiny district (scale 0.002, seed 3, the built-in outline) into `dir`.
#[allow(dead_code)] // Not every test binary generates.
pub fn generate_tiny(dir: &std::path::Path) {
    let d = dir.to_str().unwrap();
    let (ok, _, err) = citymirror(&[
        "generate",
        "--scale",
        "0.002",
        "--seed",
        "3",
        "--data-dir",
        d,
        "--outline",
        "/nonexistent",
    ]);
    assert!(ok, "generate failed: {err}");
}

/// Polls `ok` every 100 ms for up to 10 s; whether it came true.
#[allow(dead_code)] // Not every test binary waits.
pub fn wait_for(mut ok: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}
