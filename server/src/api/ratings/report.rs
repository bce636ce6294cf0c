//! How many resolved orders were rated, by channel, and why the others
//! were not.

use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

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

/// Counts the ratings and the reasons of the missing ones at `now`, from
/// one grouped query over the resolved orders ([`crate::store::Store::rating_verdicts`]):
/// exact at every call, without decoding an order.
pub async fn rating_report(state: &AppState, now: DateTime<Utc>) -> Result<RatingReport, ApiError> {
    let mut report = RatingReport::default();
    for (street_code, verdict, n) in state.store.rating_verdicts(now).await? {
        let street = report.streets.entry(street_code).or_default();
        for c in [&mut report.district, street] {
            c.resolved += n;
            match verdict.strip_prefix("rated:") {
                Some(channel) => {
                    c.rated += n;
                    *c.by_channel.entry(channel.to_string()).or_default() += n;
                }
                None => {
                    c.unrated += n;
                    *c.unrated_by_reason.entry(verdict.clone()).or_default() += n;
                }
            }
        }
    }
    Ok(report)
}
