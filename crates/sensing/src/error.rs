//! Why a sensing call failed. [`SensingError::code`] is stable for clients.

use citymirror_core::RepoError;

use crate::{model::Invalid, EntityType};

#[derive(Debug, thiserror::Error)]
pub enum SensingError {
    /// The input was refused; nothing changed.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("there is no {} with id {}", .0.singular(), .1)]
    NotFound(EntityType, i64),
    /// A view of the twin or of the built-in catalogue: changed in the twin, not here.
    #[error("{} {} is a view of the twin's device register; change the device through OGC API Features (/ogc/collections/devices/items/…)", .0.singular(), .1)]
    Managed(EntityType, i64),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

impl SensingError {
    pub fn code(&self) -> &'static str {
        match self {
            SensingError::Invalid(i) => i.code,
            SensingError::NotFound(..) => "not_found",
            SensingError::Managed(..) => "managed_by_twin",
            SensingError::Repo(_) => "storage",
        }
    }
}
