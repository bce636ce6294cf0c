use super::*;
use crate::geo::coord::GeoPoint;
use crate::geo::network::{ChainSearch, Snap};
use crate::test_support::{Lcg, at_m, generated_network as generated, grid};

fn random_point(rng: &mut Lcg) -> GeoPoint {
    at_m(rng.unit() * 2100.0 - 50.0, rng.unit() * 2100.0 - 50.0)
}

/// A sweep workspace for a bare hierarchy (no chains), for graphs given
/// as CSR.
fn bare_sweep(h: &Hierarchy) -> Sweep {
    let n = h.junction_count();
    Sweep {
        dist: vec![[f64::INFINITY; LANES]; n],
        label: vec![[NO_LABEL_F; LANES]; n],
        on_chain: Vec::new(),
        chain_head: Vec::new(),
        chain_tail: Vec::new(),
        chain_stamp: Vec::new(),
        stamp: 0,
    }
}

/// Undirected graph as CSR from an edge list (both directions).
fn csr(n: usize, edges: &[(u32, u32, f64)]) -> (Vec<u32>, Vec<u32>, Vec<f64>) {
    let mut adj: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for &(a, b, w) in edges {
        adj[a as usize].push((b, w));
        adj[b as usize].push((a, w));
    }
    let mut offsets = vec![0u32];
    let (mut targets, mut weights) = (Vec::new(), Vec::new());
    for arcs in adj {
        for (v, w) in arcs {
            targets.push(v);
            weights.push(w);
        }
        offsets.push(targets.len() as u32);
    }
    (offsets, targets, weights)
}

/// The reference: per lane, the smallest (distance, label) over all
/// paths, by relaxing every arc until nothing changes (exact with
/// integer lengths, so ties are ties).
fn reference(
    (offsets, targets, weights): &(Vec<u32>, Vec<u32>, Vec<f64>),
    seeds: &[(usize, u32, f64, u32)],
) -> Vec<[(f64, u32); LANES]> {
    let n = offsets.len() - 1;
    let mut best = vec![[(f64::INFINITY, NO_LABEL); LANES]; n];
    let less = |a: (f64, u32), b: (f64, u32)| a.0 < b.0 || (a.0 == b.0 && a.1 < b.1);
    for &(lane, j, d, l) in seeds {
        if less((d, l), best[j as usize][lane]) {
            best[j as usize][lane] = (d, l);
        }
    }
    loop {
        let mut changed = false;
        for u in 0..n {
            for a in offsets[u] as usize..offsets[u + 1] as usize {
                let v = targets[a] as usize;
                let from = best[u];
                for (k, &(d, l)) in from.iter().enumerate() {
                    let cand = (d + weights[a], l);
                    if d.is_finite() && less(cand, best[v][k]) {
                        best[v][k] = cand;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return best;
        }
    }
}

/// On street grids with whole-metre blocks every distance is exact, so
/// many junctions are equally near two or more sources: each lane must
/// give the smallest distance and, among sources at exactly that
/// distance, the lowest label, as the reference does.
#[test]
fn sweeps_give_the_smallest_distance_and_on_ties_the_lowest_label() {
    let mut rng = Lcg(5);
    for (rows, cols) in [(6u32, 6u32), (9, 4), (1, 12), (12, 12)] {
        let id = |r: u32, c: u32| r * cols + c;
        let mut edges = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                // Missing blocks now and then; all lengths whole metres.
                if c + 1 < cols && rng.below(7) != 0 {
                    edges.push((id(r, c), id(r, c + 1), 100.0));
                }
                if r + 1 < rows && rng.below(7) != 0 {
                    edges.push((id(r, c), id(r + 1, c), 80.0 + 20.0 * rng.below(2) as f64));
                }
            }
        }
        // A parallel longer way and a loop, which must not matter.
        edges.push((0, 1, 150.0));
        edges.push((2, 2, 5.0));
        let n = (rows * cols) as usize;
        let g = csr(n, &edges);
        let h = Hierarchy::build(&g.0, &g.1, &g.2);
        assert_eq!(h.junction_count(), n);
        // Every arc goes to a more important junction.
        for p in 0..n {
            for a in h.up_offsets[p] as usize..h.up_offsets[p + 1] as usize {
                assert!((h.up_to[a] as usize) < p);
            }
        }
        let mut sweep = bare_sweep(&h);
        for round in 0..20 {
            let mut seeds = Vec::new();
            for lane in 0..LANES - (round % 3) {
                for _ in 0..1 + rng.below(4) {
                    let j = rng.below(n as u64) as u32;
                    // Labels drawn from a small range: sources at the same
                    // junction or equally far with different labels.
                    let l = rng.below(6) as u32;
                    let d = 10.0 * rng.below(3) as f64;
                    seeds.push((lane, j, d, l));
                }
            }
            sweep.dist.fill([f64::INFINITY; LANES]);
            sweep.label.fill([NO_LABEL_F; LANES]);
            for &(lane, j, d, l) in &seeds {
                sweep.seed(&h, lane, j, d, l);
            }
            // The variant for the processor at hand and the portable one
            // (which this processor would not pick) agree bit for bit.
            let mut portable = sweep.clone();
            sweep.sweeps(&h);
            portable.sweeps_portable(&h);
            assert_eq!(sweep.dist, portable.dist);
            assert_eq!(sweep.label, portable.label);
            let want = reference(&g, &seeds);
            for (j, w) in want.iter().enumerate() {
                let p = h.position[j] as usize;
                for (k, want) in w.iter().enumerate() {
                    let got = (sweep.dist[p][k], sweep.label[p][k] as u32);
                    assert_eq!(
                        got, *want,
                        "{rows}×{cols} round {round} junction {j} lane {k}"
                    );
                }
            }
        }
    }
}

/// On generated OSM-like networks (shape points, parallel ways, loops,
/// dead ends, a ring), eight lanes swept together give every snapped
/// target the distance and the source of a search on the contracted graph
/// per lane (within 1e-6 m; random points, so no ties), and the lanes do
/// not leak into each other.
#[test]
fn sweep_lanes_equal_chain_searches_on_generated_networks() {
    for seed in 1..6 {
        let net = generated(seed);
        let c = net.contraction().unwrap();
        let h = c.hierarchy();
        assert_eq!(h.junction_count(), c.junction_count());
        let mut rng = Lcg(seed * 31 + 3);
        let mut cs = ChainSearch::new(c);
        let mut sweep = Sweep::new(c);
        let mut compared = 0;
        for round in 0..8 {
            let snapped = |rng: &mut Lcg, k: u64| -> Vec<Snap> {
                (0..k)
                    .filter_map(|_| net.snap(random_point(rng)).ok())
                    .collect()
            };
            let mut label = 0;
            let lanes: Vec<Vec<Source>> = (0..LANES)
                .map(|lane| {
                    // Lane 3 of every other round has no source at all.
                    let k = if lane == 3 && round % 2 == 0 {
                        0
                    } else {
                        1 + rng.below(5)
                    };
                    snapped(&mut rng, k)
                        .iter()
                        .map(|s| {
                            label += 1;
                            Source {
                                place: c.place_of_snap(s).unwrap(),
                                dist_m: s.offset_m,
                                label,
                            }
                        })
                        .collect()
                })
                .collect();
            // Targets: snapped points and every junction.
            let mut targets: Vec<Place> = snapped(&mut rng, 40)
                .iter()
                .map(|t| c.place_of_snap(t).unwrap())
                .collect();
            targets.extend((0..c.junction_count() as u32).map(Place::Junction));
            let refs: Vec<&[Source]> = lanes.iter().map(Vec::as_slice).collect();
            sweep.run(c, &refs);
            for (lane, sources) in lanes.iter().enumerate() {
                cs.run(c, sources, &targets);
                for &t in &targets {
                    match (cs.distance(c, t), sweep.distance(c, lane, t)) {
                        (Some((dw, lw)), Some((dg, lg))) => {
                            assert!(
                                (dw - dg).abs() < 1e-6,
                                "seed {seed} round {round} lane {lane}: {dw} vs {dg}"
                            );
                            assert_eq!(lw, lg, "seed {seed} round {round} lane {lane}");
                            compared += 1;
                        }
                        (None, None) => {}
                        other => panic!("seed {seed} round {round} lane {lane}: {other:?}"),
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }
}

/// Two facilities at the same place are an exact tie in every search:
/// the lower label wins, whatever order the sources are given in.
#[test]
fn sources_at_the_same_place_go_to_the_lowest_label() {
    let net = grid(5, 5, 100.0, &[]);
    let c = net.contraction().unwrap();
    let mut sweep = Sweep::new(c);
    let a = net.snap(at_m(130.0, 40.0)).unwrap();
    let b = net.snap(at_m(300.0, 400.0)).unwrap();
    let src = |s: &Snap, label| Source {
        place: c.place_of_snap(s).unwrap(),
        dist_m: s.offset_m,
        label,
    };
    for order in [[7, 4, 9], [4, 9, 7], [9, 7, 4]] {
        let sources: Vec<Source> = order
            .iter()
            .map(|&l| src(if l == 9 { &b } else { &a }, l))
            .collect();
        sweep.run(c, &[&sources]);
        let near_a = c
            .place_of_snap(&net.snap(at_m(100.0, 100.0)).unwrap())
            .unwrap();
        assert_eq!(sweep.distance(c, 0, near_a).unwrap().1, 4);
        // The other lanes have no source.
        assert_eq!(sweep.distance(c, 1, near_a), None);
        let near_b = c
            .place_of_snap(&net.snap(at_m(400.0, 400.0)).unwrap())
            .unwrap();
        assert_eq!(sweep.distance(c, 0, near_b).unwrap().1, 9);
    }
}
