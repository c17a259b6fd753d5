//! The audit log on SQLite: appended in multi-row `INSERT`s, one transaction per batch.
//!
//! The server appends batches of up to about a thousand entries while it serves other
//! requests, so a batch takes the write lock once and goes in a few statements of
//! [`ROWS_PER_INSERT`] rows (4 parameters each, far below SQLite's limit).

use async_trait::async_trait;
use citymirror_trust::{AuditRepo, AuditRow, StoredCheckpoint};
use citymirror_twin::RepoError;
use futures_util::TryStreamExt as _;
use sqlx::sqlite::SqliteRow;

use super::{column, text_time, time, SqliteStore, D, MAX_PARAMS, MAX_ROWS_PER_INSERT};
use crate::{
    checks,
    sql::{self, backend},
};

const AUDIT_COLUMNS: [&str; 4] = ["seq", "entry", "leaf_hash", "root_after"];
const ROWS_PER_INSERT: usize = MAX_ROWS_PER_INSERT;
const _: () = assert!(ROWS_PER_INSERT * AUDIT_COLUMNS.len() <= MAX_PARAMS);

fn read_audit_row(row: &SqliteRow) -> Result<AuditRow, RepoError> {
    Ok(AuditRow {
        seq: column(row, "seq")?,
        entry: column(row, "entry")?,
        leaf_hash: column(row, "leaf_hash")?,
        root_after: column(row, "root_after")?,
    })
}

fn read_checkpoint(row: &SqliteRow) -> Result<StoredCheckpoint, RepoError> {
    Ok(StoredCheckpoint {
        size: column(row, "size")?,
        note: column(row, "note")?,
        created_at: time(row, "created_at")?,
    })
}

#[async_trait]
impl AuditRepo for SqliteStore {
    async fn append_audit(&self, rows: &[AuditRow]) -> Result<(), RepoError> {
        checks::consecutive(rows)?;
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend("cannot start a write to `audit_log`"))?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend("cannot read the end of `audit_log`"))?;
        checks::follows(first.seq, last)?;
        let full = sql::insert_values(D, "audit_log", &AUDIT_COLUMNS, ROWS_PER_INSERT);
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let tail;
            let text = if chunk.len() == ROWS_PER_INSERT {
                &full
            } else {
                tail = sql::insert_values(D, "audit_log", &AUDIT_COLUMNS, chunk.len());
                &tail
            };
            let mut q = sqlx::query(text);
            for row in chunk {
                q = q
                    .bind(row.seq)
                    .bind(row.entry.as_str())
                    .bind(&row.leaf_hash[..])
                    .bind(&row.root_after[..]);
            }
            q.execute(&mut *tx)
                .await
                .map_err(|e| match sql::is_unique_violation(&e) {
                    true => checks::audit_seq_taken(chunk[0].seq),
                    false => backend("cannot append to `audit_log`")(e),
                })?;
        }
        tx.commit()
            .await
            .map_err(backend("cannot commit to `audit_log`"))
    }

    async fn audit_rows(&self, from: i64, limit: u32) -> Result<Vec<AuditRow>, RepoError> {
        sqlx::query(
            "SELECT seq, entry, leaf_hash, root_after FROM audit_log \
             WHERE seq >= ? ORDER BY seq LIMIT ?",
        )
        .bind(from)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("cannot read `audit_log`"))?
        .iter()
        .map(read_audit_row)
        .collect()
    }

    async fn audit_leaf_hashes(&self) -> Result<Vec<(i64, Vec<u8>)>, RepoError> {
        // Streamed: the log can hold millions of rows, and only the hashes are kept.
        let mut rows = sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT seq, leaf_hash FROM audit_log ORDER BY seq",
        )
        .fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(backend("cannot read the leaf hashes of `audit_log`"))?
        {
            out.push(row);
        }
        Ok(out)
    }

    async fn put_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), RepoError> {
        sqlx::query("INSERT INTO audit_checkpoints (size, note, created_at) VALUES (?, ?, ?)")
            .bind(checkpoint.size)
            .bind(&checkpoint.note)
            .bind(text_time(checkpoint.created_at))
            .execute(&self.pool)
            .await
            .map_err(|e| match sql::is_unique_violation(&e) {
                true => checks::checkpoint_taken(checkpoint.size),
                false => backend("cannot store a checkpoint")(e),
            })?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, RepoError> {
        sqlx::query("SELECT size, note, created_at FROM audit_checkpoints ORDER BY size")
            .fetch_all(&self.pool)
            .await
            .map_err(backend("cannot read `audit_checkpoints`"))?
            .iter()
            .map(read_checkpoint)
            .collect()
    }
}
