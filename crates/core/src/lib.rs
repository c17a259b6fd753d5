//! `citymirror-core`: the vocabulary every other CityMirror crate speaks.
//!
//! Layers ([`LayerId`]) and their schemas ([`LayerSchema`]), typed property values
//! ([`Value`]), the four-level grid code ([`GridCode`], 区-街道-社区-网格), GB/T 43697
//! data grades ([`DataGrade`]), the catalogue of city components, Chinese identifiers
//! (身份证号, 统一社会信用代码, GB/T 28181 ids) and map-datum conversion (GCJ-02, BD-09).
//!
//! This crate does no I/O and knows nothing of HTTP, SQL or JSON: it is the part of the
//! domain that every edge agrees on.
//!
//! ```
//! use citymirror_core::{datum, GridCode};
//! let code: GridCode = "44030400100102".parse().unwrap();
//! assert_eq!(code.street().unwrap().as_str(), "440304001");
//! let (lon, lat) = datum::gcj02_to_wgs84(114.0600, 22.5400);
//! assert!((lon - 114.0553).abs() < 0.01 && (lat - 22.5430).abs() < 0.01);
//! ```

pub mod catalogue;
pub mod datum;
mod error;
mod grade;
mod grid;
pub mod ids;
mod layer;
pub mod records;
mod schema;
mod time;
mod value;

pub use error::{RepoError, ValueError};
pub use grade::DataGrade;
pub use grid::{GridCode, GridLevel};
pub use layer::LayerId;
pub use schema::{GeomKind, LayerSchema, PropType, PropertyDef};
pub use time::{parse_datetime_interval, Instant, Interval};
pub use value::Value;
