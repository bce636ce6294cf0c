//! API keys of Open311 client apps (`/api/v1/open311-keys`): issued by a
//! district admin, shown once, stored only hashed.

use crate::api::require;
use crate::auth::{SignedIn, new_api_key};
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::store::ApiKeyRecord;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Action;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A new key: `name` says which client app it is for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    pub name: String,
}

/// An issued key; `key` is shown this once and stored only hashed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedApiKey {
    #[serde(flatten)]
    pub record: ApiKeyRecord,
    pub key: String,
}

#[utoipa::path(post, path = "/api/v1/open311-keys", tag = "services", security(("bearer" = [])),
    request_body = NewApiKey,
    responses((status = 201, body = IssuedApiKey, description = "The key, shown once"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden))]
pub async fn create_key(
    SignedIn { state, caller }: SignedIn,
    ApiJson(req): ApiJson<NewApiKey>,
) -> Result<(StatusCode, ApiJson<IssuedApiKey>), ApiError> {
    require(&caller, Action::ManageApiKeys)?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_field("name", "1 to 100 characters"));
    }
    let (key, hash) = new_api_key().map_err(|e| ApiError::Internal(e.to_string()))?;
    let record = state
        .store
        .create_api_key(name, &hash, caller.account.id, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(IssuedApiKey { record, key })))
}

#[utoipa::path(get, path = "/api/v1/open311-keys", tag = "services", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiKeyRecord>, description = "Every key, newest first (never the keys themselves)"),
        refusal::Unauthenticated, refusal::Forbidden))]
pub async fn list_keys(
    SignedIn { state, caller }: SignedIn,
) -> Result<ApiJson<Vec<ApiKeyRecord>>, ApiError> {
    require(&caller, Action::ManageApiKeys)?;
    Ok(ApiJson(state.store.api_keys().await?))
}

/// The answer to a revocation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevokedKey {
    pub id: i64,
    pub revoked_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/open311-keys/{id}/revoke", tag = "services", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = RevokedKey),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden,
        (status = 404, body = crate::error::ErrorBody, description = "No such key, or already revoked")))]
pub async fn revoke_key(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
) -> Result<ApiJson<RevokedKey>, ApiError> {
    require(&caller, Action::ManageApiKeys)?;
    let now = state.clock.now();
    if state.store.revoke_api_key(id, now).await? {
        Ok(ApiJson(RevokedKey {
            id,
            revoked_at: now,
        }))
    } else {
        Err(ApiError::NotFound(format!("live API key {id}")))
    }
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
}
