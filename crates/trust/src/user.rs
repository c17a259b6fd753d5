//! People who sign in.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Role;

/// A user account as stored. The password hash never leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    /// Log-in name; a citizen's is their mobile number.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// `None` for citizens, who belong to no unit.
    pub unit_id: Option<String>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Contact number (graded 一般-4; masked like any other).
    pub mobile: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An account to create. Accounts without a password exist (provisioned staff) but
/// cannot sign in until an administrator sets one.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub password_hash: Option<String>,
    pub mobile: Option<String>,
}
