//! The geofenced clock-in decision (签到打卡判定): is this location fix
//! good evidence that the volunteer is at the duty post?
//!
//! An OS geofence only prompts the app; the decision is made here, from a
//! fresh fix, by [`decide`], a pure function of (fence, fix, previous fix,
//! the device's clock at the punch, server time if known, policy). The phone
//! calls it when the volunteer taps "clock in"; the server calls the very
//! same function again when the punch arrives (see [`crate::volunteers::punch`]), so the
//! two verdicts can be compared.
//!
//! # The rules, in order
//! 1. **Invalid fix** (coordinates out of range, accuracy negative or not a
//!    number): `Uncertain`.
//! 2. **Mock location** (`is_mock`, Android `Location.isMock()`): the fix is
//!    rejected, the verdict is `Outside` wherever it claims to be, and the
//!    decision carries [`Flag::MockLocation`].
//! 3. **One datum.** The fix (one point) is converted into the fence's datum
//!    (GCJ-02 fences from Amap stay in GCJ-02) and every distance is
//!    measured there, on a local equirectangular plane centred on the fix
//!    (circle: haversine). The GCJ-02 and BD-09 shifts vary slowly (under
//!    0.3 % of a distance, i.e. < 0.5 m across a 150 m fence), far below the
//!    accuracy of any phone fix, while comparing raw GCJ-02 numbers with a
//!    WGS-84 fix would be off by 300–600 m. Converting the fix rather than the
//!    fence keeps the decision to one conversion whatever the fence size.
//! 4. **Signed distance** `d` from the fix to the fence boundary: negative
//!    inside, positive outside, 0 on the edge. Polygons may have holes (a fix
//!    in a hole is outside) and several parts.
//! 5. **Accuracy-aware margin.** With `a` the reported horizontal accuracy
//!    (Android: 68 % radius), the policy's [`AccuracyBand`]s give a margin
//!    `m(a)`; the defaults follow commercial time clocks: `a ≤ 10 m → 50 m`,
//!    `10 m < a ≤ 300 m → 100 m`, `a > 300 m → Uncertain` (the fix is
//!    ignored). Then:
//!    * `d ≤ 0` → `Inside` (the most likely position is in the fence, whether
//!      the accuracy disc overlaps the boundary or not);
//!    * `0 < d ≤ m(a)` → `Inside`, reason [`Reason::WithinMargin`] (the
//!      fence is grown by the margin, as time clocks do, because fences are
//!      drawn by hand and fixes jitter);
//!    * `m(a) < d ≤ a` → `Uncertain`, reason [`Reason::PartialOverlap`]: the
//!      fix is outside the grown fence but its accuracy disc still reaches
//!      into the fence, so the phone should ask for a better fix;
//!    * `d > max(m(a), a)` → `Outside`.
//! 6. **Stale fix**: older than `max_fix_age_s` (measured on the monotonic
//!    clock when possible) → `Uncertain`. A fix later than the punch →
//!    `Uncertain`.
//! 7. **Impossible speed** from the previous fix, over `max_speed_kmh`
//!    (default 200 km/h): flagged, and an `Inside` becomes `Uncertain`. The
//!    distance used is reduced by both accuracies so that jitter between two
//!    close fixes is not mistaken for a jump. A reported speed over the limit
//!    is flagged too.
//! 8. **Clock skew**: when server time is known, a device wall clock more
//!    than `max_clock_skew_s` off is flagged (the verdict stands: ages and
//!    speeds use the monotonic clock).

use crate::catalogue::duty_post::Fence;
use crate::geo::coord::{Datum, EARTH_RADIUS_M, GeoPoint, haversine_m, validate_lat_lng};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a fix came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Gps,
    Network,
    Fused,
    Passive,
    Unknown,
}

impl Provider {
    pub fn code(self) -> u8 {
        match self {
            Provider::Gps => 1,
            Provider::Network => 2,
            Provider::Fused => 3,
            Provider::Passive => 4,
            Provider::Unknown => 0,
        }
    }
}

/// A location fix (定位) as the phone reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub lat: f64,
    pub lng: f64,
    /// Phones report WGS-84; a fix taken from a Chinese map SDK is GCJ-02.
    pub datum: Datum,
    /// Horizontal accuracy in metres (Android: radius of 68 % confidence).
    pub accuracy_m: f64,
    pub provider: Provider,
    /// Android `Location.isMock()` (API 31+) / `isFromMockProvider()`.
    #[serde(default)]
    pub is_mock: bool,
    /// The device's wall clock when the fix was taken.
    pub wall_time: DateTime<Utc>,
    /// The device's monotonic clock (milliseconds since boot: Android
    /// `elapsedRealtimeNanos / 1e6`, iOS `systemUptime`) when the fix was
    /// taken. Unaffected by the user changing the wall clock.
    pub elapsed_ms: u64,
    /// Speed reported by the device, in m/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_mps: Option<f64>,
}

impl Fix {
    /// The fix position, if its coordinates are valid.
    pub fn point(&self) -> Option<GeoPoint> {
        GeoPoint::new(self.lat, self.lng, self.datum).ok()
    }

    fn is_valid(&self) -> bool {
        validate_lat_lng(self.lat, self.lng).is_ok()
            && self.accuracy_m.is_finite()
            && self.accuracy_m >= 0.0
            && self.speed_mps.is_none_or(|s| s.is_finite() && s >= 0.0)
    }
}

/// A moment on the device: its wall clock and its monotonic clock read
/// together (e.g. when the volunteer taps "clock in").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInstant {
    pub wall: DateTime<Utc>,
    pub elapsed_ms: u64,
}

/// Seconds from `earlier` to `later`: on the monotonic clock when it moved
/// forward (same boot), else on the wall clock.
fn seconds_between(earlier: (DateTime<Utc>, u64), later: (DateTime<Utc>, u64)) -> f64 {
    if later.1 >= earlier.1 {
        (later.1 - earlier.1) as f64 / 1000.0
    } else {
        (later.0 - earlier.0).num_milliseconds() as f64 / 1000.0
    }
}

/// The server time at a device instant, bridged over the monotonic clock
/// from a moment where both clocks were read together (e.g. when an offline
/// queue syncs, the phone sends its `DeviceInstant` and the server notes its
/// own time). `None` if the device rebooted in between.
pub fn estimate_server_time(
    at: DeviceInstant,
    anchor_device: DeviceInstant,
    anchor_server: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let back = anchor_device.elapsed_ms.checked_sub(at.elapsed_ms)?;
    let back = i64::try_from(back).ok()?;
    anchor_server.checked_sub_signed(chrono::Duration::milliseconds(back))
}

/// One row of the accuracy → margin table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AccuracyBand {
    /// The band covers accuracies up to and including this value.
    pub max_accuracy_m: f64,
    /// How far outside the fence a fix in this band is still accepted.
    pub margin_m: f64,
}

/// The tunable numbers of the decision. Keep them as data (one per
/// district); [`ClockInPolicy::default`] documents the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockInPolicy {
    /// Sorted by `max_accuracy_m`; a fix worse than the last band is
    /// `Uncertain`. Default: `≤10 m → +50 m`, `≤300 m → +100 m`.
    pub accuracy_bands: Vec<AccuracyBand>,
    /// A fix older than this at the punch is `Uncertain`. Default 120 s.
    pub max_fix_age_s: f64,
    /// Faster than this from the previous fix is flagged. Default 200 km/h.
    pub max_speed_kmh: f64,
    /// A device wall clock further than this from server time is flagged.
    /// Default 120 s.
    pub max_clock_skew_s: f64,
    /// A punch this many minutes before a shift starts or after it ends
    /// still counts as within the shift. Default 15.
    pub shift_grace_min: u32,
}

impl Default for ClockInPolicy {
    fn default() -> Self {
        ClockInPolicy {
            accuracy_bands: vec![
                AccuracyBand {
                    max_accuracy_m: 10.0,
                    margin_m: 50.0,
                },
                AccuracyBand {
                    max_accuracy_m: 300.0,
                    margin_m: 100.0,
                },
            ],
            max_fix_age_s: 120.0,
            max_speed_kmh: 200.0,
            max_clock_skew_s: 120.0,
            shift_grace_min: 15,
        }
    }
}

/// What can be wrong with a policy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("the accuracy table needs at least one band")]
    NoBands,
    #[error("accuracy band {index} must have finite, non-negative numbers, sorted by accuracy")]
    BadBand { index: usize },
    #[error("{field} must be a finite positive number, got {value}")]
    BadLimit { field: &'static str, value: f64 },
}

impl ClockInPolicy {
    /// Checks the table is sorted and the limits positive.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.accuracy_bands.is_empty() {
            return Err(PolicyError::NoBands);
        }
        let mut last = f64::NEG_INFINITY;
        for (index, b) in self.accuracy_bands.iter().enumerate() {
            let ok = b.max_accuracy_m.is_finite()
                && b.margin_m.is_finite()
                && b.max_accuracy_m >= 0.0
                && b.margin_m >= 0.0
                && b.max_accuracy_m > last;
            if !ok {
                return Err(PolicyError::BadBand { index });
            }
            last = b.max_accuracy_m;
        }
        for (field, value) in [
            ("max_fix_age_s", self.max_fix_age_s),
            ("max_speed_kmh", self.max_speed_kmh),
            ("max_clock_skew_s", self.max_clock_skew_s),
        ] {
            if !value.is_finite() || value <= 0.0 {
                return Err(PolicyError::BadLimit { field, value });
            }
        }
        Ok(())
    }

    /// The margin for a fix of this accuracy, or `None` if the fix is too
    /// poor to use.
    pub fn margin_for(&self, accuracy_m: f64) -> Option<f64> {
        self.accuracy_bands
            .iter()
            .find(|b| accuracy_m <= b.max_accuracy_m)
            .map(|b| b.margin_m)
    }
}

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Inside,
    Outside,
    Uncertain,
}

impl Verdict {
    pub fn code(self) -> u8 {
        match self {
            Verdict::Inside => 1,
            Verdict::Outside => 2,
            Verdict::Uncertain => 3,
        }
    }
}

/// Why the verdict is what it is (several may apply). The numbers are
/// part of the punch hash encoding: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    InvalidFix = 1,
    MockLocation = 2,
    /// The fix is inside the fence.
    InsideFence = 3,
    /// Outside the fence, but within the accuracy margin.
    WithinMargin = 4,
    /// Beyond the margin, but the accuracy disc reaches into the fence.
    PartialOverlap = 5,
    OutsideFence = 6,
    AccuracyTooPoor = 7,
    StaleFix = 8,
    FixAfterPunch = 9,
    ImpossibleSpeed = 10,
    ClockSkew = 11,
    /// A hotline desk has no fence: clock-in is by shift only.
    NoFence = 12,
    /// The punch is outside the post's shifts (set by the punch evaluation).
    OutsideShift = 13,
    /// A physical station needs a fix and none was given.
    NoFix = 14,
}

impl Reason {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Suspicious facts that raise a warning for station staff (异常预警).
/// The numbers are part of the punch hash encoding: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    MockLocation = 1,
    ImpossibleSpeed = 2,
    ClockSkew = 3,
    OutsideShift = 4,
}

impl Flag {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The numbers behind a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The datum distances were measured in (the fence's).
    pub compared_in: Option<Datum>,
    /// Distance from the fix to the fence boundary, negative inside.
    pub signed_distance_m: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub margin_m: Option<f64>,
    pub fix_age_s: Option<f64>,
    /// Speed from the previous fix, after removing both accuracies.
    pub speed_kmh: Option<f64>,
    pub reported_speed_kmh: Option<f64>,
    /// Device wall clock minus server time, when server time is known.
    pub clock_skew_s: Option<f64>,
}

/// A verdict with its reasons, flags and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockInDecision {
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    pub flags: Vec<Flag>,
    pub evidence: Evidence,
}

impl ClockInDecision {
    fn empty() -> Self {
        ClockInDecision {
            verdict: Verdict::Uncertain,
            reasons: Vec::new(),
            flags: Vec::new(),
            evidence: Evidence {
                compared_in: None,
                signed_distance_m: None,
                accuracy_m: None,
                margin_m: None,
                fix_age_s: None,
                speed_kmh: None,
                reported_speed_kmh: None,
                clock_skew_s: None,
            },
        }
    }

    pub fn is_flagged(&self) -> bool {
        !self.flags.is_empty()
    }
}

/// Metres per degree of latitude on the mean sphere.
const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Signed distance in metres from `p` (in `datum`) to the boundary of a
/// polygon set given as rings of `[lng, lat]` in the same datum: negative
/// inside (holes excluded), positive outside.
///
/// Method: project every vertex onto an equirectangular plane centred on
/// `p` (x = Δlng·cos(lat_p), y = Δlat, in metres; Δlng wrapped across the
/// antimeridian), then one pass over the edges computes both the even-odd
/// crossing count (inside a hole = even = outside) and the minimum
/// point-to-segment distance. The projection's scale error across a few
/// kilometres is below 0.01 %. The tests check it against `geo`'s Euclidean
/// distance and containment.
pub fn polygon_signed_distance_m(polygons: &[Vec<Vec<[f64; 2]>>], lat: f64, lng: f64) -> f64 {
    let kx = lat.to_radians().cos() * M_PER_DEG;
    let project = |[vl, va]: [f64; 2]| {
        let mut dl = vl - lng;
        if dl > 180.0 {
            dl -= 360.0;
        } else if dl < -180.0 {
            dl += 360.0;
        }
        (dl * kx, (va - lat) * M_PER_DEG)
    };
    let mut inside = false;
    let mut best_sq = f64::INFINITY;
    for ring in polygons.iter().flatten() {
        let mut iter = ring.iter().copied().map(project);
        let Some(mut a) = iter.next() else { continue };
        for b in iter {
            // Even-odd: does the edge cross the ray y = 0, x > 0?
            if (a.1 > 0.0) != (b.1 > 0.0) {
                let x = a.0 + (0.0 - a.1) * (b.0 - a.0) / (b.1 - a.1);
                if x > 0.0 {
                    inside = !inside;
                }
            }
            // Squared distance from the origin to segment a–b.
            let (ex, ey) = (b.0 - a.0, b.1 - a.1);
            let len_sq = ex * ex + ey * ey;
            let t = if len_sq > 0.0 {
                (-(a.0 * ex + a.1 * ey) / len_sq).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (cx, cy) = (a.0 + t * ex, a.1 + t * ey);
            best_sq = best_sq.min(cx * cx + cy * cy);
            a = b;
        }
    }
    let d = best_sq.sqrt();
    if inside { -d } else { d }
}

/// Signed distance from a point to a fence boundary, measured in the fence's
/// datum (see the module notes), and that datum.
pub fn fence_signed_distance_m(fence: &Fence, point: GeoPoint) -> (f64, Datum) {
    match fence {
        Fence::Circle { center, radius_m } => {
            let p = point.to_datum(center.datum);
            (
                haversine_m(center.lat, center.lng, p.lat, p.lng) - radius_m,
                center.datum,
            )
        }
        Fence::Polygon { boundary } => {
            let p = point.to_datum(boundary.datum);
            (
                polygon_signed_distance_m(&boundary.polygons, p.lat, p.lng),
                boundary.datum,
            )
        }
    }
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// Checks that apply whatever the post: mock, age, speed, skew. Returns
/// (reasons, flags, evidence, forced verdict if any).
fn common_checks(
    fix: Option<&Fix>,
    previous: Option<&Fix>,
    at: DeviceInstant,
    server_time: Option<DateTime<Utc>>,
    policy: &ClockInPolicy,
    out: &mut ClockInDecision,
) {
    let (reasons, flags, ev) = (&mut out.reasons, &mut out.flags, &mut out.evidence);
    if let Some(server) = server_time {
        let skew = (at.wall - server).num_milliseconds() as f64 / 1000.0;
        ev.clock_skew_s = Some(skew);
        if skew.abs() > policy.max_clock_skew_s {
            push(reasons, Reason::ClockSkew);
            push(flags, Flag::ClockSkew);
        }
    }
    let Some(fix) = fix else { return };
    if !fix.is_valid() {
        push(reasons, Reason::InvalidFix);
        return;
    }
    ev.accuracy_m = Some(fix.accuracy_m);
    if fix.is_mock {
        push(reasons, Reason::MockLocation);
        push(flags, Flag::MockLocation);
    }
    let age = seconds_between((fix.wall_time, fix.elapsed_ms), (at.wall, at.elapsed_ms));
    ev.fix_age_s = Some(age);
    if age < 0.0 {
        push(reasons, Reason::FixAfterPunch);
    } else if age > policy.max_fix_age_s {
        push(reasons, Reason::StaleFix);
    }
    if let Some(s) = fix.speed_mps {
        let kmh = s * 3.6;
        ev.reported_speed_kmh = Some(kmh);
        if kmh > policy.max_speed_kmh {
            push(reasons, Reason::ImpossibleSpeed);
            push(flags, Flag::ImpossibleSpeed);
        }
    }
    if let Some(prev) = previous.filter(|p| p.is_valid()) {
        let dt = seconds_between(
            (prev.wall_time, prev.elapsed_ms),
            (fix.wall_time, fix.elapsed_ms),
        );
        if let (Some(a), Some(b)) = (prev.point(), fix.point())
            && dt >= 0.0
        {
            let moved = (a.distance_m(b) - prev.accuracy_m - fix.accuracy_m).max(0.0);
            let kmh = moved / dt.max(0.001) * 3.6;
            ev.speed_kmh = Some(kmh);
            if kmh > policy.max_speed_kmh {
                push(reasons, Reason::ImpossibleSpeed);
                push(flags, Flag::ImpossibleSpeed);
            }
        }
    }
}

/// Folds the reasons into the final verdict, starting from the geometric one.
fn final_verdict(geometric: Verdict, reasons: &[Reason]) -> Verdict {
    let has = |r| reasons.contains(&r);
    let unusable = has(Reason::InvalidFix)
        || has(Reason::NoFix)
        || has(Reason::AccuracyTooPoor)
        || has(Reason::StaleFix)
        || has(Reason::FixAfterPunch);
    let jumped = has(Reason::ImpossibleSpeed) && geometric == Verdict::Inside;
    if has(Reason::MockLocation) {
        Verdict::Outside
    } else if unusable || jumped {
        Verdict::Uncertain
    } else {
        geometric
    }
}

/// The clock-in decision for a fence. Pure and deterministic: the phone and
/// the server get the same answer from the same inputs. See the module notes
/// for the rules.
///
/// * `previous`: the volunteer's previous fix, for the speed check;
/// * `at`: the device's clocks at the punch, for the fix age and skew;
/// * `server_time`: the server's time at that moment, when known.
pub fn decide(
    fence: &Fence,
    fix: &Fix,
    previous: Option<&Fix>,
    at: DeviceInstant,
    server_time: Option<DateTime<Utc>>,
    policy: &ClockInPolicy,
) -> ClockInDecision {
    let mut out = ClockInDecision::empty();
    common_checks(Some(fix), previous, at, server_time, policy, &mut out);
    let (reasons, ev) = (&mut out.reasons, &mut out.evidence);
    let mut geometric = Verdict::Uncertain;
    if let Some(point) = fix.point().filter(|_| fix.is_valid()) {
        let (d, datum) = fence_signed_distance_m(fence, point);
        ev.compared_in = Some(datum);
        ev.signed_distance_m = Some(d);
        match policy.margin_for(fix.accuracy_m) {
            None => push(reasons, Reason::AccuracyTooPoor),
            Some(m) => {
                ev.margin_m = Some(m);
                geometric = if d <= 0.0 {
                    push(reasons, Reason::InsideFence);
                    Verdict::Inside
                } else if d <= m {
                    push(reasons, Reason::WithinMargin);
                    Verdict::Inside
                } else if d <= fix.accuracy_m {
                    push(reasons, Reason::PartialOverlap);
                    Verdict::Uncertain
                } else {
                    push(reasons, Reason::OutsideFence);
                    Verdict::Outside
                };
            }
        }
    }
    out.verdict = final_verdict(geometric, &out.reasons);
    out
}

/// The decision at a hotline desk (no fence): `Inside` by rule (reason
/// [`Reason::NoFence`]) unless the fix, when given, is mocked, stale or
/// moving impossibly fast, or the clock is skewed: the same checks as
/// [`decide`] except the geometry.
pub fn decide_without_fence(
    fix: Option<&Fix>,
    previous: Option<&Fix>,
    at: DeviceInstant,
    server_time: Option<DateTime<Utc>>,
    policy: &ClockInPolicy,
) -> ClockInDecision {
    let mut out = ClockInDecision::empty();
    out.reasons.push(Reason::NoFence);
    common_checks(fix, previous, at, server_time, policy, &mut out);
    out.verdict = final_verdict(Verdict::Inside, &out.reasons);
    out
}

#[cfg(test)]
mod tests;
