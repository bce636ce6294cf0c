//! The background job: escalates consultations nobody grabbed within the
//! window, raises early warnings from the rules, escalates warnings nobody
//! acknowledged in time, and removes personal data past its retention
//! period (and old live events).
//!
//! With several instances on one PostgreSQL database the job runs on one
//! of them at a time, the holder of the `jobs` lease ([`Leadership`]): it
//! renews the lease every third of its length; when it dies another
//! instance takes the lease once it expires, so the job resumes within
//! the lease time (plus a third of it). The job stays safe if two runs
//! ever overlap (a leader cut off from the database finishing a run while
//! another takes over): every write is a conditional update on the version
//! read, and raising a warning is an insert keyed by its deterministic
//! dedup key — a second run doing the same work changes nothing.

use crate::state::AppState;
use crate::store::StoreError;
use lawcircle_core::orders::order::{Actor, OrderEvent, OrderKind};
use lawcircle_core::orders::warning::{
    RuleKind, Warning, WarningRule, default_rules, evaluate_rules,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The name of the background job's lease.
const JOBS_LEASE: &str = "jobs";
/// The lease time unless configured (`leader_lease_secs`).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(15);

/// Which instance runs the background job.
#[derive(Debug)]
pub struct Leadership {
    /// This instance's name (`instance_id`).
    instance: String,
    lease: Duration,
    /// PostgreSQL: the lease is taken there. None: the only instance
    /// (embedded SQLite), always the leader.
    pool: Option<sqlx::PgPool>,
    /// Until when this instance holds the lease, by its own clock (counted
    /// from before the renewal was sent, so never later than the
    /// database's expiry).
    until: Mutex<Option<Instant>>,
}

impl Leadership {
    /// The only instance of its database: always the leader.
    pub fn single(instance: &str) -> Self {
        Leadership {
            instance: instance.to_string(),
            lease: DEFAULT_LEASE,
            pool: None,
            until: Mutex::new(None),
        }
    }

    /// One of several instances on `pool`'s database; call
    /// [`Leadership::campaign`] to take part.
    pub fn shared(pool: sqlx::PgPool, instance: &str, lease: Duration) -> Self {
        Leadership {
            instance: instance.to_string(),
            lease,
            pool: Some(pool),
            until: Mutex::new(None),
        }
    }

    /// This instance's name.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The lease time.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Whether this instance runs the job now.
    pub fn leads(&self) -> bool {
        if self.pool.is_none() {
            return true;
        }
        self.until
            .lock()
            .ok()
            .and_then(|u| *u)
            .is_some_and(|u| Instant::now() < u)
    }

    /// The instance holding the lease, as the database says (none: the
    /// lease expired and is not taken yet).
    pub async fn leader(&self) -> Result<Option<String>, StoreError> {
        let Some(pool) = &self.pool else {
            return Ok(Some(self.instance.clone()));
        };
        Ok(sqlx::query_scalar(
            "SELECT holder FROM leases
             WHERE name = $1 AND expires_at > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
        )
        .bind(JOBS_LEASE)
        .fetch_optional(pool)
        .await?)
    }

    /// Takes the lease if it is free or expired, or renews it if held:
    /// whether this instance holds it now. Expiry is by the database's
    /// clock, so the instances' clocks need not agree.
    async fn try_hold(&self, pool: &sqlx::PgPool) -> Result<bool, StoreError> {
        let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX / 2);
        let holder: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at)
             VALUES ($1, $2, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT + $3)
             ON CONFLICT (name) DO UPDATE
                 SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                 WHERE leases.holder = EXCLUDED.holder
                    OR leases.expires_at <= (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT
             RETURNING holder",
        )
        .bind(JOBS_LEASE)
        .bind(&self.instance)
        .bind(lease_ms)
        .fetch_optional(pool)
        .await?;
        Ok(holder.as_deref() == Some(self.instance.as_str()))
    }

    /// Takes part in the election until the process ends: tries to take
    /// or renew the lease every third of the lease time.
    pub fn campaign(self: std::sync::Arc<Self>) {
        let Some(pool) = self.pool.clone() else {
            return;
        };
        tokio::spawn(async move {
            let mut was = false;
            loop {
                let asked = Instant::now();
                let holds = match self.try_hold(&pool).await {
                    Ok(true) => {
                        if let Ok(mut u) = self.until.lock() {
                            *u = Some(asked + self.lease);
                        }
                        true
                    }
                    Ok(false) => {
                        if let Ok(mut u) = self.until.lock() {
                            *u = None;
                        }
                        false
                    }
                    // Held until it runs out, unless renewed in time.
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot renew the background job's lease");
                        self.leads()
                    }
                };
                if holds != was {
                    if holds {
                        tracing::info!(instance = %self.instance, "this instance now runs the background job");
                    } else {
                        tracing::info!(instance = %self.instance, "another instance runs the background job");
                    }
                    was = holds;
                }
                tokio::time::sleep(self.lease / 3).await;
            }
        });
    }

    /// Gives the lease up (an orderly shutdown), so another instance takes
    /// it at once instead of after its expiry.
    pub async fn release(&self) {
        let Some(pool) = &self.pool else {
            return;
        };
        if let Ok(mut u) = self.until.lock() {
            *u = None;
        }
        if let Err(e) = sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(JOBS_LEASE)
            .bind(&self.instance)
            .execute(pool)
            .await
        {
            tracing::warn!(error = %e, "cannot give up the background job's lease");
        }
    }
}

/// The name of this instance unless configured: the host's name and the
/// process id.
pub fn default_instance_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "server".to_string());
    format!("{host}-{}", std::process::id())
}

/// How far before a run's time the next run reads ratings, punches and
/// passed deadlines again: a row stamped with the time it was written may
/// commit a little later (a transaction waiting for the write lock);
/// reading it twice raises nothing twice (warnings are keyed).
pub const READ_MARGIN: chrono::Duration = chrono::Duration::minutes(2);

/// The name of the job's read mark in the database (`job_marks`): up to
/// when ratings, received punches and passed deadlines were evaluated by a successful run, kept across restarts and shared by
/// the instances that take turns running the job.
pub const READ_MARK: &str = "warning_rules";

/// Punches whose location the retention step erases at most per run: a
/// backlog is worked off over several runs instead of one long one.
pub const ERASE_BATCH: usize = 200;

/// What the background job of this process did, for `/metrics`: how many
/// runs succeeded and how many stored rows they read (the job's cost,
/// which follows what changed or fell due, not what the database holds).
#[derive(Debug, Default)]
pub struct JobStats {
    runs: AtomicU64,
    rows_read: AtomicU64,
    last_rows_read: AtomicU64,
}

impl JobStats {
    /// Successful runs so far.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Rows read by the successful runs so far.
    pub fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    /// Rows read by the last successful run.
    pub fn last_rows_read(&self) -> u64 {
        self.last_rows_read.load(Ordering::Relaxed)
    }

    fn record(&self, report: &JobReport) {
        let rows = report.rows_read as u64;
        self.rows_read.fetch_add(rows, Ordering::Relaxed);
        self.last_rows_read.store(rows, Ordering::Relaxed);
        self.runs.fetch_add(1, Ordering::Relaxed);
    }
}

/// `now` less `seconds` (the earliest time when that is out of range).
fn seconds_before(
    now: chrono::DateTime<chrono::Utc>,
    seconds: u64,
) -> chrono::DateTime<chrono::Utc> {
    i64::try_from(seconds)
        .ok()
        .and_then(chrono::Duration::try_seconds)
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobReport {
    pub orders_escalated: usize,
    pub warnings_raised: usize,
    pub warnings_escalated: usize,
    pub punch_locations_erased: usize,
    pub needs_anonymised: usize,
    pub attachments_erased: u64,
    pub audit_entries_deleted: u64,
    /// Stored rows the run read (orders, ratings, punches, warnings).
    pub rows_read: usize,
}

/// Runs the job every `interval` while this instance leads, until the
/// process ends.
pub fn spawn(state: AppState, rules: Vec<WarningRule>, interval: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !state.leadership.leads() {
                continue;
            }
            let started = Instant::now();
            match run_once(&state, &rules).await {
                // How long a run takes, for operators watching it grow with
                // the history (`LAWCIRCLE_LOG=lawcircle_server::jobs=debug`)
                // and for `scripts/bench-district`.
                Ok(report) => tracing::debug!(
                    elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                    rows_read = report.rows_read,
                    punch_locations_erased = report.punch_locations_erased,
                    "background job run"
                ),
                Err(e) => tracing::warn!(error = %e, "background job failed; retrying next tick"),
            }
        }
    });
}

/// The default rules, with the grab window of this server.
pub fn rules_for(grab_window_secs: u64) -> Vec<WarningRule> {
    let mut rules = default_rules();
    for r in &mut rules {
        if let lawcircle_core::orders::warning::RuleKind::UnclaimedPastWindow { seconds } =
            &mut r.kind
        {
            *seconds = grab_window_secs;
        }
    }
    rules
}

/// One run of the job.
pub async fn run_once(state: &AppState, rules: &[WarningRule]) -> Result<JobReport, StoreError> {
    let now = state.clock.now();
    let mut report = JobReport::default();

    // What the last successful run read up to, in this process or before
    // a restart (none before the first run on this database: then the
    // history is read once).
    let since = state.store.job_mark(READ_MARK).await?;

    // 1. Unclaimed consultations past the window go to the hotline/staff
    // queue. Only open consultations filed before the window are read
    // (through their index): the others cannot have waited that long.
    let window_start = seconds_before(now, state.grab_window_secs);
    let due = state
        .store
        .open_orders_filed_by(OrderKind::Consultation, window_start)
        .await?;
    report.rows_read += due.len();
    for o in due
        .iter()
        .filter(|o| o.grab_window_expired(now, state.grab_window_secs))
    {
        let mut changed = o.clone();
        let escalated = changed.apply(
            OrderEvent::Escalate {
                reason: format!(
                    "nobody grabbed it within {} s: to the hotline/staff queue",
                    state.grab_window_secs
                ),
            },
            Actor::system("grab-window"),
            now,
        );
        if escalated.is_ok()
            && crate::notifications::queue::commit_order_change(state, o, &changed, now).await?
        {
            state.events.publish(&changed);
            report.orders_escalated += 1;
        }
    }

    // 2. Early warnings from the rules (deduplicated by key), evaluated on
    // the candidates only: the open consultations filed before the
    // shortest unclaimed window, the orders in progress whose deadline
    // passed since the last run, and the low ratings
    // and punches that arrived since. Whatever fired before was raised
    // then (the dedup key keeps it raised once), so the same warnings come
    // out as from every order, rating and punch, at a cost that follows
    // what changed or fell due rather than what the database holds.
    let enabled = || rules.iter().filter(|r| r.enabled);
    let unclaimed_after = enabled()
        .filter_map(|r| match r.kind {
            RuleKind::UnclaimedPastWindow { seconds } => Some(seconds),
            _ => None,
        })
        .min();
    let mut orders = Vec::new();
    match unclaimed_after {
        Some(s) if s == state.grab_window_secs && report.orders_escalated == 0 => orders = due,
        Some(s) => {
            orders = state
                .store
                .open_orders_filed_by(OrderKind::Consultation, seconds_before(now, s))
                .await?;
            report.rows_read += orders.len();
        }
        None => {}
    }
    if enabled().any(|r| matches!(r.kind, RuleKind::Overdue)) {
        let overdue = state.store.overdue_orders(now, since).await?;
        report.rows_read += overdue.len();
        orders.extend(overdue);
    }
    let max_low = enabled()
        .filter_map(|r| match r.kind {
            RuleKind::LowRating { max_score } => Some(max_score),
            _ => None,
        })
        .max();
    let mut ratings = Vec::new();
    if let Some(max_score) = max_low {
        let (low, rated) = state.store.low_ratings_since(max_score, since).await?;
        // A rating and the order it rates, each.
        report.rows_read += low.len() + rated.len();
        ratings = low;
        orders.extend(rated);
    }
    let mut signals = Vec::new();
    if enabled().any(|r| {
        matches!(
            r.kind,
            RuleKind::ClockInAnomaly | RuleKind::RepeatedOutOfFence { .. }
        )
    }) {
        let (found, read) = state.store.punch_signals_since(since).await?;
        report.rows_read += read;
        signals = found;
    }
    let raised: Vec<Warning> = evaluate_rules(now, &orders, &ratings, &signals, rules)
        .into_iter()
        .filter_map(|candidate| {
            let rule = rules.iter().find(|r| r.id == candidate.rule_id)?;
            Some(Warning::raise("", candidate, rule, now))
        })
        .collect();
    // Warnings raised before (by an earlier run, or another instance) are
    // found in one read and skipped, instead of a write transaction each
    // that the dedup key turns into nothing; the rest still go through
    // the keyed insert, so a warning raised meanwhile stays raised once.
    let keys: Vec<&str> = raised.iter().map(|w| w.dedup_key.as_str()).collect();
    let known = state.store.existing_warning_keys(&keys).await?;
    for warning in raised.iter().filter(|w| !known.contains(&w.dedup_key)) {
        if crate::notifications::queue::raise_warning(state, warning, now).await? {
            report.warnings_raised += 1;
        }
    }

    // 3. Unacknowledged warnings go up a level after their time: only
    // those whose time came are read (by their `escalate_at`).
    let warnings_due = state.store.warnings_due(now).await?;
    report.rows_read += warnings_due.len();
    for (id, version, w) in warnings_due {
        if w.escalation_due(now).is_some() {
            let mut changed = w.clone();
            if changed
                .escalate(now, Actor::system("warning-escalation"))
                .is_ok()
                && state
                    .store
                    .update_warning(id, version, &changed, now)
                    .await?
            {
                report.warnings_escalated += 1;
            }
        }
    }

    // 4. Exact punch locations past the retention period are erased.
    if let Some(days) = state.punch_location_retention_days {
        let (read, erased) = state
            .store
            .erase_punch_locations(
                now - chrono::Duration::days(i64::from(days)),
                now,
                ERASE_BATCH,
            )
            .await?;
        report.rows_read += read;
        report.punch_locations_erased = erased;
    }
    // Login throttle counters idle for a window and not in back-off start
    // over anyway: drop them, so guessed usernames leave nothing behind.
    state
        .store
        .prune_login_throttle(now - state.login.window, now)
        .await?;

    // 5. Personal data past its retention period (see `Retention`).
    let days = |d: u32| chrono::Duration::days(i64::from(d));
    if let Some(d) = state.retention.need_days {
        for id in state.store.needs_past_retention(now - days(d)).await? {
            if state.store.anonymise_need(id, now).await? {
                report.needs_anonymised += 1;
            }
        }
    }
    if let Some(d) = state.retention.attachment_days {
        report.attachments_erased = state
            .store
            .erase_attachments_before(now - days(d), now)
            .await?;
    }
    if let Some(d) = state.retention.audit_days {
        report.audit_entries_deleted = state.store.delete_audit_before(now - days(d)).await?;
    }
    // 6. Live events older than resumption reaches (PostgreSQL).
    state.events.prune().await?;
    // Ratings and punches written from here on, and deadlines passing
    // from here on, are read next time (by whichever
    // process runs the job then); the margin covers rows stamped just
    // before now that commit after it.
    state
        .store
        .set_job_mark(READ_MARK, now - READ_MARGIN)
        .await?;
    state.job_stats.record(&report);
    if report.needs_anonymised > 0 || report.attachments_erased > 0 {
        tracing::info!(
            needs = report.needs_anonymised,
            attachments = report.attachments_erased,
            audit_entries = report.audit_entries_deleted,
            "personal data past its retention period removed"
        );
    }
    Ok(report)
}
