//! Why each resolved order is or is not rated (`rating_verdicts`), kept
//! per order with every change of its inputs and counted per street in
//! `indicator_counters` (`verdict:<verdict>`). The rating figures then read
//! the counters and the orders still awaiting a rating (through the index
//! on `awaiting_until`), not every resolved order with its rating,
//! request, links and call-backs.
//!
//! The rules are those of `unrated_reason`
//! ([`crate::api::ratings::report`]), in the same order: a rating first,
//! then the last call-back (refused, not reached), then the request (none;
//! in the app until it expires; by call-back; a link never delivered,
//! still valid, or expired). Only "until it expires" depends on the time:
//! the stored verdict is the one after the wait, and `awaiting_until` says
//! when the wait ends.

use super::orders::CounterDeltas;
use super::{Store, StoreError, millis};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::BTreeMap;

/// The verdict of resolved orders, with the end of their wait: the
/// orders matched by `{filter}` (a condition on `o`, the orders row).
const VERDICT_SELECT: &str = "
SELECT id, street_code, verdict,
       CASE verdict WHEN 'app_expired' THEN request_expires
                    WHEN 'link_expired' THEN link_expires END
FROM (SELECT o.id, o.street_code,
             CASE WHEN r.channel IS NOT NULL THEN 'rated:' || r.channel
             ELSE CASE (SELECT c.outcome FROM call_backs c WHERE c.order_id = o.id
                        ORDER BY c.at DESC, c.id DESC LIMIT 1)
                  WHEN 'refused' THEN 'declined'
                  WHEN 'not_reached' THEN 'not_reached'
                  ELSE CASE
                       WHEN q.order_id IS NULL THEN 'no_request'
                       WHEN q.channel = 'app' THEN 'app_expired'
                       WHEN q.channel = 'call_back' THEN 'awaiting_call_back'
                       WHEN COALESCE(q.sms_status, '') NOT IN ('sent', 'not_sent')
                            AND NOT EXISTS (SELECT 1 FROM rating_links l
                                            WHERE l.order_id = o.id AND l.via = 'qr')
                            THEN 'no_contact'
                       ELSE 'link_expired'
                       END
                  END
             END AS verdict,
             q.expires_at AS request_expires,
             (SELECT MAX(l.expires_at) FROM rating_links l WHERE l.order_id = o.id) AS link_expires
      FROM orders o
      LEFT JOIN ratings r ON r.order_id = o.id
      LEFT JOIN rating_requests q ON q.order_id = o.id
      WHERE o.resolution_ms IS NOT NULL AND {filter}) v";

/// The counter of orders with `verdict` in `indicator_counters`.
fn verdict_counter(verdict: &str) -> String {
    format!("verdict:{verdict}")
}

/// Derives `order_id`'s verdict again after one of its inputs changed,
/// inside the caller's transaction (after the change): writes its row
/// (removes it when the order is not resolved) and adds the counters'
/// differences to `deltas`, which the caller applies with its own.
///
/// On PostgreSQL the order's row is locked first, so two changes of one
/// order's inputs (a rating and a call-back at once) derive one after
/// the other, the second seeing the first, instead of each from its own
/// half.
pub(crate) async fn derive_rating_verdict(
    conn: &mut sqlx::AnyConnection,
    order_id: &str,
    deltas: &mut CounterDeltas,
) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE")
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
    }
    let before =
        sqlx::query("SELECT street_code, verdict FROM rating_verdicts WHERE order_id = $1")
            .bind(order_id)
            .fetch_optional(&mut *conn)
            .await?;
    // The filter is a fixed condition; the id is bound.
    let now = sqlx::query(sqlx::AssertSqlSafe(
        VERDICT_SELECT.replace("{filter}", "o.id = $1"),
    ))
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    let before: Option<(String, String)> = before
        .map(|r| Ok::<_, StoreError>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
    let after: Option<(String, String, Option<i64>)> = now
        .map(|r| Ok::<_, StoreError>((r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .transpose()?;
    if let Some((street, verdict)) = &before {
        deltas.add(street, &verdict_counter(verdict), -1, 0);
    }
    match &after {
        Some((street, verdict, until)) => {
            deltas.add(street, &verdict_counter(verdict), 1, 0);
            sqlx::query(
                "INSERT INTO rating_verdicts (order_id, street_code, verdict, awaiting_until)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (order_id) DO UPDATE SET street_code = excluded.street_code,
                   verdict = excluded.verdict, awaiting_until = excluded.awaiting_until",
            )
            .bind(order_id)
            .bind(street)
            .bind(verdict)
            .bind(*until)
            .execute(&mut *conn)
            .await?;
        }
        None if before.is_some() => {
            sqlx::query("DELETE FROM rating_verdicts WHERE order_id = $1")
                .bind(order_id)
                .execute(&mut *conn)
                .await?;
        }
        None => {}
    }
    Ok(())
}

/// Derives one order's verdict again and applies its counters, inside
/// the caller's transaction: for changes that count nothing else.
pub(crate) async fn derive_and_count(
    conn: &mut sqlx::AnyConnection,
    order_id: &str,
) -> Result<(), StoreError> {
    let mut d = CounterDeltas::default();
    derive_rating_verdict(conn, order_id, &mut d).await?;
    d.apply(conn).await
}

/// Derives every resolved order's verdict again, with their counters,
/// inside the caller's transaction (for tools that write rows directly,
/// and once for a database written before verdicts were kept). On
/// PostgreSQL the table is locked against writers first: a change
/// committing meanwhile then adds its difference after the rebuild
/// instead of being lost in it, and another instance rebuilding at the
/// same start waits and does the same work again, not a conflicting half.
pub(crate) async fn rebuild_rating_verdicts(
    conn: &mut sqlx::AnyConnection,
) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("LOCK TABLE rating_verdicts IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
    }
    for sql in [
        "DELETE FROM rating_verdicts",
        "DELETE FROM indicator_counters WHERE name LIKE 'verdict:%'",
    ] {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    // The filter is a fixed condition.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO rating_verdicts (order_id, street_code, verdict, awaiting_until) {}",
        VERDICT_SELECT.replace("{filter}", "1 = 1")
    )))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO indicator_counters (street_code, name, n, sum_ms)
         SELECT street_code, 'verdict:' || verdict, COUNT(*), 0
         FROM rating_verdicts GROUP BY street_code, verdict",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Derives every resolved order's verdict when none is kept yet but
    /// some order is resolved: once, when a database written before
    /// verdicts were kept is opened.
    pub(crate) async fn fill_rating_verdicts(&self) -> Result<bool, StoreError> {
        let kept: Option<i64> = sqlx::query_scalar("SELECT 1 FROM rating_verdicts LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let resolved: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM orders WHERE resolution_ms IS NOT NULL LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        if kept.is_some() || resolved.is_none() {
            return Ok(false);
        }
        let mut tx = self.begin_write().await?;
        rebuild_rating_verdicts(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many resolved orders each street holds by verdict at `now`:
    /// `rated:<channel>` for the rated ones, else why not (the reasons of
    /// [`crate::api::ratings::report::RatingCoverage`]). From the
    /// counters, less the orders still awaiting at `now` (read through
    /// the index of waits), which count as `awaiting`: no resolved order
    /// is read but those.
    pub async fn rating_verdicts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, String, u64)>, StoreError> {
        let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT street_code, name, n FROM indicator_counters
             WHERE name LIKE 'verdict:%' AND n <> 0",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let name: String = r.try_get(1)?;
            if let Some(verdict) = name.strip_prefix("verdict:") {
                *counts
                    .entry((r.try_get(0)?, verdict.to_string()))
                    .or_default() += r.try_get::<i64, _>(2)?;
            }
        }
        let waiting = sqlx::query(
            "SELECT street_code, verdict, COUNT(*) FROM rating_verdicts
             WHERE awaiting_until IS NOT NULL AND awaiting_until > $1
             GROUP BY street_code, verdict",
        )
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await?;
        for r in &waiting {
            let (street, verdict): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let n: i64 = r.try_get(2)?;
            *counts.entry((street.clone(), verdict)).or_default() -= n;
            *counts.entry((street, "awaiting".to_string())).or_default() += n;
        }
        Ok(counts
            .into_iter()
            .filter_map(|((street, verdict), n)| {
                u64::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .map(|n| (street, verdict, n))
            })
            .collect())
    }
}
