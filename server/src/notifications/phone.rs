//! Messages to a mobile number rather than to an account: a verification
//! code (the number may have no account yet) and the one-time rating link
//! of a requester without an account. One row of `phone_notifications` is
//! both the message and its one delivery (a number has one channel, SMS),
//! written in the transaction of the change that causes it, counted
//! against the number's SMS limits in that same transaction, and delivered
//! by the same worker as the accounts' messages: at least once, retried
//! with the same back-off, dead-lettered with the reason, visible to
//! staff with the number masked. The number and the template's parameters
//! (the code, the link) are kept only until the message is delivered or
//! given up; a message still waiting when it expires (a code past its
//! validity) is given up unsent.

use super::lease::{LeasedTable, claim_due_ids};
use super::queue::Outcome;
use super::rules::{self, Event, Recipient};
use crate::sms::{SmsError, SmsMessage, SmsPurpose, phone_hash};
use crate::state::AppState;
use crate::store::{StoreError, from_millis, millis};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use std::collections::BTreeMap;

/// A message to a number, to be queued.
#[derive(Debug, Clone)]
pub struct NewPhoneMessage<'a> {
    pub event: Event,
    /// A normalised mainland mobile number.
    pub phone: &'a str,
    /// The template's parameters (`code`; `link`).
    pub params: BTreeMap<String, String>,
    pub order_id: Option<&'a str>,
    /// The street whose staff see it among their dead letters (none:
    /// district admins only).
    pub street_code: Option<&'a str>,
    /// Given up unsent when still waiting then.
    pub expires_at: DateTime<Utc>,
}

impl NewPhoneMessage<'_> {
    fn purpose(&self) -> Result<SmsPurpose, StoreError> {
        match self.event {
            Event::SmsCode => Ok(SmsPurpose::VerificationCode),
            Event::RatingLink => Ok(SmsPurpose::RatingLink),
            other => Err(StoreError::Unsupported(format!(
                "no message of {} goes to a number",
                other.as_str()
            ))),
        }
    }
}

/// Queues `message` on `conn`, inside the caller's transaction; returns
/// its id (`s-…`). The caller counts it against the SMS limits on the
/// same connection first ([`crate::sms::Sms::reserve`]) and wakes the
/// worker after the commit.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    message: &NewPhoneMessage<'_>,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    message.purpose()?;
    // The rule table says who hears what; a number hears only these.
    if rules::rule(message.event, Recipient::Phone).is_none() {
        return Err(StoreError::Unsupported(format!(
            "no rule sends {} to a number",
            message.event.as_str()
        )));
    }
    let id = format!(
        "s-{}",
        super::random_hex(16).map_err(|e| StoreError::Unsupported(e.to_string()))?
    );
    let params = serde_json::to_string(&message.params)
        .map_err(|e| StoreError::Unsupported(e.to_string()))?;
    sqlx::query(
        "INSERT INTO phone_notifications
             (message_id, event, phone_hash, phone_masked, phone, params, order_id, street_code,
              state, attempts, next_attempt_at, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10, $9, $9)",
    )
    .bind(&id)
    .bind(message.event.as_str())
    .bind(phone_hash(message.phone))
    .bind(lawcircle_core::privacy::mask_phone(message.phone))
    .bind(message.phone)
    .bind(params)
    .bind(message.order_id)
    .bind(message.street_code)
    .bind(millis(now))
    .bind(millis(message.expires_at))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A message to a number the worker claimed.
#[derive(Debug, Clone)]
pub struct ClaimedPhone {
    pub id: i64,
    /// Attempts counted so far, this one included.
    pub attempts: i64,
    pub event: String,
    pub phone: Option<String>,
    pub params: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// Claims up to `limit` due messages to numbers, in one transaction, as
/// [`super::queue::claim_due`] claims deliveries: each claim moves the due
/// time forward by `lease` and counts the attempt, conditionally.
pub async fn claim_due(
    state: &AppState,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<ClaimedPhone>, StoreError> {
    let pool = state.store.pool();
    let won = claim_due_ids(state, LeasedTable::PhoneMessages, now, lease, limit).await?;
    let mut out = Vec::with_capacity(won.len());
    for id in won {
        let Some(r) = sqlx::query(
            "SELECT attempts, event, phone, params, expires_at FROM phone_notifications WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
        else {
            continue;
        };
        let params: Option<String> = r.try_get(3)?;
        out.push(ClaimedPhone {
            id,
            attempts: r.try_get(0)?,
            event: r.try_get(1)?,
            phone: r.try_get(2)?,
            params: params
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_default(),
            expires_at: from_millis(r.try_get(4)?),
        });
    }
    Ok(out)
}

/// Sends one claimed message once and says what it means for the queue.
pub async fn deliver(state: &AppState, c: &ClaimedPhone) -> Outcome {
    let now = state.clock.now();
    if now >= c.expires_at {
        return Outcome::Dead("expired before it could be sent".into());
    }
    let purpose = match c.event.as_str() {
        "sms_code" => SmsPurpose::VerificationCode,
        "rating_link" => SmsPurpose::RatingLink,
        other => return Outcome::Dead(format!("no SMS template for {other}")),
    };
    let Some(phone) = c.phone.clone() else {
        return Outcome::Dead("the number was erased".into());
    };
    let message = SmsMessage {
        phone,
        purpose,
        params: c.params.clone(),
    };
    match state.sms.send_queued(&message).await {
        Ok(_) => Outcome::Delivered,
        Err(e @ (SmsError::Retry { .. } | SmsError::Store(_) | SmsError::RateLimited { .. })) => {
            let at = now + super::worker::backoff(c.attempts, None);
            if c.attempts >= super::worker::MAX_ATTEMPTS {
                Outcome::Dead(format!("gave up after {} attempts: {e}", c.attempts))
            } else if at >= c.expires_at {
                Outcome::Dead(format!(
                    "gave up after {} attempts, expiring before the next: {e}",
                    c.attempts
                ))
            } else {
                Outcome::RetryAt(at, format!("try again: {e}"))
            }
        }
        Err(e @ (SmsError::GiveUp { .. } | SmsError::NotConfigured)) => {
            Outcome::Dead(format!("refused: {e}"))
        }
    }
}

/// Records how claimed messages to numbers ended, in one transaction: a
/// message delivered or given up forgets its number and parameters, and
/// a rating link's request says whether its SMS went.
pub async fn record(
    state: &AppState,
    outcomes: &[(i64, Outcome)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let mut tx = state.store.begin_write().await?;
    for (id, outcome) in outcomes {
        let (new_state, due, error) = match outcome {
            Outcome::Delivered => ("delivered", None, None),
            Outcome::RetryAt(at, why) => ("pending", Some(millis(*at)), Some(why.as_str())),
            Outcome::Dead(why) => ("dead", None, Some(why.as_str())),
        };
        let done = sqlx::query(
            "UPDATE phone_notifications
             SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at),
                 last_error = COALESCE($3, last_error), updated_at = $4,
                 phone = CASE WHEN $1 = 'pending' THEN phone ELSE NULL END,
                 params = CASE WHEN $1 = 'pending' THEN params ELSE NULL END
             WHERE id = $5 AND state = 'pending'",
        )
        .bind(new_state)
        .bind(due)
        .bind(error)
        .bind(millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let status = match outcome {
            Outcome::Delivered => "sent",
            Outcome::Dead(_) => "failed",
            Outcome::RetryAt(..) => continue,
        };
        if done.rows_affected() == 1 {
            let order: Option<String> = sqlx::query_scalar(
                "UPDATE rating_requests SET sms_status = $1, sms_detail = $2
                 WHERE order_id = (SELECT order_id FROM phone_notifications
                                   WHERE id = $3 AND event = 'rating_link')
                 RETURNING order_id",
            )
            .bind(status)
            .bind(error)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(order) = order {
                crate::store::rating_verdicts::derive_and_count(&mut tx, &order).await?;
            }
        }
    }
    tx.commit().await?;
    // A rating link's SMS status is part of the indicators' rating figures.
    state.events.touch();
    Ok(())
}

/// A message to a number given up on, as staff see it.
#[derive(Debug, Clone)]
pub struct PhoneDeadLetter {
    pub id: i64,
    pub message_id: String,
    pub event: String,
    pub order_id: Option<String>,
    pub phone_masked: String,
    pub attempts: i64,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Messages to numbers given up on, newest first: all, or those about
/// one street's orders (a code is about none: district admins see it);
/// below the key `(at, after_accounts, id)` of a page's last dead letter
/// (this queue sorts below accounts' deliveries given up at the same
/// millisecond: `after_accounts` means the page ended on one of those).
pub async fn dead_letters(
    state: &AppState,
    street: Option<&str>,
    (at, after_accounts, id): (i64, bool, i64),
    limit: i64,
) -> Result<Vec<PhoneDeadLetter>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, message_id, event, order_id, phone_masked, attempts, last_error, updated_at
         FROM phone_notifications
         WHERE state = 'dead' AND ($1 OR street_code = $2)
           AND (updated_at < $3 OR (updated_at = $4 AND ($5 OR id < $6)))
         ORDER BY updated_at DESC, id DESC LIMIT $7",
    )
    .bind(street.is_none())
    .bind(street.unwrap_or(""))
    .bind(at)
    .bind(at)
    .bind(after_accounts)
    .bind(id)
    .bind(limit)
    .fetch_all(state.store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PhoneDeadLetter {
                id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                event: r.try_get(2)?,
                order_id: r.try_get(3)?,
                phone_masked: r.try_get(4)?,
                attempts: r.try_get(5)?,
                reason: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
                at: from_millis(r.try_get(7)?),
            })
        })
        .collect()
}
