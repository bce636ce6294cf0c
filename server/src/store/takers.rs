//! What deciding whether an account may take orders needs of it, read in
//! one statement: its volunteer records, its punches received since the
//! oldest open clock-in could start and the duty posts of those punches;
//! for a grab, the order, its area's centroid and the caller's token too.
//! A grab reads these on every attempt, so one round trip instead of six
//! is most of its cost on PostgreSQL.

use super::accounts::{LIVE_TOKEN, TokenRecord, token_from_row};
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

/// The parts of the statement for the account whose id is the SQL
/// expression `account` (`account_text`: the same as text, as punches
/// name volunteers); `$3` is the time punches are read from. Each row
/// says which part it is in its first column, then an id, an account id
/// and a version (0 where a part has none) and the stored document.
fn taker_parts(account: &str, account_text: &str) -> String {
    format!(
        "
    SELECT 'v' AS part, id, account_id, version, data FROM volunteers WHERE account_id = {account}
    UNION ALL
    SELECT 'p', id, 0, seq, data FROM punches WHERE volunteer_id = {account_text} AND received_at >= $3
    UNION ALL
    SELECT 'd', id, 0, 0, data FROM duty_posts WHERE NOT retired AND id IN (
        SELECT post_id FROM punches WHERE volunteer_id = {account_text} AND received_at >= $3)"
    )
}

/// A grab's parts besides the taker's: the order `$4` and its area.
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
        let sql = taker_parts("$1", "$2");
        // Fixed parts only; every value is bound.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(account_id.to_string())
            .bind(millis(since))
            .fetch_all(&self.lookups)
            .await?;
        Ok(inputs_of(&rows, 0)?.taker)
    }

    /// A grab of `order_id` by the holder of the token whose hash is
    /// `token_hash`: the token's account and the grab's inputs, with
    /// punches received at or after `since`; `None` when the token is not
    /// live at `now`. The token is checked in the same statement as the
    /// rest: a grab storm is mostly these reads, and on PostgreSQL one
    /// round trip instead of two is a tenth of a grab's cost.
    pub async fn grab_inputs(
        &self,
        order_id: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<Option<(TokenRecord, GrabInputs)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(grab_statement()))
            .bind(token_hash)
            .bind(millis(now))
            .bind(millis(since))
            .bind(order_id)
            .fetch_all(&self.lookups)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        Ok(Some((
            token_from_row(first)?,
            inputs_of(&rows, CALLER_COLUMNS)?,
        )))
    }
}

/// The columns of the caller (the live token's account) ahead of each
/// part in the grab's statement.
const CALLER_COLUMNS: usize = 10;

/// The grab's statement: each part joined to the live token's account
/// (none: no row at all; no part: one row whose part is NULL). Planned
/// once per connection (`lookups`): every part is read by index whatever
/// the values.
fn grab_statement() -> String {
    let parts = taker_parts(
        "(SELECT id FROM caller)",
        "CAST((SELECT id FROM caller) AS TEXT)",
    );
    format!(
        "WITH caller AS ({LIVE_TOKEN})
         SELECT caller.*, parts.* FROM caller LEFT JOIN ({parts}{ORDER_PARTS}) parts ON 1 = 1"
    )
}

/// The parts of `rows`, whose part columns start at `first`.
fn inputs_of(rows: &[sqlx::any::AnyRow], first: usize) -> Result<GrabInputs, StoreError> {
    let mut out = GrabInputs::default();
    let mut punches: Vec<(i64, Punch)> = Vec::new();
    for r in rows {
        let Some(part) = r.try_get::<Option<String>, _>(first)? else {
            continue;
        };
        let id: String = r.try_get(first + 1)?;
        let data = || r.try_get::<&str, _>(first + 4);
        match part.as_str() {
            "v" => out.taker.volunteers.push(from_row_at(r, first + 1)?),
            "p" => punches.push((r.try_get(first + 3)?, decode("punches", &id, data()?)?)),
            "d" => out.taker.posts.push(decode("duty_posts", &id, data()?)?),
            "o" => out.order = Some(decode("orders", &id, data()?)?),
            "a" => {
                let area: AdminArea = decode("areas", &id, data()?)?;
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
    // One volunteer's chain, in order (the database is not asked to sort
    // a union).
    punches.sort_by_key(|(seq, _)| *seq);
    out.taker.punches = punches.into_iter().map(|(_, p)| p).collect();
    out.taker
        .volunteers
        .sort_by(|a, b| a.volunteer.id.cmp(&b.volunteer.id));
    out.taker.posts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewAccount;
    use chrono::Duration;

    /// The grab's one read answers for a live token only: its account
    /// with the order, and no row at all for a token unknown, expired or
    /// revoked, or of a disabled account. A live token with an order that
    /// does not exist still gets its account.
    #[tokio::test]
    async fn the_grab_read_checks_the_token_in_the_same_statement() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "takers_token").await {
            let now = Utc::now();
            let new = |username: &str| NewAccount {
                username: username.into(),
                display_name: "志愿者".into(),
                role: lawcircle_core::authz::Role::Volunteer,
                street_code: Some("330303001".into()),
                phone: Some("13800000000".into()),
                id_number: None,
                password_hash: "!".into(),
            };
            let account = store.create_account(new("v1"), now).await.unwrap();
            let disabled = store.create_account(new("v2"), now).await.unwrap();
            let hour = Duration::hours(1);
            for (hash, who, from) in [
                ("live", account.id, now),
                ("old", account.id, now - hour * 2),
                ("revoked", account.id, now),
                ("disabled", disabled.id, now),
            ] {
                store
                    .insert_token(hash, who, from, from + hour)
                    .await
                    .unwrap();
            }
            assert!(store.revoke_token("revoked", now).await.unwrap());
            store
                .set_account_disabled(disabled.id, true, now)
                .await
                .unwrap();
            store
                .insert_order(&crate::store::test_open_order(1, "330303001", now))
                .await
                .unwrap();
            let since = now - hour * 12;

            let (record, inputs) = store
                .grab_inputs("O1", "live", now, since)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(record.account.id, account.id);
            assert_eq!(record.account.username, "v1");
            assert_eq!(record.account.phone.as_deref(), Some("13800000000"));
            assert_eq!(
                record.expires_at.timestamp_millis(),
                (now + hour).timestamp_millis()
            );
            assert_eq!(inputs.order.map(|o| o.id).as_deref(), Some("O1"));
            let (record, inputs) = store
                .grab_inputs("O9", "live", now, since)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(record.account.id, account.id);
            assert!(inputs.order.is_none() && inputs.taker.volunteers.is_empty());
            for hash in ["unknown", "old", "revoked", "disabled"] {
                let found = store.grab_inputs("O1", hash, now, since).await.unwrap();
                assert!(found.is_none(), "{hash}: {found:?}");
            }
        }
    }

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
            for n in 0..7i64 {
                sqlx::query(sqlx::AssertSqlSafe(grab_statement()))
                    .bind(format!("token {n}"))
                    .bind(n)
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
