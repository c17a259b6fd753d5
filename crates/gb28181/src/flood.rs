//! A token bucket per source address for REGISTERs that are not (yet) accepted: challenges
//! and refusals. A device's normal registration costs one token (its challenge); a script
//! that sends REGISTERs in a loop, or guesses passwords, runs dry and is dropped without an
//! answer, while devices at other addresses go on registering.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

/// How many unaccepted REGISTERs an address may send.
#[derive(Debug, Clone, Copy)]
pub struct FloodPolicy {
    /// Sustained, per second.
    pub per_second: f64,
    /// At once (a whole NVR site re-registering after a power cut behind one NAT address).
    pub burst: f64,
}

impl Default for FloodPolicy {
    fn default() -> FloodPolicy {
        FloodPolicy {
            per_second: 20.0,
            burst: 200.0,
        }
    }
}

/// The buckets. Bounded: past `MAX_ADDRESSES` the full ones (idle addresses) are forgotten.
#[derive(Debug)]
pub struct FloodGuard {
    policy: FloodPolicy,
    buckets: HashMap<IpAddr, (f64, Instant)>,
}

const MAX_ADDRESSES: usize = 65_536;

impl FloodGuard {
    pub fn new(policy: FloodPolicy) -> FloodGuard {
        FloodGuard {
            policy,
            buckets: HashMap::new(),
        }
    }

    /// Takes one token for `ip`; false when it has none left.
    pub fn allow(&mut self, ip: IpAddr, now: Instant) -> bool {
        if self.buckets.len() >= MAX_ADDRESSES && !self.buckets.contains_key(&ip) {
            let p = self.policy;
            self.buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * p.per_second < p.burst
            });
        }
        let p = self.policy;
        let (tokens, at) = self.buckets.entry(ip).or_insert((p.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * p.per_second).min(p.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn an_address_runs_dry_and_refills_while_others_go_on() {
        let mut g = FloodGuard::new(FloodPolicy {
            per_second: 10.0,
            burst: 5.0,
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t = Instant::now();
        assert_eq!((0..8).filter(|_| g.allow(a, t)).count(), 5);
        assert!(g.allow(b, t));
        assert!(!g.allow(a, t));
        assert!(g.allow(a, t + Duration::from_millis(150)));
    }
}
