//! Working days (工作日) and order deadlines (办理时限).
//!
//! China works Monday to Friday, except public holidays; around holidays
//! some weekend days become working days (调休上班). Both are published
//! yearly by the General Office of the State Council (国务院办公厅关于
//! 某年部分节假日安排的通知) and are kept here as data, a
//! [`HolidayCalendar`] loaded from CSV or JSON with each day's source.
//!
//! Shipped data ([`HolidayCalendar::china_2025_2026`], files under
//! `core/data/holidays/`):
//! * 2025: 国务院办公厅关于2025年部分节假日安排的通知, 2024-11-12
//!   (Xinhua, reprinted at <https://m.gmw.cn/2024-11/12/content_1303894933.htm>);
//! * 2026: 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04
//!   (Xinhua, reprinted at <https://politics.gmw.cn/2025-11/04/content_38391083.htm>).
//!
//! Years outside the calendar fall back to plain Monday–Friday: load the
//! next year's notice when it is published (usually in November).
//!
//! Deadlines ([`DeadlinePolicy`]): a normal order must be resolved within
//! 5 working days, an urgent one within 1 hour of wall-clock time (the
//! Shandong 12348 practice: feedback within 5 working days, urgent
//! hand-off within 1 hour). Working days are counted in China Standard
//! Time.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a dated entry says about the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假: no work, even on a weekday.
    Holiday,
    /// 调休上班: work, even on a weekend.
    Workday,
}

/// One dated entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// e.g. 春节, 春节调休上班.
    pub name: String,
    /// Where the entry comes from (notice title, date, address).
    pub source: String,
}

/// Why a calendar could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("line {line}: {field}: {message}")]
    BadRow {
        line: u64,
        field: &'static str,
        message: String,
    },
    #[error("{date} is listed twice with different kinds")]
    Conflict { date: NaiveDate },
    #[error("{date}: an entry needs a source")]
    MissingSource { date: NaiveDate },
    #[error("invalid calendar JSON: {0}")]
    Json(String),
    #[error("invalid calendar CSV: {0}")]
    Csv(String),
}

/// Holidays and make-up working days, by date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<CalendarEntry>", try_from = "Vec<CalendarEntry>")]
pub struct HolidayCalendar {
    entries: BTreeMap<NaiveDate, CalendarEntry>,
}

impl From<HolidayCalendar> for Vec<CalendarEntry> {
    fn from(c: HolidayCalendar) -> Self {
        c.entries.into_values().collect()
    }
}

impl TryFrom<Vec<CalendarEntry>> for HolidayCalendar {
    type Error = CalendarError;

    fn try_from(v: Vec<CalendarEntry>) -> Result<Self, Self::Error> {
        HolidayCalendar::from_entries(v)
    }
}

const CN_2025: &str = include_str!("../../data/holidays/cn-2025.csv");
const CN_2026: &str = include_str!("../../data/holidays/cn-2026.csv");

impl HolidayCalendar {
    /// Plain Monday–Friday.
    pub fn weekdays_only() -> Self {
        HolidayCalendar::default()
    }

    /// Builds a calendar; the same date twice is fine only with the same
    /// kind (the later entry wins).
    pub fn from_entries(
        entries: impl IntoIterator<Item = CalendarEntry>,
    ) -> Result<Self, CalendarError> {
        let mut map: BTreeMap<NaiveDate, CalendarEntry> = BTreeMap::new();
        for e in entries {
            if e.source.trim().is_empty() {
                return Err(CalendarError::MissingSource { date: e.date });
            }
            if let Some(old) = map.get(&e.date)
                && old.kind != e.kind
            {
                return Err(CalendarError::Conflict { date: e.date });
            }
            map.insert(e.date, e);
        }
        Ok(HolidayCalendar { entries: map })
    }

    /// Reads CSV with the header `date,kind,name,source`; `date` is
    /// `YYYY-MM-DD`, `kind` is `holiday`/`workday` (or 放假/上班).
    pub fn from_csv(text: &str) -> Result<Self, CalendarError> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| CalendarError::Csv(e.to_string()))?
            .clone();
        let col = |name: &'static str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or(CalendarError::BadRow {
                    line: 1,
                    field: name,
                    message: "missing column".into(),
                })
        };
        let (cd, ck, cn, cs) = (col("date")?, col("kind")?, col("name")?, col("source")?);
        let mut out = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| CalendarError::Csv(e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line());
            let get = |i: usize| rec.get(i).unwrap_or("");
            let date = NaiveDate::parse_from_str(get(cd), "%Y-%m-%d").map_err(|e| {
                CalendarError::BadRow {
                    line,
                    field: "date",
                    message: format!("{:?}: {e}", get(cd)),
                }
            })?;
            let kind = match get(ck) {
                "holiday" | "放假" => DayKind::Holiday,
                "workday" | "上班" => DayKind::Workday,
                other => {
                    return Err(CalendarError::BadRow {
                        line,
                        field: "kind",
                        message: format!("{other:?}: expected holiday or workday"),
                    });
                }
            };
            out.push(CalendarEntry {
                date,
                kind,
                name: get(cn).to_string(),
                source: get(cs).to_string(),
            });
        }
        HolidayCalendar::from_entries(out)
    }

    /// Reads a JSON array of [`CalendarEntry`].
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        let v: Vec<CalendarEntry> =
            serde_json::from_str(text).map_err(|e| CalendarError::Json(e.to_string()))?;
        HolidayCalendar::from_entries(v)
    }

    /// The State Council schedules for 2025 and 2026 (see the module
    /// documentation for their sources).
    pub fn china_2025_2026() -> Result<Self, CalendarError> {
        let mut a = HolidayCalendar::from_csv(CN_2025)?;
        a.merge(HolidayCalendar::from_csv(CN_2026)?)?;
        Ok(a)
    }

    /// Adds another calendar's entries (e.g. next year's notice).
    pub fn merge(&mut self, other: HolidayCalendar) -> Result<(), CalendarError> {
        for (d, e) in other.entries {
            if let Some(old) = self.entries.get(&d)
                && old.kind != e.kind
            {
                return Err(CalendarError::Conflict { date: d });
            }
            self.entries.insert(d, e);
        }
        Ok(())
    }

    pub fn entry(&self, date: NaiveDate) -> Option<&CalendarEntry> {
        self.entries.get(&date)
    }

    pub fn entries(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.entries.values()
    }

    /// Whether any entry falls in `year` (i.e. the year's notice is loaded).
    pub fn covers_year(&self, year: i32) -> bool {
        self.entries.keys().any(|d| d.year() == year)
    }

    /// A working day: a listed make-up day, or a weekday not listed as a
    /// holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.entries.get(&date).map(|e| e.kind) {
            Some(DayKind::Workday) => true,
            Some(DayKind::Holiday) => false,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }
}

/// The `n`-th working day strictly after `start` (`n = 0` gives `start`).
/// Counting starts the day after, as periods do in Chinese practice; a
/// start on a weekend or holiday therefore gives the same result as the
/// working day before it. Returns `None` only if no working day is found
/// within `n` × 7 + 400 days (an impossible calendar) or dates overflow.
pub fn add_working_days(start: NaiveDate, n: u32, calendar: &HolidayCalendar) -> Option<NaiveDate> {
    let mut d = start;
    let mut left = n;
    let mut budget = u64::from(n) * 7 + 400;
    while left > 0 {
        d = d.succ_opt()?;
        budget = budget.checked_sub(1)?;
        if calendar.is_working_day(d) {
            left -= 1;
        }
    }
    Some(d)
}

/// The same wall-clock time (China Standard Time) on the `n`-th working
/// day after `start`.
pub fn add_working_days_at(
    start: DateTime<Utc>,
    n: u32,
    calendar: &HolidayCalendar,
) -> Option<DateTime<Utc>> {
    let tz = crate::calendar::china_time();
    let local = start.with_timezone(&tz);
    let day = add_working_days(local.date_naive(), n, calendar)?;
    let naive = day.and_time(local.time());
    tz.from_local_datetime(&naive)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// Working days between two dates: working days `d` with
/// `from < d <= to` (0 when `to <= from`).
pub fn working_days_between(from: NaiveDate, to: NaiveDate, calendar: &HolidayCalendar) -> u32 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
        if calendar.is_working_day(d) {
            n += 1;
        }
    }
    n
}

/// How long an order may take (办理时限), as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// Working days for a normal order (default 5).
    pub normal_working_days: u32,
    /// Wall-clock minutes for an urgent order (default 60).
    pub urgent_minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            normal_working_days: 5,
            urgent_minutes: 60,
            source: Some(
                "defaults after the Shandong 12348 practice (5 working days; urgent 1 hour)".into(),
            ),
        }
    }
}

impl DeadlinePolicy {
    /// The deadline of an order created at `created_at`: `urgent_minutes`
    /// later if urgent, else the same time of day `normal_working_days`
    /// working days later.
    pub fn deadline(
        &self,
        created_at: DateTime<Utc>,
        urgent: bool,
        calendar: &HolidayCalendar,
    ) -> Option<DateTime<Utc>> {
        if urgent {
            created_at.checked_add_signed(Duration::minutes(i64::from(self.urgent_minutes)))
        } else {
            add_working_days_at(created_at, self.normal_working_days, calendar)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cn() -> HolidayCalendar {
        HolidayCalendar::china_2025_2026().unwrap()
    }

    #[test]
    fn shipped_calendar_loads_and_make_up_days_are_weekends() {
        let c = cn();
        assert!(c.covers_year(2025) && c.covers_year(2026));
        assert!(!c.covers_year(2027));
        let holidays = c.entries().filter(|e| e.kind == DayKind::Holiday).count();
        let workdays = c.entries().filter(|e| e.kind == DayKind::Workday).count();
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 = 28 holidays, 5 make-up days;
        // 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 = 33 holidays, 6 make-up days.
        assert_eq!((holidays, workdays), (28 + 33, 5 + 6));
        for e in c.entries() {
            assert!(e.source.contains("国务院办公厅"), "{e:?}");
            if e.kind == DayKind::Workday {
                assert!(matches!(e.date.weekday(), Weekday::Sat | Weekday::Sun));
            }
        }
        // Spot checks against the notices.
        assert!(!c.is_working_day(d("2025-01-28"))); // 除夕, Tuesday
        assert!(c.is_working_day(d("2025-01-26"))); // Sunday, 上班
        assert!(c.is_working_day(d("2026-02-28"))); // Saturday, 上班
        assert!(!c.is_working_day(d("2026-10-07"))); // Wednesday, 国庆
    }

    #[test]
    fn plain_weekend() {
        let c = HolidayCalendar::weekdays_only();
        // Thursday 2025-03-06 + 5 working days: Fri 7, Mon 10, Tue 11,
        // Wed 12, Thu 13.
        assert_eq!(
            add_working_days(d("2025-03-06"), 5, &c),
            Some(d("2025-03-13"))
        );
        // Saturday start: Mon 10 … Fri 14.
        assert_eq!(
            add_working_days(d("2025-03-08"), 5, &c),
            Some(d("2025-03-14"))
        );
        assert_eq!(
            add_working_days(d("2025-03-08"), 0, &c),
            Some(d("2025-03-08"))
        );
    }

    #[test]
    fn across_a_holiday_with_a_make_up_day() {
        let c = cn();
        // Labour Day 2025: holiday Thu 1 May – Mon 5 May, make-up Sunday
        // 27 April. From Friday 25 April: Sun 27 (make-up) 1, Mon 28 2,
        // Tue 29 3, Wed 30 4, then 1–5 May off, Tue 6 May 5.
        assert_eq!(
            add_working_days(d("2025-04-25"), 5, &c),
            Some(d("2025-05-06"))
        );
        // Without the calendar: Mon 28, Tue 29, Wed 30, Thu 1, Fri 2.
        assert_eq!(
            add_working_days(d("2025-04-25"), 5, &HolidayCalendar::weekdays_only()),
            Some(d("2025-05-02"))
        );
        // Spring Festival 2026: off Sun 15 – Mon 23 Feb, make-up Sat 14
        // and Sat 28. From Fri 13 Feb: Sat 14 1, Tue 24 2, Wed 25 3,
        // Thu 26 4, Fri 27 5.
        assert_eq!(
            add_working_days(d("2026-02-13"), 5, &c),
            Some(d("2026-02-27"))
        );
        assert_eq!(
            working_days_between(d("2026-02-13"), d("2026-02-27"), &c),
            5
        );
    }

    #[test]
    fn deadlines_normal_and_urgent() {
        let c = cn();
        let p = DeadlinePolicy::default();
        // 2025-04-25 10:00 CST = 02:00 UTC.
        let created = Utc.with_ymd_and_hms(2025, 4, 25, 2, 0, 0).unwrap();
        assert_eq!(
            p.deadline(created, false, &c),
            Some(Utc.with_ymd_and_hms(2025, 5, 6, 2, 0, 0).unwrap())
        );
        assert_eq!(
            p.deadline(created, true, &c),
            Some(Utc.with_ymd_and_hms(2025, 4, 25, 3, 0, 0).unwrap())
        );
        // The working day is taken in China time: 2025-04-24 23:00 UTC is
        // already Friday 07:00 in Wenzhou.
        let late = Utc.with_ymd_and_hms(2025, 4, 24, 23, 0, 0).unwrap();
        assert_eq!(
            p.deadline(late, false, &c),
            Some(Utc.with_ymd_and_hms(2025, 5, 5, 23, 0, 0).unwrap())
        );
    }

    #[test]
    fn csv_and_json_loading_errors() {
        let bad = "date,kind,name,source\n2025-13-01,holiday,x,y\n";
        assert!(matches!(
            HolidayCalendar::from_csv(bad),
            Err(CalendarError::BadRow {
                line: 2,
                field: "date",
                ..
            })
        ));
        let bad = "date,kind,name,source\n2025-05-01,day off,x,y\n";
        assert!(matches!(
            HolidayCalendar::from_csv(bad),
            Err(CalendarError::BadRow { field: "kind", .. })
        ));
        let conflict = "date,kind,name,source\n2025-05-01,holiday,x,y\n2025-05-01,workday,x,y\n";
        assert_eq!(
            HolidayCalendar::from_csv(conflict),
            Err(CalendarError::Conflict {
                date: d("2025-05-01")
            })
        );
        let no_source = "date,kind,name,source\n2025-05-01,holiday,x,\n";
        assert!(matches!(
            HolidayCalendar::from_csv(no_source),
            Err(CalendarError::MissingSource { .. })
        ));
        let c = cn();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(HolidayCalendar::from_json(&json).unwrap(), c);
    }
}
