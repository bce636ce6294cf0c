//! Authentication: argon2 password hashes, opaque bearer tokens stored only
//! as sha256 hashes, expiry, revocation, and login throttling that holds
//! across server instances (failures are counted in the database).

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Account, Store};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the system random source failed: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
}

fn random_bytes<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(buf)
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword);
    }
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new opaque token (`lct_` + 256 random bits) and the hash stored for it.
pub fn new_token() -> Result<(String, String), AuthError> {
    let token = format!("lct_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()?));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// A new Open311 API key (`o311_` + 256 random bits) and the hash stored
/// for it.
pub fn new_api_key() -> Result<(String, String), AuthError> {
    let key = format!("o311_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()?));
    let hash = token_hash(&key);
    Ok((key, hash))
}

/// `prefix` and 128 random bits in hex: an unguessable identifier.
pub fn random_key(prefix: &str) -> Result<String, AuthError> {
    Ok(format!("{prefix}{}", hex::encode(random_bytes::<16>()?)))
}

/// The sha256 under which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Login policy.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub token_ttl: Duration,
    /// Failed attempts allowed per username in `window`.
    pub max_failures: i64,
    pub window: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            token_ttl: Duration::hours(12),
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }
}

/// A successful login.
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
}

/// Checks credentials and opens a session. Wrong username and wrong
/// password answer the same way, and too many failures lock the username
/// for the rest of the window.
pub async fn login(
    store: &Store,
    policy: &LoginPolicy,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Session, ApiError> {
    let failures = store
        .login_failures_since(username, now - policy.window)
        .await?;
    if failures >= policy.max_failures {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: policy.window.num_seconds().max(1) as u64,
        });
    }
    let found = store.account_for_login(username).await?;
    let account = match found {
        Some((account, hash)) if !account.disabled && verify_password(password, &hash) => account,
        _ => {
            store.record_login_failure(username, now).await?;
            return Err(ApiError::Unauthorized(
                "wrong username or password".to_string(),
            ));
        }
    };
    store.clear_login_failures(username).await?;
    let (token, hash) = new_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_at = now + policy.token_ttl;
    store
        .insert_token(&hash, account.id, now, expires_at)
        .await?;
    Ok(Session {
        token,
        expires_at,
        account,
    })
}

/// The authenticated caller of a request (from `Authorization: Bearer …`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        caller_from_headers(state, &parts.headers).await
    }
}

/// The caller a request's `Authorization: Bearer …` header names, for
/// handlers that are public but show more to some callers.
pub async fn caller_from_headers(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Caller, ApiError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".to_string()))?;
    let token = header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    let hash = token_hash(token);
    let now = state.clock.now();
    match state.store.live_token(&hash, now).await? {
        Some(record) => Ok(Caller {
            account: record.account,
            token_hash: hash,
        }),
        None => Err(ApiError::Unauthorized(
            "the token is unknown, expired or revoked".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not-a-hash"));
        assert!(matches!(
            hash_password("short"),
            Err(AuthError::WeakPassword)
        ));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("lct_") && a.len() > 40);
        assert_eq!(ha, token_hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a[4..]));
    }
}
