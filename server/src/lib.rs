//! The LawCircle platform server: the HTTP API the phones and the staff
//! console talk to, over embedded SQLite or PostgreSQL.
//!
//! Layers, from the outside in (each calls only the ones below it):
//!
//! * entry points: [`api`] (the axum router; one module per resource, each
//!   owning its routes, handlers and OpenAPI annotations), [`open311`]
//!   (GeoReport v2 for client apps), [`console`] (the staff web console,
//!   built into the binary), [`cli`] (the `lawcircle-server` commands),
//!   [`jobs`] (background rules: warnings, retention);
//! * [`usecases`]: what several entry points do alike (filing a need,
//!   the order it becomes, recording a rating, recording a personal-data
//!   read);
//! * [`store`]: the repository layer (two backends, one interface), with
//!   [`applications`] (the application types, cached) and [`spatial`]
//!   (the walking network and the facility index) in memory beside it;
//! * the domain rules themselves are `lawcircle-core`'s, shared with the
//!   phones.
//!
//! Around them: [`auth`] (passwords, bearer tokens, login throttling),
//! [`json`] (extractors that answer bad input in the API's error shape),
//! [`error`] (that error shape), [`state`] (shared state and the clock),
//! [`events`] (the console's live board), [`notifications`] (the durable
//! queue of messages to people, the live stream and push channels), [`sms`]
//! (text messages through a mainland provider's HTTP API), [`config`] (configuration from flags,
//! environment and a file), [`importer`] / [`demo`] (files into the store;
//! the illustrative Longwan data set).

pub mod api;
pub mod applications;
pub mod auth;
pub mod cli;
pub mod config;
pub mod console;
pub mod demo;
pub mod error;
pub mod events;
pub mod importer;
pub mod jobs;
pub mod json;
pub mod notifications;
pub mod open311;
pub mod sms;
pub mod spatial;
pub mod state;
pub mod store;
pub mod usecases;
