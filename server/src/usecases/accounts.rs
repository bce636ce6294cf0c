//! Creating an account: by an admin through the API, by the bootstrap
//! command, by the demo seeding.

use crate::api::accounts::CreateAccountRequest;
use crate::api::authorize;
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Account, NewAccount};
use lawcircle_core::authz::{Action, On, Role, Scope};
use lawcircle_core::catalogue::area::AreaLevel;
use lawcircle_core::privacy::{normalize_mobile, validate_id_number};

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
        let scope = authorize(
            caller,
            Action::CreateAccount,
            &On::NewAccount {
                role: req.role,
                street_code: street_code.as_deref(),
            },
            String::new,
        )?;
        if scope != Scope::District {
            street_code = caller.account.street_code.clone();
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
    let phone = optional_field(req.phone.as_deref(), "phone", normalize_mobile)?;
    let id_number = optional_field(req.id_number.as_deref(), "id_number", validate_id_number)?;
    let password_hash = auth::hash_password_off_thread(state, &req.password)
        .await
        .map_err(|e| match e {
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

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// An optional personal field of a new account: absent or empty is none,
/// anything else must pass `check` (refused under `field`).
fn optional_field<E: std::fmt::Display>(
    value: Option<&str>,
    field: &str,
    check: impl Fn(&str) -> Result<String, E>,
) -> Result<Option<String>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(check)
        .transpose()
        .map_err(|e| ApiError::bad_field(field, e.to_string()))
}
