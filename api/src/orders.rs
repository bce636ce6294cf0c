//! Orders (工单) as the phone sees them: offers, the caller's orders, one
//! order, grabbing, events (accept, decline, start, resolve), rating and
//! the requester's contact (an audited read).

use chrono::{DateTime, Utc};
use lawcircle_core::orders::order::{Order, OrderEvent};
use serde::{Deserialize, Serialize};

use crate::page::Page;

/// An order as lists show it: no personal data (that is in the need, read
/// through the audited contact endpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct OrderView {
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    #[serde(flatten)]
    pub order: Order,
    /// Whether the caller may read the requester's full contact details.
    pub may_see_contact: bool,
}

/// `GET /api/v1/orders`: a page when `limit` or `after` is given, else
/// the first 500 orders as an array (what clients before pages read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum OrderList {
    All(Vec<OrderView>),
    Page(Page<OrderView>),
}

impl OrderList {
    /// The orders, whichever form the answer took.
    pub fn into_items(self) -> Vec<OrderView> {
        match self {
            OrderList::All(items) => items,
            OrderList::Page(page) => page.items,
        }
    }
}

/// Where the phone says it is. Kept for older phones; it decides nothing:
/// eligibility measures from the duty post of the caller's open clock-in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// `wgs84` (default) or `gcj02`/`bd09`.
    pub datum: Option<String>,
}

/// An event on an order: assign, accept, decline, start, resolve, close,
/// transfer, escalate or cancel (grabbing and rating have their own
/// endpoints), with the version the caller saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub event: OrderEvent,
    pub version: u64,
}

/// One rating per order (一事一评), by the requester in the app (never by
/// whoever entered the need for them or holds the order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1–5.
    pub score: u8,
    pub comment: Option<String>,
}

/// The requester's full contact details.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RequesterContact {
    pub order_id: String,
    pub name: String,
    pub phone: String,
    pub id_number: Option<String>,
}

// Personal data: never printed.
impl std::fmt::Debug for RequesterContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequesterContact")
            .field("order_id", &self.order_id)
            .finish_non_exhaustive()
    }
}

/// A QR code as its module matrix, for a phone to draw as squares (no
/// image: the phone library and the screens need no QR encoder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct QrMatrix {
    /// Modules per side: 21 for version 1, four more per version.
    pub size: u32,
    /// `size × size` characters, row by row from the top left: `1` a dark
    /// module, `0` a light one. Without the quiet zone: the screen leaves
    /// a light margin of four modules around it.
    pub modules: String,
}

/// A rating link for the holder's phone to show as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct IssuedRatingLink {
    pub order_id: String,
    /// The public rating page, one rating per order; shown as a QR code.
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// The QR code of `url`, for the phone to draw.
    pub qr: QrMatrix,
}
