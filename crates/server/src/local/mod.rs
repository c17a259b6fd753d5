//! How a command reaches a data directory that a server may be serving: directly, with
//! the directory's lock held, or through the running server's control socket.

pub mod control;
pub mod lock;

use std::path::PathBuf;

use anyhow::bail;

use crate::cli::StoreArgs;

/// How a command that writes may write.
#[derive(Debug)]
pub enum Access {
    /// No server runs on this SQLite directory: write to it directly, holding its lock.
    Direct(lock::DirLock),
    /// A server runs on it: ask the server, through its control socket.
    ThroughServer(PathBuf),
    /// A PostgreSQL database: any number of processes write to it directly.
    Database,
}

/// Decides how a command may write to the store `args` name.
pub fn for_writing(args: &StoreArgs) -> anyhow::Result<Access> {
    if args.database.is_some() {
        return Ok(Access::Database);
    }
    match lock::DirLock::try_acquire(&args.data_dir) {
        Ok(l) => Ok(Access::Direct(l)),
        Err(lock::Held::ByOther(pid)) => {
            if control::socket_path(&args.data_dir).exists() {
                Ok(Access::ThroughServer(args.data_dir.clone()))
            } else {
                let who =
                    pid.map_or_else(|| "another process".to_owned(), |p| format!("process {p}"));
                bail!(
                    "{who} is writing {} (a server starting up, or another command); wait for it to finish",
                    args.data_dir.display()
                )
            }
        }
        Err(e) => bail!("locking the data directory: {e}"),
    }
}

/// The lock, for commands that need the directory to themselves (`serve`, `generate`).
pub fn exclusive(args: &StoreArgs, why: &str) -> anyhow::Result<Option<lock::DirLock>> {
    match for_writing(args)? {
        Access::Direct(l) => Ok(Some(l)),
        Access::Database => Ok(None),
        Access::ThroughServer(dir) => {
            bail!("a CityMirror server is serving {}; {why}", dir.display())
        }
    }
}
