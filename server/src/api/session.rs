//! Logging in and out, and who am I.

use crate::api::accounts::AccountView;
use crate::auth::{self, Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use lawcircle_api::session::{LoginRequest, LoginResponse};

impl From<auth::Session> for LoginResponse {
    fn from(session: auth::Session) -> Self {
        LoginResponse {
            token: session.token,
            expires_at: session.expires_at,
            account: crate::api::accounts::own_view(&session.account),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Wrong username or password", body = crate::error::ErrorBody),
        (status = 429, description = "Too many failed attempts: wait the Retry-After seconds (exponential back-off per username and address, per username, per address)", body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    auth::ClientAddr(address): auth::ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    if req.username.is_empty() || req.username.len() > 64 {
        return Err(ApiError::bad_field("username", "1 to 64 characters"));
    }
    if req.password.len() > 1024 {
        return Err(ApiError::bad_field("password", "at most 1024 bytes"));
    }
    let session = auth::login(&state, &req.username, &req.password, &address).await?;
    Ok(ApiJson(session.into()))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session",
    security(("bearer" = [])),
    responses((status = 204, description = "The token is revoked"),
        refusal::Unauthenticated))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    state
        .store
        .revoke_token(&caller.token_hash, state.clock.now())
        .await?;
    state
        .sessions
        .end(crate::events::SessionEnd::Token(caller.token_hash));
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    /// At least 10 characters.
    pub new_password: String,
}

/// Changes the caller's own password, given the old one (checked through
/// the same throttle as logins). Every other session of the account is
/// signed out; this one stays.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 204, description = "Changed; the account's other tokens are revoked"),
        refusal::Invalid, refusal::Unauthenticated,
        (status = 403, description = "The old password is wrong", body = crate::error::ErrorBody),
        refusal::TooManyRequests))]
pub async fn change_password(
    SignedIn { state, caller }: SignedIn,
    auth::ClientAddr(address): auth::ClientAddr,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    if req.old_password.len() > 1024 {
        return Err(ApiError::bad_field("old_password", "at most 1024 bytes"));
    }
    if req.new_password.len() > 1024 {
        return Err(ApiError::bad_field("new_password", "at most 1024 bytes"));
    }
    if req.new_password.chars().count() < auth::MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_field(
            "new_password",
            auth::AuthError::WeakPassword.to_string(),
        ));
    }
    let right = auth::check_password(
        &state,
        &caller.account.username,
        &req.old_password,
        &address,
    )
    .await?;
    if right.is_none_or(|a| a.id != caller.account.id) {
        return Err(ApiError::Forbidden("the old password is wrong".into()));
    }
    let hash = auth::hash_password_off_thread(&state, &req.new_password)
        .await
        .map_err(|e| match e {
            auth::AuthError::WeakPassword => ApiError::bad_field("new_password", e.to_string()),
            other => ApiError::Internal(other.to_string()),
        })?;
    state
        .store
        .set_password_hash(caller.account.id, &hash)
        .await?;
    state
        .store
        .revoke_other_tokens(caller.account.id, &caller.token_hash, state.clock.now())
        .await?;
    state.sessions.end(crate::events::SessionEnd::OtherTokens(
        caller.account.id,
        caller.token_hash,
    ));
    tracing::info!(account = caller.account.id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = AccountView), refusal::Unauthenticated))]
pub async fn me(caller: Caller) -> ApiJson<AccountView> {
    ApiJson(crate::api::accounts::own_view(&caller.account))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}
