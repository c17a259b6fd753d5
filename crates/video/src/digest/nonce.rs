//! The nonces the platform has issued: fresh, stale, forgotten, and the counts used.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore;

/// How long nonces live and how many are remembered.
#[derive(Clone, Debug)]
pub struct NoncePolicy {
    /// A nonce is fresh this long after it is issued, then stale for as long again (answered
    /// with `stale=TRUE`), then forgotten (unknown).
    pub lifetime: TimeDelta,
    /// At most this many nonces are remembered; the oldest is forgotten first, so a flood of
    /// unauthenticated REGISTERs costs bounded memory.
    pub capacity: usize,
    /// Accept a nonce more than once from a client that sends no `qop` (and so no count)?
    /// Off by default: such a reuse cannot be told from a replay, and refusing it as stale
    /// only costs the device one more round trip.
    pub reuse_without_qop: bool,
}

impl Default for NoncePolicy {
    fn default() -> NoncePolicy {
        NoncePolicy {
            lifetime: TimeDelta::seconds(300),
            capacity: 16_384,
            reuse_without_qop: false,
        }
    }
}

/// Why a nonce was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error("the nonce was not issued here, or was forgotten")]
    Unknown,
    #[error("the nonce has expired")]
    Stale,
    #[error("the nonce count does not increase: a replay")]
    Replayed,
    #[error("the nonce is already in use")]
    Collision,
}

impl NonceError {
    /// A stable code for logs and counters.
    pub const fn code(&self) -> &'static str {
        match self {
            NonceError::Unknown => "nonce_unknown",
            NonceError::Stale => "nonce_stale",
            NonceError::Replayed => "nonce_replayed",
            NonceError::Collision => "nonce_collision",
        }
    }
}

struct NonceEntry {
    expires: DateTime<Utc>,
    /// The highest nonce count accepted so far (0: none).
    last_nc: u32,
    /// Accepted once without qop.
    used_without_qop: bool,
}

/// The nonces this platform has issued and what has been accepted under each.
pub struct NonceBook {
    policy: NoncePolicy,
    entries: HashMap<String, NonceEntry>,
    /// Issue order, for forgetting; entries are issued with non-decreasing `now` in practice,
    /// and the capacity bounds memory even when they are not.
    order: VecDeque<(DateTime<Utc>, String)>,
}

impl std::fmt::Debug for NonceBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonceBook")
            .field("policy", &self.policy)
            .field("remembered", &self.entries.len())
            .finish()
    }
}

impl NonceBook {
    pub fn new(policy: NoncePolicy) -> NonceBook {
        NonceBook {
            policy,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Issues the nonce made of `random` (32 hex digits: plain characters every device's
    /// parser takes).
    pub fn issue(&mut self, now: DateTime<Utc>, random: [u8; 16]) -> Result<String, NonceError> {
        self.forget_old(now);
        let nonce = hex::encode(random);
        if self.entries.contains_key(&nonce) {
            return Err(NonceError::Collision);
        }
        while self.entries.len() >= self.policy.capacity.max(1) {
            let Some((_, oldest)) = self.order.pop_front() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.entries.insert(
            nonce.clone(),
            NonceEntry {
                expires: now + self.policy.lifetime,
                last_nc: 0,
                used_without_qop: false,
            },
        );
        self.order.push_back((now, nonce.clone()));
        Ok(nonce)
    }

    /// Issues a nonce from `rng`.
    pub fn issue_random(&mut self, now: DateTime<Utc>, rng: &mut impl RngCore) -> String {
        loop {
            let mut random = [0u8; 16];
            rng.fill_bytes(&mut random);
            // A collision of 128 random bits does not happen; the loop only keeps the
            // function total.
            if let Ok(nonce) = self.issue(now, random) {
                return nonce;
            }
        }
    }

    /// Accepts one use of `nonce` with count `nc` (`None`: the client sent no qop). Call
    /// this only after the response verified, so that a forged request cannot use up a
    /// legitimate client's count.
    pub fn accept(
        &mut self,
        nonce: &str,
        nc: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<(), NonceError> {
        self.forget_old(now);
        let reuse_without_qop = self.policy.reuse_without_qop;
        let entry = self.entries.get_mut(nonce).ok_or(NonceError::Unknown)?;
        if now >= entry.expires {
            return Err(NonceError::Stale);
        }
        match nc {
            Some(nc) if nc > entry.last_nc => entry.last_nc = nc,
            Some(_) => return Err(NonceError::Replayed),
            None if entry.used_without_qop && !reuse_without_qop => {
                return Err(NonceError::Replayed)
            }
            None => entry.used_without_qop = true,
        }
        Ok(())
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn forget_old(&mut self, now: DateTime<Utc>) {
        let keep = self.policy.lifetime * 2;
        while let Some((issued, _)) = self.order.front() {
            if now - *issued < keep {
                break;
            }
            let (_, nonce) = self.order.pop_front().expect("front exists");
            self.entries.remove(&nonce);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn book() -> NonceBook {
        NonceBook::new(NoncePolicy {
            lifetime: TimeDelta::seconds(60),
            capacity: 3,
            reuse_without_qop: false,
        })
    }

    #[test]
    fn a_nonce_is_accepted_while_fresh_then_stale_then_unknown() {
        let mut b = book();
        let n = b.issue(t(0), [7; 16]).unwrap();
        assert_eq!(n, "07".repeat(16));
        assert_eq!(b.accept(&n, Some(1), t(59)), Ok(()));
        assert_eq!(b.accept(&n, Some(2), t(60)), Err(NonceError::Stale));
        assert_eq!(b.accept(&n, Some(3), t(119)), Err(NonceError::Stale));
        assert_eq!(b.accept(&n, Some(4), t(120)), Err(NonceError::Unknown));
        assert_eq!(b.accept("feedface", None, t(0)), Err(NonceError::Unknown));
        assert!(b.is_empty());
    }

    #[test]
    fn nonce_counts_must_increase() {
        let mut b = book();
        let n = b.issue(t(0), [1; 16]).unwrap();
        assert_eq!(b.accept(&n, Some(1), t(1)), Ok(()));
        assert_eq!(b.accept(&n, Some(1), t(2)), Err(NonceError::Replayed));
        assert_eq!(b.accept(&n, Some(3), t(3)), Ok(()), "counts may skip");
        assert_eq!(b.accept(&n, Some(2), t(4)), Err(NonceError::Replayed));
    }

    #[test]
    fn without_qop_a_nonce_is_good_once_unless_the_policy_allows_reuse() {
        let mut b = book();
        let n = b.issue(t(0), [2; 16]).unwrap();
        assert_eq!(b.accept(&n, None, t(1)), Ok(()));
        assert_eq!(b.accept(&n, None, t(2)), Err(NonceError::Replayed));

        let mut lenient = NonceBook::new(NoncePolicy {
            reuse_without_qop: true,
            ..NoncePolicy::default()
        });
        let n = lenient.issue(t(0), [2; 16]).unwrap();
        assert_eq!(lenient.accept(&n, None, t(1)), Ok(()));
        assert_eq!(lenient.accept(&n, None, t(2)), Ok(()));
    }

    #[test]
    fn the_book_is_bounded_and_forgets_the_oldest() {
        let mut b = book();
        let first = b.issue(t(0), [1; 16]).unwrap();
        for i in 2..=4u8 {
            b.issue(t(i.into()), [i; 16]).unwrap();
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.accept(&first, None, t(5)), Err(NonceError::Unknown));
        assert_eq!(b.issue(t(5), [4; 16]), Err(NonceError::Collision));
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let n = b.issue_random(t(6), &mut rng);
        assert_eq!(n.len(), 32);
        assert_eq!(b.len(), 3);
    }
}
