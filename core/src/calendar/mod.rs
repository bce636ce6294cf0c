//! Time as the district counts it: China Standard Time (UTC+8, no daylight
//! saving) for dates, shifts, weeks and months, and working days with
//! holidays and make-up days for deadlines ([`working_time`]).

pub mod working_time;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

/// China Standard Time's offset from UTC, in seconds.
pub const CHINA_STANDARD_TIME_OFFSET_SECS: i32 = 8 * 3600;

/// China Standard Time, in which shifts, weeks, months and "today" are
/// counted.
pub fn china_time() -> FixedOffset {
    // 8 h is within ±24 h, so this never fails; fall back to UTC otherwise.
    FixedOffset::east_opt(CHINA_STANDARD_TIME_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

/// The date in China at `now` (a decision date "not in the future" is
/// compared with this, not with the UTC date).
pub fn today_in_china(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&china_time()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn china_is_eight_hours_ahead_of_utc() {
        let late_utc = Utc.with_ymd_and_hms(2026, 3, 5, 17, 30, 0).unwrap();
        assert_eq!(
            today_in_china(late_utc),
            NaiveDate::from_ymd_opt(2026, 3, 6).unwrap()
        );
        let early_utc = Utc.with_ymd_and_hms(2026, 3, 5, 15, 59, 0).unwrap();
        assert_eq!(
            today_in_china(early_utc),
            NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
        );
        assert_eq!(china_time().local_minus_utc(), 8 * 3600);
    }
}
