//! A place's opening hours day by day (营业时间): the week from a given
//! day with the dated exceptions applied, and the exceptions still ahead,
//! read from the texts a [`crate::NearbyPlace`] carries. The core's
//! schedule rules decide; the phone only lays the days out.

use chrono::{Datelike, Duration};
use lawcircle_core::catalogue::opening_hours::OpeningHours;

use crate::error::LawCircleError;
use crate::offline::china_local;

/// One day of a place's hours.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpeningDay {
    /// The date, `YYYY-MM-DD` (China time).
    pub date: String,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// The spans open that day, `HH:MM-HH:MM` (a close before the open runs
    /// past midnight); empty when closed all day.
    pub spans: Vec<String>,
    /// True when a dated exception (holiday, make-up working day) replaces
    /// the weekly hours that day.
    pub exception: bool,
}

/// The days from a date on, and the exceptions not yet past.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpeningSchedule {
    /// `days` days from the given day; the first one is "today".
    pub days: Vec<OpeningDay>,
    /// Every dated exception on or after the given day, in date order.
    pub upcoming_exceptions: Vec<OpeningDay>,
}

/// Most days one call lays out (two months): a screen shows a week.
const MAX_DAYS: u32 = 62;

/// The hours of a place from the day of `from_ms` (China time) on:
/// `opening_hours` and `opening_exceptions` as a [`crate::NearbyPlace`]
/// has them. Text the core cannot read is `InvalidInput` naming the field.
#[uniffi::export]
pub fn opening_schedule(
    opening_hours: String,
    opening_exceptions: String,
    from_ms: i64,
    days: u32,
) -> Result<OpeningSchedule, LawCircleError> {
    if days == 0 || days > MAX_DAYS {
        return Err(LawCircleError::invalid(
            "days",
            format!("between 1 and {MAX_DAYS}"),
        ));
    }
    // The weekly text alone first, so a problem names the right field.
    OpeningHours::parse(&opening_hours, "")
        .map_err(|e| LawCircleError::invalid("opening_hours", e.to_string()))?;
    let oh = OpeningHours::parse(&opening_hours, &opening_exceptions)
        .map_err(|e| LawCircleError::invalid("opening_exceptions", e.to_string()))?;
    let today = china_local("from_ms", from_ms)?.date();
    let spans = |s: &[lawcircle_core::catalogue::opening_hours::TimeSpan]| {
        s.iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    let day = |date: chrono::NaiveDate| OpeningDay {
        date: date.to_string(),
        weekday: date.weekday().number_from_monday() as u8,
        spans: spans(oh.spans_on(date)),
        exception: oh.exceptions.iter().any(|e| e.date == date),
    };
    Ok(OpeningSchedule {
        days: (0..i64::from(days))
            .map(|n| day(today + Duration::days(n)))
            .collect(),
        upcoming_exceptions: oh
            .exceptions
            .iter()
            .filter(|e| e.date >= today)
            .map(|e| day(e.date))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-09-29 00:00 China time (a Monday, a make-up working day before
    /// the National Day holiday).
    const MONDAY_MS: i64 = 1_759_075_200_000;

    #[test]
    fn a_week_with_its_exceptions() {
        let s = opening_schedule(
            "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00".into(),
            "2025-09-01 off; 2025-10-01 off; 2025-10-11 08:30-17:30".into(),
            MONDAY_MS + 10 * 3_600_000,
            7,
        )
        .unwrap();
        assert_eq!(s.days.len(), 7);
        assert_eq!(s.days[0].date, "2025-09-29");
        assert_eq!(s.days[0].weekday, 1);
        assert_eq!(s.days[0].spans, vec!["08:30-12:00", "13:30-17:30"]);
        assert!(!s.days[0].exception);
        // Wednesday 1 October: the holiday closes it.
        assert_eq!(s.days[2].date, "2025-10-01");
        assert!(s.days[2].spans.is_empty());
        assert!(s.days[2].exception);
        assert_eq!(s.days[5].spans, vec!["09:00-12:00"]);
        assert!(s.days[6].spans.is_empty(), "Sunday is closed");
        // The September exception is past.
        let ahead: Vec<_> = s
            .upcoming_exceptions
            .iter()
            .map(|d| d.date.as_str())
            .collect();
        assert_eq!(ahead, ["2025-10-01", "2025-10-11"]);
        assert_eq!(s.upcoming_exceptions[1].spans, vec!["08:30-17:30"]);
    }

    #[test]
    fn always_open_and_bad_text() {
        let s = opening_schedule("24/7".into(), String::new(), MONDAY_MS, 1).unwrap();
        assert_eq!(s.days[0].spans, vec!["00:00-24:00"]);
        let err = opening_schedule("Mo-Fr 8".into(), String::new(), MONDAY_MS, 7).unwrap_err();
        assert!(
            matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "opening_hours")
        );
        let err = opening_schedule("24/7".into(), "soon off".into(), MONDAY_MS, 7).unwrap_err();
        assert!(
            matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "opening_exceptions")
        );
        let err = opening_schedule("24/7".into(), String::new(), MONDAY_MS, 0).unwrap_err();
        assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "days"));
    }
}
