//! The delivery worker of each server instance: claims due deliveries,
//! hands each to its channel, and records the outcome — delivered, retried
//! with exponential back-off (or after the service's `Retry-After`), the
//! device removed when the service says it is gone, or dead-lettered with
//! the reason. Safe with several instances on one database: a claim is a
//! conditional update, and a claim a crashed worker held comes due again
//! after its lease (so a message may be delivered twice, never lost; the
//! phone shows it once by its id).

use super::channel::{DeliveryError, PushChannel, Target};
use super::queue::{self, Claimed, Outcome};
use crate::state::AppState;
use crate::store::StoreError;
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;

/// How long a claim holds before another worker may try again.
pub const LEASE_SECS: i64 = 60;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// Deliveries claimed per round.
const BATCH: i64 = 64;
/// Deliveries in flight at once.
const IN_FLIGHT: usize = 16;

/// The wait before attempt `attempts + 1`: 2, 4, 8 … s, at most 10 min, or
/// what the service asked for.
pub fn backoff(attempts: i64, asked: Option<u64>) -> Duration {
    let exp = Duration::seconds(2_i64.saturating_pow(attempts.clamp(1, 20) as u32).min(600));
    match asked {
        Some(s) => Duration::seconds(i64::try_from(s.min(3600)).unwrap_or(3600)).max(exp),
        None => exp,
    }
}

/// Runs the worker until the process ends.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            match run_once(&state).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "notification delivery failed; retrying"),
            }
            // New work wakes the worker at once; retries and other
            // instances' work are found by the poll.
            tokio::select! {
                () = state.notifications.work_arrived() => {}
                () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            }
        }
    });
}

/// One round: claims due deliveries and delivers them; how many it claimed.
pub async fn run_once(state: &AppState) -> Result<usize, StoreError> {
    let now = state.clock.now();
    let claimed = queue::claim_due(state, now, Duration::seconds(LEASE_SECS), BATCH).await?;
    let phones = super::phone::claim_due(state, now, Duration::seconds(LEASE_SECS), BATCH).await?;
    let n = claimed.len() + phones.len();
    let phone_outcomes: Vec<(i64, Outcome)> = futures_util::stream::iter(phones)
        .map(|c| async move { (c.id, super::phone::deliver(state, &c).await) })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    for (_, o) in &phone_outcomes {
        note(state, "sms", o);
    }
    super::phone::record(state, &phone_outcomes, state.clock.now()).await?;
    let results: Vec<Delivered> = futures_util::stream::iter(claimed)
        .map(|c| deliver(state, c))
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let now = state.clock.now();
    let outcomes: Vec<(i64, Outcome)> = results.iter().map(|d| (d.id, d.outcome.clone())).collect();
    for d in &results {
        note(state, d.channel, &d.outcome);
    }
    // The service says a device is gone: it is removed, and what else
    // waits for it is dead-lettered with the same reason, in the same
    // transaction as the outcomes (a dead letter saying "gone" is never
    // seen beside the device it names).
    let gone: Vec<(i64, String)> = results
        .iter()
        .filter_map(|d| match (d.gone_device, &d.outcome) {
            (Some(device), Outcome::Dead(reason)) => Some((device, reason.clone())),
            _ => None,
        })
        .collect();
    queue::record(state, &outcomes, &gone, now).await?;
    Ok(n)
}

/// Notes a delivery's outcome for `/health`.
fn note(state: &AppState, channel: &'static str, outcome: &Outcome) {
    let what = match outcome {
        Outcome::Delivered => "delivered",
        Outcome::RetryAt(..) => "retry",
        Outcome::Dead(_) => "dead",
    };
    state
        .notifications
        .note_outcome(channel, what, state.clock.now());
}

/// The channels a delivery may name, as `/health` lists them.
fn channel_name(kind: &str) -> &'static str {
    match kind {
        "unifiedpush" => "unifiedpush",
        "apns" => "apns",
        "sms" => "sms",
        _ => "other",
    }
}

/// How one claimed delivery ended.
struct Delivered {
    id: i64,
    channel: &'static str,
    outcome: Outcome,
    /// The device the service said is gone.
    gone_device: Option<i64>,
}

async fn deliver(state: &AppState, c: Claimed) -> Delivered {
    let channel: Option<std::sync::Arc<dyn PushChannel>> = match c.channel.as_str() {
        "unifiedpush" => state
            .notifications
            .unifiedpush()
            .map(|u| u as std::sync::Arc<dyn PushChannel>),
        "apns" => state
            .notifications
            .apns()
            .map(|a| a as std::sync::Arc<dyn PushChannel>),
        "sms" => Some(std::sync::Arc::new(super::sms::SmsChannel::new(
            state.sms.clone(),
            state.store.clone(),
            state.clock.clone(),
        ))),
        _ => None,
    };
    let removed = c.device.as_ref().is_some_and(|d| d.removed);
    let target = Target {
        account_id: c.account_id,
        device: c.device.clone(),
    };
    let result = match (&channel, removed) {
        (_, true) => Err(DeliveryError::Gone {
            reason: "the device was removed".into(),
        }),
        (None, _) => Err(DeliveryError::Refused {
            reason: format!("no {} channel is configured", c.channel),
        }),
        (Some(ch), false) => ch.deliver(&target, &c.message).await,
    };
    let gone = matches!(result, Err(DeliveryError::Gone { .. }));
    Delivered {
        id: c.id,
        channel: channel_name(&c.channel),
        outcome: outcome(&c, result, state.clock.now()),
        gone_device: c.device.as_ref().filter(|_| gone && !removed).map(|d| d.id),
    }
}

/// What a delivery's result means for the queue.
fn outcome(c: &Claimed, result: Result<(), DeliveryError>, now: DateTime<Utc>) -> Outcome {
    match result {
        Ok(()) => Outcome::Delivered,
        Err(e @ DeliveryError::Retry { .. }) if c.attempts < MAX_ATTEMPTS => {
            let DeliveryError::Retry { after_secs, .. } = &e else {
                return Outcome::Dead(e.to_string());
            };
            Outcome::RetryAt(now + backoff(c.attempts, *after_secs), e.to_string())
        }
        Err(e @ DeliveryError::Retry { .. }) => {
            Outcome::Dead(format!("gave up after {} attempts: {e}", c.attempts))
        }
        Err(e) => Outcome::Dead(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_minutes_and_honours_retry_after() {
        assert_eq!(backoff(1, None), Duration::seconds(2));
        assert_eq!(backoff(3, None), Duration::seconds(8));
        assert_eq!(backoff(15, None), Duration::seconds(600));
        assert_eq!(backoff(1, Some(30)), Duration::seconds(30));
        assert_eq!(backoff(5, Some(1)), Duration::seconds(32));
    }
}
