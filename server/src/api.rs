//! The HTTP API, versioned under `/api/v1`.

use crate::error::ApiError;
use crate::store::{FacilityFilter, Store};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lawcircle_core::export;
use lawcircle_core::facility::{FacilityKind, ServiceProduct};
use serde::Deserialize;
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let x_request_id = header::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/facilities", get(list_facilities))
        .route("/api/v1/areas", get(list_areas))
        .route("/api/v1/duty-posts", get(list_duty_posts))
        .fallback(|| async { ApiError::NotFound("no such endpoint".to_string()) })
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        // Logs method, path and status only: no query strings or bodies,
        // so no personal data reaches the logs.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
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

async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    state.store.ping().await?;
    Ok(Json(json!({
        "status": "ok",
        "database": state.store.backend(),
        "catalogue_version": state.store.catalogue_version().await?,
        "version": env!("CARGO_PKG_VERSION"),
    })))
}

/// Query of `GET /api/v1/facilities`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityQuery {
    /// A facility kind code, e.g. `law_firm`.
    pub kind: Option<String>,
    /// A service product code, e.g. `mediation`.
    pub product: Option<String>,
    /// Only facilities changed after this catalogue version (includes
    /// retired ones, so a phone can drop them).
    pub since_version: Option<u64>,
    /// Include retired facilities in a full listing.
    #[serde(default)]
    pub include_retired: bool,
}

fn query_error(rejection: QueryRejection) -> ApiError {
    let text = rejection.body_text();
    // serde_urlencoded names the offending key first: "…: since_version: invalid digit".
    let field = text
        .strip_prefix("Failed to deserialize query string: ")
        .and_then(|rest| rest.split_once(':'))
        .map(|(key, _)| key.trim().to_string())
        .filter(|key| !key.contains(' '));
    ApiError::BadRequest {
        field,
        message: text,
    }
}

/// The catalogue as GeoJSON (RFC 7946, WGS-84), with the catalogue version
/// as a foreign member for delta pulls.
async fn list_facilities(
    State(state): State<AppState>,
    query: Result<Query<FacilityQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(query_error)?;
    let kind: Option<FacilityKind> = q
        .kind
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::bad_field("kind", e))?;
    let product: Option<ServiceProduct> = q
        .product
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::bad_field("product", e))?;
    let version = state.store.catalogue_version().await?;
    let facilities = state
        .store
        .facilities(&FacilityFilter {
            since_version: q.since_version,
            include_retired: q.include_retired,
        })
        .await?;
    let selected = facilities.iter().filter(|f| {
        kind.is_none_or(|k| f.kind == k) && product.is_none_or(|p| f.products.contains(&p))
    });
    let mut body = export::facilities_geojson(selected);
    body["version"] = json!(version);
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response())
}

async fn list_areas(State(state): State<AppState>) -> Result<Response, ApiError> {
    let areas = state.store.areas().await?;
    let body = export::areas_geojson(&areas);
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response())
}

async fn list_duty_posts(State(state): State<AppState>) -> Result<Response, ApiError> {
    let posts = state.store.duty_posts().await?;
    let body = export::duty_posts_geojson(&posts);
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response())
}
