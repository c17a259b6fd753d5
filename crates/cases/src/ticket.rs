//! The ticket: one request from intake to the citizen's verdict (一单到底).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{catalog::Urgency, sla::Timers};

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Waiting for an operator: the classifier was not sure, the matrix names no unit,
    /// or every unit returned it.
    Triage,
    /// Sent to its lead unit and person, not yet accepted.
    Dispatched,
    Accepted,
    /// The handler has spoken to the citizen.
    Contacted,
    /// The handler is (or was) at the place.
    OnSite,
    /// The handler says it is done; the citizen's verdict is awaited.
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Triage,
        Status::Dispatched,
        Status::Accepted,
        Status::Contacted,
        Status::OnSite,
        Status::Resolved,
        Status::Closed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Triage => "triage",
            Status::Dispatched => "dispatched",
            Status::Accepted => "accepted",
            Status::Contacted => "contacted",
            Status::OnSite => "on-site",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            Status::Triage => "待分拨",
            Status::Dispatched => "已派单",
            Status::Accepted => "已签收",
            Status::Contacted => "已联系",
            Status::OnSite => "已到场",
            Status::Resolved => "已办结",
            Status::Closed => "已关闭",
        }
    }

    /// Whether the ticket still needs work (Open311's `open`).
    pub const fn is_open(self) -> bool {
        !matches!(self, Status::Closed)
    }
}

/// Who filed the ticket under its service: the citizen (or their channel), the
/// classifier, an operator, or a rule of a sensor, camera or inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CategorySource {
    Submitter,
    Classifier,
    Operator,
    Rule,
}

impl CategorySource {
    pub const fn as_str(self) -> &'static str {
        match self {
            CategorySource::Submitter => "submitter",
            CategorySource::Classifier => "classifier",
            CategorySource::Operator => "operator",
            CategorySource::Rule => "rule",
        }
    }

    pub fn parse(s: &str) -> Option<CategorySource> {
        [
            CategorySource::Submitter,
            CategorySource::Classifier,
            CategorySource::Operator,
            CategorySource::Rule,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// The citizen's verdict on a resolved ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

impl Verdict {
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Satisfied => "satisfied",
            Verdict::BasicallySatisfied => "basically-satisfied",
            Verdict::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Satisfied,
            Verdict::BasicallySatisfied,
            Verdict::Unsatisfied,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            Verdict::Satisfied => "满意",
            Verdict::BasicallySatisfied => "基本满意",
            Verdict::Unsatisfied => "不满意",
        }
    }
}

/// A twin feature at the place of a ticket (the road, park, river or building it is
/// about), which the matrix may route by and duplicates may be matched on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceRef {
    pub layer: String,
    pub id: i64,
    pub name: Option<String>,
}

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ticket {
    pub id: i64,
    /// Bumped by every stored change: an update names the version it changes, so two
    /// people acting on one ticket at once cannot overwrite each other.
    #[serde(skip)]
    pub version: i64,
    pub channel: String,
    /// The source's own id for the request (a hotline call, an alarm, an Open311
    /// client's token): the same source and id are one ticket, however often sent.
    pub source_ref: Option<String>,
    pub service_code: String,
    pub family: String,
    pub category_source: CategorySource,
    pub confidence: Option<f32>,
    pub urgency: Urgency,
    pub status: Status,
    pub title: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub address: Option<String>,
    pub grid_code: Option<String>,
    pub place: Option<PlaceRef>,
    pub lead_unit: Option<String>,
    pub assignee: Option<i64>,
    pub assisting: Vec<String>,
    /// The citizen's account, when they were signed in.
    pub submitter: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// SHA-256 of the tracking token given to the submitter.
    #[serde(skip)]
    pub tracking_digest: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub timers: Timers,
    pub verdict: Option<Verdict>,
    pub reopened: u32,
    pub returned: u32,
    pub duplicate_of: Option<i64>,
    /// Flagged by a supervisor (督办), with the deadline they set.
    pub supervised: bool,
    pub supervision_due: Option<DateTime<Utc>>,
    /// Taken over from an earlier system (the generator's history): its steps were not
    /// audited here.
    #[serde(skip)]
    pub imported: bool,
}

/// What happened to a ticket: each step of its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    Submitted,
    Classified,
    Triage,
    Dispatched,
    Accepted,
    Returned,
    Contacted,
    OnSite,
    Resolved,
    Evaluated,
    Reopened,
    Closed,
    Reclassified,
    Supervised,
    Linked,
    TimerWarning,
    TimerBreach,
    Escalated,
    Comment,
}

impl StepKind {
    pub const ALL: [StepKind; 19] = [
        StepKind::Submitted,
        StepKind::Classified,
        StepKind::Triage,
        StepKind::Dispatched,
        StepKind::Accepted,
        StepKind::Returned,
        StepKind::Contacted,
        StepKind::OnSite,
        StepKind::Resolved,
        StepKind::Evaluated,
        StepKind::Reopened,
        StepKind::Closed,
        StepKind::Reclassified,
        StepKind::Supervised,
        StepKind::Linked,
        StepKind::TimerWarning,
        StepKind::TimerBreach,
        StepKind::Escalated,
        StepKind::Comment,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            StepKind::Submitted => "submitted",
            StepKind::Classified => "classified",
            StepKind::Triage => "triage",
            StepKind::Dispatched => "dispatched",
            StepKind::Accepted => "accepted",
            StepKind::Returned => "returned",
            StepKind::Contacted => "contacted",
            StepKind::OnSite => "on-site",
            StepKind::Resolved => "resolved",
            StepKind::Evaluated => "evaluated",
            StepKind::Reopened => "reopened",
            StepKind::Closed => "closed",
            StepKind::Reclassified => "reclassified",
            StepKind::Supervised => "supervised",
            StepKind::Linked => "linked",
            StepKind::TimerWarning => "timer-warning",
            StepKind::TimerBreach => "timer-breach",
            StepKind::Escalated => "escalated",
            StepKind::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            StepKind::Submitted => "受理",
            StepKind::Classified => "分类",
            StepKind::Triage => "转人工分拨",
            StepKind::Dispatched => "派单",
            StepKind::Accepted => "签收",
            StepKind::Returned => "退单",
            StepKind::Contacted => "联系市民",
            StepKind::OnSite => "到场处置",
            StepKind::Resolved => "办结",
            StepKind::Evaluated => "市民评价",
            StepKind::Reopened => "重办",
            StepKind::Closed => "关闭",
            StepKind::Reclassified => "改类",
            StepKind::Supervised => "督办",
            StepKind::Linked => "合并重复件",
            StepKind::TimerWarning => "时限预警",
            StepKind::TimerBreach => "超时",
            StepKind::Escalated => "升级督办",
            StepKind::Comment => "备注",
        }
    }
}

/// Who took a step: a user (with the role and unit they acted in), or the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user: Option<i64>,
    /// A role slug, or `system`.
    pub role: String,
    pub unit: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            user: None,
            role: "system".into(),
            unit: None,
        }
    }
}

/// One step of a ticket's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The step's row id (0 until stored).
    #[serde(skip)]
    pub id: i64,
    pub ticket_id: i64,
    /// The step's place in the ticket's history, from 1.
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub kind: StepKind,
    pub actor: Actor,
    /// Free text (a return's reason, a note to the citizen); may carry personal data
    /// and is masked on the way out.
    pub note: Option<String>,
    /// What changed, as a small JSON object (the unit dispatched to, the verdict…).
    pub detail: serde_json::Value,
    /// The audit log entry that records the step (its index in the Merkle tree).
    pub audit_seq: Option<i64>,
}

/// The public number of ticket `id` created at `at`: `FT`, the date in China, the id
/// (at least six digits).
pub fn ticket_number(id: i64, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&crate::calendar::cst());
    format!("FT{}{:06}", local.format("%Y%m%d"), id)
}

/// The ticket id a public number names, if it is well formed. The date is checked
/// against the ticket's creation when it is read: [`ticket_number`] must give the
/// number back, so that a number with another date names no ticket.
pub fn parse_ticket_number(number: &str) -> Option<i64> {
    let digits = number.strip_prefix("FT")?;
    if digits.len() < 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits[8..].parse().ok().filter(|&id| id > 0)
}

impl Ticket {
    pub fn number(&self) -> String {
        ticket_number(self.id, self.created_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for k in StepKind::ALL {
            assert_eq!(StepKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            Verdict::parse("basically-satisfied"),
            Some(Verdict::BasicallySatisfied)
        );
        assert!(Status::parse("done").is_none());
    }

    #[test]
    fn numbers_carry_the_date_in_china() {
        let t = DateTime::parse_from_rfc3339("2026-12-07T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // 01:30 on the 8th in Shenzhen.
        assert_eq!(ticket_number(123, t), "FT20261208000123");
        assert_eq!(parse_ticket_number("FT20261208000123"), Some(123));
        assert_eq!(parse_ticket_number("FT202612081234567"), Some(1_234_567));
        for bad in [
            "FT2026120800012",
            "ft20261208000123",
            "FT20261208000000",
            "FT2026120800012x",
        ] {
            assert_eq!(parse_ticket_number(bad), None, "{bad}");
        }
    }
}
