//! Accounts: lists show masked personal data; full contact details come
//! only through the audited contact endpoint.

use crate::api::pagination::{Page, PageQuery};
use crate::api::require;
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{Account, NewAccount};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lawcircle_core::area::AreaLevel;
use lawcircle_core::authz::{Action, Role, Scope};
use lawcircle_core::personal_data::{
    mask_id_number, mask_phone, normalize_mobile, validate_id_number,
};
use serde::{Deserialize, Serialize};

/// An account as lists show it: phone and ID number masked (138****1234).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String, example = "volunteer")]
    pub role: Role,
    pub street_code: Option<String>,
    /// Masked unless this is the caller's own account.
    pub phone: Option<String>,
    /// Masked unless this is the caller's own account.
    pub id_number: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl AccountView {
    /// Masked personal data.
    pub fn masked(a: &Account) -> Self {
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
    pub fn own(a: &Account) -> Self {
        AccountView {
            phone: a.phone.clone(),
            id_number: a.id_number.clone(),
            ..AccountView::masked(a)
        }
    }
}

/// Whether a caller with `scope` may see `account`.
fn in_scope(caller: &Caller, scope: Scope, account: &Account) -> bool {
    match scope {
        Scope::None => false,
        Scope::Own => caller.account.id == account.id,
        Scope::Street => {
            caller.account.id == account.id
                || (caller.account.street_code.is_some()
                    && caller.account.street_code == account.street_code)
        }
        Scope::District => true,
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
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
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
        _ => Some(
            caller
                .account
                .street_code
                .clone()
                .ok_or_else(ApiError::forbidden)?,
        ),
    };
    let accounts = state
        .store
        .list_accounts(street.as_deref(), page.after(), limit + 1)
        .await?;
    let views = accounts.iter().map(AccountView::masked).collect();
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
    let scope = require(caller, action)?;
    let account = state
        .store
        .account(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("account {id}")))?;
    if in_scope(caller, scope, &account) {
        Ok(account)
    } else if scope == Scope::Own {
        Err(ApiError::forbidden())
    } else {
        // Outside the caller's street: indistinguishable from missing.
        Err(ApiError::NotFound(format!("account {id}")))
    }
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountView),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<ApiJson<AccountView>, ApiError> {
    if id == caller.account.id {
        return Ok(ApiJson(AccountView::own(&caller.account)));
    }
    let account = load_in_scope(&state, &caller, id, Action::ListAccounts).await?;
    Ok(ApiJson(AccountView::masked(&account)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Why the full contact details are needed; recorded in the audit log.
    pub reason: String,
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
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    headers: axum::http::HeaderMap,
) -> Result<ApiJson<ContactView>, ApiError> {
    let reason = crate::api::audit::read_reason(&q.reason)?;
    let account = load_in_scope(&state, &caller, id, Action::ReadAccountContact).await?;
    crate::api::audit::record_read(
        &state,
        &caller,
        &headers,
        crate::api::audit::PersonalDataRead {
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

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Creates an account. Used by the API and by the admin bootstrap command.
pub async fn create_account(
    state: &AppState,
    creator: Option<&Caller>,
    req: CreateAccountRequest,
) -> Result<Account, ApiError> {
    if !valid_username(&req.username) {
        return Err(ApiError::bad_field(
            "username",
            "3 to 32 characters: lowercase letters, digits, '.', '_' or '-'",
        ));
    }
    let display_name = req.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        return Err(ApiError::bad_field("display_name", "1 to 64 characters"));
    }
    let mut street_code = req.street_code.clone().filter(|s| !s.is_empty());
    if let Some(caller) = creator {
        match require(caller, Action::CreateAccount)? {
            Scope::District => {}
            _ => {
                if !matches!(req.role, Role::Resident | Role::Volunteer | Role::Lawyer) {
                    return Err(ApiError::Forbidden(
                        "station staff may create resident, volunteer and lawyer accounts only"
                            .into(),
                    ));
                }
                let own = caller.account.street_code.clone();
                if street_code.is_some() && street_code != own {
                    return Err(ApiError::Forbidden(
                        "station staff may create accounts in their own street only".into(),
                    ));
                }
                street_code = own;
            }
        }
    }
    if req.role == Role::StationStaff && street_code.is_none() {
        return Err(ApiError::bad_field(
            "street_code",
            "station staff accounts belong to a street",
        ));
    }
    if let Some(code) = &street_code
        && state.store.area_level(code).await? != Some(AreaLevel::Street)
    {
        return Err(ApiError::bad_field(
            "street_code",
            format!("{code:?} is not a known street"),
        ));
    }
    let phone = req
        .phone
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(normalize_mobile)
        .transpose()
        .map_err(|e| ApiError::bad_field("phone", e.to_string()))?;
    let id_number = req
        .id_number
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(validate_id_number)
        .transpose()
        .map_err(|e| ApiError::bad_field("id_number", e.to_string()))?;
    let password_hash = auth::hash_password(&req.password).map_err(|e| match e {
        auth::AuthError::WeakPassword => ApiError::bad_field("password", e.to_string()),
        other => ApiError::Internal(other.to_string()),
    })?;
    let account = state
        .store
        .create_account(
            NewAccount {
                username: req.username,
                display_name,
                role: req.role,
                street_code,
                phone,
                id_number,
                password_hash,
            },
            state.clock.now(),
        )
        .await?;
    Ok(account)
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])),
    request_body = CreateAccountRequest,
    responses((status = 201, body = AccountView),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateAccountRequest>,
) -> Result<(StatusCode, ApiJson<AccountView>), ApiError> {
    let account = create_account(&state, Some(&caller), req).await?;
    Ok((StatusCode::CREATED, ApiJson(AccountView::masked(&account))))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/revoke-tokens", tag = "accounts",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RevokedTokens),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<ApiJson<RevokedTokens>, ApiError> {
    let account = load_in_scope(&state, &caller, id, Action::RevokeTokens).await?;
    let revoked = state
        .store
        .revoke_all_tokens(account.id, state.clock.now())
        .await?;
    Ok(ApiJson(RevokedTokens { revoked }))
}
