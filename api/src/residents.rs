//! Resident accounts by SMS code: ask for a code, register with it, sign
//! in with one. Registration and sign-in answer a
//! [`LoginResponse`](crate::session::LoginResponse).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Register,
    SignIn,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::Register => "register",
            CodePurpose::SignIn => "sign_in",
        }
    }
}

// `POST /api/v1/auth/sms-codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// A mainland mobile number.
    pub phone: String,
    pub purpose: CodePurpose,
}

// A code is on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CodeSent {
    pub expires_at: DateTime<Utc>,
    /// Seconds before another code may be asked for this number.
    pub resend_after_secs: u64,
}

// `POST /api/v1/auth/register`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub phone: String,
    /// The code sent for `register`.
    pub code: String,
    /// How the resident is addressed (1–64 characters).
    pub display_name: String,
    /// At least 10 characters; without one, sign in with codes only.
    pub password: Option<String>,
}

// The code and password are never printed.
impl std::fmt::Debug for RegisterRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterRequest")
            .field("display_name", &self.display_name)
            .finish_non_exhaustive()
    }
}

// `POST /api/v1/auth/code-login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeLoginRequest {
    pub phone: String,
    /// The code sent for `sign_in`.
    pub code: String,
}

// The code is never printed.
impl std::fmt::Debug for CodeLoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeLoginRequest").finish_non_exhaustive()
    }
}
