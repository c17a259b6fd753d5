//! What both backends check before writing trust and audit rows, so that they refuse
//! the same batches with the same errors.

use std::collections::HashSet;

use citymirror_trust::{AuditRow, NewUser, Unit};
use citymirror_twin::RepoError;

/// The error for a user name that is taken. The message is a noun phrase: the HTTP
/// edge shows it to clients as "… already exists".
pub(crate) fn username_taken(username: &str) -> RepoError {
    RepoError::Conflict(format!("user name `{username}`"))
}

/// Refuses a batch that names the same user twice, before anything is written.
pub(crate) fn distinct_usernames(users: &[NewUser]) -> Result<(), RepoError> {
    let mut seen = HashSet::with_capacity(users.len());
    match users.iter().find(|u| !seen.insert(u.username.as_str())) {
        Some(u) => Err(username_taken(&u.username)),
        None => Ok(()),
    }
}

/// The units to write, each id once: where a batch repeats an id the last one wins,
/// as it would if they were written one after another.
pub(crate) fn last_of_each_unit(units: &[Unit]) -> Vec<&Unit> {
    let mut seen = HashSet::with_capacity(units.len());
    let mut out: Vec<&Unit> = units
        .iter()
        .rev()
        .filter(|u| seen.insert(u.id.as_str()))
        .collect();
    out.reverse();
    out
}

pub(crate) fn audit_seq_taken(seq: i64) -> RepoError {
    RepoError::Conflict(format!("audit entry {seq}"))
}

pub(crate) fn checkpoint_taken(size: i64) -> RepoError {
    RepoError::Conflict(format!("checkpoint of size {size}"))
}

/// Refuses an audit batch whose seqs are not consecutive: the log is a Merkle tree's
/// leaves, and a gap or a repeat would make it unverifiable.
pub(crate) fn consecutive(rows: &[AuditRow]) -> Result<(), RepoError> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    for (i, row) in rows.iter().enumerate() {
        if Some(row.seq) != first.seq.checked_add(i as i64) {
            return Err(RepoError::Backend(format!(
                "audit rows must have consecutive seqs: row {i} of the batch has seq {} after {}",
                row.seq, first.seq
            )));
        }
    }
    Ok(())
}

/// Checks that a batch starting at `first` follows the last stored seq (`None` when
/// the log is empty, so the first entry is 0). Read in the writing transaction; the
/// primary key still refuses a seq that a concurrent writer took in between.
pub(crate) fn follows(first: i64, last: Option<i64>) -> Result<(), RepoError> {
    let next = last.map_or(0, |l| l + 1);
    if first < next {
        Err(audit_seq_taken(first))
    } else if first > next {
        Err(RepoError::Backend(format!(
            "audit entry {first} would leave a gap: the next entry of the log is {next}"
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64) -> AuditRow {
        AuditRow {
            seq,
            entry: "{}".into(),
            leaf_hash: vec![0; 32],
            root_after: vec![1; 32],
        }
    }

    #[test]
    fn audit_batches_must_continue_the_log() {
        assert!(consecutive(&[]).is_ok());
        assert!(consecutive(&[row(3), row(4), row(5)]).is_ok());
        assert!(consecutive(&[row(3), row(5)]).is_err());
        assert!(consecutive(&[row(3), row(3)]).is_err());
        assert!(follows(0, None).is_ok());
        assert!(follows(8, Some(7)).is_ok());
        assert!(matches!(follows(7, Some(7)), Err(RepoError::Conflict(_))));
        assert!(matches!(follows(9, Some(7)), Err(RepoError::Backend(_))));
        assert!(matches!(follows(1, None), Err(RepoError::Backend(_))));
    }
}
