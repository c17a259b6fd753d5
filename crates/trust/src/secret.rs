//! Bearer secrets (API tokens, session cookies): random, shown once, stored only as a
//! SHA-256 digest and compared in constant time.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 random bits, base64url without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest stored in place of a secret. A fast hash is right here, unlike for
/// passwords: the secret has 256 bits of entropy, so there is nothing to brute-force.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Constant-time comparison of a presented secret with a stored digest.
pub fn matches(secret: &str, stored: &[u8]) -> bool {
    digest(secret).ct_eq(stored).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_match_only_their_digest() {
        let a = random_secret();
        let b = random_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(matches(&a, &digest(&a)));
        assert!(!matches(&b, &digest(&a)));
        assert!(!matches(&a, &[0u8; 5]));
    }
}
