//! Accounts: lists show masked personal data; full contact details come
//! only through the audited contact endpoint.

use crate::api::pagination::{Page, PageQuery};
use crate::api::{ContactQuery, authorize, require, scoped_street};
use crate::auth::{self, Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::Account;
use crate::usecases::accounts::create_account;
use axum::extract::Path;
use axum::http::StatusCode;
use lawcircle_core::authz::{Action, On, Role, Scope};
use lawcircle_core::privacy::{mask_id_number, mask_phone};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use lawcircle_api::session::AccountView;

/// An account as lists show it: phone and ID number masked (138****1234).
pub fn masked_view(a: &Account) -> AccountView {
    AccountView {
        id: a.id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role,
        street_code: a.street_code.clone(),
        phone: a.phone.as_deref().map(mask_phone),
        id_number: a.id_number.as_deref().map(mask_id_number),
        disabled: a.disabled,
        created_at: a.created_at,
    }
}

/// The caller's own account, in full.
pub fn own_view(a: &Account) -> AccountView {
    AccountView {
        phone: a.phone.clone(),
        id_number: a.id_number.clone(),
        ..masked_view(a)
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountListQuery {
    /// Only accounts of this street (district admins; staff always see
    /// their own street only).
    pub street: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])),
    params(AccountListQuery),
    responses((status = 200, body = Page<AccountView>),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<AccountListQuery>,
) -> Result<ApiJson<Page<AccountView>>, ApiError> {
    let scope = require(&caller, Action::ListAccounts)?;
    let page = PageQuery {
        after: q.after,
        limit: q.limit,
    };
    let limit = page.limit()?;
    let street = match scope {
        Scope::District => q.street.clone(),
        _ => scoped_street(&caller, scope)?,
    };
    let accounts = state
        .store
        .list_accounts(street.as_deref(), page.after(), limit + 1)
        .await?;
    let views = accounts.iter().map(masked_view).collect();
    Ok(ApiJson(Page::from_overfetch(
        views,
        limit,
        |a: &AccountView| a.id,
    )))
}

async fn load_in_scope(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<Account, ApiError> {
    require(caller, action)?;
    let account = state
        .store
        .account(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("account {id}")))?;
    // Outside the caller's street: indistinguishable from missing.
    authorize(
        caller,
        action,
        &On::Account {
            id: &account.id.to_string(),
            role: account.role,
            street_code: account.street_code.as_deref(),
        },
        || format!("account {id}"),
    )?;
    Ok(account)
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountView),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn get_one(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
) -> Result<ApiJson<AccountView>, ApiError> {
    if id == caller.account.id {
        return Ok(ApiJson(own_view(&caller.account)));
    }
    let account = load_in_scope(&state, &caller, id, Action::ListAccounts).await?;
    Ok(ApiJson(masked_view(&account)))
}

/// Full contact details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub display_name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}/contact", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path), ContactQuery),
    responses((status = 200, body = ContactView),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn contact(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    headers: axum::http::HeaderMap,
) -> Result<ApiJson<ContactView>, ApiError> {
    let reason = crate::usecases::audit::read_reason(&q.reason)?;
    let account = load_in_scope(&state, &caller, id, Action::ReadAccountContact).await?;
    crate::usecases::audit::record_read(
        &state,
        &caller,
        &headers,
        crate::usecases::audit::PersonalDataRead {
            action: "read_account_contact",
            subject_type: "account",
            subject_id: account.id.to_string(),
            fields: "phone,id_number",
        },
        reason,
    )
    .await?;
    Ok(ApiJson(ContactView {
        id: account.id,
        display_name: account.display_name,
        phone: account.phone,
        id_number: account.id_number,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    /// 3–32 characters: lowercase letters, digits, `.`, `_`, `-`.
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String, example = "volunteer")]
    pub role: Role,
    /// Required for station_staff; staff creating accounts may only give
    /// their own street.
    pub street_code: Option<String>,
    /// A mainland mobile number.
    pub phone: Option<String>,
    /// An 18-character resident ID number (checked with GB 11643).
    pub id_number: Option<String>,
    /// At least 10 characters.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])),
    request_body = CreateAccountRequest,
    responses((status = 201, body = AccountView),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::Conflict))]
pub async fn create(
    SignedIn { state, caller }: SignedIn,
    ApiJson(req): ApiJson<CreateAccountRequest>,
) -> Result<(StatusCode, ApiJson<AccountView>), ApiError> {
    let account = create_account(&state, Some(&caller), req).await?;
    Ok((StatusCode::CREATED, ApiJson(masked_view(&account))))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/revoke-tokens", tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RevokedTokens),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn revoke_tokens(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
) -> Result<ApiJson<RevokedTokens>, ApiError> {
    let account = load_in_scope(&state, &caller, id, Action::RevokeTokens).await?;
    let revoked = sign_out_everywhere(&state, account.id).await?;
    Ok(ApiJson(RevokedTokens { revoked }))
}

/// Signs an account out everywhere: every token revoked (how many is the
/// answer) and its open event streams closed.
async fn sign_out_everywhere(state: &AppState, account_id: i64) -> Result<u64, ApiError> {
    let revoked = state
        .store
        .revoke_all_tokens(account_id, state.clock.now())
        .await?;
    state
        .sessions
        .end(crate::events::SessionEnd::Account(account_id));
    Ok(revoked)
}

/// A password set by an administrator, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub account_id: i64,
    /// Give it to the person over a trusted channel; it is stored only as
    /// an argon2 hash and never shown again. They should change it.
    pub new_password: String,
    /// Tokens of the account revoked (every session is signed out).
    pub revoked: u64,
}

/// A new random password: 20 characters from an alphabet without look-alikes
/// (about 110 bits).
fn random_password() -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 20];
    getrandom::fill(&mut buf).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(buf
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-reset", tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PasswordReset, description = "The new password, shown once; every token of the account is revoked"),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn reset_password(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
) -> Result<ApiJson<PasswordReset>, ApiError> {
    let account = load_in_scope(&state, &caller, id, Action::ManageAccount).await?;
    let new_password = random_password()?;
    let hash = auth::hash_password_off_thread(&state, &new_password)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    state.store.set_password_hash(account.id, &hash).await?;
    let revoked = sign_out_everywhere(&state, account.id).await?;
    tracing::info!(
        account = account.id,
        by = caller.account.id,
        "password reset"
    );
    Ok(ApiJson(PasswordReset {
        account_id: account.id,
        new_password,
        revoked,
    }))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AccountView, description = "Disabled: it cannot sign in, every token is revoked and its open event streams close"),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn disable(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
) -> Result<ApiJson<AccountView>, ApiError> {
    set_disabled(&state, &caller, id, true).await
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AccountView, description = "Enabled: it may sign in again"),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn enable(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
) -> Result<ApiJson<AccountView>, ApiError> {
    set_disabled(&state, &caller, id, false).await
}

async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    id: i64,
    disabled: bool,
) -> Result<ApiJson<AccountView>, ApiError> {
    let mut account = load_in_scope(state, caller, id, Action::ManageAccount).await?;
    state
        .store
        .set_account_disabled(account.id, disabled, state.clock.now())
        .await?;
    if disabled {
        state
            .sessions
            .end(crate::events::SessionEnd::Account(account.id));
    }
    tracing::info!(
        account = account.id,
        by = caller.account.id,
        disabled,
        "account access changed"
    );
    account.disabled = disabled;
    Ok(ApiJson(masked_view(&account)))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(contact))
        .routes(routes!(revoke_tokens))
        .routes(routes!(reset_password))
        .routes(routes!(disable))
        .routes(routes!(enable))
}
