//! Intake: from a checked submission to a dispatched (or triaged) ticket, in one call.

use citymirror_trust::secret;
use serde::Serialize;
use serde_json::json;

use super::{CaseError, CaseService, ModelState};
use crate::{
    catalog::{family_named, general_service, unclassified, Service, Urgency},
    channel::ChannelKind,
    classify::Message,
    dispatch::{pick_person, Place, Route},
    intake::{image_type, IntakeError, Submission},
    place::{locate, Located},
    similar::{candidates, Candidate},
    sla::Timers,
    ticket::{Actor, CategorySource, Status, Step, StepKind, Ticket},
};

/// What the submitter is told.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    #[serde(skip)]
    pub ticket: Ticket,
    pub number: String,
    /// The secret that lets whoever holds it follow and evaluate the ticket (shown
    /// once; `None` when the same request had been submitted before).
    pub tracking_token: Option<String>,
    /// False when the source had submitted this request before: the earlier ticket.
    pub created: bool,
    /// Open tickets nearby that look like the same request.
    pub similar: Vec<Candidate>,
}

/// How a submission is filed: the service, who decided, how sure, and whether it can
/// be dispatched at once.
struct Filing {
    service: &'static Service,
    source: CategorySource,
    confidence: Option<f32>,
    classified: Option<serde_json::Value>,
    /// Why it must wait for an operator, if it must.
    triage: Option<String>,
}

impl CaseService {
    fn file(&self, sub: &Submission) -> Filing {
        if let Some(service) = sub.service {
            let source = match sub.channel.kind {
                ChannelKind::Sensor | ChannelKind::Camera | ChannelKind::Inspection => {
                    CategorySource::Rule
                }
                _ => CategorySource::Submitter,
            };
            return Filing {
                service,
                source,
                confidence: None,
                classified: None,
                triage: None,
            };
        }
        let model = match self.model() {
            ModelState::Ready { version, model } => (version, model),
            ModelState::Missing(reason) => {
                return Filing {
                    service: unclassified(),
                    source: CategorySource::Classifier,
                    confidence: None,
                    classified: None,
                    triage: Some(reason),
                }
            }
        };
        let (version, model) = model;
        let p = model.predict(&Message::Raw {
            title: &sub.title,
            body: &sub.description,
        });
        let family = family_named(&p.category);
        let service = family.map_or_else(unclassified, general_service);
        let triage = match (family, p.confident) {
            (None, _) => Some(format!(
                "the classifier named `{}`, which no family is",
                p.category
            )),
            (Some(_), false) => Some(format!(
                "the classifier is {:.0}% sure of {}, below its threshold of {:.0}%",
                p.confidence * 100.0,
                p.category,
                model.threshold() * 100.0
            )),
            _ => None,
        };
        Filing {
            service,
            source: CategorySource::Classifier,
            confidence: Some(p.confidence),
            classified: Some(json!({
                "family": service.family().code,
                "service": service.code,
                "confidence": (f64::from(p.confidence) * 1000.0).round() / 1000.0,
                "model": version,
            })),
            triage,
        }
    }

    /// The route of `service` at a place, with the person to hand it to.
    pub(crate) async fn route(
        &self,
        service: &'static Service,
        located: &Located,
        excluded: &[String],
    ) -> Result<Option<(Route, Option<i64>)>, CaseError> {
        let place = Place {
            street: Some(located.path.street.code.to_string()),
            community: Some(located.path.community.code.to_string()),
            grid: Some(located.path.grid.code.to_string()),
            at: located.place.as_ref().map(|(_, k)| *k),
        };
        let units = self.org.units().await?;
        let Some(route) = self.matrix().route(service, &place, &units, excluded) else {
            return Ok(None);
        };
        let people = self.org.people(&route.lead).await?;
        let load = self.tickets.open_load(&people).await?;
        let person = pick_person(&load);
        Ok(Some((route, person)))
    }

    /// Takes a request in: checks it, locates it, files it under a service (the
    /// submitter's, or the classifier's when it is sure), routes it to its unit and
    /// person, starts its timers, stores it and audits its first steps. A request the
    /// source submitted before (same channel and reference) answers with that ticket.
    pub async fn submit(&self, mut sub: Submission) -> Result<Receipt, CaseError> {
        sub.validate()?;
        if let Some(r) = &sub.source_ref {
            if let Some(t) = self.tickets.find_by_source(sub.channel.code, r).await? {
                return Ok(Receipt {
                    number: t.number(),
                    ticket: t,
                    tracking_token: None,
                    created: false,
                    similar: Vec::new(),
                });
            }
        }
        let located = locate(&self.twin, sub.lon, sub.lat).ok_or(IntakeError::OutsideDistrict {
            lon: sub.lon,
            lat: sub.lat,
        })?;
        let now = self.now();
        let filing = self.file(&sub);
        let service = filing.service;
        let urgency = match (sub.urgency, service.urgency, sub.channel.urgency) {
            (Some(u), ..) => u,
            (None, Urgency::Urgent, _) | (None, _, Urgency::Urgent) => Urgency::Urgent,
            _ => Urgency::Normal,
        };
        let route = match &filing.triage {
            Some(_) => None,
            None => self.route(service, &located, &[]).await?,
        };
        let actor = sub.by.actor.clone();
        let system = Actor::system();
        let mut steps = vec![Step {
            id: 0,
            ticket_id: 0,
            seq: 1,
            at: now,
            kind: StepKind::Submitted,
            actor: actor.clone(),
            note: None,
            detail: json!({
                "channel": sub.channel.code,
                "service": sub.service.map(|s| s.code),
                "grid": located.path.grid.code.to_string(),
            }),
            audit_seq: None,
        }];
        let mut push = |kind, detail: serde_json::Value| {
            let seq = steps.len() as u32 + 1;
            steps.push(Step {
                id: 0,
                ticket_id: 0,
                seq,
                at: now,
                kind,
                actor: system.clone(),
                note: None,
                detail,
                audit_seq: None,
            });
        };
        if let Some(c) = filing.classified.clone() {
            push(StepKind::Classified, c);
        }
        let policy = &self.config.policy;
        let (status, timers, lead, assignee, assisting) = match &route {
            Some((r, person)) => {
                push(
                    StepKind::Dispatched,
                    json!({ "lead": r.lead, "assist": r.assist, "assignee": person, "rule": r.rule }),
                );
                let timers =
                    policy.start(now, now, urgency, service.needs_site, &self.config.calendar);
                (
                    Status::Dispatched,
                    timers,
                    Some(r.lead.clone()),
                    *person,
                    r.assist.clone(),
                )
            }
            None => {
                let reason = filing.triage.clone().unwrap_or_else(|| {
                    "the responsibility matrix names no unit for this request here".into()
                });
                push(StepKind::Triage, json!({ "reason": reason }));
                let full = policy.start(now, now, urgency, false, &self.config.calendar);
                let timers = Timers {
                    close: full.close,
                    ..Timers::default()
                };
                (Status::Triage, timers, None, None, Vec::new())
            }
        };
        let token = secret::random_secret();
        let similar = self.similar_to(&sub, service, &located).await?;
        let ticket = Ticket {
            id: 0,
            version: 0,
            channel: sub.channel.code.to_owned(),
            source_ref: sub.source_ref.clone(),
            service_code: service.code.to_owned(),
            family: service.family().code.to_owned(),
            category_source: filing.source,
            confidence: filing.confidence,
            urgency,
            status,
            title: sub.title.clone(),
            description: sub.description.clone(),
            lon: sub.lon,
            lat: sub.lat,
            address: sub.address.clone(),
            grid_code: Some(located.path.grid.code.to_string()),
            place: located.place.as_ref().map(|(p, _)| p.clone()),
            lead_unit: lead,
            assignee,
            assisting,
            submitter: sub.submitter,
            contact_name: sub.contact_name.clone(),
            contact_phone: sub.contact_phone.clone(),
            tracking_digest: secret::digest(&token).to_vec(),
            created_at: now,
            updated_at: now,
            dispatched_at: route.as_ref().map(|_| now),
            resolved_at: None,
            closed_at: None,
            timers,
            verdict: None,
            reopened: 0,
            returned: 0,
            duplicate_of: None,
            supervised: false,
            supervision_due: None,
            imported: false,
        };
        let (id, ids) = match self.tickets.insert_ticket(&ticket, &steps).await {
            Ok(ok) => ok,
            // The same source submitted it at the same moment: answer with theirs.
            Err(crate::repo::RepoError::Conflict(_)) if sub.source_ref.is_some() => {
                let r = sub.source_ref.as_deref().unwrap_or_default();
                let t = self
                    .tickets
                    .find_by_source(sub.channel.code, r)
                    .await?
                    .ok_or(CaseError::NotFound)?;
                return Ok(Receipt {
                    number: t.number(),
                    ticket: t,
                    tracking_token: None,
                    created: false,
                    similar: Vec::new(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let ticket = Ticket { id, ..ticket };
        for p in &sub.photos {
            let kind = image_type(&p.bytes).unwrap_or("application/octet-stream");
            self.tickets.put_media(id, kind, &p.bytes).await?;
        }
        let steps: Vec<Step> = steps
            .into_iter()
            .map(|s| Step { ticket_id: id, ..s })
            .collect();
        self.audit_steps(&ticket, &steps, &ids, &sub.by.audit_name)
            .await?;
        self.changed(&ticket);
        Ok(Receipt {
            number: ticket.number(),
            ticket,
            tracking_token: Some(token),
            created: true,
            similar,
        })
    }

    async fn similar_to(
        &self,
        sub: &Submission,
        service: &Service,
        located: &Located,
    ) -> Result<Vec<Candidate>, CaseError> {
        let radius = self.config.duplicate_radius_m;
        let pad_lat = radius / 110_574.0;
        let pad_lon = radius / (111_320.0 * sub.lat.to_radians().cos());
        let nearby = self
            .tickets
            .open_near(
                [
                    sub.lon - pad_lon,
                    sub.lat - pad_lat,
                    sub.lon + pad_lon,
                    sub.lat + pad_lat,
                ],
                200,
            )
            .await?;
        let family = (service.family().code != "00").then(|| service.family().code);
        Ok(candidates(
            (sub.lon, sub.lat),
            &sub.text(),
            family,
            located.place.as_ref().map(|(p, _)| p),
            &nearby,
            radius,
        ))
    }

    /// Open tickets that look like the request a citizen is about to file: what the
    /// H5 page offers to follow instead.
    pub async fn similar(&self, sub: &Submission) -> Result<Vec<(Candidate, Ticket)>, CaseError> {
        let located = locate(&self.twin, sub.lon, sub.lat).ok_or(IntakeError::OutsideDistrict {
            lon: sub.lon,
            lat: sub.lat,
        })?;
        let service = sub.service.unwrap_or_else(|| self.file(sub).service);
        let found = self.similar_to(sub, service, &located).await?;
        let mut out = Vec::new();
        for c in found {
            if let Some(t) = self.tickets.ticket(c.ticket_id).await? {
                out.push((c, t));
            }
        }
        Ok(out)
    }
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchReport {
    /// Lines checked.
    pub lines: usize,
    /// New tickets filed.
    pub created: usize,
    /// Lines whose source had filed them before (the same tickets).
    pub existing: usize,
}

impl CaseService {
    /// Checks a submission as intake would, without filing it: every check at the door,
    /// and that the place lies in the district.
    pub fn check(&self, sub: &mut Submission) -> Result<(), IntakeError> {
        sub.validate()?;
        match locate(&self.twin, sub.lon, sub.lat) {
            Some(_) => Ok(()),
            None => Err(IntakeError::OutsideDistrict {
                lon: sub.lon,
                lat: sub.lat,
            }),
        }
    }

    /// Files a batch all or nothing: every line is checked first, and if any fails
    /// nothing is filed and every failure is reported with its line. Lines whose
    /// source filed them before are answered with their tickets, so a batch cut short
    /// can be sent again. With `dry_run`, only checks.
    pub async fn submit_batch(
        &self,
        mut subs: Vec<(usize, Submission)>,
        dry_run: bool,
    ) -> Result<Result<BatchReport, Vec<crate::adapters::hotline::LineError>>, CaseError> {
        let mut errors = Vec::new();
        for (line, sub) in subs.iter_mut() {
            if let Err(e) = self.check(sub) {
                errors.push(crate::adapters::hotline::LineError::new(
                    *line,
                    e.code(),
                    e.to_string(),
                ));
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let mut report = BatchReport {
            lines: subs.len(),
            ..BatchReport::default()
        };
        if dry_run {
            return Ok(Ok(report));
        }
        for (_, sub) in subs {
            let r = self.submit(sub).await?;
            match r.created {
                true => report.created += 1,
                false => report.existing += 1,
            }
        }
        Ok(Ok(report))
    }
}
