//! Times what the background job, the indicators and the offers read, the
//! previous way (every order, rating and punch decoded) beside the way the
//! server does it now (indexed candidates, aggregates in the database), in
//! one process on one database, with a trivial query as the baseline.
//!
//! ```text
//! flat-bench --database-url sqlite:///tmp/x/lawcircle.sqlite [--runs 30] [--street 330303001]
//!            [--extra-orders 20000] [--now-only]
//! ```
//! `--now-only` leaves out the previous ways that decode every row (hours
//! on the full synthetic district); the previous SQL stays.
//! `--extra-orders N` first adds N copies of the stored orders (new ids,
//! same history, in the same streets) with copies of their ratings, so
//! the same steps can be timed on a longer history.
//! Prints a Markdown table: median milliseconds per step and the ratio to
//! the baseline. The database is what a server left (e.g. `serve --demo`);
//! the job's runs write what the job writes (nothing once caught up).

use chrono::Utc;
use lawcircle_core::orders::indicators::{self, AggregatedInputs, IndicatorInputs, Targets};
use lawcircle_core::orders::order::{Order, OrderKind, OrderState};
use lawcircle_core::orders::warning::evaluate_rules;
use lawcircle_e2e::cli_arg;
use lawcircle_server::state::AppState;
use lawcircle_server::store::{OrderFilter, Store};
use sqlx::Row;
use std::future::Future;
use std::process::ExitCode;
use std::time::Instant;

/// The median of `runs` timings of `f`, in milliseconds.
async fn time<F, Fut>(runs: usize, mut f: F) -> Result<f64, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms[ms.len() / 2])
}

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let url = cli_arg(&args, "--database-url").ok_or("--database-url is required")?;
    let runs: usize = cli_arg(&args, "--runs")
        .map(|r| r.parse().map_err(|_| "--runs: a number"))
        .transpose()?
        .unwrap_or(30)
        .max(1);
    let street = cli_arg(&args, "--street").unwrap_or_else(|| "330303001".into());
    // Leaves out the previous ways that decode every row (hours at a
    // million orders); the previous SQL of the indicators stays.
    let now_only = args.iter().any(|a| a == "--now-only");
    let e = |e: lawcircle_server::store::StoreError| e.to_string();
    let store = Store::open(&url).await.map_err(e)?;
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    let state = AppState::new(
        store.clone(),
        lawcircle_core::compensation::ParamTable::new(),
    );
    let rules = lawcircle_server::jobs::rules_for(state.grab_window_secs);
    let areas = store.areas().await.map_err(e)?;
    let streets: Vec<String> = areas
        .iter()
        .filter(|a| a.level == lawcircle_core::catalogue::area::AreaLevel::Street)
        .map(|a| a.code.clone())
        .collect();
    let extra: usize = cli_arg(&args, "--extra-orders")
        .map(|r| r.parse().map_err(|_| "--extra-orders: a number"))
        .transpose()?
        .unwrap_or(0);
    if extra > 0 {
        add_history(&store, extra).await.map_err(e)?;
    }
    let orders_n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&raw)
        .await
        .map_err(|e| e.to_string())?;
    let mut rows: Vec<(String, f64)> = Vec::new();

    let baseline = time(runs, || async {
        store.catalogue_version().await.map(|_| ()).map_err(e)
    })
    .await?;
    rows.push(("one small query (baseline)".into(), baseline));

    // The job: the previous tick decoded every order, rating and punch and
    // every warning; now it reads candidates (first run of a process:
    // everything once, then only what arrived since).
    if !now_only {
        let previous_tick = time(runs, || async {
            let now = Utc::now();
            let orders = store.orders(&OrderFilter::default()).await.map_err(e)?;
            let ratings = store.ratings().await.map_err(e)?;
            let signals = store.punch_signals().await.map_err(e)?;
            let warnings = store.warnings(None).await.map_err(e)?;
            let n = evaluate_rules(now, &orders, &ratings, &signals, &rules).len();
            std::hint::black_box((n, warnings.len()));
            Ok(())
        })
        .await?;
        rows.push((
            "job tick, previous reads (every row decoded)".into(),
            previous_tick,
        ));
    }
    let first = time(1, || async {
        lawcircle_server::jobs::run_once(&state, &rules)
            .await
            .map(|_| ())
            .map_err(e)
    })
    .await?;
    rows.push(("job tick now, first run of the process".into(), first));
    let tick = time(runs, || async {
        lawcircle_server::jobs::run_once(&state, &rules)
            .await
            .map(|_| ())
            .map_err(e)
    })
    .await?;
    rows.push(("job tick now, later runs".into(), tick));

    // The indicators (the coverage is an input, kept per catalogue
    // version either way: left out of both).
    if !now_only {
        let previous_ind = time(runs, || async {
            let now = Utc::now();
            let orders = store.orders(&OrderFilter::default()).await.map_err(e)?;
            let ratings = store.ratings().await.map_err(e)?;
            let calls = store.hotline_calls().await.map_err(e)?;
            let r = indicators::compute(
                &IndicatorInputs {
                    district_code: "330303",
                    year: 2026,
                    now,
                    streets: &streets,
                    orders: &orders,
                    ratings: &ratings,
                    coverage: &[],
                    volunteer_hours: &[],
                    hotline_calls: &calls,
                },
                &Targets::longwan_plan(),
            );
            std::hint::black_box(r);
            Ok(())
        })
        .await?;
        rows.push((
            "indicators, previous (every order and rating decoded)".into(),
            previous_ind,
        ));
    }
    // The indicators as migration 0016 left them: counts and sums grouped
    // over every order's timing columns and every rating joined to its
    // order, per request (these queries), plus what both ways share (the
    // medians through the timing indexes, the overdue count, the report).
    let grouped = time(runs, || async {
        for sql in [
            "SELECT street_code, COUNT(claim_ms), CAST(COALESCE(SUM(claim_ms), 0) AS BIGINT)
             FROM orders GROUP BY street_code",
            "SELECT street_code, COUNT(resolution_ms), CAST(COALESCE(SUM(resolution_ms), 0) AS BIGINT)
             FROM orders GROUP BY street_code",
            "SELECT o.street_code, r.score, COUNT(*) FROM ratings r JOIN orders o ON o.id = r.order_id
             GROUP BY o.street_code, r.score",
        ] {
            let n = sqlx::query(sql)
                .fetch_all(&raw)
                .await
                .map_err(|e| e.to_string())?
                .len();
            std::hint::black_box(n);
        }
        Ok(())
    })
    .await?;
    let ind = time(runs, || async {
        let now = Utc::now();
        let (district, by_street) = store.order_aggregates(now).await.map_err(e)?;
        let calls = store.hotline_calls().await.map_err(e)?;
        let r = indicators::compute_aggregated(
            &AggregatedInputs {
                district_code: "330303",
                year: 2026,
                now,
                streets: &streets,
                district: &district,
                by_street: &by_street,
                coverage: &[],
                volunteer_hours: &[],
                hotline_calls: &calls,
            },
            &Targets::longwan_plan(),
        );
        std::hint::black_box(r);
        Ok(())
    })
    .await?;
    rows.push((
        "indicators, 0016 (grouped over every order and rating, then as now)".into(),
        grouped + ind,
    ));
    // The medians as they were read before the timing histograms: each
    // street's and the district's walked to the middle of the index.
    let walks = time(runs, || async {
        let counts = sqlx::query(
            "SELECT street_code, name, n FROM indicator_counters
             WHERE name IN ('claim', 'resolution') AND n > 0",
        )
        .fetch_all(&raw)
        .await
        .map_err(|e| e.to_string())?;
        let mut district: std::collections::BTreeMap<String, i64> = Default::default();
        for r in &counts {
            let (s, name, n): (String, String, i64) = (r.get(0), r.get(1), r.get(2));
            *district.entry(name.clone()).or_default() += n;
            let col = if name == "claim" {
                "claim_ms"
            } else {
                "resolution_ms"
            };
            let v: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {col} FROM orders WHERE street_code = $1 AND {col} IS NOT NULL
                 ORDER BY {col} LIMIT 2 OFFSET $2"
            )))
            .bind(s)
            .bind((n - 1) / 2)
            .fetch_all(&raw)
            .await
            .map_err(|e| e.to_string())?;
            std::hint::black_box(v);
        }
        for (name, n) in district {
            let col = if name == "claim" {
                "claim_ms"
            } else {
                "resolution_ms"
            };
            let v: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {col} FROM orders WHERE {col} IS NOT NULL ORDER BY {col} LIMIT 2 OFFSET $1"
            )))
            .bind((n - 1) / 2)
            .fetch_all(&raw)
            .await
            .map_err(|e| e.to_string())?;
            std::hint::black_box(v);
        }
        Ok(())
    })
    .await?;
    rows.push((
        "indicators before the histograms (medians walked to the middle of each index)".into(),
        ind + walks,
    ));
    rows.push((
        "indicators now (counters kept with each change, medians from the histograms)".into(),
        ind,
    ));
    // The rating figures: grouped over every resolved order before,
    // the verdicts' counters and the orders still awaiting now.
    let previous_verdicts = time(runs, || async {
        let n = sqlx::query(lawcircle_e2e::RATING_VERDICTS_OVER_EVERY_RESOLVED_ORDER)
            .bind(Utc::now().timestamp_millis())
            .fetch_all(&raw)
            .await
            .map_err(|e| e.to_string())?
            .len();
        std::hint::black_box(n);
        Ok(())
    })
    .await?;
    rows.push((
        "rating figures, previous (grouped over every resolved order)".into(),
        previous_verdicts,
    ));
    let verdicts = time(runs, || async {
        let v = store.rating_verdicts(Utc::now()).await.map_err(e)?;
        std::hint::black_box(v.len());
        Ok(())
    })
    .await?;
    rows.push((
        "rating figures now (verdict counters, orders still awaiting)".into(),
        verdicts,
    ));

    // The offers' read: previously every order's row, the open ones
    // decoded (the query of the previous `Store::orders`); now the open
    // consultations of the volunteer's street through the index.
    if !now_only {
        let previous_offers = time(runs, || async {
            let rows = sqlx::query(
                "SELECT id, data, state FROM orders
             WHERE ($1 OR street_code = $2) AND ($3 OR assignee = $4) AND ($5 OR requester_id = $6)
             ORDER BY created_at, id",
            )
            .bind(true)
            .bind("")
            .bind(true)
            .bind("")
            .bind(true)
            .bind("")
            .fetch_all(&raw)
            .await
            .map_err(|e| e.to_string())?;
            let mut open = 0;
            for r in rows
                .iter()
                .filter(|r| r.try_get::<String, _>(2).is_ok_and(|s| s == "open"))
            {
                let o: Order =
                    serde_json::from_str(r.get::<&str, _>(1)).map_err(|e| e.to_string())?;
                if o.kind == OrderKind::Consultation {
                    open += 1;
                }
            }
            std::hint::black_box(open);
            Ok(())
        })
        .await?;
        rows.push((
            "offers' read, previous (every order row)".into(),
            previous_offers,
        ));
    }
    let offers = time(runs, || async {
        let open = store
            .orders(&OrderFilter {
                states: vec![OrderState::Open],
                kind: Some(OrderKind::Consultation),
                streets: vec![street.clone()],
                ..OrderFilter::default()
            })
            .await
            .map_err(e)?;
        std::hint::black_box(open.len());
        Ok(())
    })
    .await?;
    rows.push((
        "offers' read now (open consultations of the street)".into(),
        offers,
    ));

    println!("{orders_n} orders; median of {runs} runs\n");
    println!("| step | ms | × baseline |");
    println!("|---|---:|---:|");
    for (name, ms) in rows {
        println!("| {name} | {ms:.2} | {:.1} |", ms / baseline);
    }
    Ok(())
}

/// Adds `n` copies of the stored finished orders (resolved, evaluated,
/// closed, cancelled: history, not work in progress) and their ratings
/// (ids `H…`, need ids above every stored one).
async fn add_history(store: &Store, n: usize) -> Result<(), lawcircle_server::store::StoreError> {
    let all = store.orders(&OrderFilter::default()).await?;
    let orders: Vec<&Order> = all.iter().filter(|o| !o.state.is_active()).collect();
    let ratings = store.ratings().await?;
    if orders.is_empty() {
        return Ok(());
    }
    let top = orders
        .iter()
        .copied()
        .chain(all.iter())
        .filter_map(|o| o.need_id.parse::<i64>().ok())
        .max()
        .unwrap_or(0);
    for i in 0..n {
        let source = orders[i % orders.len()];
        let mut copy = source.clone();
        copy.id = format!("H{i}");
        copy.need_id = (top + 1_000_000 + i as i64).to_string();
        store.insert_order(&copy).await?;
        if let Some(r) = ratings.iter().find(|r| r.order_id == source.id) {
            let mut r = r.clone();
            r.order_id = copy.id.clone();
            store.insert_rating(&r).await?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flat-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
