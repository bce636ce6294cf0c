//! Ratings (一事一评): asking the requester for one when an order is
//! resolved, recording one from any channel (the app, the one-time link, a
//! call-back), and the warning a low one raises.

use crate::auth::{Caller, random_key, token_hash};
use crate::error::ApiError;
use crate::notifications::phone::{self, NewPhoneMessage};
use crate::notifications::rules::Event;
use crate::sms::{SmsError, SmsPurpose};
use crate::state::AppState;
use crate::store::{
    CallBackRecord, RatingChannel, RatingRequest, StoreError, millis, rating_verdicts,
};
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
/// A requester without an account gets a one-time link by SMS: the
/// request, the link and the text message queued for the requester's
/// number are written in one transaction (the queue's worker sends it,
/// retries a passing fault, dead-letters a refusal, and records on the
/// request whether it went).
pub async fn request_rating(state: &AppState, order: &Order) -> Result<(), ApiError> {
    let asked = ask_for_rating(state, order).await;
    // The indicators' rating figures are cached against the change count:
    // a request (and its SMS status) changes why the order is unrated.
    state.events.touch();
    asked
}

async fn ask_for_rating(state: &AppState, order: &Order) -> Result<(), ApiError> {
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
    let sms_status = match channel {
        RatingChannel::Link if state.sms.is_configured() => Some("not_sent"),
        RatingChannel::Link => Some("not_configured"),
        _ => None,
    };
    let request = RatingRequest {
        order_id: order.id.clone(),
        channel,
        street_code: order.street_code.clone(),
        created_at: now,
        expires_at,
        sms_status: sms_status.map(str::to_string),
        sms_detail: None,
    };
    if channel != RatingChannel::Link {
        state.store.insert_rating_request(&request).await?;
        return Ok(());
    }
    let (token, hash) = new_link_token()?;
    let mut tx = state.store.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO rating_requests (order_id, channel, street_code, created_at, expires_at, sms_status, sms_detail)
         VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT (order_id) DO NOTHING",
    )
    .bind(&request.order_id)
    .bind(channel.as_str())
    .bind(&request.street_code)
    .bind(millis(now))
    .bind(millis(expires_at))
    .bind(sms_status)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if inserted.rows_affected() != 1 {
        // Asked before (a reopened order resolved again): nothing more.
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO rating_links (token_hash, order_id, via, created_at, expires_at)
         VALUES ($1, $2, 'sms', $3, $4)",
    )
    .bind(&hash)
    .bind(&order.id)
    .bind(millis(now))
    .bind(millis(expires_at))
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    rating_verdicts::derive_and_count(&mut tx, &order.id).await?;
    if !state.sms.is_configured() {
        tx.commit().await.map_err(StoreError::from)?;
        return Ok(());
    }
    let phone = need.need.requester.phone.clone();
    match state
        .sms
        .reserve(&mut tx, &phone, SmsPurpose::RatingLink, None, now)
        .await
    {
        Ok(()) => {
            phone::enqueue(
                &mut tx,
                &NewPhoneMessage {
                    event: Event::RatingLink,
                    phone: &phone,
                    params: BTreeMap::from([("link".to_string(), link_url(state, &token))]),
                    order_id: Some(&order.id),
                    street_code: Some(order.street_code.as_str()),
                    expires_at,
                },
                now,
            )
            .await?;
        }
        Err(e @ SmsError::RateLimited { .. }) => {
            // Too many links to this number today: the request says so
            // (the holder can still show the link as a QR code).
            tracing::warn!(order = %order.id, error = %e, "rating link SMS not queued");
            sqlx::query(
                "UPDATE rating_requests SET sms_status = 'failed', sms_detail = $1 WHERE order_id = $2",
            )
            .bind(e.code())
            .bind(&order.id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            rating_verdicts::derive_and_count(&mut tx, &order.id).await?;
        }
        Err(SmsError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    }
    tx.commit().await.map_err(StoreError::from)?;
    state.notifications.wake_worker();
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
