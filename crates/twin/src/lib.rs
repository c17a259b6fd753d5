//! `citymirror-twin`: the live spatial model of the district (福镜·CIM).
//!
//! A [`Twin`] holds every layer in memory, each with an R-tree, and answers bbox,
//! time and attribute queries and `locate(lon, lat)` → grid path without touching storage.
//! Writes go through [`TwinService`], which persists to a [`TwinRepo`] first and changes
//! the in-memory layer only after the store has acknowledged: the store and the index
//! change together or not at all.
//!
//! ```
//! use citymirror_core::LayerId;
//! use citymirror_twin::{FeatureQuery, Twin};
//! let twin = Twin::new();
//! let page = twin.layer(LayerId::Buildings).query(&FeatureQuery::default());
//! assert_eq!(page.matched, 0);
//! ```
//!
//! The twin does not know HTTP or SQL: storage is behind the [`TwinRepo`] trait
//! (implemented in `citymirror-store`) and the web edge lives in `citymirror-http`.

mod areas;
mod feature;
mod feed;
mod grids;
pub mod import;
mod layer;
mod query;
mod repo;
pub mod rules;
mod search;
mod service;
mod twin;
pub mod within;

pub use areas::{CountTable, Counts};
pub use feature::{Feature, FeatureId, NewFeature, Patch};
pub use feed::ChangeFeed;
pub use grids::{GridIndex, GridPath, GridUnit};
pub use layer::Layer;
pub use query::{FeatureQuery, FilterView, QueryPage};
pub use repo::{RecordRepo, RepoError, TwinRepo};
pub use search::{SearchHit, TextView};
pub use service::{Change, ChangeKind, TwinError, TwinService};
pub use twin::Twin;
