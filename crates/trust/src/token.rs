//! API tokens for systems: `cm_<id>_<secret>`, stored as the secret's digest, scoped to
//! a role and a unit, with an expiry, revocable.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Role;

/// A token as stored (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    /// What the token is for, e.g. "区数据共享平台".
    pub name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    #[serde(skip)]
    pub secret_digest: Vec<u8>,
    /// Who minted it (an actor string as in the audit log).
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Whether the token may be used at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// A token to store; its id is assigned by the store.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub secret_digest: [u8; 32],
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
}

const PREFIX: &str = "cm_";

/// Mints a token: stores its digest and returns the stored token with the secret
/// string, which is shown to its owner once and never again.
pub async fn mint(
    repo: &dyn crate::TrustRepo,
    name: &str,
    role: Role,
    unit_id: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    created_by: &str,
) -> Result<(i64, String), citymirror_core::RepoError> {
    let secret = crate::secret::random_secret();
    let id = repo
        .insert_token(&NewToken {
            name: name.to_owned(),
            role,
            unit_id,
            secret_digest: crate::secret::digest(&secret),
            created_by: created_by.to_owned(),
            expires_at,
        })
        .await?;
    Ok((id, format_token(id, &secret)))
}

/// The string handed to the token's owner, once.
pub fn format_token(id: i64, secret: &str) -> String {
    format!("{PREFIX}{id}_{secret}")
}

/// Splits a presented token into its id and secret; `None` if it is not one of ours.
pub fn parse_token(raw: &str) -> Option<(i64, &str)> {
    let rest = raw.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let id: i64 = id.parse().ok().filter(|&i| i > 0)?;
    (!secret.is_empty() && secret.len() <= 64).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_back_into_id_and_secret() {
        let t = format_token(42, "abc_DEF-123");
        assert_eq!(parse_token(&t), Some((42, "abc_DEF-123")));
        for bad in [
            "",
            "cm_",
            "cm_x_abc",
            "cm_0_abc",
            "cm_-1_abc",
            "cm_5_",
            "xx_5_abc",
        ] {
            assert_eq!(parse_token(bad), None, "{bad}");
        }
    }
}
