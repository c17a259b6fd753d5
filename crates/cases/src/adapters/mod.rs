//! Intake adapters: each turns one channel's input into [`Submission`]s for the one
//! intake call. Open311, the H5 pages and the API live at the HTTP edge (they are
//! HTTP); what is a file format lives here, usable from the command line and the API.

pub mod hotline;

pub use crate::intake::Submission;
