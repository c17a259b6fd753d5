//! The audit log ([`AuditRepo`]): appended in bulk, one transaction per batch that
//! first checks the batch continues the log.

use async_trait::async_trait;
use citymirror_trust::{AuditRepo, AuditRow, StoredCheckpoint};
use citymirror_twin::RepoError;
use futures_util::TryStreamExt as _;

use crate::{
    checks,
    db::{query, Param, Row, SqlType},
    sql::{self, backend},
    Store,
};

fn read_audit_row(row: &Row) -> Result<AuditRow, RepoError> {
    Ok(AuditRow {
        seq: row.get("seq")?,
        entry: row.get("entry")?,
        leaf_hash: row.get("leaf_hash")?,
        root_after: row.get("root_after")?,
    })
}

fn read_checkpoint(row: &Row) -> Result<StoredCheckpoint, RepoError> {
    Ok(StoredCheckpoint {
        size: row.get("size")?,
        note: row.get("note")?,
        created_at: row.get("created_at")?,
    })
}

#[async_trait]
impl AuditRepo for Store {
    async fn append_audit(&self, rows: &[AuditRow]) -> Result<(), RepoError> {
        checks::consecutive(rows)?;
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write to `audit_log`"))?;
        let last: Option<i64> = query("SELECT MAX(seq) FROM audit_log")
            .fetch_one(&mut tx)
            .await
            .map_err(backend("cannot read the end of `audit_log`"))?
            .get(0)?;
        checks::follows(first.seq, last)?;
        tx.insert_rows(
            "audit_log",
            &[
                ("seq", SqlType::Int),
                ("entry", SqlType::Text),
                ("leaf_hash", SqlType::Bytes),
                ("root_after", SqlType::Bytes),
            ],
            rows,
            |r, out| {
                out.extend([
                    Param::from(r.seq),
                    r.entry.as_str().into(),
                    r.leaf_hash.as_slice().into(),
                    r.root_after.as_slice().into(),
                ]);
                Ok(())
            },
            "",
            |e| match sql::is_unique_violation(&e) {
                // A concurrent writer took the seq after the check above.
                true => checks::audit_seq_taken(first.seq),
                false => backend("cannot append to `audit_log`")(e),
            },
        )
        .await?;
        tx.commit()
            .await
            .map_err(backend("cannot commit to `audit_log`"))
    }

    async fn audit_rows(&self, from: i64, limit: u32) -> Result<Vec<AuditRow>, RepoError> {
        query(
            "SELECT seq, entry, leaf_hash, root_after FROM audit_log \
             WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(from)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read `audit_log`"))?
        .iter()
        .map(read_audit_row)
        .collect()
    }

    async fn audit_leaf_hashes(&self) -> Result<Vec<(i64, Vec<u8>)>, RepoError> {
        // Streamed: the log can hold millions of rows, and only the hashes are kept.
        let q = query("SELECT seq, leaf_hash FROM audit_log ORDER BY seq");
        let mut rows = q.fetch(&self.db);
        let mut out = Vec::new();
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(backend("cannot read the leaf hashes of `audit_log`"))?
        {
            out.push((row.get(0)?, row.get(1)?));
        }
        Ok(out)
    }

    async fn put_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), RepoError> {
        query("INSERT INTO audit_checkpoints (size, note, created_at) VALUES ($1, $2, $3)")
            .bind(checkpoint.size)
            .bind(checkpoint.note.as_str())
            .bind(checkpoint.created_at)
            .execute(&self.db)
            .await
            .map_err(|e| match sql::is_unique_violation(&e) {
                true => checks::checkpoint_taken(checkpoint.size),
                false => backend("cannot store a checkpoint")(e),
            })?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, RepoError> {
        query("SELECT size, note, created_at FROM audit_checkpoints ORDER BY size")
            .fetch_all(&self.db)
            .await
            .map_err(backend("cannot read `audit_checkpoints`"))?
            .iter()
            .map(read_checkpoint)
            .collect()
    }
}
