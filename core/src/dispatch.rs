//! Who gets an order: eligibility for grab offers (抢单推送) and ranked
//! suggestions for staff dispatch (派单推荐).
//!
//! The caller gathers, for each volunteer or lawyer, a [`Candidate`]: their
//! specialty tags, home street and streets they are lent to now, whether
//! they are on duty now (from clock-in, [`crate::duty_hours`]), the walking
//! distance to the need in metres (from the routing the caller has), their
//! current load (open orders they hold) and their mean rating.
//!
//! # Offers (抢单)
//! A consultation is offered to candidates that are all of:
//! * **specialty**: one of their tags equals one of the order's categories
//!   (trimmed, case-insensitive for Latin letters); a candidate tagged
//!   [`GENERAL_TAG`] (综合) matches any category;
//! * **street**: the order's street is their home street or one they are
//!   lent to now;
//! * **on duty** now;
//! * **near**: walking distance known and ≤ `max_distance_m` (default the
//!   15-minute walk, 1.2 km).
//!
//! # Suggestions (派单推荐)
//! Every candidate gets a score out of 100 from four documented parts
//! (weights are data, [`ScoringWeights`]; defaults in parentheses):
//! * specialty match (40): full weight if a tag matches, else 0;
//! * walking distance (30): `w × max(0, 1 − d / horizon)`, horizon 2.4 km
//!   (two 15-minute walks); unknown distance scores 0;
//! * current load (20): `w / (1 + load)`: 20 for an idle candidate, 10 with
//!   one open order, 6.67 with two…;
//! * rating (10): `w × (mean − 1) / 4` on the 1–5 scale; no ratings yet
//!   counts as a neutral 3 (half the weight) so newcomers are not buried.
//!
//! The score is rounded to 1/1000 of a point, then ties are broken, in
//! order, by specialty match, shorter known distance, lower load, higher
//! rating and finally the candidate id, so the ranking is deterministic.

use crate::authz::Role;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A tag meaning "general practice": matches any category.
pub const GENERAL_TAG: &str = "综合";

/// A volunteer or lawyer as seen by dispatch at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub role: Role,
    pub specialties: Vec<String>,
    pub home_street_code: String,
    /// Streets the candidate is lent to right now (跨区域调派).
    #[serde(default)]
    pub lent_to_street_codes: Vec<String>,
    /// Clocked in at a duty post now.
    pub on_duty: bool,
    /// Walking distance to the need, metres, when known.
    #[serde(default)]
    pub distance_m: Option<f64>,
    /// Orders they currently hold (claimed, assigned, in progress).
    #[serde(default)]
    pub current_load: u32,
    /// Mean rating 1–5, when rated.
    #[serde(default)]
    pub mean_rating: Option<f64>,
}

/// What an offer is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferRequest {
    /// The order's categories (usually one).
    pub categories: Vec<String>,
    pub street_code: String,
    /// Farthest walking distance for an offer, metres.
    pub max_distance_m: f64,
}

impl OfferRequest {
    /// An offer within the 15-minute walk (1.2 km).
    pub fn within_walk(categories: Vec<String>, street_code: impl Into<String>) -> Self {
        OfferRequest {
            categories,
            street_code: street_code.into(),
            max_distance_m: crate::FIFTEEN_MINUTE_WALK_M,
        }
    }
}

/// Why a candidate is not offered the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ineligible {
    NoSpecialtyMatch,
    OtherStreet,
    OffDuty,
    DistanceUnknown,
    TooFar,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Whether any of `tags` matches any of `categories` (or is [`GENERAL_TAG`]).
pub fn specialty_matches(tags: &[String], categories: &[String]) -> bool {
    tags.iter().any(|t| {
        let t = norm(t);
        !t.is_empty() && (t == GENERAL_TAG || categories.iter().any(|c| norm(c) == t))
    })
}

/// All the reasons `c` is not eligible for `req` (empty: eligible).
pub fn ineligibility(c: &Candidate, req: &OfferRequest) -> Vec<Ineligible> {
    let mut why = Vec::new();
    if !specialty_matches(&c.specialties, &req.categories) {
        why.push(Ineligible::NoSpecialtyMatch);
    }
    if c.home_street_code != req.street_code && !c.lent_to_street_codes.contains(&req.street_code) {
        why.push(Ineligible::OtherStreet);
    }
    if !c.on_duty {
        why.push(Ineligible::OffDuty);
    }
    match c.distance_m {
        None => why.push(Ineligible::DistanceUnknown),
        Some(d) if !d.is_finite() || d < 0.0 => why.push(Ineligible::DistanceUnknown),
        Some(d) if d > req.max_distance_m => why.push(Ineligible::TooFar),
        Some(_) => {}
    }
    why
}

/// The candidates to whom a consultation is offered, in input order.
pub fn eligible_for_offer<'a>(
    candidates: &'a [Candidate],
    req: &OfferRequest,
) -> Vec<&'a Candidate> {
    candidates
        .iter()
        .filter(|c| ineligibility(c, req).is_empty())
        .collect()
}

/// The weights of the suggestion score, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringWeights {
    pub specialty: f64,
    pub distance: f64,
    pub load: f64,
    pub rating: f64,
    /// Distance at which the distance part reaches 0, metres.
    pub distance_horizon_m: f64,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        ScoringWeights {
            specialty: 40.0,
            distance: 30.0,
            load: 20.0,
            rating: 10.0,
            distance_horizon_m: 2.0 * crate::FIFTEEN_MINUTE_WALK_M,
        }
    }
}

/// The parts of a score, so staff see why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreParts {
    pub specialty: f64,
    pub distance: f64,
    pub load: f64,
    pub rating: f64,
}

/// One ranked suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub candidate_id: String,
    pub rank: usize,
    /// Total out of 100 (with default weights), rounded to 0.001.
    pub score: f64,
    pub parts: ScoreParts,
    pub specialty_match: bool,
}

/// The score parts of one candidate.
pub fn score(c: &Candidate, categories: &[String], w: &ScoringWeights) -> ScoreParts {
    let matched = specialty_matches(&c.specialties, categories);
    let distance = match c.distance_m {
        Some(d) if d.is_finite() && d >= 0.0 && w.distance_horizon_m > 0.0 => {
            w.distance * (1.0 - d / w.distance_horizon_m).max(0.0)
        }
        _ => 0.0,
    };
    let rating = c
        .mean_rating
        .filter(|r| r.is_finite())
        .unwrap_or(3.0)
        .clamp(1.0, 5.0);
    ScoreParts {
        specialty: if matched { w.specialty } else { 0.0 },
        distance,
        load: w.load / (1.0 + f64::from(c.current_load)),
        rating: w.rating * (rating - 1.0) / 4.0,
    }
}

fn milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}

/// Ranks all candidates for a dispatched order, best first (see the module
/// documentation for the score and the tie-breaks).
pub fn suggest(
    candidates: &[Candidate],
    categories: &[String],
    w: &ScoringWeights,
) -> Vec<Suggestion> {
    struct Row<'a> {
        c: &'a Candidate,
        parts: ScoreParts,
        total: i64,
        matched: bool,
    }
    let mut rows: Vec<Row> = candidates
        .iter()
        .map(|c| {
            let parts = score(c, categories, w);
            let total = milli(parts.specialty + parts.distance + parts.load + parts.rating);
            Row {
                matched: specialty_matches(&c.specialties, categories),
                c,
                parts,
                total,
            }
        })
        .collect();
    let dist = |c: &Candidate| c.distance_m.filter(|d| d.is_finite() && *d >= 0.0);
    rows.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.matched.cmp(&a.matched))
            .then_with(|| match (dist(a.c), dist(b.c)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then(a.c.current_load.cmp(&b.c.current_load))
            .then_with(|| {
                let r = |c: &Candidate| c.mean_rating.filter(|r| r.is_finite()).unwrap_or(3.0);
                r(b.c).total_cmp(&r(a.c))
            })
            .then_with(|| a.c.id.cmp(&b.c.id))
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| Suggestion {
            candidate_id: r.c.id.clone(),
            rank: i + 1,
            score: r.total as f64 / 1000.0,
            parts: r.parts,
            specialty_match: r.matched,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(
        id: &str,
        tags: &[&str],
        street: &str,
        d: Option<f64>,
        load: u32,
        rating: Option<f64>,
    ) -> Candidate {
        Candidate {
            id: id.into(),
            role: Role::Volunteer,
            specialties: tags.iter().map(|s| s.to_string()).collect(),
            home_street_code: street.into(),
            lent_to_street_codes: vec![],
            on_duty: true,
            distance_m: d,
            current_load: load,
            mean_rating: rating,
        }
    }

    fn labour() -> Vec<String> {
        vec!["劳动争议".into()]
    }

    #[test]
    fn offer_eligibility() {
        let req = OfferRequest::within_walk(labour(), "S1");
        let ok = cand("a", &["劳动争议"], "S1", Some(800.0), 0, None);
        assert!(ineligibility(&ok, &req).is_empty());
        let general = cand("g", &[GENERAL_TAG], "S1", Some(1200.0), 0, None);
        assert!(ineligibility(&general, &req).is_empty(), "1.2 km is within");
        let mut lent = cand("l", &["劳动争议"], "S2", Some(100.0), 0, None);
        assert_eq!(ineligibility(&lent, &req), vec![Ineligible::OtherStreet]);
        lent.lent_to_street_codes = vec!["S1".into()];
        assert!(ineligibility(&lent, &req).is_empty());
        let mut off = cand("o", &["婚姻家庭"], "S2", Some(1201.0), 0, None);
        off.on_duty = false;
        assert_eq!(
            ineligibility(&off, &req),
            vec![
                Ineligible::NoSpecialtyMatch,
                Ineligible::OtherStreet,
                Ineligible::OffDuty,
                Ineligible::TooFar
            ]
        );
        let unknown = cand("u", &["劳动争议"], "S1", None, 0, None);
        assert_eq!(
            ineligibility(&unknown, &req),
            vec![Ineligible::DistanceUnknown]
        );
        let all = [ok, general, lent, off, unknown];
        let ids: Vec<_> = eligible_for_offer(&all, &req)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, vec!["a", "g", "l"]);
    }

    #[test]
    fn known_ranking() {
        let w = ScoringWeights::default();
        let cs = vec![
            // 40 + 30×(1−600/2400)=22.5 + 20/(1+1)=10 + 10×(4−1)/4=7.5 = 80
            cand("a", &["劳动争议"], "S1", Some(600.0), 1, Some(4.0)),
            // 40 + 30×(1−1200/2400)=15 + 20 + 10×(5−1)/4=10 = 85
            cand("b", &["劳动争议"], "S1", Some(1200.0), 0, Some(5.0)),
            // 0 + 30 + 20 + 10 = 60 (no specialty)
            cand("c", &["婚姻家庭"], "S1", Some(0.0), 0, Some(5.0)),
            // 40 + 0 (3 km) + 20/(1+3)=5 + neutral 5 = 50
            cand("d", &["劳动争议"], "S1", Some(3000.0), 3, None),
            // Same as "a" but id sorts later: 80, tie broken by id.
            cand("e", &["劳动争议"], "S1", Some(600.0), 1, Some(4.0)),
        ];
        let s = suggest(&cs, &labour(), &w);
        let got: Vec<(&str, f64)> = s
            .iter()
            .map(|x| (x.candidate_id.as_str(), x.score))
            .collect();
        assert_eq!(
            got,
            vec![
                ("b", 85.0),
                ("a", 80.0),
                ("e", 80.0),
                ("c", 60.0),
                ("d", 50.0)
            ]
        );
        assert_eq!(s[0].rank, 1);
        assert_eq!(s[3].parts.specialty, 0.0);
    }

    #[test]
    fn ties_prefer_specialty_then_distance_then_load() {
        let w = ScoringWeights {
            specialty: 30.0,
            distance: 30.0,
            load: 0.0,
            rating: 0.0,
            distance_horizon_m: 2400.0,
        };
        // x: 30 specialty + 0 distance (2400 m) = 30; y: no specialty, 0 m
        // = 30. Equal score: specialty wins.
        let x = cand("y-first-by-id", &["劳动争议"], "S1", Some(2400.0), 0, None);
        let y = cand("a", &["其他"], "S1", Some(0.0), 0, None);
        let s = suggest(&[y.clone(), x.clone()], &labour(), &w);
        assert_eq!(s[0].candidate_id, "y-first-by-id");
        // Equal score and specialty: the known, shorter distance wins over
        // farther and unknown ones (both beyond the horizon: 0 points).
        let near = cand("z", &["劳动争议"], "S1", Some(2500.0), 5, None);
        let far = cand("b", &["劳动争议"], "S1", Some(9000.0), 0, None);
        let unknown = cand("a", &["劳动争议"], "S1", None, 0, None);
        let s = suggest(&[unknown, far, near], &labour(), &w);
        let ids: Vec<_> = s.iter().map(|x| x.candidate_id.as_str()).collect();
        assert_eq!(ids, vec!["z", "b", "a"]);
    }
}
