//! The HTTP API, driven through `oneshot` against a small fixture twin in SQLite.
//! One test binary with a module per resource (faster to build than one per file).

mod common;

mod api_doc;
mod collections;
mod crs;
mod errors;
mod html;
mod items;
mod landing;
mod locate;
mod writes;
