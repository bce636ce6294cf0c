//! The HTTP API, versioned under `/api/v1`, described by the OpenAPI 3.1
//! document served at `/api/v1/openapi.json`.
//!
//! One module per resource; every handler that touches protected data takes
//! a [`Caller`](crate::auth::Caller) and asks the core's role × action table
//! ([`lawcircle_core::authz`]) through [`require`].

pub mod accounts;
pub mod audit;
pub mod calculators;
pub mod catalogue;
pub mod needs;
pub mod openapi;
pub mod pagination;
pub mod session;
pub mod system;

use crate::auth::Caller;
use crate::error::{ApiError, normalize_errors};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, header};
use axum::routing::{get, post, put};
use axum::{Router, middleware};
use lawcircle_core::authz::{Action, Scope, scope};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The largest JSON body the API reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the caller's role may reach for `action`; forbidden when nothing.
pub fn require(caller: &Caller, action: Action) -> Result<Scope, ApiError> {
    match scope(caller.account.role, action) {
        Scope::None => Err(ApiError::forbidden()),
        s => Ok(s),
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    let json_api = Router::new()
        .route("/health", get(system::health))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/auth/login", post(session::login))
        .route("/api/v1/auth/logout", post(session::logout))
        .route("/api/v1/me", get(session::me))
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
        .route("/api/v1/audit", get(audit::list))
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
        .route("/api/v1/areas", get(catalogue::list_areas))
        .route("/api/v1/duty-posts", get(catalogue::list_duty_posts))
        .route("/api/v1/needs", get(needs::list).post(needs::create))
        .route("/api/v1/needs/{id}", get(needs::get_one))
        .route("/api/v1/needs/{id}/contact", get(needs::contact))
        .route("/api/v1/punches", post(needs::create_punch))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    // One byte over the limit still reaches the handler, which names the
    // field; anything larger is cut by the layer (413).
    let attachment_limit = lawcircle_core::need::MAX_ATTACHMENT_BYTES + 1;
    let attachments = Router::new()
        .route("/api/v1/attachments/{sha256}", put(needs::put_attachment))
        .layer(DefaultBodyLimit::max(attachment_limit))
        .layer(RequestBodyLimitLayer::new(attachment_limit));
    let uploads = Router::new()
        .route("/api/v1/imports/{kind}", post(catalogue::import_file))
        .layer(DefaultBodyLimit::max(
            lawcircle_core::import::MAX_IMPORT_BYTES as usize,
        ))
        .layer(RequestBodyLimitLayer::new(
            lawcircle_core::import::MAX_IMPORT_BYTES as usize,
        ));
    let mut app = json_api.merge(uploads).merge(attachments);
    if state.clock.is_adjustable() {
        app = app.route("/api/v1/test/clock", post(system::advance_clock));
    }
    app.fallback(|| async { ApiError::NotFound("no such endpoint".to_string()) })
        .with_state(state)
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
}
