//! Adapters of trust's [`SmsOutbox`] port: where the server's text messages (sign-up
//! codes) go when no SMS gateway is configured.
//!
//! - [`LogOutbox`], the default: each message is written to the server's log at INFO,
//!   the number masked. It suits a demo and development, where the operator reads the
//!   code off the console.
//! - [`FileOutbox`]: each message is appended to a JSON Lines file, one
//!   `{"to", "text", "at"}` object per line, for a gateway relay (or a test) to pick up.
//! - [`MemoryOutbox`]: messages kept in memory, for tests.

use std::{
    io::Write,
    path::PathBuf,
    sync::{Arc, Mutex},
};

use citymirror_trust::{mask, verification::SmsOutbox};

#[derive(Debug, Default)]
pub struct LogOutbox;

#[async_trait::async_trait]
impl SmsOutbox for LogOutbox {
    async fn send(&self, mobile: &str, text: &str) -> Result<(), String> {
        let to = mask::mask_text(mobile, citymirror_core::DataGrade::General(3));
        tracing::info!(%to, "SMS (no gateway configured; shown here): {text}");
        Ok(())
    }
}

/// Appends messages to a file; one writer at a time.
#[derive(Debug)]
pub struct FileOutbox {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileOutbox {
    pub fn new(path: PathBuf) -> FileOutbox {
        FileOutbox {
            path,
            lock: Mutex::new(()),
        }
    }
}

#[async_trait::async_trait]
impl SmsOutbox for FileOutbox {
    async fn send(&self, mobile: &str, text: &str) -> Result<(), String> {
        let line = serde_json::json!({ "to": mobile, "text": text, "at": chrono::Utc::now() });
        let _one = self.lock.lock().unwrap();
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| format!("writing the SMS outbox {}: {e}", self.path.display()))
    }
}

/// Messages in memory, newest last.
#[derive(Debug, Default, Clone)]
pub struct MemoryOutbox(Arc<Mutex<Vec<(String, String)>>>);

impl MemoryOutbox {
    /// Every `(mobile, text)` sent so far.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.0.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl SmsOutbox for MemoryOutbox {
    async fn send(&self, mobile: &str, text: &str) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push((mobile.to_owned(), text.to_owned()));
        Ok(())
    }
}
