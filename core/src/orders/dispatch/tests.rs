use super::*;
use crate::geo::coord::Datum;
use crate::volunteers::clock_in::{ClockInPolicy, DeviceInstant, Fix, Provider};
use chrono::TimeZone;

fn duty() -> Option<OnDuty> {
    Some(OnDuty {
        post_id: "P1".into(),
        since: Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap(),
        place: GeoPoint::wgs84(27.93, 120.815).ok(),
        place_source: Some(PlaceSource::DutyPost),
    })
}

fn walk(m: f64) -> Option<Measure> {
    Some(Measure::Known(Distance {
        metres: m,
        basis: DistanceBasis::Walking,
    }))
}

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
        on_duty: duty(),
        distance: d.and_then(walk),
        current_load: load,
        mean_rating: rating,
        stars: 0,
    }
}

fn labour() -> OfferRequest {
    OfferRequest::within_walk("consultation", Some("labour"), "S1")
}

#[test]
fn offer_eligibility() {
    let req = labour();
    let ok = cand("a", &["labour"], "S1", Some(800.0), 0, None);
    assert!(ineligibility(&ok, &req).is_empty());
    let general = cand("g", &[GENERAL], "S1", Some(1200.0), 0, None);
    assert!(ineligibility(&general, &req).is_empty(), "1.2 km is within");
    let mut lent = cand("l", &["labour"], "S2", Some(100.0), 0, None);
    assert_eq!(ineligibility(&lent, &req), vec![Ineligible::OtherStreet]);
    lent.lent_to_street_codes = vec!["S1".into()];
    assert!(ineligibility(&lent, &req).is_empty());
    let far = cand("f", &["marriage_family"], "S2", Some(1201.0), 0, None);
    assert_eq!(
        ineligibility(&far, &req),
        vec![
            Ineligible::NoSpecialtyMatch,
            Ineligible::OtherStreet,
            Ineligible::TooFar
        ]
    );
    let mut off = cand("o", &["labour"], "S1", None, 0, None);
    off.on_duty = None;
    assert_eq!(ineligibility(&off, &req), vec![Ineligible::OffDuty]);
    let unknown = cand("u", &["labour"], "S1", None, 0, None);
    assert_eq!(
        ineligibility(&unknown, &req),
        vec![Ineligible::DistanceUnknown]
    );
    let mut beyond = cand("b", &["labour"], "S1", None, 0, None);
    beyond.distance = Some(Measure::Beyond { limit_m: 1200.0 });
    assert_eq!(ineligibility(&beyond, &req), vec![Ineligible::TooFar]);
    let all = [ok, general, lent, off, unknown, beyond];
    let ids: Vec<_> = eligible_for_offer(&all, &req)
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, vec!["a", "g", "l"]);
    // Without a named subject the category decides: a mediation takes
    // a neighbour-dispute mediator, not a criminal defender.
    let med = OfferRequest::within_walk("mediation", None, "S1");
    assert!(ineligibility(&cand("n", &["neighbour"], "S1", Some(1.0), 0, None), &med).is_empty());
    assert_eq!(
        ineligibility(
            &cand("c", &["criminal_defence"], "S1", Some(1.0), 0, None),
            &med
        ),
        vec![Ineligible::NoSpecialtyMatch]
    );
}

#[test]
fn known_ranking_with_reasons() {
    let w = ScoringWeights::default();
    let mut cs = vec![
        // 35 + 30×(1−600/2400)=22.5 + 15/(1+1)=7.5 + 10×(4−1)/4=7.5 + 0 = 72.5
        cand("a", &["labour"], "S1", Some(600.0), 1, Some(4.0)),
        // 35 + 30×(1−1200/2400)=15 + 15 + 10 + 10×3/5=6 = 81
        cand("b", &["labour"], "S1", Some(1200.0), 0, Some(5.0)),
        // 0 + 30 + 15 + 10 + 0 = 55 (no specialty)
        cand("c", &["marriage_family"], "S1", Some(0.0), 0, Some(5.0)),
        // 35 + 0 (3 km) + 15/(1+3)=3.75 + neutral 5 + 0 = 43.75
        cand("d", &["labour"], "S1", Some(3000.0), 3, None),
        // Same as "a" but id sorts later: 72.5, tie broken by id.
        cand("e", &["labour"], "S1", Some(600.0), 1, Some(4.0)),
    ];
    cs[1].stars = 3;
    let s = suggest(&cs, &labour(), &w);
    let got: Vec<(&str, f64)> = s
        .iter()
        .map(|x| (x.candidate_id.as_str(), x.score))
        .collect();
    assert_eq!(
        got,
        vec![
            ("b", 81.0),
            ("a", 72.5),
            ("e", 72.5),
            ("c", 55.0),
            ("d", 43.75)
        ]
    );
    assert_eq!(s[0].rank, 1);
    assert_eq!(s[3].parts.specialty, 0.0);
    // Each factor with its points and its reason.
    let b = &s[0].factors;
    assert_eq!(b.len(), 5);
    assert_eq!(b[0].reason_zh, "专长匹配：劳动争议");
    assert_eq!(b[1].points, 15.0);
    assert_eq!(b[1].reason_zh, "距需求地点步行 1200 米（路网）");
    assert_eq!(b[4].points, 6.0);
    assert_eq!(b[4].reason_en, "3 star(s)");
    assert_eq!(s[4].ineligible, vec![Ineligible::TooFar]);
    let mut off = cand("x", &["labour"], "S1", None, 0, None);
    off.on_duty = None;
    let s = suggest(&[off], &labour(), &w);
    assert_eq!(s[0].factors[1].reason_en, "not clocked in: place unknown");
    assert_eq!(s[0].ineligible, vec![Ineligible::OffDuty]);
}

#[test]
fn ties_prefer_specialty_then_distance_then_load() {
    let w = ScoringWeights {
        specialty: 30.0,
        distance: 30.0,
        load: 0.0,
        rating: 0.0,
        stars: 0.0,
        distance_horizon_m: 2400.0,
        max_stars: 5,
    };
    let x = cand("y-first-by-id", &["labour"], "S1", Some(2400.0), 0, None);
    let y = cand("a", &["contract"], "S1", Some(0.0), 0, None);
    let s = suggest(&[y, x], &labour(), &w);
    assert_eq!(s[0].candidate_id, "y-first-by-id");
    let near = cand("z", &["labour"], "S1", Some(2500.0), 5, None);
    let far = cand("b", &["labour"], "S1", Some(9000.0), 0, None);
    let unknown = cand("a", &["labour"], "S1", None, 0, None);
    let s = suggest(&[unknown, far, near], &labour(), &w);
    let ids: Vec<_> = s.iter().map(|x| x.candidate_id.as_str()).collect();
    assert_eq!(ids, vec!["z", "b", "a"]);
}

fn post(id: &str, lat: f64, lng: f64) -> DutyPost {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": id, "street_code": "S1", "retired": false,
        "kind": {"type": "station", "fence": {"type": "circle",
                 "center": {"lat": lat, "lng": lng, "datum": "wgs84"}, "radius_m": 100.0}},
        "shifts": {"weekly": "24/7", "exceptions": []}
    }))
    .unwrap()
}

fn punch(p: &DutyPost, who: &str, kind: PunchKind, at: DateTime<Utc>) -> Punch {
    let (lat, lng) = match &p.kind {
        DutyPostKind::Station {
            fence: Fence::Circle { center, .. },
        } => (center.lat, center.lng),
        _ => unreachable!(),
    };
    let inst = DeviceInstant {
        wall: at,
        elapsed_ms: 1_000_000,
    };
    let fix = Fix {
        lat,
        lng,
        datum: Datum::Wgs84,
        accuracy_m: 8.0,
        provider: Provider::Gps,
        is_mock: false,
        wall_time: at,
        elapsed_ms: 1_000_000,
        speed_mps: None,
    };
    let mut punch = Punch::on_device(
        format!("{who}-{at}"),
        who,
        p,
        kind,
        inst,
        Some(fix),
        None,
        false,
        None,
        &ClockInPolicy::default(),
    );
    punch.reevaluate_on_server(p, None, Some(at), at, &ClockInPolicy::default());
    punch
}

#[test]
fn on_duty_is_an_open_clock_in() {
    let t0 = Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap();
    let h = chrono::Duration::hours(1);
    let posts = vec![post("P1", 27.93, 120.815), post("P2", 27.95, 120.815)];
    let mut away = punch(&posts[0], "v4", PunchKind::In, t0);
    away.fix.as_mut().unwrap().lat += 0.01; // 1.1 km north
    away.reevaluate_on_server(&posts[0], None, Some(t0), t0, &ClockInPolicy::default());
    let ps = vec![
        away,
        punch(&posts[0], "v1", PunchKind::In, t0),
        punch(&posts[0], "v2", PunchKind::In, t0),
        punch(&posts[0], "v2", PunchKind::Out, t0 + h),
        punch(&posts[1], "v3", PunchKind::In, t0),
    ];
    let d = on_duty(&ps, &posts, "v1", t0 + h).unwrap();
    assert_eq!(d.post_id, "P1");
    assert_eq!(d.place_source, Some(PlaceSource::DutyPost));
    assert!(
        on_duty(&ps, &posts, "v2", t0 + h * 2).is_none(),
        "clocked out"
    );
    assert!(on_duty(&ps, &posts, "nobody", t0 + h).is_none());
    assert!(
        on_duty(&ps, &posts, "v4", t0 + h).is_none(),
        "a clock-in outside the fence is not duty"
    );
    assert_eq!(on_duty(&ps, &posts, "v3", t0 + h).unwrap().post_id, "P2");
    // A clock-in left open past the session limit is not duty.
    assert!(on_duty(&ps, &posts, "v1", t0 + h * 17).is_none());
}

#[test]
fn distances_without_network_are_straight_times_detour() {
    let a = GeoPoint::wgs84(27.93, 120.815).unwrap();
    let b = GeoPoint::wgs84(27.934, 120.815).unwrap();
    let m = distances_from(None, a, &[b], 1000.0);
    match m[0] {
        Measure::Known(d) => {
            assert!((d.metres - a.distance_m(b) * 1.3).abs() < 1e-6);
            assert_eq!(
                d.basis,
                DistanceBasis::StraightLineTimesDetour { factor: 1.3 }
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn distances_on_a_network_walk_and_stop_at_the_limit() {
    // A straight street north–south, 0.001° of latitude ≈ 111 m apart.
    let nodes: Vec<(f64, f64)> = (0..40)
        .map(|i| (27.9 + 0.001 * f64::from(i), 120.8))
        .collect();
    let edges: Vec<(u32, u32)> = (0..39).map(|i| (i, i + 1)).collect();
    let net = WalkingNetwork::from_edges(&nodes, &edges).unwrap();
    net.prepare_snapping();
    let a = GeoPoint::wgs84(27.9, 120.8).unwrap();
    let near = GeoPoint::wgs84(27.904, 120.8).unwrap();
    let far = GeoPoint::wgs84(27.935, 120.8).unwrap();
    let m = distances_from(Some(&net), a, &[near, far], 1000.0);
    match m[0] {
        Measure::Known(d) => {
            assert_eq!(d.basis, DistanceBasis::Walking);
            assert!((d.metres - a.distance_m(near)).abs() < 2.0, "{d:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m[1], Measure::Beyond { limit_m: 1000.0 });
}
