//! Trust on PostgreSQL: units, user accounts, API tokens and browser sessions.
//!
//! Batches (the organisation's units, its accounts) go in one `unnest` statement each,
//! which is atomic on its own: one round trip however many rows.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_trust::{ApiToken, NewToken, NewUser, Session, TrustRepo, Unit, User};
use citymirror_twin::RepoError;
use sqlx::postgres::PgRow;

use super::{column, PgStore};
use crate::{
    checks,
    sql::{self, backend, truncate_millis},
};

const UNIT_COLUMNS: &str = "id, kind, name, parent_id, jurisdiction";
const USER_COLUMNS: &str =
    "id, username, display_name, role, unit_id, password_hash, mobile, disabled, created_at";
const TOKEN_COLUMNS: &str =
    "id, name, role, unit_id, secret_digest, created_by, created_at, expires_at, revoked_at";
const SESSION_COLUMNS: &str = "digest, user_id, csrf_token, created_at, expires_at";

fn read_unit(row: &PgRow) -> Result<Unit, RepoError> {
    Ok(Unit {
        id: column(row, "id")?,
        kind: sql::parse_column("kind", column(row, "kind")?)?,
        name: column(row, "name")?,
        parent: column(row, "parent_id")?,
        jurisdiction: sql::parse_column("jurisdiction", column(row, "jurisdiction")?)?,
    })
}

fn read_user(row: &PgRow) -> Result<User, RepoError> {
    Ok(User {
        id: column(row, "id")?,
        username: column(row, "username")?,
        display_name: column(row, "display_name")?,
        role: sql::parse_column("role", column(row, "role")?)?,
        unit_id: column(row, "unit_id")?,
        password_hash: column(row, "password_hash")?,
        mobile: column(row, "mobile")?,
        disabled: column(row, "disabled")?,
        created_at: column(row, "created_at")?,
    })
}

fn read_token(row: &PgRow) -> Result<ApiToken, RepoError> {
    Ok(ApiToken {
        id: column(row, "id")?,
        name: column(row, "name")?,
        role: sql::parse_column("role", column(row, "role")?)?,
        unit_id: column(row, "unit_id")?,
        secret_digest: column(row, "secret_digest")?,
        created_by: column(row, "created_by")?,
        created_at: column(row, "created_at")?,
        expires_at: column(row, "expires_at")?,
        revoked_at: column(row, "revoked_at")?,
    })
}

fn read_session(row: &PgRow) -> Result<Session, RepoError> {
    Ok(Session {
        digest: column(row, "digest")?,
        user_id: column(row, "user_id")?,
        csrf_token: column(row, "csrf_token")?,
        created_at: column(row, "created_at")?,
        expires_at: column(row, "expires_at")?,
    })
}

#[async_trait]
impl TrustRepo for PgStore {
    async fn put_units(&self, units: &[Unit]) -> Result<(), RepoError> {
        // One statement may not update a row twice, so a repeated id keeps its last.
        let units = checks::last_of_each_unit(units);
        if units.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = units.iter().map(|u| u.id.as_str()).collect();
        let kinds: Vec<&str> = units.iter().map(|u| u.kind.as_str()).collect();
        let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
        let parents: Vec<Option<&str>> = units.iter().map(|u| u.parent.as_deref()).collect();
        let areas: Vec<&str> = units.iter().map(|u| u.jurisdiction.as_str()).collect();
        sqlx::query(
            "INSERT INTO units (id, kind, name, parent_id, jurisdiction) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
             parent_id = excluded.parent_id, jurisdiction = excluded.jurisdiction",
        )
        .bind(ids)
        .bind(kinds)
        .bind(names)
        .bind(parents)
        .bind(areas)
        .execute(&self.pool)
        .await
        .map_err(backend("cannot write `units`"))?;
        Ok(())
    }

    async fn units(&self) -> Result<Vec<Unit>, RepoError> {
        sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(backend("cannot read `units`"))?
            .iter()
            .map(read_unit)
            .collect()
    }

    async fn insert_users(&self, users: &[NewUser]) -> Result<Vec<i64>, RepoError> {
        checks::distinct_usernames(users)?;
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
        let shown: Vec<&str> = users.iter().map(|u| u.display_name.as_str()).collect();
        let roles: Vec<&str> = users.iter().map(|u| u.role.as_str()).collect();
        let units: Vec<Option<&str>> = users.iter().map(|u| u.unit_id.as_deref()).collect();
        let hashes: Vec<Option<&str>> = users.iter().map(|u| u.password_hash.as_deref()).collect();
        let mobiles: Vec<Option<&str>> = users.iter().map(|u| u.mobile.as_deref()).collect();
        // RETURNING gives no promise of order, so each id is matched back to its row by
        // user name, which is unique.
        let created = sqlx::query_as::<_, (i64, String)>(
            "INSERT INTO users \
             (username, display_name, role, unit_id, password_hash, mobile, disabled, created_at) \
             SELECT u.*, FALSE, $7 \
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u \
             RETURNING id, username",
        )
        .bind(&names)
        .bind(shown)
        .bind(roles)
        .bind(units)
        .bind(hashes)
        .bind(mobiles)
        .bind(truncate_millis(Utc::now()))
        .fetch_all(&self.pool)
        .await;
        let created = match created {
            Ok(rows) => rows,
            Err(e) if sql::is_unique_violation(&e) => {
                // The statement inserted nothing; say which name was taken.
                let taken: Option<String> = sqlx::query_scalar(
                    "SELECT username FROM users WHERE username = ANY($1) ORDER BY id LIMIT 1",
                )
                .bind(&names)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend("cannot read `users`"))?;
                return Err(checks::username_taken(taken.as_deref().unwrap_or("?")));
            }
            Err(e) => return Err(backend("cannot create users")(e)),
        };
        let mut ids: HashMap<String, i64> = created.into_iter().map(|(id, n)| (n, id)).collect();
        users
            .iter()
            .map(|u| {
                ids.remove(&u.username).ok_or_else(|| {
                    RepoError::Backend(format!("no id came back for user `{}`", u.username))
                })
            })
            .collect()
    }

    async fn user(&self, id: i64) -> Result<Option<User>, RepoError> {
        sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend(format_args!("cannot read user {id}")))?
            .as_ref()
            .map(read_user)
            .transpose()
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>, RepoError> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend(format_args!("cannot read user `{username}`")))?
        .as_ref()
        .map(read_user)
        .transpose()
    }

    async fn users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, RepoError> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("cannot read `users`"))?
        .iter()
        .map(read_user)
        .collect()
    }

    async fn count_users(&self) -> Result<u64, RepoError> {
        let n: i64 = sqlx::query_scalar(&sql::count("users"))
            .fetch_one(&self.pool)
            .await
            .map_err(backend("cannot count `users`"))?;
        Ok(n.max(0) as u64)
    }

    async fn set_password(&self, user_id: i64, hash: Option<&str>) -> Result<bool, RepoError> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(backend(format_args!(
                "cannot set the password of user {user_id}"
            )))?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_token(&self, token: &NewToken) -> Result<i64, RepoError> {
        sqlx::query_scalar(
            "INSERT INTO api_tokens \
             (name, role, unit_id, secret_digest, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&token.name)
        .bind(token.role.as_str())
        .bind(token.unit_id.as_deref())
        .bind(&token.secret_digest[..])
        .bind(&token.created_by)
        .bind(truncate_millis(Utc::now()))
        .bind(token.expires_at.map(truncate_millis))
        .fetch_one(&self.pool)
        .await
        .map_err(backend(format_args!(
            "cannot create token `{}`",
            token.name
        )))
    }

    async fn token(&self, id: i64) -> Result<Option<ApiToken>, RepoError> {
        sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend(format_args!("cannot read token {id}")))?
        .as_ref()
        .map(read_token)
        .transpose()
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>, RepoError> {
        sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("cannot read `api_tokens`"))?
        .iter()
        .map(read_token)
        .collect()
    }

    async fn revoke_token(&self, id: i64, at: DateTime<Utc>) -> Result<bool, RepoError> {
        // Live at `at`: not revoked, and not expired.
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(truncate_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(backend(format_args!("cannot revoke token {id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_session(&self, session: &Session) -> Result<(), RepoError> {
        sqlx::query(&format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
        ))
        .bind(&session.digest[..])
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(truncate_millis(session.created_at))
        .bind(truncate_millis(session.expires_at))
        .execute(&self.pool)
        .await
        .map_err(|e| match sql::is_unique_violation(&e) {
            true => RepoError::Conflict("session".into()),
            false => backend(format_args!(
                "cannot create a session for user {}",
                session.user_id
            ))(e),
        })?;
        Ok(())
    }

    async fn session(&self, digest: &[u8]) -> Result<Option<Session>, RepoError> {
        sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE digest = $1"
        ))
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend("cannot read a session"))?
        .as_ref()
        .map(read_session)
        .transpose()
    }

    async fn delete_session(&self, digest: &[u8]) -> Result<(), RepoError> {
        sqlx::query("DELETE FROM sessions WHERE digest = $1")
            .bind(digest)
            .execute(&self.pool)
            .await
            .map_err(backend("cannot delete a session"))?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, RepoError> {
        // A session is over at its expiry (as a token is), so `<=`.
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(backend("cannot delete expired sessions"))?;
        Ok(done.rows_affected())
    }
}
