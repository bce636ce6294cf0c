//! Resident accounts (群众自助注册): a mainland mobile number verified by
//! an SMS code, then sign-in by password or by code.
//!
//! * `POST /api/v1/auth/sms-codes` queues a 6-digit code for `register`
//!   or `sign_in` (through the notification queue, in the transaction
//!   that stores it). Only a hash of the code is kept; it expires after
//!   five minutes; five wrong attempts spend it; the sender's limits hold
//!   per number (1 a minute, 5 an hour, 10 a day) and per client address
//!   (20 an hour), across server instances.
//! * `POST /api/v1/auth/register` makes a resident account whose username
//!   is the mobile number (verified), with an optional password.
//! * `POST /api/v1/auth/code-login` opens a session with a code.
//!
//! Needs filed by others for this number before are not linked
//! retroactively; needs entered for it from now on are (the rating request
//! then reaches the account).

use crate::api::session::LoginResponse;
use crate::auth::{ClientAddr, hash_password, open_session, token_hash};
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::notifications::phone::{self, NewPhoneMessage};
use crate::notifications::rules::Event;
use crate::sms::{SmsError, SmsPurpose, phone_hash};
use crate::state::AppState;
use crate::store::{NewAccount, StoreError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use lawcircle_core::authz::Role;
use lawcircle_core::privacy::normalize_mobile;
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long a code is valid.
pub const CODE_TTL_MINUTES: i64 = 5;
/// Wrong attempts that spend a code.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

pub use lawcircle_api::residents::{
    CodeLoginRequest, CodePurpose, CodeRequest, CodeSent, RegisterRequest,
};

fn phone_of(raw: &str) -> Result<String, ApiError> {
    normalize_mobile(raw).map_err(|e| ApiError::bad_field("phone", e.to_string()))
}

fn code_hash(id_hint: &str, phone: &str, code: &str) -> String {
    token_hash(&format!("sms-code:{id_hint}:{phone}:{code}"))
}

fn sms_error(e: SmsError) -> ApiError {
    match e {
        SmsError::NotConfigured => ApiError::Unavailable(
            "text messages are not configured on this server (sms_provider): \
             sign-up by SMS code is unavailable; ask a service station to create your account"
                .into(),
        ),
        SmsError::RateLimited { retry_after_secs } => {
            ApiError::TooManyRequests { retry_after_secs }
        }
        SmsError::Retry { .. } => {
            ApiError::Unavailable("the SMS provider failed; try again in a minute".into())
        }
        SmsError::GiveUp { code, .. } if code == "isv.MOBILE_NUMBER_ILLEGAL" => {
            ApiError::bad_field("phone", "the SMS provider refuses this number")
        }
        SmsError::GiveUp { .. } => {
            ApiError::Unavailable("the SMS provider refused to send the code".into())
        }
        SmsError::Store(s) => s.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/sms-codes", tag = "session", request_body = CodeRequest,
    responses((status = 202, body = CodeSent, description = "A code is queued for the number (the queue retries the provider's passing faults)"),
        refusal::Invalid,
        (status = 409, description = "Registering a number that has an account, or signing in with one that has none", body = crate::error::ErrorBody),
        refusal::TooManyRequests,
        (status = 503, description = "No SMS provider configured", body = crate::error::ErrorBody)))]
pub async fn send_code(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Response, ApiError> {
    let phone = phone_of(&req.phone)?;
    if !state.sms.is_configured() {
        return Err(sms_error(SmsError::NotConfigured));
    }
    let existing = state.store.account_for_login(&phone).await?;
    match (req.purpose, existing.is_some()) {
        (CodePurpose::Register, true) => {
            return Err(ApiError::Conflict(
                "this number already has an account: sign in with a code or the password".into(),
            ));
        }
        (CodePurpose::SignIn, false) => {
            return Err(ApiError::Conflict(
                "this number has no account yet: register first".into(),
            ));
        }
        _ => {}
    }
    let now = state.clock.now();
    let code = six_digits()?;
    let hint = crate::auth::random_key("").map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_at = now + Duration::minutes(CODE_TTL_MINUTES);
    // One transaction: the number's and the client's limits counted, the
    // code's hash stored and the text message queued — all or nothing, so
    // a refused request stores no code and an accepted one is on its way
    // (the queue retries a passing fault of the provider, and gives up on
    // a refusal or an expired code with the reason, for staff to see).
    let mut tx = state.store.begin_write().await?;
    if let Err(e) = state
        .sms
        .reserve(
            &mut tx,
            &phone,
            SmsPurpose::VerificationCode,
            Some(&client.0),
            now,
        )
        .await
    {
        tx.rollback().await.map_err(StoreError::from)?;
        return Err(sms_error(e));
    }
    sqlx::query(
        "INSERT INTO sms_codes (phone_hash, purpose, code_hash, created_at, expires_at, attempts)
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(phone_hash(&phone))
    .bind(req.purpose.as_str())
    .bind(format!("{hint}${}", code_hash(&hint, &phone, &code)))
    .bind(crate::store::millis(now))
    .bind(crate::store::millis(expires_at))
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    phone::enqueue(
        &mut tx,
        &NewPhoneMessage {
            event: Event::SmsCode,
            phone: &phone,
            params: BTreeMap::from([("code".to_string(), code)]),
            order_id: None,
            street_code: None,
            expires_at,
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    state.notifications.wake_worker();
    Ok((
        StatusCode::ACCEPTED,
        ApiJson(CodeSent {
            expires_at,
            resend_after_secs: 60,
        }),
    )
        .into_response())
}

/// Six random digits, uniformly (rejection sampling).
fn six_digits() -> Result<String, ApiError> {
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).map_err(|e| ApiError::Internal(e.to_string()))?;
        let n = u32::from_le_bytes(b);
        // 4_294_000_000 is a multiple of 1_000_000 below 2^32.
        if n < 4_294_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// Checks a code and spends it: a wrong one counts an attempt.
async fn check_code(
    state: &AppState,
    phone: &str,
    purpose: CodePurpose,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let wrong = || ApiError::bad_field("code", "the code is wrong or expired: ask for a new one");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_field("code", "six digits"));
    }
    let stored = state
        .store
        .latest_sms_code(&phone_hash(phone), purpose.as_str())
        .await?
        .ok_or_else(wrong)?;
    if stored.expires_at <= now || stored.attempts >= MAX_CODE_ATTEMPTS {
        return Err(wrong());
    }
    let (hint, hash) = stored.code_hash.split_once('$').ok_or_else(wrong)?;
    if code_hash(hint, phone, code) != hash {
        let attempts = state.store.count_code_attempt(stored.id).await?;
        let left = (MAX_CODE_ATTEMPTS - attempts).max(0);
        return Err(ApiError::bad_field(
            "code",
            if left == 0 {
                "the code is wrong; no attempts left: ask for a new one".to_string()
            } else {
                format!("the code is wrong; {left} attempt(s) left")
            },
        ));
    }
    if !state.store.use_sms_code(stored.id, now).await? {
        return Err(wrong());
    }
    Ok(())
}

async fn session_for(
    state: &AppState,
    account: crate::store::Account,
    now: DateTime<Utc>,
) -> Result<LoginResponse, ApiError> {
    Ok(open_session(state, account, now).await?.into())
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "session", request_body = RegisterRequest,
    responses((status = 201, body = LoginResponse, description = "The account and a session; the username is the mobile number"),
        refusal::Invalid, refusal::Conflict))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<Response, ApiError> {
    let phone = phone_of(&req.phone)?;
    let name = req.display_name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::bad_field("display_name", "1 to 64 characters"));
    }
    // Checked before the code is spent, so a weak password costs no code.
    let password_hash = match req.password.as_deref() {
        Some(p) if p.len() > 1024 => {
            return Err(ApiError::bad_field("password", "at most 1024 bytes"));
        }
        Some(p) => hash_password(p).map_err(|e| ApiError::bad_field("password", e.to_string()))?,
        // No password: a hash no password matches (sign-in by code only).
        None => "!code-only".to_string(),
    };
    let now = state.clock.now();
    check_code(&state, &phone, CodePurpose::Register, req.code.trim(), now).await?;
    let account = state
        .store
        .create_account(
            NewAccount {
                username: phone.clone(),
                display_name: name.to_string(),
                role: Role::Resident,
                street_code: None,
                phone: Some(phone),
                id_number: None,
                password_hash,
            },
            now,
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => {
                ApiError::Conflict("this number already has an account: sign in".into())
            }
            other => other.into(),
        })?;
    state.store.mark_phone_verified(account.id, now).await?;
    let session = session_for(&state, account, now).await?;
    Ok((StatusCode::CREATED, ApiJson(session)).into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/code-login", tag = "session", request_body = CodeLoginRequest,
    responses((status = 200, body = LoginResponse),
        (status = 400, description = "Wrong or expired code (attempts are counted)", body = crate::error::ErrorBody),
        refusal::Unauthenticated))]
pub async fn code_login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CodeLoginRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    let phone = phone_of(&req.phone)?;
    let now = state.clock.now();
    check_code(&state, &phone, CodePurpose::SignIn, req.code.trim(), now).await?;
    let account = match state.store.account_for_login(&phone).await? {
        Some((a, _)) if !a.disabled => a,
        _ => return Err(ApiError::Unauthorized("this account cannot sign in".into())),
    };
    Ok(ApiJson(session_for(&state, account, now).await?))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_code))
        .routes(routes!(register))
        .routes(routes!(code_login))
}
