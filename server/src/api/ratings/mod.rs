//! A rating from every requester (一事一评).
//!
//! When an order is resolved its requester is asked for a rating, by the
//! channel that reaches them ([`request_rating`](crate::usecases::rating::request_rating)):
//!
//! * **app** — the requester has an account (they filed the need, or their
//!   verified mobile belongs to a resident account): their needs list says
//!   the order may be rated and `POST /api/v1/orders/{id}/rating` takes it;
//! * **link** — otherwise a one-time link to the public rating page
//!   `/r/{token}` (a random 128-bit token, only its sha256 stored, expiring
//!   after `rating_link_ttl_days`): sent by SMS, and issued to the volunteer
//!   or lawyer holding the order (`POST /api/v1/orders/{id}/rating-link`)
//!   so their phone shows it as a QR code at the end of the service;
//! * **call_back** — needs that came by the 12348 hotline: staff call the
//!   requester back (回访) and record the outcome and the rating given on
//!   the phone (`POST /api/v1/orders/{id}/call-backs`).
//!
//! One rating per order whatever the channel (the order leaves `resolved`
//! and the ratings table keeps one row per order, both in one
//! transaction). Nobody rates an order they entered for someone else or
//! hold. The indicators count ratings by channel and say why resolved
//! orders were not rated ([`RatingCoverage`](report::RatingCoverage)).

use crate::api::orders::{OrderView, load, view};
use crate::api::require;
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::store::{CallBackOutcome, CallBackRecord, RatingChannel};
use crate::usecases::rating::{link_url, new_link_token, record_rating};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lawcircle_core::authz::Action;
use lawcircle_core::orders::order::{Actor, Order, OrderState};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod call_backs;
pub mod page;
pub mod report;

/// How long rating links and in-app rating requests stay open by default.
pub const DEFAULT_RATING_LINK_TTL_DAYS: u32 = 14;

pub use lawcircle_api::orders::{IssuedRatingLink, QrMatrix, RatingRequest};

/// The QR code (error-correction level M: readable with 15% of it
/// damaged or glared) of `text`, as its module matrix.
pub fn qr_matrix(text: &str) -> Result<QrMatrix, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)?;
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| match c {
            qrcode::Color::Dark => '1',
            qrcode::Color::Light => '0',
        })
        .collect();
    let size = u32::try_from(code.width()).map_err(|_| qrcode::types::QrError::DataTooLong)?;
    Ok(QrMatrix { size, modules })
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/rating-link", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = IssuedRatingLink, description = "A new one-time link (each call makes one; any of them rates the order once)"),
        refusal::Unauthenticated,
        (status = 403, description = "Not the volunteer or lawyer holding the order", body = crate::error::ErrorBody),
        refusal::NotFound,
        (status = 409, description = "Not resolved, or already rated", body = crate::error::ErrorBody)))]
pub async fn issue_link(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, Action::GrabOrder)?;
    let order = state
        .store
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    if order.assignee.as_deref() != Some(caller.account.id.to_string().as_str()) {
        return Err(ApiError::Forbidden(
            "only the volunteer or lawyer holding the order shows its rating link".into(),
        ));
    }
    if order.state != OrderState::Resolved {
        return Err(ApiError::Conflict(format!(
            "order {id} is {}: a rating link is for a resolved order not yet rated",
            order.state
        )));
    }
    let now = state.clock.now();
    let expires_at = now + state.ratings.link_ttl;
    let (token, hash) = new_link_token()?;
    state
        .store
        .insert_rating_link(&hash, &order.id, "qr", now, expires_at)
        .await?;
    // A shown QR code counts as a delivered link in the indicators.
    state.events.touch();
    let url = link_url(&state, &token);
    // The URL is the configured public address plus a short token: too
    // long for a QR code only if that address is misconfigured.
    let qr = qr_matrix(&url)
        .map_err(|e| ApiError::Internal(format!("the QR code of the rating link: {e}")))?;
    let body = IssuedRatingLink {
        order_id: order.id,
        url,
        expires_at,
        qr,
    };
    Ok((StatusCode::CREATED, ApiJson(body)).into_response())
}

/// A staff call-back (回访) to the requester.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBackRequest {
    pub outcome: CallBackOutcome,
    /// The rating the requester gave on the phone (1–5): required when a
    /// resolved order's requester is reached, refused on any other order
    /// and when not reached.
    pub score: Option<u8>,
    /// The requester's words, if any (part of the rating).
    pub comment: Option<String>,
    /// What was said or tried (who answered, when to try again).
    pub note: String,
}

/// The recorded call-back and the order after it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CallBackAnswer {
    pub call_back: CallBackRecord,
    #[schema(value_type = Object)]
    pub order: Order,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/call-backs", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CallBackRequest,
    responses((status = 201, body = CallBackAnswer),
        refusal::Invalid, refusal::Unauthenticated,
        (status = 403, description = "Not staff of the order's street, or the caller entered or holds it", body = crate::error::ErrorBody),
        refusal::NotFound,
        (status = 409, description = "A score for an order that is not resolved, or already rated", body = crate::error::ErrorBody)))]
pub async fn call_back(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CallBackRequest>,
) -> Result<Response, ApiError> {
    require(&caller, Action::DispatchOrder)?;
    // Staff of another street: as if missing.
    let order = crate::api::orders::load_for(&state, &caller, &id, Action::DispatchOrder).await?;
    let me = caller.account.id.to_string();
    if order.assignee.as_deref() == Some(me.as_str())
        || order.entered_by.as_deref() == Some(me.as_str())
    {
        return Err(ApiError::Forbidden(
            "you entered or hold this order: another member of staff calls the requester back"
                .into(),
        ));
    }
    let note = req.note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(ApiError::bad_field("note", "1 to 500 characters"));
    }
    // A call-back may follow any order (how is it going, was it solved);
    // on a resolved order not yet rated it also records the rating.
    let carries_rating = order.state == OrderState::Resolved;
    match (req.outcome, req.score) {
        (CallBackOutcome::Reached, None) if carries_rating => {
            return Err(ApiError::bad_field(
                "score",
                "a reached call-back on a resolved order records the rating given on the \
                 phone (1 to 5); record `refused` when the requester would not rate",
            ));
        }
        (CallBackOutcome::NotReached | CallBackOutcome::Refused, Some(_)) => {
            return Err(ApiError::bad_field(
                "score",
                "only a reached requester gives a rating",
            ));
        }
        (_, Some(_)) if !carries_rating => {
            return Err(ApiError::Conflict(format!(
                "order {id} is {}: a rating is given for a resolved order not yet rated; \
                 record the call-back without a score",
                order.state
            )));
        }
        _ => {}
    }
    let now = state.clock.now();
    let mut record = CallBackRecord {
        id: 0,
        order_id: order.id.clone(),
        by_account: caller.account.id,
        at: now,
        outcome: req.outcome,
        score: req.score,
        note: note.to_string(),
    };
    let order = match req.score {
        Some(score) => {
            let (order, id) = record_rating(
                &state,
                &order,
                score,
                req.comment.as_deref(),
                Actor::system(format!("call_back:{me}")),
                RatingChannel::CallBack,
                Some(&record),
            )
            .await?;
            record.id = id.unwrap_or_default();
            order
        }
        None => {
            record.id = state.store.insert_call_back(&record, now).await?;
            // The last call-back's outcome is why an order is unrated.
            state.events.touch();
            order
        }
    };
    Ok((
        StatusCode::CREATED,
        ApiJson(CallBackAnswer {
            call_back: record,
            order,
        }),
    )
        .into_response())
}

// ---------------------------------------------------------------------
// The public rating page: plain HTML forms, no script, this origin only.
// ---------------------------------------------------------------------

/// The settings of rating requests.
#[derive(Debug, Clone)]
pub struct RatingSettings {
    /// The address people reach the server at (links are made with it).
    pub public_url: String,
    /// How long rating links and in-app requests stay open.
    pub link_ttl: chrono::Duration,
}

impl Default for RatingSettings {
    fn default() -> Self {
        RatingSettings {
            public_url: "http://127.0.0.1:8080".into(),
            link_ttl: chrono::Duration::days(i64::from(DEFAULT_RATING_LINK_TTL_DAYS)),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/rating", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RatingRequest,
    responses((status = 200, body = OrderView),
        refusal::Invalid, refusal::Forbidden,
        (status = 409, description = "Already rated or not resolved", body = crate::error::ErrorBody)))]
pub async fn rate(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RatingRequest>,
) -> Result<ApiJson<OrderView>, ApiError> {
    require(&caller, Action::RateOrder)?;
    let order = load(&state, &caller, &id).await?;
    let changed = crate::usecases::rating::rate_in_app(
        &state,
        &caller,
        &order,
        req.score,
        req.comment.as_deref(),
    )
    .await?;
    Ok(ApiJson(view(changed, &caller)))
}
/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rate))
        .routes(routes!(issue_link))
        .routes(routes!(call_back, call_backs::list_call_backs))
        // The public rating page of one-time links (HTML forms, no script),
        // outside the documented API.
        .route("/r/rate.css", get(page::page_css))
        .route("/r/{token}", get(page::page_get).post(page::page_post))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the 7×7 finder pattern (dark ring, light ring, dark 3×3
    /// centre) has its top left corner at (`top`, `left`).
    fn finder_at(qr: &QrMatrix, top: usize, left: usize) -> bool {
        let size = qr.size as usize;
        let bytes = qr.modules.as_bytes();
        (0..7).all(|r| {
            (0..7).all(|c| {
                let ring = r.min(c).min(6 - r).min(6 - c);
                let dark = ring != 1;
                bytes[(top + r) * size + left + c] == if dark { b'1' } else { b'0' }
            })
        })
    }

    #[test]
    fn a_rating_url_becomes_a_square_matrix_with_its_three_finder_patterns() {
        let url = "https://fuwu.longwan.gov.cn/r/rAbCdEfGhIjKlMnOpQrStUv";
        let qr = qr_matrix(url).expect("a short URL fits");
        let size = qr.size as usize;
        // Version 3 at level M holds 42 bytes, version 4 holds 62.
        assert_eq!(size, 33, "{url} is {} bytes", url.len());
        assert_eq!(qr.modules.len(), size * size);
        assert!(qr.modules.bytes().all(|b| b == b'0' || b == b'1'));
        assert!(finder_at(&qr, 0, 0));
        assert!(finder_at(&qr, 0, size - 7));
        assert!(finder_at(&qr, size - 7, 0));
        assert!(!finder_at(&qr, size - 7, size - 7));
        // Another token, another code; the same token, the same code.
        let other = qr_matrix("https://fuwu.longwan.gov.cn/r/rAbCdEfGhIjKlMnOpQrStUw")
            .expect("a short URL fits");
        assert_ne!(qr, other);
        assert_eq!(qr, qr_matrix(url).expect("a short URL fits"));
    }

    #[test]
    fn text_beyond_version_40_is_refused() {
        // Version 40 at level M holds 2331 bytes.
        assert!(qr_matrix(&"a".repeat(2331)).is_ok());
        assert!(matches!(
            qr_matrix(&"a".repeat(2332)),
            Err(qrcode::types::QrError::DataTooLong)
        ));
    }
}
