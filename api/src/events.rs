//! The payload of the live event stream (`GET /api/v1/events`, server-sent
//! events): one order change per event.

use lawcircle_core::orders::order::OrderState;
use serde::{Deserialize, Serialize};

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderChange {
    pub order_id: String,
    pub state: OrderState,
    pub version: u64,
    pub street_code: String,
    /// The street the order left, when this change transferred it to
    /// another: that street's staff are told too, so their board drops it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub from_street_code: Option<String>,
    /// The account id of whoever holds it.
    pub assignee: Option<String>,
}
