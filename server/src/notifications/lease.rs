//! Claiming due rows of a delivery table with a lease, shared by the
//! account queue (`notification_deliveries`) and the number queue
//! (`phone_notifications`).
//!
//! A claim moves the row's due time forward by the lease (a crashed
//! worker's claims come due again) and counts the attempt, on the
//! condition that the row is still pending and due when it was read: of
//! two workers reading the same row, one wins.

use crate::state::AppState;
use crate::store::{StoreError, millis};
use chrono::{DateTime, Duration, Utc};

/// The tables whose rows are claimed this way; each has its statements
/// written out, so no SQL is assembled at run time.
#[derive(Debug, Clone, Copy)]
pub enum LeasedTable {
    AccountDeliveries,
    PhoneMessages,
}

impl LeasedTable {
    /// The due rows, oldest first, with the due time the claim checks.
    fn due_sql(self) -> &'static str {
        match self {
            LeasedTable::AccountDeliveries => {
                "SELECT id, next_attempt_at FROM notification_deliveries
                 WHERE state = 'pending' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, id LIMIT $2"
            }
            LeasedTable::PhoneMessages => {
                "SELECT id, next_attempt_at FROM phone_notifications
                 WHERE state = 'pending' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, id LIMIT $2"
            }
        }
    }

    /// The conditional claim of one row.
    fn claim_sql(self) -> &'static str {
        match self {
            LeasedTable::AccountDeliveries => {
                "UPDATE notification_deliveries
                 SET next_attempt_at = $1, attempts = attempts + 1, updated_at = $2
                 WHERE id = $3 AND state = 'pending' AND next_attempt_at = $4"
            }
            LeasedTable::PhoneMessages => {
                "UPDATE phone_notifications
                 SET next_attempt_at = $1, attempts = attempts + 1, updated_at = $2
                 WHERE id = $3 AND state = 'pending' AND next_attempt_at = $4"
            }
        }
    }
}

/// Claims up to `limit` due rows of `table` in one transaction and
/// returns the ids this worker won, oldest due first.
pub async fn claim_due_ids(
    state: &AppState,
    table: LeasedTable,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let due: Vec<(i64, i64)> = sqlx::query_as(table.due_sql())
        .bind(millis(now))
        .bind(limit)
        .fetch_all(state.store.pool())
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let mut won = Vec::with_capacity(due.len());
    let mut tx = state.store.begin_write().await?;
    for (id, was_due) in due {
        let done = sqlx::query(table.claim_sql())
            .bind(millis(now + lease))
            .bind(millis(now))
            .bind(id)
            .bind(was_due)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 1 {
            won.push(id);
        }
    }
    tx.commit().await?;
    Ok(won)
}
