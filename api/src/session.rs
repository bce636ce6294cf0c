//! Signing in and out, and who am I.

use chrono::{DateTime, Utc};
use lawcircle_core::authz::Role;
use serde::{Deserialize, Serialize};

// `POST /api/v1/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

// The password is never printed.
impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

// A new session: the answer to a login, a registration or a sign-in by
// code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: AccountView,
}

// The token is never printed.
impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("expires_at", &self.expires_at)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// An account as lists show it: phone and ID number masked (138****1234).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = String, example = "volunteer"))]
    pub role: Role,
    pub street_code: Option<String>,
    /// Masked unless this is the caller's own account.
    pub phone: Option<String>,
    /// Masked unless this is the caller's own account.
    pub id_number: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}
