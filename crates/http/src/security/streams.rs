//! Bounds on live streams (`/api/v1/events`): each holds a connection open for as long
//! as the client likes, so each client may hold a bounded number, and the server a
//! bounded total. Anonymous clients are counted by address (a whole office behind one
//! NAT address may have many maps open), signed-in ones by principal.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use super::rate_limit::ClientKey;
use crate::ApiError;

/// Streams at most per anonymous address, per principal, and in all.
pub const PER_ADDRESS: usize = 64;
pub const PER_PRINCIPAL: usize = 16;
pub const TOTAL: usize = 2048;

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_client: HashMap<ClientKey, usize>,
}

#[derive(Debug, Default)]
pub struct StreamSlots(Arc<Mutex<Counts>>);

/// One open stream; dropping it (the client went away) frees its place.
#[derive(Debug)]
pub struct StreamSlot {
    counts: Arc<Mutex<Counts>>,
    key: ClientKey,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap();
        c.total -= 1;
        if let Some(n) = c.by_client.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                c.by_client.remove(&self.key);
            }
        }
    }
}

impl StreamSlots {
    pub fn take(&self, key: ClientKey) -> Result<StreamSlot, ApiError> {
        let max = match key {
            ClientKey::Address(_) => PER_ADDRESS,
            ClientKey::Principal(_) => PER_PRINCIPAL,
        };
        let mut c = self.0.lock().unwrap();
        let mine = c.by_client.get(&key).copied().unwrap_or(0);
        if mine >= max {
            return Err(ApiError::TooManyStreams(format!(
                "this client already holds {mine} live streams, the most it may; close one (another tab) first"
            )));
        }
        if c.total >= TOTAL {
            return Err(ApiError::TooManyStreams(
                "the server holds as many live streams as it may; retry later".into(),
            ));
        }
        c.total += 1;
        *c.by_client.entry(key.clone()).or_default() += 1;
        Ok(StreamSlot {
            counts: self.0.clone(),
            key,
        })
    }
}
