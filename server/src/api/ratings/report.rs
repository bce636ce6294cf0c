//! How many resolved orders were rated, by channel, and why the others
//! were not.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{CallBackOutcome, OrderFilter, RatingChannel, RatingRequest};
use chrono::{DateTime, Utc};
use lawcircle_core::orders::order::OrderState;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Ratings by channel and why resolved orders were not rated.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RatingCoverage {
    /// Orders that reached `resolved`.
    pub resolved: u64,
    pub rated: u64,
    /// Ratings by channel: `app`, `link`, `call_back`.
    pub by_channel: BTreeMap<String, u64>,
    pub unrated: u64,
    /// Why the unrated ones were not rated: `awaiting` (the request is
    /// still open), `awaiting_call_back`, `link_expired`, `app_expired`
    /// (the account holder did not rate in time), `no_contact` (no
    /// account, the SMS was not delivered and no QR code was shown),
    /// `declined` (refused on the call-back), `not_reached` (the last
    /// call-back reached nobody), `no_request` (resolved before rating
    /// requests existed, or the request failed).
    pub unrated_by_reason: BTreeMap<String, u64>,
}

/// The rating coverage of the district and of each street.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RatingReport {
    pub district: RatingCoverage,
    pub streets: BTreeMap<String, RatingCoverage>,
}

/// Counts the ratings and the reasons of the missing ones at `now`.
pub async fn rating_report(state: &AppState, now: DateTime<Utc>) -> Result<RatingReport, ApiError> {
    let orders = state.store.orders(&OrderFilter::default()).await?;
    let channels = state.store.rating_channels().await?;
    let requests: HashMap<String, RatingRequest> = state
        .store
        .rating_requests()
        .await?
        .into_iter()
        .map(|r| (r.order_id.clone(), r))
        .collect();
    let links = state.store.rating_links_by_order().await?;
    let mut last_call_back: HashMap<String, CallBackOutcome> = HashMap::new();
    for cb in state.store.call_backs().await? {
        last_call_back.insert(cb.order_id.clone(), cb.outcome);
    }
    let mut report = RatingReport::default();
    for o in orders
        .iter()
        .filter(|o| o.first_reached(OrderState::Resolved).is_some())
    {
        let street = report.streets.entry(o.street_code.clone()).or_default();
        let verdict = match channels.get(&o.id) {
            Some(channel) => Ok(channel.clone()),
            None => Err(unrated_reason(
                requests.get(&o.id),
                links.get(&o.id).map(Vec::as_slice).unwrap_or(&[]),
                last_call_back.get(&o.id).copied(),
                now,
            )),
        };
        for c in [&mut report.district, street] {
            c.resolved += 1;
            match &verdict {
                Ok(channel) => {
                    c.rated += 1;
                    *c.by_channel.entry(channel.clone()).or_default() += 1;
                }
                Err(reason) => {
                    c.unrated += 1;
                    *c.unrated_by_reason.entry(reason.to_string()).or_default() += 1;
                }
            }
        }
    }
    Ok(report)
}

fn unrated_reason(
    request: Option<&RatingRequest>,
    links: &[(String, DateTime<Utc>)],
    last_call_back: Option<CallBackOutcome>,
    now: DateTime<Utc>,
) -> &'static str {
    match last_call_back {
        Some(CallBackOutcome::Refused) => return "declined",
        Some(CallBackOutcome::NotReached) => return "not_reached",
        _ => {}
    }
    let Some(request) = request else {
        return "no_request";
    };
    match request.channel {
        RatingChannel::App if now < request.expires_at => "awaiting",
        RatingChannel::App => "app_expired",
        RatingChannel::CallBack => "awaiting_call_back",
        RatingChannel::Link => {
            let delivered = request.sms_status.as_deref() == Some("sent")
                || request.sms_status.as_deref() == Some("not_sent")
                || links.iter().any(|(via, _)| via == "qr");
            if !delivered {
                "no_contact"
            } else if links.iter().any(|(_, exp)| now < *exp) {
                "awaiting"
            } else {
                "link_expired"
            }
        }
    }
}
