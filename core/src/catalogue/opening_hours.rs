//! Opening hours (开放时间): a weekly schedule with dated exceptions such as
//! public holidays and make-up working days (调休).
//!
//! The text form is a small subset of OpenStreetMap's `opening_hours`:
//! `Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00`, `24/7`, and overnight
//! spans such as `Fr-Sa 20:00-02:00`. Exceptions are written separately as
//! `2024-10-01 off; 2024-09-29 08:30-17:30`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a schedule could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningHoursError {
    #[error("cannot read time span {0:?}: expected HH:MM-HH:MM")]
    BadSpan(String),
    #[error("cannot read day list {0:?}: expected days such as Mo-Fr or Sa,Su")]
    BadDays(String),
    #[error("cannot read rule {0:?}: expected days followed by time spans, or 'off'")]
    BadRule(String),
    #[error("cannot read exception {0:?}: expected YYYY-MM-DD followed by spans or 'off'")]
    BadException(String),
}

/// A span of opening time in minutes after midnight. When `close <= open`
/// the span runs past midnight into the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeSpan {
    pub open_min: u16,
    /// 1..=1440; 1440 means midnight at the end of the day.
    pub close_min: u16,
}

impl TimeSpan {
    pub fn is_overnight(self) -> bool {
        self.close_min <= self.open_min
    }

    /// Whether minute `m` of the span's own day falls inside it.
    fn covers_same_day(self, m: u16) -> bool {
        if self.is_overnight() {
            m >= self.open_min
        } else {
            (self.open_min..self.close_min).contains(&m)
        }
    }

    /// Whether minute `m` of the following day falls inside it.
    fn covers_next_day(self, m: u16) -> bool {
        self.is_overnight() && m < self.close_min
    }
}

fn parse_hhmm(s: &str, allow_24: bool) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && (m != 0 || !allow_24)) {
        return None;
    }
    Some(h * 60 + m)
}

impl std::str::FromStr for TimeSpan {
    type Err = OpeningHoursError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || OpeningHoursError::BadSpan(s.to_string());
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let open_min = parse_hhmm(a, false).ok_or_else(bad)?;
        let close_min = parse_hhmm(b, true).ok_or_else(bad)?;
        let close_min = if close_min == 0 { 1440 } else { close_min };
        if close_min == open_min {
            return Err(bad());
        }
        Ok(TimeSpan {
            open_min,
            close_min,
        })
    }
}

impl fmt::Display for TimeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.close_min;
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.open_min / 60,
            self.open_min % 60,
            c / 60,
            c % 60
        )
    }
}

const DAY_CODES: [(&str, Weekday); 7] = [
    ("Mo", Weekday::Mon),
    ("Tu", Weekday::Tue),
    ("We", Weekday::Wed),
    ("Th", Weekday::Thu),
    ("Fr", Weekday::Fri),
    ("Sa", Weekday::Sat),
    ("Su", Weekday::Sun),
];

fn day_code(d: Weekday) -> &'static str {
    DAY_CODES[d.num_days_from_monday() as usize].0
}

fn parse_day(s: &str) -> Option<Weekday> {
    DAY_CODES
        .iter()
        .find(|(c, _)| *c == s.trim())
        .map(|(_, d)| *d)
}

/// A dated exception: on `date` the facility keeps `spans` instead of its
/// weekly hours (no spans: closed all day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedException {
    pub date: NaiveDate,
    #[serde(with = "spans_serde")]
    pub spans: Vec<TimeSpan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A weekly schedule plus dated exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningHours {
    /// Spans per weekday, Monday first.
    pub weekly: [Vec<TimeSpan>; 7],
    pub exceptions: Vec<DatedException>,
}

impl OpeningHours {
    /// Open around the clock, every day.
    pub fn always() -> Self {
        let all = vec![TimeSpan {
            open_min: 0,
            close_min: 1440,
        }];
        OpeningHours {
            weekly: std::array::from_fn(|_| all.clone()),
            exceptions: vec![],
        }
    }

    /// Reads the weekly text form (`Mo-Fr 08:30-17:00; Sa 09:00-12:00`,
    /// `24/7`) and, optionally, the exception text form.
    pub fn parse(weekly: &str, exceptions: &str) -> Result<Self, OpeningHoursError> {
        let mut oh = OpeningHours::default();
        let weekly = weekly.trim();
        if weekly == "24/7" {
            oh = OpeningHours::always();
        } else {
            for rule in weekly.split(';').map(str::trim).filter(|r| !r.is_empty()) {
                let (days, spans) = rule
                    .split_once(' ')
                    .ok_or_else(|| OpeningHoursError::BadRule(rule.to_string()))?;
                let days = parse_days(days)?;
                let spans = parse_spans(spans)?;
                for d in days {
                    oh.weekly[d.num_days_from_monday() as usize] = spans.clone();
                }
            }
        }
        for ex in exceptions
            .split(';')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let bad = || OpeningHoursError::BadException(ex.to_string());
            let (date, rest) = ex.split_once(' ').ok_or_else(bad)?;
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
            let spans = parse_spans(rest).map_err(|_| bad())?;
            oh.exceptions.retain(|e| e.date != date);
            oh.exceptions.push(DatedException {
                date,
                spans,
                note: None,
            });
        }
        oh.exceptions.sort_by_key(|e| e.date);
        Ok(oh)
    }

    /// The spans that apply on `date`, exceptions first.
    pub fn spans_on(&self, date: NaiveDate) -> &[TimeSpan] {
        match self.exceptions.iter().find(|e| e.date == date) {
            Some(e) => &e.spans,
            None => &self.weekly[date.weekday().num_days_from_monday() as usize],
        }
    }

    /// Whether the facility is open at local (China Standard Time) `at`,
    /// counting overnight spans that started the day before.
    pub fn is_open_at(&self, at: NaiveDateTime) -> bool {
        let date = at.date();
        let m = (at.hour() * 60 + at.minute()) as u16;
        if self.spans_on(date).iter().any(|s| s.covers_same_day(m)) {
            return true;
        }
        date.pred_opt()
            .is_some_and(|prev| self.spans_on(prev).iter().any(|s| s.covers_next_day(m)))
    }

    /// The weekly text form.
    pub fn weekly_text(&self) -> String {
        if *self == OpeningHours::always() {
            return "24/7".to_string();
        }
        let mut rules: Vec<String> = Vec::new();
        let mut i = 0;
        while i < 7 {
            let mut j = i;
            while j + 1 < 7 && self.weekly[j + 1] == self.weekly[i] {
                j += 1;
            }
            if !self.weekly[i].is_empty() {
                let days = if i == j {
                    day_code(DAY_CODES[i].1).to_string()
                } else {
                    format!("{}-{}", DAY_CODES[i].0, DAY_CODES[j].0)
                };
                rules.push(format!("{days} {}", spans_text(&self.weekly[i])));
            }
            i = j + 1;
        }
        rules.join("; ")
    }

    /// The exception text form.
    pub fn exceptions_text(&self) -> String {
        self.exceptions
            .iter()
            .map(|e| format!("{} {}", e.date, spans_text(&e.spans)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn spans_text(spans: &[TimeSpan]) -> String {
    if spans.is_empty() {
        return "off".to_string();
    }
    spans
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_spans(s: &str) -> Result<Vec<TimeSpan>, OpeningHoursError> {
    let s = s.trim();
    if s == "off" || s == "closed" {
        return Ok(vec![]);
    }
    s.split(',').map(|p| p.trim().parse()).collect()
}

fn parse_days(s: &str) -> Result<Vec<Weekday>, OpeningHoursError> {
    let bad = || OpeningHoursError::BadDays(s.to_string());
    let mut days = Vec::new();
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (parse_day(a).ok_or_else(bad)?, parse_day(b).ok_or_else(bad)?);
                let mut d = a;
                loop {
                    days.push(d);
                    if d == b {
                        break;
                    }
                    d = d.succ();
                }
            }
            None => days.push(parse_day(part).ok_or_else(bad)?),
        }
    }
    Ok(days)
}

mod spans_serde {
    use super::*;

    pub fn serialize<S: Serializer>(spans: &[TimeSpan], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(spans.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TimeSpan>, D::Error> {
        let raw: Vec<String> = Vec::deserialize(d)?;
        raw.iter()
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

/// Serialized as `{"weekly": "Mo-Fr 08:30-17:00", "exceptions": [...]}` so
/// that files and APIs stay readable.
impl Serialize for OpeningHours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            weekly: String,
            exceptions: &'a [DatedException],
        }
        Repr {
            weekly: self.weekly_text(),
            exceptions: &self.exceptions,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for OpeningHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Repr {
            weekly: String,
            #[serde(default)]
            exceptions: Vec<DatedException>,
        }
        let r = Repr::deserialize(d)?;
        let mut oh = OpeningHours::parse(&r.weekly, "").map_err(serde::de::Error::custom)?;
        oh.exceptions = r.exceptions;
        oh.exceptions.sort_by_key(|e| e.date);
        Ok(oh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn weekday_hours_and_lunch_break() {
        let oh = OpeningHours::parse("Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00", "").unwrap();
        // 2024-03-04 is a Monday.
        assert!(oh.is_open_at(at("2024-03-04 08:30")));
        assert!(!oh.is_open_at(at("2024-03-04 12:30")));
        assert!(!oh.is_open_at(at("2024-03-04 17:30")));
        assert!(oh.is_open_at(at("2024-03-09 11:59")));
        assert!(!oh.is_open_at(at("2024-03-10 10:00")));
        assert_eq!(
            oh.weekly_text(),
            "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00"
        );
    }

    #[test]
    fn overnight_spans_reach_into_the_next_day() {
        let oh = OpeningHours::parse("Fr-Sa 20:00-02:00", "").unwrap();
        // 2024-03-08 is a Friday.
        assert!(oh.is_open_at(at("2024-03-08 23:00")));
        assert!(oh.is_open_at(at("2024-03-09 01:59")));
        assert!(!oh.is_open_at(at("2024-03-09 02:00")));
        assert!(oh.is_open_at(at("2024-03-10 01:00")));
        assert!(!oh.is_open_at(at("2024-03-11 01:00")));
    }

    #[test]
    fn holidays_and_make_up_days_override_the_week() {
        // National Day 2024 is a holiday; Sunday 2024-09-29 is a make-up day.
        let oh = OpeningHours::parse(
            "Mo-Fr 08:30-17:00",
            "2024-10-01 off; 2024-09-29 08:30-17:00",
        )
        .unwrap();
        assert!(!oh.is_open_at(at("2024-10-01 10:00")));
        assert!(oh.is_open_at(at("2024-09-29 10:00")));
        assert_eq!(
            oh.exceptions_text(),
            "2024-09-29 08:30-17:00; 2024-10-01 off"
        );
    }

    #[test]
    fn always_open_and_serde_round_trip() {
        let oh = OpeningHours::parse("24/7", "2025-01-29 off").unwrap();
        assert!(oh.is_open_at(at("2025-01-28 23:59")));
        assert!(!oh.is_open_at(at("2025-01-29 12:00")));
        let json = serde_json::to_string(&oh).unwrap();
        let back: OpeningHours = serde_json::from_str(&json).unwrap();
        assert_eq!(back, oh);
    }

    #[test]
    fn bad_text_is_refused() {
        for bad in [
            "Mo-Fr",
            "Xx 08:00-10:00",
            "Mo 8-10",
            "Mo 25:00-26:00",
            "Mo 10:00-10:00",
        ] {
            assert!(OpeningHours::parse(bad, "").is_err(), "{bad}");
        }
        assert!(OpeningHours::parse("24/7", "2024-13-01 off").is_err());
    }
}
