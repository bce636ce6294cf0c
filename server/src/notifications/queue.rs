//! The durable queue: messages (`notifications`) and their deliveries to
//! push devices (`notification_deliveries`), written inside the caller's
//! transaction; the worker's claims and outcomes; the reads of the stream
//! and of the dead letters.

use super::rules::{self, Channel, Event, Rule};
use super::settings::Settings;
use crate::state::AppState;
use crate::store::{StoreError, from_millis, millis};
use chrono::{DateTime, Utc};
use lawcircle_core::orders::order::{Order, OrderState};
use serde::Serialize;
use sqlx::Row;

/// A message to be queued.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub account_id: i64,
    pub event: Event,
    pub order_id: Option<String>,
    /// The id of the message this one withdraws.
    pub withdraws: Option<String>,
    pub rule: &'static Rule,
}

/// A message as the phone gets it (on the stream and, encrypted, by push).
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Message {
    /// What the phone deduplicates by: the same message may come on the
    /// stream and by push, or twice after a crash; it is shown once.
    pub id: String,
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// For `withdrawn`: the id of the message to remove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdraws: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The advisory lock class of an account's notification stream (see
/// [`enqueue`]): "LC" "NS".
const STREAM_LOCK_CLASS: i32 = 0x4C43_4E53;

/// Queues `items` on `conn` (inside the transaction of the change that
/// causes them): the message rows and, for channels with push, one
/// delivery per registered device of the recipient, due now or at the end
/// of their quiet hours. Returns the recipients.
pub(crate) async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    items: &[NewNotification],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    let mut accounts = Vec::with_capacity(items.len());
    // On PostgreSQL concurrent transactions draw stream positions (`seq`)
    // in one order and may commit in another: a stream that read position
    // n + 1 before n was committed would never send n, not even on resume.
    // So messages to one account are queued one transaction at a time: a
    // lock per recipient, held to the commit, taken in ascending order (no
    // two transactions wait on each other in a cycle). SQLite writes one
    // transaction at a time anyway.
    if conn.backend_name() == "PostgreSQL" {
        let mut keys: Vec<i32> = items
            .iter()
            .map(|i| i32::try_from(i.account_id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1, $2)")
                .bind(STREAM_LOCK_CLASS)
                .bind(key)
                .execute(&mut *conn)
                .await?;
        }
    }
    // What is read about each recipient, once per call: a batch of new
    // consultations offers each to the same few volunteers.
    let mut recipients: std::collections::HashMap<i64, Option<Recipient>> =
        std::collections::HashMap::new();
    for item in items {
        // A recipient that is no account (an order whose requester id
        // names nobody, as imported or seeded data may) gets nothing; the
        // change that caused the message still goes through.
        let recipient = match recipients.get(&item.account_id) {
            Some(r) => r.clone(),
            None => {
                let r = Recipient::load(&mut *conn, item.account_id).await?;
                recipients.insert(item.account_id, r.clone());
                r
            }
        };
        let Some(recipient) = recipient else {
            continue;
        };
        let id = super::random_hex(16).map_err(|e| StoreError::Unsupported(e.to_string()))?;
        let (title, body) = item.event.words();
        let message = Message {
            id: format!("n-{id}"),
            event: item.event.as_str().to_string(),
            order_id: item.order_id.clone(),
            withdraws: item.withdraws.clone(),
            title: title.to_string(),
            body: body.to_string(),
            created_at: from_millis(millis(now)),
        };
        sqlx::query(
            "INSERT INTO notifications (id, account_id, event, order_id, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&message.id)
        .bind(item.account_id)
        .bind(item.event.as_str())
        .bind(&item.order_id)
        .bind(crate::store::encode(
            "notifications",
            &message.id,
            &message,
        )?)
        .bind(millis(now))
        .execute(&mut *conn)
        .await?;
        accounts.push(item.account_id);
        if !item.rule.channels.contains(&Channel::Push) {
            continue;
        }
        let Recipient {
            settings,
            devices,
            phone_verified,
        } = recipient;
        let due = if item.rule.ignores_quiet_hours {
            now
        } else {
            settings.quiet_until(now).unwrap_or(now)
        };
        // Without a push device, a verified mobile gets a text message
        // (when the rule says so); push turned off turns that off too.
        let sms =
            devices.is_empty() && item.rule.channels.contains(&Channel::Sms) && phone_verified;
        let targets: Vec<(Option<i64>, String)> = if !settings.push {
            Vec::new()
        } else if sms {
            vec![(None, "sms".to_string())]
        } else {
            devices.into_iter().map(|(d, k)| (Some(d), k)).collect()
        };
        for (device, kind) in targets {
            sqlx::query(
                "INSERT INTO notification_deliveries
                     (notification_id, channel, device_id, state, attempts, next_attempt_at, created_at, updated_at)
                 VALUES ($1, $2, $3, 'pending', 0, $4, $5, $5)",
            )
            .bind(&message.id)
            .bind(&kind)
            .bind(device)
            .bind(millis(due))
            .bind(millis(now))
            .execute(&mut *conn)
            .await?;
        }
    }
    accounts.sort_unstable();
    accounts.dedup();
    Ok(accounts)
}

/// What [`enqueue`] reads about a recipient: their notification
/// settings, push devices and whether their mobile is verified.
#[derive(Debug, Clone)]
struct Recipient {
    settings: Settings,
    devices: Vec<(i64, String)>,
    phone_verified: bool,
}

impl Recipient {
    /// `None` when `account` is no account.
    async fn load(
        conn: &mut sqlx::AnyConnection,
        account: i64,
    ) -> Result<Option<Recipient>, StoreError> {
        let verified: Option<Option<i64>> =
            sqlx::query_scalar("SELECT phone_verified_at FROM accounts WHERE id = $1")
                .bind(account)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(verified) = verified else {
            return Ok(None);
        };
        let settings = Settings::load_on(&mut *conn, account).await?;
        let devices: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, kind FROM push_devices WHERE account_id = $1 AND removed_at IS NULL ORDER BY id",
        )
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Some(Recipient {
            settings,
            devices,
            phone_verified: verified.is_some(),
        }))
    }
}

/// Withdraws the offers of `order_id` still standing: marks them, stops
/// their deliveries not yet made, and returns a withdrawal message for
/// every offered account but `keep` (the volunteer who took it).
pub(crate) async fn withdraw_offers(
    conn: &mut sqlx::AnyConnection,
    order_id: &str,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<NewNotification>, StoreError> {
    withdraw_offers_of(conn, &[(order_id, keep)], now).await
}

/// [`withdraw_offers`] for several orders (each with the account it
/// keeps), in two statements whatever the number of orders and offers:
/// their deliveries not yet made stop, then the offers are marked; the
/// withdrawals come in stream order.
pub(crate) async fn withdraw_offers_of(
    conn: &mut sqlx::AnyConnection,
    orders: &[(&str, Option<i64>)],
    now: DateTime<Utc>,
) -> Result<Vec<NewNotification>, StoreError> {
    let Some(rule) = rules::rule(Event::Withdrawn, rules::Recipient::Offered) else {
        return Ok(Vec::new());
    };
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    // $1 is the time; the order ids follow. Only numbered placeholders
    // are spliced in; every value is bound.
    let places: Vec<String> = (2..orders.len() + 2).map(|i| format!("${i}")).collect();
    let places = places.join(", ");
    let mut stop = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE notification_deliveries SET state = 'withdrawn', updated_at = $1
         WHERE state = 'pending' AND notification_id IN
             (SELECT id FROM notifications
              WHERE order_id IN ({places}) AND event = 'offer' AND withdrawn_at IS NULL)"
    )))
    .bind(millis(now));
    let mut mark = sqlx::query_as::<_, (i64, String, i64, String)>(sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET withdrawn_at = $1
         WHERE order_id IN ({places}) AND event = 'offer' AND withdrawn_at IS NULL
         RETURNING seq, id, account_id, order_id"
    )))
    .bind(millis(now));
    for (order_id, _) in orders {
        stop = stop.bind(*order_id);
        mark = mark.bind(*order_id);
    }
    stop.execute(&mut *conn).await?;
    let mut offers = mark.fetch_all(&mut *conn).await?;
    offers.sort_unstable_by_key(|(seq, ..)| *seq);
    let keeps: std::collections::HashMap<&str, Option<i64>> = orders.iter().copied().collect();
    Ok(offers
        .into_iter()
        .filter(|(_, _, account, order_id)| {
            keeps.get(order_id.as_str()).copied().flatten() != Some(*account)
        })
        .map(|(_, id, account, order_id)| NewNotification {
            account_id: account,
            event: Event::Withdrawn,
            order_id: Some(order_id),
            withdraws: Some(id),
            rule,
        })
        .collect())
}

/// Stores `changed` if the order is still at `before`'s version and state,
/// with the messages the change causes, in one transaction: `false` when
/// someone else got there first (nothing is written). An order leaving the
/// grab pool withdraws its offers.
pub async fn commit_order_change(
    state: &AppState,
    before: &Order,
    changed: &Order,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut items = rules::for_order_change(before, changed);
    let mut tx = state.store.begin_write().await?;
    if !crate::store::update_order_row(&mut tx, before.version, before.state, changed, now).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    if before.state == OrderState::Open && changed.state != OrderState::Open {
        let keep = changed.assignee.as_deref().and_then(|a| a.parse().ok());
        items.extend(withdraw_offers(&mut tx, &changed.id, keep, now).await?);
    }
    let accounts = enqueue(&mut tx, &items, now).await?;
    tx.commit().await?;
    state.notifications.committed(&accounts);
    Ok(true)
}

/// One change for [`commit_order_changes`]: `changed` stored if the order
/// is still as `before` was loaded (same version and state).
#[derive(Debug, Clone)]
pub struct OrderChangeCommit {
    pub before: Order,
    pub changed: Order,
    pub now: DateTime<Utc>,
}

/// [`commit_order_change`] for several orders (distinct ids, at most
/// [`crate::store::ORDER_CHANGES_PER_BATCH`]) in one transaction, with a
/// few statements whatever their number: per change, whether it was
/// stored (`false`: someone else got there first; nothing of it is
/// written). An error writes nothing of any of them.
pub async fn commit_order_changes(
    store: &crate::store::Store,
    notifications: &super::Notifications,
    changes: &[OrderChangeCommit],
) -> Result<Vec<bool>, StoreError> {
    let Some(now) = changes.iter().map(|c| c.now).max() else {
        return Ok(Vec::new());
    };
    let rows: Vec<crate::store::OrderChangeRow<'_>> = changes
        .iter()
        .map(|c| crate::store::OrderChangeRow {
            expected_version: c.before.version,
            expected_state: c.before.state,
            changed: &c.changed,
            now: c.now,
        })
        .collect();
    let mut tx = store.begin_write().await?;
    let stored = crate::store::update_order_rows(&mut tx, &rows).await?;
    let mut items = Vec::new();
    let mut leaving = Vec::new();
    for (c, _) in changes.iter().zip(&stored).filter(|(_, s)| **s) {
        items.extend(rules::for_order_change(&c.before, &c.changed));
        if c.before.state == OrderState::Open && c.changed.state != OrderState::Open {
            let keep = c.changed.assignee.as_deref().and_then(|a| a.parse().ok());
            leaving.push((c.changed.id.as_str(), keep));
        }
    }
    items.extend(withdraw_offers_of(&mut tx, &leaving, now).await?);
    let accounts = enqueue(&mut tx, &items, now).await?;
    tx.commit().await?;
    notifications.committed(&accounts);
    Ok(stored)
}

/// Raises `warning` unless its dedup key exists and, in the same
/// transaction, tells the staff who handle it (the station staff of its
/// street; the district admins when it names none): `true` when this call
/// raised it.
pub async fn raise_warning(
    state: &AppState,
    warning: &lawcircle_core::orders::warning::Warning,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = state.store.begin_write().await?;
    if !crate::store::raise_warning_in(&mut tx, warning).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let street = crate::store::subject_street(&warning.subject);
    let staff: Vec<i64> = sqlx::query_scalar(
        // Two indexed parts (`accounts_by_role_street`): SQLite scans
        // every account for the same condition written with OR.
        "SELECT id FROM accounts WHERE disabled = 0 AND role = 'station_staff' AND street_code = $1
         UNION
         SELECT id FROM accounts WHERE disabled = 0 AND $2 AND role = 'district_admin'
         ORDER BY id",
    )
    .bind(street.as_deref().unwrap_or(""))
    .bind(street.is_none())
    .fetch_all(&mut *tx)
    .await?;
    let items: Vec<NewNotification> = match rules::rule(Event::Warning, rules::Recipient::Staff) {
        Some(rule) => staff
            .into_iter()
            .map(|account_id| NewNotification {
                account_id,
                event: Event::Warning,
                order_id: None,
                withdraws: None,
                rule,
            })
            .collect(),
        None => Vec::new(),
    };
    let accounts = enqueue(&mut tx, &items, now).await?;
    tx.commit().await?;
    state.notifications.committed(&accounts);
    Ok(true)
}

/// Records the review of a sampled order (of `street` when given) and, in
/// the same transaction, tells whoever handled the order that it was
/// reviewed: `false` when there is no such sampled order.
pub async fn record_spot_check(
    state: &AppState,
    check: &lawcircle_core::orders::spot_check::SpotCheck,
    street: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let handler = state
        .store
        .order(&check.order_id)
        .await?
        .and_then(|o| o.assignee)
        .and_then(|a| a.parse::<i64>().ok());
    let mut tx = state.store.begin_write().await?;
    if !crate::store::record_spot_check_in(&mut tx, check, street).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let items: Vec<NewNotification> = match (
        handler,
        rules::rule(Event::SpotChecked, rules::Recipient::Assignee),
    ) {
        (Some(account_id), Some(rule)) => vec![NewNotification {
            account_id,
            event: Event::SpotChecked,
            order_id: Some(check.order_id.clone()),
            withdraws: None,
            rule,
        }],
        _ => Vec::new(),
    };
    let accounts = enqueue(&mut tx, &items, now).await?;
    tx.commit().await?;
    state.notifications.committed(&accounts);
    Ok(true)
}

/// A message on an account's stream: its position and content.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StreamItem {
    /// The stream position (the event id a stream resumes after).
    pub seq: i64,
    #[serde(flatten)]
    pub message: Message,
    /// Whether it was withdrawn since.
    pub withdrawn: bool,
}

/// The messages of `account` after position `after`, oldest first.
pub async fn since(
    state: &AppState,
    account: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<StreamItem>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, id, data, withdrawn_at FROM notifications
         WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(account)
    .bind(after)
    .bind(limit)
    .fetch_all(state.store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.try_get(1)?;
            let message: Message = crate::store::decode("notifications", &id, r.try_get(2)?)?;
            Ok(StreamItem {
                seq: r.try_get(0)?,
                message,
                withdrawn: r.try_get::<Option<i64>, _>(3)?.is_some(),
            })
        })
        .collect()
}

/// A delivery given up on: to an account's device or verified mobile, or
/// to a mobile number (a code, a rating link: `notification_id` `s-…`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadLetter {
    /// The delivery's id within its queue (of accounts' deliveries, or of
    /// messages to numbers when `notification_id` starts with `s-`).
    pub delivery_id: i64,
    pub notification_id: String,
    /// The account it was for (none: it was for a number).
    pub account_id: Option<i64>,
    /// The number it was for, masked (`138****5678`); none for an
    /// account's message.
    pub phone: Option<String>,
    pub event: String,
    pub order_id: Option<String>,
    pub channel: String,
    pub attempts: i64,
    /// Why it was given up.
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Where a dead letter stands in the list (newest first): when it was
/// given up (milliseconds), its queue (1: accounts' deliveries, 0:
/// messages to numbers) and its id in that queue. Pages go down this key.
pub type DeadLetterKey = (i64, i64, i64);

/// Dead letters, newest first, after `after` (the last key of the previous
/// page), at most `limit`, each with its key: all, or those of one street
/// (about its orders, or to its people when about no order); messages to
/// numbers among them, with the number masked. Each queue is read from
/// the key down through its `(state, updated_at, id)` index and the two
/// are merged.
pub async fn dead_letters(
    state: &AppState,
    street: Option<&str>,
    after: Option<DeadLetterKey>,
    limit: i64,
) -> Result<Vec<(DeadLetterKey, DeadLetter)>, StoreError> {
    let (at, queue, id) = after.unwrap_or((i64::MAX, 1, i64::MAX));
    let rows = sqlx::query(
        "SELECT d.id, d.notification_id, n.account_id, n.event, n.order_id, d.channel, d.attempts,
                d.last_error, d.updated_at
         FROM notification_deliveries d
         JOIN notifications n ON n.id = d.notification_id
         JOIN accounts a ON a.id = n.account_id
         LEFT JOIN orders o ON o.id = n.order_id
         WHERE d.state = 'dead'
           AND ($1 OR o.street_code = $2 OR (o.id IS NULL AND a.street_code = $2))
           AND (d.updated_at < $3 OR (d.updated_at = $4 AND $5 AND d.id < $6))
         ORDER BY d.updated_at DESC, d.id DESC LIMIT $7",
    )
    .bind(street.is_none())
    .bind(street.unwrap_or(""))
    .bind(at)
    .bind(at)
    .bind(queue == 1)
    .bind(id)
    .bind(limit)
    .fetch_all(state.store.pool())
    .await?;
    let mut out: Vec<(DeadLetterKey, DeadLetter)> = rows
        .iter()
        .map(|r| {
            let updated_at: i64 = r.try_get(8)?;
            let delivery_id: i64 = r.try_get(0)?;
            Ok((
                (updated_at, 1, delivery_id),
                DeadLetter {
                    delivery_id,
                    notification_id: r.try_get(1)?,
                    account_id: Some(r.try_get(2)?),
                    phone: None,
                    event: r.try_get(3)?,
                    order_id: r.try_get(4)?,
                    channel: r.try_get(5)?,
                    attempts: r.try_get(6)?,
                    reason: r.try_get::<Option<String>, _>(7)?.unwrap_or_default(),
                    at: from_millis(updated_at),
                },
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    out.extend(
        super::phone::dead_letters(state, street, (at, queue == 1, id), limit)
            .await?
            .into_iter()
            .map(|d| {
                (
                    (d.at.timestamp_millis(), 0, d.id),
                    DeadLetter {
                        delivery_id: d.id,
                        notification_id: d.message_id,
                        account_id: None,
                        phone: Some(d.phone_masked),
                        event: d.event,
                        order_id: d.order_id,
                        channel: "sms".into(),
                        attempts: d.attempts,
                        reason: d.reason,
                        at: d.at,
                    },
                )
            }),
    );
    out.sort_by_key(|(key, _)| std::cmp::Reverse(*key));
    out.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(out)
}

/// A delivery the worker claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub attempts: i64,
    pub account_id: i64,
    /// `unifiedpush` or `sms`.
    pub channel: String,
    pub message: Message,
    /// The push device (none for SMS).
    pub device: Option<super::devices::Device>,
}

/// Claims up to `limit` due deliveries, in one transaction: each claim
/// moves the delivery's due time forward by `lease` (a crashed worker's
/// claims come due again) and counts the attempt. A delivery another
/// worker claimed first is skipped.
pub async fn claim_due(
    state: &AppState,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let pool = state.store.pool();
    let won = super::lease::claim_due_ids(
        state,
        super::lease::LeasedTable::AccountDeliveries,
        now,
        lease,
        limit,
    )
    .await?;
    let mut out = Vec::with_capacity(won.len());
    for id in won {
        let row = sqlx::query(
            "SELECT d.attempts, n.id, n.data, p.id, n.account_id, d.channel, p.address, p.p256dh, p.auth,
                    p.removed_at
             FROM notification_deliveries d
             JOIN notifications n ON n.id = d.notification_id
             LEFT JOIN push_devices p ON p.id = d.device_id
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let Some(r) = row else {
            continue;
        };
        let nid: String = r.try_get(1)?;
        let account_id: i64 = r.try_get(4)?;
        let channel: String = r.try_get(5)?;
        let device = match r.try_get::<Option<i64>, _>(3)? {
            Some(device_id) => Some(super::devices::Device {
                id: device_id,
                account_id,
                kind: channel.clone(),
                address: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
                p256dh: r.try_get(7)?,
                auth: r.try_get(8)?,
                removed: r.try_get::<Option<i64>, _>(9)?.is_some(),
            }),
            None => None,
        };
        out.push(Claimed {
            id,
            attempts: r.try_get(0)?,
            account_id,
            channel,
            message: crate::store::decode("notifications", &nid, r.try_get(2)?)?,
            device,
        });
    }
    Ok(out)
}

/// How a claimed delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at this time.
    RetryAt(DateTime<Utc>, String),
    /// Given up, with the reason.
    Dead(String),
}

/// Records how claimed deliveries ended and removes the devices the push
/// service said are gone (`gone`: device and reason), in one transaction.
pub async fn record(
    state: &AppState,
    outcomes: &[(i64, Outcome)],
    gone: &[(i64, String)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if outcomes.is_empty() && gone.is_empty() {
        return Ok(());
    }
    let mut tx = state.store.begin_write().await?;
    for (id, outcome) in outcomes {
        record_one(&mut tx, *id, outcome, now).await?;
    }
    for (device, reason) in gone {
        super::devices::remove_in(&mut tx, *device, None, reason, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn record_one(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (new_state, due, error) = match outcome {
        Outcome::Delivered => ("delivered", None, None),
        Outcome::RetryAt(at, why) => ("pending", Some(millis(*at)), Some(why.as_str())),
        Outcome::Dead(why) => ("dead", None, Some(why.as_str())),
    };
    sqlx::query(
        "UPDATE notification_deliveries
         SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at), last_error = COALESCE($3, last_error),
             updated_at = $4
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(new_state)
    .bind(due)
    .bind(error)
    .bind(millis(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts of deliveries by state (for the benchmarks and `/metrics`-like
/// checks).
pub async fn delivery_counts(state: &AppState) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT state, COUNT(*) FROM notification_deliveries GROUP BY state ORDER BY state",
    )
    .fetch_all(state.store.pool())
    .await?)
}
