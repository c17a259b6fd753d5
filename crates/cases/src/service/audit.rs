//! Each step of a ticket is one audit entry, so that the history a citizen is shown can
//! be checked against the signed log by anyone holding the published key.
//!
//! The entry says everything the history shows of the step: `ticket.<kind>` on
//! `tickets/<number>`, with the step's place in the history, its time, the acting role
//! and unit, the note and the detail. A step altered in the tickets' tables no longer
//! matches its entry; an entry altered in the log no longer matches the tree.

use chrono::SecondsFormat;
use citymirror_trust::audit::NewEntry;
use serde_json::{json, Value};

use super::{CaseError, CaseService};
use crate::ticket::{Step, Ticket};

/// A step's note as the public sees it, and as its audit entry records it: masked for
/// the least entitled reader, so that the entry a citizen checks their history against
/// reveals nothing they may not read.
pub fn public_note(step: &Step) -> Option<String> {
    step.note.as_deref().map(|n| {
        citymirror_trust::mask::mask_text(n, citymirror_core::DataGrade::General(1)).into_owned()
    })
}

/// What an entry records of a step (its `detail`): exactly what the public history
/// shows of it.
pub fn step_record(step: &Step) -> Value {
    json!({
        "step": step.seq,
        "at": step.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "kind": step.kind.as_str(),
        "role": step.actor.role,
        "unit": step.actor.unit,
        "note": public_note(step),
        "detail": step.detail,
    })
}

/// The entry for `step` of the ticket numbered `number`.
pub fn step_entry(number: &str, step: &Step, actor: &str) -> NewEntry {
    NewEntry {
        actor: actor.to_owned(),
        action: format!("ticket.{}", step.kind.as_str()),
        target: format!("tickets/{number}"),
        detail: step_record(step),
    }
}

/// How a step's actor is named in the log when the name they acted under is not at
/// hand (a repaired audit after a crash).
pub(crate) fn actor_name(step: &Step) -> String {
    match step.actor.user {
        Some(id) => format!("user#{id}"),
        None => step.actor.role.clone(),
    }
}

impl CaseService {
    /// Appends `steps` (stored with `ids`) to the audit log and records their entries.
    pub(crate) async fn audit_steps(
        &self,
        ticket: &Ticket,
        steps: &[Step],
        ids: &[i64],
        actor: &str,
    ) -> Result<(), CaseError> {
        if steps.is_empty() {
            return Ok(());
        }
        let number = ticket.number();
        let entries = steps
            .iter()
            .map(|s| step_entry(&number, s, actor))
            .collect();
        let seqs = self.audit.append_all(entries).await?;
        let pairs: Vec<(i64, i64)> = ids
            .iter()
            .zip(seqs)
            .map(|(id, seq)| (*id, seq as i64))
            .collect();
        self.tickets.set_step_audit(&pairs).await?;
        Ok(())
    }
}
