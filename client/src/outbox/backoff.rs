//! Retry timing: exponential backoff with jitter, and `Retry-After`.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// How long to wait before retrying a transiently failed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The delay after the first failure (0.5 s).
    pub initial: Duration,
    /// The longest delay (60 s); the exponential stops growing here.
    pub max: Duration,
    /// The longest `Retry-After` honoured (1 h): a server asking for more
    /// is retried after this anyway, so a bad header cannot park the queue
    /// for days.
    pub max_retry_after: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(3600),
        }
    }
}

impl BackoffPolicy {
    /// The delay before attempt `attempts + 1`, after `attempts` failures
    /// (≥ 1): `initial × 2^(attempts−1)` capped at `max`, then "equal
    /// jitter": a uniformly random point in its upper half, so retries of
    /// many phones after an outage spread out, and the delay is never below
    /// half the nominal one nor above `max`. A `Retry-After` from the
    /// server is honoured as a lower bound.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let nominal = self
            .initial
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max)
            .min(self.max);
        let half = nominal / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let jittered = half + Duration::from_millis(fastrand::u64(0..=jitter_ms));
        match retry_after {
            Some(ra) => jittered.max(ra.min(self.max_retry_after)),
            None => jittered,
        }
    }
}

/// Parses a `Retry-After` header value: delay-seconds or an HTTP-date
/// (RFC 9110 §10.2.3), relative to `now`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn grows_from_half_a_second_to_a_minute_with_jitter() {
        let p = BackoffPolicy::default();
        for _ in 0..200 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(250) && d1 <= Duration::from_millis(500));
            let d4 = p.delay(4, None);
            assert!(d4 >= Duration::from_secs(2) && d4 <= Duration::from_secs(4));
            let d30 = p.delay(30, None);
            assert!(d30 >= Duration::from_secs(30) && d30 <= Duration::from_secs(60));
            assert!(p.delay(u32::MAX, None) <= Duration::from_secs(60));
        }
        assert!(p.delay(1, Some(Duration::from_secs(7))) >= Duration::from_secs(7));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(86_400))),
            Duration::from_secs(3600)
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
