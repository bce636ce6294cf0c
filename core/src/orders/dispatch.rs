//! Who gets an order: eligibility for grab offers (抢单推送) and ranked
//! suggestions for staff dispatch (派单推荐). This is what the server runs
//! (`server/src/api/orders.rs` gathers the inputs and calls these
//! functions).
//!
//! # Where a volunteer is
//! A volunteer or lawyer is **on duty** when they have an open clock-in:
//! of their punches that count ([`counts_for_duty`]: accepted, or a
//! clock-in inside the fence waiting for review only because it is outside
//! the post's shifts), the latest is a clock-in ([`PunchKind::In`]) made
//! less than [`MAX_OPEN_SESSION_H`] hours ago (a forgotten clock-out does
//! not keep someone on duty for days) — the pairing of duty hours
//! ([`crate::volunteers::duty_hours`]). Their place is the duty
//! post of that clock-in (the centre of its fence); at a post without a
//! place (a hotline desk) it is the fix of their latest accepted punch that
//! has one. Someone not clocked in has no place: they are not offered
//! anything, and suggestions show their distance as unknown.
//!
//! # Distance
//! From the volunteer's place to the need's place (the point given with
//! the need, else the centroid of its village or street), by the walking
//! network when one is loaded and both points snap onto it, else the
//! straight line × [`DEFAULT_DETOUR_FACTOR`] (1.3), the same rule as
//! nearest search and coverage; every distance says which basis it used
//! ([`DistanceBasis`]). A walk longer than the search limit is reported as
//! "beyond" that limit, not as a number.
//!
//! # Specialty
//! Skills and needs use one taxonomy ([`crate::volunteers::specialty`]): the need's
//! own subject when it names one, else the specialties its category maps
//! to, qualify; a volunteer matches with one of them or general practice
//! (综合, [`crate::volunteers::specialty::GENERAL`]).
//!
//! # Offers (抢单)
//! A consultation is offered to candidates that are all of:
//! * **specialty**: a qualifying specialty or general practice;
//! * **street**: the order's street is their home street or one they are
//!   lent to now (跨区域调派);
//! * **on duty**: an open clock-in (above);
//! * **near**: distance known and ≤ `max_distance_m` (default the
//!   15-minute walk, 1.2 km).
//!
//! # Suggestions (派单推荐)
//! Every active volunteer and lawyer gets a score out of 100 from five
//! parts (weights are data, [`ScoringWeights`]; defaults in parentheses),
//! each returned with its points and the reason in words ([`Factor`]):
//! * specialty (35): full weight with a qualifying specialty or general
//!   practice, else 0;
//! * distance (30): `w × max(0, 1 − d / horizon)`, horizon 2.4 km (two
//!   15-minute walks); unknown distance (not clocked in) scores 0;
//! * load (15): `w / (1 + open orders held)`: 15 idle, 7.5 with one…;
//! * rating (10): `w × (mean − 1) / 4` on the 1–5 scale of the orders they
//!   held; no ratings yet counts as a neutral 3 so newcomers are not
//!   buried;
//! * star level (10): `w × stars / 5`, the star level from accepted duty
//!   hours ([`crate::volunteers::pool::StarLevels`]).
//!
//! The score is rounded to 1/1000 of a point; ties are broken, in order,
//! by specialty match, shorter known distance, lower load, higher rating,
//! more stars and finally the candidate id, so the ranking is
//! deterministic. Each suggestion also lists why the candidate would not be
//! offered the order as a grab ([`Ineligible`]); staff may still dispatch
//! to them.

use crate::authz::Role;
use crate::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use crate::geo::coord::GeoPoint;
use crate::geo::network::{
    DEFAULT_DETOUR_FACTOR, DijkstraWorkspace, DistanceBasis, Snap, WalkingNetwork,
};
use crate::volunteers::clock_in::{Flag, Verdict};
use crate::volunteers::punch::{Punch, PunchKind, PunchStatus, PunchWarning};
use crate::volunteers::specialty;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

pub use crate::volunteers::specialty::GENERAL;

/// The longest a clock-in stays open without its clock-out (the duty-hour
/// rule's limit on a session, [`crate::volunteers::duty_hours::DEFAULT_MAX_SESSION_H`]).
pub const MAX_OPEN_SESSION_H: f64 = crate::volunteers::duty_hours::DEFAULT_MAX_SESSION_H;

/// How far suggestions search the walking network, metres: beyond this a
/// walk is reported as "beyond" (its distance part is 0 long before).
pub const SUGGESTION_SEARCH_LIMIT_M: f64 = 10_000.0;

/// Where a candidate's place comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceSource {
    /// The duty post of the open clock-in.
    DutyPost,
    /// The fix of the latest accepted punch (at a post without a place).
    LatestFix,
}

/// An open clock-in: where and since when a volunteer is on duty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnDuty {
    pub post_id: String,
    pub since: DateTime<Utc>,
    /// Where they are, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_source: Option<PlaceSource>,
}

/// The place of a duty post: the centre of a circle fence, the centroid of
/// a polygon fence; a hotline desk has none.
pub fn post_place(post: &DutyPost) -> Option<GeoPoint> {
    match &post.kind {
        DutyPostKind::Station {
            fence: Fence::Circle { center, .. },
        } => Some(*center),
        DutyPostKind::Station {
            fence: Fence::Polygon { boundary },
        } => {
            use geo::Centroid;
            let c = boundary
                .to_geo_in(crate::geo::coord::Datum::Wgs84)
                .centroid()?;
            GeoPoint::wgs84(c.y(), c.x()).ok()
        }
        DutyPostKind::HotlineDesk { .. } => None,
    }
}

/// Whether a punch counts when deciding who is on duty: a punch a
/// supervisor rejected never does; a clock-in does when it is accepted, or
/// when the server found it inside the fence and it waits for review only
/// because it is outside the post's shifts (volunteers do stay late); a
/// clock-out does unless rejected (whoever clocks out has left).
pub fn counts_for_duty(p: &Punch) -> bool {
    match p.status() {
        PunchStatus::Accepted => true,
        PunchStatus::Rejected => false,
        PunchStatus::PendingReview => match p.kind {
            PunchKind::Out => true,
            PunchKind::In => {
                p.server_decision
                    .as_ref()
                    .is_some_and(|d| d.verdict == Verdict::Inside)
                    && p.warnings().iter().all(|w| {
                        matches!(
                            w,
                            PunchWarning::Flagged {
                                flag: Flag::OutsideShift
                            }
                        )
                    })
            }
        },
    }
}

/// Whether `volunteer_id` is on duty at `now`, from their punches (any
/// order, others' punches ignored) and the duty posts: see the module
/// documentation.
pub fn on_duty(
    punches: &[Punch],
    posts: &[DutyPost],
    volunteer_id: &str,
    now: DateTime<Utc>,
) -> Option<OnDuty> {
    let mut mine: Vec<&Punch> = punches
        .iter()
        .filter(|p| p.volunteer_id == volunteer_id && counts_for_duty(p))
        .filter(|p| p.trusted_time() <= now)
        .collect();
    mine.sort_by_key(|p| (p.trusted_time(), p.seq));
    let last = *mine.last()?;
    if last.kind != PunchKind::In {
        return None;
    }
    let open_ms = (now - last.trusted_time()).num_milliseconds() as f64;
    if open_ms > MAX_OPEN_SESSION_H * 3_600_000.0 {
        return None;
    }
    let post = posts.iter().find(|p| p.id == last.post_id);
    let (place, source) = match post.and_then(post_place) {
        Some(p) => (Some(p), Some(PlaceSource::DutyPost)),
        None => match mine
            .iter()
            .rev()
            .find_map(|p| p.fix.as_ref().and_then(|f| f.point()))
        {
            Some(p) => (Some(p), Some(PlaceSource::LatestFix)),
            None => (None, None),
        },
    };
    Some(OnDuty {
        post_id: last.post_id.clone(),
        since: last.trusted_time(),
        place,
        place_source: source,
    })
}

/// A measured distance and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Distance {
    pub metres: f64,
    pub basis: DistanceBasis,
}

/// The result of measuring one distance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case")]
pub enum Measure {
    Known(Distance),
    /// Walking farther than the search limit (metres).
    Beyond {
        limit_m: f64,
    },
}

fn straight(a: GeoPoint, b: GeoPoint) -> Measure {
    Measure::Known(Distance {
        metres: a.distance_m(b) * DEFAULT_DETOUR_FACTOR,
        basis: DistanceBasis::StraightLineTimesDetour {
            factor: DEFAULT_DETOUR_FACTOR,
        },
    })
}

/// Distances from `origin` to each of `targets`: walking on `network` when
/// both snap onto it (one search from the origin, up to `limit_m`), else
/// the straight line × the detour factor.
pub fn distances_from(
    network: Option<&WalkingNetwork>,
    origin: GeoPoint,
    targets: &[GeoPoint],
    limit_m: f64,
) -> Vec<Measure> {
    let Some(net) = network else {
        return targets.iter().map(|t| straight(origin, *t)).collect();
    };
    let Ok(o) = net.snap(origin) else {
        return targets.iter().map(|t| straight(origin, *t)).collect();
    };
    let mut ws = DijkstraWorkspace::new(net);
    ws.start(&o.seeds(0));
    targets
        .iter()
        .map(|t| {
            let s: Snap = match net.snap(*t) {
                Ok(s) => s,
                Err(_) => return straight(origin, *t),
            };
            ws.settle_nodes(net, &[s.from, s.to], limit_m);
            let mut walk = ws.distance_to_snap(&s, limit_m).map(|(d, _)| d);
            if let Some(direct) = o.along_same_edge_m(&s)
                && direct <= limit_m
                && walk.is_none_or(|w| direct < w)
            {
                walk = Some(direct);
            }
            match walk {
                Some(metres) => Measure::Known(Distance {
                    metres,
                    basis: DistanceBasis::Walking,
                }),
                None => Measure::Beyond { limit_m },
            }
        })
        .collect()
}

/// A volunteer or lawyer as seen by dispatch at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub role: Role,
    /// Specialty codes ([`crate::volunteers::specialty`]).
    pub specialties: Vec<String>,
    pub home_street_code: String,
    /// Streets the candidate is lent to right now (跨区域调派).
    #[serde(default)]
    pub lent_to_street_codes: Vec<String>,
    /// Their open clock-in, if any ([`on_duty`]).
    #[serde(default)]
    pub on_duty: Option<OnDuty>,
    /// From their place to the need's, when they have a place.
    #[serde(default)]
    pub distance: Option<Measure>,
    /// Orders they currently hold (claimed, assigned, in progress).
    #[serde(default)]
    pub current_load: u32,
    /// Mean rating 1–5 of the orders they held, when rated.
    #[serde(default)]
    pub mean_rating: Option<f64>,
    /// Star level from accepted duty hours.
    #[serde(default)]
    pub stars: u8,
}

impl Candidate {
    /// The known distance in metres.
    pub fn distance_m(&self) -> Option<f64> {
        match self.distance {
            Some(Measure::Known(d)) if d.metres.is_finite() && d.metres >= 0.0 => Some(d.metres),
            _ => None,
        }
    }
}

/// What an order asks of a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferRequest {
    /// Specialty codes that qualify ([`specialty::qualifying`]).
    pub qualifying: Vec<String>,
    pub street_code: String,
    /// Farthest distance for an offer, metres.
    pub max_distance_m: f64,
}

impl OfferRequest {
    /// For a need of `category` (and its own subject, if named) in
    /// `street_code`, within `max_distance_m`.
    pub fn new(
        category: &str,
        need_specialty: Option<&str>,
        street_code: impl Into<String>,
        max_distance_m: f64,
    ) -> Self {
        OfferRequest {
            qualifying: specialty::qualifying(category, need_specialty),
            street_code: street_code.into(),
            max_distance_m,
        }
    }

    /// The same within the 15-minute walk (1.2 km).
    pub fn within_walk(
        category: &str,
        need_specialty: Option<&str>,
        street_code: impl Into<String>,
    ) -> Self {
        Self::new(
            category,
            need_specialty,
            street_code,
            crate::FIFTEEN_MINUTE_WALK_M,
        )
    }
}

/// Why a candidate is not offered the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ineligible {
    NoSpecialtyMatch,
    OtherStreet,
    /// No open clock-in.
    OffDuty,
    /// On duty, but where is not known.
    DistanceUnknown,
    TooFar,
}

impl Ineligible {
    /// The reason in words, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Ineligible::NoSpecialtyMatch => "none of your specialties fits this need",
            Ineligible::OtherStreet => "the need is in another street",
            Ineligible::OffDuty => "you are not clocked in at a duty post",
            Ineligible::DistanceUnknown => "where you are on duty is not known",
            Ineligible::TooFar => "the need is beyond a 15-minute walk from where you are on duty",
        }
    }
}

/// All the reasons `c` is not eligible for `req` (empty: eligible).
pub fn ineligibility(c: &Candidate, req: &OfferRequest) -> Vec<Ineligible> {
    let mut why = Vec::new();
    if !specialty::skills_match(&c.specialties, &req.qualifying) {
        why.push(Ineligible::NoSpecialtyMatch);
    }
    if c.home_street_code != req.street_code && !c.lent_to_street_codes.contains(&req.street_code) {
        why.push(Ineligible::OtherStreet);
    }
    if c.on_duty.is_none() {
        why.push(Ineligible::OffDuty);
        return why;
    }
    match (c.distance, c.distance_m()) {
        (Some(Measure::Beyond { .. }), _) => why.push(Ineligible::TooFar),
        (_, None) => why.push(Ineligible::DistanceUnknown),
        (_, Some(d)) if d > req.max_distance_m => why.push(Ineligible::TooFar),
        _ => {}
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
    pub stars: f64,
    /// Distance at which the distance part reaches 0, metres.
    pub distance_horizon_m: f64,
    /// The star level that earns the full star weight.
    pub max_stars: u8,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        ScoringWeights {
            specialty: 35.0,
            distance: 30.0,
            load: 15.0,
            rating: 10.0,
            stars: 10.0,
            distance_horizon_m: 2.0 * crate::FIFTEEN_MINUTE_WALK_M,
            max_stars: 5,
        }
    }
}

/// The parts of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreParts {
    pub specialty: f64,
    pub distance: f64,
    pub load: f64,
    pub rating: f64,
    pub stars: f64,
}

impl ScoreParts {
    fn total(&self) -> f64 {
        self.specialty + self.distance + self.load + self.rating + self.stars
    }
}

/// The five ranking factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    Specialty,
    Distance,
    Load,
    Rating,
    Stars,
}

/// One factor of a suggestion: its points out of its weight and why, in
/// Chinese and English.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub factor: FactorKind,
    pub points: f64,
    pub max: f64,
    pub reason_zh: String,
    pub reason_en: String,
}

/// One ranked suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub candidate_id: String,
    pub rank: usize,
    /// Total out of 100 (with default weights), rounded to 0.001.
    pub score: f64,
    pub parts: ScoreParts,
    pub factors: Vec<Factor>,
    pub specialty_match: bool,
    /// The open clock-in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_duty: Option<OnDuty>,
    /// The distance to the need's place, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance: Option<Measure>,
    pub current_load: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_rating: Option<f64>,
    pub stars: u8,
    /// Why they would not be offered it as a grab (empty: they would).
    pub ineligible: Vec<Ineligible>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn names(codes: &[String]) -> (String, String) {
    let zh: Vec<&str> = codes
        .iter()
        .map(|c| specialty::by_code(c).map_or(c.as_str(), |s| s.name_zh))
        .collect();
    let en: Vec<&str> = codes
        .iter()
        .map(|c| specialty::by_code(c).map_or(c.as_str(), |s| s.name_en))
        .collect();
    (zh.join("、"), en.join(", "))
}

/// The score parts of one candidate, each with its reason.
pub fn factors(c: &Candidate, req: &OfferRequest, w: &ScoringWeights) -> (ScoreParts, Vec<Factor>) {
    let matching: Vec<String> = c
        .specialties
        .iter()
        .filter(|s| req.qualifying.contains(s))
        .cloned()
        .collect();
    let general = c.specialties.iter().any(|s| s == GENERAL);
    let (specialty_points, sz, se) = if !matching.is_empty() {
        let (zh, en) = names(&matching);
        (
            w.specialty,
            format!("专长匹配：{zh}"),
            format!("specialty matches: {en}"),
        )
    } else if general {
        (
            w.specialty,
            "综合（全科）专长，可办理各类事项".to_string(),
            "general practice: takes any subject".to_string(),
        )
    } else {
        let (zh, en) = names(&c.specialties);
        (
            0.0,
            format!("专长（{zh}）与本工单不匹配"),
            format!("specialties ({en}) do not match this order"),
        )
    };
    let (distance_points, dz, de) = match (&c.on_duty, c.distance) {
        (None, _) => (
            0.0,
            "未签到值守：位置未知".to_string(),
            "not clocked in: place unknown".to_string(),
        ),
        (Some(_), Some(Measure::Known(d))) if d.metres.is_finite() && d.metres >= 0.0 => {
            let pts = if w.distance_horizon_m > 0.0 {
                w.distance * (1.0 - d.metres / w.distance_horizon_m).max(0.0)
            } else {
                0.0
            };
            let m = d.metres.round();
            match d.basis {
                DistanceBasis::Walking => (
                    pts,
                    format!("距需求地点步行 {m} 米（路网）"),
                    format!("{m} m walk to the need (walking network)"),
                ),
                DistanceBasis::StraightLineTimesDetour { factor } => (
                    pts,
                    format!("距需求地点约 {m} 米（直线×{factor} 估算）"),
                    format!("about {m} m to the need (straight line × {factor})"),
                ),
            }
        }
        (Some(_), Some(Measure::Beyond { limit_m })) => {
            let km = limit_m / 1000.0;
            (
                0.0,
                format!("步行超过 {km} 公里"),
                format!("more than {km} km walk"),
            )
        }
        (Some(_), _) => (
            0.0,
            "已签到，但值守位置未知".to_string(),
            "clocked in, but the place is unknown".to_string(),
        ),
    };
    let load_points = w.load / (1.0 + f64::from(c.current_load));
    let (lz, le) = (
        format!("在办工单 {} 件", c.current_load),
        format!("{} open order(s) held", c.current_load),
    );
    let rated = c.mean_rating.filter(|r| r.is_finite());
    let rating = rated.unwrap_or(3.0).clamp(1.0, 5.0);
    let rating_points = w.rating * (rating - 1.0) / 4.0;
    let (rz, re) = match rated {
        Some(r) => (
            format!("平均评分 {}", round1(r)),
            format!("mean rating {}", round1(r)),
        ),
        None => (
            "尚无评价，按中间分 3 计".to_string(),
            "not rated yet: counted as a neutral 3".to_string(),
        ),
    };
    let stars_points = if w.max_stars > 0 {
        w.stars * f64::from(c.stars.min(w.max_stars)) / f64::from(w.max_stars)
    } else {
        0.0
    };
    let parts = ScoreParts {
        specialty: specialty_points,
        distance: distance_points,
        load: load_points,
        rating: rating_points,
        stars: stars_points,
    };
    let f = |factor, points, max, zh: String, en: String| Factor {
        factor,
        points: milli(points) as f64 / 1000.0,
        max,
        reason_zh: zh,
        reason_en: en,
    };
    let list = vec![
        f(FactorKind::Specialty, specialty_points, w.specialty, sz, se),
        f(FactorKind::Distance, distance_points, w.distance, dz, de),
        f(FactorKind::Load, load_points, w.load, lz, le),
        f(FactorKind::Rating, rating_points, w.rating, rz, re),
        f(
            FactorKind::Stars,
            stars_points,
            w.stars,
            format!("{} 星志愿者", c.stars),
            format!("{} star(s)", c.stars),
        ),
    ];
    (parts, list)
}

fn milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}

/// Ranks all candidates for an order, best first (see the module
/// documentation for the score and the tie-breaks).
pub fn suggest(
    candidates: &[Candidate],
    req: &OfferRequest,
    w: &ScoringWeights,
) -> Vec<Suggestion> {
    struct Row<'a> {
        c: &'a Candidate,
        parts: ScoreParts,
        factors: Vec<Factor>,
        total: i64,
        matched: bool,
    }
    let mut rows: Vec<Row> = candidates
        .iter()
        .map(|c| {
            let (parts, factors) = factors(c, req, w);
            Row {
                total: milli(parts.total()),
                matched: specialty::skills_match(&c.specialties, &req.qualifying),
                c,
                parts,
                factors,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.matched.cmp(&a.matched))
            .then_with(|| match (a.c.distance_m(), b.c.distance_m()) {
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
            .then(b.c.stars.cmp(&a.c.stars))
            .then_with(|| a.c.id.cmp(&b.c.id))
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| Suggestion {
            candidate_id: r.c.id.clone(),
            rank: i + 1,
            score: r.total as f64 / 1000.0,
            parts: r.parts,
            factors: r.factors,
            specialty_match: r.matched,
            on_duty: r.c.on_duty.clone(),
            distance: r.c.distance,
            current_load: r.c.current_load,
            mean_rating: r.c.mean_rating,
            stars: r.c.stars,
            ineligible: ineligibility(r.c, req),
        })
        .collect()
}

#[cfg(test)]
mod tests;
