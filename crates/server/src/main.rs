//! `citymirror`: the single binary that generates, imports, serves and demonstrates the
//! Futian twin. This crate only composes: configuration, CLI and start-up. The domain is
//! in `citymirror-twin` and `citymirror-sim`, storage in `citymirror-store`, the web
//! edge in `citymirror-http`.

mod alarms;
mod broker;
mod cli;
mod commands;
mod local;
mod mqtt;
mod progress;
mod sip;

use clap::Parser;

/// mimalloc keeps freed memory per thread: the records and tile answers allocate many
/// small values on every worker, and glibc's allocator spent a third of the server's
/// time in `malloc`, `free` and their locks (bench/records.sh under perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // rumqttd (the demo's broker) logs every connection and subscription at info.
                .unwrap_or_else(|_| "info,sqlx=warn,rumqttd=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a log file or a journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(commands::run(cli.command))
}
