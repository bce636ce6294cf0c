//! The LawCircle platform server: the HTTP API the phones and the staff
//! console talk to, over embedded SQLite or PostgreSQL.
//!
//! * [`store`]: the repository layer (two backends, one interface);
//! * [`auth`]: passwords, bearer tokens, login throttling;
//! * [`api`]: the axum router, one module per resource, and the OpenAPI
//!   document;
//! * [`json`]: extractors that answer bad input in the API's error shape;
//! * [`error`]: that error shape;
//! * [`state`]: shared state and the clock;
//! * [`service_catalog`]: the application types, cached;
//! * [`spatial`]: the walking network and the facility index;
//! * [`console`]: the staff web console, built into the binary;
//! * [`sms`]: text messages through a mainland provider's HTTP API;
//! * [`notifications`]: the durable queue of messages to people, the
//!   live stream and push channels;
//! * [`config`]: configuration from flags, environment and a file;
//! * [`importer`] / [`demo`]: files into the store; the illustrative
//!   Longwan data set.

pub mod api;
pub mod auth;
pub mod cli_coverage;
pub mod config;
pub mod console;
pub mod demo;
pub mod error;
pub mod events;
pub mod importer;
pub mod jobs;
pub mod json;
pub mod notifications;
pub mod service_catalog;
pub mod sms;
pub mod spatial;
pub mod state;
pub mod store;
