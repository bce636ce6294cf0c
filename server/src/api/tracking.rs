//! Needs filed without an account, followed by a tracking code (查询码).
//!
//! `POST /api/v1/public/needs` takes a need from anyone (channel `online`,
//! no attachments: uploads need an account), at most
//! [`PUBLIC_FILINGS_PER_HOUR`] per client address, and answers the receipt
//! with a tracking code: 12 characters of an alphabet without look-alikes
//! (60 random bits), shown at filing, stored only as its sha256.
//! `GET /api/v1/tracking/{code}` shows the need's status and history and
//! nothing personal beyond what the filer gave (their description,
//! category and area); never who handled it.

use crate::api::idempotency::IdempotencyKey;
use crate::auth::ClientAddr;
use crate::auth::token_hash;
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::store::FILING_ENDPOINT;
use crate::usecases::filing::{FilingLookups, NeedReceipt, file_need, validate_need};
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use lawcircle_core::needs::{Channel, NeedDraft};
use lawcircle_core::orders::order::OrderState;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Filings without an account one client address may make in an hour.
pub const PUBLIC_FILINGS_PER_HOUR: i64 = 5;

/// Crockford's base-32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new tracking code, `XXXX-XXXX-XXXX`.
fn new_tracking_code() -> Result<String, ApiError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// A code as typed: upper-cased, dashes and spaces dropped, look-alikes
/// read as Crockford reads them (O→0, I/L→1).
fn normalize_code(raw: &str) -> Option<String> {
    let mut out = String::new();
    for c in raw.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    (out.len() == 12).then_some(out)
}

/// The hash a tracking code is stored under.
pub fn tracking_hash(code: &str) -> String {
    token_hash(&format!(
        "tracking:{}",
        normalize_code(code).unwrap_or_default()
    ))
}

#[utoipa::path(post, path = "/api/v1/public/needs", tag = "needs",
    params(("Idempotency-Key" = String, Header, description = "Made by the client when the need was written (UUID); reused on every retry")),
    request_body(content = Object, description = "A need record (NeedDraft of lawcircle-core), channel online, no attachments"),
    responses((status = 201, body = NeedReceipt, description = "Accepted, with the tracking code (or replayed)"),
        refusal::Invalid, refusal::Conflict,
        (status = 429, description = "Too many filings from this address", body = crate::error::ErrorBody)))]
pub async fn file_without_account(
    State(state): State<AppState>,
    client: ClientAddr,
    key: IdempotencyKey,
    ApiJson(draft): ApiJson<NeedDraft>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let account = state.store.public_intake_account(now).await?;
    let write = key.bind(FILING_ENDPOINT, account, &draft)?;
    if let Some(replayed) = write.replayed(&state.store).await? {
        return Ok(replayed);
    }
    if draft.channel != Channel::Online {
        return Err(ApiError::bad_field(
            "channel",
            "a need filed without an account comes in online",
        ));
    }
    if !draft.attachments.is_empty() {
        return Err(ApiError::bad_field(
            "attachments",
            "files can be added with an account, or brought to the service station",
        ));
    }
    let (need, street_code) =
        validate_need(&state, &mut FilingLookups::default(), draft, now).await?;
    let filings = state
        .store
        .record_public_filing(&client.0, now - Duration::hours(1), now)
        .await?;
    if filings > PUBLIC_FILINGS_PER_HOUR {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: 3600,
        });
    }
    let requester_account = state
        .store
        .resident_with_verified_phone(&need.requester.phone)
        .await?;
    let code = new_tracking_code()?;
    let outcome = file_need(
        &state,
        account,
        "resident",
        requester_account,
        Some(code),
        write.key(),
        write.hash(),
        need,
        street_code,
        now,
    )
    .await?;
    write.answer(outcome)
}

/// One step of a tracked need.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrackedStep {
    /// The order's state after the step (e.g. `open`, `in_progress`).
    pub state: String,
    pub at: DateTime<Utc>,
}

/// What the tracking code shows: the filer's own need, its status and
/// history; never who handled it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrackedNeed {
    pub category: String,
    pub description: String,
    pub area_code: String,
    pub received_at: DateTime<Utc>,
    pub order_state: Option<String>,
    /// Done (resolved, rated or closed).
    pub finished: bool,
    pub history: Vec<TrackedStep>,
}

#[utoipa::path(get, path = "/api/v1/tracking/{code}", tag = "needs",
    params(("code" = String, Path, description = "The tracking code shown at filing (dashes optional)")),
    responses((status = 200, body = TrackedNeed),
        refusal::NotFound))]
pub async fn track(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<ApiJson<TrackedNeed>, ApiError> {
    let unknown = || ApiError::NotFound("no need with this tracking code".into());
    if normalize_code(&code).is_none() {
        return Err(unknown());
    }
    let id = state
        .store
        .need_id_by_tracking(&tracking_hash(&code))
        .await?
        .ok_or_else(unknown)?;
    let need = state.store.need(id).await?.ok_or_else(unknown)?;
    let order = match &need.order_id {
        Some(o) => state.store.order(o).await?,
        None => None,
    };
    let history = order
        .as_ref()
        .map(|o| {
            o.history
                .iter()
                .map(|t| TrackedStep {
                    state: t.to.as_str().to_string(),
                    at: t.at,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ApiJson(TrackedNeed {
        category: need.need.category.as_str().to_string(),
        description: need.need.description.clone(),
        area_code: need.need.location.area_code.clone(),
        received_at: need.created_at,
        finished: order.as_ref().is_some_and(|o| {
            matches!(
                o.state,
                OrderState::Resolved | OrderState::Evaluated | OrderState::Closed
            )
        }),
        order_state: order.map(|o| o.state.as_str().to_string()),
        history,
    }))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_without_account))
        .routes(routes!(track))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twelve_unambiguous_characters_and_read_forgivingly() {
        let code = new_tracking_code().unwrap();
        assert_eq!(code.len(), 14);
        assert_eq!(normalize_code(&code).unwrap().len(), 12);
        assert_ne!(code, new_tracking_code().unwrap());
        assert_eq!(
            tracking_hash("abcd-efgh-jkmn"),
            tracking_hash("ABCDEFGHJKMN")
        );
        assert_eq!(
            tracking_hash("0000-1111-2222"),
            tracking_hash("oooo-iiii-2222")
        );
        assert!(normalize_code("ABCD-EFGH-JKM").is_none());
        assert!(normalize_code("ABCD-EFGH-JKMU").is_none());
    }
}
