//! Password hashing with Argon2id (RFC 9106), PHC string format. The server hashes
//! through a [`HashPool`], which bounds the memory and CPU that hashing may take; the
//! plain functions here are for tools (the generator's demo accounts, tests).

mod pool;

pub use pool::{HashError, HashPool};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

/// The shortest password accepted.
pub const MIN_LEN: usize = 10;

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_LEN} characters")]
    TooShort,
    #[error("a password needs at least {MIN_LEN} characters, not only digits")]
    OnlyDigits,
}

/// Whether a new password meets the policy.
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(PasswordError::OnlyDigits);
    }
    Ok(())
}

/// Checks a new password against the policy, then hashes it with a fresh salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any input")
        .to_string())
}

/// Whether `password` matches a stored PHC hash. A malformed stored hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Spends the time of one verification, so a log-in for an unknown user takes as long
/// as one with a wrong password and does not reveal which user names exist.
pub fn burn_verification(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("not-a-real-password").expect("valid"));
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterz", &h));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(hash("short"), Err(PasswordError::TooShort));
        assert_eq!(hash("13800138000"), Err(PasswordError::OnlyDigits));
    }
}
