//! Clock-in punches (打卡) synced from the phone. The punch itself is the
//! core's [`Punch`](lawcircle_core::volunteers::punch::Punch), posted as it
//! was made.

use chrono::{DateTime, Utc};
use lawcircle_core::volunteers::clock_in::Verdict;
use lawcircle_core::volunteers::punch::{PunchStatus, PunchWarning};
use serde::{Deserialize, Serialize};

/// The answer to a synced punch: both verdicts and its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PunchReceipt {
    pub id: String,
    pub seq: u64,
    pub hash: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub device_verdict: Verdict,
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<String>))]
    pub server_verdict: Option<Verdict>,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub status: PunchStatus,
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Object>))]
    pub warnings: Vec<PunchWarning>,
}

/// One duty session of the caller: a clock-in and the clock-out after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DutySessionView {
    pub post_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub hours: f64,
}

/// The signed-in volunteer's own duty hours and star level (星级).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MyDutyHours {
    /// Every accepted session's hours, all time.
    pub total_h: f64,
    /// This month (China time), e.g. `2025-03`.
    pub month: String,
    pub month_h: f64,
    /// 0 to 5, by `total_h` and the star table.
    pub stars: u8,
    /// Hours still needed for the next star; `None` at the top.
    pub hours_to_next_star: Option<f64>,
    /// The hours each star needs, lowest first.
    pub star_thresholds_h: Vec<f64>,
    /// The latest sessions, newest first (at most [`RECENT_SESSIONS`]).
    pub recent: Vec<DutySessionView>,
}
