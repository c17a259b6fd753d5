//! Sign-in throttling, so that guessing is slow without letting anyone lock an account
//! for everyone else.
//!
//! Three counters of failures within [`WINDOW`]:
//! - per account *and* address: after [`MAX_PER_PAIR`] failures that address may not
//!   try that account again until the oldest failure leaves the window. Someone guessing
//!   at `analyst` from one address locks only themselves out of it.
//! - per address: after [`MAX_PER_CLIENT`] failures, across any accounts, the address
//!   may not sign in at all for a while (one client guessing many accounts).
//! - per account, from anywhere: past [`GLOBAL_FREE`] failures the account backs off,
//!   each attempt waiting twice as long after the latest failure as the one before, up
//!   to [`MAX_BACKOFF`]. Guessing from many addresses is slowed to a trickle, while the
//!   owner, from their own address, is kept waiting minutes at worst, not locked out.
//!
//! A success clears the account's counters. Names are counted as sign-in reads them
//! ([`normalise`]), so `ANALYST` and ` analyst ` are the same account.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_PER_PAIR: usize = 5;
pub const MAX_PER_CLIENT: usize = 20;
pub const GLOBAL_FREE: usize = 10;
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// Keys remembered at most before stale ones are dropped.
const MAX_KEYS: usize = 100_000;

/// A user name as sign-in, registration and throttling read it: trimmed, lower case.
pub fn normalise(username: &str) -> String {
    username.trim().to_lowercase()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, IpAddr),
    Client(IpAddr),
    Account(String),
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// `Err(seconds to wait)` if this attempt must be refused without checking the
    /// password. `username` must be [`normalise`]d.
    pub fn check(&self, username: &str, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap();
        let mut wait = Duration::ZERO;
        let mut count = |key: Key| -> Option<(usize, Instant, Instant)> {
            let q = map.get_mut(&key)?;
            while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
                q.pop_front();
            }
            Some((q.len(), *q.front()?, *q.back()?))
        };
        for (key, max) in [
            (Key::Pair(username.to_owned(), ip), MAX_PER_PAIR),
            (Key::Client(ip), MAX_PER_CLIENT),
        ] {
            if let Some((n, oldest, _)) = count(key) {
                if n >= max {
                    wait = wait.max(WINDOW - now.duration_since(oldest));
                }
            }
        }
        if let Some((n, _, latest)) = count(Key::Account(username.to_owned())) {
            if n >= GLOBAL_FREE {
                let exp = (n - GLOBAL_FREE).min(16) as u32;
                let backoff = Duration::from_secs(1 << exp).min(MAX_BACKOFF);
                wait = wait.max(backoff.saturating_sub(now.duration_since(latest)));
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.as_secs() + 1)
        }
    }

    pub fn failed(&self, username: &str, ip: IpAddr, now: Instant) {
        let mut map = self.failures.lock().unwrap();
        if map.len() > MAX_KEYS {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for key in [
            Key::Pair(username.to_owned(), ip),
            Key::Client(ip),
            Key::Account(username.to_owned()),
        ] {
            map.entry(key).or_default().push_back(now);
        }
    }

    pub fn succeeded(&self, username: &str, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap();
        map.remove(&Key::Pair(username.to_owned(), ip));
        map.remove(&Key::Account(username.to_owned()));
    }
}

/// At most `max` events per client address within `window` (sign-up code requests).
#[derive(Debug)]
pub struct AddressQuota {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl AddressQuota {
    pub fn new(max: usize, window: Duration) -> AddressQuota {
        AddressQuota {
            max,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `ip`, or `Err(seconds to wait)` if it is over its quota.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut map = self.events.lock().unwrap();
        if map.len() > MAX_KEYS {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = map.entry(ip).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.max {
            let oldest = *q.front().expect("non-empty");
            return Err((self.window - now.duration_since(oldest)).as_secs() + 1);
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn guessing_from_one_address_locks_only_that_address_out_of_the_account() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_PER_PAIR {
            assert_eq!(t.check("analyst", ip("10.0.0.1"), now), Ok(()));
            t.failed("analyst", ip("10.0.0.1"), now);
        }
        let wait = t.check("analyst", ip("10.0.0.1"), now).unwrap_err();
        assert!(wait > 0 && wait <= WINDOW.as_secs() + 1);
        // The owner, elsewhere, still signs in; and success clears the count.
        assert_eq!(t.check("analyst", ip("10.0.0.2"), now), Ok(()));
        t.succeeded("analyst", ip("10.0.0.1"));
        assert_eq!(t.check("analyst", ip("10.0.0.1"), now), Ok(()));
    }

    #[test]
    fn one_client_guessing_many_accounts_is_locked_out() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..MAX_PER_CLIENT {
            t.failed(&format!("user{i}"), ip("10.0.0.9"), now);
        }
        assert!(t.check("fresh-name", ip("10.0.0.9"), now).is_err());
        assert_eq!(t.check("fresh-name", ip("10.0.0.8"), now), Ok(()));
    }

    #[test]
    fn guessing_from_many_addresses_backs_the_account_off_without_locking_it() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..GLOBAL_FREE + 4 {
            t.failed("analyst", ip(&format!("10.1.0.{i}")), now);
        }
        // 2⁴ s after the latest failure, from an address that never failed.
        let owner = ip("192.168.1.7");
        assert_eq!(t.check("analyst", owner, now), Err(17));
        assert!(t
            .check("analyst", owner, now + Duration::from_secs(15))
            .is_err());
        assert_eq!(
            t.check("analyst", owner, now + Duration::from_secs(16)),
            Ok(())
        );
        // However many failures, the wait is bounded.
        for i in 0..200 {
            t.failed("analyst", ip(&format!("10.2.{}.{}", i / 250, i % 250)), now);
        }
        assert_eq!(t.check("analyst", owner, now + MAX_BACKOFF), Ok(()));
    }

    #[test]
    fn names_are_counted_as_sign_in_reads_them() {
        assert_eq!(normalise("  ANALYST "), "analyst");
        assert_eq!(normalise("Analyst"), normalise("analyst"));
    }
}
