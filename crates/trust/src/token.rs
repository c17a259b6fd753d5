//! API tokens for systems: `cm_<id>_<secret>`, stored as the secret's digest, scoped to
//! a role and a unit, with an expiry, revocable.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{role::Scope, Action, Jurisdiction, Principal, Role, Unit};

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

/// How many characters a token's secret has: 256 bits in base64url without padding.
pub const SECRET_LEN: usize = 43;

/// Splits a presented token into its id and secret; `None` if it is not exactly in the
/// form [`format_token`] writes: `cm_`, a decimal id without sign or leading zero, `_`,
/// and 43 base64url characters. One spelling per token, so no two strings name the same
/// token and nothing but the canonical form reaches the database.
pub fn parse_token(raw: &str) -> Option<(i64, &str)> {
    let rest = raw.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let canonical_id = !id.is_empty()
        && id.len() <= 18
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0');
    let canonical_secret = secret.len() == SECRET_LEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !(canonical_id && canonical_secret) {
        return None;
    }
    Some((id.parse().ok()?, secret))
}

/// Why a principal may not mint a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintRefused {
    #[error("a `{0}` token acts for one unit and must name it")]
    UnitRequired(Role),
    #[error("a `{0}` token acts for its holder alone and cannot name a unit")]
    UnitNotAllowed(Role),
    #[error("a `{role}` token reads data up to {grade}, above your own entitlement ({yours})")]
    AboveEntitlement {
        role: Role,
        grade: String,
        yours: String,
    },
    #[error("a `{role}` token may {action}, which your own role may not")]
    BeyondGrants { role: Role, action: &'static str },
    #[error("the token would act over {0}, outside your jurisdiction")]
    OutsideJurisdiction(String),
}

/// The one rule for minting: a token never carries more than its minter holds. Its
/// role may do nothing the minter's role may not, it reads no grade the minter may not,
/// and it acts over no part of the district outside the minter's jurisdiction. A role
/// that acts for a unit must name one (`unit` is that unit, already looked up); a
/// district-wide role without a unit acts over `district`.
pub fn check_mint(
    minter: &Principal,
    role: Role,
    unit: Option<&Unit>,
    district: &citymirror_core::GridCode,
) -> Result<(), MintRefused> {
    let over = match (role.scope(), unit) {
        (Scope::Own, Some(_)) => return Err(MintRefused::UnitNotAllowed(role)),
        (Scope::Own, None) => None,
        (Scope::Unit, None) => return Err(MintRefused::UnitRequired(role)),
        (Scope::Unit | Scope::District, Some(u)) => Some(u.jurisdiction.clone()),
        (Scope::District, None) => Some(district.clone()),
    };
    let Some(minter_role) = minter.role else {
        return Err(MintRefused::BeyondGrants {
            role,
            action: Action::TokensManage.as_str(),
        });
    };
    if let Some(action) = Action::ALL
        .into_iter()
        .find(|a| role.grants(*a) && !minter_role.grants(*a))
    {
        return Err(MintRefused::BeyondGrants {
            role,
            action: action.as_str(),
        });
    }
    if role.entitlement() > minter.entitlement() {
        return Err(MintRefused::AboveEntitlement {
            role,
            grade: role.entitlement().label_zh(),
            yours: minter.entitlement().label_zh(),
        });
    }
    if let Some(code) = over {
        if !minter.covers(code.as_str()) {
            return Err(MintRefused::OutsideJurisdiction(code.to_string()));
        }
    }
    Ok(())
}

/// The jurisdiction a token acts over: its unit's, the district for a district-wide role
/// without a unit, and none for a citizen token or a unit role whose unit is missing
/// (tokens minted before units were required: they see nothing located).
pub fn jurisdiction_of(
    role: Role,
    unit: Option<&Unit>,
    district: &citymirror_core::GridCode,
) -> Option<Jurisdiction> {
    match (role.scope(), unit) {
        (Scope::Own, _) | (Scope::Unit, None) => None,
        (_, Some(u)) => Some(Jurisdiction::new(u.jurisdiction.clone())),
        (Scope::District, None) => Some(Jurisdiction::new(district.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "abc_DEF-123abc_DEF-123abc_DEF-123abc_DEF-12";

    #[test]
    fn tokens_parse_back_into_id_and_secret() {
        assert_eq!(SECRET.len(), SECRET_LEN);
        let t = format_token(42, SECRET);
        assert_eq!(parse_token(&t), Some((42, SECRET)));
        let fresh = crate::secret::random_secret();
        assert_eq!(
            parse_token(&format_token(7, &fresh)),
            Some((7, fresh.as_str()))
        );
    }

    #[test]
    fn only_the_canonical_spelling_of_a_token_parses() {
        for bad in [
            String::new(),
            "cm_".into(),
            format!("cm_x_{SECRET}"),
            format!("cm_0_{SECRET}"),
            format!("cm_-1_{SECRET}"),
            format!("cm_+1_{SECRET}"),
            format!("cm_01_{SECRET}"),
            format!("cm_ 1_{SECRET}"),
            format!("cm_1_{SECRET}x"),
            format!("cm_1_{}", &SECRET[1..]),
            format!("cm_1_{}=", &SECRET[1..]),
            format!("cm_1_{} ", &SECRET[1..]),
            "cm_5_".into(),
            format!("xx_5_{SECRET}"),
            format!("CM_5_{SECRET}"),
            format!("cm_99999999999999999999_{SECRET}"),
        ] {
            assert_eq!(parse_token(&bad), None, "{bad}");
        }
    }
}
