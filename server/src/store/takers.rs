//! What deciding whether an account may take orders needs of it, read in
//! one statement: its volunteer records, its punches received since the
//! oldest open clock-in could start and the duty posts of those punches;
//! for a grab, the order and its area's centroid too. A grab reads these
//! on every attempt, so one round trip instead of five is most of its
//! cost on PostgreSQL.

use super::volunteers::{StoredVolunteer, from_row_at};
use super::{Store, StoreError, decode, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::catalogue::area::AdminArea;
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::orders::order::Order;
use lawcircle_core::volunteers::punch::Punch;
use sqlx::Row;

/// An account's side of taking orders.
#[derive(Debug, Default)]
pub struct TakerInputs {
    /// Its volunteer or lawyer records, by id.
    pub volunteers: Vec<StoredVolunteer>,
    /// Its punches received since the time asked, in chain order.
    pub punches: Vec<Punch>,
    /// The duty posts of those punches (retired ones left out).
    pub posts: Vec<DutyPost>,
}

/// A grab's inputs: the order, where its need is when the order does not
/// keep the place (its area's centroid), and the taker's side.
#[derive(Debug, Default)]
pub struct GrabInputs {
    pub order: Option<Order>,
    pub area_centroid: Option<GeoPoint>,
    pub taker: TakerInputs,
}

/// The parts of the statement: each row says which it is in its first
/// column, then an id, an account id and a version (0 where a part has
/// none) and the stored document.
const TAKER_PARTS: &str = "
    SELECT 'v', id, account_id, version, data FROM volunteers WHERE account_id = $1
    UNION ALL
    SELECT 'p', id, 0, seq, data FROM punches WHERE volunteer_id = $2 AND received_at >= $3
    UNION ALL
    SELECT 'd', id, 0, 0, data FROM duty_posts WHERE NOT retired AND id IN (
        SELECT post_id FROM punches WHERE volunteer_id = $2 AND received_at >= $3)";

const ORDER_PARTS: &str = "
    UNION ALL
    SELECT 'o', id, 0, version, data FROM orders WHERE id = $4
    UNION ALL
    SELECT 'a', code, 0, 0, data FROM areas WHERE code = (SELECT area_code FROM orders WHERE id = $4)";

impl Store {
    /// The taker's side for `account_id`: punches received at or after
    /// `since`.
    pub async fn taker_inputs(
        &self,
        account_id: i64,
        since: DateTime<Utc>,
    ) -> Result<TakerInputs, StoreError> {
        Ok(self.read_inputs(account_id, since, None).await?.taker)
    }

    /// A grab's inputs for `order_id` by `account_id`.
    pub async fn grab_inputs(
        &self,
        order_id: &str,
        account_id: i64,
        since: DateTime<Utc>,
    ) -> Result<GrabInputs, StoreError> {
        self.read_inputs(account_id, since, Some(order_id)).await
    }

    async fn read_inputs(
        &self,
        account_id: i64,
        since: DateTime<Utc>,
        order_id: Option<&str>,
    ) -> Result<GrabInputs, StoreError> {
        let sql = match order_id {
            Some(_) => format!("{TAKER_PARTS}{ORDER_PARTS}"),
            None => TAKER_PARTS.to_string(),
        };
        // Fixed parts only; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(account_id.to_string())
            .bind(millis(since));
        if let Some(id) = order_id {
            q = q.bind(id.to_string());
        }
        // Planned once per connection (`lookups`): the parts read by index
        // whatever the values.
        let rows = q.fetch_all(&self.lookups).await?;
        let mut out = GrabInputs::default();
        let mut punches: Vec<(i64, Punch)> = Vec::new();
        for r in &rows {
            let part: String = r.try_get(0)?;
            let id: String = r.try_get(1)?;
            match part.as_str() {
                "v" => out.taker.volunteers.push(from_row_at(r, 1)?),
                "p" => punches.push((r.try_get(3)?, decode("punches", &id, r.try_get(4)?)?)),
                "d" => out
                    .taker
                    .posts
                    .push(decode("duty_posts", &id, r.try_get(4)?)?),
                "o" => out.order = Some(decode("orders", &id, r.try_get(4)?)?),
                "a" => {
                    let area: AdminArea = decode("areas", &id, r.try_get(4)?)?;
                    out.area_centroid = Some(area.centroid);
                }
                other => {
                    return Err(StoreError::Corrupt {
                        table: "takers",
                        id,
                        reason: format!("unknown part {other:?}"),
                    });
                }
            }
        }
        // One volunteer's chain, in order (the database is not asked to
        // sort a union).
        punches.sort_by_key(|(seq, _)| *seq);
        out.taker.punches = punches.into_iter().map(|(_, p)| p).collect();
        out.taker
            .volunteers
            .sort_by(|a, b| a.volunteer.id.cmp(&b.volunteer.id));
        out.taker.posts.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On PostgreSQL the read goes through connections that keep one
    /// generic plan: it is not planned again for its values, not even
    /// for the first executions, which PostgreSQL otherwise always plans
    /// for their values.
    #[tokio::test]
    async fn the_takers_read_is_planned_once_on_postgres() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "takers_plan").await {
            if store.postgres_url().is_none() {
                continue;
            }
            let mut conn = store.lookups.acquire().await.unwrap();
            let sql = format!("{TAKER_PARTS}{ORDER_PARTS}");
            for n in 0..7i64 {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(n)
                    .bind(n.to_string())
                    .bind(n * 1000)
                    .bind(format!("O{n}"))
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap();
            }
            let (generic, custom): (i64, i64) = sqlx::query_as(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements
                 WHERE statement LIKE '%FROM punches WHERE volunteer_id%'",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!((generic, custom), (7, 0));
        }
    }
}
