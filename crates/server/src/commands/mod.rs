//! One module per subcommand.

mod audit;
mod cases;
mod demo;
mod generate;
mod import;
mod sensing;
mod serve;
mod stats;
mod token;
mod trust;

use std::sync::Arc;

use anyhow::Context;
use citymirror_store::{Store, StoreTarget};
use citymirror_twin::{RecordRepo, TwinRepo};

use crate::cli::{Command, StoreArgs};

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Generate(a) => generate::run(a).await,
        Command::Serve(a) => serve::run(a, None).await,
        Command::Demo(a) => demo::run(a).await,
        Command::Import(a) => import::run(a).await,
        Command::Stats(a) => stats::run(a).await,
        Command::Token(c) => token::run(c).await,
        Command::Audit(c) => audit::run(c).await,
        Command::Cases(c) => cases::run(c).await,
        Command::Sensing(crate::cli::SensingCommand::Publish(a)) => sensing::publish(a).await,
    }
}

/// Opens the store the arguments name, applying migrations.
pub async fn open_store(args: &StoreArgs) -> anyhow::Result<Store> {
    let target = match &args.database {
        Some(url) => StoreTarget::Postgres { url: url.clone() },
        None => StoreTarget::Sqlite {
            data_dir: args.data_dir.clone(),
        },
    };
    citymirror_store::open(&target)
        .await
        .with_context(|| format!("opening the store ({})", describe(args)))
}

pub fn describe(args: &StoreArgs) -> String {
    match &args.database {
        Some(url) => format!("PostgreSQL {}", redact(url)),
        None => format!("SQLite in {}", args.data_dir.display()),
    }
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if url[s + 3..at].contains(':') => {
            let user_end = s + 3 + url[s + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

pub fn repos(store: &Store) -> (Arc<dyn TwinRepo>, Arc<dyn RecordRepo>) {
    (Arc::new(store.clone()), Arc::new(store.clone()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
