//! Composing the request loop for the HTTP edge: the case service over the twin, trust
//! and the store's ports, with the responsibility matrix operators last stored.

use std::{sync::Arc, time::Duration};

use citymirror_cases::{
    clock::Clock,
    dispatch::Matrix,
    org::TrustDirectory,
    repo::{ModelRepo, TicketRepo},
    service::{CaseConfig, CaseError, CaseParts, CaseService},
};
use citymirror_trust::{audit::AuditLog, TrustRepo};
use citymirror_twin::TwinService;

use crate::routes::tickets::MATRIX_KEY;

/// How long the organisation (units and their people) is cached for routing.
const ORG_TTL: Duration = Duration::from_secs(60);

/// The request loop, ready to serve.
pub async fn open_cases(
    twin: &TwinService,
    tickets: Arc<dyn TicketRepo>,
    models: Arc<dyn ModelRepo>,
    trust: Arc<dyn TrustRepo>,
    audit: AuditLog,
    clock: Arc<dyn Clock>,
    config: CaseConfig,
) -> Result<CaseService, CaseError> {
    let matrix = match twin.repo().get_meta(MATRIX_KEY).await? {
        Some(text) => Matrix::from_json(&text).unwrap_or_else(|e| {
            tracing::warn!(
                "the stored responsibility matrix does not read ({e}); using the default"
            );
            Matrix::futian()
        }),
        None => Matrix::futian(),
    };
    CaseService::open(CaseParts {
        tickets,
        models,
        twin: twin.twin().clone(),
        org: Arc::new(TrustDirectory::new(trust, ORG_TTL)),
        audit,
        clock,
        config,
        matrix,
    })
    .await
}
