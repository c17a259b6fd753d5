//! `sqlx::migrate!` embeds the migrations at compile time; rebuild when they change
//! (the approach sqlx documents for stable Rust).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
