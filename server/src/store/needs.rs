//! Needs, attachments, punches and the idempotency records that make their
//! writes safe to retry.
//!
//! # Idempotent writes
//! Each write runs in one transaction whose first statement inserts the
//! idempotency record (`INSERT … ON CONFLICT DO NOTHING`): on SQLite that
//! takes the write lock before anything is read, on PostgreSQL a concurrent
//! insert of the same key waits for the first transaction and then does
//! nothing. So of several concurrent requests with one key exactly one does
//! the work; the others find the committed record and replay its answer.

use super::{Store, StoreError, conflict_on_unique, decode, from_millis, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::needs::NeedDraft;
use lawcircle_core::orders::order::Transition;
use lawcircle_core::volunteers::punch::Punch;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The endpoint filed needs are recorded under with their idempotency
/// key, whichever way they came (the phones and the public form share it).
pub const FILING_ENDPOINT: &str = "POST /api/v1/needs";
/// The endpoint synced punches are recorded under.
pub const PUNCH_ENDPOINT: &str = "POST /api/v1/punches";

/// A stored answer to an idempotent request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    pub account_id: i64,
    pub request_hash: String,
    pub status: u16,
    pub response: String,
}

/// What an idempotent write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotentOutcome {
    /// Done now; the answer was stored with the key.
    Done { status: u16, response: String },
    /// The key was already used: its stored answer (the caller compares
    /// the request hash and the account).
    Existing(StoredReply),
}

/// A need to store.
#[derive(Debug, Clone)]
pub struct NewNeed {
    pub client_key: String,
    pub entered_by: i64,
    pub entered_by_role: String,
    pub street_code: Option<String>,
    /// The requester's account, when they have one (see
    /// `0011_ratings.sql`).
    pub requester_account: Option<i64>,
    /// The sha256 of the tracking code of a need filed without an account.
    pub tracking_hash: Option<String>,
    pub need: NeedDraft,
}

/// A stored need.
#[derive(Debug, Clone)]
pub struct StoredNeed {
    pub id: i64,
    pub client_key: String,
    pub entered_by: i64,
    pub entered_by_role: String,
    pub street_code: Option<String>,
    /// The requester's account, when they have one.
    pub requester_account: Option<i64>,
    pub status: String,
    pub order_id: Option<String>,
    pub order_state: Option<String>,
    pub need: NeedDraft,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When its personal data was removed (on request or by retention).
    pub anonymised_at: Option<DateTime<Utc>>,
    /// Its order's transitions, oldest first (empty without an order):
    /// read with the need from the order's row, so a page of needs costs
    /// one query however long their histories are.
    pub order_history: Vec<Transition>,
}

/// The part of a stored order a need's history needs.
#[derive(serde::Deserialize)]
struct OrderHistory {
    #[serde(default)]
    history: Vec<Transition>,
}

/// Which needs a list shows.
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    /// Only needs this account entered or is the requester of.
    pub account: Option<i64>,
    /// Only needs of this street.
    pub street_code: Option<String>,
}

/// A stored attachment's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
}

/// How many columns [`NEED_COLUMNS`] selects: the index of a column a
/// query adds after them.
const NEED_COLUMN_COUNT: usize = 14;
pub(crate) const NEED_COLUMNS: &str = "n.id, n.client_key, n.entered_by, n.entered_by_role, n.street_code, n.status, o.id, o.state, n.data, n.created_at, n.updated_at, n.anonymised_at, n.requester_account, o.data";

pub(crate) fn need_from_row(r: &AnyRow) -> Result<StoredNeed, StoreError> {
    let id: i64 = r.try_get(0)?;
    let data: String = r.try_get(8)?;
    Ok(StoredNeed {
        id,
        client_key: r.try_get(1)?,
        entered_by: r.try_get(2)?,
        entered_by_role: r.try_get(3)?,
        street_code: r.try_get(4)?,
        status: r.try_get(5)?,
        order_id: r.try_get(6)?,
        order_state: r.try_get(7)?,
        need: decode("needs", &id.to_string(), &data)?,
        created_at: from_millis(r.try_get(9)?),
        updated_at: from_millis(r.try_get(10)?),
        anonymised_at: r.try_get::<Option<i64>, _>(11)?.map(from_millis),
        requester_account: r.try_get(12)?,
        order_history: match r.try_get::<Option<String>, _>(13)? {
            Some(order) => {
                let order_id: Option<String> = r.try_get(6)?;
                decode::<OrderHistory>("orders", order_id.as_deref().unwrap_or_default(), &order)?
                    .history
            }
            None => Vec::new(),
        },
    })
}

/// Inserts the idempotency record first; `false` when the key exists.
async fn claim_key(
    tx: &mut sqlx::AnyConnection,
    endpoint: &str,
    key: &str,
    account_id: i64,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (endpoint, idem_key, account_id, request_hash, status, response, created_at)
         VALUES ($1, $2, $3, $4, 0, '', $5) ON CONFLICT (endpoint, idem_key) DO NOTHING",
    )
    .bind(endpoint)
    .bind(key)
    .bind(account_id)
    .bind(request_hash)
    .bind(millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn store_reply(
    tx: &mut sqlx::AnyConnection,
    endpoint: &str,
    key: &str,
    status: u16,
    response: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, response = $2 WHERE endpoint = $3 AND idem_key = $4",
    )
    .bind(i64::from(status))
    .bind(response)
    .bind(endpoint)
    .bind(key)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The order a new need becomes and the messages it causes, from the
/// need's id.
pub type MakeOrder<'a> = Box<
    dyn FnOnce(
            i64,
        ) -> (
            lawcircle_core::orders::order::Order,
            Vec<crate::notifications::queue::NewNotification>,
        ) + Send
        + 'a,
>;

/// The stored answer to a new need, from the need's and order's ids.
pub type Respond<'a> = Box<dyn FnOnce(i64, &str) -> (u16, String) + Send + 'a>;

/// One need of a batch for [`Store::create_needs`].
pub struct NeedFiling<'a> {
    pub key: String,
    pub request_hash: String,
    pub new: NewNeed,
    pub make_order: MakeOrder<'a>,
    pub respond: Respond<'a>,
}

impl std::fmt::Debug for NeedFiling<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeedFiling")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// The stored answer for an idempotency key, read inside a transaction.
async fn stored_reply_in(
    tx: &mut sqlx::AnyConnection,
    endpoint: &str,
    key: &str,
) -> Result<Option<StoredReply>, StoreError> {
    let row = sqlx::query(
        "SELECT account_id, request_hash, status, response FROM idempotency_keys
         WHERE endpoint = $1 AND idem_key = $2",
    )
    .bind(endpoint)
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref().map(reply_from_row).transpose()
}

fn reply_from_row(r: &AnyRow) -> Result<StoredReply, StoreError> {
    let status: i64 = r.try_get(2)?;
    Ok(StoredReply {
        account_id: r.try_get(0)?,
        request_hash: r.try_get(1)?,
        status: u16::try_from(status).unwrap_or(500),
        response: r.try_get(3)?,
    })
}

/// The advisory lock class of filing needs in a street (see
/// [`lock_filing_streets`]): "LC" "NF".
const FILING_LOCK_CLASS: i32 = 0x4C43_4E46;

/// On PostgreSQL, takes the filing lock of each street the needs are filed
/// in, in ascending order, before any idempotency key is claimed: a filing
/// claims keys and then writes its street's indicator counters and its
/// volunteers' notification locks, so two filings in one street that share
/// keys (two instances draining the same outbox) would otherwise each hold
/// what the other waits for. Held to the commit. SQLite writes one
/// transaction at a time anyway.
async fn lock_filing_streets(
    tx: &mut sqlx::AnyConnection,
    streets: Vec<&str>,
) -> Result<(), StoreError> {
    if tx.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    let streets: std::collections::BTreeSet<&str> = streets.into_iter().collect();
    for street in streets {
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1, hashtext($2))")
            .bind(FILING_LOCK_CLASS)
            .bind(street)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Rows per multi-row statement of the intake (16 values each at most).
const FILING_ROWS_PER_STATEMENT: usize = 100;

/// The rows of a multi-row `VALUES`: `rows` groups of `width` numbered
/// placeholders, each written by `row` (which may add literals).
fn values_rows(rows: usize, width: usize, row: impl Fn(&[String]) -> String) -> String {
    (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            row(&p)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts the idempotency records of `filings` first (as
/// [`claim_key`] does for one), a hundred per statement; for each filing
/// whether it claimed its key: `false` when the key was used before, or
/// by an earlier filing of the same list. `filings`: (key, account, request
/// hash).
async fn claim_filing_keys(
    tx: &mut sqlx::AnyConnection,
    filings: &[(&str, i64, &str)],
    now: DateTime<Utc>,
) -> Result<Vec<bool>, StoreError> {
    let mut claimed = std::collections::HashSet::new();
    for chunk in filings.chunks(FILING_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO idempotency_keys (endpoint, idem_key, account_id, request_hash, status, response, created_at)
             VALUES {}
             ON CONFLICT (endpoint, idem_key) DO NOTHING RETURNING idem_key",
            values_rows(chunk.len(), 5, |p| format!(
                "({}, {}, {}, {}, 0, '', {})",
                p[0], p[1], p[2], p[3], p[4]
            ))
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for (key, account, hash) in chunk {
            q = q
                .bind(FILING_ENDPOINT)
                .bind(key.to_string())
                .bind(*account)
                .bind(hash.to_string())
                .bind(millis(now));
        }
        claimed.extend(q.fetch_all(&mut *tx).await?);
    }
    // A key repeated in the list was claimed by its first filing.
    Ok(filings
        .iter()
        .map(|(key, _, _)| claimed.remove(*key))
        .collect())
}

/// Inserts the rows of new needs (and their attachments), a hundred per
/// statement; their ids, in the order of `needs`.
async fn insert_need_rows(
    tx: &mut sqlx::AnyConnection,
    needs: &[&NewNeed],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    let mut ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for chunk in needs.chunks(FILING_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO needs (client_key, entered_by, entered_by_role, street_code, area_code, category,
                                urgency, channel, status, data, created_at, updated_at, service_code, service_version,
                                consent_notice_version, consent_at, requester_account, tracking_hash)
             VALUES {} RETURNING id, client_key",
            values_rows(chunk.len(), 16, |p| format!(
                "({}, 'submitted', {}, {}, {})",
                p[..8].join(", "),
                p[8],
                p[9],
                p[9..].join(", ")
            ))
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
        for new in chunk {
            q = q
                .bind(new.client_key.clone())
                .bind(new.entered_by)
                .bind(new.entered_by_role.clone())
                .bind(new.street_code.clone())
                .bind(new.need.location.area_code.clone())
                .bind(new.need.category.as_str())
                .bind(new.need.urgency.as_str())
                .bind(new.need.channel.as_str())
                .bind(super::encode("needs", &new.client_key, &new.need)?)
                .bind(millis(now))
                .bind(
                    new.need
                        .application
                        .as_ref()
                        .map(|a| a.service_code.clone()),
                )
                .bind(
                    new.need
                        .application
                        .as_ref()
                        .map(|a| i64::from(a.service_version)),
                )
                .bind(new.need.consent.notice_version.clone())
                .bind(millis(new.need.consent.at))
                .bind(new.requester_account)
                .bind(new.tracking_hash.clone());
        }
        ids.extend(
            q.fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, k)| (k, id)),
        );
    }
    let ids = needs
        .iter()
        .map(|n| {
            ids.get(&n.client_key).copied().ok_or_else(|| {
                StoreError::Conflict(format!("need {} was not stored", n.client_key))
            })
        })
        .collect::<Result<Vec<i64>, StoreError>>()?;
    let attachments: Vec<(i64, &str)> = needs
        .iter()
        .zip(&ids)
        .flat_map(|(n, id)| n.need.attachments.iter().map(|a| (*id, a.sha256.as_str())))
        .collect();
    for chunk in attachments.chunks(FILING_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO need_attachments (need_id, sha256) VALUES {}",
            values_rows(chunk.len(), 2, |p| format!("({})", p.join(", ")))
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, sha) in chunk {
            q = q.bind(*id).bind(sha.to_string());
        }
        q.execute(&mut *tx).await?;
    }
    Ok(ids)
}

/// What filing one need did: its outcome and, when it was stored now, the
/// order it became (as written, for the live board).
#[derive(Debug)]
pub struct Filed {
    pub outcome: IdempotentOutcome,
    pub order: Option<lawcircle_core::orders::order::Order>,
}

impl Store {
    /// The stored answer for an idempotency key, if any.
    pub async fn stored_reply(
        &self,
        endpoint: &str,
        key: &str,
    ) -> Result<Option<StoredReply>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id, request_hash, status, response FROM idempotency_keys
             WHERE endpoint = $1 AND idem_key = $2",
        )
        .bind(endpoint)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(reply_from_row).transpose()
    }

    /// The stored answers for several idempotency keys, by key (those
    /// never used are absent): one query for a batch's keys.
    pub async fn stored_replies(
        &self,
        endpoint: &str,
        keys: &[&str],
    ) -> Result<std::collections::HashMap<String, StoredReply>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for chunk in keys.chunks(FILING_ROWS_PER_STATEMENT) {
            let list: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT account_id, request_hash, status, response, idem_key FROM idempotency_keys
                 WHERE endpoint = $1 AND idem_key IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(endpoint.to_string());
            for k in chunk {
                q = q.bind(k.to_string());
            }
            for row in q.fetch_all(&self.pool).await? {
                out.insert(row.try_get(4)?, reply_from_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn existing(&self, endpoint: &str, key: &str) -> Result<IdempotentOutcome, StoreError> {
        let reply = self
            .stored_reply(endpoint, key)
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("idempotency key {key} vanished")))?;
        Ok(IdempotentOutcome::Existing(reply))
    }

    /// Stores a need and opens its order, once per idempotency key, with the
    /// messages the order causes (its offers): as [`Store::create_needs`]
    /// for one.
    pub async fn create_need(
        &self,
        filing: NeedFiling<'_>,
        now: DateTime<Utc>,
    ) -> Result<Filed, StoreError> {
        self.create_needs(vec![filing], now)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Conflict("a filing had no outcome".into()))
    }

    /// Stores several needs, each with its order and offers, once per
    /// idempotency key, in ONE transaction (one commit, one `fsync` on
    /// SQLite, for the lot): the outcomes in the order of `filings`. A key
    /// already used (before, or earlier in this same batch) is that
    /// filing's [`IdempotentOutcome::Existing`]; the caller compares the
    /// account and hash as for a single need. A database error rolls the
    /// whole batch back: nothing of it is stored, and a retry is safe.
    ///
    /// Set-based: the keys are claimed first (all of them, before anything
    /// else is written), then the needs, their orders (counted with one
    /// update per street), their offers and their stored answers are
    /// written with a statement per hundred rows rather than per need.
    pub async fn create_needs(
        &self,
        filings: Vec<NeedFiling<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Filed>, StoreError> {
        let mut tx = self.begin_write().await?;
        let streets = filings
            .iter()
            .map(|f| f.new.street_code.as_deref().unwrap_or(""))
            .collect();
        lock_filing_streets(&mut tx, streets).await?;
        let keys: Vec<(&str, i64, &str)> = filings
            .iter()
            .map(|f| (f.key.as_str(), f.new.entered_by, f.request_hash.as_str()))
            .collect();
        let claimed = claim_filing_keys(&mut tx, &keys, now).await?;
        drop(keys);
        let new: Vec<&NewNeed> = filings
            .iter()
            .zip(&claimed)
            .filter(|(_, c)| **c)
            .map(|(f, _)| &f.new)
            .collect();
        let mut ids = insert_need_rows(&mut tx, &new, now).await?.into_iter();
        let mut orders = Vec::with_capacity(new.len());
        let mut messages = Vec::new();
        // (key, the answer) of each filing stored now; `None` for the
        // others, answered from their stored record below.
        let mut answers = Vec::with_capacity(filings.len());
        for (f, claimed) in filings.into_iter().zip(&claimed) {
            if !claimed {
                answers.push((f.key, None));
                continue;
            }
            let need_id = ids
                .next()
                .ok_or_else(|| StoreError::Conflict(format!("need {} has no id", f.key)))?;
            let (order, offers) = (f.make_order)(need_id);
            let answer = (f.respond)(need_id, &order.id);
            orders.push(order);
            messages.extend(offers);
            answers.push((f.key, Some(answer)));
        }
        // The counters before the offers' stream locks, as every change
        // of an order takes them.
        super::orders::insert_order_rows(&mut tx, &orders).await?;
        crate::notifications::queue::enqueue(&mut tx, &messages, now).await?;
        for (key, answer) in &answers {
            if let Some((status, response)) = answer {
                store_reply(&mut tx, FILING_ENDPOINT, key, *status, response).await?;
            }
        }
        let mut orders = orders.into_iter();
        let mut filed = Vec::with_capacity(answers.len());
        for (key, answer) in answers {
            filed.push(match answer {
                Some((status, response)) => Filed {
                    outcome: IdempotentOutcome::Done { status, response },
                    order: orders.next(),
                },
                // Read inside the transaction: on PostgreSQL the insert
                // waited for a concurrent owner of the key to commit, and
                // a key repeated within the batch is this transaction's.
                None => Filed {
                    outcome: IdempotentOutcome::Existing(
                        stored_reply_in(&mut tx, FILING_ENDPOINT, &key)
                            .await?
                            .ok_or_else(|| {
                                StoreError::Conflict(format!("idempotency key {key} vanished"))
                            })?,
                    ),
                    order: None,
                },
            });
        }
        tx.commit().await?;
        Ok(filed)
    }

    /// Needs filed as applications (with a service code), with their
    /// order's last change, for Open311's `GET requests`: by order ids
    /// when `order_ids` is not empty (the spec: ids override every other
    /// argument), else by service codes (empty: all), creation time and
    /// order states (empty: all); newest first, at most `limit`.
    pub async fn application_needs(
        &self,
        order_ids: &[String],
        service_codes: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        states: &[&str],
        limit: i64,
    ) -> Result<Vec<(StoredNeed, DateTime<Utc>)>, StoreError> {
        fn list(first: usize, n: usize) -> String {
            (first..first + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        let mut sql = format!(
            "SELECT {NEED_COLUMNS}, o.updated_at FROM needs n JOIN orders o ON o.need_id = n.id
             WHERE n.service_code IS NOT NULL"
        );
        let mut binds: Vec<String> = Vec::new();
        let mut times: Option<(i64, i64)> = None;
        if !order_ids.is_empty() {
            sql.push_str(&format!(" AND o.id IN ({})", list(1, order_ids.len())));
            binds.extend(order_ids.iter().cloned());
        } else {
            if !service_codes.is_empty() {
                sql.push_str(&format!(
                    " AND n.service_code IN ({})",
                    list(binds.len() + 1, service_codes.len())
                ));
                binds.extend(service_codes.iter().cloned());
            }
            if !states.is_empty() {
                sql.push_str(&format!(
                    " AND o.state IN ({})",
                    list(binds.len() + 1, states.len())
                ));
                binds.extend(states.iter().map(|s| s.to_string()));
            }
            let at = binds.len() + 1;
            sql.push_str(&format!(
                " AND n.created_at >= ${at} AND n.created_at <= ${}",
                at + 1
            ));
            times = Some((millis(from), millis(to)));
        }
        let limit_at = binds.len() + if times.is_some() { 3 } else { 1 };
        sql.push_str(&format!(" ORDER BY n.id DESC LIMIT ${limit_at}"));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        if let Some((from, to)) = times {
            q = q.bind(from).bind(to);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    need_from_row(r)?,
                    from_millis(r.try_get(NEED_COLUMN_COUNT)?),
                ))
            })
            .collect()
    }

    /// A need by the idempotency key it was filed with.
    pub async fn need_by_client_key(&self, key: &str) -> Result<Option<StoredNeed>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS} FROM needs n LEFT JOIN orders o ON o.need_id = n.id WHERE n.client_key = $1"
        )))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(need_from_row).transpose()
    }

    pub async fn need(&self, id: i64) -> Result<Option<StoredNeed>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS} FROM needs n LEFT JOIN orders o ON o.need_id = n.id WHERE n.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(need_from_row).transpose()
    }

    /// Needs by id after `after_id`, narrowed by `filter`. Each filter is
    /// read through its own index (`needs_by_enterer` and
    /// `needs_by_requester` for an account, each walked from `after_id`
    /// for at most `limit` rows; `needs_by_street` for a street), so a
    /// page costs the same however many needs others filed: a condition
    /// that may be switched off by a parameter (`$n OR column = …`) makes
    /// the database walk every need from `after_id` instead.
    pub async fn list_needs(
        &self,
        filter: &NeedFilter,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<StoredNeed>, StoreError> {
        // $1 after_id, $2 limit, $3 the street (if any), then the account.
        let street = if filter.street_code.is_some() {
            " AND street_code = $3"
        } else {
            ""
        };
        let account = if filter.street_code.is_some() {
            "$4"
        } else {
            "$3"
        };
        let sql = match filter.account {
            Some(_) => format!(
                "SELECT {NEED_COLUMNS} FROM needs n LEFT JOIN orders o ON o.need_id = n.id
                 WHERE n.id IN (
                     SELECT id FROM (SELECT id FROM needs WHERE entered_by = {account} AND id > $1{street}
                                     ORDER BY id LIMIT $2) AS entered
                     UNION
                     SELECT id FROM (SELECT id FROM needs WHERE requester_account = {account} AND id > $1{street}
                                     ORDER BY id LIMIT $2) AS requested)
                 ORDER BY n.id LIMIT $2"
            ),
            None => format!(
                "SELECT {NEED_COLUMNS} FROM needs n LEFT JOIN orders o ON o.need_id = n.id
                 WHERE n.id > $1{street}
                 ORDER BY n.id LIMIT $2",
                street = street.replace("street_code", "n.street_code"),
            ),
        };
        // Only fixed fragments are spliced in; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_id)
            .bind(limit);
        if let Some(s) = &filter.street_code {
            q = q.bind(s.as_str());
        }
        if let Some(a) = filter.account {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(need_from_row).collect()
    }

    /// How many needs carry each of these client keys (for checks).
    pub async fn count_needs(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM needs")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Stores an attachment unless the same bytes are already stored
    /// (bytes erased under retention are stored again); `true` when it
    /// was new.
    pub async fn put_attachment(
        &self,
        meta: &AttachmentMeta,
        bytes: &[u8],
        uploaded_by: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO attachments (sha256, media_type, size, data, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (sha256) DO UPDATE SET data = excluded.data, erased_at = NULL,
                 uploaded_by = excluded.uploaded_by, created_at = excluded.created_at
             WHERE attachments.erased_at IS NOT NULL",
        )
        .bind(&meta.sha256)
        .bind(&meta.media_type)
        .bind(i64::try_from(meta.size).unwrap_or(i64::MAX))
        .bind(bytes.to_vec())
        .bind(uploaded_by)
        .bind(millis(now))
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn attachment_meta(
        &self,
        sha256: &str,
    ) -> Result<Option<AttachmentMeta>, StoreError> {
        let row = sqlx::query("SELECT sha256, media_type, size FROM attachments WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let size: i64 = r.try_get(2)?;
            Ok(AttachmentMeta {
                sha256: r.try_get(0)?,
                media_type: r.try_get(1)?,
                size: u64::try_from(size).unwrap_or(0),
            })
        })
        .transpose()
    }

    /// The last punch of a volunteer's chain.
    pub async fn last_punch(&self, volunteer_id: &str) -> Result<Option<Punch>, StoreError> {
        let row = sqlx::query(
            "SELECT id, data FROM punches WHERE volunteer_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(volunteer_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let id: String = r.try_get(0)?;
            let data: String = r.try_get(1)?;
            decode("punches", &id, &data)
        })
        .transpose()
    }

    /// Appends a re-evaluated punch to its volunteer's chain, once per
    /// idempotency key. The chain position is taken inside the
    /// transaction; two punches of one volunteer racing on PostgreSQL make
    /// one fail on the (volunteer, seq) uniqueness, to be retried.
    pub async fn append_punch(
        &self,
        key: &str,
        request_hash: &str,
        account_id: i64,
        mut punch: Punch,
        now: DateTime<Utc>,
        respond: impl FnOnce(&Punch) -> (u16, String),
    ) -> Result<IdempotentOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        if !claim_key(&mut tx, PUNCH_ENDPOINT, key, account_id, request_hash, now).await? {
            tx.rollback().await?;
            return self.existing(PUNCH_ENDPOINT, key).await;
        }
        let last = sqlx::query(
            "SELECT seq, hash FROM punches WHERE volunteer_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(&punch.volunteer_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (seq, prev_hash) = match last {
            Some(r) => (
                u64::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0) + 1,
                r.try_get::<String, _>(1)?,
            ),
            None => (
                0,
                lawcircle_core::volunteers::punch::GENESIS_HASH.to_string(),
            ),
        };
        punch.seq = seq;
        punch.prev_hash = prev_hash;
        punch.hash = punch.compute_hash();
        let verdict = |d: &lawcircle_core::volunteers::clock_in::ClockInDecision| {
            serde_json::to_value(d.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let server_verdict = punch
            .server_decision
            .as_ref()
            .map(verdict)
            .unwrap_or_default();
        sqlx::query(
            "INSERT INTO punches (id, volunteer_id, seq, post_id, street_code, device_verdict, server_verdict, data, hash, received_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&punch.id)
        .bind(&punch.volunteer_id)
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(&punch.post_id)
        .bind(&punch.street_code)
        .bind(verdict(&punch.device_decision))
        .bind(server_verdict)
        .bind(super::encode("punches", &punch.id, &punch)?)
        .bind(&punch.hash)
        .bind(millis(now))
        .bind(super::punches::status_name(punch.status()))
        .execute(&mut *tx)
        .await
        .map_err(conflict_on_unique(|| format!("punch {} (or its place in the chain)", punch.id)))?;
        super::duty_hours::recompute_duty_hours_in(&mut tx, &punch.volunteer_id).await?;
        let (status, response) = respond(&punch);
        store_reply(&mut tx, PUNCH_ENDPOINT, key, status, &response).await?;
        tx.commit().await?;
        Ok(IdempotentOutcome::Done { status, response })
    }
}

#[cfg(test)]
mod column_tests {
    use super::{NEED_COLUMN_COUNT, NEED_COLUMNS};

    #[test]
    fn the_column_count_is_that_of_the_column_list() {
        assert_eq!(NEED_COLUMNS.split(',').count(), NEED_COLUMN_COUNT);
    }
}
