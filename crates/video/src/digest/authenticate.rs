//! One call that decides a REGISTER's credentials: realm, response, then nonce.

use chrono::{DateTime, Utc};

use super::credentials::{Credentials, Qop};
use super::nonce::{NonceBook, NonceError};

/// Why a REGISTER's credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the credentials are for realm `{0}`, not this platform's")]
    WrongRealm(String),
    #[error("the digest response is wrong (wrong password)")]
    WrongResponse,
    #[error(transparent)]
    Nonce(#[from] NonceError),
}

impl AuthError {
    /// A stable code for logs and counters.
    pub const fn code(&self) -> &'static str {
        match self {
            AuthError::WrongRealm(_) => "digest_wrong_realm",
            AuthError::WrongResponse => "digest_wrong_response",
            AuthError::Nonce(n) => n.code(),
        }
    }

    /// True when the client should simply retry with a fresh nonce (`stale=TRUE`).
    pub fn is_stale(&self) -> bool {
        matches!(self, AuthError::Nonce(NonceError::Stale))
    }
}

/// Checks credentials for `method` against this platform's `realm` and the device's
/// `password`, then spends the nonce. Which password belongs to `creds.username` is the
/// caller's lookup (GB/T 28181 devices use their own id as user name).
pub fn authenticate(
    creds: &Credentials,
    method: &str,
    realm: &str,
    password: &str,
    nonces: &mut NonceBook,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    if creds.realm != realm {
        return Err(AuthError::WrongRealm(creds.realm.clone()));
    }
    if !creds.verify(method, password) {
        return Err(AuthError::WrongResponse);
    }
    let nc = match creds.qop {
        Some(Qop::Auth) => Some(creds.nonce_count().ok_or(AuthError::WrongResponse)?),
        None => None,
    };
    nonces.accept(&creds.nonce, nc, now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::{Challenge, NoncePolicy};
    use chrono::{TimeDelta, TimeZone};

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
    fn authenticate_checks_realm_response_then_nonce() {
        let mut b = book();
        let nonce = b.issue(t(0), [9; 16]).unwrap();
        let challenge = Challenge::new("3402000000", nonce);
        let uri = "sip:34020000002000000001@3402000000";
        let device = "34020000001320000001";
        let good = Credentials::answer(&challenge, device, "secret", "REGISTER", uri, "c0ffee", 1);
        let bad = Credentials::answer(&challenge, device, "guess", "REGISTER", uri, "c0ffee", 1);

        let auth = |b: &mut NonceBook, c: &Credentials, at| {
            authenticate(c, "REGISTER", "3402000000", "secret", b, at)
        };
        // A wrong password neither passes nor spends the count.
        assert_eq!(auth(&mut b, &bad, t(1)), Err(AuthError::WrongResponse));
        assert_eq!(auth(&mut b, &good, t(1)), Ok(()));
        let replay = auth(&mut b, &good, t(2)).unwrap_err();
        assert_eq!(replay.code(), "nonce_replayed");
        let other_realm = Credentials {
            realm: "4403040000".into(),
            ..good.clone()
        };
        assert_eq!(
            auth(&mut b, &other_realm, t(2)).unwrap_err().code(),
            "digest_wrong_realm"
        );
        // The device refreshes with the next count; later the nonce goes stale.
        let next = Credentials::answer(&challenge, device, "secret", "REGISTER", uri, "c0ffee", 2);
        assert_eq!(auth(&mut b, &next, t(30)), Ok(()));
        let later = Credentials::answer(&challenge, device, "secret", "REGISTER", uri, "c0ffee", 3);
        let stale = auth(&mut b, &later, t(61)).unwrap_err();
        assert!(stale.is_stale());
    }
}
