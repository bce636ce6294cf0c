//! Clock-in decision and punch-chain benchmarks.
//!
//! Criterion measures each case; then a short in-process pass times each
//! case against its baseline in the same run and prints ratios, which are
//! comparable across machines:
//! * one clock-in decision (100-vertex polygon fence) vs. one bare haversine
//!   distance;
//! * verifying a 100k-punch chain vs. plain SHA-256 of the same bytes.
//!
//! Run: `cargo bench -p lawcircle-core --bench clock_in`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput};
use lawcircle_core::catalogue::duty_post::{DutyPost, DutyPostKind, Fence};
use lawcircle_core::catalogue::opening_hours::OpeningHours;
use lawcircle_core::geo::coord::{Datum, GeoPoint, haversine_m};
use lawcircle_core::geo::geometry::Boundary;
use lawcircle_core::volunteers::clock_in::{ClockInPolicy, DeviceInstant, Fix, Provider, decide};
use lawcircle_core::volunteers::punch::{Punch, PunchKind, append, verify_chain};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::Instant;

const LAT: f64 = 27.93;
const LNG: f64 = 120.82;
const CHAIN_LEN: usize = 100_000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 1, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A star-shaped 100-vertex ring (99 distinct + closing) around a point,
/// radius alternating 150/120 m, in `datum`.
fn polygon_fence(datum: Datum) -> Fence {
    let c = GeoPoint::wgs84(LAT, LNG)
        .map(|p| p.to_datum(datum))
        .unwrap_or(GeoPoint {
            lat: LAT,
            lng: LNG,
            datum,
        });
    let m_per_deg = 111_195.0;
    let mut ring: Vec<[f64; 2]> = (0..99)
        .map(|i| {
            let a = i as f64 / 99.0 * std::f64::consts::TAU;
            let r = if i % 2 == 0 { 150.0 } else { 120.0 };
            [
                c.lng + r * a.cos() / (m_per_deg * c.lat.to_radians().cos()),
                c.lat + r * a.sin() / m_per_deg,
            ]
        })
        .collect();
    ring.push(ring[0]);
    let boundary = Boundary::new(datum, vec![vec![ring]]).expect("valid star polygon");
    assert_eq!(boundary.vertex_count(), 100);
    Fence::Polygon { boundary }
}

fn fix(north_m: f64, secs: i64) -> Fix {
    Fix {
        lat: LAT + north_m / 111_195.0,
        lng: LNG,
        datum: Datum::Wgs84,
        accuracy_m: 12.0,
        provider: Provider::Fused,
        is_mock: false,
        wall_time: t0() + Duration::seconds(secs),
        elapsed_ms: 5_000_000 + secs as u64 * 1000,
        speed_mps: Some(0.8),
    }
}

fn at() -> DeviceInstant {
    DeviceInstant {
        wall: t0() + Duration::seconds(62),
        elapsed_ms: 5_062_000,
    }
}

fn post() -> DutyPost {
    DutyPost {
        id: "post-1".into(),
        name: "bench".into(),
        kind: DutyPostKind::Station {
            fence: polygon_fence(Datum::Wgs84),
        },
        street_code: "330303005".into(),
        facility_id: None,
        shifts: OpeningHours::always(),
        retired: false,
    }
}

fn build_chain(n: usize) -> Vec<Punch> {
    let post = post();
    let policy = ClockInPolicy::default();
    let mut chain = Vec::with_capacity(n);
    for i in 0..n {
        let kind = if i % 2 == 0 {
            PunchKind::In
        } else {
            PunchKind::Out
        };
        let secs = i as i64 * 3600;
        let f = fix(10.0, secs);
        let inst = DeviceInstant {
            wall: f.wall_time + Duration::seconds(2),
            elapsed_ms: f.elapsed_ms + 2000,
        };
        let mut p = Punch::on_device(
            format!("0190c3a4-0000-7000-8000-{i:012}"),
            "volunteer-1",
            &post,
            kind,
            inst,
            Some(f),
            None,
            i % 7 == 0,
            Some(inst.wall),
            &policy,
        );
        p.reevaluate_on_server(&post, None, Some(inst.wall), inst.wall, &policy);
        append(&mut chain, p).expect("one volunteer");
    }
    chain
}

/// Median seconds per call of `f` over `rounds` batches of `iters` calls.
fn median_s(rounds: usize, iters: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..rounds)
        .map(|_| {
            let s = Instant::now();
            for _ in 0..iters {
                f();
            }
            s.elapsed().as_secs_f64() / iters as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();

    let policy = ClockInPolicy::default();
    let wgs_fence = polygon_fence(Datum::Wgs84);
    let gcj_fence = polygon_fence(Datum::Gcj02);
    let circle = Fence::circle(
        GeoPoint {
            lat: LAT,
            lng: LNG,
            datum: Datum::Wgs84,
        }
        .to_datum(Datum::Gcj02),
        100.0,
    )
    .expect("radius ≥ 50 m");
    let cur = fix(20.0, 60);
    let prev = fix(0.0, 0);
    let server = Some(at().wall);

    let mut g = c.benchmark_group("clock_in");
    g.bench_function("haversine_baseline", |b| {
        b.iter(|| {
            haversine_m(
                black_box(LAT),
                black_box(LNG),
                black_box(27.931),
                black_box(120.821),
            )
        })
    });
    g.bench_function("decide_polygon100_wgs84", |b| {
        b.iter(|| {
            decide(
                black_box(&wgs_fence),
                black_box(&cur),
                Some(&prev),
                at(),
                server,
                &policy,
            )
        })
    });
    g.bench_function("decide_polygon100_gcj02_fence_wgs84_fix", |b| {
        b.iter(|| {
            decide(
                black_box(&gcj_fence),
                black_box(&cur),
                Some(&prev),
                at(),
                server,
                &policy,
            )
        })
    });
    g.bench_function("decide_circle_gcj02", |b| {
        b.iter(|| {
            decide(
                black_box(&circle),
                black_box(&cur),
                Some(&prev),
                at(),
                server,
                &policy,
            )
        })
    });
    g.finish();

    let chain = build_chain(CHAIN_LEN);
    let bytes: Vec<Vec<u8>> = chain.iter().map(Punch::canonical_bytes).collect();
    let total_bytes: usize = bytes.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("punch_chain_100k");
    g.sample_size(10)
        .measurement_time(std::time::Duration::from_secs(4))
        .throughput(Throughput::Elements(CHAIN_LEN as u64));
    g.bench_function("sha256_same_bytes_baseline", |b| {
        b.iter(|| {
            bytes
                .iter()
                .fold(0u8, |acc, x| acc ^ Sha256::digest(black_box(x))[0])
        })
    });
    g.bench_function("verify_chain", |b| {
        b.iter(|| verify_chain(black_box(&chain)).is_ok())
    });
    g.finish();
    c.final_summary();

    // Ratios against the baselines, measured again here in one pass.
    let hav = median_s(15, 200_000, || {
        black_box(haversine_m(
            black_box(LAT),
            black_box(LNG),
            black_box(27.931),
            black_box(120.821),
        ));
    });
    let dec = median_s(15, 20_000, || {
        black_box(decide(
            black_box(&wgs_fence),
            black_box(&cur),
            Some(&prev),
            at(),
            server,
            &policy,
        ));
    });
    let dec_gcj = median_s(15, 20_000, || {
        black_box(decide(
            black_box(&gcj_fence),
            black_box(&cur),
            Some(&prev),
            at(),
            server,
            &policy,
        ));
    });
    let sha = median_s(5, 1, || {
        black_box(
            bytes
                .iter()
                .fold(0u8, |acc, x| acc ^ Sha256::digest(black_box(x))[0]),
        );
    });
    let ver = median_s(5, 1, || {
        assert!(verify_chain(black_box(&chain)).is_ok());
    });
    println!("\n== ratios (same run) ==");
    println!(
        "haversine baseline:                       {:>10.1} ns",
        hav * 1e9
    );
    println!(
        "decide, 100-vertex polygon (WGS-84):      {:>10.1} ns = {:.1}× haversine",
        dec * 1e9,
        dec / hav
    );
    println!(
        "decide, 100-vertex GCJ-02 fence, WGS fix: {:>10.1} ns = {:.1}× haversine",
        dec_gcj * 1e9,
        dec_gcj / hav
    );
    println!(
        "sha256 of the same bytes ({} punches, {:.1} MB): {:.1} ms",
        CHAIN_LEN,
        total_bytes as f64 / 1e6,
        sha * 1e3
    );
    println!(
        "verify_chain ({CHAIN_LEN} punches):           {:.1} ms = {:.2}× plain sha256",
        ver * 1e3,
        ver / sha
    );
}
