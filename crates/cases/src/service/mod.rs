//! [`CaseService`]: the one place tickets change.
//!
//! Intake (`submit.rs`) locates, classifies, routes and stores a request and audits its
//! first steps; people act on tickets through `act.rs` (accept, return, contact, visit,
//! resolve, evaluate, triage, supervise); `sweep.rs` runs the timers and repairs audits
//! a crash interrupted. Every change is stored first (with the version it changes),
//! then each new step is appended to the audit log and the step is told which entry
//! holds it, then the change is announced on [`CaseService::subscribe`] and counted in
//! the statistics. A caller is answered only after the audit entries are committed.

mod act;
mod audit;
mod submit;
mod sweep;

pub use sweep::SweepReport;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use citymirror_trust::audit::{AuditError, AuditLog};
use citymirror_twin::Twin;
use serde::Serialize;
use tokio::sync::broadcast;

pub use act::{Acting, Command};
pub use audit::{public_note, step_entry, step_record};
pub use submit::{BatchReport, Receipt};

use crate::{
    calendar::WorkCalendar,
    classify::Classifier,
    clock::Clock,
    dispatch::Matrix,
    intake::IntakeError,
    lifecycle::NotNow,
    org::OrgDirectory,
    repo::{ModelRepo, RepoError, TicketRepo},
    sla::SlaPolicy,
    stats::Stats,
    ticket::{Status, Ticket},
};

/// How the loop runs, beyond its parts.
#[derive(Debug, Clone)]
pub struct CaseConfig {
    pub policy: SlaPolicy,
    pub calendar: WorkCalendar,
    /// How near an open ticket must be to be offered as a duplicate, in metres.
    pub duplicate_radius_m: f64,
    /// How long a resolved ticket waits for the citizen's verdict before it closes.
    pub evaluation_window: chrono::Duration,
}

impl Default for CaseConfig {
    fn default() -> CaseConfig {
        CaseConfig {
            policy: SlaPolicy::default(),
            calendar: WorkCalendar::new(),
            duplicate_radius_m: crate::similar::DEFAULT_RADIUS_M,
            evaluation_window: chrono::Duration::days(3),
        }
    }
}

/// Why a request or an action failed. The HTTP edge maps these to status codes.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// No such ticket, or not one the caller may see (the same answer for both).
    #[error("no such ticket")]
    NotFound,
    #[error(transparent)]
    NotNow(#[from] NotNow),
    /// Someone else changed the ticket first.
    #[error("{0}")]
    Conflict(String),
    /// The caller may see the ticket but not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// The command itself is wrong (a missing reason, an unknown service).
    #[error("{0}")]
    Invalid(String),
    #[error("storage: {0}")]
    Repo(RepoError),
    #[error("audit log: {0}")]
    Audit(#[from] AuditError),
}

impl From<RepoError> for CaseError {
    fn from(e: RepoError) -> CaseError {
        match e {
            RepoError::Conflict(m) => CaseError::Conflict(m),
            other => CaseError::Repo(other),
        }
    }
}

/// Whether a classifier is loaded, and if not, why (the workbench says it).
#[derive(Debug, Clone)]
pub enum ModelState {
    Ready {
        version: i64,
        model: Arc<Classifier>,
    },
    Missing(String),
}

impl ModelState {
    /// Whether none was ever trained (a fresh district, not a fault: operators file by
    /// hand), as opposed to a stored version that does not load.
    pub fn untrained(&self) -> bool {
        matches!(self, ModelState::Missing(why) if why.starts_with(UNTRAINED))
    }
}

const UNTRAINED: &str = "no classifier has been trained";

/// A ticket changed: what a live map or workbench needs to refresh it (ids and places
/// only; details are read through the masked API).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketChange {
    pub id: i64,
    pub status: Status,
    pub lead_unit: Option<String>,
    pub grid_code: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub overdue: bool,
}

impl TicketChange {
    pub fn of(t: &Ticket, now: DateTime<Utc>) -> TicketChange {
        TicketChange {
            id: t.id,
            status: t.status,
            lead_unit: t.lead_unit.clone(),
            grid_code: t.grid_code.clone(),
            lon: t.lon,
            lat: t.lat,
            overdue: overdue(t, now),
        }
    }
}

/// Whether an open ticket has a timer past its deadline and not met.
pub fn overdue(t: &Ticket, now: DateTime<Utc>) -> bool {
    t.status.is_open()
        && crate::sla::Stage::ALL.into_iter().any(|s| {
            t.timers
                .timer(s)
                .is_some_and(|tm| tm.met_at.is_none() && tm.due <= now)
        })
}

#[derive(Debug)]
pub struct CaseService {
    pub(crate) tickets: Arc<dyn TicketRepo>,
    pub(crate) models: Arc<dyn ModelRepo>,
    pub(crate) twin: Arc<Twin>,
    pub(crate) org: Arc<dyn OrgDirectory>,
    pub(crate) audit: AuditLog,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: CaseConfig,
    model: RwLock<ModelState>,
    matrix: RwLock<Arc<Matrix>>,
    changes: broadcast::Sender<TicketChange>,
    pub(crate) stats: RwLock<Stats>,
}

/// The parts a service is built from.
#[derive(Debug)]
pub struct CaseParts {
    pub tickets: Arc<dyn TicketRepo>,
    pub models: Arc<dyn ModelRepo>,
    pub twin: Arc<Twin>,
    pub org: Arc<dyn OrgDirectory>,
    pub audit: AuditLog,
    pub clock: Arc<dyn Clock>,
    pub config: CaseConfig,
    pub matrix: Matrix,
}

impl CaseService {
    /// Builds the service: loads the latest classifier and every ticket's facts.
    pub async fn open(parts: CaseParts) -> Result<CaseService, CaseError> {
        let model = match parts.models.latest_model().await? {
            Some(stored) => match Classifier::from_bytes(&stored.bytes) {
                Ok(m) => ModelState::Ready {
                    version: stored.version,
                    model: Arc::new(m),
                },
                Err(e) => ModelState::Missing(format!(
                    "classifier version {} does not load ({e}); train again with `citymirror cases train`",
                    stored.version
                )),
            },
            None => ModelState::Missing(format!(
                "{UNTRAINED}: every ticket waits for an operator. \
                 Train one with `citymirror cases train --labelled FILE.jsonl`"
            )),
        };
        let facts = parts.tickets.facts().await?;
        let stats = Stats::new(facts, &parts.config.calendar);
        let (changes, _) = broadcast::channel(1024);
        Ok(CaseService {
            tickets: parts.tickets,
            models: parts.models,
            twin: parts.twin,
            org: parts.org,
            audit: parts.audit,
            clock: parts.clock,
            config: parts.config,
            model: RwLock::new(model),
            matrix: RwLock::new(Arc::new(parts.matrix)),
            changes,
            stats: RwLock::new(stats),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn config(&self) -> &CaseConfig {
        &self.config
    }

    pub fn tickets(&self) -> &Arc<dyn TicketRepo> {
        &self.tickets
    }

    pub fn model(&self) -> ModelState {
        self.model.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Loads the latest stored classifier if it is newer than the one in use (another
    /// process, `citymirror cases train`, may have stored it). True when it changed.
    pub async fn refresh_model(&self) -> Result<bool, CaseError> {
        let current = match self.model() {
            ModelState::Ready { version, .. } => Some(version),
            ModelState::Missing(_) => None,
        };
        let latest = self.models.latest_model_version().await?;
        if latest.is_none() || latest <= current {
            return Ok(false);
        }
        let Some(stored) = self.models.latest_model().await? else {
            return Ok(false);
        };
        let model = Classifier::from_bytes(&stored.bytes).map_err(|e| {
            CaseError::Invalid(format!("classifier version {}: {e}", stored.version))
        })?;
        tracing::info!(version = stored.version, "loaded a new classifier");
        self.set_model(stored.version, model);
        Ok(true)
    }

    /// Stores `model` as the next version and uses it from now on.
    pub async fn install_model(&self, model: Classifier) -> Result<i64, CaseError> {
        let summary = serde_json::json!({
            "classes": model.classes(),
            "features": model.features(),
            "trained_on": model.trained_on,
            "threshold": model.threshold(),
        });
        let version = self.models.put_model(&model.to_bytes(), &summary).await?;
        self.set_model(version, model);
        Ok(version)
    }

    /// Uses `model` from now on (after `cases train` stored it as `version`).
    pub fn set_model(&self, version: i64, model: Classifier) {
        *self.model.write().unwrap_or_else(|e| e.into_inner()) = ModelState::Ready {
            version,
            model: Arc::new(model),
        };
    }

    pub fn matrix(&self) -> Arc<Matrix> {
        self.matrix
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_matrix(&self, matrix: Matrix) {
        *self.matrix.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(matrix);
    }

    /// Changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<TicketChange> {
        self.changes.subscribe()
    }

    /// Reads the statistics held in memory.
    pub fn with_stats<R>(&self, f: impl FnOnce(&Stats) -> R) -> R {
        f(&self.stats.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Announces a stored change and counts it.
    pub(crate) fn changed(&self, t: &Ticket) {
        self.stats
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .upsert(crate::stats::fact_of(t), &self.config.calendar);
        let _ = self.changes.send(TicketChange::of(t, self.now()));
    }

    /// A ticket by its public number, if it exists.
    pub async fn ticket_by_number(&self, number: &str) -> Result<Ticket, CaseError> {
        let id = crate::ticket::parse_ticket_number(number).ok_or(CaseError::NotFound)?;
        let t = self.tickets.ticket(id).await?.ok_or(CaseError::NotFound)?;
        match t.number() == number {
            true => Ok(t),
            false => Err(CaseError::NotFound),
        }
    }
}
