//! The indicator display (服务数据指标晾晒): per street and for the
//! district, each figure next to the plan's target.
//!
//! # Definitions
//! * **coverage rate** (建成率): covered villages/communities ÷ all, from the
//!   coverage computation (an input here); the district figure pools the
//!   villages of all streets (not a mean of street rates);
//! * **satisfaction** (满意率): share of order ratings ≥ 4
//!   ([`crate::orders::rating::satisfaction`]); a rating counts for the street
//!   of its order, and for the district even when its order is not in the
//!   input;
//! * **median time to claim** (接单时长): first offer → first claim or
//!   assignment, seconds, over the orders that were taken;
//! * **median / mean resolution time** (办结时长): creation → first
//!   resolution, seconds, over resolved orders;
//! * **overdue count** (超期): orders still active past their deadline at
//!   the report time;
//! * **volunteer hours** (志愿服务时长): an input (from
//!   [`crate::volunteers::duty_hours`]);
//! * **hotline connection rate** (热线接通率): answered ÷ all imported calls;
//! * **hotline satisfaction** (热线满意率): share of ratings ≥ 4 among rated
//!   calls. Calls without a street count for the district only.
//!
//! A median of an even count is the mean of the two middle values. A figure
//! without data is `None` (absent from `/metrics`), never 0.
//!
//! # Targets ([`Targets::longwan_plan`])
//! From the Longwan plan (温州市龙湾区建设"15分钟公共法律服务圈"实施方案,
//! 2024-03-06), section 二(三) and item 2: coverage ≥ 60% of villages by
//! end 2024 and "basically all" (read as 100%) by end 2026; satisfaction
//! ≥ 80% by end 2024 and ≥ 90% by end 2026; hotline connection ≥ 90% and
//! satisfaction ≥ 96%. For a report year the target is the first one due
//! that year or later (so 2025 is measured against the 2026 target), the
//! last one after all are due.

use crate::catalogue::area::AreaLevel;
use crate::orders::order::Order;
use crate::orders::rating::{Rating, satisfaction};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// The indicators, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorName {
    CoverageRate,
    Satisfaction,
    MedianTimeToClaimSeconds,
    MedianResolutionSeconds,
    MeanResolutionSeconds,
    OverdueCount,
    VolunteerHours,
    HotlineConnectionRate,
    HotlineSatisfaction,
}

impl IndicatorName {
    pub const ALL: [IndicatorName; 9] = [
        IndicatorName::CoverageRate,
        IndicatorName::Satisfaction,
        IndicatorName::MedianTimeToClaimSeconds,
        IndicatorName::MedianResolutionSeconds,
        IndicatorName::MeanResolutionSeconds,
        IndicatorName::OverdueCount,
        IndicatorName::VolunteerHours,
        IndicatorName::HotlineConnectionRate,
        IndicatorName::HotlineSatisfaction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorName::CoverageRate => "coverage_rate",
            IndicatorName::Satisfaction => "satisfaction",
            IndicatorName::MedianTimeToClaimSeconds => "median_time_to_claim_seconds",
            IndicatorName::MedianResolutionSeconds => "median_resolution_seconds",
            IndicatorName::MeanResolutionSeconds => "mean_resolution_seconds",
            IndicatorName::OverdueCount => "overdue_count",
            IndicatorName::VolunteerHours => "volunteer_hours",
            IndicatorName::HotlineConnectionRate => "hotline_connection_rate",
            IndicatorName::HotlineSatisfaction => "hotline_satisfaction",
        }
    }

    /// Prometheus metric name, type and help.
    fn metric(self) -> (&'static str, &'static str, &'static str) {
        match self {
            IndicatorName::CoverageRate => (
                "lawcircle_coverage_ratio",
                "gauge",
                "Share of villages/communities covered by the 15-minute circle (建成率).",
            ),
            IndicatorName::Satisfaction => (
                "lawcircle_satisfaction_ratio",
                "gauge",
                "Share of order ratings >= 4 (满意率, 一事一评).",
            ),
            IndicatorName::MedianTimeToClaimSeconds => (
                "lawcircle_time_to_claim_median_seconds",
                "gauge",
                "Median time from offer to claim or assignment.",
            ),
            IndicatorName::MedianResolutionSeconds => (
                "lawcircle_resolution_median_seconds",
                "gauge",
                "Median time from creation to resolution.",
            ),
            IndicatorName::MeanResolutionSeconds => (
                "lawcircle_resolution_mean_seconds",
                "gauge",
                "Mean time from creation to resolution.",
            ),
            IndicatorName::OverdueCount => (
                "lawcircle_orders_overdue",
                "gauge",
                "Active orders past their deadline (超期).",
            ),
            IndicatorName::VolunteerHours => (
                "lawcircle_volunteer_hours",
                "gauge",
                "Volunteer service hours in the period.",
            ),
            IndicatorName::HotlineConnectionRate => (
                "lawcircle_hotline_connection_ratio",
                "gauge",
                "Share of hotline calls answered (热线接通率).",
            ),
            IndicatorName::HotlineSatisfaction => (
                "lawcircle_hotline_satisfaction_ratio",
                "gauge",
                "Share of rated hotline calls rated >= 4 (热线满意率).",
            ),
        }
    }
}

/// A target of the plan, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub indicator: IndicatorName,
    /// The figure must be at least this.
    pub min: f64,
    /// Due by the end of this year; `None`: standing target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_year: Option<i32>,
    pub source: String,
}

/// The set of targets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Targets(pub Vec<Target>);

const PLAN: &str = "温州市龙湾区建设“15分钟公共法律服务圈”实施方案 (龙湾区司法局, 2024-03-06)";

impl Targets {
    /// The Longwan plan's targets (see the module documentation).
    pub fn longwan_plan() -> Self {
        let t = |indicator, min, by_year, part: &str| Target {
            indicator,
            min,
            by_year,
            source: format!("{PLAN} {part}"),
        };
        Targets(vec![
            t(
                IndicatorName::CoverageRate,
                0.60,
                Some(2024),
                "二(三) 60%的村(社区)建成",
            ),
            t(
                IndicatorName::CoverageRate,
                1.00,
                Some(2026),
                "二(三) 村(社区)基本建成 (read as 100%)",
            ),
            t(
                IndicatorName::Satisfaction,
                0.80,
                Some(2024),
                "二(三) 满意率达80%以上",
            ),
            t(
                IndicatorName::Satisfaction,
                0.90,
                Some(2026),
                "二(三) 满意率达到90%以上",
            ),
            t(
                IndicatorName::HotlineConnectionRate,
                0.90,
                None,
                "四(一)2 热线接通率90%以上",
            ),
            t(
                IndicatorName::HotlineSatisfaction,
                0.96,
                None,
                "四(一)2 满意率96%以上",
            ),
        ])
    }

    /// The target that applies to `indicator` in `year`.
    pub fn for_year(&self, indicator: IndicatorName, year: i32) -> Option<&Target> {
        let mine: Vec<&Target> = self.0.iter().filter(|t| t.indicator == indicator).collect();
        let dated = mine
            .iter()
            .filter(|t| t.by_year.is_some_and(|y| y >= year))
            .min_by_key(|t| t.by_year)
            .or_else(|| {
                mine.iter()
                    .filter(|t| t.by_year.is_some())
                    .max_by_key(|t| t.by_year)
            });
        dated
            .or_else(|| mine.iter().find(|t| t.by_year.is_none()))
            .copied()
    }
}

/// Coverage of one street (from the coverage computation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetCoverage {
    pub street_code: String,
    pub covered_villages: u32,
    pub total_villages: u32,
}

/// Volunteer hours of one street in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreetHours {
    pub street_code: String,
    pub hours: f64,
}

/// One imported hotline call (12345/12348).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotlineCall {
    pub call_id: String,
    pub started_at: DateTime<Utc>,
    pub answered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_code: Option<String>,
}

/// A bad cell of a hotline CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub field: String,
    pub message: String,
}

fn join_rows(rows: &[RowError]) -> String {
    rows.iter()
        .map(|r| format!("line {} {}: {}", r.line, r.field, r.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a hotline CSV was refused (nothing is imported then).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HotlineCsvError {
    #[error("missing column {0:?}: expected call_id, started_at, answered, rating[, street_code]")]
    MissingColumn(&'static str),
    #[error("unreadable CSV at line {line}: {message}")]
    Unreadable { line: u64, message: String },
    #[error("{} bad row(s): {}", .0.len(), join_rows(.0))]
    BadRows(Vec<RowError>),
}

fn parse_answered(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "true" | "1" | "是" => Some(true),
        "false" | "0" | "否" => Some(false),
        _ => None,
    }
}

/// Accepts RFC 3339 (with offset) or a local China time
/// `YYYY-MM-DD HH:MM[:SS]` (also with `T`).
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let tz = crate::calendar::china_time();
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .and_then(|n| tz.from_local_datetime(&n).single())
    .map(|t| t.with_timezone(&Utc))
}

/// Parses hotline call records: columns `call_id`, `started_at`,
/// `answered` (true/false/1/0/是/否), `rating` (1–5 or empty; only on
/// answered calls) and an optional `street_code`. Every bad cell is
/// reported with its line and field; a duplicate `call_id` is an error.
pub fn parse_hotline_csv(text: &str) -> Result<Vec<HotlineCall>, HotlineCsvError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| HotlineCsvError::Unreadable {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let col = |name: &'static str| headers.iter().position(|h| h == name);
    let need = |name: &'static str| col(name).ok_or(HotlineCsvError::MissingColumn(name));
    let (c_id, c_at, c_ans, c_rating) = (
        need("call_id")?,
        need("started_at")?,
        need("answered")?,
        need("rating")?,
    );
    let c_street = col("street_code");
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| HotlineCsvError::Unreadable {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("");
        let mut bad = |field: &str, message: String| {
            errors.push(RowError {
                line,
                field: field.to_string(),
                message,
            })
        };
        let id = get(c_id).to_string();
        if id.is_empty() {
            bad("call_id", "empty".into());
        } else if let Some(first) = seen.get(&id) {
            bad("call_id", format!("{id:?} repeats line {first}"));
        } else {
            seen.insert(id.clone(), line);
        }
        let at = parse_time(get(c_at));
        if at.is_none() {
            bad(
                "started_at",
                format!("{:?} is not RFC 3339 or YYYY-MM-DD HH:MM:SS", get(c_at)),
            );
        }
        let answered = parse_answered(get(c_ans));
        if answered.is_none() {
            bad(
                "answered",
                format!("{:?}: expected true/false/1/0/是/否", get(c_ans)),
            );
        }
        let raw = get(c_rating);
        let rating = if raw.is_empty() {
            Ok(None)
        } else {
            match raw.parse::<u8>() {
                Ok(r @ 1..=5) => Ok(Some(r)),
                _ => Err(format!("{raw:?}: expected 1 to 5 or empty")),
            }
        };
        let rating = match rating {
            Ok(Some(_)) if answered == Some(false) => {
                bad("rating", "an unanswered call cannot be rated".into());
                None
            }
            Ok(r) => r,
            Err(m) => {
                bad("rating", m);
                None
            }
        };
        let street_code = c_street
            .map(get)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let (Some(started_at), Some(answered)) = (at, answered) {
            calls.push(HotlineCall {
                call_id: id,
                started_at,
                answered,
                rating,
                street_code,
            });
        }
    }
    if errors.is_empty() {
        Ok(calls)
    } else {
        Err(HotlineCsvError::BadRows(errors))
    }
}

/// One figure next to its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: IndicatorName,
    pub value: Option<f64>,
    /// How many observations it rests on (villages, ratings, orders,
    /// calls…).
    pub sample: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// `value ≥ target.min`, when both are known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meets_target: Option<bool>,
}

/// The figures of one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaIndicators {
    pub level: AreaLevel,
    pub code: String,
    pub indicators: Vec<Indicator>,
}

impl AreaIndicators {
    pub fn get(&self, name: IndicatorName) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.name == name)
    }

    pub fn value(&self, name: IndicatorName) -> Option<f64> {
        self.get(name).and_then(|i| i.value)
    }
}

/// The whole display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorReport {
    pub district_code: String,
    /// The year whose targets apply.
    pub year: i32,
    pub generated_at: DateTime<Utc>,
    pub district: AreaIndicators,
    pub streets: Vec<AreaIndicators>,
}

/// What the report is computed from (the caller selects the period).
#[derive(Debug, Clone, Copy)]
pub struct IndicatorInputs<'a> {
    pub district_code: &'a str,
    pub year: i32,
    pub now: DateTime<Utc>,
    /// Streets to report even without data (others appear when data
    /// names them).
    pub streets: &'a [String],
    pub orders: &'a [Order],
    pub ratings: &'a [Rating],
    pub coverage: &'a [StreetCoverage],
    pub volunteer_hours: &'a [StreetHours],
    pub hotline_calls: &'a [HotlineCall],
}

/// Median; the mean of the two middle values for an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The raw material of one area.
#[derive(Default)]
struct Bucket {
    covered: u64,
    villages: u64,
    rating_scores: Vec<u8>,
    /// Ratings already counted by score (aggregated inputs).
    rating_counts: BTreeMap<u8, u64>,
    claim_s: Vec<f64>,
    resolution_s: Vec<f64>,
    /// The times already summarised (aggregated inputs): used instead of
    /// the values.
    claim_summary: Option<TimeSummary>,
    resolution_summary: Option<TimeSummary>,
    overdue: u64,
    hours: f64,
    hours_known: bool,
    calls: u64,
    answered: u64,
    call_scores: Vec<u8>,
}

impl Bucket {
    fn finish(&self, level: AreaLevel, code: &str, targets: &Targets, year: i32) -> AreaIndicators {
        let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
        let n = |v: usize| v as u64;
        let claim = self
            .claim_summary
            .unwrap_or_else(|| TimeSummary::of(&self.claim_s));
        let resolution = self
            .resolution_summary
            .unwrap_or_else(|| TimeSummary::of(&self.resolution_s));
        let scores = self.rating_scores.iter().copied().chain(
            self.rating_counts
                .iter()
                .flat_map(|(s, n)| std::iter::repeat_n(*s, usize::try_from(*n).unwrap_or(0))),
        );
        let figures = [
            (
                IndicatorName::CoverageRate,
                ratio(self.covered, self.villages),
                self.villages,
            ),
            (
                IndicatorName::Satisfaction,
                satisfaction(scores),
                n(self.rating_scores.len()) + self.rating_counts.values().sum::<u64>(),
            ),
            (
                IndicatorName::MedianTimeToClaimSeconds,
                claim.median_s,
                claim.count,
            ),
            (
                IndicatorName::MedianResolutionSeconds,
                resolution.median_s,
                resolution.count,
            ),
            (
                IndicatorName::MeanResolutionSeconds,
                resolution.mean_s(),
                resolution.count,
            ),
            (
                IndicatorName::OverdueCount,
                Some(self.overdue as f64),
                self.overdue,
            ),
            (
                IndicatorName::VolunteerHours,
                self.hours_known.then_some(self.hours),
                0,
            ),
            (
                IndicatorName::HotlineConnectionRate,
                ratio(self.answered, self.calls),
                self.calls,
            ),
            (
                IndicatorName::HotlineSatisfaction,
                satisfaction(self.call_scores.iter().copied()),
                n(self.call_scores.len()),
            ),
        ];
        AreaIndicators {
            level,
            code: code.to_string(),
            indicators: figures
                .into_iter()
                .map(|(name, value, sample)| {
                    let target = targets.for_year(name, year).cloned();
                    let meets_target = match (&target, value) {
                        // A tiny tolerance so 0.6 computed as 6/10 meets 0.60.
                        (Some(t), Some(v)) => Some(v + 1e-9 >= t.min),
                        _ => None,
                    };
                    Indicator {
                        name,
                        value,
                        sample,
                        target,
                        meets_target,
                    }
                })
                .collect(),
        }
    }
}

/// Computes the report (see the module documentation for definitions).
pub fn compute(inputs: &IndicatorInputs<'_>, targets: &Targets) -> IndicatorReport {
    let (mut streets, mut district) = coverage_buckets(inputs.streets, inputs.coverage);
    let mut street_of: HashMap<&str, &str> = HashMap::new();
    for o in inputs.orders {
        street_of.insert(o.id.as_str(), o.street_code.as_str());
        let s = streets.entry(o.street_code.clone()).or_default();
        for b in [s, &mut district] {
            if let Some(x) = o.time_to_claim_s() {
                b.claim_s.push(x);
            }
            if let Some(x) = o.resolution_time_s() {
                b.resolution_s.push(x);
            }
            if o.is_overdue(inputs.now) {
                b.overdue += 1;
            }
        }
    }
    let mut rated: HashSet<&str> = HashSet::new();
    for r in inputs.ratings {
        // One rating per order counts (the first given).
        if !rated.insert(r.order_id.as_str()) {
            continue;
        }
        district.rating_scores.push(r.score);
        if let Some(s) = street_of.get(r.order_id.as_str()) {
            streets
                .entry(s.to_string())
                .or_default()
                .rating_scores
                .push(r.score);
        }
    }
    finish_report(
        streets,
        district,
        &Rest {
            district_code: inputs.district_code,
            year: inputs.year,
            now: inputs.now,
            volunteer_hours: inputs.volunteer_hours,
            hotline_calls: inputs.hotline_calls,
        },
        targets,
    )
}

/// What both ways of computing take as they are.
struct Rest<'a> {
    district_code: &'a str,
    year: i32,
    now: DateTime<Utc>,
    volunteer_hours: &'a [StreetHours],
    hotline_calls: &'a [HotlineCall],
}

/// Adds volunteer hours and hotline calls to the buckets and finishes the
/// report.
fn finish_report(
    mut streets: BTreeMap<String, Bucket>,
    mut district: Bucket,
    rest: &Rest<'_>,
    targets: &Targets,
) -> IndicatorReport {
    for h in rest.volunteer_hours {
        for b in [
            streets.entry(h.street_code.clone()).or_default(),
            &mut district,
        ] {
            if h.hours.is_finite() {
                b.hours += h.hours;
                b.hours_known = true;
            }
        }
    }
    for c in rest.hotline_calls {
        let add = |b: &mut Bucket| {
            b.calls += 1;
            if c.answered {
                b.answered += 1;
                if let Some(r) = c.rating {
                    b.call_scores.push(r);
                }
            }
        };
        add(&mut district);
        if let Some(s) = &c.street_code {
            add(streets.entry(s.clone()).or_default());
        }
    }
    IndicatorReport {
        district_code: rest.district_code.to_string(),
        year: rest.year,
        generated_at: rest.now,
        district: district.finish(AreaLevel::District, rest.district_code, targets, rest.year),
        streets: streets
            .iter()
            .map(|(code, b)| b.finish(AreaLevel::Street, code, targets, rest.year))
            .collect(),
    }
}

/// Times of one kind in one area, summarised: how many, their median
/// (the mean of the two middle values for an even count) and their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeSummary {
    pub count: u64,
    pub median_s: Option<f64>,
    pub sum_s: f64,
}

impl TimeSummary {
    /// The summary of `values` (seconds).
    pub fn of(values: &[f64]) -> Self {
        TimeSummary {
            count: values.len() as u64,
            median_s: median(values),
            sum_s: values.iter().sum(),
        }
    }

    /// The mean (none without values).
    pub fn mean_s(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_s / self.count as f64)
    }
}

/// The orders and ratings of one area as a database aggregates them
/// (counts, sums, medians), so the report needs no order itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderAggregates {
    /// Over the orders that were taken (see [`Order::time_to_claim_s`]).
    pub time_to_claim: TimeSummary,
    /// Over the resolved orders (see [`Order::resolution_time_s`]).
    pub resolution: TimeSummary,
    /// Active orders past their deadline at the report time.
    pub overdue: u64,
    /// How many ratings gave each score (one per order).
    pub rating_counts: BTreeMap<u8, u64>,
}

/// What the report is computed from when the orders and ratings come
/// aggregated ([`compute_aggregated`]).
#[derive(Debug, Clone, Copy)]
pub struct AggregatedInputs<'a> {
    pub district_code: &'a str,
    pub year: i32,
    pub now: DateTime<Utc>,
    /// Streets to report even without data.
    pub streets: &'a [String],
    /// The whole district (ratings of orders in no street count here).
    pub district: &'a OrderAggregates,
    /// Per street that orders name.
    pub by_street: &'a BTreeMap<String, OrderAggregates>,
    pub coverage: &'a [StreetCoverage],
    pub volunteer_hours: &'a [StreetHours],
    pub hotline_calls: &'a [HotlineCall],
}

/// The same report as [`compute`] from aggregates: what a server with a
/// long history computes in its database instead of reading every order.
pub fn compute_aggregated(inputs: &AggregatedInputs<'_>, targets: &Targets) -> IndicatorReport {
    let (mut streets, mut district) = coverage_buckets(inputs.streets, inputs.coverage);
    let fill = |b: &mut Bucket, a: &OrderAggregates| {
        b.claim_summary = Some(a.time_to_claim);
        b.resolution_summary = Some(a.resolution);
        b.overdue += a.overdue;
        for (score, n) in &a.rating_counts {
            *b.rating_counts.entry(*score).or_default() += n;
        }
    };
    for (code, a) in inputs.by_street {
        fill(streets.entry(code.clone()).or_default(), a);
    }
    fill(&mut district, inputs.district);
    finish_report(
        streets,
        district,
        &Rest {
            district_code: inputs.district_code,
            year: inputs.year,
            now: inputs.now,
            volunteer_hours: inputs.volunteer_hours,
            hotline_calls: inputs.hotline_calls,
        },
        targets,
    )
}

/// A bucket per listed street, with the coverage added.
fn coverage_buckets(
    listed: &[String],
    coverage: &[StreetCoverage],
) -> (BTreeMap<String, Bucket>, Bucket) {
    let mut streets: BTreeMap<String, Bucket> = listed
        .iter()
        .map(|s| (s.clone(), Bucket::default()))
        .collect();
    let mut district = Bucket::default();
    for c in coverage {
        for b in [
            streets.entry(c.street_code.clone()).or_default(),
            &mut district,
        ] {
            b.covered += u64::from(c.covered_villages.min(c.total_villages));
            b.villages += u64::from(c.total_villages);
        }
    }
    (streets, district)
}

/// Escapes a label value for the text exposition format.
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Formats a sample value: Rust's shortest round-trip decimal, which the
/// text format accepts.
fn fmt_value(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else if v.is_nan() {
        "NaN".into()
    } else if v > 0.0 {
        "+Inf".into()
    } else {
        "-Inf".into()
    }
}

/// The report in the Prometheus text exposition format (version 0.0.4):
/// one gauge family per indicator with `# HELP` and `# TYPE` lines, a
/// sample `{district="…"}` for the district and `{street="…"}` per street
/// (figures without data are left out), then the applicable targets as
/// `lawcircle_indicator_target{indicator="…",by_year="…"}`.
pub fn to_prometheus(report: &IndicatorReport) -> String {
    let mut out = String::new();
    for name in IndicatorName::ALL {
        let (metric, kind, help) = name.metric();
        let _ = writeln!(out, "# HELP {metric} {help}");
        let _ = writeln!(out, "# TYPE {metric} {kind}");
        if let Some(v) = report.district.value(name) {
            let _ = writeln!(
                out,
                "{metric}{{district=\"{}\"}} {}",
                escape_label(&report.district.code),
                fmt_value(v)
            );
        }
        for s in &report.streets {
            if let Some(v) = s.value(name) {
                let _ = writeln!(
                    out,
                    "{metric}{{street=\"{}\"}} {}",
                    escape_label(&s.code),
                    fmt_value(v)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "# HELP lawcircle_indicator_target The plan's target for an indicator (minimum)."
    );
    let _ = writeln!(out, "# TYPE lawcircle_indicator_target gauge");
    for i in &report.district.indicators {
        if let Some(t) = &i.target {
            let year = t.by_year.map_or(String::new(), |y| y.to_string());
            let _ = writeln!(
                out,
                "lawcircle_indicator_target{{indicator=\"{}\",by_year=\"{}\"}} {}",
                i.name.as_str(),
                year,
                fmt_value(t.min)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
