//! Logging in and out, and who am I.

use crate::api::accounts::AccountView;
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: AccountView,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Wrong username or password", body = crate::error::ErrorBody),
        (status = 429, description = "Too many failed attempts", body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    if req.username.is_empty() || req.username.len() > 64 {
        return Err(ApiError::bad_field("username", "1 to 64 characters"));
    }
    if req.password.len() > 1024 {
        return Err(ApiError::bad_field("password", "at most 1024 bytes"));
    }
    let now = state.clock.now();
    let session = auth::login(
        &state.store,
        &state.login,
        &req.username,
        &req.password,
        now,
    )
    .await?;
    Ok(ApiJson(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        account: AccountView::own(&session.account),
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session",
    security(("bearer" = [])),
    responses((status = 204, description = "The token is revoked"),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    state
        .store
        .revoke_token(&caller.token_hash, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> ApiJson<AccountView> {
    ApiJson(AccountView::own(&caller.account))
}
