//! What every handler can reach, and the clock it reads time from.

use crate::auth::LoginPolicy;
use crate::store::Store;
use chrono::{DateTime, Utc};
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
}

impl AppState {
    pub fn new(store: Store, calc_table: ParamTable) -> Self {
        AppState {
            store,
            clock: Clock::system(),
            login: LoginPolicy::default(),
            calc_table: Arc::new(calc_table),
        }
    }
}
