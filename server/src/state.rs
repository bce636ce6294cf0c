//! What every handler can reach, and the clock it reads time from.

use crate::auth::LoginPolicy;
use crate::events::EventBus;
use crate::spatial::Spatial;
use crate::store::Store;
use chrono::{DateTime, Utc};
use lawcircle_core::calendar::working_time::{DeadlinePolicy, HolidayCalendar};
use lawcircle_core::compensation::ParamTable;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The server's clock: the system time plus an offset that only a server
/// started with `--test-clock` lets tests move (for expiry, deadlines and
/// escalation), never in production.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    adjustable: bool,
}

impl Clock {
    pub fn system() -> Self {
        Clock::default()
    }

    pub fn adjustable() -> Self {
        Clock {
            offset_ms: Arc::default(),
            adjustable: true,
        }
    }

    pub fn is_adjustable(&self) -> bool {
        self.adjustable
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves an adjustable clock forward; a system clock ignores it.
    pub fn advance(&self, by: chrono::Duration) {
        if self.adjustable {
            self.offset_ms
                .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
        }
    }
}

/// Shared state of the HTTP handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub login: LoginPolicy,
    /// The compensation calculators' parameter table (built-in figures,
    /// plus any file given with `--calc-parameters`).
    pub calc_table: Arc<ParamTable>,
    /// The walking network and the facility index.
    pub spatial: Arc<Spatial>,
    /// Live order changes for the console.
    pub events: EventBus,
    /// Whether this instance runs the background job (one instance of
    /// several on PostgreSQL), and this instance's name.
    pub leadership: Arc<crate::jobs::Leadership>,
    /// Messages to people: wakes the delivery worker and open streams.
    pub notifications: crate::notifications::Notifications,
    /// Deadlines of orders (5 working days; urgent 1 hour).
    pub deadlines: DeadlinePolicy,
    /// Working days: weekends, public holidays and make-up days.
    pub calendar: Arc<HolidayCalendar>,
    /// How far (metres) a volunteer may be from a consultation to be
    /// offered it (default: the 15-minute walk, 1.2 km).
    pub offer_radius_m: f64,
    /// Seconds an open consultation waits for a grab before it escalates
    /// to the hotline/staff queue (default 30).
    pub grab_window_secs: u64,
    /// The staff console's settings (a tile layer, when configured).
    pub console: Arc<crate::console::ConsoleSettings>,
    /// The application types (办事事项) and the legal aid rules.
    pub application_types: Arc<crate::applications::ApplicationTypes>,
    /// Days the exact location of a punch is kept before it is erased
    /// (`None`: kept).
    pub punch_location_retention_days: Option<u32>,
    /// Text messages: the provider, if one is configured, and its limits.
    pub sms: crate::sms::Sms,
    /// Rating requests: the public address links are made with, their
    /// lifetime.
    pub ratings: Arc<crate::api::ratings::RatingSettings>,
    /// Bounds how many argon2 computations run at once (on the blocking
    /// pool): one per core.
    pub password_work: Arc<tokio::sync::Semaphore>,
    /// Ended sessions (revoked tokens, disabled accounts), so open event
    /// streams close at once.
    pub sessions: crate::events::SessionBus,
    /// How often an open event stream re-checks its token (a revocation on
    /// another instance, an expiry).
    pub session_recheck: std::time::Duration,
    /// The sha256 of the token a Prometheus scraper may send to `/metrics`
    /// instead of a staff account's (`None`: staff only).
    pub metrics_token_hash: Option<String>,
    /// The indicators and coverage, computed once per catalogue version
    /// and for a short while (see [`crate::api::indicators`]).
    pub indicator_cache: Arc<crate::api::indicators::IndicatorCache>,
    /// The background job's runs and the rows they read (`/metrics`).
    pub job_stats: Arc<crate::jobs::JobStats>,
    /// How long personal data of needs, attachments and the audit log is
    /// kept (the background job removes it after).
    pub retention: Retention,
    /// The writer that stores grabs in batches (group commit).
    pub order_commits: Arc<crate::usecases::order_commits::OrderCommits>,
}

/// Days each kind of personal data is kept; `None`: kept until removed on
/// request. Punch locations have their own setting
/// (`punch_location_retention_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// A need's personal data, counted from filing, once its case is over
    /// (resolved, evaluated, closed or cancelled); default 3 years.
    pub need_days: Option<u32>,
    /// The bytes of photos and documents, counted from upload, unless a
    /// case still being worked on uses them; default 1 year.
    pub attachment_days: Option<u32>,
    /// Audit log entries (who read what, why); default 3 years.
    pub audit_days: Option<u32>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            need_days: Some(3 * 365),
            attachment_days: Some(365),
            audit_days: Some(3 * 365),
        }
    }
}

impl AppState {
    pub fn new(store: Store, calc_table: ParamTable) -> Self {
        AppState {
            store,
            clock: Clock::system(),
            login: LoginPolicy::default(),
            calc_table: Arc::new(calc_table),
            spatial: Arc::new(Spatial::default()),
            events: EventBus::default(),
            leadership: Arc::new(crate::jobs::Leadership::single(
                &crate::jobs::default_instance_id(),
            )),
            notifications: crate::notifications::Notifications::default(),
            deadlines: DeadlinePolicy::default(),
            calendar: Arc::new(HolidayCalendar::china_2025_2026().unwrap_or_default()),
            offer_radius_m: lawcircle_core::FIFTEEN_MINUTE_WALK_M,
            grab_window_secs: lawcircle_core::orders::order::DEFAULT_GRAB_WINDOW_S,
            punch_location_retention_days: Some(180),
            retention: Retention::default(),
            console: Arc::default(),
            application_types: Arc::new(crate::applications::ApplicationTypes::new()),
            sms: crate::sms::Sms::default(),
            ratings: Arc::default(),
            password_work: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
            )),
            sessions: crate::events::SessionBus::default(),
            session_recheck: std::time::Duration::from_secs(15),
            metrics_token_hash: None,
            indicator_cache: Arc::default(),
            job_stats: Arc::default(),
            order_commits: Arc::default(),
        }
    }
}
