//! Nearest-k (k = 5, one product filter) at 1k, 10k and 100k facilities:
//! the R-tree index against a linear scan over the same facilities, in the
//! same run. With `LAWCIRCLE_OSM_DIR` set, also walking-distance queries on
//! the real Helsinki extract against straight-line queries.
//!
//! `cargo bench -p lawcircle-core --bench nearest` (short measurement
//! times: the CI machine has 2 shared cores).

#[path = "../tests/common/lcg.rs"]
mod lcg;
use lcg::Lcg;

use criterion::{BenchmarkId, Criterion};
use lawcircle_core::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use lawcircle_core::catalogue::opening_hours::OpeningHours;
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::nearest::{FacilityIndex, NearestQuery};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Longwan's rough bounding box (domain brief): 120.73–120.90 E, 27.88–27.98 N.
fn random_point(rng: &mut Lcg) -> GeoPoint {
    GeoPoint::wgs84(27.88 + 0.10 * rng.unit(), 120.73 + 0.17 * rng.unit()).unwrap()
}

fn facilities(n: usize, rng: &mut Lcg) -> Vec<Facility> {
    (0..n)
        .map(|i| {
            let kind = FacilityKind::ALL[(rng.unit() * 13.0) as usize % 13];
            Facility {
                id: format!("f{i}"),
                kind,
                name: String::new(),
                address: String::new(),
                point: random_point(rng),
                phone: None,
                products: kind.default_products().iter().copied().collect(),
                opening_hours: OpeningHours::always(),
                photos: vec![],
                area_code: String::new(),
                retired: rng.unit() < 0.02,
                updated_at: chrono::DateTime::UNIX_EPOCH,
                version: 1,
            }
        })
        .collect()
}

fn queries(rng: &mut Lcg) -> Vec<NearestQuery> {
    (0..256)
        .map(|_| {
            NearestQuery::k_nearest(random_point(rng), 5)
                .with_products([ServiceProduct::Notarization])
        })
        .collect()
}

/// Mean seconds per call of `f` over `queries`, repeated for at least `min`.
fn per_query(queries: &[NearestQuery], min: Duration, mut f: impl FnMut(&NearestQuery)) -> f64 {
    let t = Instant::now();
    let mut calls = 0usize;
    while t.elapsed() < min {
        for q in queries {
            f(q);
        }
        calls += queries.len();
    }
    t.elapsed().as_secs_f64() / calls as f64
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args();
    let mut rng = Lcg(42);
    let qs = queries(&mut rng);
    let mut summary = Vec::new();
    let mut group = c.benchmark_group("nearest_k5_one_product");
    for n in [1_000usize, 10_000, 100_000] {
        let fs = facilities(n, &mut rng);
        let index = FacilityIndex::new(&fs).unwrap();
        // Same answers before timing anything.
        for q in &qs[..32] {
            let a = index.nearest(q, None).unwrap();
            let b = index.nearest_linear(q).unwrap();
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert!((x.straight_m - y.straight_m).abs() < 1e-6);
            }
        }
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("rtree", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                black_box(index.nearest(&qs[i], None).unwrap())
            })
        });
        group.bench_with_input(BenchmarkId::new("linear_scan", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                black_box(index.nearest_linear(&qs[i]).unwrap())
            })
        });
        // Ratio in the same run, interleaved to share the machine's load.
        let (mut fast, mut slow) = (0.0, 0.0);
        for _ in 0..3 {
            fast += per_query(&qs, Duration::from_millis(200), |q| {
                black_box(index.nearest(q, None).unwrap());
            });
            slow += per_query(&qs, Duration::from_millis(200), |q| {
                black_box(index.nearest_linear(q).unwrap());
            });
        }
        summary.push(format!(
            "nearest k=5 one product, {n:>6} facilities: R-tree {:.2} µs/query, linear scan {:.1} µs/query, ratio {:.0}x",
            fast / 3.0 * 1e6,
            slow / 3.0 * 1e6,
            slow / fast
        ));
    }
    group.finish();

    if let Some(dir) = std::env::var_os("LAWCIRCLE_OSM_DIR") {
        use lawcircle_core::geo::network::osm::{ImportOptions, import_pbf_path};
        let net = import_pbf_path(
            std::path::Path::new(&dir).join("Helsinki.osm.pbf"),
            ImportOptions::default(),
        )
        .unwrap();
        let n = net.node_count();
        let node = |rng: &mut Lcg| {
            let (lat, lng) = net
                .node_lat_lng((rng.unit() * n as f64) as u32 % n as u32)
                .unwrap();
            GeoPoint::wgs84(lat, lng).unwrap()
        };
        let mut fs = facilities(1_000, &mut rng);
        for f in &mut fs {
            f.point = node(&mut rng);
            f.retired = false;
        }
        let mut index = FacilityIndex::new(&fs).unwrap();
        index.prepare_for(&net);
        let qs: Vec<NearestQuery> = (0..256)
            .map(|_| {
                NearestQuery::k_nearest(node(&mut rng), 5)
                    .with_products([ServiceProduct::Notarization])
            })
            .collect();
        let mut i = 0;
        c.bench_function("nearest_k5_walking_helsinki_1000", |b| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                black_box(index.nearest(&qs[i], Some(&net)).unwrap())
            })
        });
        let walk = per_query(&qs, Duration::from_millis(500), |q| {
            black_box(index.nearest(q, Some(&net)).unwrap());
        });
        let straight = per_query(&qs, Duration::from_millis(500), |q| {
            black_box(index.nearest(q, None).unwrap());
        });
        summary.push(format!(
            "nearest k=5 on foot, Helsinki ({} nodes), 1000 facilities: {:.1} µs/query = {:.1}x a straight-line query",
            n,
            walk * 1e6,
            walk / straight
        ));
    } else {
        summary
            .push("(LAWCIRCLE_OSM_DIR unset: walking-distance nearest on Helsinki skipped)".into());
    }
    c.final_summary();
    println!("\n== ratios measured in this run ==");
    for line in summary {
        println!("{line}");
    }
}
