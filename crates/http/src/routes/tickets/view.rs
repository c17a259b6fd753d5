//! Who may see a ticket, and how it looks to them.
//!
//! Staff see tickets lying in their jurisdiction or routed to their unit (a department's
//! handlers: routed to their department); supervisors and administrators see all; a
//! citizen sees their own. Free text is masked to the reader's entitlement like every
//! other text; the citizen's name and number are graded (一般-3 and 一般-4) and shown
//! in full only to the people of the ticket's lead unit, who must call them back, and
//! every such read is audited.

use chrono::{DateTime, SecondsFormat, Utc};
use citymirror_cases::{
    catalog::{family, service},
    channel::channel,
    repo::TicketQuery,
    service::overdue,
    sla::{Stage, Timer},
    ticket::Ticket,
};
use citymirror_core::{DataGrade, Value};
use citymirror_trust::{mask, Actor, Principal, Role};
use serde_json::{json, Value as Json};

use crate::AppState;

/// The grade of a citizen's name, and of their number, on a ticket.
const NAME_GRADE: DataGrade = DataGrade::General(3);
const PHONE_GRADE: DataGrade = DataGrade::General(4);

/// The caller's account id, if they are a signed-in user.
pub(crate) fn user_id(who: &Principal) -> Option<i64> {
    match &who.actor {
        Actor::User { id, .. } => Some(*id),
        _ => None,
    }
}

fn involves(t: &Ticket, unit: &str) -> bool {
    t.lead_unit.as_deref() == Some(unit) || t.assisting.iter().any(|u| u == unit)
}

/// Whether `who` may read `t` in full (masked).
pub(crate) fn can_read(who: &Principal, t: &Ticket) -> bool {
    match who.role {
        Some(Role::Supervisor | Role::DistrictAdmin) => true,
        Some(Role::DepartmentHandler) => who.unit.as_deref().is_some_and(|u| involves(t, u)),
        Some(Role::StreetStaff | Role::CommunityStaff | Role::GridWorker) => {
            t.grid_code.as_deref().is_some_and(|g| who.covers(g))
                || who.unit.as_deref().is_some_and(|u| involves(t, u))
        }
        Some(Role::Citizen) => user_id(who).is_some_and(|u| t.submitter == Some(u)),
        _ => false,
    }
}

/// Narrows a list to what `who` may read.
pub(crate) fn scope_query(who: &Principal, q: &mut TicketQuery) {
    match who.role {
        Some(Role::Supervisor | Role::DistrictAdmin) => {}
        Some(Role::DepartmentHandler) => q.unit = who.unit.clone().or(Some(String::new())),
        Some(Role::StreetStaff | Role::CommunityStaff | Role::GridWorker) => {
            let own = who.jurisdiction.as_ref().map(|j| j.code().to_string());
            q.grid_prefix = match (q.grid_prefix.take(), own) {
                // A narrower area inside the jurisdiction stays; anything else is cut to it.
                (Some(asked), Some(own)) if asked.starts_with(&own) => Some(asked),
                (_, own) => Some(own.unwrap_or_else(|| "-".into())),
            };
        }
        Some(Role::Citizen) => q.submitter = Some(user_id(who).unwrap_or(-1)),
        _ => q.submitter = Some(-1),
    }
}

/// Whether `who` acts for the ticket's lead unit (and so reads the citizen's contact).
pub(crate) fn is_lead(who: &Principal, t: &Ticket) -> bool {
    who.unit.is_some() && who.unit == t.lead_unit
}

pub(crate) fn millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn text(s: &str, grade: DataGrade) -> String {
    mask::mask_text(s, grade).into_owned()
}

fn graded(v: Option<&str>, grade: DataGrade, entitlement: DataGrade) -> Json {
    match v {
        None => Json::Null,
        Some(s) => match mask::mask_value(&Value::Text(s.to_owned()), grade, entitlement) {
            Value::Text(t) => Json::String(t),
            _ => Json::Null,
        },
    }
}

fn timer(t: Option<&Timer>) -> Json {
    match t {
        None => Json::Null,
        Some(t) => json!({
            "started": millis(t.started),
            "due": millis(t.due),
            "met_at": t.met_at.map(millis),
            "on_time": t.on_time(),
            "warned": t.warned,
            "breached": t.breached,
        }),
    }
}

fn unit_json(state: &AppState, id: &str) -> Json {
    json!({
        "id": id,
        "name": state.security.org.unit(id).map(|u| u.name.clone()),
    })
}

/// What anyone may know of a ticket: Open311's public view, the tracking page. No
/// contact details; free text masked as for the public.
pub(crate) fn public_json(state: &AppState, t: &Ticket, now: DateTime<Utc>) -> Json {
    let s = service(&t.service_code);
    let f = family(&t.family);
    json!({
        "number": t.number(),
        "status": t.status.as_str(),
        "status_label": t.status.label_zh(),
        "service": { "code": t.service_code, "name": s.map(|s| s.name_zh), "name_en": s.map(|s| s.name_en) },
        "family": { "code": t.family, "name": f.map(|f| f.name_zh), "name_en": f.map(|f| f.name_en) },
        "title": text(&t.title, DataGrade::General(1)),
        "description": text(&t.description, DataGrade::General(1)),
        "lon": t.lon,
        "lat": t.lat,
        "address": t.address.as_deref().map(|a| text(a, DataGrade::General(1))),
        "grid_code": t.grid_code,
        "lead_unit": t.lead_unit.as_deref().map(|u| unit_json(state, u)),
        "urgency": t.urgency.as_str(),
        "created_at": millis(t.created_at),
        "updated_at": millis(t.updated_at),
        "resolved_at": t.resolved_at.map(millis),
        "closed_at": t.closed_at.map(millis),
        "overdue": overdue(t, now),
        "verdict": t.verdict.map(|v| v.as_str()),
    })
}

/// A ticket as staff see it, masked to `who`.
pub(crate) fn ticket_json(
    state: &AppState,
    t: &Ticket,
    who: &Principal,
    media: &[(i64, String)],
    now: DateTime<Utc>,
) -> Json {
    let e = who.entitlement();
    // The citizen's number is for the people who must call them back: everyone else
    // reads it masked, however entitled they are to residents' data.
    let contact_grade = if is_lead(who, t) {
        DataGrade::General(4)
    } else {
        e.min(DataGrade::General(3))
    };
    let channel = channel(&t.channel);
    let mut v = public_json(state, t, now);
    let extra = json!({
        "id": t.id,
        "title": text(&t.title, e),
        "description": text(&t.description, e),
        "address": t.address.as_deref().map(|a| text(a, e)),
        "channel": { "code": t.channel, "name": channel.map(|c| c.name_zh), "name_en": channel.map(|c| c.name_en) },
        // What the channel knows the request by (a hotline call id, a sensor alarm's
        // `alarm:<datastream>:<raised at ms>`): no one's data, yet masked like all text.
        "source_ref": t.source_ref.as_deref().map(|r| text(r, e)),
        "category_source": t.category_source.as_str(),
        "confidence": t.confidence,
        "place": t.place.as_ref().map(|p| json!({ "layer": p.layer, "id": p.id, "name": p.name })),
        "assignee": t.assignee,
        "assisting": t.assisting.iter().map(|u| unit_json(state, u)).collect::<Vec<_>>(),
        "contact": {
            "name": graded(t.contact_name.as_deref(), NAME_GRADE, contact_grade),
            "phone": graded(t.contact_phone.as_deref(), PHONE_GRADE, contact_grade),
        },
        "dispatched_at": t.dispatched_at.map(millis),
        "timers": {
            "contact": timer(t.timers.timer(Stage::Contact)),
            "on_site": timer(t.timers.timer(Stage::OnSite)),
            "close": timer(t.timers.timer(Stage::Close)),
        },
        "reopened": t.reopened,
        "returned": t.returned,
        "duplicate_of": t.duplicate_of,
        "supervised": t.supervised,
        "supervision_due": t.supervision_due.map(millis),
        "version": t.version,
        "media": media.iter().map(|(id, ty)| json!({
            "id": id,
            "type": ty,
            "href": format!("/api/v1/tickets/{}/media/{id}", t.number()),
        })).collect::<Vec<_>>(),
    });
    if let (Json::Object(base), Json::Object(more)) = (&mut v, extra) {
        base.extend(more);
    }
    v
}
