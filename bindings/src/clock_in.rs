//! Clock-in at a duty post (签到/签退) with GPS geofencing: the phone
//! decides with the core's rules (the server re-checks with the same code),
//! keeps the punch in the outbox and delivers it when online. The shell
//! passes the platform's fix (Android `Location` with `isMock()`, iOS
//! `CLLocation`) and both of its clocks; the GPS chip itself is the shell's.

use chrono::{DateTime, Utc};
use lawcircle_core::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use lawcircle_core::volunteers::clock_in::{self, ClockInPolicy, DeviceInstant, Fix, Provider};
use lawcircle_core::volunteers::punch::{self, Punch};

use crate::client::LawCircleClient;
use crate::{Datum, LawCircleError, Point};

/// Where a fix came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FixSource {
    Gps,
    Network,
    Fused,
    Passive,
    Unknown,
}

impl From<FixSource> for Provider {
    fn from(s: FixSource) -> Self {
        match s {
            FixSource::Gps => Provider::Gps,
            FixSource::Network => Provider::Network,
            FixSource::Fused => Provider::Fused,
            FixSource::Passive => Provider::Passive,
            FixSource::Unknown => Provider::Unknown,
        }
    }
}

/// A location fix as the platform reports it.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct GpsFix {
    pub lat: f64,
    pub lng: f64,
    /// Phones report WGS-84; a Chinese map SDK's fix is GCJ-02.
    pub datum: Datum,
    /// Horizontal accuracy in metres.
    pub accuracy_m: f64,
    pub source: FixSource,
    /// Android `Location.isMock()`; iOS `sourceInformation.isSimulatedBySoftware`.
    pub is_mock: bool,
    /// The device's wall clock when the fix was taken (ms since the epoch).
    pub wall_time_ms: i64,
    /// The device's monotonic clock when the fix was taken (ms since boot).
    pub elapsed_ms: u64,
    pub speed_mps: Option<f64>,
}

/// The device's two clocks read together (when the volunteer taps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct DeviceTime {
    pub wall_ms: i64,
    pub elapsed_ms: u64,
}

/// Clock in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PunchKind {
    /// 签到
    In,
    /// 签退
    Out,
}

/// The geometric outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FenceVerdict {
    Inside,
    Outside,
    /// Too close to call (accuracy disc overlaps the fence, no fix, poor
    /// accuracy): accepted for review by station staff.
    Uncertain,
}

/// The decision on a punch, as the phone shows it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClockInCheck {
    pub verdict: FenceVerdict,
    /// Why, as codes (e.g. `inside_fence`, `outside_fence`, `mock_location`,
    /// `outside_shift`).
    pub reasons: Vec<String>,
    /// Facts that raise a warning for staff (e.g. `mock_location`).
    pub flags: Vec<String>,
    /// Distance from the fix to the fence, negative inside.
    pub distance_to_fence_m: Option<f64>,
    /// How far outside the fence the fix's accuracy still allows.
    pub margin_m: Option<f64>,
    /// Whether the punch falls in one of the post's shifts.
    pub in_shift: bool,
}

/// A punch made and queued for delivery.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PunchReceipt {
    pub punch_id: String,
    /// The outbox entry delivering it.
    pub outbox_key: String,
    pub check: ClockInCheck,
    /// Made without a connection to the server.
    pub offline: bool,
}

/// A duty post (值守点位) as the clock-in screen lists it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DutyPostInfo {
    pub id: String,
    pub name: String,
    pub street_code: String,
    /// A hotline desk has no fence: clock-in is by shift only.
    pub hotline_desk: bool,
    /// The fence's centre (a circle's centre, a polygon's vertex average).
    pub center: Option<Point>,
    /// From the given position to the fence, negative inside.
    pub distance_to_fence_m: Option<f64>,
}

fn ms_to_utc(field: &str, ms: i64) -> Result<DateTime<Utc>, LawCircleError> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .ok_or_else(|| LawCircleError::invalid(field, "is not a valid time"))
}

impl GpsFix {
    fn to_core(self) -> Result<Fix, LawCircleError> {
        // The coordinates themselves are judged by the decision (an invalid
        // fix is a reason, recorded), but not NaN accuracy.
        if !self.accuracy_m.is_finite() || self.accuracy_m < 0.0 {
            return Err(LawCircleError::invalid(
                "fix.accuracy_m",
                "must be a non-negative number",
            ));
        }
        Ok(Fix {
            lat: self.lat,
            lng: self.lng,
            datum: self.datum.into(),
            accuracy_m: self.accuracy_m,
            provider: self.source.into(),
            is_mock: self.is_mock,
            wall_time: ms_to_utc("fix.wall_time_ms", self.wall_time_ms)?,
            elapsed_ms: self.elapsed_ms,
            speed_mps: self.speed_mps,
        })
    }
}

impl DeviceTime {
    fn to_core(self) -> Result<DeviceInstant, LawCircleError> {
        Ok(DeviceInstant {
            wall: ms_to_utc("at.wall_ms", self.wall_ms)?,
            elapsed_ms: self.elapsed_ms,
        })
    }
}

fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn check_of(e: &punch::Evaluation) -> ClockInCheck {
    let d = &e.decision;
    ClockInCheck {
        verdict: match d.verdict {
            clock_in::Verdict::Inside => FenceVerdict::Inside,
            clock_in::Verdict::Outside => FenceVerdict::Outside,
            clock_in::Verdict::Uncertain => FenceVerdict::Uncertain,
        },
        reasons: d.reasons.iter().map(code).collect(),
        flags: d.flags.iter().map(code).collect(),
        distance_to_fence_m: d.evidence.signed_distance_m,
        margin_m: d.evidence.margin_m,
        in_shift: e.shift.is_some(),
    }
}

fn center(post: &DutyPost) -> Option<Point> {
    match &post.kind {
        DutyPostKind::Station {
            fence: Fence::Circle { center, .. },
        } => Some((*center).into()),
        DutyPostKind::Station {
            fence: Fence::Polygon { boundary },
        } => {
            // The average of the first outer ring's vertices (the closing
            // vertex repeats the first): enough to pin the post on a map.
            let ring = boundary.polygons.first()?.first()?;
            let open = &ring[..ring.len().saturating_sub(1)];
            if open.is_empty() {
                return None;
            }
            let n = open.len() as f64;
            let (lng, lat) = open
                .iter()
                .fold((0.0, 0.0), |(x, y), [lng, lat]| (x + lng, y + lat));
            lawcircle_core::geo::coord::GeoPoint::new(lat / n, lng / n, boundary.datum)
                .ok()
                .map(Into::into)
        }
        DutyPostKind::HotlineDesk { .. } => None,
    }
}

impl LawCircleClient {
    fn post(&self, post_id: &str) -> Result<DutyPost, LawCircleError> {
        self.inner
            .offline
            .duty_posts()?
            .into_iter()
            .find(|p| p.id == post_id && !p.retired)
            .ok_or_else(|| {
                LawCircleError::invalid(
                    "post_id",
                    format!("no duty post {post_id} on the phone: refresh the catalogue"),
                )
            })
    }

    fn previous_fix(&self) -> Option<Fix> {
        self.inner.last_fix.lock().ok().and_then(|f| f.clone())
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// The duty posts on the phone, nearest first when `near` is given.
    pub fn duty_posts(&self, near: Option<Point>) -> Result<Vec<DutyPostInfo>, LawCircleError> {
        let near = near
            .map(lawcircle_core::geo::coord::GeoPoint::try_from)
            .transpose()?;
        let mut out: Vec<DutyPostInfo> = self
            .inner
            .offline
            .duty_posts()?
            .iter()
            .filter(|p| !p.retired)
            .map(|p| DutyPostInfo {
                id: p.id.clone(),
                name: p.name.clone(),
                street_code: p.street_code.clone(),
                hotline_desk: matches!(p.kind, DutyPostKind::HotlineDesk { .. }),
                center: center(p),
                distance_to_fence_m: match (&p.kind, near) {
                    (DutyPostKind::Station { fence }, Some(at)) => {
                        Some(clock_in::fence_signed_distance_m(fence, at).0)
                    }
                    _ => None,
                },
            })
            .collect();
        if near.is_some() {
            out.sort_by(|a, b| {
                let key = |p: &DutyPostInfo| p.distance_to_fence_m.unwrap_or(f64::INFINITY);
                key(a).total_cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
            });
        }
        Ok(out)
    }

    /// What clocking in at `post_id` with `fix` now would decide, without
    /// punching (for the screen's live "inside / outside" state).
    pub fn check_clock_in(
        &self,
        post_id: String,
        fix: Option<GpsFix>,
        at: DeviceTime,
    ) -> Result<ClockInCheck, LawCircleError> {
        let post = self.post(&post_id)?;
        let fix = fix.map(GpsFix::to_core).transpose()?;
        let previous = self.previous_fix();
        let e = punch::evaluate(
            &post,
            at.to_core()?,
            fix.as_ref(),
            previous.as_ref(),
            None,
            &ClockInPolicy::default(),
        );
        Ok(check_of(&e))
    }

    /// Clocks in or out at `post_id`: decides on the phone, keeps the punch
    /// in the outbox (durable before this returns) and delivers it with the
    /// next sync; the server re-checks with the same rules. A punch outside
    /// the fence is still recorded (flagged for staff), never dropped.
    /// The database write runs off the caller's thread.
    pub async fn clock_in(
        &self,
        post_id: String,
        kind: PunchKind,
        fix: Option<GpsFix>,
        at: DeviceTime,
    ) -> Result<PunchReceipt, LawCircleError> {
        let client = LawCircleClient {
            inner: self.inner.clone(),
        };
        crate::runtime::run_blocking(move || client.clock_in_now(post_id, kind, fix, at)).await
    }
}

impl LawCircleClient {
    fn clock_in_now(
        &self,
        post_id: String,
        kind: PunchKind,
        fix: Option<GpsFix>,
        at: DeviceTime,
    ) -> Result<PunchReceipt, LawCircleError> {
        let account = self.inner.offline.account().ok_or_else(|| {
            LawCircleError::invalid(
                "credentials",
                "sign in once online before clocking in (the phone must know who you are)",
            )
        })?;
        let post = self.post(&post_id)?;
        let fix = fix.map(GpsFix::to_core).transpose()?;
        let previous = self.previous_fix();
        let offline = !self.is_online();
        let p = Punch::on_device(
            uuid::Uuid::now_v7().to_string(),
            account.id.to_string(),
            &post,
            match kind {
                PunchKind::In => punch::PunchKind::In,
                PunchKind::Out => punch::PunchKind::Out,
            },
            at.to_core()?,
            fix.clone(),
            previous.as_ref(),
            offline,
            None,
            &ClockInPolicy::default(),
        );
        let outbox_key = self.inner.outbox.enqueue_punch(&p)?;
        if let (Some(f), Ok(mut last)) = (fix, self.inner.last_fix.lock()) {
            *last = Some(f);
        }
        let check = check_of(&punch::Evaluation {
            decision: p.device_decision.clone(),
            shift: p.shift,
        });
        Ok(PunchReceipt {
            punch_id: p.id,
            outbox_key,
            check,
            offline,
        })
    }
}
