//! Clock-in punches (打卡) synced from the phone. The punch itself is the
//! core's [`Punch`](lawcircle_core::volunteers::punch::Punch), posted as it
//! was made.

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
