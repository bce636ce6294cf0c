//! The audit log of reads of full personal data (who, what, when, why).

use super::{Store, StoreError, from_millis, millis};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

/// An entry to write.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub actor_role: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    /// The fields shown in full, e.g. `phone,id_number`.
    pub fields: String,
    pub reason: String,
    /// The request id the server made for this request.
    pub request_id: Option<String>,
    /// The `x-request-id` the caller sent, if any: the caller's own
    /// correlation id, never taken as the request's id.
    pub client_request_id: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub actor_role: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub fields: String,
    pub reason: String,
    /// Made by the server (a UUID); the caller cannot choose it.
    pub request_id: Option<String>,
    /// What the caller sent as `x-request-id`, kept only as the caller's
    /// correlation id (at most 100 printable ASCII characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
}

impl Store {
    pub async fn append_audit(&self, e: NewAuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor_role, action, subject_type, subject_id, fields, reason, request_id, client_request_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(millis(e.at))
        .bind(e.actor_id)
        .bind(e.actor_role)
        .bind(e.action)
        .bind(e.subject_type)
        .bind(e.subject_id)
        .bind(e.fields)
        .bind(e.reason)
        .bind(e.request_id)
        .bind(e.client_request_id)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(())
    }

    /// Entries after `after_id`, oldest first, optionally for one subject.
    pub async fn audit_entries(
        &self,
        subject: Option<(&str, &str)>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let (t, id) = subject.unwrap_or(("", ""));
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_role, action, subject_type, subject_id, fields, reason, request_id, client_request_id
             FROM audit_log WHERE id > $1 AND ($2 OR (subject_type = $3 AND subject_id = $4))
             ORDER BY id LIMIT $5",
        )
        .bind(after_id)
        .bind(subject.is_none())
        .bind(t)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: r.try_get(0)?,
        at: from_millis(r.try_get(1)?),
        actor_id: r.try_get(2)?,
        actor_role: r.try_get(3)?,
        action: r.try_get(4)?,
        subject_type: r.try_get(5)?,
        subject_id: r.try_get(6)?,
        fields: r.try_get(7)?,
        reason: r.try_get(8)?,
        request_id: r.try_get(9)?,
        client_request_id: r.try_get(10)?,
    })
}

impl Store {
    /// Entries about any of `subjects` ((type, id) pairs) or written by
    /// `actor_id`, oldest first: a person's part of the log for an export.
    pub async fn audit_entries_of_person(
        &self,
        actor_id: i64,
        subjects: &[(String, String)],
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut by_id = std::collections::BTreeMap::new();
        for (t, id) in subjects {
            let mut after = 0;
            loop {
                let page = self.audit_entries(Some((t, id)), after, 1000).await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                by_id.extend(page.into_iter().map(|e| (e.id, e)));
            }
        }
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_role, action, subject_type, subject_id, fields, reason, request_id, client_request_id
             FROM audit_log WHERE actor_id = $1 ORDER BY id",
        )
        .bind(actor_id)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let e = entry_from_row(r)?;
            by_id.insert(e.id, e);
        }
        Ok(by_id.into_values().collect())
    }

    /// Deletes audit entries older than `before` (retention); how many.
    /// The background job's: nothing is written when no entry is past its
    /// time (most runs), and what is goes ahead of the writers in line
    /// (see `Turn`).
    pub async fn delete_audit_before(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let due: Option<i64> = sqlx::query_scalar("SELECT 1 FROM audit_log WHERE at < $1 LIMIT 1")
            .bind(millis(before))
            .fetch_optional(&self.pool)
            .await?;
        if due.is_none() {
            return Ok(0);
        }
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(millis(before))
            .execute(&mut *self.writer_taking(super::Turn::Ahead).await?)
            .await?;
        Ok(done.rows_affected())
    }
}
