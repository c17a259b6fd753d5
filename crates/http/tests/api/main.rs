//! The HTTP API, driven through `oneshot` against a small fixture twin in SQLite.
//! One test binary with a module per resource (faster to build than one per file).

mod common;

mod api_doc;
mod areas;
mod audit_log;
mod collections;
mod crs;
mod errors;
mod events;
mod html;
mod items;
mod landing;
mod locate;
mod minting;
mod open311;
mod pii_scan;
mod scope;
mod search;
mod sessions;
mod sta;
mod tickets;
mod tiles;
mod web;
mod writes;
