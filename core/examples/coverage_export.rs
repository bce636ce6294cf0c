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
use lawcircle_core::circle::coverage::{self, CoverageStandard};
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::network::osm::{ImportOptions, import_pbf_path};
use lawcircle_core::geo::network::{DijkstraWorkspace, Seed, WalkingNetwork};
use serde_json::json;
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
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        report = Some(coverage::compute(
            &areas,
            &facilities,
            Some(&net),
            &standard,
        )?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    // The searches alone, seeded exactly like networkx (facility nodes,
    // distance 0), read at the village nodes: the like-for-like part.
    let mut ws = DijkstraWorkspace::new(&net);
    let mut search_times = Vec::new();
    let mut checksum = 0.0;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        for nodes in &fac_nodes {
            let seeds: Vec<Seed> = nodes
                .iter()
                .map(|&node| Seed {
                    node,
                    dist_m: 0.0,
                    label: 0,
                })
                .collect();
            ws.run_until_settled(&net, &seeds, &village_nodes);
            checksum += village_nodes
                .iter()
                .filter_map(|&v| ws.distance(v))
                .sum::<f64>();
        }
        search_times.push(t.elapsed().as_secs_f64());
    }
    search_times.sort_by(f64::total_cmp);
    let search_median = search_times[search_times.len() / 2];
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
            "coverage_median_s": median,
            "searches_median_s": search_median,
            "searches_checksum": checksum,
            "coverage_runs": times.len(),
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
        median,
        times.len()
    );
    Ok(())
}
