//! The organisation as the request loop sees it: units to route to, and the people in
//! them to hand tickets to.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use citymirror_trust::{Role, TrustRepo, UnitKind};

use crate::{
    dispatch::{OrgKind, OrgUnit},
    repo::RepoError,
};

#[async_trait]
pub trait OrgDirectory: Send + Sync + std::fmt::Debug {
    /// Every unit that can be routed to.
    async fn units(&self) -> Result<Vec<OrgUnit>, RepoError>;

    /// The accounts that act for `unit` on tickets (its handlers and staff, not
    /// disabled).
    async fn people(&self, unit: &str) -> Result<Vec<i64>, RepoError>;
}

/// The roles that work tickets for their unit.
fn works_tickets(role: Role) -> bool {
    matches!(
        role,
        Role::DepartmentHandler | Role::StreetStaff | Role::CommunityStaff | Role::GridWorker
    )
}

/// The organisation read from trust's units and accounts, kept for a short while: a
/// district has about 1,100 units and a few thousand accounts, which change rarely,
/// while routing asks for them with every ticket.
#[derive(Debug)]
pub struct TrustDirectory {
    repo: Arc<dyn TrustRepo>,
    ttl: Duration,
    cache: Mutex<Option<(Instant, Arc<Snapshot>)>>,
}

#[derive(Debug)]
struct Snapshot {
    units: Vec<OrgUnit>,
    people: Vec<(String, i64)>,
}

impl TrustDirectory {
    pub fn new(repo: Arc<dyn TrustRepo>, ttl: Duration) -> TrustDirectory {
        TrustDirectory {
            repo,
            ttl,
            cache: Mutex::new(None),
        }
    }

    async fn snapshot(&self) -> Result<Arc<Snapshot>, RepoError> {
        if let Some((at, s)) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            if at.elapsed() < self.ttl {
                return Ok(s.clone());
            }
        }
        let units = self
            .repo
            .units()
            .await?
            .into_iter()
            .map(|u| OrgUnit {
                id: u.id,
                name: u.name,
                kind: match u.kind {
                    UnitKind::Department => OrgKind::Department,
                    UnitKind::StreetOffice => OrgKind::Street,
                    UnitKind::CommunityStation => OrgKind::Community,
                    UnitKind::GridTeam => OrgKind::Grid,
                    UnitKind::District => OrgKind::Other,
                },
            })
            .collect();
        let mut people = Vec::new();
        let mut after = 0;
        loop {
            let page = self.repo.users(after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            people.extend(
                page.into_iter()
                    .filter(|u| !u.disabled && works_tickets(u.role))
                    .filter_map(|u| u.unit_id.map(|unit| (unit, u.id))),
            );
        }
        let s = Arc::new(Snapshot { units, people });
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), s.clone()));
        Ok(s)
    }
}

#[async_trait]
impl OrgDirectory for TrustDirectory {
    async fn units(&self) -> Result<Vec<OrgUnit>, RepoError> {
        Ok(self.snapshot().await?.units.clone())
    }

    async fn people(&self, unit: &str) -> Result<Vec<i64>, RepoError> {
        Ok(self
            .snapshot()
            .await?
            .people
            .iter()
            .filter(|(u, _)| u == unit)
            .map(|(_, id)| *id)
            .collect())
    }
}
