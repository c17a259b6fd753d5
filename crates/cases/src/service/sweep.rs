//! The periodic pass: timers that came due, audits a crash left unwritten, and resolved
//! tickets whose citizen did not answer in time.
//!
//! Everything it acts on is read from the store, so a pass after a restart finds what
//! the last one left: a timer due while the server was down warns and breaches on the
//! first pass after it comes back.

use chrono::Duration;
use serde::Serialize;
use serde_json::json;

use super::{audit::actor_name, CaseError, CaseService};
use crate::{
    repo::TicketQuery,
    sla::TimerEvent,
    ticket::{Actor, Status, Step, StepKind, Ticket},
};

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub warnings: usize,
    pub breaches: usize,
    pub audits_repaired: usize,
    pub closed_unanswered: usize,
}

/// How long a writer has to audit its own steps before the sweep takes over.
const AUDIT_GRACE_SECONDS: i64 = 30;

impl CaseService {
    /// One pass over everything due now.
    pub async fn sweep(&self) -> Result<SweepReport, CaseError> {
        let now = self.now();
        let mut report = SweepReport::default();
        for t in self.tickets.timers_due(now, 500).await? {
            match self.fire_timers(t, &mut report).await {
                // Someone acted on it meanwhile: the next pass sees the new version.
                Ok(()) | Err(CaseError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let missing = self
            .tickets
            .unaudited_steps(now - Duration::seconds(AUDIT_GRACE_SECONDS), 500)
            .await?;
        let mut i = 0;
        while i < missing.len() {
            let ticket_id = missing[i].ticket_id;
            let group: Vec<Step> = missing[i..]
                .iter()
                .take_while(|s| s.ticket_id == ticket_id)
                .cloned()
                .collect();
            i += group.len();
            if let Some(t) = self.tickets.ticket(ticket_id).await? {
                let ids: Vec<i64> = group.iter().map(|s| s.id).collect();
                self.audit_steps(&t, &group, &ids, &actor_name(&group[0]))
                    .await?;
                report.audits_repaired += group.len();
            }
        }
        let cutoff = now - self.config.evaluation_window;
        let resolved = self
            .tickets
            .list_tickets(&TicketQuery {
                statuses: vec![Status::Resolved],
                limit: 500,
                ..TicketQuery::default()
            })
            .await?;
        for mut t in resolved
            .into_iter()
            .filter(|t| t.resolved_at.is_some_and(|r| r <= cutoff))
        {
            let version = t.version;
            let seq = self.tickets.steps(t.id).await?.last().map_or(0, |s| s.seq) + 1;
            t.status = Status::Closed;
            t.closed_at = Some(now);
            t.updated_at = now;
            let step = Step {
                id: 0,
                ticket_id: t.id,
                seq,
                at: now,
                kind: StepKind::Closed,
                actor: Actor::system(),
                note: None,
                detail: json!({ "reason": "no verdict within the evaluation window" }),
                audit_seq: None,
            };
            match self.store(&t, version, vec![step], "system").await {
                Ok(_) => report.closed_unanswered += 1,
                Err(CaseError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Reports a ticket's due timers as steps; a breach escalates it to the
    /// supervisors (it is flagged for supervision).
    async fn fire_timers(&self, mut t: Ticket, report: &mut SweepReport) -> Result<(), CaseError> {
        let now = self.now();
        let events = t.timers.due(now);
        let version = t.version;
        let mut seq = self.tickets.steps(t.id).await?.last().map_or(0, |s| s.seq);
        let mut steps = Vec::new();
        let system = Actor::system();
        let mut push = |kind, detail| {
            seq += 1;
            steps.push(Step {
                id: 0,
                ticket_id: t.id,
                seq,
                at: now,
                kind,
                actor: system.clone(),
                note: None,
                detail,
                audit_seq: None,
            });
        };
        for e in &events {
            match *e {
                TimerEvent::Warning(stage) => {
                    report.warnings += 1;
                    let due = t.timers.timer(stage).map(|tm| tm.due.to_rfc3339());
                    push(
                        StepKind::TimerWarning,
                        json!({ "stage": stage.as_str(), "due": due }),
                    );
                }
                TimerEvent::Breach(stage) => {
                    report.breaches += 1;
                    push(StepKind::TimerBreach, json!({ "stage": stage.as_str() }));
                    push(
                        StepKind::Escalated,
                        json!({ "stage": stage.as_str(), "to": "supervisors" }),
                    );
                }
            }
        }
        for e in events {
            if matches!(e, TimerEvent::Breach(_)) {
                t.supervised = true;
            }
            t.timers.mark(e);
        }
        t.updated_at = now;
        self.store(&t, version, steps, "system").await.map(|_| ())
    }
}
