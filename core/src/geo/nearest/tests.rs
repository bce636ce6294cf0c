use super::*;
use crate::catalogue::facility::FacilityKind as K;
use crate::catalogue::facility::ServiceProduct as P;
use crate::catalogue::opening_hours::OpeningHours;
use crate::geo::coord::Datum;
use crate::test_support::{at_m, facility, grid};
use proptest::prelude::*;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn ids(r: &[NearbyFacility]) -> Vec<&str> {
    r.iter().map(|f| f.facility_id.as_str()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn nearest_k_equals_brute_force(
        pts in prop::collection::vec(
            (-5000.0f64..5000.0, -5000.0f64..5000.0, 0u8..=255, 0usize..13, prop::bool::weighted(0.1)),
            0..300),
        q in (-6000.0f64..6000.0, -6000.0f64..6000.0),
        k in 1usize..80,
        product in prop::option::of(0usize..8),
        kind in prop::option::of(0usize..13),
        radius in prop::option::of(100.0f64..8000.0),
    ) {
        let facilities: Vec<Facility> = pts.iter().enumerate().map(|(i, &(n, e, bits, kind, retired))| {
            let products: Vec<P> = P::ALL.iter().copied().filter(|p| bits & (1 << (*p as u8)) != 0).collect();
            let mut f = facility(&format!("f{i}"), K::ALL[kind], at_m(n, e), &products);
            f.retired = retired;
            f
        }).collect();
        let index = FacilityIndex::new(&facilities).unwrap();
        let mut query = NearestQuery::k_nearest(at_m(q.0, q.1), k);
        if let Some(p) = product { query = query.with_products([P::ALL[p]]); }
        if let Some(kd) = kind { query = query.with_kinds([K::ALL[kd]]); }
        query.max_distance_m = radius;
        let fast = index.nearest(&query, None).unwrap();
        let slow = index.nearest_linear(&query).unwrap();
        prop_assert_eq!(fast.len(), slow.len());
        for (a, b) in fast.iter().zip(&slow) {
            prop_assert!((a.straight_m - b.straight_m).abs() < 1e-6);
            // The same facility, unless two lie at the same distance.
            prop_assert!(a.facility_id == b.facility_id || (a.straight_m - b.straight_m).abs() < 1e-9,
                "{:?} vs {:?}", fast, slow);
        }
        // The walking path's lazy straight-line order (used with a
        // network) yields the same facilities, in the same order.
        let lazy: Vec<(u32, f64)> = index.candidates(&query, query.point.to_wgs84())
            .take_while(|&(_, s)| s <= query.max_distance_m.map_or(f64::INFINITY, |m| m / query.detour_factor))
            .take(k)
            .collect();
        prop_assert_eq!(lazy.len(), fast.len());
        for ((_, s), a) in lazy.iter().zip(&fast) {
            prop_assert!((s - a.straight_m).abs() < 1e-9);
        }
        for f in &fast {
            let fac = index.facility(&f.facility_id).unwrap();
            prop_assert!(!fac.retired);
            if let Some(p) = product { prop_assert!(fac.products.contains(&P::ALL[p])); }
        }
        // Within-radius without k returns all within the radius.
        if let Some(r) = radius {
            let all = index.nearest(&NearestQuery::within(at_m(q.0, q.1), r), None).unwrap();
            let all_slow = index.nearest_linear(&NearestQuery::within(at_m(q.0, q.1), r)).unwrap();
            prop_assert_eq!(all.len(), all_slow.len());
        }
    }
}

#[test]
fn filters_by_kind_product_and_retirement() {
    let mut retired = facility("old", K::ServiceCenter, at_m(0.0, 10.0), &P::ALL);
    retired.retired = true;
    let facilities = vec![
        retired,
        facility("firm", K::LawFirm, at_m(0.0, 100.0), &[P::Lawyer]),
        facility(
            "notary",
            K::NotaryOffice,
            at_m(0.0, 200.0),
            &[P::Notarization],
        ),
        facility("center", K::ServiceCenter, at_m(0.0, 300.0), &P::ALL),
    ];
    let index = FacilityIndex::new(&facilities).unwrap();
    let here = at_m(0.0, 0.0);
    let r = index
        .nearest(&NearestQuery::k_nearest(here, 10), None)
        .unwrap();
    assert_eq!(ids(&r), ["firm", "notary", "center"]);
    let r = index
        .nearest(
            &NearestQuery::k_nearest(here, 10).with_products([P::Notarization]),
            None,
        )
        .unwrap();
    assert_eq!(ids(&r), ["notary", "center"]);
    let r = index
        .nearest(
            &NearestQuery::k_nearest(here, 10).with_products([P::Notarization, P::Lawyer]),
            None,
        )
        .unwrap();
    assert_eq!(ids(&r), ["center"]);
    let r = index
        .nearest(
            &NearestQuery::k_nearest(here, 10).with_kinds([K::LawFirm, K::NotaryOffice]),
            None,
        )
        .unwrap();
    assert_eq!(ids(&r), ["firm", "notary"]);
    let r = index
        .nearest(&NearestQuery::within(here, 260.0), None)
        .unwrap();
    // 200 m straight × 1.3 = 260 m estimated walk.
    assert_eq!(ids(&r), ["firm", "notary"]);
}

#[test]
fn open_at_handles_overnight_spans_and_holidays() {
    let mut night = facility("night", K::SmartTerminal, at_m(0.0, 100.0), &[P::LegalAid]);
    night.opening_hours = OpeningHours::parse("Fr-Sa 20:00-02:00", "").unwrap();
    let mut office = facility(
        "office",
        K::LegalAidInstitution,
        at_m(0.0, 200.0),
        &[P::LegalAid],
    );
    office.opening_hours = OpeningHours::parse(
        "Mo-Fr 08:30-17:00",
        "2024-10-01 off; 2024-09-29 08:30-17:00",
    )
    .unwrap();
    let index = FacilityIndex::new(&[night, office]).unwrap();
    let q = |t: &str| NearestQuery::k_nearest(at_m(0.0, 0.0), 5).open_at(at(t));
    let open = |t: &str| {
        ids(&index.nearest(&q(t), None).unwrap())
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    // Saturday 01:00 after Friday night: the overnight span.
    assert_eq!(open("2024-03-09 01:00"), ["night"]);
    // Friday afternoon: only the office.
    assert_eq!(open("2024-03-08 15:00"), ["office"]);
    // National Day (Tuesday) is a holiday; Sunday 29 Sept a make-up day.
    assert!(open("2024-10-01 10:00").is_empty());
    assert_eq!(open("2024-09-29 10:00"), ["office"]);
}

#[test]
fn without_a_network_every_result_says_straight_line_times_detour() {
    let index =
        FacilityIndex::new(&[facility("a", K::LawFirm, at_m(0.0, 1000.0), &[P::Lawyer])]).unwrap();
    let r = index
        .nearest(&NearestQuery::k_nearest(at_m(0.0, 0.0), 1), None)
        .unwrap();
    assert_eq!(
        r[0].distance_basis,
        DistanceBasis::StraightLineTimesDetour { factor: 1.3 }
    );
    assert!((r[0].walking_m.unwrap() - 1300.0).abs() < 1.0);
    assert!((r[0].walking_minutes.unwrap() - 1300.0 / 80.0).abs() < 0.02);
}

#[test]
fn walking_distance_reorders_results_around_a_river() {
    // A 3×11 grid, 100 m blocks; a "river" cuts every north-south edge
    // between rows 0 and 1 except at the east end (column 10).
    let skip: Vec<(u32, u32)> = (0..10).map(|c| (c, c + 11)).collect();
    let net = grid(3, 11, 100.0, &skip);
    let facilities = vec![
        // Across the river, 100 m straight, but 2 km to walk round.
        facility("across", K::LawFirm, at_m(100.0, 0.0), &[P::Lawyer]),
        // Same bank, 500 m.
        facility("same_bank", K::LawFirm, at_m(0.0, 500.0), &[P::Lawyer]),
    ];
    let mut index = FacilityIndex::new(&facilities).unwrap();
    let q = NearestQuery::k_nearest(at_m(0.0, 0.0), 2);
    let straight = index.nearest(&q, None).unwrap();
    assert_eq!(ids(&straight), ["across", "same_bank"]);
    for prepared in [false, true] {
        if prepared {
            index.prepare_for(&net);
        }
        let walk = index.nearest(&q, Some(&net)).unwrap();
        assert_eq!(ids(&walk), ["same_bank", "across"]);
        assert!((walk[0].walking_m.unwrap() - 500.0).abs() < 0.5);
        assert!((walk[1].walking_m.unwrap() - 2100.0).abs() < 1.0);
        assert!(
            walk.iter()
                .all(|f| f.distance_basis == DistanceBasis::Walking)
        );
        assert!((walk[0].walking_minutes.unwrap() - 500.0 / 80.0).abs() < 0.01);
        // k = 1 still finds the walking-nearest, not the straight-nearest.
        let one = index
            .nearest(&NearestQuery::k_nearest(at_m(0.0, 0.0), 1), Some(&net))
            .unwrap();
        assert_eq!(ids(&one), ["same_bank"]);
        // Within 1.2 km on foot: only the same bank.
        let near = index
            .nearest(&NearestQuery::within(at_m(0.0, 0.0), 1200.0), Some(&net))
            .unwrap();
        assert_eq!(ids(&near), ["same_bank"]);
    }
    // Snaps prepared for the river network are not used on another one:
    // with a bridge everywhere, the facility across is nearest again.
    let bridged = grid(3, 11, 100.0, &[]);
    let walk = index.nearest(&q, Some(&bridged)).unwrap();
    assert_eq!(ids(&walk), ["across", "same_bank"]);
    assert!((walk[0].walking_m.unwrap() - 100.0).abs() < 0.5);
}

#[test]
fn walking_nearest_equals_exhaustive_search_on_a_grid() {
    let net = grid(8, 8, 120.0, &[(9, 10), (17, 25), (30, 31), (40, 48)]);
    let mut facilities = Vec::new();
    let mut seed = 12345u64;
    let mut rnd = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as f64) / f64::from(1u32 << 31)
    };
    for i in 0..40 {
        facilities.push(facility(
            &format!("f{i}"),
            K::LawFirm,
            at_m(rnd() * 840.0, rnd() * 840.0),
            &[P::Lawyer],
        ));
    }
    let index = FacilityIndex::new(&facilities).unwrap();
    for _ in 0..20 {
        let p = at_m(rnd() * 840.0, rnd() * 840.0);
        let got = index
            .nearest(&NearestQuery::k_nearest(p, 5), Some(&net))
            .unwrap();
        // Exhaustive: a full search from the point, then every facility.
        let origin = net.snap(p).unwrap();
        let mut ws = DijkstraWorkspace::new(&net);
        ws.run(&net, &origin.seeds(0), f64::INFINITY);
        let mut all: Vec<f64> = facilities
            .iter()
            .map(|f| {
                let s = net.snap(f.point).unwrap();
                let d = ws.distance_to_snap(&s, f64::INFINITY).unwrap().0;
                origin.along_same_edge_m(&s).map_or(d, |x| x.min(d))
            })
            .collect();
        all.sort_by(f64::total_cmp);
        let got_d: Vec<f64> = got.iter().map(|g| g.walking_m.unwrap()).collect();
        for (a, b) in got_d.iter().zip(&all[..5]) {
            assert!((a - b).abs() < 1e-6, "{got_d:?} vs {:?}", &all[..5]);
        }
        for g in &got {
            assert!(g.walking_m.unwrap() + 1e-6 >= g.straight_m);
        }
    }
}

#[test]
fn bad_queries_are_clear_errors() {
    let index =
        FacilityIndex::new(&[facility("a", K::LawFirm, at_m(0.0, 0.0), &[P::Lawyer])]).unwrap();
    let nan = GeoPoint {
        lat: f64::NAN,
        lng: 120.8,
        datum: Datum::Wgs84,
    };
    assert!(matches!(
        index.nearest(&NearestQuery::k_nearest(nan, 1), None),
        Err(NearestError::InvalidPoint { .. })
    ));
    let mut q = NearestQuery::k_nearest(at_m(0.0, 0.0), 1);
    q.k = None;
    assert_eq!(index.nearest(&q, None), Err(NearestError::Unbounded));
    assert!(matches!(
        index.nearest(&NearestQuery::within(at_m(0.0, 0.0), f64::NAN), None),
        Err(NearestError::BadMaxDistance(_))
    ));
    let net = grid(3, 3, 100.0, &[]);
    let far = GeoPoint::wgs84(31.2, 121.5).unwrap();
    assert!(matches!(
        index.nearest(&NearestQuery::k_nearest(far, 1), Some(&net)),
        Err(NearestError::Network(NetworkError::PointOffNetwork { .. }))
    ));
    let mut bad = facility("bad", K::LawFirm, at_m(0.0, 0.0), &[]);
    bad.point.lng = f64::INFINITY;
    assert!(matches!(
        FacilityIndex::new(&[bad]),
        Err(NearestError::InvalidFacilityPoint { .. })
    ));
}
