//! Sign-in throttling: after [`MAX_PER_ACCOUNT`] failures for one user name, or
//! [`MAX_PER_CLIENT`] from one address, within [`WINDOW`], further attempts are refused
//! until the oldest failure leaves the window. A success clears the account's count.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_PER_ACCOUNT: usize = 5;
pub const MAX_PER_CLIENT: usize = 20;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

fn account_key(username: &str) -> String {
    format!("u:{}", username.to_lowercase())
}

fn client_key(ip: IpAddr) -> String {
    format!("ip:{ip}")
}

impl LoginThrottle {
    /// `Err(seconds to wait)` if this attempt must be refused without checking the password.
    pub fn check(&self, username: &str, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap();
        let mut wait = 0;
        for (key, max) in [
            (account_key(username), MAX_PER_ACCOUNT),
            (client_key(ip), MAX_PER_CLIENT),
        ] {
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
                    q.pop_front();
                }
                if q.len() >= max {
                    let oldest = *q.front().expect("non-empty");
                    wait = wait.max((WINDOW - now.duration_since(oldest)).as_secs() + 1);
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn failed(&self, username: &str, ip: IpAddr) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap();
        if map.len() > 100_000 {
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for key in [account_key(username), client_key(ip)] {
            map.entry(key).or_default().push_back(now);
        }
    }

    pub fn succeeded(&self, username: &str) {
        self.failures.lock().unwrap().remove(&account_key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_five_failures_and_a_success_clears_it() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..MAX_PER_ACCOUNT {
            assert_eq!(t.check("admin", ip), Ok(()));
            t.failed("admin", ip);
        }
        let wait = t.check("ADMIN", ip).unwrap_err();
        assert!(wait > 0 && wait <= WINDOW.as_secs() + 1);
        assert_eq!(t.check("other", "10.0.0.2".parse().unwrap()), Ok(()));
        t.succeeded("admin");
        assert_eq!(t.check("admin", ip), Ok(()));
    }

    #[test]
    fn one_client_guessing_many_accounts_is_locked_out() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        for i in 0..MAX_PER_CLIENT {
            t.failed(&format!("user{i}"), ip);
        }
        assert!(t.check("fresh-name", ip).is_err());
    }
}
