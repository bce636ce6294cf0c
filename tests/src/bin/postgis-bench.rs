//! Nearest-k (k = 5, one product) beside PostGIS on the same facilities,
//! driven by `scripts/bench-postgis` (never by CI).
//!
//! ```text
//! postgis-bench load  --pg URL --facilities F.csv
//! postgis-bench serve --pg URL --bind 127.0.0.1:0
//! postgis-bench query --pg URL --facilities F.csv --seconds S --rounds R
//! postgis-bench http  --lawcircle URL --postgis URL --seconds S --rounds R --concurrency C
//! ```
//!
//! * `load` puts the facilities into a PostGIS table with a GiST index on
//!   the point (retired ones included, filtered by the query as LawCircle
//!   filters them) and a product bit mask.
//! * `query`: queries per second through each system's own query path, in
//!   one process, interleaved round by round: LawCircle's `FacilityIndex`
//!   in process against one prepared statement over one local connection
//!   (`ORDER BY geom <-> point LIMIT 5` with the product filter), and
//!   against the same statement from 8 connections at once, and against
//!   the statement on a `geography` column (great-circle order, as
//!   LawCircle's), after checking which answers agree.
//! * `serve`: the same statement behind a minimal axum endpoint
//!   (`GET /nearby?lat=&lng=&k=&product=`), answering id, kind, name,
//!   address, point and distance of each result.
//! * `http`: a fixed number of concurrent clients against LawCircle's
//!   `GET /api/v1/nearby` and that endpoint, interleaved round by round.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Json};
use lawcircle_core::catalogue::facility::{Facility, ServiceProduct};
use lawcircle_core::catalogue::import::{
    Format, ImportOptions, NoPhotos, RecordKind, parse, read_file,
};
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::geo::nearest::{FacilityIndex, NearestQuery};
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::{Connection, Row};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

const SQL: &str = "SELECT id, kind, name, address, ST_Y(geom) AS lat, ST_X(geom) AS lng, \
     ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint($2, $1), 4326)) AS straight_m \
     FROM bench_facility WHERE NOT retired AND products & $3 = $3 \
     ORDER BY geom <-> ST_SetSRID(ST_MakePoint($2, $1), 4326) LIMIT $4";

/// The same on `geography` (great-circle metres, LawCircle's order).
const SQL_GEOGRAPHY: &str = "SELECT id, kind, name, address, ST_Y(geom) AS lat, ST_X(geom) AS lng, \
     ST_Distance(geog, ST_MakePoint($2, $1)::geography, false) AS straight_m \
     FROM bench_facility WHERE NOT retired AND products & $3 = $3 \
     ORDER BY geog <-> ST_MakePoint($2, $1)::geography LIMIT $4";

/// The product asked for (one of the rarer ones, as in the core bench).
const PRODUCT: ServiceProduct = ServiceProduct::Notarization;

fn flags() -> HashMap<String, String> {
    let mut m = HashMap::new();
    let mut it = std::env::args().skip(2);
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        m.insert(k.trim_start_matches("--").to_string(), v);
    }
    m
}

fn flag<T: std::str::FromStr>(f: &HashMap<String, String>, name: &str) -> Result<T, Error> {
    f.get(name)
        .ok_or_else(|| format!("--{name} is required"))?
        .parse()
        .map_err(|_| format!("--{name}: not a valid value").into())
}

fn facilities(path: &str) -> Result<Vec<Facility>, Error> {
    let bytes = read_file(std::path::Path::new(path))?;
    let batch = parse(
        &bytes,
        Format::Csv,
        RecordKind::Facilities,
        &ImportOptions::new(path),
        &mut NoPhotos,
    )?;
    Ok(batch.facilities)
}

/// The same 1,024 query points every run: uniform over the district's box.
fn points() -> Vec<(f64, f64)> {
    let mut s = 42u64;
    let mut unit = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64) / ((1u64 << 53) as f64)
    };
    (0..1024)
        .map(|_| (27.88 + 0.10 * unit(), 120.73 + 0.17 * unit()))
        .collect()
}

fn bit(p: ServiceProduct) -> i32 {
    1 << (p as u8)
}

async fn load(f: &HashMap<String, String>) -> Result<(), Error> {
    let fs = facilities(&flag::<String>(f, "facilities")?)?;
    let mut c = PgConnection::connect(&flag::<String>(f, "pg")?).await?;
    for stmt in [
        "CREATE EXTENSION IF NOT EXISTS postgis",
        "DROP TABLE IF EXISTS bench_facility",
        "CREATE TABLE bench_facility (id text PRIMARY KEY, kind text NOT NULL, name text NOT NULL, \
         address text NOT NULL, products int NOT NULL, retired bool NOT NULL, \
         geom geometry(Point, 4326) NOT NULL)",
    ] {
        sqlx::query(stmt).execute(&mut c).await?;
    }
    for chunk in fs.chunks(10_000) {
        let mut cols: (Vec<String>, Vec<String>, Vec<String>, Vec<String>) = Default::default();
        let (mut prods, mut retired, mut lat, mut lng) = (vec![], vec![], vec![], vec![]);
        for x in chunk {
            let p = x.point.to_wgs84();
            cols.0.push(x.id.clone());
            cols.1.push(x.kind.code().to_string());
            cols.2.push(x.name.clone());
            cols.3.push(x.address.clone());
            prods.push(x.products.iter().fold(0, |b, &p| b | bit(p)));
            retired.push(x.retired);
            lat.push(p.lat);
            lng.push(p.lng);
        }
        sqlx::query(
            "INSERT INTO bench_facility SELECT id, kind, name, address, products, retired, \
             ST_SetSRID(ST_MakePoint(lng, lat), 4326) FROM UNNEST($1::text[], $2::text[], \
             $3::text[], $4::text[], $5::int[], $6::bool[], $7::float8[], $8::float8[]) \
             AS t(id, kind, name, address, products, retired, lat, lng)",
        )
        .bind(&cols.0)
        .bind(&cols.1)
        .bind(&cols.2)
        .bind(&cols.3)
        .bind(&prods)
        .bind(&retired)
        .bind(&lat)
        .bind(&lng)
        .execute(&mut c)
        .await?;
    }
    for stmt in [
        "CREATE INDEX bench_facility_geom ON bench_facility USING gist (geom)",
        "ALTER TABLE bench_facility ADD COLUMN geog geography(Point, 4326)",
        "UPDATE bench_facility SET geog = geom::geography",
        "CREATE INDEX bench_facility_geog ON bench_facility USING gist (geog)",
    ] {
        sqlx::query(stmt).execute(&mut c).await?;
    }
    sqlx::query("ANALYZE bench_facility")
        .execute(&mut c)
        .await?;
    println!("loaded {} facilities into PostGIS", fs.len());
    Ok(())
}

async fn query(f: &HashMap<String, String>) -> Result<(), Error> {
    let fs = facilities(&flag::<String>(f, "facilities")?)?;
    let index = FacilityIndex::new(&fs)?;
    let url: String = flag(f, "pg")?;
    let secs: f64 = flag(f, "seconds")?;
    let rounds: usize = flag(f, "rounds")?;
    let pts = points();
    let mut c = PgConnection::connect(&url).await?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(&url)
        .await?;
    // Same answers first (ids; PostGIS orders by planar degrees, LawCircle
    // by great-circle metres, so the 5th may differ near a tie).
    for (name, sql) in [("geometry", SQL), ("geography", SQL_GEOGRAPHY)] {
        let mut same = 0;
        for &(lat, lng) in &pts[..200] {
            let q = NearestQuery::k_nearest(GeoPoint::wgs84(lat, lng)?, 5).with_products([PRODUCT]);
            let ours: Vec<String> = index
                .nearest(&q, None)?
                .into_iter()
                .map(|n| n.facility_id)
                .collect();
            let theirs: Vec<String> = sqlx::query(sql)
                .bind(lat)
                .bind(lng)
                .bind(bit(PRODUCT))
                .bind(5i64)
                .fetch_all(&mut c)
                .await?
                .iter()
                .map(|r| r.get::<String, _>("id"))
                .collect();
            if ours == theirs {
                same += 1;
            }
        }
        println!("same five facilities, same order, as PostGIS on {name} for {same} of 200 points");
    }
    let mut rows = vec![];
    for round in 1..=rounds {
        let lc = {
            let qs: Vec<NearestQuery> = pts
                .iter()
                .take(64)
                .map(|&(lat, lng)| {
                    Ok(NearestQuery::k_nearest(GeoPoint::wgs84(lat, lng)?, 5)
                        .with_products([PRODUCT]))
                })
                .collect::<Result<_, Error>>()?;
            let t = Instant::now();
            let mut n = 0u64;
            while t.elapsed().as_secs_f64() < secs {
                for q in &qs {
                    black_box(index.nearest(q, None)?);
                    n += 1;
                }
            }
            n as f64 / t.elapsed().as_secs_f64()
        };
        let pg1 = {
            let t = Instant::now();
            let mut n = 0u64;
            while t.elapsed().as_secs_f64() < secs {
                for &(lat, lng) in pts.iter().take(64) {
                    let rows = sqlx::query(SQL)
                        .bind(lat)
                        .bind(lng)
                        .bind(bit(PRODUCT))
                        .bind(5i64)
                        .fetch_all(&mut c)
                        .await?;
                    black_box(rows);
                    n += 1;
                }
            }
            n as f64 / t.elapsed().as_secs_f64()
        };
        let pg_geog = {
            let t = Instant::now();
            let mut n = 0u64;
            while t.elapsed().as_secs_f64() < secs {
                for &(lat, lng) in pts.iter().take(64) {
                    let rows = sqlx::query(SQL_GEOGRAPHY)
                        .bind(lat)
                        .bind(lng)
                        .bind(bit(PRODUCT))
                        .bind(5i64)
                        .fetch_all(&mut c)
                        .await?;
                    black_box(rows);
                    n += 1;
                }
            }
            n as f64 / t.elapsed().as_secs_f64()
        };
        // 8 connections at once (the 2 cores are the limit).
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicU64::new(0));
        let t = Instant::now();
        let mut tasks = vec![];
        for w in 0..8usize {
            let (pool, stop, count, pts) = (pool.clone(), stop.clone(), count.clone(), pts.clone());
            tasks.push(tokio::spawn(async move {
                let mut i = w * 97;
                while !stop.load(Ordering::Relaxed) {
                    let (lat, lng) = pts[i % pts.len()];
                    i += 1;
                    let r = sqlx::query(SQL)
                        .bind(lat)
                        .bind(lng)
                        .bind(bit(PRODUCT))
                        .bind(5i64)
                        .fetch_all(&pool)
                        .await;
                    if r.is_ok() {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await?;
        }
        let pg8 = count.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64();
        println!(
            "round {round}: LawCircle in process {lc:.0} q/s ({:.2} µs/query); PostGIS prepared, 1 connection {pg1:.0} q/s ({:.0} µs/query); 8 connections {pg8:.0} q/s; geography, 1 connection {pg_geog:.0} q/s; ratio {:.0}x / {:.0}x / {:.0}x",
            1e6 / lc,
            1e6 / pg1,
            lc / pg1,
            lc / pg8,
            lc / pg_geog
        );
        rows.push((lc / pg1, lc / pg8, lc / pg_geog));
    }
    let r1: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let r8: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let rg: Vec<f64> = rows.iter().map(|r| r.2).collect();
    println!(
        "own query path, LawCircle / PostGIS: {:.0}–{:.0}x (one connection), {:.0}–{:.0}x (8 connections), {:.0}–{:.0}x (geography, one connection)",
        min(&r1),
        max(&r1),
        min(&r8),
        max(&r8),
        min(&rg),
        max(&rg)
    );
    Ok(())
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}
fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

#[derive(serde::Deserialize)]
struct NearbyParams {
    lat: f64,
    lng: f64,
    k: Option<i64>,
    product: String,
}

async fn nearby(
    State(pool): State<sqlx::PgPool>,
    Query(q): Query<NearbyParams>,
) -> axum::response::Response {
    let Ok(product) = q.product.parse::<ServiceProduct>() else {
        return (axum::http::StatusCode::BAD_REQUEST, "unknown product").into_response();
    };
    let rows = sqlx::query(SQL)
        .bind(q.lat)
        .bind(q.lng)
        .bind(bit(product))
        .bind(q.k.unwrap_or(5).clamp(1, 100))
        .fetch_all(&pool)
        .await;
    match rows {
        Ok(rows) => Json(serde_json::json!({
            "results": rows.iter().map(|r| serde_json::json!({
                "id": r.get::<String, _>("id"),
                "kind": r.get::<String, _>("kind"),
                "name": r.get::<String, _>("name"),
                "address": r.get::<String, _>("address"),
                "lat": r.get::<f64, _>("lat"),
                "lng": r.get::<f64, _>("lng"),
                "straight_m": r.get::<f64, _>("straight_m"),
            })).collect::<Vec<_>>()
        }))
        .into_response(),
        Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn serve(f: &HashMap<String, String>) -> Result<(), Error> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .connect(&flag::<String>(f, "pg")?)
        .await?;
    let app = axum::Router::new()
        .route("/nearby", axum::routing::get(nearby))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(flag::<String>(f, "bind")?).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Concurrent clients for `secs` against `url_of(point)`: requests/s and
/// the 99th percentile in ms; any non-200 answer is an error.
async fn load_http(
    client: &reqwest::Client,
    secs: f64,
    concurrency: usize,
    url_of: Arc<dyn Fn((f64, f64)) -> String + Send + Sync>,
) -> Result<(f64, f64), Error> {
    let pts = Arc::new(points());
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let t = Instant::now();
    let mut tasks = vec![];
    for w in 0..concurrency {
        let (client, pts, url_of) = (client.clone(), pts.clone(), url_of.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat_ms = vec![];
            let mut i = w * 31;
            while Instant::now() < deadline {
                let url = url_of(pts[i % pts.len()]);
                i += 1;
                let s = Instant::now();
                let r = client.get(&url).send().await?;
                if !r.status().is_success() {
                    return Err(Error::from(format!("{url}: {}", r.status())));
                }
                black_box(r.bytes().await?);
                lat_ms.push(s.elapsed().as_secs_f64() * 1e3);
            }
            Ok::<_, Error>(lat_ms)
        }));
    }
    let mut all = vec![];
    for task in tasks {
        all.extend(task.await??);
    }
    let rps = all.len() as f64 / t.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let p99 = all.get(all.len() * 99 / 100).copied().unwrap_or(f64::NAN);
    Ok((rps, p99))
}

async fn http(f: &HashMap<String, String>) -> Result<(), Error> {
    let lc: String = flag(f, "lawcircle")?;
    let pg: String = flag(f, "postgis")?;
    let secs: f64 = flag(f, "seconds")?;
    let rounds: usize = flag(f, "rounds")?;
    let conc: usize = flag(f, "concurrency")?;
    // The workspace builds reqwest without a built-in TLS provider.
    lawcircle_client::sync::install_crypto_provider();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()?;
    let product = PRODUCT.code();
    let mut ratios = vec![];
    for round in 1..=rounds {
        let (lc_url, pg_url) = (lc.clone(), pg.clone());
        let (a, a99) = load_http(
            &client,
            secs,
            conc,
            Arc::new(move |(lat, lng)| {
                format!("{lc_url}/api/v1/nearby?lat={lat:.6}&lng={lng:.6}&k=5&product={product}")
            }),
        )
        .await?;
        let (b, b99) = load_http(
            &client,
            secs,
            conc,
            Arc::new(move |(lat, lng)| {
                format!("{pg_url}/nearby?lat={lat:.6}&lng={lng:.6}&k=5&product={product}")
            }),
        )
        .await?;
        println!(
            "round {round}: LawCircle /api/v1/nearby {a:.0} req/s (p99 {a99:.1} ms); PostGIS behind axum {b:.0} req/s (p99 {b99:.1} ms); ratio {:.2}x",
            a / b
        );
        ratios.push(a / b);
    }
    println!(
        "HTTP, LawCircle / PostGIS: {:.2}–{:.2}x",
        min(&ratios),
        max(&ratios)
    );
    Ok(())
}

#[tokio::main]
async fn main() {
    let f = flags();
    let r = match std::env::args().nth(1).as_deref() {
        Some("load") => load(&f).await,
        Some("query") => query(&f).await,
        Some("serve") => serve(&f).await,
        Some("http") => http(&f).await,
        _ => Err("usage: postgis-bench load|query|serve|http --flag value …".into()),
    };
    if let Err(e) = r {
        eprintln!("postgis-bench: {e}");
        std::process::exit(1);
    }
}
