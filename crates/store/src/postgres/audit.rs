//! The audit log on PostgreSQL: a batch goes in as four arrays and one `unnest`
//! statement, in a transaction that first checks it continues the log.

use async_trait::async_trait;
use citymirror_trust::{AuditRepo, AuditRow, StoredCheckpoint};
use citymirror_twin::RepoError;
use futures_util::TryStreamExt as _;
use sqlx::postgres::PgRow;

use super::{column, PgStore, ROWS_PER_INSERT};
use crate::{
    checks,
    sql::{self, backend, truncate_millis},
};

fn read_audit_row(row: &PgRow) -> Result<AuditRow, RepoError> {
    Ok(AuditRow {
        seq: column(row, "seq")?,
        entry: column(row, "entry")?,
        leaf_hash: column(row, "leaf_hash")?,
        root_after: column(row, "root_after")?,
    })
}

fn read_checkpoint(row: &PgRow) -> Result<StoredCheckpoint, RepoError> {
    Ok(StoredCheckpoint {
        size: column(row, "size")?,
        note: column(row, "note")?,
        created_at: column(row, "created_at")?,
    })
}

#[async_trait]
impl AuditRepo for PgStore {
    async fn append_audit(&self, rows: &[AuditRow]) -> Result<(), RepoError> {
        checks::consecutive(rows)?;
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(backend("cannot start a write to `audit_log`"))?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend("cannot read the end of `audit_log`"))?;
        checks::follows(first.seq, last)?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let seqs: Vec<i64> = chunk.iter().map(|r| r.seq).collect();
            let entries: Vec<&str> = chunk.iter().map(|r| r.entry.as_str()).collect();
            let leaves: Vec<&[u8]> = chunk.iter().map(|r| &r.leaf_hash[..]).collect();
            let roots: Vec<&[u8]> = chunk.iter().map(|r| &r.root_after[..]).collect();
            sqlx::query(
                "INSERT INTO audit_log (seq, entry, leaf_hash, root_after) \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[])",
            )
            .bind(seqs)
            .bind(entries)
            .bind(leaves)
            .bind(roots)
            .execute(&mut *tx)
            .await
            .map_err(|e| match sql::is_unique_violation(&e) {
                // A concurrent writer took the seq after the check above.
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
             WHERE seq >= $1 ORDER BY seq LIMIT $2",
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
        sqlx::query("INSERT INTO audit_checkpoints (size, note, created_at) VALUES ($1, $2, $3)")
            .bind(checkpoint.size)
            .bind(&checkpoint.note)
            .bind(truncate_millis(checkpoint.created_at))
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
