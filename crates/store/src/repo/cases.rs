//! The citizen-request loop's tickets: [`TicketRepo`] (migration 6). The classifier's
//! versions are in `models.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_cases::{
    catalog::{family, Urgency},
    repo::{Media, TicketFacts, TicketQuery, TicketRepo},
    sla::Timers,
    ticket::{Actor, CategorySource, PlaceRef, Status, Step, StepKind, Ticket, Verdict},
};
use citymirror_twin::RepoError;

use crate::{
    db::{query, Param, Row, SqlType},
    sql::{self, backend},
    Store,
};

/// The columns of `tickets`, in table order.
const TICKET_COLUMNS: [(&str, SqlType); 40] = {
    use SqlType::*;
    [
        ("id", Int),
        ("version", Int),
        ("channel", Text),
        ("source_ref", Text),
        ("service_code", Text),
        ("family", Text),
        ("category_source", Text),
        ("confidence", Float),
        ("urgency", Text),
        ("status", Text),
        ("title", Text),
        ("description", Text),
        ("lon", Float),
        ("lat", Float),
        ("address", Text),
        ("grid_code", Text),
        ("place_layer", Text),
        ("place_id", Int),
        ("place_name", Text),
        ("lead_unit", Text),
        ("assignee", Int),
        ("assisting", Text),
        ("submitter", Int),
        ("contact_name", Text),
        ("contact_phone", Text),
        ("tracking_digest", Bytes),
        ("created_at", Time),
        ("updated_at", Time),
        ("dispatched_at", Time),
        ("resolved_at", Time),
        ("closed_at", Time),
        ("timers", Text),
        ("next_timer_at", Time),
        ("verdict", Text),
        ("reopened", Int),
        ("returned", Int),
        ("duplicate_of", Int),
        ("supervised", Bool),
        ("supervision_due", Time),
        ("imported", Bool),
    ]
};

const STEP_COLUMNS: [(&str, SqlType); 11] = {
    use SqlType::*;
    [
        ("ticket_id", Int),
        ("seq", Int),
        ("at", Time),
        ("kind", Text),
        ("actor_user", Int),
        ("actor_role", Text),
        ("actor_unit", Text),
        ("note", Text),
        ("detail", Text),
        ("audit_seq", Int),
        ("imported", Bool),
    ]
};

fn names(columns: &[(&str, SqlType)]) -> String {
    columns
        .iter()
        .map(|(n, _)| sql::ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn select_tickets() -> String {
    format!("SELECT {} FROM tickets", names(&TICKET_COLUMNS))
}

/// A ticket's column values, in [`TICKET_COLUMNS`] order.
fn ticket_params<'a>(t: &'a Ticket, out: &mut Vec<Param<'a>>) -> Result<(), RepoError> {
    let timers = serde_json::to_string(&t.timers)
        .map_err(|e| RepoError::Backend(format!("cannot store timers: {e}")))?;
    out.extend([
        Param::from(t.id),
        t.version.into(),
        t.channel.as_str().into(),
        t.source_ref.as_deref().into(),
        t.service_code.as_str().into(),
        t.family.as_str().into(),
        t.category_source.as_str().into(),
        t.confidence.map(f64::from).into(),
        t.urgency.as_str().into(),
        t.status.as_str().into(),
        t.title.as_str().into(),
        t.description.as_str().into(),
        t.lon.into(),
        t.lat.into(),
        t.address.as_deref().into(),
        t.grid_code.as_deref().into(),
        t.place.as_ref().map(|p| p.layer.as_str()).into(),
        t.place.as_ref().map(|p| p.id).into(),
        t.place.as_ref().and_then(|p| p.name.as_deref()).into(),
        t.lead_unit.as_deref().into(),
        t.assignee.into(),
        t.assisting.join(",").into(),
        t.submitter.into(),
        t.contact_name.as_deref().into(),
        t.contact_phone.as_deref().into(),
        t.tracking_digest.as_slice().into(),
        t.created_at.into(),
        t.updated_at.into(),
        t.dispatched_at.into(),
        t.resolved_at.into(),
        t.closed_at.into(),
        timers.into(),
        t.timers.next_at().filter(|_| t.status.is_open()).into(),
        t.verdict.map(Verdict::as_str).into(),
        i64::from(t.reopened).into(),
        i64::from(t.returned).into(),
        t.duplicate_of.into(),
        t.supervised.into(),
        t.supervision_due.into(),
        t.imported.into(),
    ]);
    Ok(())
}

fn slug<T>(column: &str, s: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, RepoError> {
    parse(s).ok_or_else(|| RepoError::Corrupt(format!("`{column}` value `{s}`")))
}

fn read_ticket(row: &Row) -> Result<Ticket, RepoError> {
    let family_code: String = row.get("family")?;
    if family(&family_code).is_none() {
        return Err(RepoError::Corrupt(format!("family `{family_code}`")));
    }
    let timers: Timers = serde_json::from_str(row.get::<&str>("timers")?)
        .map_err(|e| RepoError::Corrupt(format!("timers: {e}")))?;
    let place = match (
        row.get::<Option<String>>("place_layer")?,
        row.get::<Option<i64>>("place_id")?,
    ) {
        (Some(layer), Some(id)) => Some(PlaceRef {
            layer,
            id,
            name: row.get("place_name")?,
        }),
        _ => None,
    };
    let assisting: String = row.get("assisting")?;
    let count = |c: &str| -> Result<u32, RepoError> { Ok(row.get::<i64>(c)?.max(0) as u32) };
    Ok(Ticket {
        id: row.get("id")?,
        version: row.get("version")?,
        channel: row.get("channel")?,
        source_ref: row.get("source_ref")?,
        service_code: row.get("service_code")?,
        family: family_code,
        category_source: slug(
            "category_source",
            row.get("category_source")?,
            CategorySource::parse,
        )?,
        confidence: row.get::<Option<f64>>("confidence")?.map(|c| c as f32),
        urgency: slug("urgency", row.get("urgency")?, Urgency::parse)?,
        status: slug("status", row.get("status")?, Status::parse)?,
        title: row.get("title")?,
        description: row.get("description")?,
        lon: row.get("lon")?,
        lat: row.get("lat")?,
        address: row.get("address")?,
        grid_code: row.get("grid_code")?,
        place,
        lead_unit: row.get("lead_unit")?,
        assignee: row.get("assignee")?,
        assisting: assisting
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        submitter: row.get("submitter")?,
        contact_name: row.get("contact_name")?,
        contact_phone: row.get("contact_phone")?,
        tracking_digest: row.get("tracking_digest")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        dispatched_at: row.get("dispatched_at")?,
        resolved_at: row.get("resolved_at")?,
        closed_at: row.get("closed_at")?,
        timers,
        verdict: row
            .get::<Option<&str>>("verdict")?
            .map(|v| slug("verdict", v, Verdict::parse))
            .transpose()?,
        reopened: count("reopened")?,
        returned: count("returned")?,
        duplicate_of: row.get("duplicate_of")?,
        supervised: row.get("supervised")?,
        supervision_due: row.get("supervision_due")?,
        imported: row.get("imported")?,
    })
}

/// A step's column values; `imported` for history taken over from an earlier system,
/// which was never audited here (and so is never "missing" its audit entry).
fn step_params<'a>(
    s: &'a Step,
    details: &'a [String],
    i: usize,
    imported: bool,
    out: &mut Vec<Param<'a>>,
) {
    out.extend([
        Param::from(s.ticket_id),
        i64::from(s.seq).into(),
        s.at.into(),
        s.kind.as_str().into(),
        s.actor.user.into(),
        s.actor.role.as_str().into(),
        s.actor.unit.as_deref().into(),
        s.note.as_deref().into(),
        details[i].as_str().into(),
        s.audit_seq.into(),
        imported.into(),
    ]);
}

fn read_step(row: &Row) -> Result<Step, RepoError> {
    Ok(Step {
        id: row.get("id")?,
        ticket_id: row.get("ticket_id")?,
        seq: row.get::<i64>("seq")?.max(0) as u32,
        at: row.get("at")?,
        kind: slug("kind", row.get("kind")?, StepKind::parse)?,
        actor: Actor {
            user: row.get("actor_user")?,
            role: row.get("actor_role")?,
            unit: row.get("actor_unit")?,
        },
        note: row.get("note")?,
        detail: serde_json::from_str(row.get::<&str>("detail")?)
            .map_err(|e| RepoError::Corrupt(format!("step detail: {e}")))?,
        audit_seq: row.get("audit_seq")?,
    })
}

const SELECT_STEPS: &str = "SELECT id, ticket_id, seq, at, kind, actor_user, actor_role, \
     actor_unit, note, detail, audit_seq FROM ticket_steps";

impl Store {
    /// Inserts `steps` in the transaction `tx` and returns their ids in order.
    async fn insert_steps(tx: &mut crate::db::Tx, steps: &[Step]) -> Result<Vec<i64>, RepoError> {
        let details: Vec<String> = steps.iter().map(|s| s.detail.to_string()).collect();
        let indexed: Vec<(usize, &Step)> = steps.iter().enumerate().collect();
        let rows = tx
            .insert_rows(
                "ticket_steps",
                &STEP_COLUMNS,
                &indexed,
                |(i, s), out| {
                    step_params(s, &details, *i, false, out);
                    Ok(())
                },
                "RETURNING id, ticket_id, seq",
                backend("cannot store ticket steps"),
            )
            .await?;
        // RETURNING promises no order: match each id back to its (ticket, seq).
        let mut ids = vec![0; steps.len()];
        for row in &rows {
            let (ticket, seq): (i64, i64) = (row.get(1)?, row.get(2)?);
            if let Some(i) = steps
                .iter()
                .position(|s| s.ticket_id == ticket && i64::from(s.seq) == seq)
            {
                ids[i] = row.get(0)?;
            }
        }
        Ok(ids)
    }
}

#[async_trait]
impl TicketRepo for Store {
    async fn insert_ticket(
        &self,
        ticket: &Ticket,
        steps: &[Step],
    ) -> Result<(i64, Vec<i64>), RepoError> {
        // The id is reserved in the ticket's own transaction: one commit, and one turn
        // in SQLite's writers' queue, per ticket.
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write to `tickets`"))?;
        let id: i64 = query(sql::reserve_ids("tickets"))
            .bind("tickets")
            .bind(1i64)
            .fetch_one(&mut tx)
            .await
            .map_err(backend("cannot reserve a ticket id"))?
            .get(0)?;
        let mut t = ticket.clone();
        t.id = id;
        let steps: Vec<Step> = steps
            .iter()
            .map(|s| Step {
                ticket_id: id,
                ..s.clone()
            })
            .collect();
        tx.insert_rows(
            "tickets",
            &TICKET_COLUMNS,
            std::slice::from_ref(&t),
            ticket_params,
            "",
            |e| match sql::is_unique_violation(&e) {
                true => RepoError::Conflict(format!(
                    "ticket from `{}` with reference `{}`",
                    t.channel,
                    t.source_ref.as_deref().unwrap_or_default()
                )),
                false => backend("cannot store a ticket")(e),
            },
        )
        .await?;
        let ids = Store::insert_steps(&mut tx, &steps).await?;
        tx.commit()
            .await
            .map_err(backend("cannot commit a ticket"))?;
        Ok((id, ids))
    }

    async fn ticket(&self, id: i64) -> Result<Option<Ticket>, RepoError> {
        query(format!("{} WHERE id = $1", select_tickets()))
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .map_err(backend(format_args!("cannot read ticket {id}")))?
            .as_ref()
            .map(read_ticket)
            .transpose()
    }

    async fn find_by_source(
        &self,
        channel: &str,
        source_ref: &str,
    ) -> Result<Option<Ticket>, RepoError> {
        query(format!(
            "{} WHERE channel = $1 AND source_ref = $2",
            select_tickets()
        ))
        .bind(channel)
        .bind(source_ref)
        .fetch_optional(&self.db)
        .await
        .map_err(backend("cannot look a ticket up by its source"))?
        .as_ref()
        .map(read_ticket)
        .transpose()
    }

    async fn update_ticket(
        &self,
        ticket: &Ticket,
        version: i64,
        steps: &[Step],
    ) -> Result<Vec<i64>, RepoError> {
        let mut stored = ticket.clone();
        stored.version = version + 1;
        let mut params = Vec::new();
        ticket_params(&stored, &mut params)?;
        // Every column but the id, then the id and the version it must still be at.
        let sets: Vec<String> = TICKET_COLUMNS[1..]
            .iter()
            .enumerate()
            .map(|(i, (n, _))| format!("{} = {}", sql::ident(n), sql::param(i + 1)))
            .collect();
        let n = TICKET_COLUMNS.len();
        let text = format!(
            "UPDATE tickets SET {} WHERE id = {} AND version = {}",
            sets.join(", "),
            sql::param(n),
            sql::param(n + 1)
        );
        params.rotate_left(1);
        let q = params
            .into_iter()
            .fold(query(text), |q, p| q.bind(p))
            .bind(version);
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write to `tickets`"))?;
        let changed = q
            .execute(&mut tx)
            .await
            .map_err(backend(format_args!("cannot update ticket {}", ticket.id)))?;
        if changed == 0 {
            return Err(RepoError::Conflict(format!(
                "a newer version of ticket {} (someone acted on it first; reload it)",
                ticket.id
            )));
        }
        let steps: Vec<Step> = steps
            .iter()
            .map(|s| Step {
                ticket_id: ticket.id,
                ..s.clone()
            })
            .collect();
        let ids = Store::insert_steps(&mut tx, &steps).await?;
        tx.commit()
            .await
            .map_err(backend("cannot commit a ticket"))?;
        Ok(ids)
    }

    async fn steps(&self, ticket: i64) -> Result<Vec<Step>, RepoError> {
        query(format!("{SELECT_STEPS} WHERE ticket_id = $1 ORDER BY seq"))
            .bind(ticket)
            .fetch_all(&self.db)
            .await
            .map_err(backend(format_args!(
                "cannot read the steps of ticket {ticket}"
            )))?
            .iter()
            .map(read_step)
            .collect()
    }

    async fn steps_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(Step, DateTime<Utc>, Status)>, RepoError> {
        query(
            "SELECT s.id, s.ticket_id, s.seq, s.at, s.kind, s.actor_user, s.actor_role, \
             s.actor_unit, s.note, s.detail, s.audit_seq, t.created_at AS ticket_created, \
             t.status AS ticket_status FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id \
             WHERE s.at >= $1 AND s.at < $2 ORDER BY s.at, s.id LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read ticket updates"))?
        .iter()
        .map(|row| {
            Ok((
                read_step(row)?,
                row.get("ticket_created")?,
                slug("status", row.get("ticket_status")?, Status::parse)?,
            ))
        })
        .collect()
    }

    async fn set_step_audit(&self, pairs: &[(i64, i64)]) -> Result<(), RepoError> {
        if pairs.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write to `ticket_steps`"))?;
        for (step, seq) in pairs {
            query("UPDATE ticket_steps SET audit_seq = $1 WHERE id = $2")
                .bind(*seq)
                .bind(*step)
                .execute(&mut tx)
                .await
                .map_err(backend("cannot record a step's audit entry"))?;
        }
        tx.commit()
            .await
            .map_err(backend("cannot commit to `ticket_steps`"))
    }

    async fn unaudited_steps(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Step>, RepoError> {
        query(
            "SELECT s.id, s.ticket_id, s.seq, s.at, s.kind, s.actor_user, s.actor_role, \
             s.actor_unit, s.note, s.detail, s.audit_seq FROM ticket_steps s \
             WHERE s.audit_seq IS NULL AND NOT s.imported AND s.at < $1 \
             ORDER BY s.id LIMIT $2",
        )
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read unaudited steps"))?
        .iter()
        .map(read_step)
        .collect()
    }

    async fn list_tickets(&self, q: &TicketQuery) -> Result<Vec<Ticket>, RepoError> {
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<Param> = Vec::new();
        let next = |p: Param<'static>, params: &mut Vec<Param>| {
            params.push(p);
            sql::param(params.len())
        };
        if !q.statuses.is_empty() {
            let list: Vec<String> = q
                .statuses
                .iter()
                .map(|s| next(s.as_str().into(), &mut params))
                .collect();
            conds.push(format!("status IN ({})", list.join(", ")));
        }
        if let Some(unit) = &q.unit {
            let a = next(unit.clone().into(), &mut params);
            let b = next(format!("%{unit}%").into(), &mut params);
            conds.push(format!("(lead_unit = {a} OR assisting LIKE {b})"));
        }
        if let Some(user) = q.assignee {
            conds.push(format!("assignee = {}", next(user.into(), &mut params)));
        }
        if let Some(range) = q.grid_prefix.as_deref().and_then(sql::PrefixRange::new) {
            conds.push(format!(
                "grid_code >= {}",
                next(range.lo.into(), &mut params)
            ));
            if let Some(hi) = range.hi {
                conds.push(format!("grid_code < {}", next(hi.into(), &mut params)));
            }
        }
        if let Some(user) = q.submitter {
            conds.push(format!("submitter = {}", next(user.into(), &mut params)));
        }
        if let Some(s) = &q.service {
            conds.push(format!(
                "service_code = {}",
                next(s.clone().into(), &mut params)
            ));
        }
        if let Some(t) = q.created_from {
            conds.push(format!("created_at >= {}", next(t.into(), &mut params)));
        }
        if let Some(t) = q.created_to {
            conds.push(format!("created_at < {}", next(t.into(), &mut params)));
        }
        if q.supervised {
            conds.push("supervised".into());
        }
        if let Some(id) = q.before_id {
            conds.push(format!("id < {}", next(id.into(), &mut params)));
        }
        let limit = next(i64::from(q.limit).into(), &mut params);
        let text = format!(
            "{}{}{} ORDER BY id DESC LIMIT {limit}",
            select_tickets(),
            if conds.is_empty() { "" } else { " WHERE " },
            conds.join(" AND ")
        );
        params
            .into_iter()
            .fold(query(text), |q, p| q.bind(p))
            .fetch_all(&self.db)
            .await
            .map_err(backend("cannot list tickets"))?
            .iter()
            .map(read_ticket)
            .collect()
    }

    async fn timers_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Ticket>, RepoError> {
        query(format!(
            "{} WHERE next_timer_at <= $1 ORDER BY next_timer_at LIMIT $2",
            select_tickets()
        ))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read due timers"))?
        .iter()
        .map(read_ticket)
        .collect()
    }

    async fn open_load(&self, users: &[i64]) -> Result<Vec<(i64, u64)>, RepoError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=users.len()).map(sql::param).collect();
        let text = format!(
            "SELECT assignee, COUNT(*) FROM tickets WHERE status <> 'closed' \
             AND assignee IN ({}) GROUP BY assignee",
            list.join(", ")
        );
        let rows = users
            .iter()
            .fold(query(text), |q, u| q.bind(*u))
            .fetch_all(&self.db)
            .await
            .map_err(backend("cannot count open tickets"))?;
        let mut out: Vec<(i64, u64)> = users.iter().map(|u| (*u, 0)).collect();
        for row in &rows {
            let (user, n): (i64, i64) = (row.get(0)?, row.get(1)?);
            if let Some(slot) = out.iter_mut().find(|(u, _)| *u == user) {
                slot.1 = n.max(0) as u64;
            }
        }
        Ok(out)
    }

    async fn open_near(&self, bbox: [f64; 4], limit: u32) -> Result<Vec<Ticket>, RepoError> {
        let [minx, miny, maxx, maxy] = bbox;
        query(format!(
            "{} WHERE status <> 'closed' AND lon BETWEEN $1 AND $2 AND lat BETWEEN $3 AND $4 \
             ORDER BY id DESC LIMIT $5",
            select_tickets()
        ))
        .bind(minx)
        .bind(maxx)
        .bind(miny)
        .bind(maxy)
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read tickets nearby"))?
        .iter()
        .map(read_ticket)
        .collect()
    }

    async fn put_media(
        &self,
        ticket: i64,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<i64, RepoError> {
        query(
            "INSERT INTO ticket_media (ticket_id, content_type, bytes, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(ticket)
        .bind(content_type)
        .bind(bytes)
        .bind(Utc::now())
        .fetch_one(&self.db)
        .await
        .map_err(backend(format_args!(
            "cannot store media of ticket {ticket}"
        )))?
        .get(0)
    }

    async fn media(&self, id: i64) -> Result<Option<Media>, RepoError> {
        query("SELECT id, ticket_id, content_type, bytes FROM ticket_media WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .map_err(backend(format_args!("cannot read media {id}")))?
            .map(|row| {
                Ok(Media {
                    id: row.get(0)?,
                    ticket_id: row.get(1)?,
                    content_type: row.get(2)?,
                    bytes: row.get(3)?,
                })
            })
            .transpose()
    }

    async fn media_of(&self, ticket: i64) -> Result<Vec<(i64, String)>, RepoError> {
        query("SELECT id, content_type FROM ticket_media WHERE ticket_id = $1 ORDER BY id")
            .bind(ticket)
            .fetch_all(&self.db)
            .await
            .map_err(backend(format_args!(
                "cannot list media of ticket {ticket}"
            )))?
            .iter()
            .map(|row| Ok((row.get(0)?, row.get(1)?)))
            .collect()
    }

    async fn facts(&self) -> Result<Vec<TicketFacts>, RepoError> {
        use futures_util::TryStreamExt as _;
        let q = query(
            "SELECT id, created_at, closed_at, channel, service_code, grid_code, status, \
             lead_unit, timers, verdict, returned, resolved_at FROM tickets ORDER BY id",
        );
        let mut rows = q.fetch(&self.db);
        let mut out = Vec::new();
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(backend("cannot read ticket facts"))?
        {
            out.push(TicketFacts {
                id: row.get(0)?,
                created_at: row.get(1)?,
                closed_at: row.get(2)?,
                channel: row.get(3)?,
                service_code: row.get(4)?,
                grid_code: row.get(5)?,
                status: slug("status", row.get(6)?, Status::parse)?,
                lead_unit: row.get(7)?,
                timers: serde_json::from_str(row.get::<&str>(8)?)
                    .map_err(|e| RepoError::Corrupt(format!("timers: {e}")))?,
                verdict: row
                    .get::<Option<&str>>(9)?
                    .map(|v| slug("verdict", v, Verdict::parse))
                    .transpose()?,
                returned: row.get::<i64>(10)?.max(0) as u32,
                resolved_at: row.get(11)?,
            });
        }
        Ok(out)
    }

    async fn count_tickets(&self) -> Result<u64, RepoError> {
        self.count("tickets").await
    }

    async fn import_tickets(&self, tickets: &[Ticket], steps: &[Step]) -> Result<(), RepoError> {
        if tickets.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write to `tickets`"))?;
        tx.insert_rows(
            "tickets",
            &TICKET_COLUMNS,
            tickets,
            ticket_params,
            "",
            backend("cannot import tickets"),
        )
        .await?;
        let details: Vec<String> = steps.iter().map(|s| s.detail.to_string()).collect();
        let indexed: Vec<(usize, &Step)> = steps.iter().enumerate().collect();
        tx.insert_rows(
            "ticket_steps",
            &STEP_COLUMNS,
            &indexed,
            |(i, s), out| {
                step_params(s, &details, *i, true, out);
                Ok(())
            },
            "",
            backend("cannot import ticket steps"),
        )
        .await?;
        tx.commit()
            .await
            .map_err(backend("cannot commit imported tickets"))
    }
}
