//! The HTTP API's wire contract, written once: the request and response
//! bodies of every endpoint the phone client calls, the event stream's
//! payload and the one error body. The server answers with these types
//! (and, with the `utoipa` feature, documents them in its OpenAPI
//! document); the phone client (`lawcircle-client`, `lawcircle-ffi`)
//! reads them. Domain values (states, categories, roles, verdicts) are
//! the core's own serde types.
//!
//! Staff-only console bodies that only the server reads and writes stay
//! in the server.

pub mod catalogue;
pub mod error;
pub mod events;
pub mod needs;
pub mod orders;
pub mod page;
pub mod punches;
pub mod push;
pub mod residents;
pub mod session;
pub mod system;

pub use error::{ErrorBody, ErrorDetail};
pub use page::{CursorPage, Page};
