//! The background job of each server instance: escalates consultations
//! nobody grabbed within the window, raises early warnings from the rules,
//! escalates warnings nobody acknowledged in time, and removes personal
//! data past its retention period. Safe with several
//! instances on one database: every write is a conditional update on the
//! version read, and raising a warning is an insert keyed by its
//! deterministic dedup key — a second instance doing the same work changes
//! nothing.

use crate::state::AppState;
use crate::store::{OrderFilter, StoreError};
use lawcircle_core::orders::order::{Actor, OrderEvent, OrderKind, OrderState};
use lawcircle_core::orders::warning::{Warning, WarningRule, default_rules, evaluate_rules};
use std::time::Duration;

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
}

/// Runs the job every `interval` until the process ends.
pub fn spawn(state: AppState, rules: Vec<WarningRule>, interval: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&state, &rules).await {
                tracing::warn!(error = %e, "background job failed; retrying next tick");
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

    // 1. Unclaimed consultations past the window go to the hotline/staff queue.
    let open = state
        .store
        .orders(&OrderFilter {
            states: vec![OrderState::Open],
            ..OrderFilter::default()
        })
        .await?;
    for o in open.iter().filter(|o| {
        o.kind == OrderKind::Consultation && o.grab_window_expired(now, state.grab_window_secs)
    }) {
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

    // 2. Early warnings from the rules (deduplicated by key).
    let orders = state.store.orders(&OrderFilter::default()).await?;
    let ratings = state.store.ratings().await?;
    let signals = state.store.punch_signals().await?;
    for candidate in evaluate_rules(now, &orders, &ratings, &signals, rules) {
        if let Some(rule) = rules.iter().find(|r| r.id == candidate.rule_id)
            && state
                .store
                .raise_warning(&Warning::raise("", candidate, rule, now))
                .await?
        {
            report.warnings_raised += 1;
        }
    }

    // 3. Unacknowledged warnings go up a level after their time.
    for (id, version, w) in state.store.warnings(None).await? {
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
        report.punch_locations_erased = state
            .store
            .erase_punch_locations(now - chrono::Duration::days(i64::from(days)), now)
            .await?;
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
