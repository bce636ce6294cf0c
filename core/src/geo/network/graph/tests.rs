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
