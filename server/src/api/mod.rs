//! The HTTP API, versioned under `/api/v1`, described by the OpenAPI 3.1
//! document served at `/api/v1/openapi.json`.
//!
//! One module per resource, owning its routes, handlers and OpenAPI
//! annotations: its `routes()` registers each handler with utoipa-axum's
//! `routes!`, which reads the path and method from the handler's
//! `#[utoipa::path]`, so a path is written once. [`router`] puts the
//! resources together with their body limits and layers.
//!
//! Every handler that touches protected data takes
//! a [`Caller`] (most through [`crate::auth::SignedIn`], the caller and the
//! server's state in one argument) and asks the core's one access decision
//! ([`lawcircle_core::authz::decide`]: the role × action table plus scoping)
//! through [`authorize`] (or [`require`] when it acts on no one record).

pub mod accounts;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod calculators;
pub mod catalogue;
pub mod dispatch;
pub mod exports;
pub mod headers;
pub mod hotline;
pub mod idempotency;
pub mod indicators;
pub mod nearby;
pub mod needs;
pub mod openapi;
pub mod orders;
pub mod pagination;
pub mod personal_data;
pub mod punches;
pub mod ratings;
pub mod residents;
pub mod session;
pub mod spot_checks;
pub mod system;
pub mod tracking;
pub mod volunteers;
pub mod warnings;

use crate::auth::Caller;
use crate::error::{ApiError, normalize_errors};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, header};
use axum::routing::post;
use axum::{Router, middleware};
use lawcircle_core::authz::{Action, On, Refusal, Scope, Who, decide};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The query of a read of someone's full contact details (an account's,
/// a need's or an order's requester): the reason is required and recorded
/// in the audit log.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Why the full contact details are needed; recorded in the audit log.
    pub reason: String,
}

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
            return crate::open311::refuse_url(path, MESSAGE);
        }
        return ApiError::BadRequest {
            field: None,
            message: MESSAGE.to_string(),
        }
        .into_response();
    }
    next.run(req).await
}

/// The documented routes, each resource's own, with the OpenAPI document
/// they make together with [`openapi::ApiDoc`].
fn documented() -> OpenApiRouter<AppState> {
    let json_api = OpenApiRouter::new()
        .merge(system::routes())
        .merge(session::routes())
        .merge(residents::routes())
        .merge(accounts::routes())
        .merge(audit::routes())
        .merge(personal_data::routes())
        .merge(calculators::routes())
        .merge(catalogue::routes())
        .merge(nearby::routes())
        .merge(volunteers::routes())
        .merge(punches::routes())
        .merge(needs::routes())
        .merge(exports::routes())
        .merge(tracking::routes())
        .merge(orders::routes())
        .merge(dispatch::routes())
        .merge(ratings::routes())
        .merge(warnings::routes())
        .merge(spot_checks::routes())
        .merge(indicators::routes())
        .merge(applications::routes())
        .merge(crate::open311::routes())
        .merge(crate::notifications::api::routes())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    // One byte over the limit still reaches the handler, which names the
    // field; anything larger is cut by the layer (413).
    let attachment_limit = lawcircle_core::needs::MAX_ATTACHMENT_BYTES + 1;
    let attachments = attachments::routes()
        .layer(DefaultBodyLimit::max(attachment_limit))
        .layer(RequestBodyLimitLayer::new(attachment_limit));
    let import_limit = lawcircle_core::catalogue::import::MAX_IMPORT_BYTES as usize;
    let uploads = catalogue::import_routes()
        .merge(hotline::routes())
        .layer(DefaultBodyLimit::max(import_limit))
        .layer(RequestBodyLimitLayer::new(import_limit));
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(json_api)
        .merge(uploads)
        .merge(attachments)
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    let (api, document) = documented().split_for_parts();
    let mut app = api
        .route("/api/v1/openapi.json", openapi::serve(document))
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
