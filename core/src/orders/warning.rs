//! Early warnings and their supervision (异常预警督办).
//!
//! # Rules as data
//! A [`WarningRule`] says what to watch ([`RuleKind`]), at which level the
//! warning is raised, and after how long an unacknowledged warning goes up
//! a level (village → street → district). [`default_rules`] are proposals
//! for a first configuration, not figures from the plan:
//! * `unclaimed_past_window`: an open consultation nobody grabbed within
//!   30 s (the grab window);
//! * `overdue`: an active order past its deadline;
//! * `low_rating`: a score ≤ 2 (needs a recorded call-back to resolve);
//! * `clock_in_anomaly`: a punch flagged by the clock-in check (mock
//!   location, impossible speed, clock skew, outside the shift, or a device
//!   and server verdict mismatch);
//! * `repeated_out_of_fence`: 3 out-of-fence attempts by one volunteer
//!   within 30 minutes.
//!
//! # No double firing
//! [`evaluate_rules`] is pure: given the same data it returns the same
//! candidates with the same [`WarningCandidate::dedup_key`], which names
//! the rule, the subject and the fact that fired it (e.g. the time the
//! order was opened, or its deadline), never the time of evaluation. The
//! server stores warnings with a unique `dedup_key` and inserts with
//! `INSERT … ON CONFLICT (dedup_key) DO NOTHING`, so several instances
//! running the job fire each warning once. A fact that changes (the order
//! is re-opened, the deadline moves) is a new key and may fire again.
//!
//! # Lifecycle
//! `open → acknowledged → resolved` (resolve also straight from open), with
//! notes and an audit trail. While open (unacknowledged), a warning
//! escalates one level each time `escalate_after_seconds` pass at its
//! current level; the server applies it with a conditional update on
//! `(id, state = 'open', level = old level)` so two instances escalate it
//! once.

use crate::authz::Action;
use crate::orders::order::{Actor, ActorRole, Level, Order};
use crate::orders::rating::{CallBack, Rating};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What a rule watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleKind {
    UnclaimedPastWindow { seconds: u64 },
    Overdue,
    LowRating { max_score: u8 },
    ClockInAnomaly,
    RepeatedOutOfFence { count: u32, within_minutes: u32 },
}

/// A warning rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRule {
    /// Stable id, part of every dedup key: never reuse one for another rule.
    pub id: String,
    pub kind: RuleKind,
    /// An open warning goes up a level after this many seconds.
    pub escalate_after_seconds: u64,
    /// The level the warning is raised at.
    pub level: Level,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl WarningRule {
    /// Low-rating warnings are closed only after a call-back (回访).
    pub fn requires_call_back(&self) -> bool {
        matches!(self.kind, RuleKind::LowRating { .. })
    }
}

/// A first configuration (see the module documentation).
pub fn default_rules() -> Vec<WarningRule> {
    let day = 24 * 3600;
    let rule = |id: &str, kind, escalate_after_seconds| WarningRule {
        id: id.into(),
        kind,
        escalate_after_seconds,
        level: Level::Street,
        enabled: true,
    };
    vec![
        rule(
            "unclaimed",
            RuleKind::UnclaimedPastWindow {
                seconds: crate::orders::order::DEFAULT_GRAB_WINDOW_S,
            },
            30 * 60,
        ),
        rule("overdue", RuleKind::Overdue, day),
        rule(
            "low_rating",
            RuleKind::LowRating {
                max_score: crate::orders::rating::LOW_RATING_MAX_SCORE,
            },
            day,
        ),
        rule("clock_in_anomaly", RuleKind::ClockInAnomaly, 2 * day),
        rule(
            "out_of_fence",
            RuleKind::RepeatedOutOfFence {
                count: 3,
                within_minutes: 30,
            },
            day,
        ),
    ]
}

/// A clock-in fact from the volunteer module, mapped by the server from
/// [`crate::volunteers::punch::PunchWarning`] and verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PunchSignalKind {
    /// A flag or a device/server verdict mismatch.
    Anomaly,
    /// A clock-in attempt outside the fence.
    OutOfFence,
}

/// One flagged punch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchSignal {
    pub punch_id: String,
    pub volunteer_id: String,
    pub street_code: String,
    pub at: DateTime<Utc>,
    pub kind: PunchSignalKind,
}

/// What a warning is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    Order {
        order_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        street_code: Option<String>,
    },
    Punch {
        punch_id: String,
        volunteer_id: String,
        street_code: String,
    },
    Volunteer {
        volunteer_id: String,
        street_code: String,
    },
}

/// A warning to raise, if not raised yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningCandidate {
    pub rule_id: String,
    pub subject: Subject,
    /// Deterministic: `rule | subject | fact`; the unique key in storage.
    pub dedup_key: String,
    pub level: Level,
    /// When the condition became true (from the data, not the clock).
    pub since: DateTime<Utc>,
    pub requires_call_back: bool,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Evaluates the enabled rules at `now`; the result is sorted by dedup key.
pub fn evaluate_rules(
    now: DateTime<Utc>,
    orders: &[Order],
    ratings: &[Rating],
    punch_signals: &[PunchSignal],
    rules: &[WarningRule],
) -> Vec<WarningCandidate> {
    let mut out: BTreeMap<String, WarningCandidate> = BTreeMap::new();
    let street_of: HashMap<&str, &str> = orders
        .iter()
        .map(|o| (o.id.as_str(), o.street_code.as_str()))
        .collect();
    for rule in rules.iter().filter(|r| r.enabled) {
        let mut push = |subject: Subject, fact: String, since: DateTime<Utc>| {
            let subject_key = match &subject {
                Subject::Order { order_id, .. } => format!("order:{order_id}"),
                Subject::Punch { punch_id, .. } => format!("punch:{punch_id}"),
                Subject::Volunteer { volunteer_id, .. } => format!("volunteer:{volunteer_id}"),
            };
            let dedup_key = format!("{}|{}|{}", rule.id, subject_key, fact);
            out.entry(dedup_key.clone()).or_insert(WarningCandidate {
                rule_id: rule.id.clone(),
                subject,
                dedup_key,
                level: rule.level,
                since,
                requires_call_back: rule.requires_call_back(),
            });
        };
        let order_subject = |o: &Order| Subject::Order {
            order_id: o.id.clone(),
            street_code: Some(o.street_code.clone()),
        };
        match &rule.kind {
            RuleKind::UnclaimedPastWindow { seconds } => {
                for o in orders {
                    if o.grab_window_expired(now, *seconds)
                        && let Some(opened) = o.opened_at()
                    {
                        let since = opened
                            + Duration::seconds(i64::try_from(*seconds).unwrap_or(i64::MAX / 1000));
                        push(order_subject(o), format!("opened:{}", ms(opened)), since);
                    }
                }
            }
            RuleKind::Overdue => {
                for o in orders {
                    if o.is_overdue(now)
                        && let Some(d) = o.deadline
                    {
                        push(order_subject(o), format!("deadline:{}", ms(d)), d);
                    }
                }
            }
            RuleKind::LowRating { max_score } => {
                for r in ratings
                    .iter()
                    .filter(|r| r.score <= *max_score && r.at <= now)
                {
                    push(
                        Subject::Order {
                            order_id: r.order_id.clone(),
                            street_code: street_of.get(r.order_id.as_str()).map(|s| s.to_string()),
                        },
                        "rating".into(),
                        r.at,
                    );
                }
            }
            RuleKind::ClockInAnomaly => {
                for p in punch_signals
                    .iter()
                    .filter(|p| p.kind == PunchSignalKind::Anomaly && p.at <= now)
                {
                    push(
                        Subject::Punch {
                            punch_id: p.punch_id.clone(),
                            volunteer_id: p.volunteer_id.clone(),
                            street_code: p.street_code.clone(),
                        },
                        "anomaly".into(),
                        p.at,
                    );
                }
            }
            RuleKind::RepeatedOutOfFence {
                count,
                within_minutes,
            } => {
                for (vid, run) in repeated_runs(now, punch_signals, *count, *within_minutes) {
                    let (first, last) = (run[0], run[run.len() - 1]);
                    push(
                        Subject::Volunteer {
                            volunteer_id: vid.to_string(),
                            street_code: last.street_code.clone(),
                        },
                        format!("from:{}", first.punch_id),
                        last.at,
                    );
                }
            }
        }
    }
    out.into_values().collect()
}

/// Runs of ≥ `count` out-of-fence attempts by one volunteer within
/// `within_minutes`, found greedily in time order (then punch id): once a
/// run fires, counting restarts after it, so a burst of attempts gives one
/// warning per `count` attempts, keyed by the run's first punch.
fn repeated_runs(
    now: DateTime<Utc>,
    signals: &[PunchSignal],
    count: u32,
    within_minutes: u32,
) -> Vec<(&str, Vec<&PunchSignal>)> {
    let count = count.max(1) as usize;
    let within = Duration::minutes(i64::from(within_minutes));
    let mut by_volunteer: BTreeMap<&str, Vec<&PunchSignal>> = BTreeMap::new();
    for s in signals
        .iter()
        .filter(|s| s.kind == PunchSignalKind::OutOfFence && s.at <= now)
    {
        by_volunteer
            .entry(s.volunteer_id.as_str())
            .or_default()
            .push(s);
    }
    let mut out = Vec::new();
    for (vid, mut list) in by_volunteer {
        list.sort_by(|a, b| a.at.cmp(&b.at).then(a.punch_id.cmp(&b.punch_id)));
        let mut start = 0;
        let mut i = 0;
        while i < list.len() {
            while list[i].at - list[start].at > within {
                start += 1;
            }
            if i + 1 - start >= count {
                out.push((vid, list[start..=i].to_vec()));
                start = i + 1;
            }
            i += 1;
        }
    }
    out
}

/// Where a warning stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningState {
    /// 待处理 (unacknowledged; escalates with time)
    Open,
    /// 已签收
    Acknowledged,
    /// 已办结
    Resolved,
}

impl WarningState {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningState::Open => "open",
            WarningState::Acknowledged => "acknowledged",
            WarningState::Resolved => "resolved",
        }
    }
}

/// What happened to a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum WarningAction {
    Raise,
    Escalate { from_level: Level, to_level: Level },
    Acknowledge,
    CallBack,
    Resolve,
}

/// One audited step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningStep {
    pub from: WarningState,
    pub to: WarningState,
    pub action: WarningAction,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarningError {
    #[error("cannot {action} a warning that is {from}")]
    IllegalTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error("{0} may not handle warnings")]
    NotPermitted(String),
    #[error("{0} needs a note")]
    NoteRequired(&'static str),
    #[error("a low-rating warning is resolved only after a recorded call-back")]
    CallBackRequired,
    #[error("escalation is not due before {due}")]
    NotDue { due: DateTime<Utc> },
    #[error("the warning is already at the top level")]
    TopLevel,
    #[error("the step at {at} is earlier than the last recorded one at {last}")]
    TimeGoesBackwards {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
}

/// A raised warning with its audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub id: String,
    pub rule_id: String,
    pub dedup_key: String,
    pub subject: Subject,
    pub state: WarningState,
    pub level: Level,
    /// When it reached its current level (escalation clock).
    pub level_since: DateTime<Utc>,
    pub escalate_after_seconds: u64,
    #[serde(default)]
    pub escalations: u32,
    pub raised_at: DateTime<Utc>,
    #[serde(default)]
    pub requires_call_back: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_back: Option<CallBack>,
    #[serde(default)]
    pub history: Vec<WarningStep>,
}

fn clean(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

impl Warning {
    /// Raises a warning from a candidate of `rule`.
    pub fn raise(
        id: impl Into<String>,
        candidate: WarningCandidate,
        rule: &WarningRule,
        at: DateTime<Utc>,
    ) -> Self {
        Warning {
            id: id.into(),
            rule_id: candidate.rule_id,
            dedup_key: candidate.dedup_key,
            subject: candidate.subject,
            state: WarningState::Open,
            level: candidate.level,
            level_since: at,
            escalate_after_seconds: rule.escalate_after_seconds,
            escalations: 0,
            raised_at: at,
            requires_call_back: candidate.requires_call_back,
            call_back: None,
            history: vec![WarningStep {
                from: WarningState::Open,
                to: WarningState::Open,
                action: WarningAction::Raise,
                actor: Actor::system("warning-rules"),
                at,
                note: None,
            }],
        }
    }

    /// When the next escalation is due, if the warning can still escalate.
    pub fn escalation_due_at(&self) -> Option<DateTime<Utc>> {
        if self.state != WarningState::Open {
            return None;
        }
        self.level.parent_level()?;
        let secs = i64::try_from(self.escalate_after_seconds).ok()?;
        self.level_since.checked_add_signed(Duration::seconds(secs))
    }

    /// The level it should go to at `now`, if an escalation is due.
    pub fn escalation_due(&self, now: DateTime<Utc>) -> Option<Level> {
        let due = self.escalation_due_at()?;
        (now >= due).then(|| self.level.parent_level()).flatten()
    }

    fn check_time(&self, at: DateTime<Utc>) -> Result<(), WarningError> {
        let last = self.history.last().map_or(self.raised_at, |s| s.at);
        if at < last {
            return Err(WarningError::TimeGoesBackwards { at, last });
        }
        Ok(())
    }

    fn check_handler(actor: &Actor) -> Result<(), WarningError> {
        match actor.role {
            ActorRole::User(r) if crate::authz::allowed(r, Action::HandleWarning) => Ok(()),
            _ => Err(WarningError::NotPermitted(actor.id.clone())),
        }
    }

    /// Escalates one level if due (by the background job).
    pub fn escalate(&mut self, now: DateTime<Utc>, actor: Actor) -> Result<Level, WarningError> {
        if self.state != WarningState::Open {
            return Err(WarningError::IllegalTransition {
                from: self.state.as_str(),
                action: "escalate",
            });
        }
        let to = self.level.parent_level().ok_or(WarningError::TopLevel)?;
        let due = self.escalation_due_at().ok_or(WarningError::TopLevel)?;
        if now < due {
            return Err(WarningError::NotDue { due });
        }
        self.check_time(now)?;
        self.history.push(WarningStep {
            from: self.state,
            to: self.state,
            action: WarningAction::Escalate {
                from_level: self.level,
                to_level: to,
            },
            actor,
            at: now,
            note: Some(format!(
                "unacknowledged for {} s at {}",
                self.escalate_after_seconds,
                self.level.as_str()
            )),
        });
        self.level = to;
        self.level_since = now;
        self.escalations += 1;
        Ok(to)
    }

    /// Acknowledges (签收) an open warning; stops escalation.
    pub fn acknowledge(
        &mut self,
        actor: Actor,
        at: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<(), WarningError> {
        if self.state != WarningState::Open {
            return Err(WarningError::IllegalTransition {
                from: self.state.as_str(),
                action: "acknowledge",
            });
        }
        Self::check_handler(&actor)?;
        self.check_time(at)?;
        self.history.push(WarningStep {
            from: self.state,
            to: WarningState::Acknowledged,
            action: WarningAction::Acknowledge,
            actor,
            at,
            note: clean(note),
        });
        self.state = WarningState::Acknowledged;
        Ok(())
    }

    /// Records a call-back (回访) on a warning that is not resolved.
    pub fn record_call_back(
        &mut self,
        actor: Actor,
        call_back: CallBack,
    ) -> Result<(), WarningError> {
        if self.state == WarningState::Resolved {
            return Err(WarningError::IllegalTransition {
                from: self.state.as_str(),
                action: "record a call-back on",
            });
        }
        Self::check_handler(&actor)?;
        if call_back.note.trim().is_empty() {
            return Err(WarningError::NoteRequired("a call-back"));
        }
        self.check_time(call_back.at)?;
        self.history.push(WarningStep {
            from: self.state,
            to: self.state,
            action: WarningAction::CallBack,
            actor,
            at: call_back.at,
            note: Some(call_back.note.trim().to_string()),
        });
        self.call_back = Some(call_back);
        Ok(())
    }

    /// Resolves (办结) with a note of what was done; a low-rating warning
    /// needs a recorded call-back first.
    pub fn resolve(
        &mut self,
        actor: Actor,
        at: DateTime<Utc>,
        note: &str,
    ) -> Result<(), WarningError> {
        if self.state == WarningState::Resolved {
            return Err(WarningError::IllegalTransition {
                from: self.state.as_str(),
                action: "resolve",
            });
        }
        Self::check_handler(&actor)?;
        let note = clean(Some(note)).ok_or(WarningError::NoteRequired("resolving"))?;
        if self.requires_call_back && self.call_back.is_none() {
            return Err(WarningError::CallBackRequired);
        }
        self.check_time(at)?;
        self.history.push(WarningStep {
            from: self.state,
            to: WarningState::Resolved,
            action: WarningAction::Resolve,
            actor,
            at,
            note: Some(note),
        });
        self.state = WarningState::Resolved;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
