use super::*;
use crate::catalogue::facility::FacilityKind as K;
use crate::catalogue::facility::ServiceProduct as P;
use crate::test_support::{area, at_m, facility, grid};

/// The hand-made district: a 5 × 21 grid of 100 m blocks, two streets,
/// four villages, a center with everything, a mediation office and a
/// retired center that must not count.
pub(crate) fn district() -> (
    Vec<AdminArea>,
    Vec<Facility>,
    WalkingNetwork,
    CoverageStandard,
) {
    let areas = vec![
        area("D", AreaLevel::District, None, at_m(200.0, 1000.0), None),
        area("S1", AreaLevel::Street, Some("D"), at_m(0.0, 500.0), None),
        area("S2", AreaLevel::Street, Some("D"), at_m(0.0, 1500.0), None),
        area(
            "V1",
            AreaLevel::Village,
            Some("S1"),
            at_m(0.0, 0.0),
            Some(1000),
        ),
        area(
            "V2",
            AreaLevel::Village,
            Some("S1"),
            at_m(0.0, 1000.0),
            Some(2000),
        ),
        area(
            "V3",
            AreaLevel::Village,
            Some("S2"),
            at_m(0.0, 2000.0),
            Some(500),
        ),
        area(
            "V4",
            AreaLevel::Village,
            Some("S2"),
            at_m(400.0, 1000.0),
            Some(1500),
        ),
    ];
    let mut retired = facility("old", K::ServiceCenter, at_m(0.0, 2000.0), &P::ALL);
    retired.retired = true;
    let facilities = vec![
        facility("center", K::ServiceCenter, at_m(0.0, 600.0), &P::ALL),
        facility(
            "mediate",
            K::MediationOrganization,
            at_m(400.0, 1900.0),
            &[P::Mediation],
        ),
        retired,
    ];
    let standard = CoverageStandard {
        required_products: vec![P::Lawyer, P::Mediation],
        ..CoverageStandard::default()
    };
    (areas, facilities, grid(5, 21, 100.0, &[]), standard)
}

fn village<'a>(r: &'a CoverageReport, code: &str) -> &'a VillageCoverage {
    r.villages.iter().find(|v| v.code == code).unwrap()
}

#[test]
fn hand_made_district_on_the_walking_network() {
    let (areas, facilities, net, standard) = district();
    let r = compute(&areas, &facilities, Some(&net), &standard).unwrap();
    assert_eq!(r.distance_basis, DistanceBasis::Walking);
    let d = |v: &str, i: usize| village(&r, v).products[i].distance_m.unwrap();
    assert!((d("V1", 0) - 600.0).abs() < 1.0);
    assert!((d("V2", 0) - 400.0).abs() < 1.0);
    assert!((d("V3", 0) - 1400.0).abs() < 1.0);
    assert!((d("V3", 1) - 500.0).abs() < 1.0);
    assert!((d("V4", 1) - 800.0).abs() < 1.0);
    assert_eq!(
        village(&r, "V3").products[1].nearest_facility_id.as_deref(),
        Some("mediate")
    );
    assert_eq!(
        village(&r, "V4").products[1].nearest_facility_id.as_deref(),
        Some("center")
    );
    assert!(!village(&r, "V3").covered_all);
    // District: 3 of 4 villages, lawyer 3/4, mediation 4/4.
    assert_eq!(r.district.villages, 4);
    assert_eq!(r.district.villages_covered, 3);
    assert!((r.district.rate - 0.75).abs() < 1e-9);
    assert_eq!(r.district.per_product[0].villages_covered, 3);
    assert_eq!(r.district.per_product[1].villages_covered, 4);
    assert!((r.district.population_rate.unwrap() - 0.9).abs() < 1e-9);
    assert!(r.district.targets[0].met, "≥60% by end of 2024");
    assert!(!r.district.targets[1].met, "all by end of 2026");
    // Streets: S1 fully covered, S2 half.
    let s1 = r
        .streets
        .iter()
        .find(|s| s.code.as_deref() == Some("S1"))
        .unwrap();
    let s2 = r
        .streets
        .iter()
        .find(|s| s.code.as_deref() == Some("S2"))
        .unwrap();
    assert_eq!((s1.villages_covered, s1.villages), (2, 2));
    assert_eq!((s2.villages_covered, s2.villages), (1, 2));
    assert!(!s2.targets[0].met);
    assert_eq!(s1.name.as_deref(), Some("area S1"));
    // The gap list.
    assert_eq!(r.gaps.len(), 1);
    let g = &r.gaps[0];
    assert_eq!((g.village_code.as_str(), g.product), ("V3", P::Lawyer));
    assert!((g.distance_m.unwrap() - 1400.0).abs() < 1.0);
    assert_eq!(g.nearest_facility_id.as_deref(), Some("center"));
    // Serializable for the server.
    let json = serde_json::to_string(&r).unwrap();
    let back: CoverageReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.gaps, r.gaps);
}

#[test]
fn countryside_bike_standard_per_street() {
    let (areas, facilities, net, mut standard) = district();
    standard
        .access_by_area
        .insert("S2".into(), AccessStandard::BIKE_15_MIN);
    let r = compute(&areas, &facilities, Some(&net), &standard).unwrap();
    assert_eq!(village(&r, "V3").access.mode, TravelMode::Bike);
    assert_eq!(r.district.villages_covered, 4);
    assert!(r.district.targets[1].met);
    assert!(r.gaps.is_empty());
}

#[test]
fn without_a_network_straight_line_times_detour_and_says_so() {
    let (areas, facilities, _, standard) = district();
    let r = compute(&areas, &facilities, None, &standard).unwrap();
    assert_eq!(
        r.distance_basis,
        DistanceBasis::StraightLineTimesDetour { factor: 1.3 }
    );
    let v4 = village(&r, "V4");
    assert!((v4.products[0].distance_m.unwrap() - 400.0 * 2f64.sqrt() * 1.3).abs() < 1.0);
    assert_eq!(r.district.villages_covered, 3);
}

#[test]
fn population_weighted_demand_points_use_the_median() {
    let (areas, facilities, net, standard) = district();
    let mut demand = BTreeMap::new();
    demand.insert(
        "V3".to_string(),
        vec![
            DemandPoint {
                point: at_m(0.0, 2000.0),
                population: 100.0,
            },
            DemandPoint {
                point: at_m(0.0, 1100.0),
                population: 400.0,
            },
        ],
    );
    let r = compute_with_demand(&areas, &demand, &facilities, Some(&net), &standard).unwrap();
    let lawyer = &village(&r, "V3").products[0];
    assert!((lawyer.distance_m.unwrap() - 500.0).abs() < 1.0);
    assert!((lawyer.covered_share - 0.8).abs() < 1e-9);
    assert!(lawyer.covered);
}

#[test]
fn bad_input_is_a_clear_error() {
    let (mut areas, facilities, net, standard) = district();
    assert_eq!(
        compute(&areas[..3], &facilities, Some(&net), &standard).unwrap_err(),
        CoverageError::NoVillages
    );
    areas[3].centroid.lat = f64::NAN;
    assert!(matches!(
        compute(&areas, &facilities, Some(&net), &standard),
        Err(CoverageError::InvalidAreaPoint { .. })
    ));
    let (areas, facilities, net, mut standard) = district();
    standard.default_access.max_distance_m = -1.0;
    assert!(matches!(
        compute(&areas, &facilities, Some(&net), &standard),
        Err(CoverageError::InvalidStandard(_))
    ));
}

#[test]
fn villages_and_facilities_off_the_network_are_warned_and_fall_back() {
    let (mut areas, mut facilities, net, standard) = district();
    areas.push(area(
        "V5",
        AreaLevel::Village,
        Some("S2"),
        at_m(5000.0, 0.0),
        None,
    ));
    facilities.push(facility(
        "island",
        K::LawFirm,
        at_m(5000.0, 300.0),
        &[P::Lawyer],
    ));
    let r = compute(&areas, &facilities, Some(&net), &standard).unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("V5")));
    assert!(r.warnings.iter().any(|w| w.contains("island")));
    let v5 = village(&r, "V5");
    assert!(matches!(
        v5.distance_basis,
        DistanceBasis::StraightLineTimesDetour { .. }
    ));
    assert_eq!(
        v5.products[0].nearest_facility_id.as_deref(),
        Some("island")
    );
    assert!(matches!(
        r.distance_basis,
        DistanceBasis::StraightLineTimesDetour { .. }
    ));
}

/// Coverage measured on the contracted graph gives the same distances as
/// the search on the full graph, on a network with many shape points,
/// parallel ways, loops and dead ends, and names the same nearest
/// facility (random points: no ties).
#[test]
fn contracted_and_full_searches_give_the_same_coverage_distances() {
    use crate::test_support::{Lcg, generated_network};
    for seed in 1..4 {
        let net = generated_network(seed);
        assert!(net.contraction().is_some());
        let mut rng = Lcg(seed + 40);
        let mut areas = vec![area("S", AreaLevel::Street, None, at_m(0.0, 0.0), None)];
        for v in 0..60 {
            let p = at_m(rng.unit() * 2000.0, rng.unit() * 2000.0);
            areas.push(area(
                &format!("V{v}"),
                AreaLevel::Village,
                Some("S"),
                p,
                Some(10),
            ));
        }
        let facilities: Vec<Facility> = (0..24)
            .map(|i| {
                let p = at_m(rng.unit() * 2000.0, rng.unit() * 2000.0);
                facility(&format!("f{i}"), K::ServiceCenter, p, &[P::ALL[i % 8]])
            })
            .collect();
        let inputs =
            CoverageInputs::new(&areas, &BTreeMap::new(), &facilities, Some(&net)).unwrap();
        let ctx = DistanceContext {
            villages: &inputs.villages,
            facilities: &facilities,
            fac_snaps: &inputs.fac_snaps,
            index: inputs.index.as_ref(),
            network: Some(&net),
            detour: DEFAULT_DETOUR_FACTOR,
        };
        let mut chains = Search::for_network(Some(&net));
        assert!(matches!(chains, Some(Search::Chains(_))));
        let mut full = Some(Search::Full(DijkstraWorkspace::new(&net)));
        // The eight products swept together (and, in a second pass, three
        // then five: fewer lanes than there are).
        let swept = swept_distances(&ctx, net.contraction().unwrap(), &P::ALL).unwrap();
        let mut swept_apart =
            swept_distances(&ctx, net.contraction().unwrap(), &P::ALL[..3]).unwrap();
        swept_apart
            .extend(swept_distances(&ctx, net.contraction().unwrap(), &P::ALL[3..]).unwrap());
        let mut compared = 0;
        for (pi, p) in P::ALL.into_iter().enumerate() {
            let a = product_distances(&ctx, p, &mut chains).unwrap();
            let b = product_distances(&ctx, p, &mut full).unwrap();
            for other in [&b, &swept[pi], &swept_apart[pi]] {
                assert_eq!(a.points.len(), other.points.len());
                for v in 0..inputs.villages.len() {
                    for (x, y) in a[v].iter().zip(&other[v]) {
                        match (x.distance_m, y.distance_m) {
                            (Some(dx), Some(dy)) => {
                                assert!((dx - dy).abs() < 1e-6, "{p:?}: {dx} vs {dy}");
                                compared += 1;
                                assert_eq!(x.facility, y.facility);
                            }
                            (None, None) => {}
                            other => panic!("{p:?}: reachability differs: {other:?}"),
                        }
                    }
                }
            }
        }
        assert!(compared > 900, "{compared}");
        // And the whole report is what it was: computed twice from the same
        // snapped inputs, and end to end.
        let standard = CoverageStandard::default();
        let r = inputs.report(&standard).unwrap();
        assert_eq!(
            r,
            compute(&areas, &facilities, Some(&net), &standard).unwrap()
        );
        assert_eq!(r, inputs.report(&standard).unwrap());
        // With one search per product: the same report within rounding;
        // spread over threads, exactly the same as on one (including more
        // threads than products, and the degenerate 0).
        let per_product = inputs.report_on_threads(&standard, 1).unwrap();
        assert_eq!(r, within_rounding(&r, &per_product));
        for threads in [0, 2, 3, 8, 20] {
            assert_eq!(
                per_product,
                inputs.report_on_threads(&standard, threads).unwrap(),
                "{threads} threads"
            );
        }
    }
}

/// `b` with each distance replaced by `a`'s where they differ by less than
/// 1e-6 m (sums in another order): then `a == b` checks everything else
/// exactly (nearest facilities, coverage, gaps, summaries).
fn within_rounding(a: &CoverageReport, b: &CoverageReport) -> CoverageReport {
    let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) if (x - y).abs() < 1e-6 => Some(x),
        _ => y,
    };
    let mut out = b.clone();
    for (va, vb) in a.villages.iter().zip(&mut out.villages) {
        for (pa, pb) in va.products.iter().zip(&mut vb.products) {
            pb.distance_m = close(pa.distance_m, pb.distance_m);
        }
    }
    for (ga, gb) in a.gaps.iter().zip(&mut out.gaps) {
        gb.distance_m = close(ga.distance_m, gb.distance_m);
    }
    out
}
