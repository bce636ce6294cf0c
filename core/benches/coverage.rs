//! Full coverage (all villages × 8 products) on the real Helsinki extract
//! (`LAWCIRCLE_OSM_DIR`, see scripts/fetch-osm-fixtures), the network file's
//! size per km of way and its load time, each next to a baseline measured
//! in the same run:
//! * coverage with one multi-source search per product, against the
//!   obvious per-village searches (one bounded-less search per village and
//!   product);
//! * loading the `.lcwn` file, against importing the `.osm.pbf` again;
//! * the file's size, against the `.osm.pbf` it came from.
//!
//! The comparison with Python networkx on the same graph is
//! scripts/bench-coverage-networkx.py.

#[path = "../tests/common/lcg.rs"]
mod lcg;
use lcg::Lcg;
#[path = "../tests/common/synthetic.rs"]
mod synthetic;
use synthetic::{service_center, street, village};

use criterion::Criterion;
use lawcircle_core::catalogue::area::{AdminArea, AreaLevel};
use lawcircle_core::catalogue::facility::{Facility, ServiceProduct};
use lawcircle_core::circle::coverage::{self, CoverageStandard};
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::network::osm::{ImportOptions, import_pbf_path};
use lawcircle_core::geo::network::{DijkstraWorkspace, WalkingNetwork};
use std::hint::black_box;
use std::time::{Duration, Instant};

const VILLAGES: usize = 400;
const PER_PRODUCT: usize = 25;

fn district(net: &WalkingNetwork) -> (Vec<AdminArea>, Vec<Facility>) {
    let mut rng = Lcg(2024);
    let n = net.node_count();
    let mut point = || {
        let (lat, lng) = net.node_lat_lng(rng.next(n) as u32).unwrap();
        GeoPoint::wgs84(lat, lng).unwrap()
    };
    let mut areas: Vec<AdminArea> = (0..VILLAGES).map(|v| village(v, point())).collect();
    for s in 0..10 {
        areas.push(street(s, point()));
    }
    let mut facilities = Vec::new();
    for p in ServiceProduct::ALL {
        for i in 0..PER_PRODUCT {
            facilities.push(service_center(format!("{}-{i}", p.code()), p, point()));
        }
    }
    (areas, facilities)
}

/// The obvious approach: for every village and product, one full search
/// from the village, then the nearest facility offering the product.
fn per_village_baseline(
    net: &WalkingNetwork,
    areas: &[AdminArea],
    facilities: &[Facility],
) -> usize {
    let mut ws = DijkstraWorkspace::new(net);
    let fsnaps: Vec<_> = facilities.iter().map(|f| net.snap(f.point).ok()).collect();
    let mut covered = 0;
    for a in areas.iter().filter(|a| a.level == AreaLevel::Village) {
        let Ok(s) = net.snap(a.centroid) else {
            continue;
        };
        for p in ServiceProduct::ALL {
            ws.run(net, &s.seeds(0), f64::INFINITY);
            let best = facilities
                .iter()
                .zip(&fsnaps)
                .filter(|(f, _)| f.products.contains(&p))
                .filter_map(|(_, fs)| fs.and_then(|fs| ws.distance_to_snap(&fs, f64::INFINITY)))
                .map(|(d, _)| d)
                .fold(f64::INFINITY, f64::min);
            covered += usize::from(best <= 1200.0);
        }
    }
    covered
}

fn mean_secs(min: Duration, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    let mut runs = 0u32;
    while t.elapsed() < min || runs < 3 {
        f();
        runs += 1;
    }
    t.elapsed().as_secs_f64() / f64::from(runs)
}

fn main() {
    let Some(dir) = std::env::var_os("LAWCIRCLE_OSM_DIR") else {
        eprintln!(
            "LAWCIRCLE_OSM_DIR is not set: run `export LAWCIRCLE_OSM_DIR=\"$(scripts/fetch-osm-fixtures)\"` first"
        );
        std::process::exit(2);
    };
    let pbf = std::path::Path::new(&dir).join("Helsinki.osm.pbf");
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
        .configure_from_args();
    let net = import_pbf_path(&pbf, ImportOptions::default()).unwrap();
    let (areas, facilities) = district(&net);
    let standard = CoverageStandard::default();
    c.bench_function("coverage_helsinki_400_villages_x8", |b| {
        b.iter(|| black_box(coverage::compute(&areas, &facilities, Some(&net), &standard).unwrap()))
    });
    let bytes = net.to_bytes();
    c.bench_function("network_file_load_helsinki", |b| {
        b.iter(|| black_box(WalkingNetwork::from_bytes(&bytes).unwrap()))
    });
    c.final_summary();

    let multi = mean_secs(Duration::from_secs(1), || {
        black_box(coverage::compute(&areas, &facilities, Some(&net), &standard).unwrap());
    });
    let naive = mean_secs(Duration::from_secs(1), || {
        black_box(per_village_baseline(&net, &areas, &facilities));
    });
    let load = mean_secs(Duration::from_millis(500), || {
        black_box(WalkingNetwork::from_bytes(&bytes).unwrap());
    });
    let load_ready = mean_secs(Duration::from_millis(500), || {
        let n = WalkingNetwork::from_bytes(&bytes).unwrap();
        n.prepare_snapping();
        black_box(n);
    });
    let import = mean_secs(Duration::from_millis(500), || {
        black_box(import_pbf_path(&pbf, ImportOptions::default()).unwrap());
    });
    let pbf_len = std::fs::metadata(&pbf).unwrap().len() as f64;
    println!("\n== ratios measured in this run ==");
    println!(
        "Helsinki walking network: {} nodes, {} edges, {:.1} km",
        net.node_count(),
        net.edge_count(),
        net.total_km()
    );
    println!(
        "coverage {VILLAGES} villages x 8 products: {:.2} ms; per-village searches {:.1} ms; ratio {:.0}x",
        multi * 1e3,
        naive * 1e3,
        naive / multi
    );
    println!(
        "network file: {} B = {:.0} B per km of way = {:.2}x the .osm.pbf ({} B)",
        bytes.len(),
        bytes.len() as f64 / net.total_km(),
        bytes.len() as f64 / pbf_len,
        pbf_len
    );
    println!(
        "load {:.2} ms (+ snapping index: {:.2} ms) vs import from .osm.pbf {:.1} ms: {:.0}x ({:.0}x) faster",
        load * 1e3,
        load_ready * 1e3,
        import * 1e3,
        import / load,
        import / load_ready
    );
}
