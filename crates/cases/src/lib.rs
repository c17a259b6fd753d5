//! `citymirror-cases`: 民意速办, the citizen-request loop.
//!
//! Every request (a citizen's message from any of the district's channels, a sensor
//! alarm, a video detection, an inspection finding) becomes one ticket that is located
//! on the grid, classified, dispatched to one responsible unit and person, handled
//! under the "10-30-24" timers, supervised, and closed by the citizen's verdict. This
//! crate holds the rules; it knows neither HTTP nor SQL.

pub mod adapters;
pub mod calendar;
pub mod catalog;
pub mod channel;
pub mod classify;
pub mod clock;
pub mod dispatch;
pub mod intake;
pub mod lifecycle;
pub mod org;
pub mod place;
pub mod repo;
pub mod service;
pub mod similar;
pub mod sla;
pub mod stats;
pub mod ticket;
