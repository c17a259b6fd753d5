//! The sensing network, ready to serve: the registry over the twin's devices and the
//! stored entities, with what the last run left out of the roll-ups folded in.

use std::sync::Arc;

use citymirror_sensing::{
    error::SensingError, registry::Registry, repo::SensingRepo, SensingConfig, SensingService,
};
use citymirror_twin::TwinService;

pub async fn open_sensing(
    twin: &TwinService,
    repo: Arc<dyn SensingRepo>,
    config: SensingConfig,
) -> Result<SensingService, SensingError> {
    SensingService::start(Arc::new(Registry::new(twin.twin().clone())), repo, config).await
}
