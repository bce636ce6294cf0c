//! Quality spot checks (服务质量抽查监督): every week at least 5% of each
//! street's resolved orders are drawn at random for staff review.
//!
//! # Sample
//! * Population: per street, the orders first resolved in the ISO week
//!   (China Standard Time), [`resolved_in_week`].
//! * Size per street: `ceil(n × percent / 100)` of its `n` orders, with
//!   `percent` ≥ 5 (the 12348 practice: ≥ 5% quality-checked); so one at
//!   least wherever a street has any ([`sample_size`]).
//! * Draw: a fresh 256-bit seed from the operating system's cryptographic
//!   random source (the server's `getrandom`), never reused; each order is
//!   ranked by `sha256(seed ‖ 0x1f ‖ week ‖ 0x1f ‖ street ‖ 0x1f ‖ id)`
//!   (ascending) and the first ones of each street are taken
//!   ([`draw`]). Nobody can predict a draw: the seed does not exist
//!   before it. Everybody can re-check one afterwards: the stored
//!   [`DrawRecord`] holds the seed, the population, who drew and when,
//!   and [`DrawRecord::reproduces`] recomputes the selection from them.
//!   A second draw of the same week gets its own seed, so knowing the
//!   first tells nothing about it.

use crate::orders::order::{Order, OrderState};
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
        let w = at.with_timezone(&crate::calendar::china_time()).iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    /// The week's first instant (Monday 00:00 China time) and the next
    /// week's; none for a week the year does not have (e.g. `W53` of a
    /// 52-week year): no instant is in it.
    pub fn bounds(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        use chrono::TimeZone;
        let monday =
            chrono::NaiveDate::from_isoywd_opt(self.year, self.week, chrono::Weekday::Mon)?;
        let start = crate::calendar::china_time()
            .from_local_datetime(&monday.and_hms_opt(0, 0, 0)?)
            .single()?
            .with_timezone(&Utc);
        Some((start, start + chrono::Duration::days(7)))
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

/// The length of a draw seed, bytes.
pub const SEED_BYTES: usize = 32;

/// The rank key of an order in a draw.
pub fn draw_key(seed: &[u8; SEED_BYTES], week: Week, street_code: &str, order_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(seed);
    h.update([0x1f]);
    h.update(week.to_string().as_bytes());
    h.update([0x1f]);
    h.update(street_code.as_bytes());
    h.update([0x1f]);
    h.update(order_id.as_bytes());
    hex::encode(h.finalize())
}

/// One street's resolved orders of the week, as drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetPopulation {
    pub street_code: String,
    /// Order ids, sorted, without duplicates.
    pub order_ids: Vec<String>,
}

/// One street's part of a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetSample {
    pub street_code: String,
    /// How many orders the street resolved in the week.
    pub resolved: usize,
    /// The drawn order ids, in draw order.
    pub order_ids: Vec<String>,
}

/// Groups `(street, order id)` pairs into populations, by street, ids
/// sorted and deduplicated.
pub fn populations(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<StreetPopulation> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (street, id) in pairs {
        by.entry(street).or_default().push(id);
    }
    by.into_iter()
        .map(|(street_code, mut order_ids)| {
            order_ids.sort();
            order_ids.dedup();
            StreetPopulation {
                street_code,
                order_ids,
            }
        })
        .collect()
}

/// Draws each street's sample from its population with `seed`.
pub fn draw(
    population: &[StreetPopulation],
    week: Week,
    seed: &[u8; SEED_BYTES],
    percent: u32,
) -> Result<Vec<StreetSample>, SpotCheckError> {
    population
        .iter()
        .map(|p| {
            let mut ids: Vec<&String> = p.order_ids.iter().collect();
            ids.sort();
            ids.dedup();
            let k = sample_size(ids.len(), percent)?;
            let mut keyed: Vec<(String, &String)> = ids
                .iter()
                .map(|id| (draw_key(seed, week, &p.street_code, id), *id))
                .collect();
            keyed.sort();
            Ok(StreetSample {
                street_code: p.street_code.clone(),
                resolved: ids.len(),
                order_ids: keyed
                    .into_iter()
                    .take(k)
                    .map(|(_, id)| id.clone())
                    .collect(),
            })
        })
        .collect()
}

/// A stored draw: everything needed to re-check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub id: String,
    pub week: Week,
    /// The street drawn for (station staff), or `None` for every street
    /// (the district).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_code: Option<String>,
    pub percent: u32,
    /// The seed, hex (64 characters), from the OS random source.
    pub seed_hex: String,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
    pub population: Vec<StreetPopulation>,
    pub samples: Vec<StreetSample>,
}

impl DrawRecord {
    /// Draws with `seed` and records it.
    #[allow(clippy::too_many_arguments)]
    pub fn make(
        id: impl Into<String>,
        week: Week,
        street_code: Option<String>,
        percent: u32,
        seed: &[u8; SEED_BYTES],
        drawn_by: impl Into<String>,
        drawn_at: DateTime<Utc>,
        population: Vec<StreetPopulation>,
    ) -> Result<Self, SpotCheckError> {
        let samples = draw(&population, week, seed, percent)?;
        Ok(DrawRecord {
            id: id.into(),
            week,
            street_code,
            percent,
            seed_hex: hex::encode(seed),
            drawn_by: drawn_by.into(),
            drawn_at,
            population,
            samples,
        })
    }

    /// Every drawn order id with its street.
    pub fn selection(&self) -> impl Iterator<Item = (&str, &str)> {
        self.samples.iter().flat_map(|s| {
            s.order_ids
                .iter()
                .map(move |id| (s.street_code.as_str(), id.as_str()))
        })
    }

    /// Whether the stored samples are what the stored seed and population
    /// give (an auditor's re-check).
    pub fn reproduces(&self) -> bool {
        let Ok(bytes) = hex::decode(&self.seed_hex) else {
            return false;
        };
        let Ok(seed) = <[u8; SEED_BYTES]>::try_from(bytes.as_slice()) else {
            return false;
        };
        draw(&self.population, self.week, &seed, self.percent).is_ok_and(|s| s == self.samples)
    }
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
    fn a_week_holds_exactly_the_instants_of_its_china_time_days() {
        for week in [
            Week {
                year: 2025,
                week: 1,
            },
            Week {
                year: 2024,
                week: 9,
            },
            Week {
                year: 2020,
                week: 53,
            },
        ] {
            let (start, end) = week.bounds().unwrap();
            assert_eq!(Week::of(start), week);
            assert_eq!(Week::of(end - chrono::Duration::milliseconds(1)), week);
            assert_ne!(Week::of(start - chrono::Duration::milliseconds(1)), week);
            assert_ne!(Week::of(end), week);
        }
        // Monday 00:00 in Beijing is Sunday 16:00 UTC.
        let (start, _) = Week {
            year: 2025,
            week: 10,
        }
        .bounds()
        .unwrap();
        assert_eq!(start, Utc.with_ymd_and_hms(2025, 3, 2, 16, 0, 0).unwrap());
        assert_eq!(
            Week {
                year: 2025,
                week: 53
            }
            .bounds(),
            None
        );
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

    fn pop(street: &str, n: usize) -> StreetPopulation {
        populations(ids(n).into_iter().map(|id| (street.to_string(), id)))
            .pop()
            .unwrap_or(StreetPopulation {
                street_code: street.into(),
                order_ids: vec![],
            })
    }

    #[test]
    fn every_street_gets_its_share_and_the_record_reproduces() {
        let w = Week {
            year: 2025,
            week: 7,
        };
        assert_eq!(w.to_string(), "2025-W07");
        let population = vec![pop("S1", 95), pop("S2", 3), pop("S3", 0)];
        let seed = [7u8; SEED_BYTES];
        let rec =
            DrawRecord::make("d1", w, None, 5, &seed, "staff", Utc::now(), population).unwrap();
        let sizes: Vec<usize> = rec.samples.iter().map(|s| s.order_ids.len()).collect();
        assert_eq!(sizes, vec![5, 1, 0]); // ceil(4.75), at least one, none
        assert!(rec.reproduces());
        assert_eq!(rec.selection().count(), 6);
        // Another seed, another sample; a tampered record no longer
        // reproduces.
        let other = DrawRecord::make(
            "d2",
            w,
            None,
            5,
            &[8u8; SEED_BYTES],
            "staff",
            Utc::now(),
            rec.population.clone(),
        )
        .unwrap();
        assert_ne!(other.samples[0], rec.samples[0]);
        let mut forged = rec.clone();
        forged.samples[0].order_ids[0] = "o999".into();
        assert!(!forged.reproduces());
        // The draw key is plain sha256 over the documented bytes.
        let mut h = Sha256::new();
        h.update(seed);
        h.update(b"\x1f2025-W07\x1fS1\x1fo001");
        assert_eq!(draw_key(&seed, w, "S1", "o001"), hex::encode(h.finalize()));
        assert_eq!(
            draw(&[pop("S1", 10)], w, &seed, 4),
            Err(SpotCheckError::PercentOutOfRange(4))
        );
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
