use super::*;
use crate::geo::network::DijkstraWorkspace;
use crate::test_support::{at_m, grid};

#[test]
fn grid_dijkstra_gives_manhattan_distances() {
    let net = grid(10, 10, 100.0, &[]);
    assert_eq!(net.node_count(), 100);
    assert_eq!(net.edge_count(), 180);
    assert!((net.total_km() - 18.0).abs() < 0.01);
    let mut ws = DijkstraWorkspace::new(&net);
    ws.run(
        &net,
        &[crate::geo::network::Seed {
            node: 0,
            dist_m: 0.0,
            label: 7,
        }],
        f64::INFINITY,
    );
    for r in 0..10u32 {
        for c in 0..10u32 {
            let d = ws.distance(r * 10 + c).unwrap();
            assert!((d - 100.0 * f64::from(r + c)).abs() < 0.5, "{r},{c}: {d}");
            assert_eq!(ws.label(r * 10 + c), Some(7));
        }
    }
    // A bounded search settles only what is within the bound.
    ws.run(
        &net,
        &[crate::geo::network::Seed {
            node: 0,
            dist_m: 0.0,
            label: 0,
        }],
        250.0,
    );
    assert!(ws.distance(2).is_some());
    assert!(ws.distance(3).is_none());
}

#[test]
fn multi_source_labels_the_nearest_seed() {
    let net = grid(1, 11, 100.0, &[]);
    let mut ws = DijkstraWorkspace::new(&net);
    let seeds = [
        crate::geo::network::Seed {
            node: 0,
            dist_m: 0.0,
            label: 1,
        },
        crate::geo::network::Seed {
            node: 10,
            dist_m: 0.0,
            label: 2,
        },
    ];
    ws.run(&net, &seeds, f64::INFINITY);
    assert_eq!(ws.label(3), Some(1));
    assert_eq!(ws.label(8), Some(2));
    assert!((ws.distance(8).unwrap() - 200.0).abs() < 0.5);
}

#[test]
fn snapping_finds_the_nearest_edge_and_its_offset() {
    let net = grid(3, 3, 100.0, &[]);
    // 30 m north of the middle of the bottom edge 0-1.
    let s = net.snap(at_m(30.0, 50.0)).unwrap();
    assert_eq!((s.from.min(s.to), s.from.max(s.to)), (0, 1));
    assert!((s.offset_m - 30.0).abs() < 0.1, "{}", s.offset_m);
    assert!((s.from_m() - 50.0).abs() < 0.5);
    // A GCJ-02 point is converted before snapping.
    let p = at_m(30.0, 50.0);
    let gcj = p.to_datum(crate::geo::coord::Datum::Gcj02);
    assert!((net.snap(gcj).unwrap().offset_m - 30.0).abs() < 1.0);
}

#[test]
fn bad_points_are_clear_errors() {
    let net = grid(3, 3, 100.0, &[]);
    let nan = GeoPoint {
        lat: f64::NAN,
        lng: 120.8,
        datum: crate::geo::coord::Datum::Wgs84,
    };
    assert!(matches!(
        net.snap(nan),
        Err(NetworkError::InvalidPoint { .. })
    ));
    let far = GeoPoint::wgs84(30.0, 121.0).unwrap();
    let err = net.snap(far).unwrap_err();
    assert!(matches!(err, NetworkError::PointOffNetwork { .. }));
    assert!(err.to_string().contains("outside the loaded network"));
}

#[test]
fn empty_and_invalid_graphs_are_errors() {
    assert_eq!(
        WalkingNetwork::from_edges(&[], &[]).unwrap_err(),
        NetworkError::Empty
    );
    assert_eq!(
        WalkingNetwork::from_edges(&[(27.9, 120.8)], &[(0, 0)]).unwrap_err(),
        NetworkError::Empty
    );
    assert!(matches!(
        WalkingNetwork::from_edges(&[(27.9, 120.8), (f64::NAN, 120.8)], &[(0, 1)]),
        Err(NetworkError::InvalidGraph(_))
    ));
    assert!(matches!(
        WalkingNetwork::from_edges(&[(27.9, 120.8)], &[(0, 5)]),
        Err(NetworkError::InvalidGraph(_))
    ));
}

#[test]
fn file_round_trip_is_bit_identical() {
    let net = grid(5, 7, 80.0, &[(3, 4)]);
    let bytes = net.to_bytes();
    assert_eq!(&bytes[..4], MAGIC);
    let back = WalkingNetwork::from_bytes(&bytes).unwrap();
    assert!(back.same_graph(&net));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.lcwn");
    net.save(&path).unwrap();
    assert!(WalkingNetwork::load(&path).unwrap().same_graph(&net));
}

#[test]
fn corrupt_files_are_errors_never_panics() {
    let bytes = grid(4, 4, 100.0, &[]).to_bytes();
    // Every truncation.
    for len in 0..bytes.len() {
        assert!(
            WalkingNetwork::from_bytes(&bytes[..len]).is_err(),
            "len {len}"
        );
    }
    // Every single-byte flip.
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        assert!(WalkingNetwork::from_bytes(&b).is_err(), "byte {i}");
    }
    // Structurally wrong content behind a valid checksum.
    let reseal = |mut b: Vec<u8>| {
        let body = b.len() - CHECKSUM_LEN;
        let d = Sha256::digest(&b[..body]);
        b[body..].copy_from_slice(&d);
        b
    };
    let n = 16usize;
    let off_pos = HEADER_LEN + 8 * n;
    let tgt_pos = off_pos + 4 * (n + 1);
    let mut b = bytes.clone();
    b[off_pos + 4..off_pos + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        WalkingNetwork::from_bytes(&reseal(b)),
        Err(NetworkError::Corrupt(_))
    ));
    let mut b = bytes.clone();
    b[tgt_pos..tgt_pos + 4].copy_from_slice(&999u32.to_le_bytes());
    assert!(matches!(
        WalkingNetwork::from_bytes(&reseal(b)),
        Err(NetworkError::Corrupt(_))
    ));
    let mut b = bytes.clone();
    b[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        WalkingNetwork::from_bytes(&reseal(b)),
        Err(NetworkError::Corrupt(_))
    ));
    let mut b = bytes.clone();
    b[4] = 9;
    assert!(matches!(
        WalkingNetwork::from_bytes(&reseal(b)),
        Err(NetworkError::UnsupportedVersion { found: 9, .. })
    ));
    let w_pos = tgt_pos + 4 * (bytes.len() - tgt_pos - CHECKSUM_LEN) / 8;
    let mut b = bytes.clone();
    b[w_pos..w_pos + 4].copy_from_slice(&f32::NAN.to_bits().to_le_bytes());
    assert!(matches!(
        WalkingNetwork::from_bytes(&reseal(b)),
        Err(NetworkError::Corrupt(_))
    ));
    // An empty network written by hand.
    let mut e = Vec::new();
    e.extend_from_slice(MAGIC);
    e.extend_from_slice(&1u16.to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    e.extend_from_slice(&[0u8; 32]);
    assert!(WalkingNetwork::from_bytes(&reseal(e)).is_err());
}

#[test]
fn largest_component_drops_islands() {
    // Two separate 1×3 lines: a 3-node line and a 2-node scrap.
    let nodes = [
        (27.9, 120.8),
        (27.9, 120.801),
        (27.9, 120.802),
        (27.95, 120.8),
        (27.95, 120.801),
    ];
    let net = WalkingNetwork::from_edges(&nodes, &[(0, 1), (1, 2), (3, 4)]).unwrap();
    let big = net.largest_component().unwrap();
    assert_eq!(big.node_count(), 3);
    assert_eq!(big.edge_count(), 2);
}

/// The squared distance to the edge the R-tree snapped to before the grid
/// (the old path, rebuilt here as it was), by `rstar`'s own arithmetic.
fn rtree_snap_edge(net: &WalkingNetwork, point: GeoPoint) -> f64 {
    use rstar::RTree;
    use rstar::primitives::{GeomWithData, Line};
    // As the index was built before the grid.
    let at = |i: usize| {
        net.proj
            .fwd(f64::from(net.lat_e7[i]) / E7, f64::from(net.lng_e7[i]) / E7)
    };
    let mut segs = Vec::new();
    for u in 0..net.node_count() {
        for arc in net.offsets[u] as usize..net.offsets[u + 1] as usize {
            let v = net.targets[arc] as usize;
            if u < v {
                segs.push(GeomWithData::new(Line::new(at(u), at(v)), arc));
            }
        }
    }
    let tree = RTree::bulk_load(segs);
    let p = point.to_wgs84();
    let q = net.proj.fwd(p.lat, p.lng);
    let e = tree.nearest_neighbor(&q).unwrap();
    rstar::PointDistance::distance_2(e, &q)
}

/// Random points over and around `net`, a fifth of them exactly on nodes
/// (equally near every edge of the node: the ties), some on edges.
fn snap_probe_points(net: &WalkingNetwork, seed: u64, count: usize) -> Vec<GeoPoint> {
    let mut rng = crate::test_support::Lcg(seed);
    let (mut lo_n, mut hi_n, mut lo_e, mut hi_e) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for u in 0..net.node_count() as u32 {
        let (lat, lng) = net.node_lat_lng(u).unwrap();
        (lo_n, hi_n, lo_e, hi_e) = (lo_n.min(lat), hi_n.max(lat), lo_e.min(lng), hi_e.max(lng));
    }
    let (dn, de) = ((hi_n - lo_n).max(1e-4), (hi_e - lo_e).max(1e-4));
    (0..count)
        .map(|i| {
            let node = rng.below(net.node_count() as u64) as u32;
            let (lat, lng) = net.node_lat_lng(node).unwrap();
            match i % 5 {
                0 => GeoPoint::wgs84(lat, lng).unwrap(),
                1 => {
                    // Part way along one of the node's edges.
                    let arc = net.offsets[node as usize] as usize;
                    let (lat2, lng2) = net.node_lat_lng(net.targets[arc]).unwrap();
                    let t = rng.unit();
                    GeoPoint::wgs84(lat + (lat2 - lat) * t, lng + (lng2 - lng) * t).unwrap()
                }
                // Anywhere over the network's box and a margin around it.
                _ => GeoPoint::wgs84(
                    lo_n - 0.2 * dn + rng.unit() * 1.4 * dn,
                    lo_e - 0.2 * de + rng.unit() * 1.4 * de,
                )
                .unwrap(),
            }
        })
        .collect()
}

/// Checks the grid's snaps on `net` against the scan of every edge (the
/// same snap, bit for bit) and against the R-tree the grid replaced (as
/// near: the same distance; another edge only on a tie).
fn check_grid_snaps(net: &WalkingNetwork, points: &[GeoPoint]) {
    for &p in points {
        let grid = net.snap(p);
        let linear = net.snap_linear(p);
        assert_eq!(grid, linear, "grid and linear scan differ at {p:?}");
        let idx = net.edge_index();
        let q = net.proj.fwd(p.lat, p.lng);
        let g = idx.grid.nearest(q).unwrap();
        // Points exactly on a node are as near every edge of the node: the
        // grid takes the first edge by number, the R-tree took whichever
        // it met first, so the edges may differ there, not the distance.
        let rtree_d2 = rtree_snap_edge(net, p);
        assert!(
            (g.d2.sqrt() - rtree_d2.sqrt()).abs() < 1e-9,
            "grid {} m vs R-tree {} m at {p:?}",
            g.d2.sqrt(),
            rtree_d2.sqrt()
        );
    }
}

#[test]
fn grid_snaps_equal_the_linear_scan_and_the_rtree() {
    // A street grid (axis-parallel edges, points on crossings: many ties).
    let net = grid(12, 9, 75.0, &[(3, 4), (20, 29)]);
    check_grid_snaps(&net, &snap_probe_points(&net, 1, 600));
    // Generated networks shaped like OpenStreetMap's.
    for seed in 1..5 {
        let net = crate::test_support::generated_network(seed);
        check_grid_snaps(&net, &snap_probe_points(&net, seed + 10, 800));
    }
    // One edge, and a long thin network (a single straight road).
    let one = WalkingNetwork::from_edges(&[(27.9, 120.8), (27.9, 120.801)], &[(0, 1)]).unwrap();
    check_grid_snaps(&one, &snap_probe_points(&one, 2, 100));
    let road: Vec<(f64, f64)> = (0..300).map(|i| (27.9, 120.8 + i as f64 * 1e-4)).collect();
    let edges: Vec<(u32, u32)> = (0..299).map(|i| (i, i + 1)).collect();
    let road = WalkingNetwork::from_edges(&road, &edges).unwrap();
    check_grid_snaps(&road, &snap_probe_points(&road, 3, 300));
}

#[test]
fn grid_registers_every_edge_where_it_passes_and_stays_small() {
    // A long diagonal edge among short ones: it must be found from every
    // cell it crosses, without filling its whole bounding box.
    let mut nodes: Vec<(f64, f64)> = Vec::new();
    let mut edges = Vec::new();
    for i in 0..40u32 {
        let p = at_m(f64::from(i % 8) * 40.0, f64::from(i / 8) * 40.0 + 2000.0);
        let q = at_m(
            f64::from(i % 8) * 40.0 + 10.0,
            f64::from(i / 8) * 40.0 + 2000.0,
        );
        nodes.push((p.lat, p.lng));
        nodes.push((q.lat, q.lng));
        edges.push((2 * i, 2 * i + 1));
    }
    let (a, b) = (at_m(0.0, 0.0), at_m(1500.0, 1900.0));
    nodes.push((a.lat, a.lng));
    nodes.push((b.lat, b.lng));
    edges.push((80, 81));
    let net = WalkingNetwork::from_edges(&nodes, &edges).unwrap();
    let points: Vec<GeoPoint> = (0..=200)
        .map(|i| {
            let t = f64::from(i) / 200.0;
            at_m(1500.0 * t + 3.0, 1900.0 * t - 3.0)
        })
        .collect();
    check_grid_snaps(&net, &points);
    for &p in &points {
        let s = net.snap(p).unwrap();
        assert_eq!((s.from, s.to), (80, 81), "{p:?}");
    }
    let (nx, ny, items) = net.edge_index().grid.shape();
    assert!(nx * ny <= 4 * net.edge_count() + 16, "{nx} × {ny}");
    assert!(items <= 4 * (nx + ny) + 4 * net.edge_count(), "{items}");
    // A point far away: the nearest edge all the same (the error says how
    // far), found by the grid as by the scan.
    let far = GeoPoint::wgs84(28.5, 121.5).unwrap();
    let (Err(g), Err(l)) = (net.snap(far), net.snap_linear(far)) else {
        panic!("a point 80 km away snapped");
    };
    assert_eq!(g, l);
}
