//! `citymirror token create` and `citymirror audit verify`, end to end: a generated
//! district, tokens minted from the command line, then single audit rows altered,
//! deleted and swapped directly in the database. Each tampering must make `audit verify`
//! fail and name the entry. Runs on SQLite, and on PostgreSQL when `CITYMIRROR_TEST_PG`
//! names a database.

mod common;

use common::citymirror;

use std::process::Command;

use citymirror_trust::audit::merkle::leaf_hash;

/// Where a test's district lives: a data dir (always: it holds the signing key) and,
/// on PostgreSQL, a database URL pinned to a fresh schema.
struct District {
    dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl District {
    fn store_args(&self) -> Vec<String> {
        let mut a = vec![
            "--data-dir".to_owned(),
            self.dir.path().display().to_string(),
        ];
        if let Some((url, _)) = &self.pg {
            a.extend(["--database".to_owned(), url.clone()]);
        }
        a
    }

    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(self.store_args());
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        citymirror(&refs)
    }

    /// Plays an attacker with write access to the database: first takes away the
    /// append-only guard (triggers anyone who owns the tables can drop).
    async fn tamper(&self, sql: &str, blob: Option<Vec<u8>>) {
        if self.pg.is_some() {
            self.exec(
                "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
                None,
            )
            .await;
        } else {
            self.exec("DROP TRIGGER IF EXISTS audit_log_no_update", None)
                .await;
            self.exec("DROP TRIGGER IF EXISTS audit_log_no_delete", None)
                .await;
        }
        self.exec(sql, blob).await;
    }

    /// Runs one SQL statement against the store, binding `blob` as `$1`/`?1` if given.
    async fn exec(&self, sql: &str, blob: Option<Vec<u8>>) {
        match &self.pg {
            Some((url, _)) => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                let mut q = sqlx::query(sql);
                if let Some(b) = blob {
                    q = q.bind(b);
                }
                q.execute(&mut c).await.unwrap();
            }
            None => {
                use sqlx::Connection;
                let path = self.dir.path().join("citymirror.db");
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .unwrap();
                let sql = sql.replace("$1", "?1");
                let mut q = sqlx::query(&sql);
                if let Some(b) = blob {
                    q = q.bind(b);
                }
                q.execute(&mut c).await.unwrap();
            }
        }
    }

    async fn entry(&self, seq: i64) -> String {
        use sqlx::{Connection, Row};
        let sql = format!("SELECT entry FROM audit_log WHERE seq = {seq}");
        match &self.pg {
            Some((url, _)) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(&sql).fetch_one(&mut c).await.unwrap().get(0)
            }
            None => {
                let path = self.dir.path().join("citymirror.db");
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .unwrap();
                sqlx::query(&sql).fetch_one(&mut c).await.unwrap().get(0)
            }
        }
    }
}

impl Drop for District {
    fn drop(&mut self) {
        if let Some((_, schema)) = &self.pg {
            let admin = std::env::var("CITYMIRROR_TEST_PG").unwrap();
            let _ = Command::new("psql")
                .args([
                    admin.as_str(),
                    "-qc",
                    &format!("DROP SCHEMA {schema} CASCADE"),
                ])
                .output();
        }
    }
}

async fn district(pg: bool) -> Option<District> {
    let dir = tempfile::tempdir().unwrap();
    let pg = if pg {
        let admin = std::env::var("CITYMIRROR_TEST_PG").ok()?;
        let schema = format!("cli_t_{:016x}", rand::random::<u64>());
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL reachable");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut c)
            .await
            .unwrap();
        let sep = if admin.contains('?') { '&' } else { '?' };
        Some((
            format!("{admin}{sep}options=-c%20search_path%3D{schema}"),
            schema,
        ))
    } else {
        None
    };
    let d = District { dir, pg };
    let (ok, _, err) = d.run(&[
        "generate",
        "--scale",
        "0.002",
        "--seed",
        "5",
        "--outline",
        "/nonexistent",
    ]);
    assert!(ok, "generate failed: {err}");
    Some(d)
}

/// Mints `n` tokens from the command line; each appends an audit entry and a checkpoint.
fn mint(d: &District, n: usize) {
    for _ in 0..n {
        let (ok, out, err) = d.run(&["token", "create", "--role", "district-admin"]);
        assert!(ok, "{err}");
        let last = out.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("cm_") && last.len() > 40,
            "the token is the last line: {out:?}"
        );
    }
}

fn verify_fails_naming(d: &District, seq: i64) {
    let (ok, out, err) = d.run(&["audit", "verify"]);
    assert!(!ok, "verify passed a tampered log: {out}");
    assert!(err.contains("does not verify"), "{err}");
    let named =
        out.contains(&format!("entry {seq} ")) || out.contains(&format!("entries from {seq} on"));
    assert!(named, "entry {seq} is not named: {out}");
}

async fn tampering_is_detected_and_named(pg: bool) {
    // One district per tampering, so each starts from an intact log of 6 entries:
    // seq 0 is the generation, seqs 1–5 the minted tokens.
    let Some(d) = district(pg).await else { return };
    mint(&d, 5);
    let (ok, out, err) = d.run(&["audit", "verify"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("6 entries"), "{out}");

    // Altered content.
    d.tamper(
        "UPDATE audit_log SET entry = replace(entry, 'district-admin', 'supervisor') WHERE seq = 3",
        None,
    )
    .await;
    verify_fails_naming(&d, 3);
    drop(d);

    // Altered content with a matching leaf hash: the stored roots give it away.
    let d = district(pg).await.unwrap();
    mint(&d, 5);
    let forged = d.entry(2).await.replace("district-admin", "supervisor");
    d.tamper(
        &format!("UPDATE audit_log SET entry = '{forged}', leaf_hash = $1 WHERE seq = 2"),
        Some(leaf_hash(forged.as_bytes()).to_vec()),
    )
    .await;
    verify_fails_naming(&d, 2);
    drop(d);

    // A deleted row, in the middle and at the end (a checkpoint covers it).
    for seq in [4, 5] {
        let d = district(pg).await.unwrap();
        mint(&d, 5);
        d.tamper(&format!("DELETE FROM audit_log WHERE seq = {seq}"), None)
            .await;
        verify_fails_naming(&d, seq);
    }

    // Two rows swapped, seq numbers kept.
    let d = district(pg).await.unwrap();
    mint(&d, 5);
    d.tamper("UPDATE audit_log SET seq = -1 WHERE seq = 1", None)
        .await;
    d.tamper("UPDATE audit_log SET seq = 1 WHERE seq = 4", None)
        .await;
    d.tamper("UPDATE audit_log SET seq = 4 WHERE seq = -1", None)
        .await;
    verify_fails_naming(&d, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_any_audit_row_is_named_on_sqlite() {
    tampering_is_detected_and_named(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_any_audit_row_is_named_on_postgres() {
    tampering_is_detected_and_named(true).await;
}

#[test]
fn a_token_for_an_unknown_role_is_refused() {
    let (ok, _, err) = citymirror(&[
        "token",
        "create",
        "--role",
        "root",
        "--data-dir",
        "/nonexistent/x",
    ]);
    assert!(!ok && err.contains("unknown role"), "{err}");
}
