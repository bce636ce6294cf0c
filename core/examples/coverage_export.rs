//! Imports an OpenStreetMap extract, builds a synthetic district on it
//! (villages and facilities on network nodes, deterministic), times
//! LawCircle's coverage computation and writes everything a reference
//! implementation needs to redo the same computation as JSON:
//! `scripts/bench-coverage-networkx.py` runs networkx on it and prints the
//! ratio.
//!
//! ```text
//! cargo run --release -p lawcircle-core --example coverage_export -- \
//!     "$LAWCIRCLE_OSM_DIR/Helsinki.osm.pbf" /tmp/cov.json [villages] [facilities-per-product] [repeats]
//! ```

#[path = "../tests/common/lcg.rs"]
mod lcg;
use lcg::Lcg;
#[path = "../tests/common/synthetic.rs"]
mod synthetic;
use synthetic::{service_center, street, village};

use lawcircle_core::catalogue::area::AdminArea;
use lawcircle_core::catalogue::facility::{Facility, ServiceProduct};
use lawcircle_core::circle::coverage::CoverageReport;
use lawcircle_core::circle::coverage::{self, CoverageInputs, CoverageStandard};
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::network::chains::Source;
use lawcircle_core::geo::network::osm::{ImportOptions, import_pbf_path};
use lawcircle_core::geo::network::{
    ChainSearch, DijkstraWorkspace, LANES, Seed, Sweep, WalkingNetwork,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

/// Areas, facilities, the village nodes and per product the facility nodes.
type District = (Vec<AdminArea>, Vec<Facility>, Vec<u32>, Vec<Vec<u32>>);

/// A synthetic district on `net`: `villages` village centroids and
/// `per_product` single-product facilities per product, all on nodes.
fn synthetic_district(
    net: &WalkingNetwork,
    villages: usize,
    per_product: usize,
    seed: u64,
) -> Result<District, Box<dyn std::error::Error>> {
    let mut rng = Lcg(seed);
    let n = net.node_count();
    let point = |node: u32| -> Result<GeoPoint, Box<dyn std::error::Error>> {
        let (lat, lng) = net.node_lat_lng(node).ok_or("node out of range")?;
        Ok(GeoPoint::wgs84(lat, lng)?)
    };
    let mut areas = Vec::new();
    let mut village_nodes = Vec::new();
    for s in 0..10 {
        areas.push(street(s, point(0)?));
    }
    for v in 0..villages {
        let node = rng.next(n) as u32;
        village_nodes.push(node);
        areas.push(village(v, point(node)?));
    }
    let mut facilities = Vec::new();
    let mut fac_nodes = Vec::new();
    for p in ServiceProduct::ALL {
        let mut nodes = Vec::new();
        for i in 0..per_product {
            let node = rng.next(n) as u32;
            nodes.push(node);
            facilities.push(service_center(format!("{}-{i}", p.code()), p, point(node)?));
        }
        fac_nodes.push(nodes);
    }
    Ok((areas, facilities, village_nodes, fac_nodes))
}

/// The swept report `a` and the per-product one `b` agree: every
/// distance within 1e-6 m, every nearest facility and coverage flag the
/// same (the Helsinki district has no two facilities at exactly the same
/// distance from a village).
fn same_within_rounding(
    a: &CoverageReport,
    b: &CoverageReport,
) -> Result<(), Box<dyn std::error::Error>> {
    for (va, vb) in a.villages.iter().zip(&b.villages) {
        for (pa, pb) in va.products.iter().zip(&vb.products) {
            let close = match (pa.distance_m, pb.distance_m) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-6,
                (x, y) => x == y,
            };
            if !close
                || pa.nearest_facility_id != pb.nearest_facility_id
                || pa.covered != pb.covered
            {
                return Err(
                    format!("village {}: swept {pa:?} but per product {pb:?}", va.code).into(),
                );
            }
        }
    }
    if a.villages.len() != b.villages.len() || a.district.rate != b.district.rate {
        return Err("the swept and the per-product reports differ".into());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err(
            "usage: coverage_export PBF OUT.json [villages] [facilities-per-product] [repeats]"
                .into(),
        );
    }
    let villages: usize = args.get(3).map_or(Ok(400), |s| s.parse())?;
    let per_product: usize = args.get(4).map_or(Ok(25), |s| s.parse())?;
    let repeats: usize = args.get(5).map_or(Ok(5), |s| s.parse())?;
    let t = Instant::now();
    let net = import_pbf_path(&args[1], ImportOptions::default())?;
    let import_s = t.elapsed().as_secs_f64();
    let bytes = net.to_bytes();
    let t = Instant::now();
    let loaded = WalkingNetwork::from_bytes(&bytes)?;
    loaded.prepare_snapping();
    let load_s = t.elapsed().as_secs_f64();
    if !loaded.same_graph(&net) {
        return Err("network file round trip changed the graph".into());
    }
    let (areas, facilities, village_nodes, fac_nodes) =
        synthetic_district(&net, villages, per_product, 2024)?;
    let standard = CoverageStandard::default();
    let median = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    // The contraction is derived on first use: time it on its own (a copy
    // of the network, so the timed runs below are not its first use).
    let fresh = WalkingNetwork::from_bytes(&bytes)?;
    let t = Instant::now();
    let contraction = fresh
        .contraction()
        .ok_or("the network cannot be contracted")?;
    let contract_s = t.elapsed().as_secs_f64();
    let (junctions, chains) = (contraction.junction_count(), contraction.chain_count());
    // Likewise the hierarchy the sweeps use, ranked once per network.
    let t = Instant::now();
    let hierarchy = contraction.hierarchy();
    let hierarchy_s = t.elapsed().as_secs_f64();
    let (shortcuts, hierarchy_arcs) = (hierarchy.shortcut_count(), hierarchy.arc_count());
    net.prepare_coverage();
    // Snapped once (as a server does per catalogue and network version),
    // then one report per run.
    let t = Instant::now();
    let inputs = CoverageInputs::new(&areas, &BTreeMap::new(), &facilities, Some(&net))?;
    let snap_s = t.elapsed().as_secs_f64();
    // The searches alone, seeded exactly like networkx (facility nodes,
    // distance 0), read at the village nodes: the like-for-like part. On
    // the contracted graph (what coverage uses) and on the full graph.
    let c = net
        .contraction()
        .ok_or("the network cannot be contracted")?;
    let place = |node: u32| c.place_of_node(&net, node).ok_or("node out of range");
    let village_places = village_nodes
        .iter()
        .map(|&v| place(v))
        .collect::<Result<Vec<_>, _>>()?;
    let fac_sources = fac_nodes
        .iter()
        .map(|nodes| {
            nodes
                .iter()
                .map(|&node| {
                    Ok(Source {
                        place: place(node)?,
                        dist_m: 0.0,
                        label: 0,
                    })
                })
                .collect::<Result<Vec<_>, &str>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let fac_seeds: Vec<Vec<Seed>> = fac_nodes
        .iter()
        .map(|nodes| {
            nodes
                .iter()
                .map(|&node| Seed {
                    node,
                    dist_m: 0.0,
                    label: 0,
                })
                .collect()
        })
        .collect();
    if fac_sources.len() > LANES {
        return Err("more products than one sweep has lanes".into());
    }
    let lanes: Vec<&[Source]> = fac_sources.iter().map(Vec::as_slice).collect();
    let mut cs = ChainSearch::new(c);
    let mut ws = DijkstraWorkspace::new(&net);
    let mut sweep = Sweep::new(c);
    // The measurements take turns within each run, so that a busy machine
    // disturbs them alike. "Per product" is the report as it was before
    // the sweeps: one Dijkstra search per product on the contracted graph.
    let mut times: [Vec<f64>; 7] = Default::default();
    let mut report = None;
    let (mut checksum, mut full_checksum, mut sweep_checksum) = (0.0, 0.0, 0.0);
    for _ in 0..repeats.max(1) {
        // End to end: snapping every village and facility, the searches,
        // the report.
        let t = Instant::now();
        let r = coverage::compute(&areas, &facilities, Some(&net), &standard)?;
        times[0].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let cached = inputs.report(&standard)?;
        times[1].push(t.elapsed().as_secs_f64());
        if cached != r {
            return Err("the report from cached snaps differs from the end-to-end one".into());
        }
        let t = Instant::now();
        let per_product = CoverageInputs::new(&areas, &BTreeMap::new(), &facilities, Some(&net))?
            .report_on_threads(&standard, 1)?;
        times[4].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let per_product_cached = inputs.report_on_threads(&standard, 1)?;
        times[5].push(t.elapsed().as_secs_f64());
        if per_product != per_product_cached {
            return Err("the per-product report from cached snaps differs".into());
        }
        same_within_rounding(&r, &per_product)?;
        report = Some(r);
        let t = Instant::now();
        checksum = 0.0;
        for sources in &fac_sources {
            cs.run(c, sources, &village_places);
            checksum += village_places
                .iter()
                .filter_map(|&p| cs.distance(c, p))
                .map(|x| x.0)
                .sum::<f64>();
        }
        times[2].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        full_checksum = 0.0;
        for seeds in &fac_seeds {
            ws.run_until_settled(&net, seeds, &village_nodes);
            full_checksum += village_nodes
                .iter()
                .filter_map(|&v| ws.distance(v))
                .sum::<f64>();
        }
        times[3].push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        sweep.run(c, &lanes);
        sweep_checksum = 0.0;
        for lane in 0..lanes.len() {
            sweep_checksum += village_places
                .iter()
                .filter_map(|&p| sweep.distance(c, lane, p))
                .map(|x| x.0)
                .sum::<f64>();
        }
        times[6].push(t.elapsed().as_secs_f64());
    }
    if (sweep_checksum - full_checksum).abs() > 1e-6 * full_checksum.abs().max(1.0) {
        return Err(format!(
            "sweeps and full searches disagree: {sweep_checksum} vs {full_checksum}"
        )
        .into());
    }
    if (checksum - full_checksum).abs() > 1e-6 * full_checksum.abs().max(1.0) {
        return Err(format!(
            "contracted and full searches disagree: {checksum} vs {full_checksum}"
        )
        .into());
    }
    let [
        e2e_times,
        report_times,
        search_times,
        full_times,
        e2e_pp_times,
        report_pp_times,
        sweep_times,
    ] = times;
    let median_e2e = median(e2e_times.clone());
    let report = report.ok_or("no run")?;
    let mut dists = serde_json::Map::new();
    for (pi, p) in standard.required_products.iter().enumerate() {
        let d: Vec<Option<f64>> = report
            .villages
            .iter()
            .map(|v| v.products[pi].distance_m)
            .collect();
        dists.insert(p.code().into(), json!(d));
    }
    let edges: Vec<(u32, u32, f64)> = net.edges().collect();
    let pbf_size = std::fs::metadata(&args[1])?.len();
    let out = json!({
        "source": args[1],
        "nodes": net.node_count(),
        "edges": edges,
        "villages": village_nodes,
        "facilities": ServiceProduct::ALL.iter().zip(&fac_nodes).map(|(p, n)| (p.code().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "rust": {
            "coverage_times_s": e2e_times,
            "report_times_s": report_times,
            "searches_times_s": search_times,
            "full_searches_times_s": full_times,
            "coverage_per_product_times_s": e2e_pp_times,
            "report_per_product_times_s": report_pp_times,
            "sweep_times_s": sweep_times,
            "snap_once_s": snap_s,
            "searches_checksum": checksum,
            "coverage_runs": repeats.max(1),
            "distances": dists,
            "district_rate": report.district.rate,
        },
        "network": {
            "km": net.total_km(),
            "file_bytes": bytes.len(),
            "bytes_per_km": bytes.len() as f64 / net.total_km(),
            "pbf_bytes": pbf_size,
            "import_s": import_s,
            "load_s": load_s,
            "contract_s": contract_s,
            "hierarchy_s": hierarchy_s,
            "shortcuts": shortcuts,
            "hierarchy_arcs": hierarchy_arcs,
            "junctions": junctions,
            "chains": chains,
        },
    });
    std::fs::write(&args[2], serde_json::to_vec(&out)?)?;
    eprintln!(
        "{} nodes, {} edges, {:.1} km; file {} B ({:.0} B/km); import {:.3} s, load {:.4} s ({:.0}× faster); coverage {} villages × 8 products: {:.4} s median of {}",
        net.node_count(),
        net.edge_count(),
        net.total_km(),
        bytes.len(),
        bytes.len() as f64 / net.total_km(),
        import_s,
        load_s,
        import_s / load_s,
        villages,
        median_e2e,
        repeats.max(1)
    );
    Ok(())
}
