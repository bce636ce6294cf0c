//! `lawcircle-ffi`: the LawCircle core as the Kotlin (Android) and Swift
//! (iOS) shells see it, through UniFFI proc-macros.
//!
//! The surface is small and grows with the features: records cross as plain
//! data, errors as one small public enum with a reason. The Foundation
//! exposes the datum-aware point and distance rules, so the shells never
//! compare a GPS (WGS-84) fix with map (GCJ-02/BD-09) coordinates.
//!
//! Phone-side operations hang off one [`LawCircleClient`] (database path,
//! server URL, credentials). Its async methods run on a tokio runtime this
//! library owns ([`runtime`]), never on the caller's threads, so Kotlin
//! coroutines and Swift tasks only await a join handle. Listeners are
//! foreign traits; registering one returns a [`ListenerHandle`] that cancels
//! it.

use lawcircle_core::geo::coord::{self, GeoPoint};

mod attachments;
mod calculators;
mod client;
mod clock_in;
mod drafts;
mod error;
mod forms;
mod handling;
mod handoff;
mod http;
mod intake;
mod offline;
mod orders;
mod outbox;
mod push;
mod residents;
mod runtime;
mod schedule;
mod session_store;
mod types;
mod villages;
mod walking;

pub use calculators::{
    BreakdownLine, BreakdownLineKind, CALCULATOR_REGION, Calculator, CompensationBreakdown,
    Dependant, EnteredItems, InjuryOutcome, Language, ParameterUse, PersonalInjuryRequest,
    SeveranceRequest, Termination, TrafficAccidentRequest, WorkInjuryOutcome, WorkInjuryRequest,
    calculate_personal_injury, calculate_severance, calculate_traffic_accident,
    calculate_work_injury, calculator_years,
};
pub use client::{
    Account, ClientConfig, Connectivity, ConnectivityListener, Credentials, LawCircleClient,
    ListenerHandle, ServerHealth,
};
pub use clock_in::{
    ClockInCheck, DeviceTime, DutyPostInfo, FenceVerdict, FixSource, GpsFix, PunchKind,
    PunchReceipt,
};
pub use drafts::NeedFormDraft;
pub use error::LawCircleError;
pub use forms::{
    AnswerInput, DocumentNeeded, FormAnswer, FormChoice, FormFieldSpec, FormWidget, LEGAL_AID_CODE,
    LegalAidAssessment, ServiceForm,
};
pub use handling::{DutyHours, DutySession, OrderAttachment, OrderDetail};
pub use handoff::{MapApp, MapHandoff, MobilePlatform, map_handoffs};
pub use http::{
    HttpError, HttpHeader, HttpMethod, HttpRequest, HttpResponse, HttpStreamReceiver,
    HttpTransport, RustTransport,
};
pub use intake::{
    ApplicationDocument, ApplicationInput, AttachmentInput, FieldProblem, NeedCategoryInfo,
    NeedForm, NeedStatus, NeedStep, need_categories,
};
pub use lawcircle_api::needs::NeedStepKind;
pub use lawcircle_core::applications::{DocumentKind, Verdict};
pub use lawcircle_core::authz::Role;
pub use lawcircle_core::catalogue::facility::{FacilityKind, ServiceProduct};
pub use lawcircle_core::needs::{Channel, NeedCategory, Urgency};
pub use lawcircle_core::orders::order::{OrderKind, OrderState};
pub use offline::{
    NearbyPlace, NearbyQuery, NetworkInfo, OfflineStatus, ProductCoverage, SpotCoverage,
};
pub use orders::{OrderListener, OrderSummary, RequesterContact};
pub use outbox::{
    OutboxChange, OutboxCounts, OutboxEntry, OutboxKind, OutboxListener, OutboxState, SyncReport,
};
pub use residents::{QrMatrix, RatingLink, SmsCodePurpose, SmsCodeSent};
pub use runtime::CancelToken;
pub use schedule::{OpeningDay, OpeningSchedule, opening_schedule};
pub use session_store::{
    SessionStore, StoredSession, decode_stored_session, encode_stored_session,
};
pub use types::legal_aid_service_code;
pub use villages::{VILLAGE_MAX_DISTANCE_M, Village};

uniffi::setup_scaffolding!();

/// A geodetic datum (坐标系).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum, serde::Serialize, serde::Deserialize)]
pub enum Datum {
    /// WGS-84: GPS, OpenStreetMap.
    Wgs84,
    /// GCJ-02: Amap/高德, Tencent.
    Gcj02,
    /// BD-09: Baidu.
    Bd09,
}

impl From<Datum> for coord::Datum {
    fn from(d: Datum) -> Self {
        match d {
            Datum::Wgs84 => coord::Datum::Wgs84,
            Datum::Gcj02 => coord::Datum::Gcj02,
            Datum::Bd09 => coord::Datum::Bd09,
        }
    }
}

impl From<coord::Datum> for Datum {
    fn from(d: coord::Datum) -> Self {
        match d {
            coord::Datum::Wgs84 => Datum::Wgs84,
            coord::Datum::Gcj02 => Datum::Gcj02,
            coord::Datum::Bd09 => Datum::Bd09,
        }
    }
}

/// A point with its datum.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
    pub datum: Datum,
}

impl TryFrom<Point> for GeoPoint {
    type Error = LawCircleError;

    fn try_from(p: Point) -> Result<Self, Self::Error> {
        GeoPoint::new(p.lat, p.lng, p.datum.into()).map_err(LawCircleError::from)
    }
}

impl From<GeoPoint> for Point {
    fn from(p: GeoPoint) -> Self {
        Point {
            lat: p.lat,
            lng: p.lng,
            datum: p.datum.into(),
        }
    }
}

/// The core library's version.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The same place in another datum.
#[uniffi::export]
pub fn convert_point(point: Point, to: Datum) -> Result<Point, LawCircleError> {
    let p: GeoPoint = point.try_into()?;
    Ok(p.to_datum(to.into()).into())
}

/// Great-circle distance in metres, each point converted from its own datum.
#[uniffi::export]
pub fn distance_m(a: Point, b: Point) -> Result<f64, LawCircleError> {
    let a: GeoPoint = a.try_into()?;
    let b: GeoPoint = b.try_into()?;
    Ok(a.distance_m(b))
}

/// How far one point is from another on foot, by the 15-minute-circle
/// standard (straight line until a walking network is loaded).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct WalkEstimate {
    pub distance_m: f64,
    /// At the standard walking speed, rounded up to whole minutes.
    pub minutes: u32,
    /// Within the 15-minute walk (1.2 km).
    pub within_circle: bool,
}

/// The distance from `a` to `b` as a walk, each point in its own datum.
#[uniffi::export]
pub fn walk_estimate(a: Point, b: Point) -> Result<WalkEstimate, LawCircleError> {
    let distance_m = distance_m(a, b)?;
    let minutes = (distance_m / lawcircle_core::WALKING_SPEED_M_PER_MIN).ceil();
    Ok(WalkEstimate {
        distance_m,
        // Bounded by half the Earth's circumference over the walking speed.
        minutes: minutes as u32,
        within_circle: distance_m <= lawcircle_core::FIFTEEN_MINUTE_WALK_M,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_measures_across_datums() {
        let gps = Point {
            lat: 27.93,
            lng: 120.82,
            datum: Datum::Wgs84,
        };
        let amap = convert_point(gps, Datum::Gcj02).unwrap();
        assert_eq!(amap.datum, Datum::Gcj02);
        assert!(distance_m(gps, amap).unwrap() < 0.01);
        let err = convert_point(
            Point {
                lat: 120.8,
                lng: 27.9,
                datum: Datum::Wgs84,
            },
            Datum::Gcj02,
        )
        .unwrap_err();
        assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "lat"));
    }

    #[test]
    fn walks_are_measured_against_the_fifteen_minute_circle() {
        let a = Point {
            lat: 27.93,
            lng: 120.82,
            datum: Datum::Wgs84,
        };
        let near = Point {
            lat: 27.93 + 1000.0 / 111_195.0,
            ..a
        };
        let w = walk_estimate(a, near).unwrap();
        assert!((w.distance_m - 1000.0).abs() < 1.0, "{w:?}");
        assert_eq!(w.minutes, 13);
        assert!(w.within_circle);
        let far = Point {
            lat: 27.93 + 1300.0 / 111_195.0,
            ..a
        };
        assert!(!walk_estimate(a, far).unwrap().within_circle);
    }
}
