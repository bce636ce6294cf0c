//! Authentication: argon2 password hashes (computed on the blocking pool,
//! a bounded number at a time), opaque bearer tokens stored only as sha256
//! hashes, expiry, revocation, and login throttling that holds across
//! server instances (attempts are counted in the database before the
//! password is checked).

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Account, TokenRecord};
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

/// Login policy: token lifetime and the throttling of password checks.
///
/// Every attempt is counted *before* its password is checked, atomically in
/// the database (so it holds under concurrency and across server
/// instances), under three keys: the username from this client address,
/// the username from anywhere, and the client address for any username.
/// Each key lets a number of failures through freely; beyond that every
/// further attempt waits an exponential back-off (1 s, 2 s, 4 s, … up to a
/// cap; the first step is `backoff_base`) rather than a hard lock. An outsider guessing from one address
/// slows only themselves: the owner of the account, from another address,
/// is held back only once the username's own threshold is reached, which
/// takes many addresses, and then by at most `username_max_backoff`.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub token_ttl: Duration,
    /// Failed attempts of one username from one address let through
    /// before back-off (at most this many are checked, however many
    /// arrive at once).
    pub max_failures: i64,
    /// A key idle this long starts over.
    pub window: Duration,
    /// Failed attempts of one username from all addresses before back-off.
    pub username_max_failures: i64,
    /// Failed attempts from one address, any username, before back-off.
    pub address_max_failures: i64,
    /// The longest back-off of the per-address and username-from-address
    /// keys.
    pub max_backoff: Duration,
    /// The longest back-off of the username-from-anywhere key: the most an
    /// outsider can make the real owner wait.
    pub username_max_backoff: Duration,
    /// The first back-off; each further failure doubles it.
    pub backoff_base: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            token_ttl: Duration::hours(12),
            max_failures: 5,
            window: Duration::minutes(15),
            username_max_failures: 50,
            address_max_failures: 30,
            max_backoff: Duration::minutes(15),
            username_max_backoff: Duration::seconds(60),
            backoff_base: Duration::seconds(1),
        }
    }
}

/// One counter of the login throttle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub key: String,
    /// Failures let through before back-off.
    pub free: i64,
    pub max_backoff: Duration,
    /// Cleared by a successful login (the username's keys); the address
    /// key only gives back the attempt.
    pub cleared_by_success: bool,
}

impl LoginPolicy {
    /// The counters an attempt for `username` from `address` goes through,
    /// in a fixed order (rows are locked in this order, so concurrent
    /// attempts cannot deadlock).
    pub fn keys(&self, username: &str, address: &str) -> Vec<ThrottleKey> {
        let mut keys = vec![
            ThrottleKey {
                key: format!("a:{address}"),
                free: self.address_max_failures,
                max_backoff: self.max_backoff,
                cleared_by_success: false,
            },
            ThrottleKey {
                key: format!("p:{username}@{address}"),
                free: self.max_failures,
                max_backoff: self.max_backoff,
                cleared_by_success: true,
            },
            ThrottleKey {
                key: format!("u:{username}"),
                free: self.username_max_failures,
                max_backoff: self.username_max_backoff,
                cleared_by_success: true,
            },
        ];
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        keys
    }

    /// The wait after the `failures`-th failure of a key letting `free`
    /// through: none before the `free`-th, then the base doubling up to
    /// the cap.
    pub fn backoff(&self, failures: i64, free: i64, cap: Duration) -> Duration {
        if failures < free {
            return Duration::zero();
        }
        let doublings = (failures - free).clamp(0, 30) as i32;
        (self.backoff_base * 2_i32.pow(doublings.min(20) as u32)).min(cap)
    }
}

/// A successful login.
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
}

/// The argon2 hash unknown usernames and disabled accounts are checked
/// against, so that every attempt costs the same work whether the
/// username exists or not.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let secret = random_bytes::<24>()
            .map(|b| URL_SAFE_NO_PAD.encode(b))
            .unwrap_or_else(|_| "lawcircle-dummy-password".to_string());
        // Hashing fails only when the system random source does; then no
        // hash is possible anywhere and the empty one never matches.
        hash_password(&secret).unwrap_or_default()
    })
}

/// Argon2 runs on the blocking pool, at most as many at a time as the
/// state's semaphore allows, so password work never holds the async
/// workers that answer everything else (`/health` included). Fails only
/// when the semaphore is closed or the task panicked (the message says).
async fn password_work<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let _permit = state
        .password_work
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())
}

/// [`verify_password`] as [`password_work`]; an unknown username (`None`)
/// costs the same work and never matches.
pub async fn verify_password_off_thread(
    state: &AppState,
    password: &str,
    hash: Option<String>,
) -> Result<bool, ApiError> {
    let password = password.to_string();
    password_work(state, move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .map_err(ApiError::Internal)
}

/// [`hash_password`] as [`password_work`].
pub async fn hash_password_off_thread(
    state: &AppState,
    password: &str,
) -> Result<String, AuthError> {
    let password = password.to_string();
    password_work(state, move || hash_password(&password))
        .await
        .map_err(AuthError::Hash)?
}

/// Checks `password` for `username` coming from `address` through the
/// throttle: `Ok(Some(account))` when right, `Ok(None)` when wrong (or the
/// account is unknown or disabled: the same answer and the same work), 429
/// when a counter is in back-off (the password is then not checked).
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<Option<Account>, ApiError> {
    let policy = &state.login;
    let now = state.clock.now();
    let keys = policy.keys(username, address);
    let counted = match state
        .store
        .begin_login_attempt(&keys, now, now - policy.window)
        .await?
    {
        Ok(counted) => counted,
        Err(blocked_until) => {
            let secs = ((blocked_until - now).num_milliseconds().max(0) + 999) / 1000;
            return Err(ApiError::TooManyRequests {
                retry_after_secs: secs.max(1) as u64,
            });
        }
    };
    let found = state.store.account_for_login(username).await?;
    let (account, hash) = match found {
        Some((account, hash)) if !account.disabled => (Some(account), Some(hash)),
        _ => (None, None),
    };
    let right = verify_password_off_thread(state, password, hash).await?;
    let now = state.clock.now();
    let outcome: Vec<(ThrottleKey, i64, Option<DateTime<Utc>>)> = keys
        .into_iter()
        .zip(counted)
        .map(|(k, failures)| {
            let wait = policy.backoff(failures, k.free, k.max_backoff);
            let until = (failures >= k.free).then_some(now + wait);
            (k, failures, until)
        })
        .collect();
    state
        .store
        .end_login_attempt(&outcome, right && account.is_some())
        .await?;
    Ok(account.filter(|_| right))
}

/// Checks credentials and opens a session. Wrong username, wrong password
/// and a disabled account answer the same way.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<Session, ApiError> {
    let account = check_password(state, username, password, address)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("wrong username or password".to_string()))?;
    open_session(state, account, state.clock.now()).await
}

/// Opens a session for `account` at `now`: a new token, stored as its hash,
/// valid for the configured time.
pub async fn open_session(
    state: &AppState,
    account: Account,
    now: DateTime<Utc>,
) -> Result<Session, ApiError> {
    let (token, hash) = new_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_at = now + state.login.token_ttl;
    state
        .store
        .insert_token(&hash, account.id, now, expires_at)
        .await?;
    Ok(Session {
        token,
        expires_at,
        account,
    })
}

/// The client's address as the connection shows it (the peer of the TCP
/// connection); `unknown` when the server runs without connection info.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string()),
        ))
    }
}

/// The authenticated caller of a request (from `Authorization: Bearer …`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    /// The account id as text, as records name people.
    pub id: String,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
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

/// A signed-in request's two starting points, the server's state and its
/// caller, taken as one argument: `SignedIn { state, caller }: SignedIn`.
/// Refused with 401 as [`Caller`] is.
pub struct SignedIn {
    pub state: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(SignedIn {
            caller: Caller::from_request_parts(parts, state).await?,
            state: state.clone(),
        })
    }
}

/// The bearer token of a request's `Authorization` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Result<&str, ApiError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".to_string()))?;
    header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })
}

/// The caller a request's `Authorization: Bearer …` header names, for
/// handlers that are public but show more to some callers.
pub async fn caller_from_headers(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Caller, ApiError> {
    let token = bearer_token(headers)?;
    caller_from_token_hash(state, token_hash(token)).await
}

/// The caller whose token has this hash, if it is still live (not expired,
/// not revoked, its account not disabled).
pub async fn caller_from_token_hash(state: &AppState, hash: String) -> Result<Caller, ApiError> {
    let now = state.clock.now();
    let record = state.store.live_token(&hash, now).await?;
    Caller::of_live_token(hash, record)
}

impl Caller {
    /// The caller of a token whose hash is `hash`, from what reading it as
    /// live found (`None`: unknown, expired or revoked, refused with 401).
    pub fn of_live_token(hash: String, record: Option<TokenRecord>) -> Result<Caller, ApiError> {
        match record {
            Some(record) => Ok(Caller {
                id: record.account.id.to_string(),
                account: record.account,
                token_hash: hash,
                expires_at: record.expires_at,
            }),
            None => Err(ApiError::Unauthorized(
                "the token is unknown, expired or revoked".to_string(),
            )),
        }
    }
}

/// The hash of a request's bearer token, not yet checked (401 when the
/// header is missing or malformed): for a handler that checks the token
/// in the same read as its own data ([`Caller::of_live_token`]).
pub struct BearerTokenHash(pub String);

impl FromRequestParts<AppState> for BearerTokenHash {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(BearerTokenHash(token_hash(bearer_token(&parts.headers)?)))
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
    fn back_off_doubles_from_the_free_failures_up_to_the_cap() {
        let p = LoginPolicy::default();
        let cap = Duration::minutes(15);
        assert_eq!(p.backoff(4, 5, cap), Duration::zero());
        assert_eq!(p.backoff(5, 5, cap), Duration::seconds(1));
        assert_eq!(p.backoff(6, 5, cap), Duration::seconds(2));
        assert_eq!(p.backoff(9, 5, cap), Duration::seconds(16));
        assert_eq!(p.backoff(500, 5, cap), cap);
        assert_eq!(
            p.backoff(80, 50, p.username_max_backoff),
            Duration::seconds(60)
        );
    }

    #[test]
    fn three_counters_in_a_fixed_order() {
        let keys = LoginPolicy::default().keys("admin", "10.0.0.7");
        let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(names, ["a:10.0.0.7", "p:admin@10.0.0.7", "u:admin"]);
        let by_address = &keys[0];
        assert!(!by_address.cleared_by_success);
        assert_eq!(keys[1].free, 5);
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
