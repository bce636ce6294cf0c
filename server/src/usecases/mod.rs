//! What several entry points do alike, written once: the HTTP handlers,
//! Open311 and the rating page call these instead of each other.
//!
//! * [`filing`]: a need filed by any channel (the phones, the public form,
//!   Open311, the hotline) validated, stored and turned into its order;
//! * [`orders`]: the order a new need becomes;
//! * [`order_commits`]: grabs written in batches (group commit);
//! * [`rating`]: asking for a rating and recording one (in the app, by
//!   link, by call-back), with the low-rating warning;
//! * [`audit`]: recording a full read of personal data, and the reason it
//!   needs;
//! * [`circle`]: coverage and siting computed over the whole catalogue;
//! * [`accounts`]: creating an account (the API, the bootstrap command, the
//!   demo).

pub mod accounts;
pub mod audit;
pub mod circle;
pub mod filing;
pub mod order_commits;
pub mod orders;
pub mod rating;
