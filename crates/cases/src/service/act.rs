//! People acting on tickets: handlers work them, citizens judge them, operators triage
//! and supervise them.
//!
//! The HTTP edge has already checked that the caller's role may take the action at all
//! and may see the ticket; this checks what depends on the ticket: a handler acts for
//! the ticket's lead unit, a citizen evaluates only their own request, the status
//! allows the step (`lifecycle.rs`).

use chrono::{DateTime, Utc};
use citymirror_trust::{secret, Role};
use serde_json::json;

use super::{CaseError, CaseService};
use crate::{
    catalog::Service,
    lifecycle::{self, Action},
    place::locate,
    sla::Stage,
    ticket::{Actor, CategorySource, Status, Step, StepKind, Ticket, Verdict},
};

/// Who acts.
#[derive(Debug, Clone)]
pub struct Acting {
    /// As the step records it.
    pub actor: Actor,
    /// As the audit log names them (`user:admin`, `token:7`).
    pub audit_name: String,
    pub role: Option<Role>,
    /// The ticket's tracking token, for a submitter without an account.
    pub tracking_token: Option<String>,
}

impl Acting {
    pub fn system() -> Acting {
        Acting {
            actor: Actor::system(),
            audit_name: "system".into(),
            role: None,
            tracking_token: None,
        }
    }

    fn is_system(&self) -> bool {
        self.role.is_none() && self.actor.user.is_none() && self.actor.role == "system"
    }

    fn is_operator(&self) -> bool {
        matches!(self.role, Some(Role::Supervisor | Role::DistrictAdmin))
    }
}

/// What is done.
#[derive(Debug, Clone)]
pub struct Command {
    pub action: Action,
    pub note: Option<String>,
    pub verdict: Option<Verdict>,
    /// For `dispatch` from triage: the service an operator files the ticket under.
    pub service: Option<&'static Service>,
    /// For `dispatch` from triage: the unit, where the operator names one.
    pub unit: Option<String>,
    /// For `supervise`: the deadline the supervisor sets.
    pub due: Option<DateTime<Utc>>,
}

impl Command {
    pub fn new(action: Action) -> Command {
        Command {
            action,
            note: None,
            verdict: None,
            service: None,
            unit: None,
            due: None,
        }
    }

    pub fn note(mut self, note: &str) -> Command {
        self.note = Some(note.to_owned());
        self
    }
}

/// The longest note kept with a step.
const MAX_NOTE: usize = 2000;

impl CaseService {
    /// Whether `by` may take `action` on `t` (beyond what their role allows at all).
    fn may(&self, t: &Ticket, by: &Acting, action: Action) -> Result<(), CaseError> {
        let for_lead = by.actor.unit.is_some() && by.actor.unit == t.lead_unit;
        let own = match (by.actor.user, t.submitter) {
            (Some(u), Some(s)) if u == s => true,
            _ => by
                .tracking_token
                .as_deref()
                .is_some_and(|tok| secret::matches(tok, &t.tracking_digest)),
        };
        let ok = match action {
            Action::Accept
            | Action::Return
            | Action::Contact
            | Action::OnSite
            | Action::Resolve => for_lead || matches!(by.role, Some(Role::DistrictAdmin)),
            Action::Evaluate => own,
            Action::Dispatch | Action::Supervise | Action::Close => by.is_operator(),
            // The platform itself notes what its sources see (a sensor's alarm clearing).
            Action::Comment => by.role.is_some_and(|r| r != Role::Citizen) || own || by.is_system(),
        };
        match ok {
            true => Ok(()),
            false => Err(CaseError::Forbidden(match action {
                Action::Evaluate => "only the citizen who submitted a request evaluates it".into(),
                Action::Dispatch | Action::Supervise | Action::Close => {
                    format!(
                        "only supervisors and the district's administrators may {}",
                        action.as_str()
                    )
                }
                _ => format!(
                    "this ticket is led by {}; only its people may {}",
                    t.lead_unit.as_deref().unwrap_or("no unit yet"),
                    action.as_str()
                ),
            })),
        }
    }

    /// Takes `cmd` on ticket `id` as `by`; answers the ticket as stored after it.
    pub async fn act(&self, id: i64, by: &Acting, cmd: Command) -> Result<Ticket, CaseError> {
        let mut t = self.tickets.ticket(id).await?.ok_or(CaseError::NotFound)?;
        self.may(&t, by, cmd.action)?;
        let note = cmd
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(CaseError::Invalid(format!(
                "a note may have at most {MAX_NOTE} characters"
            )));
        }
        let needs_site = crate::catalog::service(&t.service_code).is_some_and(|s| s.needs_site);
        let next = lifecycle::next(t.status, cmd.action, needs_site, cmd.verdict)?;
        let now = self.now();
        let version = t.version;
        let history = self.tickets.steps(id).await?;
        let mut seq = history.last().map_or(0, |s| s.seq);
        let mut steps: Vec<Step> = Vec::new();
        let mut step = |kind: StepKind, actor: &Actor, note: Option<String>, detail| {
            seq += 1;
            steps.push(Step {
                id: 0,
                ticket_id: id,
                seq,
                at: now,
                kind,
                actor: actor.clone(),
                note,
                detail,
                audit_seq: None,
            });
        };
        let system = Actor::system();
        match cmd.action {
            Action::Accept => step(StepKind::Accepted, &by.actor, note, json!({})),
            Action::Contact => {
                t.timers.meet(Stage::Contact, now);
                step(StepKind::Contacted, &by.actor, note, json!({}));
            }
            Action::OnSite => {
                t.timers.meet(Stage::OnSite, now);
                step(StepKind::OnSite, &by.actor, note, json!({}));
            }
            Action::Resolve => {
                let note = note.ok_or_else(|| {
                    CaseError::Invalid("say what was done: a resolution needs a note".into())
                })?;
                t.timers.meet(Stage::Close, now);
                t.resolved_at = Some(now);
                step(StepKind::Resolved, &by.actor, Some(note), json!({}));
            }
            Action::Return => {
                let reason = note.ok_or_else(|| {
                    CaseError::Invalid("say why: a return (退单) needs a reason".into())
                })?;
                let unit = t.lead_unit.clone().unwrap_or_default();
                t.returned += 1;
                step(
                    StepKind::Returned,
                    &by.actor,
                    Some(reason),
                    json!({ "unit": unit }),
                );
                let mut excluded: Vec<String> = history
                    .iter()
                    .filter(|s| s.kind == StepKind::Returned)
                    .filter_map(|s| s.detail["unit"].as_str().map(str::to_owned))
                    .collect();
                excluded.push(unit);
                let service = crate::catalog::service(&t.service_code).ok_or_else(|| {
                    CaseError::Invalid(format!("unknown service `{}`", t.service_code))
                })?;
                self.redispatch(&mut t, service, &excluded, now, &mut step)
                    .await?;
            }
            Action::Evaluate => {
                let verdict = cmd.verdict.ok_or_else(|| {
                    CaseError::Invalid(
                        "a verdict is needed: satisfied, basically-satisfied or unsatisfied".into(),
                    )
                })?;
                t.verdict = Some(verdict);
                step(
                    StepKind::Evaluated,
                    &by.actor,
                    note,
                    json!({ "verdict": verdict.as_str() }),
                );
                if next == Status::Closed {
                    t.closed_at = Some(now);
                    step(
                        StepKind::Closed,
                        &system,
                        None,
                        json!({ "verdict": verdict.as_str() }),
                    );
                } else {
                    t.reopened += 1;
                    t.resolved_at = None;
                    t.timers = self.config.policy.reopen(
                        now,
                        t.urgency,
                        needs_site,
                        &self.config.calendar,
                    );
                    t.dispatched_at = Some(now);
                    step(
                        StepKind::Reopened,
                        &system,
                        None,
                        json!({ "lead": t.lead_unit }),
                    );
                }
            }
            Action::Dispatch => {
                let service = match cmd.service {
                    Some(s) => {
                        if s.code != t.service_code {
                            step(
                                StepKind::Reclassified,
                                &by.actor,
                                None,
                                json!({ "from": t.service_code, "to": s.code }),
                            );
                            t.service_code = s.code.to_owned();
                            t.family = s.family().code.to_owned();
                            t.category_source = CategorySource::Operator;
                            t.confidence = None;
                        }
                        s
                    }
                    None => crate::catalog::service(&t.service_code)
                        .filter(|s| s.family().code != "00")
                        .ok_or_else(|| {
                            CaseError::Invalid(
                                "this ticket has no category yet: name the service".into(),
                            )
                        })?,
                };
                match &cmd.unit {
                    Some(unit) => {
                        let units = self.org.units().await?;
                        if !units.iter().any(|u| &u.id == unit) {
                            return Err(CaseError::Invalid(format!("no unit `{unit}`")));
                        }
                        let people = self.org.people(unit).await?;
                        let person =
                            crate::dispatch::pick_person(&self.tickets.open_load(&people).await?);
                        self.assign(
                            &mut t,
                            unit.clone(),
                            Vec::new(),
                            person,
                            None,
                            now,
                            &mut step,
                        );
                    }
                    None => {
                        self.redispatch(&mut t, service, &[], now, &mut step)
                            .await?
                    }
                }
                if t.status == Status::Triage {
                    return Err(CaseError::Invalid(
                        "the matrix names no unit for this service here: name the unit".into(),
                    ));
                }
            }
            Action::Supervise => {
                t.supervised = true;
                t.supervision_due = cmd.due.or(t.supervision_due);
                step(
                    StepKind::Supervised,
                    &by.actor,
                    note,
                    json!({ "due": cmd.due.map(|d| d.to_rfc3339()) }),
                );
            }
            Action::Comment => {
                let note = note.ok_or_else(|| CaseError::Invalid("a comment needs text".into()))?;
                step(StepKind::Comment, &by.actor, Some(note), json!({}));
            }
            Action::Close => {
                t.closed_at = Some(now);
                step(StepKind::Closed, &by.actor, note, json!({}));
            }
        }
        if !matches!(cmd.action, Action::Return | Action::Dispatch) {
            t.status = next;
        }
        t.updated_at = now;
        self.store(&t, version, steps, &by.audit_name).await
    }

    /// Stores a changed ticket with its new steps, audits them, announces it.
    pub(crate) async fn store(
        &self,
        t: &Ticket,
        version: i64,
        steps: Vec<Step>,
        audit_name: &str,
    ) -> Result<Ticket, CaseError> {
        let ids = self.tickets.update_ticket(t, version, &steps).await?;
        let stored = Ticket {
            version: version + 1,
            ..t.clone()
        };
        self.audit_steps(&stored, &steps, &ids, audit_name).await?;
        self.changed(&stored);
        Ok(stored)
    }

    /// Routes `t` again (after a return, or from triage), passing over `excluded`.
    async fn redispatch(
        &self,
        t: &mut Ticket,
        service: &'static Service,
        excluded: &[String],
        now: DateTime<Utc>,
        step: &mut impl FnMut(StepKind, &Actor, Option<String>, serde_json::Value),
    ) -> Result<(), CaseError> {
        let located = locate(&self.twin, t.lon, t.lat);
        let route = match &located {
            Some(l) => self.route(service, l, excluded).await?,
            None => None,
        };
        match route {
            Some((r, person)) => {
                self.assign(t, r.lead, r.assist, person, Some(r.rule), now, step);
            }
            None => {
                t.status = Status::Triage;
                t.lead_unit = None;
                t.assignee = None;
                t.assisting.clear();
                t.timers.contact = None;
                t.timers.on_site = None;
                step(
                    StepKind::Triage,
                    &Actor::system(),
                    None,
                    json!({ "reason": "no unit is left to route this request to" }),
                );
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn assign(
        &self,
        t: &mut Ticket,
        lead: String,
        assist: Vec<String>,
        person: Option<i64>,
        rule: Option<usize>,
        now: DateTime<Utc>,
        step: &mut impl FnMut(StepKind, &Actor, Option<String>, serde_json::Value),
    ) {
        let needs_site = crate::catalog::service(&t.service_code).is_some_and(|s| s.needs_site);
        t.timers = self.config.policy.redispatch(&t.timers, now, needs_site);
        if t.timers.close.is_none() {
            let full = self.config.policy.start(
                t.created_at,
                now,
                t.urgency,
                needs_site,
                &self.config.calendar,
            );
            t.timers.close = full.close;
        }
        step(
            StepKind::Dispatched,
            &Actor::system(),
            None,
            json!({ "lead": lead, "assist": assist, "assignee": person, "rule": rule }),
        );
        t.status = Status::Dispatched;
        t.lead_unit = Some(lead);
        t.assisting = assist;
        t.assignee = person;
        t.dispatched_at = Some(now);
    }
}
