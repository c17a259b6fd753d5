//! Trust: units, user accounts, API tokens and browser sessions ([`TrustRepo`]).
//!
//! Timestamps are bound and read as `DateTime<Utc>` (to the millisecond); the dialect
//! layer stores them as each backend keeps time, so comparisons such as "expired" are
//! written once in SQL.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_trust::{ApiToken, NewToken, NewUser, Session, TrustRepo, Unit, User};
use citymirror_twin::RepoError;

use crate::{
    checks,
    db::{query, Param, Row, SqlType},
    sql::{self, backend},
    Store,
};

const UNIT_COLUMNS: &str = "id, kind, name, parent_id, jurisdiction";
const USER_COLUMNS: &str =
    "id, username, display_name, role, unit_id, password_hash, mobile, disabled, created_at";
const TOKEN_COLUMNS: &str =
    "id, name, role, unit_id, secret_digest, created_by, created_at, expires_at, revoked_at";
const SESSION_COLUMNS: &str = "digest, user_id, csrf_token, created_at, expires_at";

fn read_unit(row: &Row) -> Result<Unit, RepoError> {
    Ok(Unit {
        id: row.get("id")?,
        kind: sql::parse_column("kind", row.get("kind")?)?,
        name: row.get("name")?,
        parent: row.get("parent_id")?,
        jurisdiction: sql::parse_column("jurisdiction", row.get("jurisdiction")?)?,
    })
}

fn read_user(row: &Row) -> Result<User, RepoError> {
    Ok(User {
        id: row.get("id")?,
        username: row.get("username")?,
        display_name: row.get("display_name")?,
        role: sql::parse_column("role", row.get("role")?)?,
        unit_id: row.get("unit_id")?,
        password_hash: row.get("password_hash")?,
        mobile: row.get("mobile")?,
        disabled: row.get("disabled")?,
        created_at: row.get("created_at")?,
    })
}

fn read_token(row: &Row) -> Result<ApiToken, RepoError> {
    Ok(ApiToken {
        id: row.get("id")?,
        name: row.get("name")?,
        role: sql::parse_column("role", row.get("role")?)?,
        unit_id: row.get("unit_id")?,
        secret_digest: row.get("secret_digest")?,
        created_by: row.get("created_by")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
        revoked_at: row.get("revoked_at")?,
    })
}

fn read_session(row: &Row) -> Result<Session, RepoError> {
    Ok(Session {
        digest: row.get("digest")?,
        user_id: row.get("user_id")?,
        csrf_token: row.get("csrf_token")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
    })
}

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n).map(sql::param).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// The error for a batch of new users one of whose names is taken, naming it.
    async fn username_taken(&self, names: &[&str]) -> Result<RepoError, RepoError> {
        let text = format!(
            "SELECT username FROM users WHERE username IN ({}) ORDER BY id LIMIT 1",
            placeholders(names.len())
        );
        let taken: Option<String> = names
            .iter()
            .fold(query(text), |q, n| q.bind(*n))
            .fetch_optional(&self.db)
            .await
            .map_err(backend("cannot read `users`"))?
            .map(|row| row.get(0))
            .transpose()?;
        Ok(checks::username_taken(taken.as_deref().unwrap_or("?")))
    }
}

#[async_trait]
impl TrustRepo for Store {
    async fn put_units(&self, units: &[Unit]) -> Result<(), RepoError> {
        // One statement may not update a row twice (on PostgreSQL), so a repeated id
        // keeps its last, as it would if they were written one after another.
        let units = checks::last_of_each_unit(units);
        let text = SqlType::Text;
        self.insert_all(
            "units",
            &[
                ("id", text),
                ("kind", text),
                ("name", text),
                ("parent_id", text),
                ("jurisdiction", text),
            ],
            &units,
            |u, out| {
                out.extend([
                    Param::from(u.id.as_str()),
                    u.kind.as_str().into(),
                    u.name.as_str().into(),
                    u.parent.as_deref().into(),
                    u.jurisdiction.as_str().into(),
                ]);
                Ok(())
            },
            "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
             parent_id = excluded.parent_id, jurisdiction = excluded.jurisdiction",
        )
        .await
    }

    async fn units(&self) -> Result<Vec<Unit>, RepoError> {
        query(format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id"))
            .fetch_all(&self.db)
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
        let created_at = Utc::now();
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write to `users`"))?;
        let text = SqlType::Text;
        let created = tx
            .insert_rows(
                "users",
                &[
                    ("username", text),
                    ("display_name", text),
                    ("role", text),
                    ("unit_id", text),
                    ("password_hash", text),
                    ("mobile", text),
                    ("disabled", SqlType::Bool),
                    ("created_at", SqlType::Time),
                ],
                users,
                |u, out| {
                    out.extend([
                        Param::from(u.username.as_str()),
                        u.display_name.as_str().into(),
                        u.role.as_str().into(),
                        u.unit_id.as_deref().into(),
                        u.password_hash.as_deref().into(),
                        u.mobile.as_deref().into(),
                        false.into(),
                        created_at.into(),
                    ]);
                    Ok(())
                },
                // RETURNING gives no promise of order, so each id is matched back to
                // its row by user name, which is unique.
                "RETURNING id, username",
                |e| match sql::is_unique_violation(&e) {
                    true => checks::username_taken("?"),
                    false => backend("cannot create users")(e),
                },
            )
            .await;
        let created = match created {
            Ok(rows) => rows,
            Err(RepoError::Conflict(_)) => {
                // Dropping the transaction rolled back the rows already inserted.
                drop(tx);
                let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
                return Err(self.username_taken(&names).await?);
            }
            Err(e) => return Err(e),
        };
        tx.commit()
            .await
            .map_err(backend("cannot commit to `users`"))?;
        let mut ids = HashMap::with_capacity(created.len());
        for row in &created {
            ids.insert(row.get::<String>(1)?, row.get::<i64>(0)?);
        }
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
        query(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .map_err(backend(format_args!("cannot read user {id}")))?
            .as_ref()
            .map(read_user)
            .transpose()
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>, RepoError> {
        query(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.db)
        .await
        .map_err(backend(format_args!("cannot read user `{username}`")))?
        .as_ref()
        .map(read_user)
        .transpose()
    }

    async fn users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, RepoError> {
        query(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read `users`"))?
        .iter()
        .map(read_user)
        .collect()
    }

    async fn count_users(&self) -> Result<u64, RepoError> {
        self.count("users").await
    }

    async fn set_password(&self, user_id: i64, hash: Option<&str>) -> Result<bool, RepoError> {
        let changed = query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&self.db)
            .await
            .map_err(backend(format_args!(
                "cannot set the password of user {user_id}"
            )))?;
        Ok(changed > 0)
    }

    async fn insert_token(&self, token: &NewToken) -> Result<i64, RepoError> {
        query(
            "INSERT INTO api_tokens \
             (name, role, unit_id, secret_digest, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(token.name.as_str())
        .bind(token.role.as_str())
        .bind(token.unit_id.as_deref())
        .bind(&token.secret_digest[..])
        .bind(token.created_by.as_str())
        .bind(Utc::now())
        .bind(token.expires_at)
        .fetch_one(&self.db)
        .await
        .map_err(backend(format_args!(
            "cannot create token `{}`",
            token.name
        )))?
        .get(0)
    }

    async fn token(&self, id: i64) -> Result<Option<ApiToken>, RepoError> {
        query(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.db)
        .await
        .map_err(backend(format_args!("cannot read token {id}")))?
        .as_ref()
        .map(read_token)
        .transpose()
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>, RepoError> {
        query(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC"
        ))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read `api_tokens`"))?
        .iter()
        .map(read_token)
        .collect()
    }

    async fn revoke_token(&self, id: i64, at: DateTime<Utc>) -> Result<bool, RepoError> {
        // Live at `at`: not revoked, and not expired.
        let changed = query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(at)
        .bind(id)
        .execute(&self.db)
        .await
        .map_err(backend(format_args!("cannot revoke token {id}")))?;
        Ok(changed > 0)
    }

    async fn insert_session(&self, session: &Session) -> Result<(), RepoError> {
        query(format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
        ))
        .bind(&session.digest[..])
        .bind(session.user_id)
        .bind(session.csrf_token.as_str())
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(&self.db)
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
        query(format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE digest = $1"
        ))
        .bind(digest)
        .fetch_optional(&self.db)
        .await
        .map_err(backend("cannot read a session"))?
        .as_ref()
        .map(read_session)
        .transpose()
    }

    async fn delete_session(&self, digest: &[u8]) -> Result<(), RepoError> {
        query("DELETE FROM sessions WHERE digest = $1")
            .bind(digest)
            .execute(&self.db)
            .await
            .map_err(backend("cannot delete a session"))?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, RepoError> {
        // A session is over at its expiry (as a token is), so `<=`.
        query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.db)
            .await
            .map_err(backend("cannot delete expired sessions"))
    }
}
