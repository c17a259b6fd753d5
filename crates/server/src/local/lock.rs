//! One process writes a SQLite data directory at a time: the server while it runs, or
//! a command (`generate`, `import`, `token create`…) while no server does.
//!
//! The writer holds an exclusive lock on `<data-dir>/citymirror.lock` (an OS file lock,
//! released by the kernel when the process ends, however it ends) and writes its pid
//! into it so that a refused process can say who holds it. A second `serve` on the same
//! directory is refused, since two servers would each hold their own twin in memory and
//! lose each other's writes; on PostgreSQL two servers share one twin through the
//! database's change feed. Commands that write while a server runs go through the
//! server's control socket instead (see [`super::control`]).

use std::{
    fs::{File, OpenOptions},
    io::{Read, Seek, Write},
    path::{Path, PathBuf},
};

pub const LOCK_FILE: &str = "citymirror.lock";

/// The lock, held while this value lives.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum Held {
    /// Another process holds it; its pid, if it wrote one.
    ByOther(Option<u32>),
    Io(std::io::Error, PathBuf),
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Held::ByOther(Some(pid)) => write!(f, "process {pid} holds it"),
            Held::ByOther(None) => f.write_str("another process holds it"),
            Held::Io(e, p) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl DirLock {
    /// Takes the lock of `dir` (which is created if missing), or says who holds it.
    pub fn try_acquire(dir: &Path) -> Result<DirLock, Held> {
        let path = dir.join(LOCK_FILE);
        let io = |e| Held::Io(e, path.clone());
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Held::ByOther(text.trim().parse().ok()));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DirLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_next_one_learns_who() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirLock::try_acquire(dir.path()).unwrap();
        match DirLock::try_acquire(dir.path()) {
            Err(Held::ByOther(Some(pid))) => assert_eq!(pid, std::process::id()),
            other => panic!("{other:?}"),
        }
        drop(first);
        assert!(DirLock::try_acquire(dir.path()).is_ok());
    }
}
