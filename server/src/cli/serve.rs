//! `serve`: the HTTP server, its background jobs and its orderly shutdown.

use super::coverage;
use super::storage::Storage;
use crate::api::router;
use crate::auth::LoginPolicy;
use crate::demo;
use crate::spatial::{Spatial, load_network};
use crate::state::{AppState, Clock};
use lawcircle_core::compensation::ParamTable;
use lawcircle_core::geo::network::WalkingNetwork;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What `serve` runs with, after merging flags, environment and file.
pub(super) struct ServeSettings {
    pub(super) bind: SocketAddr,
    pub(super) demo: bool,
    /// The demo accounts and activity (with `demo`).
    pub(super) demo_people: bool,
    pub(super) login: LoginPolicy,
    pub(super) clock: Clock,
    pub(super) calc_table: ParamTable,
    pub(super) network: Option<WalkingNetwork>,
    pub(super) grab_window_secs: u64,
    pub(super) jobs_interval: std::time::Duration,
    pub(super) console: crate::console::ConsoleSettings,
    pub(super) retention_days: Option<u32>,
    pub(super) metrics_token_hash: Option<String>,
    pub(super) session_recheck: std::time::Duration,
    pub(super) data_retention: crate::state::Retention,
    pub(super) sms: crate::sms::Sms,
    pub(super) public_url: Option<String>,
    pub(super) link_ttl_days: u32,
    pub(super) push_contact: String,
    pub(super) push_allow_plain_http: bool,
    /// The APNs channel, when configured.
    pub(super) apns: Option<crate::notifications::apns::Apns>,
    /// This instance's name (logs, `/health`, the job's lease).
    pub(super) instance_id: String,
    /// How long the background job's lease lasts (PostgreSQL).
    pub(super) leader_lease: std::time::Duration,
}

pub(super) async fn serve(storage: Storage, settings: ServeSettings) -> Result<(), String> {
    let ServeSettings {
        bind,
        demo,
        demo_people,
        login,
        clock,
        calc_table,
        network,
        grab_window_secs,
        jobs_interval,
        console,
        retention_days,
        metrics_token_hash,
        session_recheck,
        data_retention,
        sms,
        public_url,
        link_ttl_days,
        push_contact,
        push_allow_plain_http,
        apns,
        instance_id,
        leader_lease,
    } = settings;
    let store = storage.open().await?;
    if demo {
        let outcomes = demo::load(&store)
            .await
            .map_err(|e| format!("cannot load the demo data: {e}"))?;
        for o in outcomes {
            tracing::info!(
                file = %o.file,
                created = o.summary.created,
                updated = o.summary.updated,
                unchanged = o.summary.unchanged,
                "demo data loaded (illustrative, not the official registry)"
            );
        }
    }
    // The shipped application types, on first start (an empty table).
    let seeded = crate::applications::ApplicationTypes::seed(&store, chrono::Utc::now())
        .await
        .map_err(|e| format!("cannot store the default application types: {e}"))?;
    if seeded > 0 {
        tracing::info!(seeded, "default application types stored");
    }
    // Specialties written as free text before the taxonomy: as codes.
    let migrated = store
        .migrate_volunteer_specialties(chrono::Utc::now())
        .await
        .map_err(|e| format!("cannot migrate volunteers' specialties: {e}"))?;
    if migrated > 0 {
        tracing::info!(
            migrated,
            "volunteers' free-text specialties mapped to the taxonomy"
        );
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mut state = AppState::new(store.clone(), calc_table);
    state.clock = clock;
    state.login = login;
    state.spatial = std::sync::Arc::new(Spatial::new(network));
    state.grab_window_secs = grab_window_secs;
    state.punch_location_retention_days = retention_days;
    state.metrics_token_hash = metrics_token_hash;
    state.session_recheck = session_recheck;
    state.retention = data_retention;
    // Several instances on PostgreSQL: live events through the database,
    // the background job on the lease holder only.
    if let Some(url) = store.postgres_url() {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(std::time::Duration::from_secs(30))
            .connect(url)
            .await
            .map_err(|e| format!("cannot connect for the live events: {e}"))?;
        state.events =
            crate::events::EventBus::shared(pool.clone(), &instance_id, &state.notifications)
                .await
                .map_err(|e| format!("cannot start the live events: {e}"))?;
        let leadership = std::sync::Arc::new(crate::jobs::Leadership::shared(
            pool,
            &instance_id,
            leader_lease,
        ));
        leadership.clone().campaign();
        state.leadership = leadership;
    } else {
        state.leadership = std::sync::Arc::new(crate::jobs::Leadership::single(&instance_id));
    }
    match store.durability().await {
        Ok(settings) => tracing::info!(?settings, "durability of commits"),
        Err(e) => tracing::warn!(error = %e, "cannot read the durability settings"),
    }
    state.console = std::sync::Arc::new(console);
    if !sms.is_configured() {
        tracing::warn!(
            "no SMS provider configured (sms_provider): rating links are not sent by SMS and \
             residents cannot register by SMS code; /health reports sms=not_configured"
        );
    }
    state.sms = sms;
    state.ratings = std::sync::Arc::new(crate::api::ratings::RatingSettings {
        public_url: public_url.unwrap_or_else(|| format!("http://{addr}")),
        link_ttl: chrono::Duration::days(i64::from(link_ttl_days)),
    });
    state.calendar = std::sync::Arc::new(
        lawcircle_core::calendar::working_time::HolidayCalendar::china_2025_2026()
            .map_err(|e| format!("the built-in holiday calendar: {e}"))?,
    );
    if demo_people {
        let people = demo::seed_people(&state)
            .await
            .map_err(|e| format!("cannot make the demo accounts and activity: {e}"))?;
        // Counts only: the passwords go to standard output, never the log.
        if let Some(e) = &people.activity_error {
            tracing::warn!(error = %e, "the demo activity stopped before its end");
        }
        tracing::info!(
            created = people.created,
            reset = people.reset,
            needs_filed = people.needs_filed,
            "demo accounts ready (illustrative); an earlier demo's accounts get new passwords"
        );
        let console_url = format!("http://{addr}/console/");
        print!("{}", people.credentials_block(&console_url));
    }
    // Scripts and tests read the address from this line on standard output.
    println!("LawCircle listening on http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, database = %storage.describe(), "serving");
    state
        .notifications
        .start(
            &store,
            &push_contact,
            push_allow_plain_http,
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| format!("cannot start push notifications: {e}"))?;
    if apns.is_none() {
        tracing::info!(
            "APNs not configured (apns_team_id, apns_key_id, apns_key_file, apns_topic): \
             iPhones are notified only while the app is open"
        );
    }
    state.notifications.set_apns(apns);
    crate::notifications::worker::spawn(state.clone());
    crate::jobs::spawn(
        state.clone(),
        crate::jobs::rules_for(grab_window_secs),
        jobs_interval,
    );
    crate::api::indicators::spawn_refresh(state.clone(), std::time::Duration::from_secs(2));
    let leadership = state.leadership.clone();
    let app = router(state);
    // The peer address reaches the handlers (the login throttle and the
    // SMS limits count per client address).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())?;
    leadership.release().await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

pub(super) async fn open_network(path: Option<PathBuf>) -> Result<Option<WalkingNetwork>, String> {
    match path {
        Some(path) => tokio::task::spawn_blocking(move || {
            coverage::with_spinner("loading the walking network", || load_network(&path))
        })
        .await
        .map_err(|e| e.to_string())?
        .map(Some)
        .map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
