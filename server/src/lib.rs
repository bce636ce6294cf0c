//! The LawCircle platform server: the HTTP API the phones and the staff
//! console talk to, over embedded SQLite.
//!
//! * [`store`]: the repository layer;
//! * [`importer`]: files into the store, through the core's import rules;
//! * [`demo`]: the illustrative Longwan data set;
//! * [`api`]: the axum router;
//! * [`error`]: the API's one error shape.

pub mod api;
pub mod demo;
pub mod error;
pub mod importer;
pub mod store;
