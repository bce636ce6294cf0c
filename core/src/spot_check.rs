//! Quality spot checks (服务质量抽查监督): every week at least 5% of the
//! orders resolved that week are drawn at random for staff review.
//!
//! # Sample
//! * Size: `ceil(n × percent / 100)` of the `n` orders resolved in the ISO
//!   week (China Standard Time), with `percent` ≥ 5 (the 12348 practice:
//!   ≥ 5% quality-checked); one order at least when `n > 0`.
//! * Draw: each order id is ranked by `sha256(seed ‖ 0x1f ‖ week ‖ 0x1f ‖
//!   id)` (hex, ascending) and the first ones are taken. The same seed,
//!   week and ids always give the same sample, on any instance, without a
//!   random number generator; anyone holding the seed can re-check it. Keep
//!   the seed from volunteers (a per-district secret, or published only
//!   after the week) so they cannot predict which orders are checked.

use crate::order::{Order, OrderState};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The minimum share the plan's practice asks for, percent.
pub const MIN_PERCENT: u32 = 5;

/// An ISO week, e.g. `2025-W07`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    /// The ISO week of `at` in China Standard Time.
    pub fn of(at: DateTime<Utc>) -> Self {
        let w = at.with_timezone(&crate::punch::china_time()).iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }
}

impl std::fmt::Display for Week {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// Why a sampling policy is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpotCheckError {
    #[error("the sample must be at least {MIN_PERCENT}% and at most 100%, not {0}%")]
    PercentOutOfRange(u32),
    #[error("a spot check that is not satisfactory needs a note")]
    NoteRequired,
}

/// Sample size for `n` resolved orders at `percent`: `ceil(n × p / 100)`.
pub fn sample_size(n: usize, percent: u32) -> Result<usize, SpotCheckError> {
    if !(MIN_PERCENT..=100).contains(&percent) {
        return Err(SpotCheckError::PercentOutOfRange(percent));
    }
    let p = percent as usize;
    Ok((n.saturating_mul(p)).div_ceil(100))
}

/// The rank key of an order id in a week's draw.
pub fn draw_key(seed: &str, week: Week, order_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update([0x1f]);
    h.update(week.to_string().as_bytes());
    h.update([0x1f]);
    h.update(order_id.as_bytes());
    hex::encode(h.finalize())
}

/// Draws the week's sample from `resolved_ids` (duplicates ignored), in
/// draw order.
pub fn weekly_sample(
    resolved_ids: &[String],
    week: Week,
    seed: &str,
    percent: u32,
) -> Result<Vec<String>, SpotCheckError> {
    let mut ids: Vec<&String> = resolved_ids.iter().collect();
    ids.sort();
    ids.dedup();
    let k = sample_size(ids.len(), percent)?;
    let mut keyed: Vec<(String, &String)> = ids
        .into_iter()
        .map(|id| (draw_key(seed, week, id), id))
        .collect();
    keyed.sort();
    Ok(keyed
        .into_iter()
        .take(k)
        .map(|(_, id)| id.clone())
        .collect())
}

/// Ids of the orders first resolved during `week` (China time).
pub fn resolved_in_week(orders: &[Order], week: Week) -> Vec<String> {
    orders
        .iter()
        .filter(|o| {
            o.first_reached(OrderState::Resolved)
                .is_some_and(|at| Week::of(at) == week)
        })
        .map(|o| o.id.clone())
        .collect()
}

/// What the reviewer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpotCheckOutcome {
    /// 合格
    Satisfactory,
    /// 需改进
    NeedsImprovement,
    /// 不合格
    Unsatisfactory,
}

/// A recorded review of a sampled order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotCheck {
    pub order_id: String,
    pub week: Week,
    pub reviewer_id: String,
    pub at: DateTime<Utc>,
    pub outcome: SpotCheckOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SpotCheck {
    /// Records an outcome; anything but satisfactory needs a note.
    pub fn record(
        order_id: impl Into<String>,
        week: Week,
        reviewer_id: impl Into<String>,
        at: DateTime<Utc>,
        outcome: SpotCheckOutcome,
        note: Option<&str>,
    ) -> Result<Self, SpotCheckError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if outcome != SpotCheckOutcome::Satisfactory && note.is_none() {
            return Err(SpotCheckError::NoteRequired);
        }
        Ok(SpotCheck {
            order_id: order_id.into(),
            week,
            reviewer_id: reviewer_id.into(),
            at,
            outcome,
            note: note.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("o{i:03}")).collect()
    }

    #[test]
    fn sizes_round_up() {
        assert_eq!(sample_size(0, 5), Ok(0));
        assert_eq!(sample_size(1, 5), Ok(1));
        assert_eq!(sample_size(20, 5), Ok(1));
        assert_eq!(sample_size(21, 5), Ok(2)); // 1.05 → 2
        assert_eq!(sample_size(100, 5), Ok(5));
        assert_eq!(sample_size(100, 10), Ok(10));
        assert_eq!(
            sample_size(10, 4),
            Err(SpotCheckError::PercentOutOfRange(4))
        );
        assert_eq!(
            sample_size(10, 101),
            Err(SpotCheckError::PercentOutOfRange(101))
        );
    }

    #[test]
    fn reproducible_and_seed_dependent() {
        let w = Week {
            year: 2025,
            week: 7,
        };
        assert_eq!(w.to_string(), "2025-W07");
        let a = weekly_sample(&ids(95), w, "secret", 5).unwrap();
        assert_eq!(a.len(), 5); // ceil(4.75)
        let mut shuffled = ids(95);
        shuffled.reverse();
        shuffled.push("o001".into());
        assert_eq!(weekly_sample(&shuffled, w, "secret", 5).unwrap(), a);
        let b = weekly_sample(&ids(95), w, "other", 5).unwrap();
        assert_ne!(a, b);
        let c = weekly_sample(
            &ids(95),
            Week {
                year: 2025,
                week: 8,
            },
            "secret",
            5,
        )
        .unwrap();
        assert_ne!(a, c);
        // The draw key is plain sha256 over the documented bytes.
        let mut h = Sha256::new();
        h.update(b"secret\x1f2025-W07\x1fo001");
        assert_eq!(draw_key("secret", w, "o001"), hex::encode(h.finalize()));
    }

    #[test]
    fn week_in_china_time_and_outcomes() {
        // Sunday 2025-02-16 17:00 UTC is Monday 01:00 in China: week 8.
        let at = Utc.with_ymd_and_hms(2025, 2, 16, 17, 0, 0).unwrap();
        assert_eq!(
            Week::of(at),
            Week {
                year: 2025,
                week: 8
            }
        );
        let w = Week::of(at);
        assert_eq!(
            SpotCheck::record("o1", w, "s1", at, SpotCheckOutcome::Unsatisfactory, None),
            Err(SpotCheckError::NoteRequired)
        );
        let ok =
            SpotCheck::record("o1", w, "s1", at, SpotCheckOutcome::Satisfactory, None).unwrap();
        let json = serde_json::to_value(&ok).unwrap();
        assert_eq!(json["outcome"], "satisfactory");
        assert_eq!(json["week"]["week"], 8);
    }
}
