//! Personal data under PIPL: reading attachments, finding a person's
//! records for an export, and removing personal data (on request or by
//! retention) while what statistics need stays.
//!
//! What anonymising a need removes: the requester's name, phone and ID
//! number, the description, the address, the exact coordinates (of the
//! need and of where it was entered), the application's answers and
//! documents, the bytes of its attachments and the rating's comment.
//! What stays: the category, urgency, channel, street and area codes,
//! the application type and version, the consent record (notice version
//! and time), every timestamp, the order with its state history, and the
//! rating's score.

use super::needs::{NEED_COLUMNS, need_from_row};
use super::{AttachmentMeta, Store, StoreError, StoredNeed, decode, encode, from_millis, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::needs::NeedDraft;
use lawcircle_core::orders::order::OrderState;
use sqlx::Row;

/// An attachment's bytes, or when they were erased.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    pub meta: AttachmentMeta,
    /// Empty when erased.
    pub bytes: Vec<u8>,
    pub uploaded_by: i64,
    pub erased_at: Option<DateTime<Utc>>,
}

/// Removes the personal data from a need's record (see the module
/// comment for what stays).
pub fn anonymised(mut need: NeedDraft) -> NeedDraft {
    need.requester.name.clear();
    need.requester.phone.clear();
    need.requester.id_number = None;
    need.description.clear();
    need.location.address.clear();
    need.location.point = None;
    need.entered.point = None;
    need.attachments.clear();
    if let Some(app) = need.application.as_mut() {
        app.answers.clear();
        app.documents.clear();
    }
    need
}

impl Store {
    /// An attachment by its hash.
    pub async fn attachment(&self, sha256: &str) -> Result<Option<StoredAttachment>, StoreError> {
        let row = sqlx::query(
            "SELECT sha256, media_type, size, data, uploaded_by, erased_at FROM attachments WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let size: i64 = r.try_get(2)?;
            Ok(StoredAttachment {
                meta: AttachmentMeta {
                    sha256: r.try_get(0)?,
                    media_type: r.try_get(1)?,
                    size: u64::try_from(size).unwrap_or(0),
                },
                bytes: r.try_get(3)?,
                uploaded_by: r.try_get(4)?,
                erased_at: r.try_get::<Option<i64>, _>(5)?.map(from_millis),
            })
        })
        .transpose()
    }

    /// The needs an attachment belongs to.
    pub async fn needs_with_attachment(&self, sha256: &str) -> Result<Vec<StoredNeed>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS} FROM needs n LEFT JOIN orders o ON o.need_id = n.id
             JOIN need_attachments a ON a.need_id = n.id WHERE a.sha256 = $1 ORDER BY n.id"
        )))
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(need_from_row).collect()
    }

    /// The needs about a person: entered by the account, or whose
    /// requester's phone is `phone` (normalised mainland mobile). Reads
    /// every need once: an export is rare and must not miss a record.
    pub async fn needs_of_person(
        &self,
        account_id: Option<i64>,
        phone: Option<&str>,
    ) -> Result<Vec<StoredNeed>, StoreError> {
        use lawcircle_core::privacy::normalize_mobile;
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self
                .list_needs(&super::NeedFilter::default(), after, 500)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            out.extend(page.into_iter().filter(|n| {
                Some(n.entered_by) == account_id
                    || phone.is_some_and(|p| {
                        normalize_mobile(&n.need.requester.phone).is_ok_and(|q| q == p)
                    })
            }));
        }
        Ok(out)
    }

    /// Removes the personal data of a need, its attachments' bytes (unless
    /// another need still holding its data uses the same file) and its
    /// rating's comment. `false` when it was already anonymised.
    pub async fn anonymise_need(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT data FROM needs WHERE id = $1 AND anonymised_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        let key = id.to_string();
        let need: NeedDraft = decode("needs", &key, row.try_get::<&str, _>(0)?)?;
        sqlx::query(
            "UPDATE needs SET data = $1, anonymised_at = $2, updated_at = $2 WHERE id = $3",
        )
        .bind(encode("needs", &key, &anonymised(need))?)
        .bind(millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let files: Vec<String> =
            sqlx::query_scalar("SELECT sha256 FROM need_attachments WHERE need_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        // The links stay (a read of the file answers 410 Gone); the bytes
        // go unless a need still holding its personal data uses the same
        // file.
        for sha in files {
            sqlx::query(
                "UPDATE attachments SET data = $1, erased_at = $2
                 WHERE sha256 = $3 AND erased_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM need_attachments na JOIN needs n ON n.id = na.need_id
                                   WHERE na.sha256 = $3 AND n.anonymised_at IS NULL)",
            )
            .bind(Vec::<u8>::new())
            .bind(millis(now))
            .bind(&sha)
            .execute(&mut *tx)
            .await?;
        }
        let rating = sqlx::query(
            "SELECT r.order_id, r.data FROM ratings r JOIN orders o ON o.id = r.order_id WHERE o.need_id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = rating {
            let order_id: String = r.try_get(0)?;
            let mut rating: lawcircle_core::orders::rating::Rating =
                decode("ratings", &order_id, r.try_get::<&str, _>(1)?)?;
            rating.comment = None;
            sqlx::query("UPDATE ratings SET data = $1 WHERE order_id = $2")
                .bind(encode("ratings", &order_id, &rating)?)
                .bind(&order_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Needs filed before `before` whose case is over (resolved,
    /// evaluated, closed or cancelled) and whose personal data is still
    /// there: what the retention job anonymises. A case still being
    /// worked on is never anonymised by retention.
    pub async fn needs_past_retention(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let over = [
            OrderState::Resolved,
            OrderState::Evaluated,
            OrderState::Closed,
            OrderState::Cancelled,
        ];
        let rows = sqlx::query(
            "SELECT n.id, o.state FROM needs n LEFT JOIN orders o ON o.need_id = n.id
             WHERE n.created_at < $1 AND n.anonymised_at IS NULL ORDER BY n.id",
        )
        .bind(millis(before))
        .fetch_all(&self.pool)
        .await?;
        let mut ids = Vec::new();
        for r in rows {
            let state: Option<String> = r.try_get(1)?;
            if state
                .as_deref()
                .is_none_or(|s| over.iter().any(|o| o.as_str() == s))
            {
                ids.push(r.try_get(0)?);
            }
        }
        Ok(ids)
    }

    /// Erases the bytes of attachments uploaded before `before`
    /// (retention) unless a case still being worked on uses them; the
    /// hash and type stay. How many.
    pub async fn erase_attachments_before(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        // Run by the background job every few seconds: nothing is written
        // when no attachment is past its time (most runs), and what is
        // goes ahead of the writers in line (see `Turn`).
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM attachments WHERE erased_at IS NULL AND created_at < $1 LIMIT 1",
        )
        .bind(millis(before))
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE attachments SET data = $1, erased_at = $2 WHERE created_at < $3 AND erased_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM need_attachments na JOIN orders o ON o.need_id = na.need_id
                               WHERE na.sha256 = attachments.sha256
                                 AND o.state NOT IN ('resolved', 'evaluated', 'closed', 'cancelled'))",
        )
        .bind(Vec::<u8>::new())
        .bind(millis(now))
        .bind(millis(before))
        .execute(&mut *self.writer_taking(super::Turn::Ahead).await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// Removes an account's personal data: name, phone and ID number
    /// cleared, username replaced, disabled, every token revoked, its push
    /// devices (endpoint URLs and device tokens) deleted and its
    /// notifications not yet delivered withdrawn. The row stays (records
    /// refer to it by id).
    pub async fn anonymise_account(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE accounts SET username = $1, display_name = $2, phone = NULL, id_number = NULL,
                 password_hash = '!erased', disabled = 1 WHERE id = $3",
        )
        .bind(format!("erased-{id}"))
        .bind("已注销")
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        crate::notifications::devices::erase_account(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// A volunteer's punches (their whole chain), for an export.
    pub async fn punches_of(
        &self,
        volunteer_id: &str,
    ) -> Result<Vec<lawcircle_core::volunteers::punch::Punch>, StoreError> {
        self.punches(Some(volunteer_id), None).await
    }
}
