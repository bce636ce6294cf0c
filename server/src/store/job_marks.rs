//! The background job's read marks (`job_marks`): up to when it read what
//! arrives with a time, kept in the database so that a restarted process,
//! or the instance taking the job over, reads on from there instead of the
//! whole history.

use super::{Store, StoreError, Turn, millis};
use chrono::{DateTime, Utc};

impl Store {
    /// The mark `name` (none: no run has recorded it yet).
    pub async fn job_mark(&self, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let ms: Option<i64> = sqlx::query_scalar("SELECT until_ms FROM job_marks WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }

    /// Records the mark `name` at `until`: the background job's, so its
    /// turn comes ahead of the writers in line (SQLite; see `Turn`).
    pub async fn set_job_mark(&self, name: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO job_marks (name, until_ms) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET until_ms = EXCLUDED.until_ms",
        )
        .bind(name)
        .bind(millis(until))
        .execute(&mut *self.writer_taking(Turn::Ahead).await?)
        .await?;
        Ok(())
    }
}
