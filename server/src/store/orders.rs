//! Orders, ratings, warnings, spot checks and hotline calls. The rules are
//! the core's ([`lawcircle_core::orders::order`], [`lawcircle_core::orders::warning`]); the
//! store makes them hold under concurrency: every order transition is a
//! conditional update on the version the caller read, and raising a warning
//! is an insert that a duplicate key turns into nothing.

use super::rating_verdicts;
use super::timing_buckets::{self, Histograms};
use super::{Store, StoreError, conflict_on_unique, decode, decode_rows, encode, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::orders::indicators::{HotlineCall, OrderAggregates, TimeSummary};
use lawcircle_core::orders::order::{Order, OrderKind, OrderState};
use lawcircle_core::orders::rating::Rating;
use lawcircle_core::orders::spot_check::{DrawRecord, SpotCheck, Week, resolved_in_week};
use lawcircle_core::orders::warning::{Subject, Warning};
use sqlx::Row;
use std::collections::BTreeMap;

/// An order in a week's spot-check sample.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SampledOrder {
    pub order_id: String,
    /// The street whose week it was drawn from (`None`: drawn before
    /// draws were recorded, on an order since removed).
    pub street_code: Option<String>,
    /// The draw that picked it (`None` for samples from before draws
    /// were recorded).
    pub draw_id: Option<String>,
    /// The review, once done.
    #[schema(value_type = Option<Object>)]
    pub review: Option<SpotCheck>,
}

/// A row of `spot_checks` (order_id, street_code, draw_id, data).
fn sampled_order(r: &sqlx::any::AnyRow) -> Result<SampledOrder, StoreError> {
    let order_id: String = r.try_get(0)?;
    let data: Option<String> = r.try_get(3)?;
    let review = data
        .map(|d| decode("spot_checks", &order_id, &d))
        .transpose()?;
    Ok(SampledOrder {
        street_code: r.try_get(1)?,
        draw_id: r.try_get(2)?,
        order_id,
        review,
    })
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub states: Vec<OrderState>,
    pub street: Option<String>,
    pub assignee: Option<String>,
    pub requester: Option<String>,
    /// Any of these streets (empty: any street).
    pub streets: Vec<String>,
    /// Only orders of this kind.
    pub kind: Option<OrderKind>,
}

pub(crate) fn subject_street(s: &Subject) -> Option<String> {
    match s {
        Subject::Order { street_code, .. } => street_code.clone(),
        Subject::Punch { street_code, .. } | Subject::Volunteer { street_code, .. } => {
            Some(street_code.clone())
        }
    }
}

impl Store {
    /// Stores a new order.
    pub async fn insert_order(&self, order: &Order) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_order_row(&mut tx, order).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Seconds as the core measures them (whole milliseconds ÷ 1000) back to
/// the milliseconds they came from.
fn ms_of(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// The order's time to claim in milliseconds (the `claim_ms` column).
pub(crate) fn claim_ms(order: &Order) -> Option<i64> {
    order.time_to_claim_s().map(ms_of)
}

/// The order's time to resolution in milliseconds (`resolution_ms`).
pub(crate) fn resolution_ms(order: &Order) -> Option<i64> {
    order.resolution_time_s().map(ms_of)
}

/// A timing's summary from its count, sum (milliseconds) and median.
fn summary(count: i64, sum_ms: i64, median_s: Option<f64>) -> TimeSummary {
    TimeSummary {
        count: u64::try_from(count).unwrap_or(0),
        median_s,
        sum_s: sum_ms as f64 / 1000.0,
    }
}

/// The summary of `timing` in `a`.
fn summary_of(a: &mut OrderAggregates, timing: Timing) -> &mut TimeSummary {
    match timing {
        Timing::Claim => &mut a.time_to_claim,
        Timing::Resolution => &mut a.resolution,
    }
}

/// Which timing column an aggregate reads.
#[derive(Debug, Clone, Copy)]
enum Timing {
    Claim,
    Resolution,
}

impl Timing {
    /// Its name in `indicator_counters` and `timing_buckets`.
    fn name(self) -> &'static str {
        match self {
            Timing::Claim => "claim",
            Timing::Resolution => "resolution",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Timing::Claim => "claim_ms",
            Timing::Resolution => "resolution_ms",
        }
    }
}

/// The indicator counter of ratings with `score` (see [`CounterDeltas`]).
fn rating_counter(score: i64) -> String {
    format!("rating_{score}")
}

/// Differences to the `indicator_counters` rows (per street: orders held,
/// claimed and resolved with the sum of their times, ratings per score)
/// and to the `timing_buckets` histograms that one change makes, written
/// in the change's transaction, one statement per table. Applied in key
/// order, so two transactions never wait on each other's rows in a cycle;
/// differences that cancel out write nothing.
#[derive(Debug, Default)]
pub(crate) struct CounterDeltas {
    counters: BTreeMap<(String, String), (i64, i64)>,
    buckets: BTreeMap<(&'static str, String, i64), i64>,
}

impl CounterDeltas {
    pub(super) fn add(&mut self, street: &str, name: &str, n: i64, sum_ms: i64) {
        let e = self
            .counters
            .entry((street.to_string(), name.to_string()))
            .or_default();
        e.0 += n;
        e.1 += sum_ms;
    }

    /// Counts (`sign` 1) or uncounts (-1) an order's timings in `street`.
    fn timings(&mut self, street: &str, claim: Option<i64>, resolution: Option<i64>, sign: i64) {
        for (timing, ms) in [("claim", claim), ("resolution", resolution)] {
            if let Some(ms) = ms {
                self.add(street, timing, sign, sign * ms);
                *self
                    .buckets
                    .entry((timing, street.to_string(), timing_buckets::bucket_of(ms)))
                    .or_default() += sign;
            }
        }
    }

    pub(super) async fn apply(self, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
        let counters: Vec<_> = self
            .counters
            .into_iter()
            .filter(|(_, (n, sum_ms))| *n != 0 || *sum_ms != 0)
            .collect();
        if !counters.is_empty() {
            let values = super::row_placeholders(counters.len(), 4);
            // Only numbered placeholders are spliced in; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO indicator_counters (street_code, name, n, sum_ms) VALUES {}
                 ON CONFLICT (street_code, name) DO UPDATE
                 SET n = indicator_counters.n + excluded.n,
                     sum_ms = indicator_counters.sum_ms + excluded.sum_ms",
                values
            )));
            for ((street, name), (n, sum_ms)) in counters {
                q = q.bind(street).bind(name).bind(n).bind(sum_ms);
            }
            q.execute(&mut *conn).await?;
        }
        let buckets: Vec<_> = self.buckets.into_iter().filter(|(_, n)| *n != 0).collect();
        if !buckets.is_empty() {
            let values = super::row_placeholders(buckets.len(), 4);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO timing_buckets (timing, street_code, bucket, n) VALUES {}
                 ON CONFLICT (timing, street_code, bucket) DO UPDATE
                 SET n = timing_buckets.n + excluded.n",
                values
            )));
            for ((timing, street, bucket), n) in buckets {
                q = q.bind(timing).bind(street).bind(bucket).bind(n);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Counts a rating of `order_id` in its order's street and for its
/// assignee, inside the transaction that stores the rating.
pub(crate) async fn count_rating_in(
    conn: &mut sqlx::AnyConnection,
    order_id: &str,
    score: u8,
) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT street_code, assignee FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let street: String = row.try_get(0)?;
    let assignee: Option<String> = row.try_get(1)?;
    let mut d = CounterDeltas::default();
    d.add(&street, &rating_counter(i64::from(score)), 1, 0);
    rating_verdicts::derive_rating_verdict(conn, order_id, &mut d).await?;
    d.apply(conn).await?;
    // The assignee's ratings (the mean rating dispatch suggestions show).
    if let Some(assignee) = assignee {
        sqlx::query(
            "INSERT INTO assignee_ratings (assignee, n, score_sum) VALUES ($1, 1, $2)
             ON CONFLICT (assignee) DO UPDATE
             SET n = assignee_ratings.n + 1,
                 score_sum = assignee_ratings.score_sum + excluded.score_sum",
        )
        .bind(assignee)
        .bind(i64::from(score))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Inserts an order row on a connection inside a transaction (the intake
/// stores a need and its order in one), counting it in the indicator
/// counters.
pub(crate) async fn insert_order_row(
    conn: &mut sqlx::AnyConnection,
    order: &Order,
) -> Result<(), StoreError> {
    insert_order_rows(conn, std::slice::from_ref(order)).await
}

/// Rows per multi-row insert of orders (17 values each).
const ORDER_ROWS_PER_INSERT: usize = 100;

/// Inserts order rows on a connection inside a transaction, a hundred per
/// statement, and counts them in the indicator counters with one update
/// per street (a batch of needs files many orders in few streets).
pub(crate) async fn insert_order_rows(
    conn: &mut sqlx::AnyConnection,
    orders: &[Order],
) -> Result<(), StoreError> {
    let mut d = CounterDeltas::default();
    for chunk in orders.chunks(ORDER_ROWS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p: Vec<String> = (1..=17).map(|c| format!("${}", i * 17 + c)).collect();
                format!("({}, 1)", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO orders (id, need_id, kind, state, level, area_code, street_code, requester_id,
                                 assignee, category, deadline, version, data, created_at, updated_at,
                                 claim_ms, resolution_ms, timings_known)
             VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for order in chunk {
            q = q
                .bind(order.id.clone())
                .bind(
                    order
                        .need_id
                        .parse::<i64>()
                        .map_err(|_| StoreError::Corrupt {
                            table: "orders",
                            id: order.id.clone(),
                            reason: format!("need id {:?} is not a number", order.need_id),
                        })?,
                )
                .bind(order.kind.as_str())
                .bind(order.state.as_str())
                .bind(order.level.as_str())
                .bind(order.area_code.clone())
                .bind(order.street_code.clone())
                .bind(order.requester_id.clone())
                .bind(order.assignee.clone())
                .bind(order.category.clone())
                .bind(order.deadline.map(millis))
                .bind(order.version as i64)
                .bind(encode("orders", &order.id, order)?)
                .bind(millis(order.created_at))
                .bind(millis(order.created_at))
                .bind(claim_ms(order))
                .bind(resolution_ms(order));
            d.add(&order.street_code, "orders", 1, 0);
            d.timings(&order.street_code, claim_ms(order), resolution_ms(order), 1);
        }
        q.execute(&mut *conn)
            .await
            .map_err(conflict_on_unique(|| match chunk {
                [one] => format!("order {}", one.id),
                _ => format!(
                    "one of orders {}…{}",
                    chunk[0].id,
                    chunk[chunk.len() - 1].id
                ),
            }))?;
    }
    // An order filed already resolved (an on-site answer) has a verdict.
    for order in orders.iter().filter(|o| resolution_ms(o).is_some()) {
        rating_verdicts::derive_rating_verdict(conn, &order.id, &mut d).await?;
    }
    d.apply(conn).await
}

impl Store {
    pub async fn order(&self, id: &str) -> Result<Option<Order>, StoreError> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM orders WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        data.map(|d| decode("orders", id, &d)).transpose()
    }

    /// The orders (of `street`, or all) first resolved during `week`,
    /// through the index on the first resolution time (creation plus time
    /// to resolution): a week's orders, not the history.
    pub async fn orders_resolved_in(
        &self,
        week: Week,
        street: Option<&str>,
    ) -> Result<Vec<Order>, StoreError> {
        let Some((start, end)) = week.bounds() else {
            return Ok(Vec::new());
        };
        // The columns hold whole milliseconds (creation truncated, the
        // time to resolution rounded): a second's margin either side, then
        // the exact test on each order's history.
        let (from, to) = (millis(start) - 1000, millis(end) + 1000);
        let rows = match street {
            Some(st) => {
                sqlx::query(
                    "SELECT id, data FROM orders WHERE street_code = $1
                     AND created_at + resolution_ms >= $2 AND created_at + resolution_ms < $3",
                )
                .bind(st)
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT id, data FROM orders
                     WHERE created_at + resolution_ms >= $1 AND created_at + resolution_ms < $2",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?
            }
        };
        let orders: Vec<Order> = decode_rows("orders", &rows)?;
        let resolved: std::collections::HashSet<String> =
            resolved_in_week(&orders, week).into_iter().collect();
        Ok(orders
            .into_iter()
            .filter(|o| resolved.contains(&o.id))
            .collect())
    }

    /// Orders matching `filter`, oldest first. States, kind and streets
    /// are filtered in the database (through `orders_by_state` and
    /// `orders_by_state_kind`), so listing the open orders reads only
    /// those, however many closed ones the history holds.
    pub async fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError> {
        // Placeholders $7… for the states, then the streets.
        let mut next = 7;
        let mut list = |n: usize| {
            let p: Vec<String> = (next..next + n).map(|i| format!("${i}")).collect();
            next += n;
            p.join(", ")
        };
        let states = if filter.states.is_empty() {
            String::new()
        } else {
            format!(" AND state IN ({})", list(filter.states.len()))
        };
        let streets = if filter.streets.is_empty() {
            String::new()
        } else {
            format!(" AND street_code IN ({})", list(filter.streets.len()))
        };
        let kind = format!(" AND (${} OR kind = ${})", next, next + 1);
        let sql = format!(
            "SELECT id, data FROM orders
             WHERE ($1 OR street_code = $2) AND ($3 OR assignee = $4) AND ($5 OR requester_id = $6)
             {states}{streets}{kind}
             ORDER BY created_at, id"
        );
        // Only numbered placeholders are spliced in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(filter.street.is_none())
            .bind(filter.street.as_deref().unwrap_or(""))
            .bind(filter.assignee.is_none())
            .bind(filter.assignee.as_deref().unwrap_or(""))
            .bind(filter.requester.is_none())
            .bind(filter.requester.as_deref().unwrap_or(""));
        for s in &filter.states {
            q = q.bind(s.as_str());
        }
        for s in &filter.streets {
            q = q.bind(s.as_str());
        }
        let rows = q
            .bind(filter.kind.is_none())
            .bind(filter.kind.map_or("", |k| k.as_str()))
            .fetch_all(&self.pool)
            .await?;
        decode_rows("orders", &rows)
    }

    /// Open orders of `kind` filed at or before `filed_by`, oldest first,
    /// through `orders_by_state_kind_created`: an order opens when filed or
    /// later, so these hold every open order that has been open since
    /// `filed_by` or longer (the grab window's candidates), and no other
    /// open order is read however many wait.
    pub async fn open_orders_filed_by(
        &self,
        kind: OrderKind,
        filed_by: DateTime<Utc>,
    ) -> Result<Vec<Order>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data FROM orders
             WHERE state = $1 AND kind = $2 AND created_at <= $3
             ORDER BY created_at, id",
        )
        .bind(OrderState::Open.as_str())
        .bind(kind.as_str())
        .bind(millis(filed_by))
        .fetch_all(&self.pool)
        .await?;
        decode_rows("orders", &rows)
    }

    /// Orders still being worked on whose deadline passed before `now`
    /// (the overdue rule's candidates), through `orders_by_state_deadline`.
    /// With `since` (what an earlier run read up to), only those whose
    /// deadline passed at or after it: an order's deadline is set when it
    /// is filed, to a time after its filing, and an order never becomes
    /// active again once done, so every other overdue order was a
    /// candidate of an earlier run. The cost follows the deadlines that
    /// passed, not the orders in progress.
    pub async fn overdue_orders(
        &self,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Order>, StoreError> {
        let active: Vec<OrderState> = OrderState::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        let places = super::placeholders(3, active.len());
        let sql = format!(
            "SELECT id, data FROM orders
             WHERE state IN ({}) AND deadline IS NOT NULL AND deadline < $1 AND deadline >= $2
             ORDER BY created_at, id",
            places
        );
        // Only numbered placeholders are spliced in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(millis(now))
            .bind(since.map_or(i64::MIN, millis));
        for s in &active {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        decode_rows("orders", &rows)
    }

    /// Ratings of at most `max_score` given at or after `since` (all such
    /// ratings when `None`), with the orders they rate, for the low-rating
    /// rule: through `ratings_by_time`, so the background job reads only
    /// what arrived since its last run.
    pub async fn low_ratings_since(
        &self,
        max_score: u8,
        since: Option<DateTime<Utc>>,
    ) -> Result<(Vec<Rating>, Vec<Order>), StoreError> {
        let since = since.map_or(i64::MIN, millis);
        let rows = sqlx::query(
            "SELECT r.order_id, r.data, o.data FROM ratings r JOIN orders o ON o.id = r.order_id
             WHERE r.at >= $1 AND r.score <= $2 ORDER BY r.at, r.order_id",
        )
        .bind(since)
        .bind(i64::from(max_score))
        .fetch_all(&self.pool)
        .await?;
        let mut ratings = Vec::with_capacity(rows.len());
        let mut orders = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.get::<&str, _>(0);
            ratings.push(decode("ratings", id, r.get::<&str, _>(1))?);
            orders.push(decode("orders", id, r.get::<&str, _>(2))?);
        }
        Ok((ratings, orders))
    }

    /// One page of orders in the order of filing (by need id): those
    /// matching `filter` whose need id is above `after_need`, at most
    /// `limit`, each with its need id (the cursor). `involving` keeps the
    /// orders an account requested, holds or entered. Filtered and limited
    /// in the database, so a page costs the same however many orders
    /// there are.
    pub async fn orders_page(
        &self,
        filter: &OrderFilter,
        involving: Option<i64>,
        after_need: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Order)>, StoreError> {
        let states = filter
            .states
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let me = involving.map(|a| a.to_string()).unwrap_or_default();
        let rows = sqlx::query(
            "SELECT id, data, need_id FROM orders
             WHERE ($1 OR street_code = $2) AND ($3 OR assignee = $4) AND ($5 OR requester_id = $6)
               AND ($7 = '' OR ',' || $7 || ',' LIKE '%,' || state || ',%')
               AND ($8 OR requester_id = $9 OR assignee = $9
                    OR need_id IN (SELECT id FROM needs WHERE entered_by = $10))
               AND need_id > $11
             ORDER BY need_id LIMIT $12",
        )
        .bind(filter.street.is_none())
        .bind(filter.street.as_deref().unwrap_or(""))
        .bind(filter.assignee.is_none())
        .bind(filter.assignee.as_deref().unwrap_or(""))
        .bind(filter.requester.is_none())
        .bind(filter.requester.as_deref().unwrap_or(""))
        .bind(states)
        .bind(involving.is_none())
        .bind(me)
        .bind(involving.unwrap_or(0))
        .bind(after_need)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let order = decode("orders", r.get::<&str, _>(0), r.get::<&str, _>(1))?;
                Ok((r.try_get::<i64, _>(2)?, order))
            })
            .collect()
    }

    /// Fills the timing columns of orders written before they existed (or
    /// by tools that write rows directly), a thousand at a time: once,
    /// at start. Returns how many were filled.
    pub async fn fill_order_timings(&self) -> Result<usize, StoreError> {
        let mut filled = 0;
        loop {
            let rows = sqlx::query(
                "SELECT id, data, version, street_code, claim_ms, resolution_ms
                 FROM orders WHERE timings_known = 0 ORDER BY id LIMIT 1000",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(filled);
            }
            let mut tx = self.begin_write().await?;
            let mut d = CounterDeltas::default();
            for r in &rows {
                let order: Order = decode("orders", r.get::<&str, _>(0), r.get::<&str, _>(1))?;
                // At the version read: a row changed meanwhile got its
                // columns (and counters) from that change.
                let done = sqlx::query(
                    "UPDATE orders SET claim_ms = $1, resolution_ms = $2, timings_known = 1
                     WHERE id = $3 AND version = $4 AND timings_known = 0",
                )
                .bind(claim_ms(&order))
                .bind(resolution_ms(&order))
                .bind(&order.id)
                .bind(r.try_get::<i64, _>(2)?)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 1 {
                    let street: String = r.try_get(3)?;
                    let old_resolution: Option<i64> = r.try_get(5)?;
                    d.timings(&street, r.try_get(4)?, old_resolution, -1);
                    d.timings(&street, claim_ms(&order), resolution_ms(&order), 1);
                    if old_resolution.is_some() != resolution_ms(&order).is_some() {
                        rating_verdicts::derive_rating_verdict(&mut tx, &order.id, &mut d).await?;
                    }
                }
                filled += 1;
            }
            d.apply(&mut tx).await?;
            tx.commit().await?;
        }
    }

    /// The orders and ratings aggregated for the indicators, for the
    /// district and per street, at `now`. Counts and sums come from the
    /// indicator counters (a few rows per street, kept with every change);
    /// the overdue count from the active orders through the state index;
    /// medians from the middle rows of each timing index (see
    /// [`Store::median_ms`]). No order is read.
    pub async fn order_aggregates(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(OrderAggregates, BTreeMap<String, OrderAggregates>), StoreError> {
        let mut district = OrderAggregates::default();
        let mut streets: BTreeMap<String, OrderAggregates> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT street_code, name, n, sum_ms FROM indicator_counters ORDER BY street_code, name",
        )
        .fetch_all(&self.pool)
        .await?;
        // Per street: orders held, (count, sum) of each timing.
        let mut held: BTreeMap<String, (i64, [(i64, i64); 2])> = BTreeMap::new();
        for r in &rows {
            let street: String = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            let (n, sum): (i64, i64) = (r.try_get(2)?, r.try_get(3)?);
            let h = held.entry(street.clone()).or_default();
            match name.as_str() {
                "orders" => h.0 = n,
                "claim" => h.1[0] = (n, sum),
                "resolution" => h.1[1] = (n, sum),
                other => {
                    if let Some(score) = other
                        .strip_prefix("rating_")
                        .and_then(|s| s.parse::<u8>().ok())
                    {
                        let n = u64::try_from(n).unwrap_or(0);
                        if n > 0 {
                            *streets
                                .entry(street)
                                .or_default()
                                .rating_counts
                                .entry(score)
                                .or_default() += n;
                            *district.rating_counts.entry(score).or_default() += n;
                        }
                    }
                }
            }
        }
        for (i, timing) in [Timing::Claim, Timing::Resolution].into_iter().enumerate() {
            let histograms = self.timing_histograms(timing.name()).await?;
            let mut total = (0i64, 0i64);
            for (street, (orders, sums)) in &held {
                // A street is reported once it holds an order, as when
                // these were grouped over the orders.
                if *orders <= 0 {
                    continue;
                }
                let (count, sum) = sums[i];
                total = (total.0 + count, total.1 + sum);
                let median = self
                    .median_ms(timing, Some(street), count, &histograms)
                    .await?;
                let a = streets.entry(street.clone()).or_default();
                *summary_of(a, timing) = summary(count, sum, median);
            }
            let median = self.median_ms(timing, None, total.0, &histograms).await?;
            *summary_of(&mut district, timing) = summary(total.0, total.1, median);
        }
        let active: Vec<OrderState> = OrderState::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        let places = super::placeholders(2, active.len());
        // Only numbered placeholders are spliced in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT street_code, COUNT(*) FROM orders
             WHERE state IN ({}) AND deadline IS NOT NULL AND deadline < $1
             GROUP BY street_code",
            places
        )))
        .bind(millis(now));
        for s in &active {
            q = q.bind(s.as_str());
        }
        for r in q.fetch_all(&self.pool).await? {
            let n = u64::try_from(r.try_get::<i64, _>(1)?).unwrap_or(0);
            streets.entry(r.try_get(0)?).or_default().overdue = n;
            district.overdue += n;
        }
        Ok((district, streets))
    }

    /// What the server keeps with each change, recomputed from every
    /// order, rating and punch in one transaction: the indicator counters,
    /// the timing histograms, the rating verdicts and each assignee's
    /// ratings; volunteers with punches are marked for their duty hours
    /// to be filled at the next start. For tools that write rows directly
    /// (the synthetic district's loader), not for the server.
    pub async fn rebuild_indicator_counters(&self) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM indicator_counters")
            .execute(&mut *tx)
            .await?;
        for sql in [
            "INSERT INTO indicator_counters (street_code, name, n, sum_ms)
             SELECT street_code, 'orders', COUNT(*), 0 FROM orders GROUP BY street_code",
            "INSERT INTO indicator_counters (street_code, name, n, sum_ms)
             SELECT street_code, 'claim', COUNT(claim_ms), CAST(COALESCE(SUM(claim_ms), 0) AS BIGINT)
             FROM orders WHERE claim_ms IS NOT NULL GROUP BY street_code",
            "INSERT INTO indicator_counters (street_code, name, n, sum_ms)
             SELECT street_code, 'resolution', COUNT(resolution_ms),
                    CAST(COALESCE(SUM(resolution_ms), 0) AS BIGINT)
             FROM orders WHERE resolution_ms IS NOT NULL GROUP BY street_code",
            "INSERT INTO indicator_counters (street_code, name, n, sum_ms)
             SELECT o.street_code, 'rating_' || CAST(r.score AS TEXT), COUNT(*), 0
             FROM ratings r JOIN orders o ON o.id = r.order_id GROUP BY o.street_code, r.score",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        timing_buckets::rebuild_timing_buckets(&mut tx, self.backend).await?;
        rating_verdicts::rebuild_rating_verdicts(&mut tx).await?;
        for sql in [
            "DELETE FROM assignee_ratings",
            "INSERT INTO assignee_ratings (assignee, n, score_sum)
             SELECT o.assignee, COUNT(*), CAST(SUM(r.score) AS BIGINT)
             FROM ratings r JOIN orders o ON o.id = r.order_id
             WHERE o.assignee IS NOT NULL GROUP BY o.assignee",
            "INSERT INTO duty_hours_volunteers (volunteer_id, filled)
             SELECT DISTINCT volunteer_id, 0 FROM punches
             WHERE volunteer_id NOT IN (SELECT volunteer_id FROM duty_hours_volunteers)",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The median of a timing column over `count` orders with it, of one
    /// street or all (the mean of the two middle values for an even
    /// count, as the core computes it). Each middle rank is located in
    /// the timing's histogram, then read among its bucket's times through
    /// the column's index: a bucket's rows at most, not half the index.
    /// The ranks come from the histogram's own total, which moves with
    /// the rows in the same transactions (`count`, read a moment apart,
    /// may already differ under writes). Should the histogram be empty or
    /// a bucket hold fewer times than it says (rows written around the
    /// store), the index is walked to the middle instead.
    async fn median_ms(
        &self,
        timing: Timing,
        street: Option<&str>,
        count: i64,
        histograms: &Histograms,
    ) -> Result<Option<f64>, StoreError> {
        if count <= 0 {
            return Ok(None);
        }
        let histogram = match street {
            Some(s) => histograms.streets.get(s).map_or(&[][..], Vec::as_slice),
            None => histograms.district.as_slice(),
        };
        let held: i64 = histogram.iter().map(|(_, n)| n).sum();
        let ranks: Vec<i64> = if held % 2 == 1 {
            vec![(held - 1) / 2]
        } else {
            vec![held / 2 - 1, held / 2]
        };
        let mut values = Vec::with_capacity(2);
        if held > 0 {
            for rank in &ranks {
                let Some((bucket, offset)) = timing_buckets::locate(histogram, *rank) else {
                    break;
                };
                if let Some(v) = self.time_in_bucket(timing, street, bucket, offset).await? {
                    values.push(v);
                }
            }
        }
        if held <= 0 || values.len() != ranks.len() {
            values = self.middle_by_walk(timing, street, count).await?;
        }
        // Seconds exactly as the core has them (milliseconds ÷ 1000).
        let secs: Vec<f64> = values.iter().map(|v| *v as f64 / 1000.0).collect();
        Ok(match secs.as_slice() {
            [m] => Some(*m),
            [a, b] => Some((a + b) / 2.0),
            _ => None,
        })
    }

    /// The time of rank `offset` (0-based) among the times of `bucket`.
    async fn time_in_bucket(
        &self,
        timing: Timing,
        street: Option<&str>,
        bucket: i64,
        offset: i64,
    ) -> Result<Option<i64>, StoreError> {
        let (lo, hi) = timing_buckets::bounds_of(bucket);
        Ok(self
            .times_between(timing, street, (lo, hi), offset, 1)
            .await?
            .pop())
    }

    /// The middle one or two times of a timing column over `count`
    /// orders, read by walking the column's index up to the middle.
    async fn middle_by_walk(
        &self,
        timing: Timing,
        street: Option<&str>,
        count: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let take = if count % 2 == 1 { 1 } else { 2 };
        self.times_between(timing, street, (i64::MIN, i64::MAX), (count - 1) / 2, take)
            .await
    }

    /// `take` times of a timing column from rank `offset` (0-based) among
    /// those within `range` (inclusive), of one street or all, in order,
    /// through the column's index.
    async fn times_between(
        &self,
        timing: Timing,
        street: Option<&str>,
        (lo, hi): (i64, i64),
        offset: i64,
        take: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let col = timing.column();
        let (of_street, first) = match street {
            Some(_) => ("street_code = $1 AND ", 2),
            None => ("", 1),
        };
        let [a, b, c, d] = [first, first + 1, first + 2, first + 3];
        // Column names come from `Timing` only; values are bound.
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {col} FROM orders WHERE {of_street}{col} >= ${a} AND {col} <= ${b}
             ORDER BY {col} LIMIT ${c} OFFSET ${d}"
        )));
        if let Some(s) = street {
            q = q.bind(s);
        }
        Ok(q.bind(lo)
            .bind(hi)
            .bind(take)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Writes `changed` if the stored order is still at `expected_version`
    /// (and in `expected_state`): `false` when someone else got there first.
    /// The street column follows the order (a transfer moves it into the
    /// receiving street's lists, board and indicators).
    pub async fn update_order(
        &self,
        expected_version: u64,
        expected_state: OrderState,
        changed: &Order,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done =
            update_order_row(&mut tx, expected_version, expected_state, changed, now).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Records a rating; a second rating of the same order is a conflict.
    pub async fn insert_rating(&self, rating: &Rating) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO ratings (order_id, score, data, at) VALUES ($1, $2, $3, $4)")
            .bind(&rating.order_id)
            .bind(i64::from(rating.score))
            .bind(encode("ratings", &rating.order_id, rating)?)
            .bind(millis(rating.at))
            .execute(&mut *tx)
            .await
            .map_err(conflict_on_unique(|| {
                format!("a rating of order {}", rating.order_id)
            }))?;
        count_rating_in(&mut tx, &rating.order_id, rating.score).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn ratings(&self) -> Result<Vec<Rating>, StoreError> {
        let rows = sqlx::query("SELECT order_id, data FROM ratings ORDER BY at")
            .fetch_all(&self.pool)
            .await?;
        decode_rows("ratings", &rows)
    }

    /// Which of these dedup keys are held by a stored warning (read 500
    /// at a time through the keys' unique index).
    pub async fn existing_warning_keys(
        &self,
        keys: &[&str],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut found = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let places = super::placeholders(1, chunk.len());
            // Only numbered placeholders are spliced in; every value is bound.
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
                "SELECT dedup_key FROM warnings WHERE dedup_key IN ({})",
                places
            )));
            for k in chunk {
                q = q.bind(*k);
            }
            found.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(found)
    }

    /// Warnings with their row id and version, optionally of one street.
    pub async fn warnings(
        &self,
        street: Option<&str>,
    ) -> Result<Vec<(i64, i64, Warning)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, version, data FROM warnings WHERE ($1 OR street_code = $2) ORDER BY id",
        )
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let mut w: Warning = decode("warnings", &id.to_string(), r.get::<&str, _>(2))?;
                w.id = id.to_string();
                Ok((id, r.try_get(1)?, w))
            })
            .collect()
    }

    /// The warnings about one order, by id, through `warnings_by_order`
    /// (wherever they were raised: a transferred order's stay with their
    /// street).
    pub async fn warnings_about_order(&self, order_id: &str) -> Result<Vec<Warning>, StoreError> {
        let rows = sqlx::query("SELECT id, data FROM warnings WHERE order_id = $1 ORDER BY id")
            .bind(order_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let mut w: Warning = decode("warnings", &id.to_string(), r.get::<&str, _>(1))?;
                w.id = id.to_string();
                Ok(w)
            })
            .collect()
    }

    /// One page of warnings (optionally of one street) with ids above
    /// `after`, at most `limit`, by id: with their row id and version.
    pub async fn warnings_page(
        &self,
        street: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, i64, Warning)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, version, data FROM warnings
             WHERE ($1 OR street_code = $2) AND id > $3 ORDER BY id LIMIT $4",
        )
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let mut w: Warning = decode("warnings", &id.to_string(), r.get::<&str, _>(2))?;
                w.id = id.to_string();
                Ok((id, r.try_get(1)?, w))
            })
            .collect()
    }

    /// Open warnings whose escalation is due at `now` (or not known yet),
    /// with their row id and version, through `warnings_by_escalation`:
    /// the job reads only those, however many wait unhandled.
    pub async fn warnings_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64, Warning)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, version, data FROM warnings
             WHERE state = 'open' AND (escalate_at IS NULL OR escalate_at <= $1) ORDER BY id",
        )
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let mut w: Warning = decode("warnings", &id.to_string(), r.get::<&str, _>(2))?;
                w.id = id.to_string();
                Ok((id, r.try_get(1)?, w))
            })
            .collect()
    }

    /// Sets when each warning written before the `escalate_at` column
    /// existed next goes up a level: once, at start.
    pub async fn fill_warning_escalations(&self) -> Result<usize, StoreError> {
        let rows = sqlx::query("SELECT id, version, data FROM warnings WHERE escalate_at IS NULL")
            .fetch_all(&self.pool)
            .await?;
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let w: Warning = decode("warnings", &id.to_string(), r.get::<&str, _>(2))?;
            sqlx::query("UPDATE warnings SET escalate_at = $1 WHERE id = $2 AND version = $3")
                .bind(escalate_at(&w))
                .bind(id)
                .bind(r.try_get::<i64, _>(1)?)
                .execute(&mut *self.writer().await?)
                .await?;
        }
        Ok(rows.len())
    }

    pub async fn warning(&self, id: i64) -> Result<Option<(i64, Warning)>, StoreError> {
        let row = sqlx::query("SELECT version, data FROM warnings WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let mut w: Warning = decode("warnings", &id.to_string(), r.get::<&str, _>(1))?;
            w.id = id.to_string();
            Ok((r.try_get(0)?, w))
        })
        .transpose()
    }

    /// Moves the warnings about `order_id` that are still being handled
    /// (open or acknowledged) from `from_street` to `to_street`, after a
    /// transfer: the receiving street deals with them now. Resolved ones
    /// stay with the street that resolved them. Returns how many moved.
    pub async fn move_order_warnings(
        &self,
        order_id: &str,
        from_street: &str,
        to_street: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut moved = 0;
        for (id, _, mut w) in self.warnings(Some(from_street)).await? {
            let Subject::Order {
                order_id: of,
                street_code,
            } = &mut w.subject
            else {
                continue;
            };
            if of != order_id || w.state == lawcircle_core::orders::warning::WarningState::Resolved
            {
                continue;
            }
            *street_code = Some(to_street.to_string());
            let done = sqlx::query(
                "UPDATE warnings SET street_code = $1, version = version + 1, data = $2, updated_at = $3
                 WHERE id = $4 AND street_code = $5",
            )
            .bind(to_street)
            .bind(encode("warnings", &w.dedup_key, &w)?)
            .bind(millis(now))
            .bind(id)
            .bind(from_street)
            .execute(&mut *self.writer().await?)
            .await?;
            moved += done.rows_affected() as usize;
        }
        Ok(moved)
    }

    /// Writes a changed warning if still at `expected_version`.
    pub async fn update_warning(
        &self,
        id: i64,
        expected_version: i64,
        changed: &Warning,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE warnings SET state = $1, level = $2, version = version + 1, data = $3, updated_at = $4,
                                escalate_at = $7
             WHERE id = $5 AND version = $6",
        )
        .bind(changed.state.as_str())
        .bind(changed.level.as_str())
        .bind(encode("warnings", &changed.dedup_key, changed)?)
        .bind(millis(now))
        .bind(id)
        .bind(expected_version)
        .bind(escalate_at(changed))
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores a draw and adds its orders to the week's spot checks, in one
    /// transaction. An order drawn before (by an earlier draw) keeps its
    /// first draw and review.
    pub async fn insert_spot_check_draw(&self, draw: &DrawRecord) -> Result<(), StoreError> {
        let week = draw.week.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO spot_check_draws (id, week, street_code, drawn_by, drawn_at, data)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&draw.id)
        .bind(&week)
        .bind(&draw.street_code)
        .bind(&draw.drawn_by)
        .bind(millis(draw.drawn_at))
        .bind(encode("spot_check_draws", &draw.id, draw)?)
        .execute(&mut *tx)
        .await?;
        for (street, id) in draw.selection() {
            sqlx::query(
                "INSERT INTO spot_checks (order_id, week, drawn_at, draw_id, street_code)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (order_id) DO NOTHING",
            )
            .bind(id)
            .bind(&week)
            .bind(millis(draw.drawn_at))
            .bind(&draw.id)
            .bind(street)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The draws of a week, oldest first: all, or those of one street
    /// (its own draws and the district's).
    pub async fn spot_check_draws(
        &self,
        week: &str,
        street: Option<&str>,
    ) -> Result<Vec<DrawRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data FROM spot_check_draws
             WHERE week = $1 AND ($2 OR street_code = $3 OR street_code IS NULL)
             ORDER BY drawn_at, id",
        )
        .bind(week)
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        decode_rows("spot_check_draws", &rows)
    }

    /// One page of the draws of a week (all, or those of one street: its
    /// own and the district's), oldest first, after the draw at `after`
    /// (drawn at, in milliseconds; id), at most `limit`; each with its key.
    pub async fn spot_check_draws_page(
        &self,
        week: &str,
        street: Option<&str>,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<((i64, String), DrawRecord)>, StoreError> {
        let (at, id) = after.unwrap_or((i64::MIN, ""));
        let rows = sqlx::query(
            "SELECT id, data, drawn_at FROM spot_check_draws
             WHERE week = $1 AND ($2 OR street_code = $3 OR street_code IS NULL)
               AND (drawn_at > $4 OR (drawn_at = $5 AND id > $6))
             ORDER BY drawn_at, id LIMIT $7",
        )
        .bind(week)
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .bind(at)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                let draw = decode("spot_check_draws", &id, r.get::<&str, _>(1))?;
                Ok(((r.try_get::<i64, _>(2)?, id), draw))
            })
            .collect()
    }

    /// One page of the sampled orders of a week, all or of one street, by
    /// order id after `after`, at most `limit`.
    pub async fn spot_checks_page(
        &self,
        week: &str,
        street: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SampledOrder>, StoreError> {
        let rows = sqlx::query(
            "SELECT order_id, street_code, draw_id, data FROM spot_checks
             WHERE week = $1 AND ($2 OR street_code = $3) AND order_id > $4
             ORDER BY order_id LIMIT $5",
        )
        .bind(week)
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(sampled_order).collect()
    }

    /// The sampled orders of a week, all or of one street, by street and
    /// order id.
    pub async fn spot_checks(
        &self,
        week: &str,
        street: Option<&str>,
    ) -> Result<Vec<SampledOrder>, StoreError> {
        let rows = sqlx::query(
            "SELECT order_id, street_code, draw_id, data FROM spot_checks
             WHERE week = $1 AND ($2 OR street_code = $3)
             ORDER BY street_code, order_id",
        )
        .bind(week)
        .bind(street.is_none())
        .bind(street.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(sampled_order).collect()
    }

    /// Adds or replaces hotline call records by call id.
    pub async fn upsert_hotline_calls(&self, calls: &[HotlineCall]) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        for c in calls {
            sqlx::query(
                "INSERT INTO hotline_calls (call_id, started_at, data) VALUES ($1, $2, $3)
                 ON CONFLICT (call_id) DO UPDATE SET started_at = excluded.started_at, data = excluded.data",
            )
            .bind(&c.call_id)
            .bind(millis(c.started_at))
            .bind(encode("hotline_calls", &c.call_id, c)?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(calls.len())
    }

    pub async fn hotline_calls(&self) -> Result<Vec<HotlineCall>, StoreError> {
        let rows = sqlx::query("SELECT call_id, data FROM hotline_calls ORDER BY started_at")
            .fetch_all(&self.pool)
            .await?;
        decode_rows("hotline_calls", &rows)
    }
}

/// Writes `changed` inside the caller's transaction (the notifications
/// queued by the change go in the same one) if the stored order is still
/// at `expected_version` and in `expected_state`, with the differences it
/// makes to the indicator counters.
pub(crate) async fn update_order_row(
    conn: &mut sqlx::AnyConnection,
    expected_version: u64,
    expected_state: OrderState,
    changed: &Order,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // What the row counted for before the change, read with it. On
    // PostgreSQL one statement: the row is locked (`FOR UPDATE`) by the
    // CTE, re-checked against version and state once a concurrent writer
    // commits, and the values it held come back with `RETURNING`. On
    // SQLite (whose RETURNING gives only the new row) a read then the
    // update, both inside the write transaction, which holds the database.
    let sets = "state = $1, level = $2, area_code = $3, assignee = $4, version = $5,
                data = $6, updated_at = $7, street_code = $11,
                claim_ms = $12, resolution_ms = $13, timings_known = 1";
    let postgres = conn.backend_name() == "PostgreSQL";
    let before = if postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH old AS (SELECT id, street_code, claim_ms, resolution_ms FROM orders
                          WHERE id = $8 AND version = $9 AND state = $10 FOR UPDATE)
             UPDATE orders SET {sets} FROM old WHERE orders.id = old.id
             RETURNING old.street_code, old.claim_ms, old.resolution_ms"
        )))
    } else {
        sqlx::query(
            "SELECT street_code, claim_ms, resolution_ms FROM orders
             WHERE id = $1 AND version = $2 AND state = $3",
        )
        .bind(&changed.id)
        .bind(expected_version as i64)
        .bind(expected_state.as_str())
    };
    let update = |q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>| {
        Ok::<_, StoreError>(
            q.bind(changed.state.as_str())
                .bind(changed.level.as_str())
                .bind(changed.area_code.clone())
                .bind(changed.assignee.clone())
                .bind(changed.version as i64)
                .bind(encode("orders", &changed.id, changed)?)
                .bind(millis(now))
                .bind(changed.id.clone())
                .bind(expected_version as i64)
                .bind(expected_state.as_str())
                .bind(changed.street_code.clone())
                .bind(claim_ms(changed))
                .bind(resolution_ms(changed)),
        )
    };
    let before = if postgres {
        update(before)?.fetch_optional(&mut *conn).await?
    } else {
        let Some(before) = before.fetch_optional(&mut *conn).await? else {
            return Ok(false);
        };
        let done = update(sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE orders SET {sets} WHERE id = $8 AND version = $9 AND state = $10"
        ))))?
        .execute(&mut *conn)
        .await?;
        (done.rows_affected() == 1).then_some(before)
    };
    let Some(before) = before else {
        return Ok(false);
    };
    let old_street: String = before.try_get(0)?;
    let old_resolution: Option<i64> = before.try_get(2)?;
    let mut d = CounterDeltas::default();
    if old_resolution.is_some() != resolution_ms(changed).is_some()
        || (old_resolution.is_some() && old_street != changed.street_code)
    {
        rating_verdicts::derive_rating_verdict(conn, &changed.id, &mut d).await?;
    }
    d.timings(&old_street, before.try_get(1)?, old_resolution, -1);
    d.timings(
        &changed.street_code,
        claim_ms(changed),
        resolution_ms(changed),
        1,
    );
    if old_street != changed.street_code {
        d.add(&old_street, "orders", -1, 0);
        d.add(&changed.street_code, "orders", 1, 0);
        // A rating counts in its order's street: it moves with the order.
        let score: Option<i64> =
            sqlx::query_scalar("SELECT score FROM ratings WHERE order_id = $1")
                .bind(&changed.id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(score) = score {
            d.add(&old_street, &rating_counter(score), -1, 0);
            d.add(&changed.street_code, &rating_counter(score), 1, 0);
        }
    }
    d.apply(conn).await?;
    Ok(true)
}

/// What [`update_order_rows`] reads of a row before changing it: version,
/// state, street and the two timings it counts for.
type StoredRow = (i64, String, String, Option<i64>, Option<i64>);

/// One change of a batch for [`update_order_rows`]: `changed` is stored if
/// the order is still at `expected_version` and in `expected_state`.
pub(crate) struct OrderChangeRow<'a> {
    pub expected_version: u64,
    pub expected_state: OrderState,
    pub changed: &'a Order,
    pub now: DateTime<Utc>,
}

/// The most changes [`update_order_rows`] takes at once (13 values each).
pub(crate) const ORDER_CHANGES_PER_BATCH: usize = 64;

/// [`update_order_row`] for several orders (distinct ids, at most
/// [`ORDER_CHANGES_PER_BATCH`]) in three statements whatever their number:
/// the rows are read (and on PostgreSQL locked, in id order, so two
/// batches never wait on each other in a cycle), every change whose order
/// is still at its expected version and state is written by one
/// conditional update, and the indicator counters move once per street.
/// Returns, per change, whether it was stored.
pub(crate) async fn update_order_rows(
    conn: &mut sqlx::AnyConnection,
    rows: &[OrderChangeRow<'_>],
) -> Result<Vec<bool>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<&str> = rows.iter().map(|r| r.changed.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != rows.len() || rows.len() > ORDER_CHANGES_PER_BATCH {
        return Err(StoreError::Unsupported(format!(
            "a batch of order changes takes at most {ORDER_CHANGES_PER_BATCH} distinct orders"
        )));
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    let places = super::placeholders(1, ids.len());
    // Only numbered placeholders are spliced in; every value is bound.
    let mut read = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, version, state, street_code, claim_ms, resolution_ms FROM orders
         WHERE id IN ({}) ORDER BY id{}",
        places,
        if postgres { " FOR UPDATE" } else { "" }
    )));
    for id in &ids {
        read = read.bind(*id);
    }
    // What each row is and counts for now, by id.
    let mut current: std::collections::HashMap<String, StoredRow> =
        std::collections::HashMap::new();
    for r in read.fetch_all(&mut *conn).await? {
        current.insert(
            r.try_get(0)?,
            (
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
            ),
        );
    }
    let due: Vec<&OrderChangeRow<'_>> = rows
        .iter()
        .filter(|r| {
            current
                .get(&r.changed.id)
                .is_some_and(|(version, state, ..)| {
                    *version == r.expected_version as i64 && state == r.expected_state.as_str()
                })
        })
        .collect();
    let mut stored = std::collections::HashSet::new();
    if !due.is_empty() {
        const COLUMNS: [(&str, &str); 13] = [
            ("id", "TEXT"),
            ("state", "TEXT"),
            ("level", "TEXT"),
            ("area_code", "TEXT"),
            ("assignee", "TEXT"),
            ("version", "BIGINT"),
            ("data", "TEXT"),
            ("updated_at", "BIGINT"),
            ("street_code", "TEXT"),
            ("claim_ms", "BIGINT"),
            ("resolution_ms", "BIGINT"),
            ("expected_version", "BIGINT"),
            ("expected_state", "TEXT"),
        ];
        let mut n = 0;
        let values: Vec<String> = due
            .iter()
            .map(|_| {
                let cells: Vec<String> = COLUMNS
                    .iter()
                    .map(|(_, ty)| {
                        n += 1;
                        // Typed, so PostgreSQL knows each parameter's type.
                        format!("CAST(${n} AS {ty})")
                    })
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let names: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
        let sql = format!(
            "WITH v ({}) AS (VALUES {})
             UPDATE orders SET state = v.state, level = v.level, area_code = v.area_code,
                               assignee = v.assignee, version = v.version, data = v.data,
                               updated_at = v.updated_at, street_code = v.street_code,
                               claim_ms = v.claim_ms, resolution_ms = v.resolution_ms,
                               timings_known = 1
             FROM v
             WHERE orders.id = v.id AND orders.version = v.expected_version
               AND orders.state = v.expected_state
             RETURNING {}",
            names.join(", "),
            values.join(", "),
            // SQLite's RETURNING names only the updated table's columns.
            if postgres { "orders.id" } else { "id" }
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in &due {
            let o = r.changed;
            q = q
                .bind(o.id.clone())
                .bind(o.state.as_str())
                .bind(o.level.as_str())
                .bind(o.area_code.clone())
                .bind(o.assignee.clone())
                .bind(o.version as i64)
                .bind(encode("orders", &o.id, o)?)
                .bind(millis(r.now))
                .bind(o.street_code.clone())
                .bind(claim_ms(o))
                .bind(resolution_ms(o))
                .bind(r.expected_version as i64)
                .bind(r.expected_state.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            stored.insert(row.try_get::<String, _>(0)?);
        }
    }
    let mut d = CounterDeltas::default();
    for r in rows.iter().filter(|r| stored.contains(&r.changed.id)) {
        let Some((_, _, old_street, old_claim, old_resolution)) = current.get(&r.changed.id) else {
            continue;
        };
        let changed = r.changed;
        if old_resolution.is_some() != resolution_ms(changed).is_some()
            || (old_resolution.is_some() && *old_street != changed.street_code)
        {
            rating_verdicts::derive_rating_verdict(conn, &changed.id, &mut d).await?;
        }
        d.timings(old_street, *old_claim, *old_resolution, -1);
        d.timings(
            &changed.street_code,
            claim_ms(changed),
            resolution_ms(changed),
            1,
        );
        if *old_street != changed.street_code {
            d.add(old_street, "orders", -1, 0);
            d.add(&changed.street_code, "orders", 1, 0);
            let score: Option<i64> =
                sqlx::query_scalar("SELECT score FROM ratings WHERE order_id = $1")
                    .bind(&changed.id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if let Some(score) = score {
                d.add(old_street, &rating_counter(score), -1, 0);
                d.add(&changed.street_code, &rating_counter(score), 1, 0);
            }
        }
    }
    d.apply(conn).await?;
    Ok(rows
        .iter()
        .map(|r| stored.contains(&r.changed.id))
        .collect())
}

/// When a warning next goes up a level (the `escalate_at` column):
/// never (the largest time) once handled or at the top.
fn escalate_at(w: &Warning) -> i64 {
    w.escalation_due_at().map_or(i64::MAX, millis)
}

/// Raises a warning unless one with its dedup key exists, on the caller's
/// connection (the notifications to staff go in the same transaction):
/// `true` when this call raised it. Holds across server instances.
pub(crate) async fn raise_warning_in(
    conn: &mut sqlx::AnyConnection,
    warning: &Warning,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO warnings (dedup_key, rule_id, street_code, state, level, version, data, raised_at, updated_at,
                               escalate_at, order_id)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7, $8, $9)
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&warning.dedup_key)
    .bind(&warning.rule_id)
    .bind(subject_street(&warning.subject))
    .bind(warning.state.as_str())
    .bind(warning.level.as_str())
    .bind(encode("warnings", &warning.dedup_key, warning)?)
    .bind(millis(warning.raised_at))
    .bind(escalate_at(warning))
    .bind(match &warning.subject {
        Subject::Order { order_id, .. } => Some(order_id.as_str()),
        Subject::Punch { .. } | Subject::Volunteer { .. } => None,
    })
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a review of an order sampled in the review's week, of
/// `street` when given, on the caller's connection (the message to whoever
/// handled the order goes in the same transaction): `false` when there is
/// no such sampled order.
pub(crate) async fn record_spot_check_in(
    conn: &mut sqlx::AnyConnection,
    check: &SpotCheck,
    street: Option<&str>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE spot_checks SET data = $1
         WHERE order_id = $2 AND week = $3 AND ($4 OR street_code = $5)",
    )
    .bind(encode("spot_checks", &check.order_id, check)?)
    .bind(&check.order_id)
    .bind(check.week.to_string())
    .bind(street.is_none())
    .bind(street.unwrap_or(""))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod resolved_in_week_tests {
    use crate::store::OrderFilter;
    use chrono::{DateTime, Duration, Utc};
    use lawcircle_core::authz::Role;
    use lawcircle_core::catalogue::area::AreaLevel;
    use lawcircle_core::orders::order::{Actor, NewOrder, Order, OrderEvent, OrderKind};
    use lawcircle_core::orders::spot_check::{Week, resolved_in_week};

    /// An order created at `created`, resolved at `resolved` if given.
    fn order(
        n: usize,
        street: &str,
        created: DateTime<Utc>,
        resolved: Option<DateTime<Utc>>,
    ) -> Order {
        let mut o = Order::new(
            NewOrder {
                id: format!("O{n:03}"),
                need_id: n.to_string(),
                requester_id: "r".into(),
                kind: OrderKind::Consultation,
                category: "consultation".into(),
                urgent: false,
                level: AreaLevel::Street,
                area_code: street.into(),
                street_code: street.into(),
            },
            created,
            None,
        );
        o.apply(OrderEvent::Open, Actor::system("intake"), created)
            .unwrap();
        if let Some(at) = resolved {
            let me = Actor::user("7".to_string(), Role::Volunteer);
            let grab = OrderEvent::Grab {
                volunteer: "7".into(),
            };
            o.apply(grab, me.clone(), created).unwrap();
            o.apply(OrderEvent::Start, me.clone(), created).unwrap();
            let resolve = OrderEvent::Resolve {
                note: "答复".into(),
            };
            o.apply(resolve, me, at).unwrap();
        }
        o
    }

    #[tokio::test]
    async fn the_weeks_resolved_orders_are_those_of_all_orders() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "resolved_week").await {
            let week = Week {
                year: 2025,
                week: 10,
            };
            let (start, end) = week.bounds().unwrap();
            let mut orders: Vec<Order> = Vec::new();
            // Resolved at and around both bounds, to the millisecond, by
            // orders created at odd instants (sub-millisecond parts).
            for edge in [start, end] {
                for off_ms in [-1500, -1, 0, 1, 999] {
                    let resolved = edge + Duration::milliseconds(off_ms);
                    let created = resolved
                        - Duration::hours(30)
                        - Duration::nanoseconds(123_456 + 1000 * off_ms.abs());
                    let street = if off_ms % 2 == 0 { "S1" } else { "S2" };
                    orders.push(order(orders.len(), street, created, Some(resolved)));
                }
            }
            // Throughout the weeks before and after, and never resolved.
            for h in (0..21 * 24).step_by(7) {
                let created = start - Duration::days(7) + Duration::hours(h);
                let resolved = (h % 3 != 0).then(|| created + Duration::minutes(h * 13));
                orders.push(order(orders.len(), "S1", created, resolved));
            }
            for o in &orders {
                store.insert_order(o).await.unwrap();
            }
            let all = store.orders(&OrderFilter::default()).await.unwrap();
            for w in [
                Week {
                    year: 2025,
                    week: 9,
                },
                week,
                Week {
                    year: 2025,
                    week: 11,
                },
                Week {
                    year: 2025,
                    week: 53,
                },
            ] {
                let expected = resolved_in_week(&all, w);
                let mut got: Vec<String> = store
                    .orders_resolved_in(w, None)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|o| o.id)
                    .collect();
                got.sort();
                let mut want = expected.clone();
                want.sort();
                assert_eq!(got, want, "{w}");
                for street in ["S1", "S2"] {
                    let mut got: Vec<String> = store
                        .orders_resolved_in(w, Some(street))
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|o| o.id)
                        .collect();
                    got.sort();
                    let mut want: Vec<String> = all
                        .iter()
                        .filter(|o| o.street_code == street && expected.contains(&o.id))
                        .map(|o| o.id.clone())
                        .collect();
                    want.sort();
                    assert_eq!(got, want, "{w} {street}");
                }
            }
            assert!(resolved_in_week(&all, week).len() > 10);
            if store.backend() == crate::store::Backend::Sqlite {
                // Read through the index, not a walk of the orders.
                for (sql, index) in [
                    (
                        "EXPLAIN QUERY PLAN SELECT id, data FROM orders
                         WHERE created_at + resolution_ms >= 1 AND created_at + resolution_ms < 2",
                        "orders_by_resolved_at",
                    ),
                    (
                        "EXPLAIN QUERY PLAN SELECT id, data FROM orders WHERE street_code = 'S1'
                         AND created_at + resolution_ms >= 1 AND created_at + resolution_ms < 2",
                        "orders_by_street_resolved_at",
                    ),
                ] {
                    let rows = sqlx::query(sql).fetch_all(store.pool()).await.unwrap();
                    let detail: Vec<String> = rows
                        .iter()
                        .map(|r| sqlx::Row::try_get::<String, _>(r, 3).unwrap())
                        .collect();
                    assert!(detail.iter().any(|d| d.contains(index)), "{detail:?}");
                }
            }
        }
    }
}
