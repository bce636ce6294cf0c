//! The phone side of LawCircle's sync, kept out of `lawcircle-core` so the
//! core stays pure domain rules with no I/O:
//! * [`outbox`]: everything entered offline waits in the phone's SQLite
//!   file until the server has confirmed it (the send queue);
//! * [`http`]: requests and responses through a transport the embedder
//!   gives (the platform's HTTP stack on a phone, reqwest in tests);
//! * [`sync`]: the client that drains the outbox to the server with
//!   idempotency keys, backoff and `Retry-After`, and pulls deltas.

pub mod http;
pub mod outbox;
pub mod sync;
