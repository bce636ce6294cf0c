//! Volunteers (志愿者): the pool they belong to, what they are good at, how
//! they clock in at a duty post, the tamper-evident chain of their punches
//! and the hours and stars that come of them.
//!
//! * [`pool`]: the volunteer pool lifecycle, loans, teams, star levels;
//! * [`specialty`]: the legal specialties a volunteer offers and an order
//!   asks for;
//! * [`clock_in`]: the geofenced clock-in decision (签到打卡判定);
//! * [`punch`]: clock-in/out punches, server re-check, review, hash chain;
//! * [`duty_hours`]: duty sessions, hour totals, stars.

pub mod clock_in;
pub mod duty_hours;
pub mod pool;
pub mod punch;
pub mod specialty;
