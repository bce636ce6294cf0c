//! The Rust side of `scripts/bench-ffi`: the same calls the Kotlin and
//! Swift benchmarks make through the FFI, made directly in Rust, so the
//! ratio is the cost of crossing the boundary.
//!
//!     cargo run --profile mobile -p lawcircle-ffi-bench --bin ffi_bench [ITERS]
//!
//! (scripts/bench-phone builds it with the shipped library's settings.)

use std::hint::black_box;
use std::time::Instant;

use lawcircle_ffi::{
    ClientConfig, Credentials, Datum, LawCircleClient, NearbyQuery, Point, core_version, distance_m,
};

fn per_call_ns(iters: u64, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

fn main() {
    let iters: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let a = Point {
        lat: 27.93,
        lng: 120.82,
        datum: Datum::Wgs84,
    };
    let b = Point {
        lat: 27.94,
        lng: 120.83,
        datum: Datum::Gcj02,
    };
    let trivial = per_call_ns(iters, || {
        black_box(core_version());
    });
    let distance = per_call_ns(iters, || {
        let d = distance_m(black_box(a), black_box(b));
        black_box(d.is_ok());
    });
    // Nearest k = 5 offline, with a product filter, on the demo catalogue
    // (181 facilities) installed from data/longwan/facilities.csv.
    let dir = std::env::temp_dir().join(format!("lawcircle-bench-{}", std::process::id()));
    let client = LawCircleClient::open(
        ClientConfig {
            database_path: dir.join("phone.sqlite").to_string_lossy().into_owned(),
            server_url: "http://127.0.0.1:9".to_string(),
            credentials: Credentials {
                user_id: "bench".to_string(),
                secret: String::new(),
            },
        },
        {
            // Never used: the bench makes no request.
            let reqwest =
                lawcircle_client::http::reqwest::ReqwestTransport::new().expect("transport");
            std::sync::Arc::new(lawcircle_ffi::RustTransport(std::sync::Arc::new(reqwest)))
        },
    )
    .expect("client");
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/longwan/facilities.csv"
    );
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(client.install_catalogue_file(csv.to_string()))
        .expect("catalogue");
    let query = NearbyQuery {
        point: a,
        k: 5,
        kinds: vec![],
        products: vec![lawcircle_ffi::ServiceProduct::Mediation],
        open_at_ms: None,
        max_distance_m: None,
        at_ms: None,
    };
    let nearest = per_call_ns(iters / 10, || {
        let r = client.nearest(black_box(query.clone()));
        black_box(r.map(|v| v.len()).unwrap_or(0));
    });
    let _ = std::fs::remove_dir_all(&dir);
    // One line per call, parsed by scripts/bench-ffi.
    println!("rust core_version {trivial:.1}");
    println!("rust distance_m {distance:.1}");
    println!("rust nearest_k5 {nearest:.1}");
}
