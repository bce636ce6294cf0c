use super::*;
use crate::geo::coord::GeoPoint;
use crate::geo::network::Seed;
use crate::test_support::{Lcg, at_m, generated_network as generated, grid};
use sha2::Digest;

fn random_point(rng: &mut Lcg) -> GeoPoint {
    at_m(rng.unit() * 2100.0 - 50.0, rng.unit() * 2100.0 - 50.0)
}

#[test]
fn contracts_chains_and_keeps_junctions() {
    let net = generated(1);
    let c = net.contraction().unwrap();
    let (offsets, _, _) = net.csr();
    let junctions = (0..net.node_count())
        .filter(|&u| offsets[u + 1] - offsets[u] != 2)
        .count();
    // One junction more for the ring of shape points.
    assert_eq!(c.junction_count(), junctions + 1);
    assert!(c.junction_count() < net.node_count() / 2);
    // Every arc of the network is on exactly one chain, and the chains'
    // lengths add up to the network's.
    let km: f64 = c.chain_len.iter().sum::<f64>() / 1000.0;
    assert!(
        (km - net.total_km()).abs() < 1e-9,
        "{km} vs {}",
        net.total_km()
    );
    assert_eq!(c.chain_count() * 2, c.targets.len());
    // A 5 × 5 grid: its 4 corners have degree 2, so each joins its two
    // edges into one chain.
    let g = grid(5, 5, 100.0, &[]);
    let gc = g.contraction().unwrap();
    assert_eq!(gc.junction_count(), 21);
    assert_eq!(gc.chain_count(), g.edge_count() - 4);
}

/// Distances from snapped sources to snapped targets on the contracted
/// graph equal those of a search on the full graph (both ends of each
/// snapped edge, plus walking along a shared edge).
#[test]
fn distances_between_snapped_points_equal_the_full_search() {
    for seed in 1..6 {
        let net = generated(seed);
        let c = net.contraction().unwrap();
        let mut rng = Lcg(seed * 1000 + 7);
        let mut full = DijkstraWorkspace::new(&net);
        let mut cs = ChainSearch::new(c);
        for round in 0..20 {
            // Points may fall farther than the snapping limit from every
            // edge (off the network): left out.
            let sources: Vec<Snap> = (0..1 + rng.below(4))
                .filter_map(|_| net.snap(random_point(&mut rng)).ok())
                .collect();
            let targets: Vec<Snap> = (0..30)
                .filter_map(|_| net.snap(random_point(&mut rng)).ok())
                .collect();
            assert!(targets.len() > 20);
            let seeds: Vec<Seed> = sources
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.seeds(i as u32))
                .collect();
            full.run(&net, &seeds, f64::INFINITY);
            let srcs: Vec<Source> = sources
                .iter()
                .enumerate()
                .map(|(i, s)| Source {
                    place: c.place_of_snap(s).unwrap(),
                    dist_m: s.offset_m,
                    label: i as u32,
                })
                .collect();
            let places: Vec<Place> = targets
                .iter()
                .map(|t| c.place_of_snap(t).unwrap())
                .collect();
            cs.run(c, &srcs, &places);
            for (t, p) in targets.iter().zip(&places) {
                let mut want = full.distance_to_snap(t, f64::INFINITY).map(|x| x.0);
                for s in &sources {
                    if let Some(d) = t.along_same_edge_m(s) {
                        want = Some(want.map_or(d, |w: f64| w.min(d)));
                    }
                }
                let got = cs.distance(c, *p).map(|(d, l)| {
                    // The label names a source at that distance.
                    let s = &sources[l as usize];
                    assert!(d + 1e-6 >= s.offset_m);
                    d + t.offset_m
                });
                match (want, got) {
                    (Some(w), Some(g)) => {
                        assert!(
                            (w - g).abs() < 1e-6,
                            "seed {seed} round {round}: {w} vs {g}"
                        )
                    }
                    (None, None) => {}
                    other => panic!("seed {seed} round {round}: reachability differs: {other:?}"),
                }
            }
        }
    }
}

/// Seeded at nodes and read at nodes (what the networkx comparison does),
/// every node's distance equals the full search's.
#[test]
fn distances_between_nodes_equal_the_full_search() {
    let net = generated(9);
    let c = net.contraction().unwrap();
    let mut rng = Lcg(99);
    let mut full = DijkstraWorkspace::new(&net);
    let mut cs = ChainSearch::new(c);
    let n = net.node_count() as u64;
    for _ in 0..10 {
        let sources: Vec<u32> = (0..3).map(|_| rng.below(n) as u32).collect();
        let seeds: Vec<Seed> = sources
            .iter()
            .map(|&node| Seed {
                node,
                dist_m: 0.0,
                label: node,
            })
            .collect();
        full.run(&net, &seeds, f64::INFINITY);
        let srcs: Vec<Source> = sources
            .iter()
            .map(|&node| Source {
                place: c.place_of_node(&net, node).unwrap(),
                dist_m: 0.0,
                label: node,
            })
            .collect();
        let all: Vec<Place> = (0..n as u32)
            .map(|v| c.place_of_node(&net, v).unwrap())
            .collect();
        cs.run(c, &srcs, &all);
        for v in 0..n as u32 {
            let want = full.distance(v);
            let got = cs.distance(c, all[v as usize]).map(|x| x.0);
            match (want, got) {
                (Some(w), Some(g)) => assert!((w - g).abs() < 1e-6, "node {v}: {w} vs {g}"),
                (None, None) => {}
                other => panic!("node {v}: reachability differs: {other:?}"),
            }
        }
    }
    assert!(c.place_of_node(&net, n as u32).is_none());
}

#[test]
fn a_network_file_with_self_loops_is_not_contracted_but_still_searchable() {
    // Two nodes, an edge between them and a self-loop on the first
    // (from_edges drops self-loops; a file may still carry one).
    let net = grid(1, 2, 100.0, &[]);
    let mut bytes = net.to_bytes();
    // Rewrite as n = 2, m = 4: arcs 0→1, 0→0, 0→0, 1→0.
    let (lat_lng, _) = bytes.split_at(16 + 16);
    let mut body = Vec::new();
    body.extend_from_slice(&bytes[..8]);
    body.extend_from_slice(&2u32.to_le_bytes());
    body.extend_from_slice(&4u32.to_le_bytes());
    body.extend_from_slice(&lat_lng[16..]);
    for o in [0u32, 3, 4] {
        body.extend_from_slice(&o.to_le_bytes());
    }
    for t in [1u32, 0, 0, 0] {
        body.extend_from_slice(&t.to_le_bytes());
    }
    for w in [100f32, 5.0, 5.0, 100.0] {
        body.extend_from_slice(&w.to_bits().to_le_bytes());
    }
    let digest = sha2::Sha256::digest(&body);
    body.extend_from_slice(&digest);
    bytes = body;
    let looped = WalkingNetwork::from_bytes(&bytes).unwrap();
    assert!(looped.contraction().is_none());
}
