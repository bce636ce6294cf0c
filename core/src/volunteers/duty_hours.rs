//! Service hours (服务时长): duty sessions from paired clock-in/out punches,
//! plus hours credited for completed orders, totalled per volunteer, post,
//! street and month (China time). Star levels follow from the totals
//! ([`crate::volunteers::pool::StarLevels`]).
//!
//! Rules:
//! * only [`PunchStatus::Accepted`] punches count (accepted by the server
//!   without warnings, or by a supervisor);
//! * each volunteer's punches are taken in time order (the server's estimate
//!   of the punch time when known, else the device clock);
//! * a clock-in is closed by the next clock-out at the same post; a second
//!   clock-in, a clock-out at another post, a session longer than the limit
//!   or a clock-out without clock-in is reported as a [`PairingIssue`] and
//!   counts nothing;
//! * a session crossing midnight at the end of a month is split between the
//!   two months;
//! * duty time is summed in whole milliseconds per volunteer, post, street
//!   and month ([`duty_millis`]) and turned into hours once per total, so
//!   totals kept per volunteer add up to exactly what all punches give.

use crate::calendar::china_time;
use crate::volunteers::pool::StarLevels;
use crate::volunteers::punch::{Punch, PunchKind, PunchStatus};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A paired clock-in/clock-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub volunteer_id: String,
    pub post_id: String,
    pub street_code: String,
    pub in_punch_id: String,
    pub out_punch_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Session {
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_milliseconds() as f64 / 3_600_000.0
    }
}

/// A punch that could not be paired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PairingIssue {
    /// A clock-in never closed (or closed by another clock-in).
    InWithoutOut {
        punch_id: String,
    },
    OutWithoutIn {
        punch_id: String,
    },
    /// Clock-out at another post than the clock-in.
    PostMismatch {
        in_punch_id: String,
        out_punch_id: String,
    },
    /// Longer than the limit (a forgotten clock-out).
    TooLong {
        in_punch_id: String,
        out_punch_id: String,
        hours: f64,
    },
}

/// Hours credited for a completed order (e.g. a consultation taken by
/// 抢单/派单), as confirmed by the order flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedOrderHours {
    pub order_id: String,
    pub volunteer_id: String,
    pub street_code: String,
    pub completed_at: DateTime<Utc>,
    pub hours: f64,
}

/// The default longest session: a forgotten clock-out beyond this is not
/// counted.
pub const DEFAULT_MAX_SESSION_H: f64 = 16.0;

/// Pairs the accepted punches of any number of volunteers into sessions.
pub fn pair_sessions(punches: &[Punch], max_session_h: f64) -> (Vec<Session>, Vec<PairingIssue>) {
    let mut by_volunteer: BTreeMap<&str, Vec<&Punch>> = BTreeMap::new();
    for p in punches
        .iter()
        .filter(|p| p.status() == PunchStatus::Accepted)
    {
        by_volunteer.entry(&p.volunteer_id).or_default().push(p);
    }
    let mut sessions = Vec::new();
    let mut issues = Vec::new();
    for list in by_volunteer.values_mut() {
        list.sort_by_key(|p| p.trusted_time());
        let mut open: Option<&Punch> = None;
        for &p in list.iter() {
            match p.kind {
                PunchKind::In => {
                    if let Some(o) = open.replace(p) {
                        issues.push(PairingIssue::InWithoutOut {
                            punch_id: o.id.clone(),
                        });
                    }
                }
                PunchKind::Out => match open.take() {
                    None => issues.push(PairingIssue::OutWithoutIn {
                        punch_id: p.id.clone(),
                    }),
                    Some(i) if i.post_id != p.post_id => issues.push(PairingIssue::PostMismatch {
                        in_punch_id: i.id.clone(),
                        out_punch_id: p.id.clone(),
                    }),
                    Some(i) => {
                        let s = Session {
                            volunteer_id: i.volunteer_id.clone(),
                            post_id: i.post_id.clone(),
                            street_code: i.street_code.clone(),
                            in_punch_id: i.id.clone(),
                            out_punch_id: p.id.clone(),
                            start: i.trusted_time(),
                            end: p.trusted_time(),
                        };
                        if s.hours() > max_session_h {
                            issues.push(PairingIssue::TooLong {
                                in_punch_id: i.id.clone(),
                                out_punch_id: p.id.clone(),
                                hours: s.hours(),
                            });
                        } else {
                            sessions.push(s);
                        }
                    }
                },
            }
        }
        if let Some(o) = open {
            issues.push(PairingIssue::InWithoutOut {
                punch_id: o.id.clone(),
            });
        }
    }
    (sessions, issues)
}

/// Duty hours and order hours, kept apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Hours {
    pub duty_h: f64,
    pub order_h: f64,
}

impl Hours {
    pub fn total(&self) -> f64 {
        self.duty_h + self.order_h
    }
}

/// Totals per volunteer, post, street and month (`YYYY-MM`, China time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HourTotals {
    pub by_volunteer: BTreeMap<String, Hours>,
    /// Duty hours only (orders have no post).
    pub by_post: BTreeMap<String, f64>,
    pub by_street: BTreeMap<String, Hours>,
    pub by_month: BTreeMap<String, Hours>,
    /// volunteer → month → hours.
    pub by_volunteer_month: BTreeMap<String, BTreeMap<String, Hours>>,
}

fn month_key(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&china_time());
    format!("{:04}-{:02}", l.year(), l.month())
}

/// The first instant of the month after `t`'s (China time).
fn next_month_start(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let l = t.with_timezone(&china_time());
    let (y, m) = if l.month() == 12 {
        (l.year() + 1, 1)
    } else {
        (l.year(), l.month() + 1)
    };
    let d = NaiveDate::from_ymd_opt(y, m, 1)?.and_hms_opt(0, 0, 0)?;
    china_time()
        .from_local_datetime(&d)
        .single()
        .map(|x| x.with_timezone(&Utc))
}

/// Where and when duty time was served: one volunteer at one post (in one
/// street) in one month (`YYYY-MM`, China time).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DutyKey {
    pub volunteer_id: String,
    pub post_id: String,
    pub street_code: String,
    pub month: String,
}

/// Duty time in whole milliseconds per [`DutyKey`]: sessions split at the
/// month ends. Milliseconds add up exactly in any order, so totals made
/// from these (kept per volunteer or not) are the same to the last bit.
pub type DutyMillis = BTreeMap<DutyKey, i64>;

/// The duty time of `sessions` per volunteer, post, street and month.
pub fn duty_millis(sessions: &[Session]) -> DutyMillis {
    let mut out = DutyMillis::new();
    for s in sessions {
        let mut start = s.start;
        while start < s.end {
            let piece_end = next_month_start(start).map_or(s.end, |n| n.min(s.end));
            let key = DutyKey {
                volunteer_id: s.volunteer_id.clone(),
                post_id: s.post_id.clone(),
                street_code: s.street_code.clone(),
                month: month_key(start),
            };
            *out.entry(key).or_default() += (piece_end - start).num_milliseconds();
            start = piece_end;
        }
    }
    out
}

/// Milliseconds as hours.
pub fn ms_to_hours(ms: i64) -> f64 {
    ms as f64 / 3_600_000.0
}

impl HourTotals {
    /// Totals from sessions and completed orders.
    pub fn compute(sessions: &[Session], orders: &[CompletedOrderHours]) -> HourTotals {
        let duty = duty_millis(sessions);
        HourTotals::from_duty(duty.iter().map(|(k, ms)| (k, *ms)), orders)
    }

    /// Totals from duty time already split per volunteer, post, street and
    /// month (see [`duty_millis`]) and completed orders. Duty time is
    /// summed in milliseconds and turned into hours once per total.
    pub fn from_duty<'a>(
        duty: impl IntoIterator<Item = (&'a DutyKey, i64)>,
        orders: &[CompletedOrderHours],
    ) -> HourTotals {
        let mut by_volunteer: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_post: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_street: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_month: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_volunteer_month: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for (k, ms) in duty {
            *by_volunteer.entry(k.volunteer_id.clone()).or_default() += ms;
            *by_post.entry(k.post_id.clone()).or_default() += ms;
            *by_street.entry(k.street_code.clone()).or_default() += ms;
            *by_month.entry(k.month.clone()).or_default() += ms;
            *by_volunteer_month
                .entry(k.volunteer_id.clone())
                .or_default()
                .entry(k.month.clone())
                .or_default() += ms;
        }
        let duty = |m: BTreeMap<String, i64>| -> BTreeMap<String, Hours> {
            m.into_iter()
                .map(|(k, ms)| {
                    (
                        k,
                        Hours {
                            duty_h: ms_to_hours(ms),
                            order_h: 0.0,
                        },
                    )
                })
                .collect()
        };
        let mut t = HourTotals {
            by_volunteer: duty(by_volunteer),
            by_post: by_post
                .into_iter()
                .map(|(k, ms)| (k, ms_to_hours(ms)))
                .collect(),
            by_street: duty(by_street),
            by_month: duty(by_month),
            by_volunteer_month: by_volunteer_month
                .into_iter()
                .map(|(v, m)| (v, duty(m)))
                .collect(),
        };
        for o in orders
            .iter()
            .filter(|o| o.hours.is_finite() && o.hours > 0.0)
        {
            let month = month_key(o.completed_at);
            t.by_volunteer
                .entry(o.volunteer_id.clone())
                .or_default()
                .order_h += o.hours;
            t.by_street
                .entry(o.street_code.clone())
                .or_default()
                .order_h += o.hours;
            t.by_month.entry(month.clone()).or_default().order_h += o.hours;
            t.by_volunteer_month
                .entry(o.volunteer_id.clone())
                .or_default()
                .entry(month)
                .or_default()
                .order_h += o.hours;
        }
        t
    }

    /// A volunteer's cumulative hours (duty and orders).
    pub fn volunteer_total(&self, volunteer_id: &str) -> f64 {
        self.by_volunteer
            .get(volunteer_id)
            .map_or(0.0, Hours::total)
    }

    /// A volunteer's star level from their cumulative hours.
    pub fn stars(&self, volunteer_id: &str, levels: &StarLevels) -> u8 {
        levels.stars_for(self.volunteer_total(volunteer_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::duty_post::{DutyPost, DutyPostKind};
    use crate::catalogue::opening_hours::OpeningHours;
    use crate::volunteers::clock_in::{ClockInPolicy, DeviceInstant};
    use crate::volunteers::pool::Actor;
    use crate::volunteers::punch::ReviewDecision;
    use chrono::Duration;

    fn desk(id: &str, street: &str) -> DutyPost {
        DutyPost {
            id: id.into(),
            name: id.into(),
            kind: DutyPostKind::HotlineDesk {
                hotline: "12348".into(),
            },
            street_code: street.into(),
            facility_id: None,
            shifts: OpeningHours::always(),
            retired: false,
        }
    }

    /// China time `YYYY-MM-DD HH:MM`.
    fn cst(s: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        china_time()
            .from_local_datetime(&n)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// An accepted punch (online, re-checked by the server, no warnings).
    fn p(id: &str, vol: &str, post: &DutyPost, kind: PunchKind, at: &str) -> Punch {
        let t = cst(at);
        let inst = DeviceInstant {
            wall: t,
            elapsed_ms: 1_000,
        };
        let policy = ClockInPolicy::default();
        let mut punch = Punch::on_device(
            id,
            vol,
            post,
            kind,
            inst,
            None,
            None,
            false,
            Some(t),
            &policy,
        );
        punch.reevaluate_on_server(post, None, Some(t), t, &policy);
        assert_eq!(punch.status(), PunchStatus::Accepted);
        punch
    }

    fn order(vol: &str, street: &str, at: &str, hours: f64) -> CompletedOrderHours {
        CompletedOrderHours {
            order_id: format!("o-{at}"),
            volunteer_id: vol.into(),
            street_code: street.into(),
            completed_at: cst(at),
            hours,
        }
    }

    #[test]
    fn sessions_and_totals_per_volunteer_post_street_month() {
        let (a, b) = (desk("A", "S1"), desk("B", "S2"));
        // Given out of order on purpose.
        let punches = vec![
            p("4", "v1", &b, PunchKind::Out, "2024-03-04 17:30"),
            p("1", "v1", &a, PunchKind::In, "2024-03-04 09:00"),
            p("2", "v1", &a, PunchKind::Out, "2024-03-04 12:00"),
            p("3", "v1", &b, PunchKind::In, "2024-03-04 13:30"),
            p("5", "v2", &a, PunchKind::In, "2024-04-02 09:00"),
            p("6", "v2", &a, PunchKind::Out, "2024-04-02 11:00"),
        ];
        let (sessions, issues) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
        assert_eq!(issues, vec![]);
        assert_eq!(sessions.len(), 3);
        assert_eq!(sessions[0].hours(), 3.0);
        let orders = vec![order("v1", "S1", "2024-03-10 10:00", 1.5)];
        let t = HourTotals::compute(&sessions, &orders);
        assert_eq!(
            t.by_volunteer["v1"],
            Hours {
                duty_h: 7.0,
                order_h: 1.5
            }
        );
        assert_eq!(t.volunteer_total("v1"), 8.5);
        assert_eq!(t.volunteer_total("v2"), 2.0);
        assert_eq!(t.by_post["A"], 5.0);
        assert_eq!(t.by_post["B"], 4.0);
        assert_eq!(t.by_street["S1"].total(), 6.5);
        assert_eq!(t.by_street["S2"].total(), 4.0);
        assert_eq!(t.by_month["2024-03"].total(), 8.5);
        assert_eq!(t.by_month["2024-04"].total(), 2.0);
        assert_eq!(t.by_volunteer_month["v2"]["2024-04"].duty_h, 2.0);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<HourTotals>(&json).unwrap(), t);
    }

    #[test]
    fn unpaired_and_unaccepted_punches_count_nothing() {
        let (a, b) = (desk("A", "S1"), desk("B", "S2"));
        let mut rejected = p("r", "v1", &a, PunchKind::Out, "2024-03-04 08:30");
        rejected
            .review(
                Actor::DistrictAdmin { id: "x".into() },
                cst("2024-03-05 08:00"),
                ReviewDecision::Reject,
                "代打卡",
            )
            .unwrap();
        let punches = vec![
            rejected,
            p("1", "v1", &a, PunchKind::Out, "2024-03-04 08:40"),
            p("2", "v1", &a, PunchKind::In, "2024-03-04 09:00"),
            p("3", "v1", &a, PunchKind::In, "2024-03-04 10:00"),
            p("4", "v1", &b, PunchKind::Out, "2024-03-04 11:00"),
            p("5", "v1", &a, PunchKind::In, "2024-03-05 09:00"),
            p("6", "v1", &a, PunchKind::Out, "2024-03-06 09:00"),
            p("7", "v1", &a, PunchKind::In, "2024-03-07 09:00"),
        ];
        let (sessions, issues) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
        assert_eq!(sessions, vec![]);
        assert_eq!(
            issues,
            vec![
                PairingIssue::OutWithoutIn {
                    punch_id: "1".into()
                },
                PairingIssue::InWithoutOut {
                    punch_id: "2".into()
                },
                PairingIssue::PostMismatch {
                    in_punch_id: "3".into(),
                    out_punch_id: "4".into()
                },
                PairingIssue::TooLong {
                    in_punch_id: "5".into(),
                    out_punch_id: "6".into(),
                    hours: 24.0
                },
                PairingIssue::InWithoutOut {
                    punch_id: "7".into()
                },
            ]
        );
    }

    #[test]
    fn a_session_across_month_end_is_split() {
        let a = desk("A", "S1");
        let punches = vec![
            p("1", "v1", &a, PunchKind::In, "2024-03-31 22:00"),
            p("2", "v1", &a, PunchKind::Out, "2024-04-01 02:30"),
        ];
        let (sessions, _) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
        let t = HourTotals::compute(&sessions, &[]);
        assert_eq!(t.by_month["2024-03"].duty_h, 2.0);
        assert_eq!(t.by_month["2024-04"].duty_h, 2.5);
        assert_eq!(t.by_post["A"], 4.5);
        // December → January too.
        let punches = vec![
            p("1", "v1", &a, PunchKind::In, "2024-12-31 23:00"),
            p("2", "v1", &a, PunchKind::Out, "2025-01-01 01:00"),
        ];
        let (sessions, _) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
        let t = HourTotals::compute(&sessions, &[]);
        assert_eq!(t.by_month["2024-12"].duty_h, 1.0);
        assert_eq!(t.by_month["2025-01"].duty_h, 1.0);
    }

    #[test]
    fn stars_from_duty_and_order_hours() {
        let a = desk("A", "S1");
        let mut punches = Vec::new();
        // 24 four-hour shifts: 96 h of duty.
        for d in 0..24 {
            let day = cst("2024-01-01 09:00") + Duration::days(d);
            let s = day
                .with_timezone(&china_time())
                .format("%Y-%m-%d")
                .to_string();
            punches.push(p(
                &format!("i{d}"),
                "v1",
                &a,
                PunchKind::In,
                &format!("{s} 09:00"),
            ));
            punches.push(p(
                &format!("o{d}"),
                "v1",
                &a,
                PunchKind::Out,
                &format!("{s} 13:00"),
            ));
        }
        let (sessions, issues) = pair_sessions(&punches, DEFAULT_MAX_SESSION_H);
        assert!(issues.is_empty());
        let levels = StarLevels::default();
        let t = HourTotals::compute(&sessions, &[]);
        assert_eq!(t.volunteer_total("v1"), 96.0);
        assert_eq!(t.stars("v1", &levels), 0);
        // Four hours of completed orders reach the first star (100 h).
        let t = HourTotals::compute(&sessions, &[order("v1", "S1", "2024-02-01 10:00", 4.0)]);
        assert_eq!(t.stars("v1", &levels), 1);
        assert_eq!(t.stars("nobody", &levels), 0);
    }
}
