//! The audit log's storage: appended in order, never overwritten, read back whole.

use std::sync::Arc;

use chrono::Duration;
use citymirror_core::RepoError;
use citymirror_trust::{AuditRepo, AuditRow, StoredCheckpoint};

use crate::common::{now_millis, sample_audit_row, TestDb};

fn rows(seqs: std::ops::Range<i64>) -> Vec<AuditRow> {
    seqs.map(sample_audit_row).collect()
}

async fn all_rows(store: &impl AuditRepo) -> Vec<AuditRow> {
    store.audit_rows(0, u32::MAX).await.unwrap()
}

pub async fn the_audit_log_appends_and_reads_back(db: Arc<TestDb>) {
    let store = db.open().await;
    assert!(store.audit_leaf_hashes().await.unwrap().is_empty());
    store.append_audit(&[]).await.unwrap();
    store.append_audit(&rows(0..3)).await.unwrap();
    // A batch larger than one statement.
    store.append_audit(&rows(3..1_203)).await.unwrap();
    store.append_audit(&rows(1_203..1_204)).await.unwrap();

    let expected = rows(0..1_204);
    assert_eq!(all_rows(&store).await, expected);
    assert_eq!(store.audit_rows(0, 3).await.unwrap(), expected[..3]);
    assert_eq!(
        store.audit_rows(1_200, 10).await.unwrap(),
        expected[1_200..]
    );
    assert!(store.audit_rows(1_204, 10).await.unwrap().is_empty());
    let leaves: Vec<(i64, Vec<u8>)> = expected
        .iter()
        .map(|r| (r.seq, r.leaf_hash.clone()))
        .collect();
    assert_eq!(store.audit_leaf_hashes().await.unwrap(), leaves);
}

pub async fn a_taken_seq_fails_the_whole_batch(db: Arc<TestDb>) {
    let store = db.open().await;
    store.append_audit(&rows(0..5)).await.unwrap();
    let before = all_rows(&store).await;

    // Overlapping the stored log: refused whole, nothing overwritten.
    let mut overlap = rows(4..8);
    overlap[0].entry = r#"{"forged":true}"#.into();
    match store.append_audit(&overlap).await {
        Err(RepoError::Conflict(what)) => assert!(what.contains('4'), "{what}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // A gap after the stored log, a gap or a repeat inside a batch.
    assert!(store.append_audit(&rows(6..9)).await.is_err());
    let mut gap = rows(5..8);
    gap[2].seq = 9;
    assert!(store.append_audit(&gap).await.is_err());
    let mut repeat = rows(5..8);
    repeat[2].seq = 6;
    assert!(store.append_audit(&repeat).await.is_err());
    assert_eq!(all_rows(&store).await, before);

    // The log goes on where it stopped.
    store.append_audit(&rows(5..9)).await.unwrap();
    assert_eq!(all_rows(&store).await, rows(0..9));
}

/// Two writers appending the same seqs at once (two server processes on one
/// database): exactly one wins each time, and its rows are the ones kept.
pub async fn concurrent_appends_never_overwrite(db: Arc<TestDb>) {
    let store = db.open().await;
    for round in 0..10i64 {
        let seqs = round * 20..round * 20 + 20;
        let tasks: Vec<_> = (0..2)
            .map(|writer| {
                let store = store.clone();
                let mut batch = rows(seqs.clone());
                for r in &mut batch {
                    r.entry = format!(r#"{{"seq":{},"writer":{writer}}}"#, r.seq);
                }
                tokio::spawn(async move { (store.append_audit(&batch).await, batch) })
            })
            .collect();
        let mut won = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                (Ok(()), batch) => won.push(batch),
                (Err(RepoError::Conflict(_)), _) => {}
                (Err(e), _) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(won.len(), 1, "round {round}");
        let stored = store.audit_rows(seqs.start, 20).await.unwrap();
        assert_eq!(stored, won[0], "round {round}");
    }
    assert_eq!(store.audit_leaf_hashes().await.unwrap().len(), 200);
}

pub async fn checkpoints_are_kept_by_size(db: Arc<TestDb>) {
    let store = db.open().await;
    assert!(store.checkpoints().await.unwrap().is_empty());
    let now = now_millis();
    let checkpoint = |size: i64| StoredCheckpoint {
        size,
        note: format!("citymirror.futian/audit\n{size}\nbase64root=\n\n— citymirror sig{size}\n"),
        created_at: now - Duration::minutes(100 - size),
    };
    for size in [20, 5, 64] {
        store.put_checkpoint(&checkpoint(size)).await.unwrap();
    }
    let expected = vec![checkpoint(5), checkpoint(20), checkpoint(64)];
    assert_eq!(store.checkpoints().await.unwrap(), expected);

    // A size is signed once; a second note for it is refused, not stored over the first.
    let mut again = checkpoint(20);
    again.note = "another note".into();
    assert!(matches!(
        store.put_checkpoint(&again).await,
        Err(RepoError::Conflict(_))
    ));
    assert_eq!(store.checkpoints().await.unwrap(), expected);
}

/// The tables refuse changes even from a SQL client that goes around the store.
pub async fn the_audit_tables_refuse_updates_and_deletes(db: Arc<TestDb>) {
    let store = db.open().await;
    store.append_audit(&rows(0..3)).await.unwrap();
    store
        .put_checkpoint(&StoredCheckpoint {
            size: 3,
            note: "note".into(),
            created_at: now_millis(),
        })
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET entry = 'forged' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
        "UPDATE audit_checkpoints SET note = 'forged'",
        "DELETE FROM audit_checkpoints",
    ] {
        let err = db.raw_execute(sql).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    if store.backend_name() == "postgres" {
        for table in ["audit_log", "audit_checkpoints"] {
            let err = db
                .raw_execute(&format!("TRUNCATE {table}"))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("append-only"), "{table}: {err}");
        }
    }
    assert_eq!(all_rows(&store).await, rows(0..3));
    assert_eq!(store.checkpoints().await.unwrap().len(), 1);
}
