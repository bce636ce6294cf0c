//! The timing histograms behind the indicators' medians
//! (`timing_buckets`): per street and timing, how many orders have a time
//! in each bucket. Counts and sums are kept in `indicator_counters`; a
//! median needs the value at a rank, which no counter keeps. With the
//! histogram the rank is found among the buckets (a few hundred rows per
//! street, however long the history), and then among the times of one
//! bucket through the timing index, instead of walking half the index.
//!
//! Buckets are exact below 128 ms, then 64 per power of two (each under
//! 1.6 % of its times wide), numbered in the order of the times, so the
//! median is exact: the histogram only says where to look.

use super::{Backend, Store, StoreError};
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::BTreeMap;

/// Sub-buckets per power of two, as bits.
const SUB_BITS: u32 = 6;

/// Histogram rows per multi-row insert (4 values each).
const ROWS_PER_INSERT: usize = 200;

/// The bucket of a time in milliseconds: the time itself below 128 ms,
/// then 64 buckets per power of two, in the order of the times. Negative
/// times (a clock set back between two events) share bucket -1.
pub(crate) fn bucket_of(ms: i64) -> i64 {
    let Ok(v) = u64::try_from(ms) else {
        return -1;
    };
    if v < (2 << SUB_BITS) {
        return ms;
    }
    let e = 63 - v.leading_zeros();
    let sub = (v >> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1);
    (i64::from(e - SUB_BITS + 1) << SUB_BITS) | sub as i64
}

/// The first and the last time (inclusive) of a bucket.
pub(crate) fn bounds_of(bucket: i64) -> (i64, i64) {
    if bucket < 0 {
        return (i64::MIN, -1);
    }
    if bucket < (2 << SUB_BITS) {
        return (bucket, bucket);
    }
    let e = (bucket >> SUB_BITS) + i64::from(SUB_BITS) - 1;
    let shift = e - i64::from(SUB_BITS);
    let sub = bucket & ((1 << SUB_BITS) - 1);
    let lo = ((1i64 << SUB_BITS) + sub) << shift;
    (lo, lo + ((1i64 << shift) - 1))
}

/// Where the time of 0-based `rank` lies in a histogram given as
/// (bucket, count) in bucket order: its bucket and its rank among that
/// bucket's times. `None` past the last.
pub(crate) fn locate(histogram: &[(i64, i64)], rank: i64) -> Option<(i64, i64)> {
    let mut below = 0;
    for &(bucket, n) in histogram {
        if rank < below + n {
            return Some((bucket, rank - below));
        }
        below += n;
    }
    None
}

/// One timing's histograms: each street's and the district's (the sum of
/// the streets'), as (bucket, count) in bucket order, empty buckets left
/// out.
#[derive(Debug, Default)]
pub(crate) struct Histograms {
    pub streets: BTreeMap<String, Vec<(i64, i64)>>,
    pub district: Vec<(i64, i64)>,
}

impl Store {
    /// The histograms of `timing` (`claim` or `resolution`): one read of
    /// its non-empty buckets.
    pub(crate) async fn timing_histograms(&self, timing: &str) -> Result<Histograms, StoreError> {
        let rows = sqlx::query(
            "SELECT street_code, bucket, n FROM timing_buckets
             WHERE timing = $1 AND n <> 0 ORDER BY street_code, bucket",
        )
        .bind(timing)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Histograms::default();
        let mut district: BTreeMap<i64, i64> = BTreeMap::new();
        for r in &rows {
            let street: String = r.try_get(0)?;
            let (bucket, n): (i64, i64) = (r.try_get(1)?, r.try_get(2)?);
            out.streets.entry(street).or_default().push((bucket, n));
            *district.entry(bucket).or_default() += n;
        }
        out.district = district.into_iter().collect();
        Ok(out)
    }

    /// Fills the histograms from the orders when they are empty but some
    /// order has a time: once, when a database written before they
    /// existed is opened.
    pub(crate) async fn fill_timing_buckets(&self) -> Result<bool, StoreError> {
        let filled: Option<i64> = sqlx::query_scalar("SELECT 1 FROM timing_buckets LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let timed: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM orders WHERE claim_ms IS NOT NULL OR resolution_ms IS NOT NULL LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        if filled.is_some() || timed.is_none() {
            return Ok(false);
        }
        let mut tx = self.begin_write().await?;
        rebuild_timing_buckets(&mut tx, self.backend).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Recomputes every histogram from the orders, inside `conn`'s
/// transaction. On PostgreSQL the table is locked against writers first:
/// a change committing meanwhile then adds its difference after the
/// rebuild (which read the order before it) instead of being lost in it;
/// another instance rebuilding at the same start waits and finds the
/// rows.
pub(crate) async fn rebuild_timing_buckets(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE timing_buckets IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM timing_buckets")
        .execute(&mut *conn)
        .await?;
    let mut counts: BTreeMap<(&'static str, String, i64), i64> = BTreeMap::new();
    {
        let mut rows = sqlx::query(
            "SELECT street_code, claim_ms, resolution_ms FROM orders
             WHERE claim_ms IS NOT NULL OR resolution_ms IS NOT NULL",
        )
        .fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            let street: String = r.try_get(0)?;
            for (timing, ms) in [
                ("claim", r.try_get::<Option<i64>, _>(1)?),
                ("resolution", r.try_get::<Option<i64>, _>(2)?),
            ] {
                if let Some(ms) = ms {
                    *counts
                        .entry((timing, street.clone(), bucket_of(ms)))
                        .or_default() += 1;
                }
            }
        }
    }
    let rows: Vec<_> = counts.into_iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values = super::row_placeholders(chunk.len(), 4);
        // Only numbered placeholders are spliced in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO timing_buckets (timing, street_code, bucket, n) VALUES {}",
            values
        )));
        for ((timing, street, bucket), n) in chunk {
            q = q.bind(*timing).bind(street.clone()).bind(*bucket).bind(*n);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};
    use lawcircle_core::authz::Role;
    use lawcircle_core::orders::order::{Actor, OrderEvent};

    /// The median as the core computes it (the mean of the middle two
    /// for an even count).
    fn median(mut v: Vec<f64>) -> Option<f64> {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(v[n / 2]),
            _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }

    #[tokio::test]
    async fn medians_come_from_the_buckets_and_equal_a_walk_of_the_index() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "medians").await {
            let t0 = Utc::now() - Duration::days(2);
            let mut claimed: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for n in 0..61 {
                let street = if n % 3 == 0 { "330303002" } else { "330303001" };
                let o = crate::store::test_open_order(n, street, t0);
                store.insert_order(&o).await.unwrap();
                // Delays from milliseconds to hours, several per bucket.
                let ms = [7, 90, 127, 128, 131, 5_000, 5_001, 86_000, 3_600_000][n % 9]
                    + i64::try_from(n / 9).unwrap();
                let mut c = o.clone();
                c.apply(
                    OrderEvent::Grab {
                        volunteer: "v".into(),
                    },
                    Actor::user("v".to_string(), Role::Volunteer),
                    t0 + Duration::milliseconds(ms),
                )
                .unwrap();
                assert!(
                    store
                        .update_order(o.version, o.state, &c, t0)
                        .await
                        .unwrap()
                );
                let s = c.time_to_claim_s().unwrap();
                claimed.entry(street).or_default().push(s);
                claimed.entry("district").or_default().push(s);
            }
            let read = |store: Store| async move {
                let (district, streets) = store.order_aggregates(Utc::now()).await.unwrap();
                let mut out = BTreeMap::new();
                out.insert("district".to_string(), district.time_to_claim.median_s);
                for (s, a) in streets {
                    out.insert(s, a.time_to_claim.median_s);
                }
                out
            };
            let expected: BTreeMap<String, Option<f64>> = claimed
                .into_iter()
                .map(|(k, v)| (k.to_string(), median(v)))
                .collect();
            assert_eq!(read(store.clone()).await, expected, "{:?}", store.backend());
            // Without the histograms the index is walked: the same medians.
            sqlx::query("DELETE FROM timing_buckets")
                .execute(&store.pool)
                .await
                .unwrap();
            assert_eq!(read(store.clone()).await, expected, "{:?}", store.backend());
        }
    }

    #[test]
    fn buckets_follow_the_times_and_hold_them() {
        let mut samples: Vec<i64> = vec![-5, -1, 0, 1, 63, 64, 127, 128, 129, 130, 255, 256];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            samples.push((x >> (x % 40 + 1)) as i64);
        }
        samples.extend([i64::MAX, i64::MAX - 1, 1 << 62, (1 << 62) - 1]);
        samples.sort_unstable();
        let mut last = i64::MIN;
        for ms in samples {
            let b = bucket_of(ms);
            assert!(b >= last, "{ms}: bucket {b} after {last}");
            last = b;
            let (lo, hi) = bounds_of(b);
            assert!(
                lo <= ms && ms <= hi,
                "{ms} not in bucket {b} = [{lo}, {hi}]"
            );
            assert_eq!(bucket_of(lo), b);
            assert_eq!(bucket_of(hi), b);
            if b >= 0 && hi < i64::MAX {
                assert_eq!(bucket_of(hi + 1), b + 1, "buckets are contiguous at {hi}");
            }
            // Under 1.6 % wide beyond the exact ones.
            if lo > 128 {
                assert!((hi - lo) as f64 / lo as f64 <= 1.0 / 64.0);
            }
        }
    }

    #[test]
    fn a_rank_is_found_in_its_bucket() {
        let h = [(3, 2), (7, 1), (9, 4)];
        assert_eq!(locate(&h, 0), Some((3, 0)));
        assert_eq!(locate(&h, 1), Some((3, 1)));
        assert_eq!(locate(&h, 2), Some((7, 0)));
        assert_eq!(locate(&h, 6), Some((9, 3)));
        assert_eq!(locate(&h, 7), None);
        assert_eq!(locate(&[], 0), None);
    }
}
