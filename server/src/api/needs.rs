//! Legal needs (需求), their attachments and synced punches: the endpoints
//! the phone's outbox drains into.
//!
//! Writes are idempotent by the `Idempotency-Key` header: a replay (same
//! key, same content) gets the original answer with
//! `Idempotent-Replayed: true`; the same key with other content is a 409.
//! Refused requests are not recorded, so a corrected retry with the same
//! key goes through. Attachments are content-addressed: their key is their
//! sha256.
//!
//! The need is validated with the very [`NeedDraft::validate`] the phone
//! ran, against the server's clock, and then against what only the server
//! knows (the area exists, the attachments were uploaded).

use crate::api::pagination::{Page, PageQuery};
use crate::api::{authorize, require, scoped_street, who};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{AttachmentMeta, IdempotentOutcome, NeedFilter, StoredNeed};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use lawcircle_core::area::AreaLevel;
use lawcircle_core::authz::{Action, On, Scope, decide};
use lawcircle_core::clockin::ClockInPolicy;
use lawcircle_core::content::sha256_hex;
use lawcircle_core::need::{FieldError, MAX_CLOCK_SKEW, NeedDraft, check_attachment};
use lawcircle_core::order::OrderState;
use lawcircle_core::personal_data::{
    mask_id_number, mask_name, mask_phone, normalize_mobile, validate_id_number,
};
use lawcircle_core::punch::Punch;
use lawcircle_core::services::{AnswerValue, ApplicationDraft, LegalAidAssessment, application};
use lawcircle_core::volunteer::VolunteerState;
use serde::{Deserialize, Serialize};

/// The request header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer replayed from the idempotency record.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// The idempotency key of a request: 1–100 characters of `A-Za-z0-9-_`.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    if key.is_empty() {
        return Err(ApiError::bad_field(
            "Idempotency-Key",
            "this write needs an Idempotency-Key header (a UUID made when the item was queued)",
        ));
    }
    if key.len() > 100
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ApiError::bad_field(
            "Idempotency-Key",
            "1 to 100 characters: letters, digits, '-' or '_'",
        ));
    }
    Ok(key.to_string())
}

/// The hash that tells a replay from a different request with the same
/// key: sha256 of the parsed body re-encoded (field order fixed by the
/// type), so whitespace or key order do not matter.
pub(crate) fn request_hash<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_vec(value)
        .map(|b| sha256_hex(&b))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The JSON answer stored with an idempotency key, as sent.
pub(crate) fn stored_response(status: u16, body: String, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        resp.headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    resp
}

pub(crate) fn conflict_for_key(key: &str) -> ApiError {
    ApiError::Conflict(format!(
        "Idempotency-Key {key} was already used for a different request; \
         a retry must send exactly the same content (make a new key for a new record)"
    ))
}

/// Answers from a stored record when the key was used before: the
/// original answer for the same caller and content, else a conflict.
fn replay(
    caller: &Caller,
    key: &str,
    hash: &str,
    reply: &crate::store::StoredReply,
) -> Result<Response, ApiError> {
    if reply.account_id == caller.account.id && reply.request_hash == hash && reply.status != 0 {
        Ok(stored_response(reply.status, reply.response.clone(), true))
    } else {
        Err(conflict_for_key(key))
    }
}

/// The answer to an accepted need.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeedReceipt {
    pub id: i64,
    /// The order (工单) the need became.
    pub order_id: String,
    /// `submitted`.
    pub status: String,
    /// `open`.
    pub order_state: String,
    pub street_code: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The application type and version, when the need is an application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<u32>,
    /// Legal aid only: the eligibility pre-assessment and the documents
    /// still missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub legal_aid: Option<LegalAidAssessment>,
    /// Filed without an account only: the code to follow the need with
    /// (`GET /api/v1/tracking/{code}`). Keep it: it is not shown again
    /// except to a retry of the same filing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_code: Option<String>,
}

/// The legal aid assessment of a need's application, if it is one.
pub(crate) fn legal_aid_of(state: &AppState, need: &NeedDraft) -> Option<LegalAidAssessment> {
    let rules = state.services.legal_aid_rules.as_ref()?;
    application::assess(need.application.as_ref()?, rules)
}

/// When an application filed at `filed_at` is due: its type's deadline
/// counted in China time over the holiday calendar; Open311's
/// `expected_datetime` is this same instant.
pub(crate) fn application_deadline(
    state: &AppState,
    def: &lawcircle_core::services::ServiceDefinition,
    filed_at: DateTime<Utc>,
) -> DateTime<Utc> {
    let local = filed_at.with_timezone(&lawcircle_core::punch::china_time());
    lawcircle_core::open311::expected_datetime(def, local, |d| state.calendar.is_working_day(d))
        .with_timezone(&Utc)
}

/// Stores a validated need and opens its order, once per idempotency
/// key, and tells the console's live board: the one intake path of the
/// phones' `POST /api/v1/needs` and of Open311's `POST requests`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn file_need(
    state: &AppState,
    entered_by: i64,
    entered_by_role: &str,
    requester_account: Option<i64>,
    tracking_code: Option<String>,
    key: &str,
    hash: &str,
    need: NeedDraft,
    street_code: String,
    now: DateTime<Utc>,
) -> Result<IdempotentOutcome, ApiError> {
    let legal_aid = legal_aid_of(state, &need);
    let service_code = need.application.as_ref().map(|a| a.service_code.clone());
    let service_version = need.application.as_ref().map(|a| a.service_version);
    // An application's order is due when its type says (办理时限), the same
    // instant Open311 gives as `expected_datetime`.
    let type_deadline = match &need.application {
        Some(app) => {
            let catalog = state
                .services
                .catalog(&state.store)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            catalog
                .get(&app.service_code, app.service_version)
                .map(|def| application_deadline(state, def, now))
        }
        None => None,
    };
    // Where the need is, for the distance to volunteers: the point given,
    // else its area's representative point.
    let place = match need.location.point {
        Some(p) => Some(p.to_wgs84()),
        None => state.store.area_centroid(&need.location.area_code).await?,
    };
    let need_specialty = need.specialty.clone();
    let new = crate::store::NewNeed {
        client_key: key.to_string(),
        entered_by,
        entered_by_role: entered_by_role.to_string(),
        street_code: Some(street_code.clone()),
        requester_account,
        tracking_hash: tracking_code
            .as_deref()
            .map(crate::api::tracking::tracking_hash),
        need,
    };
    let received_at = crate::store::from_millis(crate::store::millis(now));
    // The order this need becomes, opened at once (the orders module),
    // carrying the application type for dispatch and the console.
    let make_order = crate::api::orders::order_for_need(
        state,
        requester_account,
        entered_by,
        new.need.category.as_str(),
        new.need.urgency == lawcircle_core::need::Urgency::Urgent,
        &street_code,
        now,
    );
    // Who a consultation is offered to, read before the transaction that
    // stores it with its offers.
    let offer_to = crate::notifications::rules::offer_recipients(
        state,
        &crate::notifications::rules::OfferTarget {
            category: new.need.category.as_str(),
            specialty: need_specialty.as_deref(),
            street_code: &street_code,
            place,
            excluded: [Some(entered_by), requester_account]
                .into_iter()
                .flatten()
                .map(|a| a.to_string())
                .collect(),
        },
        now,
    )
    .await?;
    let offers = |order: &lawcircle_core::order::Order| {
        crate::notifications::rules::offers(order, &offer_to)
    };
    let order_service = service_code.clone();
    let make_order = move |need_id| {
        let mut order = make_order(need_id);
        order.service_code = order_service;
        order.specialty = need_specialty;
        order.place = place;
        if type_deadline.is_some() {
            order.deadline = type_deadline;
        }
        let messages = offers(&order);
        (order, messages)
    };
    let outcome = state
        .store
        .create_need(key, hash, &new, now, make_order, |id, order_id| {
            let receipt = NeedReceipt {
                id,
                order_id: order_id.to_string(),
                status: "submitted".into(),
                order_state: "open".into(),
                street_code: Some(street_code.clone()),
                received_at,
                service_code,
                service_version,
                legal_aid,
                tracking_code,
            };
            (
                201,
                serde_json::to_string(&receipt).unwrap_or_else(|_| "{}".into()),
            )
        })
        .await?;
    if let IdempotentOutcome::Done { response, .. } = &outcome
        && let Ok(receipt) = serde_json::from_str::<NeedReceipt>(response)
        && let Ok(Some(order)) = state.store.order(&receipt.order_id).await
    {
        // Tell the console's live board about the new order.
        state.events.publish(&order);
        state.notifications.committed(&offer_to);
    }
    Ok(outcome)
}

pub(crate) fn field_errors(errors: lawcircle_core::need::NeedErrors) -> ApiError {
    ApiError::Fields(errors.0)
}

#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "Made by the phone when the need was queued (UUID v7); reused on every retry")),
    request_body(content = Object, description = "A need record (NeedDraft of lawcircle-core)"),
    responses((status = 201, body = NeedReceipt, description = "Accepted, or replayed (header Idempotent-Replayed: true)"),
        (status = 400, body = crate::error::ErrorBody, description = "details.fields lists every invalid field"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "The key was used for other content")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<NeedDraft>,
) -> Result<Response, ApiError> {
    require(&caller, Action::SubmitNeed)?;
    let key = idempotency_key(&headers)?;
    let hash = request_hash(&draft)?;
    // A replay is answered before validating again: the original answer
    // stands even if the clock or the catalogue moved since.
    if let Some(reply) = state.store.stored_reply("POST /api/v1/needs", &key).await? {
        return replay(&caller, &key, &hash, &reply);
    }
    let now = state.clock.now();
    let (need, street_code) = validate_need(&state, draft, now).await?;
    authorize(
        &caller,
        Action::SubmitNeed,
        &On::WriteIn(Some(&street_code)),
        String::new,
    )?;
    check_uploads(&state, &need).await?;
    let requester_account = requester_account_of(&state, &caller, &need).await?;
    let outcome = file_need(
        &state,
        caller.account.id,
        caller.account.role.as_str(),
        requester_account,
        None,
        &key,
        &hash,
        need,
        street_code,
        now,
    )
    .await?;
    match outcome {
        IdempotentOutcome::Done { status, response } => {
            Ok(stored_response(status, response, false))
        }
        IdempotentOutcome::Existing(reply) => replay(&caller, &key, &hash, &reply),
    }
}

/// Validates a need with the phone's own code against the server's clock
/// and catalogue, and finds its street.
pub(crate) async fn validate_need(
    state: &AppState,
    draft: NeedDraft,
    now: DateTime<Utc>,
) -> Result<(NeedDraft, String), ApiError> {
    let catalog = state.services.catalog(&state.store).await?;
    let need = draft
        .validate_with_catalog(&catalog, now)
        .map_err(field_errors)?;
    let street_code = state
        .store
        .street_of_area(&need.location.area_code)
        .await?
        .ok_or_else(|| {
            ApiError::bad_field(
                "location.area_code",
                format!(
                    "{:?} is not a known street or village/community",
                    need.location.area_code
                ),
            )
        })?;
    Ok((need, street_code))
}

/// Refuses a need whose attachments were not uploaded as described.
async fn check_uploads(state: &AppState, need: &NeedDraft) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for (i, a) in need.attachments.iter().enumerate() {
        match state.store.attachment_meta(&a.sha256).await? {
            None => missing.push(FieldError::new(
                format!("attachments[{i}].sha256"),
                "this file was not uploaded (PUT /api/v1/attachments/{sha256} first)",
            )),
            Some(m) if m.media_type != a.media_type || m.size != a.size => {
                missing.push(FieldError::new(
                    format!("attachments[{i}].media_type"),
                    format!("the uploaded file is {} of {} bytes", m.media_type, m.size),
                ))
            }
            Some(_) => {}
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::Fields(missing));
    }
    Ok(())
}

/// The requester's account (the person with the legal trouble), so the
/// rating request reaches them in the app:
///
/// 1. a resident filing with their own account's mobile: themselves;
/// 2. a resident account whose verified mobile is the requester's;
/// 3. a resident without a mobile on their account filing in the app
///    (`online`): themselves, as before mobiles were verified;
///
/// else none: the requester is the name and mobile of the record, asked
/// by a one-time link or a call-back. Someone filing for another person
/// (a lawyer on site, hotline staff, a relative) is the enterer only.
pub(crate) async fn requester_account_of(
    state: &AppState,
    caller: &Caller,
    need: &NeedDraft,
) -> Result<Option<i64>, ApiError> {
    let resident = caller.account.role == lawcircle_core::authz::Role::Resident;
    let own_phone = caller
        .account
        .phone
        .as_deref()
        .and_then(|p| normalize_mobile(p).ok());
    if resident && own_phone.as_deref() == Some(need.requester.phone.as_str()) {
        return Ok(Some(caller.account.id));
    }
    if let Some(account) = state
        .store
        .resident_with_verified_phone(&need.requester.phone)
        .await?
    {
        return Ok(Some(account));
    }
    let in_app = need.channel == lawcircle_core::need::Channel::Online;
    Ok((resident && own_phone.is_none() && in_app).then_some(caller.account.id))
}

/// A need as lists show it: personal data masked, no description.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeedSummary {
    pub id: i64,
    /// The idempotency key the phone made: lets it match its outbox.
    pub client_key: String,
    pub category: String,
    pub urgency: String,
    pub channel: String,
    pub status: String,
    pub order_id: Option<String>,
    pub order_state: Option<String>,
    pub street_code: Option<String>,
    pub area_code: String,
    /// Masked: 张**.
    pub requester_name: String,
    /// Masked: 138****1234.
    pub requester_phone: String,
    /// The account that entered the need (on site, hotline, Open311, or
    /// the requester themselves).
    pub entered_by: i64,
    /// The requester's account, when they have one (else the requester is
    /// the name and mobile above).
    pub requester_account: Option<i64>,
    /// Whether the caller may rate the need's order now (its requester,
    /// the order resolved and not yet rated).
    pub may_rate: bool,
    pub entered_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The application type and the version it was filed under, when the
    /// need is an online application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<u32>,
    /// When the need's personal data was removed (on request or by
    /// retention): description, contact and exact place are then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// One need in full, personal data masked (the contact endpoint shows it,
/// audited).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeedDetail {
    #[serde(flatten)]
    pub summary: NeedSummary,
    pub description: String,
    pub address: String,
    /// Masked.
    pub requester_id_number: Option<String>,
    pub enterprise_name: Option<String>,
    /// Not personal data: the enterprise's public registration.
    pub enterprise_credit_code: Option<String>,
    #[schema(value_type = Object)]
    pub location: serde_json::Value,
    #[schema(value_type = Object)]
    pub attachments: serde_json::Value,
    /// The application (type, version, answers, documents), answers that
    /// are phone or ID numbers masked like the requester's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub application: Option<ApplicationDraft>,
    /// Legal aid only: the eligibility pre-assessment and the documents
    /// still missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub legal_aid: Option<LegalAidAssessment>,
}

/// An application with the answers that are phone or ID numbers masked
/// (the same rule as the requester's own: in full only through the
/// audited contact read).
fn masked_application(app: &ApplicationDraft) -> ApplicationDraft {
    let mut out = app.clone();
    for value in out.answers.values_mut() {
        if let AnswerValue::Text(text) = value {
            if validate_id_number(text).is_ok() {
                *text = mask_id_number(text);
            } else if normalize_mobile(text).is_ok() {
                *text = mask_phone(text);
            }
        }
    }
    out
}

fn summary(n: &StoredNeed, caller: &Caller) -> NeedSummary {
    NeedSummary {
        id: n.id,
        client_key: n.client_key.clone(),
        category: n.need.category.as_str().into(),
        urgency: n.need.urgency.as_str().into(),
        channel: n.need.channel.as_str().into(),
        status: n.status.clone(),
        order_id: n.order_id.clone(),
        order_state: n.order_state.clone(),
        street_code: n.street_code.clone(),
        area_code: n.need.location.area_code.clone(),
        requester_name: mask_name(&n.need.requester.name),
        requester_phone: mask_phone(&n.need.requester.phone),
        entered_by: n.entered_by,
        requester_account: n.requester_account,
        may_rate: n.requester_account == Some(caller.account.id)
            && n.order_state.as_deref() == Some(OrderState::Resolved.as_str()),
        entered_at: n.need.entered.at,
        received_at: n.created_at,
        updated_at: n.updated_at,
        service_code: n.need.application.as_ref().map(|a| a.service_code.clone()),
        service_version: n.need.application.as_ref().map(|a| a.service_version),
        anonymised_at: n.anonymised_at,
    }
}

/// What a caller with `scope` may list.
fn filter_for(caller: &Caller, scope: Scope) -> Result<NeedFilter, ApiError> {
    Ok(match scope {
        Scope::None => return Err(ApiError::forbidden()),
        // Residents: their own; volunteers and lawyers: those they entered
        // (and, for anyone, needs of which they are the requester).
        Scope::Own => NeedFilter {
            account: Some(caller.account.id),
            street_code: None,
        },
        Scope::Street => NeedFilter {
            account: None,
            street_code: scoped_street(caller, scope)?,
        },
        Scope::District => NeedFilter::default(),
    })
}

#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", security(("bearer" = [])),
    params(PageQuery, ("If-None-Match" = Option<String>, Header, description = "The ETag of the last pull")),
    responses((status = 200, body = Page<NeedSummary>, description = "Residents: their own; volunteers and lawyers: those they entered; station staff: their street; admins: all"),
        (status = 304, description = "Unchanged since the ETag"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let scope = require(&caller, Action::ReadNeeds)?;
    let filter = filter_for(&caller, scope)?;
    let limit = page.limit()?;
    let needs = state
        .store
        .list_needs(&filter, page.after(), limit + 1)
        .await?;
    let views: Vec<NeedSummary> = needs.iter().map(|n| summary(n, &caller)).collect();
    let page = Page::from_overfetch(views, limit, |n: &NeedSummary| n.id);
    let body = serde_json::to_vec(&page).map_err(|e| ApiError::Internal(e.to_string()))?;
    let etag = format!("\"{}\"", &sha256_hex(&body)[..32]);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    let mut resp = if matches {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(resp)
}

async fn load_in_scope(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<StoredNeed, ApiError> {
    require(caller, action)?;
    let need = state
        .store
        .need(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("need {id}")))?;
    // Outside the caller's reach: indistinguishable from missing.
    let requester = need.requester_account.map(|a| a.to_string());
    authorize(
        caller,
        action,
        &On::Need {
            entered_by: &need.entered_by.to_string(),
            requester: requester.as_deref(),
            street_code: need.street_code.as_deref(),
        },
        || format!("need {id}"),
    )?;
    Ok(need)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    /// Why the need's details (the description of someone's legal
    /// trouble, the address, the place) are read; audited. Required of
    /// everyone but the resident who filed the need (their own data).
    pub reason: Option<String>,
}

/// Whether `caller` reads their own data: a resident reading a need they
/// filed themselves or of which they are the requester. Every other read of a need's details or attachments
/// needs a reason and is audited.
fn reads_own_data(caller: &Caller, n: &StoredNeed) -> bool {
    caller.account.role == lawcircle_core::authz::Role::Resident
        && (n.entered_by == caller.account.id || n.requester_account == Some(caller.account.id))
}

/// The reason for reading someone else's need details, checked; `None`
/// for a resident's own need.
fn detail_reason<'a>(
    caller: &Caller,
    n: &StoredNeed,
    reason: Option<&'a str>,
) -> Result<Option<&'a str>, ApiError> {
    if reads_own_data(caller, n) {
        return Ok(None);
    }
    match reason {
        Some(r) => crate::api::audit::read_reason(r).map(Some),
        None => Err(ApiError::bad_field(
            "reason",
            "reading a need's details needs a reason (a few words; it is audited)",
        )),
    }
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path), DetailQuery),
    responses((status = 200, body = NeedDetail, description = "Contact data masked; the read is audited with its reason (except a resident reading their own need)"),
        (status = 400, body = crate::error::ErrorBody, description = "No reason, or one shorter than a few words"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<DetailQuery>,
    headers: HeaderMap,
) -> Result<ApiJson<NeedDetail>, ApiError> {
    let n = load_in_scope(&state, &caller, id, Action::ReadNeeds).await?;
    if let Some(reason) = detail_reason(&caller, &n, q.reason.as_deref())? {
        crate::api::audit::record_read(
            &state,
            &caller,
            &headers,
            crate::api::audit::PersonalDataRead {
                action: "read_need_detail",
                subject_type: "need",
                subject_id: n.id.to_string(),
                fields: "description,address,location,attachments,application",
            },
            reason,
        )
        .await?;
    }
    let ent = n.need.requester.enterprise.clone();
    Ok(ApiJson(NeedDetail {
        summary: summary(&n, &caller),
        description: n.need.description.clone(),
        address: n.need.location.address.clone(),
        requester_id_number: n.need.requester.id_number.as_deref().map(mask_id_number),
        enterprise_name: ent.as_ref().map(|e| e.name.clone()),
        enterprise_credit_code: ent.map(|e| e.credit_code),
        location: serde_json::to_value(&n.need.location).unwrap_or_default(),
        attachments: serde_json::to_value(&n.need.attachments).unwrap_or_default(),
        application: n.need.application.as_ref().map(masked_application),
        legal_aid: legal_aid_of(&state, &n.need),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    /// Why the file is read; audited. Required of everyone but the
    /// resident who filed the need it belongs to.
    pub reason: Option<String>,
}

/// The file extension for a stored media type, for the download name.
fn extension_of(media_type: &str) -> &'static str {
    match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "needs", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The lowercase hex sha256 of the file"), AttachmentQuery),
    responses((status = 200, description = "The file, typed by its stored content type, as a download (Content-Disposition: attachment), with nosniff and a content security policy that runs no script; audited", content_type = "application/octet-stream"),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "No such file, or it belongs to no need the caller may see"),
        (status = 410, body = crate::error::ErrorBody, description = "The file was erased (retention or a request under PIPL)")))]
pub async fn get_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
    ApiQuery(q): ApiQuery<AttachmentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require(&caller, Action::ReadNeeds)?;
    let not_found = || ApiError::NotFound(format!("attachment {sha256}"));
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(not_found());
    }
    // Readable through the needs it belongs to that the caller may see;
    // an attachment of nobody's visible need is indistinguishable from a
    // missing one.
    let needs = state.store.needs_with_attachment(&sha256).await?;
    let visible: Vec<&StoredNeed> = needs
        .iter()
        .filter(|n| {
            decide(
                &who(&caller),
                Action::ReadNeeds,
                &On::Need {
                    entered_by: &n.entered_by.to_string(),
                    requester: n.requester_account.map(|a| a.to_string()).as_deref(),
                    street_code: n.street_code.as_deref(),
                },
            )
            .is_ok()
        })
        .collect();
    let Some(first) = visible.first() else {
        return Err(not_found());
    };
    let own = visible.iter().find(|n| reads_own_data(&caller, n));
    let reason = match own {
        Some(n) => detail_reason(&caller, n, q.reason.as_deref())?,
        None => detail_reason(&caller, first, q.reason.as_deref())?,
    };
    let file = state
        .store
        .attachment(&sha256)
        .await?
        .ok_or_else(not_found)?;
    if let Some(at) = file.erased_at {
        return Err(ApiError::Gone(format!(
            "attachment {sha256} was erased on {}",
            at.format("%Y-%m-%d")
        )));
    }
    if let Some(reason) = reason {
        crate::api::audit::record_read(
            &state,
            &caller,
            &headers,
            crate::api::audit::PersonalDataRead {
                action: "read_attachment",
                subject_type: "attachment",
                subject_id: format!("{sha256} (need {})", first.id),
                fields: "file",
            },
            reason,
        )
        .await?;
    }
    let mut resp = Response::new(Body::from(file.bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.meta.media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{sha256}.{}\"",
        extension_of(&file.meta.media_type)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; script-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Why the requester's full contact details are needed; audited.
    pub reason: String,
}

/// The requester's full contact details.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeedContact {
    pub need_id: i64,
    pub name: String,
    pub phone: String,
    pub id_number: Option<String>,
    /// The application's answers in full, when the need is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub application_answers: Option<std::collections::BTreeMap<String, AnswerValue>>,
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/contact", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path), ContactQuery),
    responses((status = 200, body = NeedContact),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    headers: HeaderMap,
) -> Result<ApiJson<NeedContact>, ApiError> {
    let reason = crate::api::audit::read_reason(&q.reason)?;
    let n = load_in_scope(&state, &caller, id, Action::ReadNeedContact).await?;
    crate::api::audit::record_read(
        &state,
        &caller,
        &headers,
        crate::api::audit::PersonalDataRead {
            action: "read_need_contact",
            subject_type: "need",
            subject_id: n.id.to_string(),
            fields: if n.need.application.is_some() {
                "name,phone,id_number,application"
            } else {
                "name,phone,id_number"
            },
        },
        reason,
    )
    .await?;
    Ok(ApiJson(NeedContact {
        need_id: n.id,
        name: n.need.requester.name,
        phone: n.need.requester.phone,
        id_number: n.need.requester.id_number,
        application_answers: n.need.application.map(|a| a.answers),
    }))
}

/// A stored attachment.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentReceipt {
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
}

#[utoipa::path(put, path = "/api/v1/attachments/{sha256}", tag = "needs", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The lowercase hex sha256 of the body")),
    request_body(content = Vec<u8>, description = "The file; its type is told by its content and must agree with Content-Type", content_type = "application/octet-stream"),
    responses((status = 200, body = AttachmentReceipt, description = "Stored (again: the same bytes are stored once)"),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody)))]
pub async fn put_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<ApiJson<AttachmentReceipt>, ApiError> {
    require(&caller, Action::SubmitNeed)?;
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(ApiError::bad_field(
            "sha256",
            "64 lowercase hexadecimal digits",
        ));
    }
    let claimed = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let checked = check_attachment(&body, claimed).map_err(|e| ApiError::Fields(vec![e]))?;
    if checked.sha256 != sha256 {
        return Err(ApiError::bad_field(
            "sha256",
            format!("the body's sha256 is {}", checked.sha256),
        ));
    }
    let meta = AttachmentMeta {
        sha256: checked.sha256,
        media_type: checked.media_type,
        size: checked.size,
    };
    state
        .store
        .put_attachment(&meta, &body, caller.account.id, state.clock.now())
        .await?;
    Ok(ApiJson(AttachmentReceipt {
        sha256: meta.sha256,
        media_type: meta.media_type,
        size: meta.size,
    }))
}

/// The answer to a synced punch: both verdicts and its place in the chain.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PunchReceipt {
    pub id: String,
    pub seq: u64,
    pub hash: String,
    #[schema(value_type = String)]
    pub device_verdict: lawcircle_core::clockin::Verdict,
    #[schema(value_type = Option<String>)]
    pub server_verdict: Option<lawcircle_core::clockin::Verdict>,
    #[schema(value_type = String)]
    pub status: lawcircle_core::punch::PunchStatus,
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<lawcircle_core::punch::PunchWarning>,
}

#[utoipa::path(post, path = "/api/v1/punches", tag = "needs", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header)),
    request_body(content = Object, description = "A Punch of lawcircle-core, as made on the phone"),
    responses((status = 201, body = PunchReceipt),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_punch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(mut punch): ApiJson<Punch>,
) -> Result<Response, ApiError> {
    require(&caller, Action::ClockIn)?;
    let key = idempotency_key(&headers)?;
    // What the phone decided is hashed; server-side fields are ignored.
    punch.received_at = None;
    punch.server_time_at_punch = None;
    punch.server_decision = None;
    punch.reviews.clear();
    punch.seq = 0;
    punch.prev_hash.clear();
    punch.hash.clear();
    let hash = request_hash(&punch)?;
    if let Some(reply) = state
        .store
        .stored_reply("POST /api/v1/punches", &key)
        .await?
    {
        return replay(&caller, &key, &hash, &reply);
    }
    if punch.volunteer_id != caller.id {
        return Err(ApiError::bad_field(
            "volunteer_id",
            "a punch is synced by the volunteer who made it",
        ));
    }
    // Only an active volunteer record clocks in (and so accrues hours).
    let active = state
        .store
        .volunteers_of_account(caller.account.id)
        .await?
        .iter()
        .any(|v| v.volunteer.state == VolunteerState::Active);
    if !active {
        return Err(ApiError::Forbidden(
            "only an active volunteer may clock in: this account has no active volunteer record"
                .into(),
        ));
    }
    let now = state.clock.now();
    if punch.at.wall > now + MAX_CLOCK_SKEW {
        return Err(ApiError::bad_field(
            "at.wall",
            format!("{} is in the future", punch.at.wall),
        ));
    }
    let post = state
        .store
        .duty_posts()
        .await?
        .into_iter()
        .find(|p| p.id == punch.post_id)
        .ok_or_else(|| ApiError::bad_field("post_id", "no such duty post"))?;
    // The street is the duty post's, never the phone's say: a punch cannot
    // be routed into another street's review queue or hour totals.
    if state.store.area_level(&post.street_code).await? != Some(AreaLevel::Street) {
        return Err(ApiError::bad_field(
            "post_id",
            format!(
                "duty post {} belongs to {:?}, which is not a known street",
                post.id, post.street_code
            ),
        ));
    }
    if punch.street_code != post.street_code {
        return Err(ApiError::bad_field(
            "street_code",
            format!(
                "duty post {} belongs to street {}, not {:?}",
                post.id, post.street_code, punch.street_code
            ),
        ));
    }
    let previous = state.store.last_punch(&punch.volunteer_id).await?;
    let previous_fix = previous.as_ref().and_then(|p| p.fix.clone());
    // Offline punches carry only the device's clocks; online ones were made
    // moments ago.
    let server_time = (!punch.offline).then_some(now);
    punch.reevaluate_on_server(
        &post,
        previous_fix.as_ref(),
        server_time,
        now,
        &ClockInPolicy::default(),
    );
    let outcome = state
        .store
        .append_punch(&key, &hash, caller.account.id, punch, now, |p| {
            let receipt = PunchReceipt {
                id: p.id.clone(),
                seq: p.seq,
                hash: p.hash.clone(),
                device_verdict: p.device_decision.verdict,
                server_verdict: p.server_decision.as_ref().map(|d| d.verdict),
                status: p.status(),
                warnings: p.warnings(),
            };
            (
                201,
                serde_json::to_string(&receipt).unwrap_or_else(|_| "{}".into()),
            )
        })
        .await?;
    match outcome {
        IdempotentOutcome::Done { status, response } => {
            Ok(stored_response(status, response, false))
        }
        IdempotentOutcome::Existing(reply) => replay(&caller, &key, &hash, &reply),
    }
}
