use super::*;
use crate::geo::geometry::Boundary;
use chrono::TimeZone;
use geo::{Contains, Distance, Euclidean, LineString, Point};
use proptest::prelude::*;

/// A spot in Longwan (WGS-84).
const LAT: f64 = 27.93;
const LNG: f64 = 120.82;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 1, 0, 0).unwrap()
}

/// Moves `north_m` / `east_m` from a point on the local plane.
fn offset(lat: f64, lng: f64, north_m: f64, east_m: f64) -> (f64, f64) {
    (
        lat + north_m / M_PER_DEG,
        lng + east_m / (M_PER_DEG * lat.to_radians().cos()),
    )
}

fn fix_at(lat: f64, lng: f64, datum: Datum, accuracy_m: f64) -> Fix {
    Fix {
        lat,
        lng,
        datum,
        accuracy_m,
        provider: Provider::Gps,
        is_mock: false,
        wall_time: t0(),
        elapsed_ms: 1_000_000,
        speed_mps: None,
    }
}

/// The punch, 5 s after the fix.
fn at() -> DeviceInstant {
    DeviceInstant {
        wall: t0() + chrono::Duration::seconds(5),
        elapsed_ms: 1_005_000,
    }
}

fn run(fence: &Fence, fix: &Fix) -> ClockInDecision {
    decide(fence, fix, None, at(), None, &ClockInPolicy::default())
}

fn circle(lat: f64, lng: f64, r: f64) -> Fence {
    Fence::circle(GeoPoint::wgs84(lat, lng).unwrap(), r).unwrap()
}

fn square(lat: f64, lng: f64, half_m: f64) -> Vec<[f64; 2]> {
    let (s, w) = offset(lat, lng, -half_m, -half_m);
    let (n, e) = offset(lat, lng, half_m, half_m);
    vec![[w, s], [e, s], [e, n], [w, n], [w, s]]
}

/// A 1 km square with a 300 m square hole in the middle.
fn holed(lat: f64, lng: f64, datum: Datum) -> Fence {
    Fence::Polygon {
        boundary: Boundary::new(
            datum,
            vec![vec![square(lat, lng, 500.0), square(lat, lng, 150.0)]],
        )
        .unwrap(),
    }
}

fn geo_verdicts(lat: f64, lng: f64, fence: &Fence) {
    // Inside, near the edge (within the margin), and far outside.
    let (a, b) = offset(lat, lng, 30.0, 0.0);
    let d = run(fence, &fix_at(a, b, Datum::Wgs84, 5.0));
    assert_eq!(d.verdict, Verdict::Inside, "{d:?}");
    assert_eq!(d.reasons, vec![Reason::InsideFence]);
    let (a, b) = offset(lat, lng, 100.0 + 40.0, 0.0);
    let d = run(fence, &fix_at(a, b, Datum::Wgs84, 5.0));
    assert_eq!(d.verdict, Verdict::Inside, "{d:?}");
    assert_eq!(d.reasons, vec![Reason::WithinMargin]);
    let (a, b) = offset(lat, lng, 0.0, -400.0);
    let d = run(fence, &fix_at(a, b, Datum::Wgs84, 5.0));
    assert_eq!(d.verdict, Verdict::Outside, "{d:?}");
}

#[test]
fn circle_inside_margin_outside_in_all_hemispheres() {
    for (lat, lng) in [
        (LAT, LNG),
        (-33.8688, 151.2093), // Sydney: south, east
        (40.7128, -74.0060),  // New York: north, west
        (-34.6037, -58.3816), // Buenos Aires: south, west
    ] {
        geo_verdicts(lat, lng, &circle(lat, lng, 100.0));
    }
}

#[test]
fn circle_edges_are_exact() {
    let fence = circle(LAT, LNG, 100.0);
    // On the boundary: inside.
    let (a, b) = offset(LAT, LNG, 100.0, 0.0);
    let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 5.0));
    assert!(d.evidence.signed_distance_m.unwrap().abs() < 1e-6);
    assert_eq!(d.verdict, Verdict::Inside);
    // Margin edge for a 10 m fix: +50 m.
    let (a, b) = offset(LAT, LNG, 149.99, 0.0);
    assert_eq!(
        run(&fence, &fix_at(a, b, Datum::Wgs84, 10.0)).verdict,
        Verdict::Inside
    );
    let (a, b) = offset(LAT, LNG, 150.01, 0.0);
    let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 10.0));
    assert_eq!(d.verdict, Verdict::Outside);
    assert_eq!(d.evidence.margin_m, Some(50.0));
}

#[test]
fn fence_across_the_antimeridian() {
    let fence = circle(-17.0, 179.9995, 100.0);
    let d = run(&fence, &fix_at(-17.0, -179.9999, Datum::Wgs84, 5.0));
    assert_eq!(d.verdict, Verdict::Inside, "{d:?}");
}

#[test]
fn polygon_with_hole_in_all_hemispheres() {
    for (lat, lng) in [
        (LAT, LNG),
        (-33.8688, 151.2093),
        (40.7128, -74.0060),
        (-34.6037, -58.3816),
    ] {
        let fence = holed(lat, lng, Datum::Wgs84);
        // In the ring between the hole and the outer edge.
        let (a, b) = offset(lat, lng, 300.0, 0.0);
        let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 5.0));
        assert_eq!(d.verdict, Verdict::Inside, "{d:?}");
        assert!((d.evidence.signed_distance_m.unwrap() + 150.0).abs() < 0.5);
        // In the middle of the hole: 150 m from any edge, outside.
        let d = run(&fence, &fix_at(lat, lng, Datum::Wgs84, 5.0));
        assert_eq!(d.verdict, Verdict::Outside, "{d:?}");
        assert!((d.evidence.signed_distance_m.unwrap() - 150.0).abs() < 0.5);
        // Inside the hole but within the margin of its edge.
        let (a, b) = offset(lat, lng, 110.0, 0.0);
        let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 5.0));
        assert_eq!(d.reasons, vec![Reason::WithinMargin]);
        // Beyond the outer edge.
        let (a, b) = offset(lat, lng, 0.0, 600.0);
        let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 5.0));
        assert_eq!(d.verdict, Verdict::Outside);
        // Exactly on the outer edge: inside.
        let (a, b) = offset(lat, lng, 0.0, 500.0);
        let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 5.0));
        assert_eq!(d.verdict, Verdict::Inside);
    }
}

#[test]
fn gcj02_circle_fence_with_wgs84_fix_where_naive_comparison_is_wrong() {
    // The post's centre as Amap gives it (GCJ-02), for a real spot.
    let spot = GeoPoint::wgs84(LAT, LNG).unwrap();
    let center = spot.to_datum(Datum::Gcj02);
    let fence = Fence::circle(center, 100.0).unwrap();
    // The volunteer stands on the spot; the phone reports WGS-84.
    let fix = fix_at(LAT, LNG, Datum::Wgs84, 5.0);
    let naive = haversine_m(center.lat, center.lng, fix.lat, fix.lng);
    assert!(naive > 150.0, "naive distance {naive} m would say Outside");
    let d = run(&fence, &fix);
    assert_eq!(d.verdict, Verdict::Inside, "{d:?}");
    assert_eq!(d.evidence.compared_in, Some(Datum::Gcj02));
    assert!(d.evidence.signed_distance_m.unwrap() < -99.0);
    // And the reverse: a WGS-84 fix whose raw numbers equal the GCJ-02
    // centre (naively at distance 0) is ~500 m away in truth.
    let fake = fix_at(center.lat, center.lng, Datum::Wgs84, 5.0);
    assert_eq!(run(&fence, &fake).verdict, Verdict::Outside);
}

#[test]
fn gcj02_polygon_fence_with_wgs84_fix() {
    let g = GeoPoint::wgs84(LAT, LNG).unwrap().to_datum(Datum::Gcj02);
    let fence = Fence::Polygon {
        boundary: Boundary::new(Datum::Gcj02, vec![vec![square(g.lat, g.lng, 100.0)]]).unwrap(),
    };
    let d = run(&fence, &fix_at(LAT, LNG, Datum::Wgs84, 5.0));
    assert_eq!(d.verdict, Verdict::Inside, "{d:?}");
    let naive = fix_at(g.lat, g.lng, Datum::Wgs84, 5.0);
    assert_eq!(run(&fence, &naive).verdict, Verdict::Outside);
}

#[test]
fn measuring_in_gcj02_distorts_distances_by_under_half_a_percent() {
    // Rule 3 of the module notes: distances in the fence's datum.
    let a = GeoPoint::wgs84(LAT, LNG).unwrap();
    for (n, e) in [(150.0, 0.0), (0.0, 150.0), (800.0, -600.0)] {
        let (la, ln) = offset(LAT, LNG, n, e);
        let b = GeoPoint::wgs84(la, ln).unwrap();
        let (ga, gb) = (a.to_datum(Datum::Gcj02), b.to_datum(Datum::Gcj02));
        let true_d = a.distance_m(b);
        let gcj_d = haversine_m(ga.lat, ga.lng, gb.lat, gb.lng);
        assert!(
            (gcj_d - true_d).abs() / true_d < 0.005,
            "{gcj_d} vs {true_d}"
        );
    }
}

#[test]
fn accuracy_bands_and_partial_overlap() {
    let fence = circle(LAT, LNG, 100.0);
    let p = ClockInPolicy::default();
    assert_eq!(p.margin_for(10.0), Some(50.0));
    assert_eq!(p.margin_for(10.001), Some(100.0));
    assert_eq!(p.margin_for(300.0), Some(100.0));
    assert_eq!(p.margin_for(300.001), None);
    // 11 m accuracy, 90 m outside: inside with the 100 m margin.
    let (a, b) = offset(LAT, LNG, 190.0, 0.0);
    assert_eq!(
        run(&fence, &fix_at(a, b, Datum::Wgs84, 11.0)).reasons,
        vec![Reason::WithinMargin]
    );
    // Worse than 300 m: Uncertain, even at the centre.
    let d = run(&fence, &fix_at(LAT, LNG, Datum::Wgs84, 300.5));
    assert_eq!(d.verdict, Verdict::Uncertain);
    assert!(d.reasons.contains(&Reason::AccuracyTooPoor));
    assert_eq!(
        run(&fence, &fix_at(LAT, LNG, Datum::Wgs84, 300.0)).verdict,
        Verdict::Inside
    );
    // 250 m accuracy, 200 m outside: beyond the margin but the disc
    // reaches the fence: Uncertain (partial overlap).
    let (a, b) = offset(LAT, LNG, 300.0, 0.0);
    let d = run(&fence, &fix_at(a, b, Datum::Wgs84, 250.0));
    assert_eq!(d.verdict, Verdict::Uncertain);
    assert_eq!(d.reasons, vec![Reason::PartialOverlap]);
    // 260 m outside with 250 m accuracy: the disc misses: Outside.
    let (a, b) = offset(LAT, LNG, 360.0, 0.0);
    assert_eq!(
        run(&fence, &fix_at(a, b, Datum::Wgs84, 250.0)).verdict,
        Verdict::Outside
    );
}

#[test]
fn mock_location_is_rejected_and_flagged() {
    let fence = circle(LAT, LNG, 100.0);
    let mut fix = fix_at(LAT, LNG, Datum::Wgs84, 3.0);
    fix.is_mock = true;
    let d = run(&fence, &fix);
    assert_eq!(d.verdict, Verdict::Outside);
    assert!(d.reasons.contains(&Reason::MockLocation));
    assert_eq!(d.flags, vec![Flag::MockLocation]);
}

#[test]
fn impossible_speed_is_flagged_and_jitter_is_not() {
    let fence = circle(LAT, LNG, 100.0);
    let p = ClockInPolicy::default();
    let fix = fix_at(LAT, LNG, Datum::Wgs84, 5.0);
    // 10 km away one minute earlier: 600 km/h.
    let (a, b) = offset(LAT, LNG, 10_000.0, 0.0);
    let mut prev = fix_at(a, b, Datum::Wgs84, 5.0);
    prev.elapsed_ms -= 60_000;
    prev.wall_time -= chrono::Duration::seconds(60);
    let d = decide(&fence, &fix, Some(&prev), at(), None, &p);
    assert_eq!(d.verdict, Verdict::Uncertain);
    assert_eq!(d.flags, vec![Flag::ImpossibleSpeed]);
    assert!((d.evidence.speed_kmh.unwrap() - 599.4).abs() < 1.0);
    // 2 km in ten minutes (12 km/h) is fine.
    let (a, b) = offset(LAT, LNG, 2_000.0, 0.0);
    let mut prev = fix_at(a, b, Datum::Wgs84, 5.0);
    prev.elapsed_ms -= 600_000;
    let d = decide(&fence, &fix, Some(&prev), at(), None, &p);
    assert_eq!(d.verdict, Verdict::Inside);
    assert!(d.flags.is_empty());
    // 30 m of jitter within one second, both fixes ±20 m: not a jump.
    let (a, b) = offset(LAT, LNG, 30.0, 0.0);
    let mut prev = fix_at(a, b, Datum::Wgs84, 20.0);
    prev.elapsed_ms -= 1_000;
    let mut fix20 = fix.clone();
    fix20.accuracy_m = 20.0;
    let d = decide(&fence, &fix20, Some(&prev), at(), None, &p);
    assert!(d.flags.is_empty(), "{d:?}");
    // A reported speed over the limit is flagged too.
    let mut fast = fix.clone();
    fast.speed_mps = Some(60.0);
    let d = decide(&fence, &fast, None, at(), None, &p);
    assert_eq!(d.flags, vec![Flag::ImpossibleSpeed]);
}

#[test]
fn stale_fix_is_uncertain_by_the_monotonic_clock() {
    let fence = circle(LAT, LNG, 100.0);
    let p = ClockInPolicy::default();
    let fix = fix_at(LAT, LNG, Datum::Wgs84, 5.0);
    let at_age = |s: u64| DeviceInstant {
        wall: t0(),
        elapsed_ms: fix.elapsed_ms + s,
    };
    let d = decide(&fence, &fix, None, at_age(120_000), None, &p);
    assert_eq!(d.verdict, Verdict::Inside);
    let d = decide(&fence, &fix, None, at_age(120_001), None, &p);
    assert_eq!(d.verdict, Verdict::Uncertain);
    assert!(d.reasons.contains(&Reason::StaleFix));
    // The user set the wall clock back an hour: the monotonic clock
    // still says the fix is 5 s old.
    let shifted = DeviceInstant {
        wall: t0() - chrono::Duration::hours(1),
        elapsed_ms: fix.elapsed_ms + 5_000,
    };
    assert_eq!(
        decide(&fence, &fix, None, shifted, None, &p).verdict,
        Verdict::Inside
    );
    // After a reboot (monotonic clock reset) the wall clock is used.
    let rebooted = DeviceInstant {
        wall: t0() + chrono::Duration::minutes(10),
        elapsed_ms: 30_000,
    };
    let d = decide(&fence, &fix, None, rebooted, None, &p);
    assert!(d.reasons.contains(&Reason::StaleFix));
    assert_eq!(d.evidence.fix_age_s, Some(600.0));
    // A fix "after" the punch is not evidence either.
    let before = DeviceInstant {
        wall: t0() - chrono::Duration::minutes(1),
        elapsed_ms: 10,
    };
    let d = decide(&fence, &fix, None, before, None, &p);
    assert!(d.reasons.contains(&Reason::FixAfterPunch));
    assert_eq!(d.verdict, Verdict::Uncertain);
}

#[test]
fn clock_skew_is_flagged_when_server_time_is_known() {
    let fence = circle(LAT, LNG, 100.0);
    let p = ClockInPolicy::default();
    let fix = fix_at(LAT, LNG, Datum::Wgs84, 5.0);
    let server = at().wall - chrono::Duration::seconds(300);
    let d = decide(&fence, &fix, None, at(), Some(server), &p);
    assert_eq!(d.verdict, Verdict::Inside);
    assert_eq!(d.flags, vec![Flag::ClockSkew]);
    assert_eq!(d.evidence.clock_skew_s, Some(300.0));
    let server = at().wall - chrono::Duration::seconds(120);
    assert!(
        decide(&fence, &fix, None, at(), Some(server), &p)
            .flags
            .is_empty()
    );
}

#[test]
fn server_time_is_bridged_over_the_monotonic_clock() {
    let punch = at();
    let sync = DeviceInstant {
        wall: punch.wall + chrono::Duration::hours(3),
        elapsed_ms: punch.elapsed_ms + 3_600_000,
    };
    let server_at_sync = t0() + chrono::Duration::hours(5);
    assert_eq!(
        estimate_server_time(punch, sync, server_at_sync),
        Some(server_at_sync - chrono::Duration::hours(1))
    );
    let rebooted = DeviceInstant {
        elapsed_ms: 1,
        ..sync
    };
    assert_eq!(estimate_server_time(punch, rebooted, server_at_sync), None);
}

#[test]
fn invalid_fix_and_hotline_desk() {
    let fence = circle(LAT, LNG, 100.0);
    let d = run(&fence, &fix_at(LAT, LNG, Datum::Wgs84, f64::NAN));
    assert_eq!(d.verdict, Verdict::Uncertain);
    assert_eq!(d.reasons, vec![Reason::InvalidFix]);
    let p = ClockInPolicy::default();
    let d = decide_without_fence(None, None, at(), None, &p);
    assert_eq!(d.verdict, Verdict::Inside);
    assert_eq!(d.reasons, vec![Reason::NoFence]);
    let mut mock = fix_at(LAT, LNG, Datum::Wgs84, 5.0);
    mock.is_mock = true;
    let d = decide_without_fence(Some(&mock), None, at(), None, &p);
    assert_eq!(d.verdict, Verdict::Outside);
}

#[test]
fn policy_validation_and_serde() {
    let p = ClockInPolicy::default();
    assert_eq!(p.validate(), Ok(()));
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<ClockInPolicy>(&json).unwrap(), p);
    let mut bad = p.clone();
    bad.accuracy_bands.reverse();
    assert_eq!(bad.validate(), Err(PolicyError::BadBand { index: 1 }));
    let mut bad = p.clone();
    bad.max_speed_kmh = 0.0;
    assert!(matches!(bad.validate(), Err(PolicyError::BadLimit { .. })));
    bad.accuracy_bands.clear();
    assert_eq!(bad.validate(), Err(PolicyError::NoBands));
    let d = run(
        &circle(LAT, LNG, 100.0),
        &fix_at(LAT, LNG, Datum::Wgs84, 5.0),
    );
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains(r#""verdict":"inside""#), "{json}");
    assert_eq!(serde_json::from_str::<ClockInDecision>(&json).unwrap(), d);
}

proptest! {
    /// The hand-rolled one-pass polygon distance agrees with `geo`
    /// (Euclidean distance to the rings on the same projection, and
    /// containment via `Boundary::contains`).
    #[test]
    fn polygon_distance_agrees_with_geo(n in -800.0f64..800.0, e in -800.0f64..800.0) {
        let fence = holed(LAT, LNG, Datum::Wgs84);
        let Fence::Polygon { boundary } = &fence else { unreachable!() };
        let (lat, lng) = offset(LAT, LNG, n, e);
        let d = polygon_signed_distance_m(&boundary.polygons, lat, lng);
        let kx = lat.to_radians().cos() * M_PER_DEG;
        let origin = Point::new(0.0, 0.0);
        let oracle = boundary.polygons[0]
            .iter()
            .map(|ring| {
                let ls: LineString<f64> = ring
                    .iter()
                    .map(|[x, y]| ((x - lng) * kx, (y - lat) * M_PER_DEG))
                    .collect::<Vec<_>>()
                    .into();
                Euclidean.distance(&origin, &ls)
            })
            .fold(f64::INFINITY, f64::min);
        prop_assert!((d.abs() - oracle).abs() < 1e-6);
        if oracle > 0.01 {
            let inside = boundary.contains(GeoPoint::wgs84(lat, lng).unwrap());
            prop_assert_eq!(d < 0.0, inside);
            let mp = boundary.to_geo_in(Datum::Wgs84);
            prop_assert_eq!(mp.contains(&Point::new(lng, lat)), inside);
        }
    }
}
