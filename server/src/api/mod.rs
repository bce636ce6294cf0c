//! The HTTP API, versioned under `/api/v1`, described by the OpenAPI 3.1
//! document served at `/api/v1/openapi.json`.
//!
//! One module per resource; every handler that touches protected data takes
//! a [`Caller`](crate::auth::Caller) and asks the core's one access decision
//! ([`lawcircle_core::authz::decide`]: the role × action table plus scoping)
//! through [`authorize`] (or [`require`] when it acts on no one record).

pub mod accounts;
pub mod audit;
pub mod calculators;
pub mod catalogue;
pub mod nearby;
pub mod needs;
pub mod open311;
pub mod openapi;
pub mod orders;
pub mod pagination;
pub mod personal_data;
pub mod punches;
pub mod ratings;
pub mod residents;
pub mod services;
pub mod session;
pub mod system;
pub mod tracking;
pub mod volunteers;
pub mod warnings;

use crate::auth::Caller;
use crate::error::{ApiError, normalize_errors};
use crate::notifications::api as notify;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, header};
use axum::routing::{delete, get, post, put};
use axum::{Router, middleware};
use lawcircle_core::authz::{Action, On, Refusal, Scope, Who, decide};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The largest JSON body the API reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The caller as the access decision sees them.
pub fn who(caller: &Caller) -> Who<'_> {
    Who {
        id: &caller.id,
        role: caller.account.role,
        street_code: caller.account.street_code.as_deref(),
    }
}

/// Asks the core's one access decision whether the caller may do `action`
/// on `on`: the scope it may reach, 403 with the reason, or 404 naming
/// `what` when the record is outside the caller's reach (its existence is
/// not disclosed).
pub fn authorize(
    caller: &Caller,
    action: Action,
    on: &On<'_>,
    what: impl FnOnce() -> String,
) -> Result<Scope, ApiError> {
    decide(&who(caller), action, on).map_err(|r| match r {
        Refusal::Forbidden(reason) => ApiError::Forbidden(reason),
        Refusal::Hidden => ApiError::NotFound(what()),
    })
}

/// What the caller may reach for `action` on no one record (lists,
/// creations); forbidden when nothing.
pub fn require(caller: &Caller, action: Action) -> Result<Scope, ApiError> {
    authorize(caller, action, &On::Everything, String::new)
}

/// The street a caller's scope limits them to: `None` for the whole
/// district, the caller's own street otherwise (forbidden when a
/// street-scoped account has none).
pub fn scoped_street(caller: &Caller, scope: Scope) -> Result<Option<String>, ApiError> {
    match scope {
        Scope::District => Ok(None),
        _ => caller
            .account
            .street_code
            .clone()
            .map(Some)
            .ok_or_else(ApiError::forbidden),
    }
}

/// Refuses a path or query carrying an encoded NUL (`%00`): databases
/// refuse it in text, and no identifier or value of ours contains one.
async fn reject_nul_in_uri(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = req.uri().to_string();
    if uri.as_bytes().windows(3).any(|w| w == b"%00") {
        const MESSAGE: &str = "the URL must not contain the NUL character (%00)";
        let path = req.uri().path();
        if path.starts_with("/open311/") {
            return open311::refuse_url(path, MESSAGE);
        }
        return ApiError::BadRequest {
            field: None,
            message: MESSAGE.to_string(),
        }
        .into_response();
    }
    next.run(req).await
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    let json_api = Router::new()
        .route("/health", get(system::health))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/auth/login", post(session::login))
        .route("/api/v1/auth/logout", post(session::logout))
        .route("/api/v1/auth/sms-codes", post(residents::send_code))
        .route("/api/v1/auth/register", post(residents::register))
        .route("/api/v1/auth/code-login", post(residents::code_login))
        .route("/api/v1/me", get(session::me))
        .route("/api/v1/me/password", post(session::change_password))
        .route(
            "/api/v1/accounts",
            get(accounts::list).post(accounts::create),
        )
        .route("/api/v1/accounts/{id}", get(accounts::get_one))
        .route("/api/v1/accounts/{id}/contact", get(accounts::contact))
        .route(
            "/api/v1/accounts/{id}/revoke-tokens",
            post(accounts::revoke_tokens),
        )
        .route(
            "/api/v1/accounts/{id}/password-reset",
            post(accounts::reset_password),
        )
        .route("/api/v1/accounts/{id}/disable", post(accounts::disable))
        .route("/api/v1/accounts/{id}/enable", post(accounts::enable))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/personal-data/export", post(personal_data::export))
        .route("/api/v1/personal-data/erase", post(personal_data::erase))
        .route(
            "/api/v1/calculators/compensation",
            post(calculators::compensation),
        )
        .route(
            "/api/v1/calculators/parameters",
            get(calculators::parameters),
        )
        .route(
            "/api/v1/facilities",
            get(catalogue::list_facilities).post(catalogue::create_facility),
        )
        .route("/api/v1/facilities/{id}", put(catalogue::update_facility))
        .route(
            "/api/v1/facilities/{id}/retire",
            post(catalogue::retire_facility),
        )
        .route(
            "/api/v1/volunteers",
            get(volunteers::list).post(volunteers::apply),
        )
        .route("/api/v1/volunteers/teams", get(volunteers::teams))
        .route("/api/v1/volunteers/{id}", get(volunteers::get_one))
        .route("/api/v1/volunteers/{id}/actions", post(volunteers::act))
        .route("/api/v1/volunteers/{id}/loans", post(volunteers::lend))
        .route(
            "/api/v1/volunteers/{id}/specialties",
            put(volunteers::set_specialties),
        )
        .route("/api/v1/specialties", get(volunteers::specialties))
        .route("/api/v1/orders", get(orders::list))
        .route("/api/v1/orders/offers", get(orders::offers))
        .route("/api/v1/orders/{id}", get(orders::get_one))
        .route("/api/v1/orders/{id}/grab", post(orders::grab))
        .route("/api/v1/orders/{id}/contact", get(orders::contact))
        .route("/api/v1/orders/{id}/events", post(orders::event))
        .route("/api/v1/orders/{id}/suggestions", get(orders::suggestions))
        .route("/api/v1/orders/{id}/rating", post(orders::rate))
        .route("/api/v1/orders/{id}/rating-link", post(ratings::issue_link))
        .route("/api/v1/orders/{id}/call-backs", post(ratings::call_back))
        // The public rating page of one-time links (HTML forms, no script).
        .route("/r/rate.css", get(ratings::page_css))
        .route(
            "/r/{token}",
            get(ratings::page_get).post(ratings::page_post),
        )
        .route("/api/v1/events", get(system::events))
        .route("/api/v1/notifications", get(notify::list))
        .route("/api/v1/notifications/stream", get(notify::stream))
        .route(
            "/api/v1/notifications/dead-letters",
            get(notify::dead_letters),
        )
        .route("/api/v1/push/vapid-key", get(notify::vapid_key))
        .route(
            "/api/v1/devices",
            get(notify::list_devices).post(notify::register),
        )
        .route("/api/v1/devices/{id}", delete(notify::unregister))
        .route(
            "/api/v1/me/notification-settings",
            get(notify::get_settings).put(notify::put_settings),
        )
        .route("/api/v1/punches/review-queue", get(punches::list))
        .route("/api/v1/punches/{id}/review", post(punches::review))
        .route(
            "/api/v1/punches/chains/{volunteer_id}",
            get(punches::verify),
        )
        .route("/api/v1/duty-hours", get(punches::duty_hours))
        .route("/api/v1/warnings", get(warnings::list))
        .route("/api/v1/warnings/{id}/actions", post(warnings::act))
        .route("/api/v1/spot-checks", get(warnings::spot_checks))
        .route("/api/v1/spot-checks/draw", post(warnings::draw_spot_checks))
        .route("/api/v1/spot-checks/draws", get(warnings::spot_check_draws))
        .route(
            "/api/v1/spot-checks/{order_id}",
            post(warnings::record_spot_check),
        )
        .route("/api/v1/indicators", get(warnings::indicators_json))
        .route("/metrics", get(warnings::metrics))
        .route("/api/v1/nearby", get(nearby::nearby))
        .route("/api/v1/coverage", get(nearby::coverage_report))
        .route("/api/v1/network", get(nearby::network_info))
        .route("/api/v1/facilities/{id}/isochrone", get(nearby::isochrone))
        .route("/api/v1/areas", get(catalogue::list_areas))
        .route("/api/v1/duty-posts", get(catalogue::list_duty_posts))
        .route("/api/v1/needs", get(needs::list).post(needs::create))
        .route("/api/v1/needs/{id}", get(needs::get_one))
        .route("/api/v1/public/needs", post(tracking::file_without_account))
        .route("/api/v1/tracking/{code}", get(tracking::track))
        .route("/api/v1/needs/{id}/contact", get(needs::contact))
        .route("/api/v1/punches", post(needs::create_punch))
        .route(
            "/api/v1/services",
            get(services::list).post(services::publish),
        )
        .route("/api/v1/services/{code}", get(services::get_one))
        .route("/api/v1/services/{code}/versions", get(services::versions))
        .route(
            "/api/v1/open311-keys",
            get(services::list_keys).post(services::create_key),
        )
        .route(
            "/api/v1/open311-keys/{id}/revoke",
            post(services::revoke_key),
        )
        // Open311 GeoReport v2: `{resource}.{json|xml}`, split by the
        // handlers (the extension picks the format).
        .route(
            "/open311/v2/{file}",
            get(open311::root_get).post(open311::root_post),
        )
        .route(
            "/open311/v2/services/{file}",
            get(open311::service_definition),
        )
        .route("/open311/v2/requests/{file}", get(open311::request_one))
        .route("/open311/v2/tokens/{file}", get(open311::token))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    // One byte over the limit still reaches the handler, which names the
    // field; anything larger is cut by the layer (413).
    let attachment_limit = lawcircle_core::need::MAX_ATTACHMENT_BYTES + 1;
    let attachments = Router::new()
        .route(
            "/api/v1/attachments/{sha256}",
            put(needs::put_attachment).get(needs::get_attachment),
        )
        .layer(DefaultBodyLimit::max(attachment_limit))
        .layer(RequestBodyLimitLayer::new(attachment_limit));
    let uploads = Router::new()
        .route("/api/v1/imports/{kind}", post(catalogue::import_file))
        .route("/api/v1/imports-hotline", post(warnings::import_hotline))
        .layer(DefaultBodyLimit::max(
            lawcircle_core::import::MAX_IMPORT_BYTES as usize,
        ))
        .layer(RequestBodyLimitLayer::new(
            lawcircle_core::import::MAX_IMPORT_BYTES as usize,
        ));
    let mut app = json_api
        .merge(uploads)
        .merge(attachments)
        .merge(crate::console::routes());
    if state.clock.is_adjustable() {
        app = app.route("/api/v1/test/clock", post(system::advance_clock));
    }
    app.fallback(|| async { ApiError::NotFound("no such endpoint".to_string()) })
        .with_state(state)
        .layer(middleware::from_fn(reject_nul_in_uri))
        .layer(middleware::map_response(normalize_errors))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        // Logs method, path and status only: no query strings, headers or
        // bodies, so neither tokens nor personal data reach the logs.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        // Outermost: the caller's own x-request-id is moved aside first, so
        // the id above is always the server's.
        .layer(middleware::from_fn(audit::server_request_ids))
}
