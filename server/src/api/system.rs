//! Liveness and, on test servers only, the adjustable clock.

use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};

/// `GET /health`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub catalogue_version: u64,
    pub version: String,
}

#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "The server and its database answer", body = Health)))]
pub async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, ApiError> {
    state.store.ping().await?;
    Ok(ApiJson(Health {
        status: "ok".to_string(),
        database: state.store.backend().as_str().to_string(),
        catalogue_version: state.store.catalogue_version().await?,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }))
}

/// Moves a test server's clock forward.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    pub seconds: i64,
}

/// `POST /api/v1/test/clock`: only mounted with `serve --test-clock`.
pub async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AdvanceClock>,
) -> Result<ApiJson<serde_json::Value>, ApiError> {
    if !(0..=366 * 24 * 3600).contains(&body.seconds) {
        return Err(ApiError::bad_field("seconds", "between 0 and one year"));
    }
    state.clock.advance(chrono::Duration::seconds(body.seconds));
    Ok(ApiJson(serde_json::json!({ "now": state.clock.now() })))
}
