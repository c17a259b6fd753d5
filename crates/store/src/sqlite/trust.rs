//! Trust on SQLite: units, user accounts, API tokens and browser sessions.
//!
//! The batches here are small (a district has about 1,100 units and a few thousand
//! accounts), so they are written one statement per row inside one transaction:
//! SQLite runs in-process, a prepared statement costs microseconds per row, and each
//! `INSERT … RETURNING id` gives the id of exactly its own row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_trust::{ApiToken, NewToken, NewUser, Session, TrustRepo, Unit, User};
use citymirror_twin::RepoError;
use sqlx::sqlite::SqliteRow;

use super::{column, opt_time, text_time, time, SqliteStore};
use crate::{
    checks,
    sql::{self, backend},
};

const UNIT_COLUMNS: &str = "id, kind, name, parent_id, jurisdiction";
const USER_COLUMNS: &str =
    "id, username, display_name, role, unit_id, password_hash, mobile, disabled, created_at";
const TOKEN_COLUMNS: &str =
    "id, name, role, unit_id, secret_digest, created_by, created_at, expires_at, revoked_at";
const SESSION_COLUMNS: &str = "digest, user_id, csrf_token, created_at, expires_at";

fn read_unit(row: &SqliteRow) -> Result<Unit, RepoError> {
    Ok(Unit {
        id: column(row, "id")?,
        kind: sql::parse_column("kind", column(row, "kind")?)?,
        name: column(row, "name")?,
        parent: column(row, "parent_id")?,
        jurisdiction: sql::parse_column("jurisdiction", column(row, "jurisdiction")?)?,
    })
}

fn read_user(row: &SqliteRow) -> Result<User, RepoError> {
    Ok(User {
        id: column(row, "id")?,
        username: column(row, "username")?,
        display_name: column(row, "display_name")?,
        role: sql::parse_column("role", column(row, "role")?)?,
        unit_id: column(row, "unit_id")?,
        password_hash: column(row, "password_hash")?,
        mobile: column(row, "mobile")?,
        disabled: column(row, "disabled")?,
        created_at: time(row, "created_at")?,
    })
}

fn read_token(row: &SqliteRow) -> Result<ApiToken, RepoError> {
    Ok(ApiToken {
        id: column(row, "id")?,
        name: column(row, "name")?,
        role: sql::parse_column("role", column(row, "role")?)?,
        unit_id: column(row, "unit_id")?,
        secret_digest: column(row, "secret_digest")?,
        created_by: column(row, "created_by")?,
        created_at: time(row, "created_at")?,
        expires_at: opt_time(row, "expires_at")?,
        revoked_at: opt_time(row, "revoked_at")?,
    })
}

fn read_session(row: &SqliteRow) -> Result<Session, RepoError> {
    Ok(Session {
        digest: column(row, "digest")?,
        user_id: column(row, "user_id")?,
        csrf_token: column(row, "csrf_token")?,
        created_at: time(row, "created_at")?,
        expires_at: time(row, "expires_at")?,
    })
}

#[async_trait]
impl TrustRepo for SqliteStore {
    async fn put_units(&self, units: &[Unit]) -> Result<(), RepoError> {
        if units.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend("cannot start a write to `units`"))?;
        for u in units {
            sqlx::query(
                "INSERT INTO units (id, kind, name, parent_id, jurisdiction) \
                 VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                 parent_id = excluded.parent_id, jurisdiction = excluded.jurisdiction",
            )
            .bind(&u.id)
            .bind(u.kind.as_str())
            .bind(&u.name)
            .bind(u.parent.as_deref())
            .bind(u.jurisdiction.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend(format_args!("cannot write unit `{}`", u.id)))?;
        }
        tx.commit()
            .await
            .map_err(backend("cannot commit to `units`"))
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
        let created_at = text_time(Utc::now());
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend("cannot start a write to `users`"))?;
        let mut ids = Vec::with_capacity(users.len());
        for u in users {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users \
                 (username, display_name, role, unit_id, password_hash, mobile, disabled, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, FALSE, ?) RETURNING id",
            )
            .bind(&u.username)
            .bind(&u.display_name)
            .bind(u.role.as_str())
            .bind(u.unit_id.as_deref())
            .bind(u.password_hash.as_deref())
            .bind(u.mobile.as_deref())
            .bind(&created_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match sql::is_unique_violation(&e) {
                // Dropping the transaction rolls back the rows already inserted.
                true => checks::username_taken(&u.username),
                false => backend(format_args!("cannot create user `{}`", u.username))(e),
            })?;
            ids.push(id);
        }
        tx.commit()
            .await
            .map_err(backend("cannot commit to `users`"))?;
        Ok(ids)
    }

    async fn user(&self, id: i64) -> Result<Option<User>, RepoError> {
        sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
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
            "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
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
            "SELECT {USER_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?"
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
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
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
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&token.name)
        .bind(token.role.as_str())
        .bind(token.unit_id.as_deref())
        .bind(&token.secret_digest[..])
        .bind(&token.created_by)
        .bind(text_time(Utc::now()))
        .bind(token.expires_at.map(text_time))
        .fetch_one(&self.pool)
        .await
        .map_err(backend(format_args!(
            "cannot create token `{}`",
            token.name
        )))
    }

    async fn token(&self, id: i64) -> Result<Option<ApiToken>, RepoError> {
        sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?"
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
        // Live at `at`: not revoked, and not expired (timestamps compare as text).
        let at = text_time(at);
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = ? \
             WHERE id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
        )
        .bind(&at)
        .bind(id)
        .bind(&at)
        .execute(&self.pool)
        .await
        .map_err(backend(format_args!("cannot revoke token {id}")))?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_session(&self, session: &Session) -> Result<(), RepoError> {
        sqlx::query(&format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
        ))
        .bind(&session.digest[..])
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(text_time(session.created_at))
        .bind(text_time(session.expires_at))
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
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE digest = ?"
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
        sqlx::query("DELETE FROM sessions WHERE digest = ?")
            .bind(digest)
            .execute(&self.pool)
            .await
            .map_err(backend("cannot delete a session"))?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, RepoError> {
        // A session is over at its expiry (as a token is), so `<=`.
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(text_time(now))
            .execute(&self.pool)
            .await
            .map_err(backend("cannot delete expired sessions"))?;
        Ok(done.rows_affected())
    }
}
