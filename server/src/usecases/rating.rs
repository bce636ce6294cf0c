//! Ratings (一事一评): asking the requester for one when an order is
//! resolved, recording one from any channel (the app, the one-time link, a
//! call-back), and the warning a low one raises.

use crate::auth::{Caller, random_key, token_hash};
use crate::error::ApiError;
use crate::sms::{SmsError, SmsMessage, SmsPurpose};
use crate::state::AppState;
use crate::store::{CallBackRecord, RatingChannel, RatingRequest};
use chrono::{DateTime, Utc};
use lawcircle_core::needs::Channel;
use lawcircle_core::orders::order::{Actor, Order};
use lawcircle_core::orders::rating::{self, Rating, RatingError};
use lawcircle_core::orders::warning::{Warning, WarningCandidate, default_rules};
use std::collections::BTreeMap;

/// The need behind an order.
pub(crate) async fn need_of(
    state: &AppState,
    order: &Order,
) -> Result<crate::store::StoredNeed, ApiError> {
    let id: i64 = order
        .need_id
        .parse()
        .map_err(|_| ApiError::Internal(format!("order {} has no numeric need id", order.id)))?;
    state
        .store
        .need(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("the need of order {}", order.id)))
}

/// A new link token (`r` + 128 random bits, URL-safe) and its hash.
pub(crate) fn new_link_token() -> Result<(String, String), ApiError> {
    let token = random_key("r").map_err(|e| ApiError::Internal(e.to_string()))?;
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The public URL of a rating link.
pub(crate) fn link_url(state: &AppState, token: &str) -> String {
    format!(
        "{}/r/{token}",
        state.ratings.public_url.trim_end_matches('/')
    )
}

/// Asks the requester of a just-resolved order for a rating, by the
/// channel that reaches them. Called after the resolution committed; a
/// failure here is logged and shows in the indicators as `no_request`.
pub async fn request_rating(state: &AppState, order: &Order) -> Result<(), ApiError> {
    let need = need_of(state, order).await?;
    let now = state.clock.now();
    let expires_at = now + state.ratings.link_ttl;
    let channel = if need.requester_account.is_some() {
        RatingChannel::App
    } else if need.need.channel == Channel::Hotline12348 {
        RatingChannel::CallBack
    } else {
        RatingChannel::Link
    };
    let request = RatingRequest {
        order_id: order.id.clone(),
        channel,
        street_code: order.street_code.clone(),
        created_at: now,
        expires_at,
        sms_status: (channel == RatingChannel::Link).then(|| "not_sent".to_string()),
        sms_detail: None,
    };
    if !state.store.insert_rating_request(&request).await? || channel != RatingChannel::Link {
        return Ok(());
    }
    let (token, hash) = new_link_token()?;
    state
        .store
        .insert_rating_link(&hash, &order.id, "sms", now, expires_at)
        .await?;
    if !state.sms.is_configured() {
        state
            .store
            .set_rating_sms_status(&order.id, "not_configured", None)
            .await?;
        return Ok(());
    }
    let message = SmsMessage {
        phone: need.need.requester.phone.clone(),
        purpose: SmsPurpose::RatingLink,
        params: BTreeMap::from([("link".to_string(), link_url(state, &token))]),
    };
    // The provider may take seconds (and retries): the holder's answer
    // does not wait for it.
    let state = state.clone();
    let order_id = order.id.clone();
    tokio::spawn(async move {
        let outcome = state.sms.send(&state.store, &message, None, now).await;
        let (status, detail) = match &outcome {
            Ok(r) => ("sent", Some(r.provider_id.clone())),
            Err(e @ SmsError::NotConfigured) => ("not_configured", Some(e.code())),
            Err(e) => ("failed", Some(e.code())),
        };
        if let Err(e) = outcome {
            tracing::warn!(order = %order_id, error = %e, "rating link SMS not sent");
        }
        if let Err(e) = state
            .store
            .set_rating_sms_status(&order_id, status, detail.as_deref())
            .await
        {
            tracing::error!(order = %order_id, error = %e, "cannot record the rating SMS");
        }
    });
    Ok(())
}

/// Whether `caller` may not rate `order`: they hold it, or entered it for
/// someone else.
fn self_rating(caller_id: &str, order: &Order) -> Option<&'static str> {
    if order.assignee.as_deref() == Some(caller_id) {
        return Some("you hold this order: only its requester rates it");
    }
    if order.entered_by.as_deref() == Some(caller_id) && order.requester_id != caller_id {
        return Some("you entered this need for its requester: only the requester rates it");
    }
    None
}

/// Rates an order for `actor` by `channel` (with the call-back that gave
/// the rating, if any): the order's change, the rating and the call-back in
/// one transaction; a low score raises the warning that needs a call-back.
/// Returns the order and the stored call-back's id.
pub async fn record_rating(
    state: &AppState,
    order: &Order,
    score: u8,
    comment: Option<&str>,
    actor: Actor,
    channel: RatingChannel,
    call_back: Option<&CallBackRecord>,
) -> Result<(Order, Option<i64>), ApiError> {
    let now = state.clock.now();
    let mut changed = order.clone();
    let (rating, follow_up) =
        rating::rate(&mut changed, score, comment, actor, now).map_err(rating_error)?;
    let stored = state
        .store
        .rate_order(
            order.version,
            order.state,
            &changed,
            &rating,
            channel,
            call_back.map(|cb| (cb, now)),
        )
        .await?;
    let Some(call_back_id) = stored else {
        return Err(ApiError::Conflict(format!(
            "order {} changed meanwhile: reload",
            order.id
        )));
    };
    state.events.publish(&changed);
    if follow_up.is_some() {
        raise_low_rating_warning(state, &changed, &rating, now).await?;
    }
    Ok((changed, call_back_id))
}

pub(crate) fn rating_error(e: RatingError) -> ApiError {
    match e {
        RatingError::AlreadyRated { .. } | RatingError::NotResolved { .. } => {
            ApiError::Conflict(e.to_string())
        }
        RatingError::Order(o) => crate::api::orders::order_error(o),
        RatingError::CommentTooLong { .. } => ApiError::bad_field("comment", e.to_string()),
        RatingError::ScoreOutOfRange(_) => ApiError::bad_field("score", e.to_string()),
    }
}

/// A low rating raises a warning that needs a recorded call-back; the
/// rules job would find it too, the dedup key makes that one.
async fn raise_low_rating_warning(
    state: &AppState,
    order: &Order,
    rating: &Rating,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let rules = default_rules();
    if let Some(rule) = rules.iter().find(|r| r.requires_call_back()) {
        let candidates = lawcircle_core::orders::warning::evaluate_rules(
            now,
            std::slice::from_ref(order),
            std::slice::from_ref(rating),
            &[],
            &rules,
        );
        if let Some(c) = candidates
            .into_iter()
            .find(|c: &WarningCandidate| c.rule_id == rule.id)
        {
            crate::notifications::queue::raise_warning(
                state,
                &Warning::raise("", c, rule, now),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// The requester's rating in the app (`POST /api/v1/orders/{id}/rating`):
/// refused to whoever holds the order or entered it for someone else.
pub async fn rate_in_app(
    state: &AppState,
    caller: &Caller,
    order: &Order,
    score: u8,
    comment: Option<&str>,
) -> Result<Order, ApiError> {
    let me = caller.account.id.to_string();
    if let Some(why) = self_rating(&me, order) {
        return Err(ApiError::Forbidden(why.into()));
    }
    record_rating(
        state,
        order,
        score,
        comment,
        Actor::user(me, caller.account.role),
        RatingChannel::App,
        None,
    )
    .await
    .map(|(order, _)| order)
}
