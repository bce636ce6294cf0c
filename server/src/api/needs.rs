//! Legal needs (需求): filed by the phones' outbox (`POST /needs`,
//! idempotent by the `Idempotency-Key` header, see [`crate::api::idempotency`]),
//! listed with personal data masked, read in full with a reason (audited).
//!
//! The need is validated with the very [`NeedDraft::validate`] the phone
//! ran, against the server's clock, and then against what only the server
//! knows (the area exists, the attachments were uploaded): see
//! [`crate::usecases::filing`].

use crate::api::idempotency::{IdempotencyKey, IdempotentWrite};
use crate::api::pagination::{Page, PageQuery};
use crate::api::{ContactQuery, authorize, require, scoped_street};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::FILING_ENDPOINT;
use crate::store::{NeedFilter, StoredNeed};
use crate::usecases::filing::{
    FilingLookups, NeedReceipt, PreparedFiling, check_uploads, file_need, file_needs, legal_aid_of,
    prepare_filing, requester_account_of, validate_need,
};
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use lawcircle_api::needs::{
    NEED_BATCH_MAX, NeedBatch, NeedBatchEntry, NeedBatchResult, NeedBatchResults,
};
use lawcircle_core::applications::{AnswerValue, ApplicationDraft};
use lawcircle_core::authz::{Action, On, Scope};
use lawcircle_core::content::sha256_hex;
use lawcircle_core::needs::NeedDraft;
use lawcircle_core::orders::order::OrderState;
use lawcircle_core::privacy::{
    mask_id_number, mask_name, mask_phone, normalize_mobile, validate_id_number,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "Made by the phone when the need was queued (UUID v7); reused on every retry")),
    request_body(content = Object, description = "A need record (NeedDraft of lawcircle-core)"),
    responses((status = 201, body = NeedReceipt, description = "Accepted, or replayed (header Idempotent-Replayed: true)"),
        (status = 400, body = crate::error::ErrorBody, description = "details.fields lists every invalid field"),
        refusal::Unauthenticated, refusal::Forbidden,
        (status = 409, body = crate::error::ErrorBody, description = "The key was used for other content")))]
pub async fn create(
    SignedIn { state, caller }: SignedIn,
    key: IdempotencyKey,
    ApiJson(draft): ApiJson<NeedDraft>,
) -> Result<Response, ApiError> {
    require(&caller, Action::SubmitNeed)?;
    let write = key.bind(FILING_ENDPOINT, caller.account.id, &draft)?;
    if let Some(replayed) = write.replayed(&state.store).await? {
        return Ok(replayed);
    }
    let now = state.clock.now();
    let mut lookups = FilingLookups::default();
    let (need, street_code) = validate_need(&state, &mut lookups, draft, now).await?;
    authorize(
        &caller,
        Action::SubmitNeed,
        &On::WriteIn(Some(&street_code)),
        String::new,
    )?;
    check_uploads(&state, &need).await?;
    let requester_account = requester_account_of(&state, &mut lookups, &caller, &need).await?;
    let outcome = file_need(
        &state,
        caller.account.id,
        caller.account.role.as_str(),
        requester_account,
        None,
        write.key(),
        write.hash(),
        need,
        street_code,
        now,
    )
    .await?;
    write.answer(outcome)
}

/// How one entry of a batch stands before the transaction.
enum BatchSlot {
    /// Answered already: refused, or replayed from an earlier filing.
    Answered(NeedBatchResult),
    /// To be stored in the batch's transaction.
    Filing(IdempotentWrite),
}

#[utoipa::path(post, path = "/api/v1/needs/batch", tag = "needs", security(("bearer" = [])),
    request_body(content = NeedBatch, description = "1 to 100 queued needs, each with the idempotency key it was queued with, in queue order"),
    responses((status = 200, body = NeedBatchResults, description = "One result per entry, in request order: created, replayed (same key, same need, same account: the original receipt), conflict (the key was used for another need) or invalid (the single endpoint's 400 or 403). Every need created is stored in one transaction; one bad entry never holds up the others"),
        (status = 400, body = crate::error::ErrorBody, description = "Not a batch, no entries, or more than 100"),
        refusal::Unauthenticated, refusal::Forbidden))]
pub async fn create_batch(
    SignedIn { state, caller }: SignedIn,
    ApiJson(batch): ApiJson<NeedBatch>,
) -> Result<ApiJson<NeedBatchResults>, ApiError> {
    require(&caller, Action::SubmitNeed)?;
    if batch.needs.is_empty() || batch.needs.len() > NEED_BATCH_MAX {
        return Err(ApiError::bad_field(
            "needs",
            format!("a batch takes 1 to {NEED_BATCH_MAX} needs"),
        ));
    }
    let now = state.clock.now();
    // The answers already stored for the batch's keys, in one query; what
    // the entries look up (areas, requesters, the volunteer pool) once.
    let keys: Vec<&str> = batch
        .needs
        .iter()
        .map(|e| e.idempotency_key.trim())
        .collect();
    let replies = state.store.stored_replies(FILING_ENDPOINT, &keys).await?;
    let mut lookups = FilingLookups::default();
    let mut slots = Vec::with_capacity(batch.needs.len());
    let mut prepared = Vec::new();
    for entry in batch.needs {
        let key = entry.idempotency_key.clone();
        match batch_entry(&state, &mut lookups, &replies, &caller, entry, now).await {
            Ok(Ok(result)) => slots.push(BatchSlot::Answered(result)),
            Ok(Err((write, filing))) => {
                slots.push(BatchSlot::Filing(write));
                prepared.push(filing);
            }
            // What the single endpoint answers with a 4xx is this
            // entry's answer alone; a failure on our side fails the
            // batch (nothing stored yet).
            Err(e) if e.status().is_client_error() => {
                slots.push(BatchSlot::Answered(NeedBatchResult::Invalid {
                    idempotency_key: key,
                    status: e.status().as_u16(),
                    error: e.into_detail(),
                }))
            }
            Err(e) => return Err(e),
        }
    }
    let outcomes = if prepared.is_empty() {
        Vec::new()
    } else {
        // Rolled back as a whole: a retry of the batch is safe, so
        // whatever went wrong is the server's (5xx), never a refusal of
        // every entry.
        file_needs(&state, prepared, now)
            .await
            .map_err(|e| match e {
                e if e.status().is_server_error() => e,
                other => ApiError::Internal(format!("storing a batch of needs: {other}")),
            })?
    };
    let mut outcomes = outcomes.into_iter();
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        results.push(match slot {
            BatchSlot::Answered(result) => result,
            BatchSlot::Filing(write) => {
                let outcome = outcomes.next().ok_or_else(|| {
                    ApiError::Internal("a batch's outcomes do not match its entries".into())
                })?;
                batch_result(&write, outcome)?
            }
        });
    }
    Ok(ApiJson(NeedBatchResults { results }))
}

/// One entry of a batch, checked as the single `POST /needs` checks its
/// request: answered at once (`Ok(Ok)`: a replay or a conflict), or
/// validated and ready to be stored (`Ok(Err)`); `Err` is its refusal.
async fn batch_entry(
    state: &AppState,
    lookups: &mut FilingLookups,
    replies: &std::collections::HashMap<String, crate::store::StoredReply>,
    caller: &Caller,
    entry: NeedBatchEntry,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<NeedBatchResult, (IdempotentWrite, PreparedFiling)>, ApiError> {
    let key = IdempotencyKey::parse(Some(&entry.idempotency_key)).map_err(|e| match e {
        ApiError::BadRequest { message, .. } => ApiError::bad_field("idempotency_key", message),
        other => other,
    })?;
    let draft: NeedDraft =
        serde_json::from_value(entry.need).map_err(|e| ApiError::InvalidJson {
            field: Some("need".into()),
            message: format!("not a need: {e}"),
        })?;
    let write = key.bind(FILING_ENDPOINT, caller.account.id, &draft)?;
    if let Some(reply) = replies.get(write.key()) {
        return Ok(Ok(batch_result(
            &write,
            crate::store::IdempotentOutcome::Existing(reply.clone()),
        )?));
    }
    let (need, street_code) = validate_need(state, lookups, draft, now).await?;
    authorize(
        caller,
        Action::SubmitNeed,
        &On::WriteIn(Some(&street_code)),
        String::new,
    )?;
    check_uploads(state, &need).await?;
    let requester_account = requester_account_of(state, lookups, caller, &need).await?;
    let filing = prepare_filing(
        state,
        lookups,
        caller.account.id,
        caller.account.role.as_str(),
        requester_account,
        None,
        write.key(),
        write.hash(),
        need,
        street_code,
        now,
    )
    .await?;
    Ok(Err((write, filing)))
}

/// An entry's result from what the store did with it.
fn batch_result(
    write: &IdempotentWrite,
    outcome: crate::store::IdempotentOutcome,
) -> Result<NeedBatchResult, ApiError> {
    let receipt = |body: &str| {
        serde_json::from_str::<lawcircle_api::needs::NeedReceipt>(body)
            .map_err(|e| ApiError::Internal(format!("a stored receipt does not read back: {e}")))
    };
    let idempotency_key = write.key().to_string();
    Ok(match outcome {
        crate::store::IdempotentOutcome::Done { response, .. } => NeedBatchResult::Created {
            receipt: receipt(&response)?,
            idempotency_key,
        },
        crate::store::IdempotentOutcome::Existing(reply) => match write.replayed_answer(&reply) {
            Ok((_, body)) => NeedBatchResult::Replayed {
                receipt: receipt(&body)?,
                idempotency_key,
            },
            Err(e) => NeedBatchResult::Conflict {
                idempotency_key,
                error: e.into_detail(),
            },
        },
    })
}

pub use lawcircle_api::needs::{NeedStep, NeedStepKind, NeedSummary};

pub use lawcircle_api::needs::NeedDetail;

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
        category: n.need.category,
        urgency: n.need.urgency,
        channel: n.need.channel,
        status: n.status.clone(),
        order_id: n.order_id.clone(),
        // Written from the core's states: one that does not read back
        // is no state the phone could act on.
        order_state: n.order_state.as_deref().and_then(|s| s.parse().ok()),
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
        history: history_of(n),
    }
}

/// A need's history as its requester may see it: when it was received,
/// then each step of its order with the state it led to. Who acted and
/// any note or reason stay out (the requester sees neither elsewhere).
fn history_of(n: &StoredNeed) -> Vec<NeedStep> {
    let received = NeedStep {
        at: n.created_at,
        state: OrderState::Submitted,
        what: NeedStepKind::Received,
    };
    std::iter::once(received)
        .chain(n.order_history.iter().map(|t| NeedStep {
            at: t.at,
            state: t.to,
            what: t.event.kind().into(),
        }))
        .collect()
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
        refusal::Unauthenticated, refusal::Forbidden))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
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
pub(crate) fn reads_own_data(caller: &Caller, n: &StoredNeed) -> bool {
    caller.account.role == lawcircle_core::authz::Role::Resident
        && (n.entered_by == caller.account.id || n.requester_account == Some(caller.account.id))
}

/// The reason for reading someone else's need details, checked; `None`
/// for a resident's own need.
pub(crate) fn detail_reason<'a>(
    caller: &Caller,
    n: &StoredNeed,
    reason: Option<&'a str>,
) -> Result<Option<&'a str>, ApiError> {
    if reads_own_data(caller, n) {
        return Ok(None);
    }
    match reason {
        Some(r) => crate::usecases::audit::read_reason(r).map(Some),
        None => Err(ApiError::bad_field(
            "reason",
            "reading a need's details needs a reason (a few words; it is audited)",
        )),
    }
}

/// The purpose recorded when the volunteer or lawyer holding a need's
/// order reads the need without giving a reason of their own.
pub(crate) const HOLDER_PURPOSE: &str = "handling the order";

/// How `caller` stands to the order a need became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holding {
    /// Its assignee, the order accepted or started (claimed, in progress):
    /// they read the need to do the work.
    Holds,
    /// Its assignee, the order not (or no longer) theirs to work on: a
    /// dispatch not yet accepted, or one already resolved.
    AssignedOnly,
    /// Nothing to do with it.
    None,
}

/// Whether `caller` currently holds the order of need `n`.
pub(crate) async fn holding(
    state: &AppState,
    caller: &Caller,
    n: &StoredNeed,
) -> Result<Holding, ApiError> {
    let Some(order_id) = n.order_id.as_deref() else {
        return Ok(Holding::None);
    };
    let Some(order) = state.store.order(order_id).await? else {
        return Ok(Holding::None);
    };
    if order.assignee.as_deref() != Some(caller.account.id.to_string().as_str()) {
        return Ok(Holding::None);
    }
    Ok(
        if matches!(order.state, OrderState::Claimed | OrderState::InProgress) {
            Holding::Holds
        } else {
            Holding::AssignedOnly
        },
    )
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path), DetailQuery),
    responses((status = 200, body = NeedDetail, description = "Contact data masked; the read is audited with its reason (except a resident reading their own need). The volunteer or lawyer holding the need's order (accepted or started) may read it too, audited with the purpose \"handling the order\" unless they give a reason"),
        (status = 400, body = crate::error::ErrorBody, description = "No reason, or one shorter than a few words"),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn get_one(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<DetailQuery>,
    headers: HeaderMap,
) -> Result<ApiJson<NeedDetail>, ApiError> {
    let (n, reason) = match load_in_scope(&state, &caller, id, Action::ReadNeeds).await {
        Ok(n) => {
            let reason = detail_reason(&caller, &n, q.reason.as_deref())?;
            (n, reason)
        }
        Err(refused @ (ApiError::NotFound(_) | ApiError::Forbidden(_))) => {
            // Outside the caller's scope: only the holder of its order
            // reads it, for the work.
            let Some(n) = state.store.need(id).await? else {
                return Err(refused);
            };
            match holding(&state, &caller, &n).await? {
                Holding::Holds => {
                    let reason = match q.reason.as_deref() {
                        Some(r) => crate::usecases::audit::read_reason(r)?,
                        None => HOLDER_PURPOSE,
                    };
                    (n, Some(reason))
                }
                Holding::AssignedOnly => {
                    return Err(ApiError::Forbidden(
                        "only the volunteer or lawyer holding the order (accepted or started) reads its need".into(),
                    ));
                }
                Holding::None => return Err(refused),
            }
        }
        Err(other) => return Err(other),
    };
    if let Some(reason) = reason {
        crate::usecases::audit::record_read(
            &state,
            &caller,
            &headers,
            crate::usecases::audit::PersonalDataRead {
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
    let area_name = state.store.area_name(&n.need.location.area_code).await?;
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
        area_name,
    }))
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
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn contact(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    headers: HeaderMap,
) -> Result<ApiJson<NeedContact>, ApiError> {
    let reason = crate::usecases::audit::read_reason(&q.reason)?;
    let n = load_in_scope(&state, &caller, id, Action::ReadNeedContact).await?;
    crate::usecases::audit::record_read(
        &state,
        &caller,
        &headers,
        crate::usecases::audit::PersonalDataRead {
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

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(create_batch))
        .routes(routes!(get_one))
        .routes(routes!(contact))
}
