//! What the request loop needs stored: the ports the store implements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
pub use citymirror_core::RepoError;

use crate::{
    classify::Example,
    ticket::{Status, Step, Ticket},
};

/// Which tickets a list holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketQuery {
    /// Any of these statuses (all when empty).
    pub statuses: Vec<Status>,
    /// Led by this unit, or assisted by it.
    pub unit: Option<String>,
    pub assignee: Option<i64>,
    /// Lying in grids whose code starts with this.
    pub grid_prefix: Option<String>,
    pub submitter: Option<i64>,
    pub service: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Only tickets a supervisor flagged, or whose timers breached.
    pub supervised: bool,
    /// Newest first: ids below this one.
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// A photo or other file attached to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: i64,
    pub ticket_id: i64,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The compact facts of a ticket that statistics are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFacts {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub channel: String,
    pub service_code: String,
    pub grid_code: Option<String>,
    pub status: Status,
    pub lead_unit: Option<String>,
    pub timers: crate::sla::Timers,
    pub verdict: Option<crate::ticket::Verdict>,
    pub returned: u32,
}

#[async_trait]
pub trait TicketRepo: Send + Sync + std::fmt::Debug {
    /// Stores a new ticket and its first steps in one transaction and returns its id
    /// and the steps' ids. A ticket from the same channel with the same `source_ref`
    /// is refused with [`RepoError::Conflict`].
    async fn insert_ticket(
        &self,
        ticket: &Ticket,
        steps: &[Step],
    ) -> Result<(i64, Vec<i64>), RepoError>;

    async fn ticket(&self, id: i64) -> Result<Option<Ticket>, RepoError>;

    async fn find_by_source(
        &self,
        channel: &str,
        source_ref: &str,
    ) -> Result<Option<Ticket>, RepoError>;

    /// Stores `ticket` if it is still at `version` (then at `version + 1`) and appends
    /// `steps`, in one transaction; returns the steps' ids. [`RepoError::Conflict`]
    /// when someone else changed it first.
    async fn update_ticket(
        &self,
        ticket: &Ticket,
        version: i64,
        steps: &[Step],
    ) -> Result<Vec<i64>, RepoError>;

    /// A ticket's history, in order.
    async fn steps(&self, ticket: i64) -> Result<Vec<Step>, RepoError>;

    /// Steps taken within `[from, to)`, oldest first, each with its ticket's creation
    /// time (which its public number needs) and status: the updates other systems poll.
    async fn steps_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(Step, DateTime<Utc>, Status)>, RepoError>;

    /// Records which audit entry holds each step.
    async fn set_step_audit(&self, pairs: &[(i64, i64)]) -> Result<(), RepoError>;

    /// Steps of tickets taken in here (not imported) that have no audit entry and were
    /// taken before `before`: left so by a crash between storing and auditing.
    async fn unaudited_steps(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Step>, RepoError>;

    async fn list_tickets(&self, query: &TicketQuery) -> Result<Vec<Ticket>, RepoError>;

    /// Open tickets with a timer due at or before `now`, soonest first.
    async fn timers_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Ticket>, RepoError>;

    /// How many open tickets each of `users` is assigned.
    async fn open_load(&self, users: &[i64]) -> Result<Vec<(i64, u64)>, RepoError>;

    /// Open tickets inside a box (lon/lat), newest first: the candidates for a
    /// duplicate.
    async fn open_near(&self, bbox: [f64; 4], limit: u32) -> Result<Vec<Ticket>, RepoError>;

    async fn put_media(
        &self,
        ticket: i64,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<i64, RepoError>;

    async fn media(&self, id: i64) -> Result<Option<Media>, RepoError>;

    /// The ids and content types of a ticket's media.
    async fn media_of(&self, ticket: i64) -> Result<Vec<(i64, String)>, RepoError>;

    /// Every ticket's facts, for the statistics held in memory.
    async fn facts(&self) -> Result<Vec<TicketFacts>, RepoError>;

    async fn count_tickets(&self) -> Result<u64, RepoError>;

    /// Stores many tickets with their steps at once (history taken over from an older
    /// system), keeping their ids.
    async fn import_tickets(&self, tickets: &[Ticket], steps: &[Step]) -> Result<(), RepoError>;
}

/// A stored classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredModel {
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// What it was trained on and how it measured, as JSON.
    pub summary: serde_json::Value,
    pub bytes: Vec<u8>,
}

#[async_trait]
pub trait ModelRepo: Send + Sync + std::fmt::Debug {
    /// Stores a new version and returns its number.
    async fn put_model(&self, bytes: &[u8], summary: &serde_json::Value) -> Result<i64, RepoError>;

    async fn latest_model(&self) -> Result<Option<StoredModel>, RepoError>;

    /// The latest version's number, without its bytes.
    async fn latest_model_version(&self) -> Result<Option<i64>, RepoError>;

    /// What operators re-classified: each ticket whose family an operator set, as a
    /// labelled example (the feedback loop).
    async fn corrections(&self) -> Result<Vec<Example>, RepoError>;
}
