//! Each person's choices: push on or off, and quiet hours (China time)
//! during which messages other than duty offers wait until morning.

use crate::store::{StoreError, millis};
use chrono::{DateTime, Duration, FixedOffset, Offset, Timelike, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Minutes in a day.
const DAY_MIN: i64 = 24 * 60;

/// A person's notification settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Whether push devices get messages (the live stream always does).
    pub push: bool,
    /// Quiet hours start, minutes after midnight China time (0–1439).
    pub quiet_start: Option<i64>,
    /// Quiet hours end (may be earlier than the start: overnight).
    pub quiet_end: Option<i64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            push: true,
            quiet_start: None,
            quiet_end: None,
        }
    }
}

/// China Standard Time (UTC+8, no daylight saving).
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

impl Settings {
    /// Which field is wrong, if any.
    pub fn invalid(&self) -> Option<(&'static str, &'static str)> {
        let ok = |m: Option<i64>| m.is_none_or(|m| (0..DAY_MIN).contains(&m));
        if !ok(self.quiet_start) {
            return Some(("quiet_start", "minutes after midnight, 0 to 1439"));
        }
        if !ok(self.quiet_end) {
            return Some(("quiet_end", "minutes after midnight, 0 to 1439"));
        }
        if self.quiet_start.is_some() != self.quiet_end.is_some() {
            return Some(("quiet_end", "give quiet_start and quiet_end together"));
        }
        None
    }

    /// When quiet hours that hold at `now` end; `None` outside them.
    pub fn quiet_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (start, end) = (self.quiet_start?, self.quiet_end?);
        if start == end {
            return None;
        }
        let local = now.with_timezone(&china());
        let minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
        let inside = if start < end {
            (start..end).contains(&minute)
        } else {
            minute >= start || minute < end
        };
        if !inside {
            return None;
        }
        let wait = (end - minute).rem_euclid(DAY_MIN);
        let whole = now
            - Duration::seconds(i64::from(local.second()))
            - Duration::nanoseconds(i64::from(local.nanosecond()));
        Some(whole + Duration::minutes(wait))
    }

    /// The settings of `account` (defaults without a row).
    pub async fn load_on(
        conn: &mut sqlx::AnyConnection,
        account: i64,
    ) -> Result<Settings, StoreError> {
        let row = sqlx::query(
            "SELECT push, quiet_start, quiet_end FROM notification_settings WHERE account_id = $1",
        )
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(match row {
            Some(r) => Settings {
                push: r.try_get::<i64, _>(0)? != 0,
                quiet_start: r.try_get(1)?,
                quiet_end: r.try_get(2)?,
            },
            None => Settings::default(),
        })
    }

    /// Stores the settings of `account`.
    pub async fn save(
        &self,
        store: &crate::store::Store,
        account: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notification_settings (account_id, push, quiet_start, quiet_end, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account_id) DO UPDATE SET push = excluded.push,
                 quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
                 updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(i64::from(self.push))
        .bind(self.quiet_start)
        .bind(self.quiet_end)
        .bind(millis(now))
        .execute(&mut *store.writer().await?)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // China time h:m on 2026-03-02 is UTC h-8.
        china()
            .with_ymd_and_hms(2026, 3, 2, h, m, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn overnight_quiet_hours_wait_until_their_end() {
        let s = Settings {
            push: true,
            quiet_start: Some(22 * 60),
            quiet_end: Some(7 * 60),
        };
        assert_eq!(s.quiet_until(at(12, 0)), None);
        assert_eq!(
            s.quiet_until(at(23, 30)),
            Some(at(7, 0) + Duration::days(1))
        );
        assert_eq!(s.quiet_until(at(6, 59)), Some(at(7, 0)));
        assert_eq!(s.quiet_until(at(7, 0)), None);
        assert!(s.invalid().is_none());
        let bad = Settings {
            quiet_start: Some(1440),
            ..s
        };
        assert_eq!(bad.invalid().map(|e| e.0), Some("quiet_start"));
    }
}
