//! One-time codes that prove a registrant holds the mobile number they register with.
//!
//! Registering costs the caller a code sent to the number by SMS: nobody can register a
//! number they do not hold, and a flood of registrations needs a flood of phones. The
//! request for a code is answered the same way whether or not the number already has
//! an account (the SMS tells its holder instead), so registration no longer tells a
//! stranger which numbers are registered.
//!
//! Codes are kept in memory, as digests, for [`CODE_TTL`]; a restart forgets them and the
//! registrant asks again. Each number gets one code a minute and [`MAX_PER_DAY`] a day,
//! and a code survives [`MAX_ATTEMPTS`] wrong guesses, so a six-digit code cannot be
//! guessed before it is burnt.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use rand::Rng;
use subtle::ConstantTimeEq;

pub const CODE_TTL: Duration = Duration::from_secs(10 * 60);
pub const RESEND_AFTER: Duration = Duration::from_secs(60);
pub const MAX_PER_DAY: usize = 5;
pub const MAX_ATTEMPTS: u8 = 5;
const DAY: Duration = Duration::from_secs(24 * 3600);
/// Numbers remembered at most; beyond it, those with nothing pending are forgotten.
const MAX_NUMBERS: usize = 100_000;

/// Why a code was not issued or not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a code was sent to this number moments ago; wait {0} s before asking again")]
    TooSoon(u64),
    #[error("this number has had {MAX_PER_DAY} codes today; try again tomorrow")]
    TooManyToday,
    #[error("the code is wrong or has expired; ask for a new one")]
    Wrong,
}

#[derive(Debug, Default)]
struct Number {
    /// The pending code's digest, when it expires, and the wrong guesses so far.
    pending: Option<([u8; 32], Instant, u8)>,
    /// When codes were sent in the last day.
    sent: VecDeque<Instant>,
}

/// The codes sent and not yet used.
#[derive(Debug, Default)]
pub struct CodeBook {
    numbers: Mutex<HashMap<String, Number>>,
}

impl CodeBook {
    /// Records that `mobile` may be sent a message now (a code, or the notice that it
    /// is registered already), within the per-number limits; `Err` if not.
    pub fn may_send(&self, mobile: &str, now: Instant) -> Result<(), CodeError> {
        let mut numbers = self.numbers.lock().unwrap();
        if numbers.len() > MAX_NUMBERS {
            numbers.retain(|_, n| {
                n.pending.is_some_and(|(_, exp, _)| exp > now)
                    || n.sent.back().is_some_and(|t| now.duration_since(*t) < DAY)
            });
        }
        let n = numbers.entry(mobile.to_owned()).or_default();
        while n
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= DAY)
        {
            n.sent.pop_front();
        }
        if let Some(last) = n.sent.back() {
            let since = now.duration_since(*last);
            if since < RESEND_AFTER {
                return Err(CodeError::TooSoon((RESEND_AFTER - since).as_secs() + 1));
            }
        }
        if n.sent.len() >= MAX_PER_DAY {
            return Err(CodeError::TooManyToday);
        }
        n.sent.push_back(now);
        Ok(())
    }

    /// A fresh six-digit code for `mobile`, replacing any pending one. Call after
    /// [`CodeBook::may_send`] allowed the message.
    pub fn issue(&self, mobile: &str, now: Instant) -> String {
        let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
        let digest = crate::secret::digest(&code);
        let mut numbers = self.numbers.lock().unwrap();
        numbers.entry(mobile.to_owned()).or_default().pending = Some((digest, now + CODE_TTL, 0));
        code
    }

    /// Accepts `code` for `mobile` once: a right code is used up, a wrong one counts
    /// against the code's attempts.
    pub fn redeem(&self, mobile: &str, code: &str, now: Instant) -> Result<(), CodeError> {
        let mut numbers = self.numbers.lock().unwrap();
        let n = numbers.get_mut(mobile).ok_or(CodeError::Wrong)?;
        let (digest, expires, attempts) = n.pending.as_mut().ok_or(CodeError::Wrong)?;
        if *expires <= now || *attempts >= MAX_ATTEMPTS {
            n.pending = None;
            return Err(CodeError::Wrong);
        }
        if bool::from(crate::secret::digest(code.trim()).ct_eq(digest)) {
            n.pending = None;
            Ok(())
        } else {
            *attempts += 1;
            Err(CodeError::Wrong)
        }
    }
}

/// Where text messages go: an SMS gateway in production. The trait is the port; the
/// server's adapters write to its log or to an outbox file that a gateway relay reads.
#[async_trait::async_trait]
pub trait SmsOutbox: Send + Sync + std::fmt::Debug {
    /// Hands one message for `mobile` to the gateway; `Err` says why it could not.
    async fn send(&self, mobile: &str, text: &str) -> Result<(), String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_once_within_its_lifetime() {
        let book = CodeBook::default();
        let t0 = Instant::now();
        book.may_send("13912345678", t0).unwrap();
        let code = book.issue("13912345678", t0);
        assert_eq!(code.len(), 6);
        assert_eq!(book.redeem("13912345670", &code, t0), Err(CodeError::Wrong));
        assert_eq!(book.redeem("13912345678", &code, t0), Ok(()));
        assert_eq!(book.redeem("13912345678", &code, t0), Err(CodeError::Wrong));

        book.may_send("13912345678", t0 + RESEND_AFTER).unwrap();
        let late = book.issue("13912345678", t0 + RESEND_AFTER);
        let after = t0 + RESEND_AFTER + CODE_TTL;
        assert_eq!(
            book.redeem("13912345678", &late, after),
            Err(CodeError::Wrong)
        );
    }

    #[test]
    fn guessing_burns_the_code() {
        let book = CodeBook::default();
        let t0 = Instant::now();
        let code = book.issue("13912345678", t0);
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..MAX_ATTEMPTS {
            assert_eq!(book.redeem("13912345678", wrong, t0), Err(CodeError::Wrong));
        }
        assert_eq!(book.redeem("13912345678", &code, t0), Err(CodeError::Wrong));
    }

    #[test]
    fn a_number_gets_one_message_a_minute_and_five_a_day() {
        let book = CodeBook::default();
        let t0 = Instant::now();
        book.may_send("13912345678", t0).unwrap();
        assert!(matches!(
            book.may_send("13912345678", t0 + Duration::from_secs(10)),
            Err(CodeError::TooSoon(51))
        ));
        for i in 1..MAX_PER_DAY as u64 {
            book.may_send("13912345678", t0 + RESEND_AFTER * i as u32)
                .unwrap();
        }
        let later = t0 + RESEND_AFTER * 10;
        assert_eq!(
            book.may_send("13912345678", later),
            Err(CodeError::TooManyToday)
        );
        assert_eq!(book.may_send("13900000000", later), Ok(()));
        assert_eq!(
            book.may_send("13912345678", t0 + DAY + RESEND_AFTER),
            Ok(())
        );
    }
}
