//! A rating from every requester: the rating request made when an order
//! is resolved, one-time rating links (stored as hashes), staff
//! call-backs (回访), SMS verification codes of resident accounts and the
//! record of SMS sends behind the per-number and per-client limits.

use super::rating_verdicts;
use super::{Store, StoreError, conflict_on_unique, encode, from_millis, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::orders::order::{Order, OrderState};
use lawcircle_core::orders::rating::Rating;
use sqlx::Row;

/// How a requester is asked for a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// In the app: the requester has an account.
    App,
    /// A one-time link to the public rating page (SMS, QR code).
    Link,
    /// A staff call-back (回访), e.g. for hotline requesters.
    CallBack,
}

impl RatingChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            RatingChannel::App => "app",
            RatingChannel::Link => "link",
            RatingChannel::CallBack => "call_back",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::App, Self::Link, Self::CallBack]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// The rating request of one resolved order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRequest {
    pub order_id: String,
    pub channel: RatingChannel,
    pub street_code: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Links only: `sent`, `failed`, `disabled` or `not_sent`.
    pub sms_status: Option<String>,
    pub sms_detail: Option<String>,
}

/// What a rating link's token leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingLink {
    pub order_id: String,
    pub via: String,
    pub expires_at: DateTime<Utc>,
}

/// The outcome of a staff call-back.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CallBackOutcome {
    /// The requester answered.
    Reached,
    /// Nobody answered, or a wrong number.
    NotReached,
    /// The requester declined to rate.
    Refused,
}

impl CallBackOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CallBackOutcome::Reached => "reached",
            CallBackOutcome::NotReached => "not_reached",
            CallBackOutcome::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Reached, Self::NotReached, Self::Refused]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A recorded call-back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CallBackRecord {
    pub id: i64,
    pub order_id: String,
    pub by_account: i64,
    pub at: DateTime<Utc>,
    pub outcome: CallBackOutcome,
    pub score: Option<u8>,
    pub note: String,
}

/// A verification code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub id: i64,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: i64,
}

impl Store {
    /// Records the rating request of a resolved order (once: a second
    /// resolution after a reopening keeps the first request).
    pub async fn insert_rating_request(&self, r: &RatingRequest) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO rating_requests (order_id, channel, street_code, created_at, expires_at, sms_status, sms_detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING",
        )
        .bind(&r.order_id)
        .bind(r.channel.as_str())
        .bind(&r.street_code)
        .bind(millis(r.created_at))
        .bind(millis(r.expires_at))
        .bind(&r.sms_status)
        .bind(&r.sms_detail)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            rating_verdicts::derive_and_count(&mut tx, &r.order_id).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn rating_requests(&self) -> Result<Vec<RatingRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT order_id, channel, street_code, created_at, expires_at, sms_status, sms_detail
             FROM rating_requests ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let order_id: String = r.try_get(0)?;
                let channel: String = r.try_get(1)?;
                Ok(RatingRequest {
                    channel: RatingChannel::parse(&channel).ok_or_else(|| StoreError::Corrupt {
                        table: "rating_requests",
                        id: order_id.clone(),
                        reason: format!("unknown channel {channel:?}"),
                    })?,
                    order_id,
                    street_code: r.try_get(2)?,
                    created_at: from_millis(r.try_get(3)?),
                    expires_at: from_millis(r.try_get(4)?),
                    sms_status: r.try_get(5)?,
                    sms_detail: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// Stores a new rating link by the hash of its token.
    pub async fn insert_rating_link(
        &self,
        token_hash: &str,
        order_id: &str,
        via: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO rating_links (token_hash, order_id, via, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(order_id)
        .bind(via)
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&mut *tx)
        .await?;
        rating_verdicts::derive_and_count(&mut tx, order_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The link a token's hash names.
    pub async fn rating_link(&self, token_hash: &str) -> Result<Option<RatingLink>, StoreError> {
        let row =
            sqlx::query("SELECT order_id, via, expires_at FROM rating_links WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(RatingLink {
                order_id: r.try_get(0)?,
                via: r.try_get(1)?,
                expires_at: from_millis(r.try_get(2)?),
            })
        })
        .transpose()
    }

    /// Every order's links: how each was given (`sms`, `qr`) and when it
    /// expires.
    pub async fn rating_links_by_order(
        &self,
    ) -> Result<std::collections::HashMap<String, Vec<(String, DateTime<Utc>)>>, StoreError> {
        let rows = sqlx::query("SELECT order_id, via, expires_at FROM rating_links")
            .fetch_all(&self.pool)
            .await?;
        let mut out: std::collections::HashMap<String, Vec<(String, DateTime<Utc>)>> =
            std::collections::HashMap::new();
        for r in &rows {
            out.entry(r.try_get(0)?)
                .or_default()
                .push((r.try_get(1)?, from_millis(r.try_get(2)?)));
        }
        Ok(out)
    }

    /// Stores an order's change (if it is still as `expected`) and its
    /// rating (and the call-back that gave it) in one transaction: all or
    /// nothing, so a retry after a failure is never refused as a duplicate.
    /// `None` when the order changed meanwhile, else the id of the stored
    /// call-back, if any; a second rating is a conflict.
    pub async fn rate_order(
        &self,
        expected_version: u64,
        expected_state: OrderState,
        changed: &Order,
        rating: &Rating,
        channel: RatingChannel,
        call_back: Option<(&CallBackRecord, DateTime<Utc>)>,
    ) -> Result<Option<Option<i64>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE orders SET state = $1, version = $2, data = $3, updated_at = $4
             WHERE id = $5 AND version = $6 AND state = $7",
        )
        .bind(changed.state.as_str())
        .bind(changed.version as i64)
        .bind(encode("orders", &changed.id, changed)?)
        .bind(millis(rating.at))
        .bind(&changed.id)
        .bind(expected_version as i64)
        .bind(expected_state.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO ratings (order_id, score, data, at, channel) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&rating.order_id)
        .bind(i64::from(rating.score))
        .bind(encode("ratings", &rating.order_id, rating)?)
        .bind(millis(rating.at))
        .bind(channel.as_str())
        .execute(&mut *tx)
        .await
        .map_err(conflict_on_unique(|| {
            format!("a rating of order {}", rating.order_id)
        }))?;
        super::orders::count_rating_in(&mut tx, &rating.order_id, rating.score).await?;
        let call_back_id = match call_back {
            Some((cb, at)) => Some(insert_call_back(&mut tx, cb, at).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(Some(call_back_id))
    }

    /// Records a call-back that gave no rating.
    pub async fn insert_call_back(
        &self,
        cb: &CallBackRecord,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = insert_call_back(&mut tx, cb, at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The call-backs about one order, oldest first, through
    /// `call_backs_by_order`.
    pub async fn call_backs_of(&self, order_id: &str) -> Result<Vec<CallBackRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, order_id, by_account, at, outcome, score, note FROM call_backs
             WHERE order_id = $1 ORDER BY at, id",
        )
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let outcome: String = r.try_get(4)?;
                let score: Option<i64> = r.try_get(5)?;
                Ok(CallBackRecord {
                    id,
                    order_id: r.try_get(1)?,
                    by_account: r.try_get(2)?,
                    at: from_millis(r.try_get(3)?),
                    outcome: CallBackOutcome::parse(&outcome).ok_or_else(|| {
                        StoreError::Corrupt {
                            table: "call_backs",
                            id: id.to_string(),
                            reason: format!("unknown outcome {outcome:?}"),
                        }
                    })?,
                    score: score.and_then(|s| u8::try_from(s).ok()),
                    note: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// The channel each rating came by, by order id.
    pub async fn rating_channels(
        &self,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let rows = sqlx::query("SELECT order_id, channel FROM ratings")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
            .collect()
    }

    /// The resident account whose verified mobile is `phone`, if any.
    pub async fn resident_with_verified_phone(
        &self,
        phone: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM accounts WHERE phone = $1 AND role = 'resident'
               AND phone_verified_at IS NOT NULL AND disabled = 0 ORDER BY id LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Marks an account's mobile number as verified.
    pub async fn mark_phone_verified(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET phone_verified_at = $1 WHERE id = $2")
            .bind(millis(now))
            .bind(account_id)
            .execute(&mut *self.writer().await?)
            .await?;
        Ok(())
    }

    /// The newest unused code of a number for a purpose.
    pub async fn latest_sms_code(
        &self,
        phone_hash: &str,
        purpose: &str,
    ) -> Result<Option<StoredCode>, StoreError> {
        let row = sqlx::query(
            "SELECT id, code_hash, expires_at, attempts FROM sms_codes
             WHERE phone_hash = $1 AND purpose = $2 AND used_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(phone_hash)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredCode {
                id: r.try_get(0)?,
                code_hash: r.try_get(1)?,
                expires_at: from_millis(r.try_get(2)?),
                attempts: r.try_get(3)?,
            })
        })
        .transpose()
    }

    /// Counts a wrong attempt; returns the attempts now recorded.
    pub async fn count_code_attempt(&self, id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
        )
        .bind(id)
        .fetch_one(&mut *self.writer().await?)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Uses a code up; `false` when it was used meanwhile (once only).
    pub async fn use_sms_code(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE sms_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(millis(now))
                .bind(id)
                .execute(&mut *self.writer().await?)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The need filed with this tracking code's hash.
    pub async fn need_id_by_tracking(
        &self,
        tracking_hash: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM needs WHERE tracking_hash = $1")
                .bind(tracking_hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

async fn insert_call_back(
    tx: &mut sqlx::AnyConnection,
    cb: &CallBackRecord,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO call_backs (order_id, by_account, at, outcome, score, note)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&cb.order_id)
    .bind(cb.by_account)
    .bind(millis(at))
    .bind(cb.outcome.as_str())
    .bind(cb.score.map(i64::from))
    .bind(&cb.note)
    .fetch_one(&mut *tx)
    .await?;
    rating_verdicts::derive_and_count(tx, &cb.order_id).await?;
    Ok(row.try_get(0)?)
}

impl Store {
    /// The account needs filed without an account are entered by: made
    /// on first use, disabled (it never signs in).
    pub async fn public_intake_account(&self, now: DateTime<Utc>) -> Result<i64, StoreError> {
        const USERNAME: &str = "public-intake";
        sqlx::query(
            "INSERT INTO accounts (username, display_name, role, street_code, phone, id_number, password_hash, disabled, created_at)
             VALUES ($1, '群众自助提交 (no account)', 'resident', NULL, NULL, NULL, '!', 1, $2)
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(USERNAME)
        .bind(millis(now))
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
                .bind(USERNAME)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Counts a filing without an account from `client`; returns how many
    /// it made since `since`, this one included.
    pub async fn record_public_filing(
        &self,
        client: &str,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        sqlx::query("INSERT INTO public_filings (client, at) VALUES ($1, $2)")
            .bind(client)
            .bind(millis(now))
            .execute(&mut *self.writer().await?)
            .await?;
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM public_filings WHERE client = $1 AND at > $2")
                .bind(client)
                .bind(millis(since))
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
