//! A person's rights under PIPL (个人信息保护法), exercised by district
//! admins on the person's request, each with a reason and audited: a copy
//! of everything the platform holds about them (art. 45) and the removal
//! of their personal data (art. 47). What is kept for statistics after a
//! removal is listed in `store::personal_data` and `docs/security.md`.

use crate::api::accounts::AccountView;
use crate::api::require;
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::store::{AuditEntry, OrderFilter, StoredNeed};
use crate::usecases::audit::read_reason;
use crate::usecases::audit::{PersonalDataRead, record_read};
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Action;
use lawcircle_core::privacy::{mask_phone, normalize_mobile};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Whose data, and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonalDataRequest {
    /// The person's account, if they have one.
    pub account_id: Option<i64>,
    /// A mainland mobile number: needs whose requester has this number
    /// (e.g. filed for them by a lawyer or through Open311).
    pub phone: Option<String>,
    /// Why (a few words; audited), e.g. "当事人书面申请查阅个人信息".
    pub reason: String,
}

/// One need as stored, in full, with its order and rating.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedNeed {
    pub id: i64,
    pub client_key: String,
    pub street_code: Option<String>,
    pub received_at: DateTime<Utc>,
    pub anonymised_at: Option<DateTime<Utc>>,
    /// The record as filed (requester, description, place, consent…).
    #[schema(value_type = Object)]
    pub need: lawcircle_core::needs::NeedDraft,
    #[schema(value_type = Option<Object>)]
    pub order: Option<lawcircle_core::orders::order::Order>,
    #[schema(value_type = Option<Object>)]
    pub rating: Option<lawcircle_core::orders::rating::Rating>,
}

/// A file of one of the person's needs: fetch it from `url` (the read is
/// audited too).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedAttachment {
    pub need_id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
    /// `/api/v1/attachments/{sha256}`; absent once the file was erased.
    pub url: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
}

/// Everything the platform holds about a person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonalDataExport {
    pub generated_at: DateTime<Utc>,
    /// Their account in full (phone and ID number unmasked).
    pub account: Option<AccountView>,
    pub needs: Vec<ExportedNeed>,
    pub attachments: Vec<ExportedAttachment>,
    /// Orders they handled as a volunteer or lawyer.
    #[schema(value_type = Vec<Object>)]
    pub orders_handled: Vec<lawcircle_core::orders::order::Order>,
    /// Their volunteer records.
    #[schema(value_type = Vec<Object>)]
    pub volunteer_records: Vec<lawcircle_core::volunteers::pool::Volunteer>,
    /// Their clock-in punches, with the exact fixes still kept.
    #[schema(value_type = Vec<Object>)]
    pub punches: Vec<lawcircle_core::volunteers::punch::Punch>,
    /// Who read their data (and what they read of others'), when and why.
    pub audit_entries: Vec<AuditEntry>,
}

/// What a removal did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    pub needs_anonymised: Vec<i64>,
    pub account_anonymised: bool,
    pub punch_locations_erased: usize,
    /// What stays, for statistics.
    pub kept: String,
}

/// What is kept after a removal, as the API and the documentation say it.
pub const KEPT_FOR_STATISTICS: &str = "needs: category, urgency, channel, street and area codes, application type and version, consent record (notice version and time), timestamps; orders: state history and deadlines; ratings: the score; punches: time, duty post and verdicts; the audit log (its own retention)";

struct Person {
    account: Option<crate::store::Account>,
    phone: Option<String>,
}

async fn person(state: &AppState, req: &PersonalDataRequest) -> Result<Person, ApiError> {
    let phone = req
        .phone
        .as_deref()
        .map(|p| normalize_mobile(p).map_err(|e| ApiError::bad_field("phone", e.to_string())))
        .transpose()?;
    let account = match req.account_id {
        Some(id) => Some(
            state
                .store
                .account(id)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("account {id}")))?,
        ),
        None => None,
    };
    if account.is_none() && phone.is_none() {
        return Err(ApiError::bad_field(
            "account_id",
            "name the person: account_id, phone, or both",
        ));
    }
    // The account's own phone finds needs filed for them by others too.
    let phone = phone.or_else(|| {
        account
            .as_ref()
            .and_then(|a| a.phone.as_deref())
            .and_then(|p| normalize_mobile(p).ok())
    });
    Ok(Person { account, phone })
}

async fn needs_of(state: &AppState, p: &Person) -> Result<Vec<StoredNeed>, ApiError> {
    Ok(state
        .store
        .needs_of_person(p.account.as_ref().map(|a| a.id), p.phone.as_deref())
        .await?)
}

/// One audit entry per record the request touched, so each subject's
/// history shows it.
async fn audit_all(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    action: &str,
    p: &Person,
    needs: &[StoredNeed],
    reason: &str,
) -> Result<(), ApiError> {
    if let Some(a) = &p.account {
        record_read(
            state,
            caller,
            headers,
            PersonalDataRead {
                action,
                subject_type: "account",
                subject_id: a.id.to_string(),
                fields: "all",
            },
            reason,
        )
        .await?;
    }
    if p.account.is_none()
        && let Some(phone) = &p.phone
    {
        // The number itself is not written to the log, only its mask.
        record_read(
            state,
            caller,
            headers,
            PersonalDataRead {
                action,
                subject_type: "phone",
                subject_id: mask_phone(phone),
                fields: "all",
            },
            reason,
        )
        .await?;
    }
    for n in needs {
        record_read(
            state,
            caller,
            headers,
            PersonalDataRead {
                action,
                subject_type: "need",
                subject_id: n.id.to_string(),
                fields: "all",
            },
            reason,
        )
        .await?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/personal-data/export", tag = "audit", security(("bearer" = [])),
    request_body = PersonalDataRequest,
    responses((status = 200, body = PersonalDataExport, description = "Everything held about the person; audited"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn export(
    SignedIn { state, caller }: SignedIn,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PersonalDataRequest>,
) -> Result<ApiJson<PersonalDataExport>, ApiError> {
    require(&caller, Action::ExportPersonalData)?;
    let reason = read_reason(&req.reason)?;
    let p = person(&state, &req).await?;
    let needs = needs_of(&state, &p).await?;
    // Written before anything is shown: no export without its record.
    audit_all(
        &state,
        &caller,
        &headers,
        "export_personal_data",
        &p,
        &needs,
        reason,
    )
    .await?;
    let ratings = state.store.ratings().await?;
    let mut exported = Vec::new();
    let mut attachments = Vec::new();
    for n in &needs {
        let order = match &n.order_id {
            Some(id) => state.store.order(id).await?,
            None => None,
        };
        let rating = order
            .as_ref()
            .and_then(|o| ratings.iter().find(|r| r.order_id == o.id).cloned());
        for a in &n.need.attachments {
            let stored = state.store.attachment(&a.sha256).await?;
            let erased_at = stored.as_ref().and_then(|s| s.erased_at);
            attachments.push(ExportedAttachment {
                need_id: n.id,
                sha256: a.sha256.clone(),
                media_type: a.media_type.clone(),
                size: a.size,
                url: (stored.is_some() && erased_at.is_none())
                    .then(|| format!("/api/v1/attachments/{}", a.sha256)),
                erased_at,
            });
        }
        exported.push(ExportedNeed {
            id: n.id,
            client_key: n.client_key.clone(),
            street_code: n.street_code.clone(),
            received_at: n.created_at,
            anonymised_at: n.anonymised_at,
            need: n.need.clone(),
            order,
            rating,
        });
    }
    let (orders_handled, volunteer_records, punches, audit_entries) = match &p.account {
        Some(a) => {
            let orders = state
                .store
                .orders(&OrderFilter {
                    assignee: Some(a.id.to_string()),
                    ..OrderFilter::default()
                })
                .await?;
            let volunteers = state
                .store
                .volunteers_of_account(a.id)
                .await?
                .into_iter()
                .map(|v| v.volunteer)
                .collect();
            let punches = state.store.punches_of(&a.id.to_string()).await?;
            let mut subjects = vec![("account".to_string(), a.id.to_string())];
            subjects.extend(needs.iter().map(|n| ("need".to_string(), n.id.to_string())));
            let audit = state.store.audit_entries_of_person(a.id, &subjects).await?;
            (orders, volunteers, punches, audit)
        }
        None => {
            let subjects: Vec<(String, String)> = needs
                .iter()
                .map(|n| ("need".to_string(), n.id.to_string()))
                .collect();
            let audit = state.store.audit_entries_of_person(-1, &subjects).await?;
            (vec![], vec![], vec![], audit)
        }
    };
    Ok(ApiJson(PersonalDataExport {
        generated_at: state.clock.now(),
        account: p.account.as_ref().map(crate::api::accounts::own_view),
        needs: exported,
        attachments,
        orders_handled,
        volunteer_records,
        punches,
        audit_entries,
    }))
}

#[utoipa::path(post, path = "/api/v1/personal-data/erase", tag = "audit", security(("bearer" = [])),
    request_body = PersonalDataRequest,
    responses((status = 200, body = ErasureReport, description = "The person's needs anonymised, their files erased, their account (if named) anonymised and disabled; audited"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn erase(
    SignedIn { state, caller }: SignedIn,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PersonalDataRequest>,
) -> Result<ApiJson<ErasureReport>, ApiError> {
    require(&caller, Action::ErasePersonalData)?;
    let reason = read_reason(&req.reason)?;
    let p = person(&state, &req).await?;
    if p.account
        .as_ref()
        .is_some_and(|a| a.id == caller.account.id)
    {
        return Err(ApiError::bad_field(
            "account_id",
            "an admin's own account is removed by another admin",
        ));
    }
    let needs = needs_of(&state, &p).await?;
    audit_all(
        &state,
        &caller,
        &headers,
        "erase_personal_data",
        &p,
        &needs,
        reason,
    )
    .await?;
    let now = state.clock.now();
    let mut done = Vec::new();
    for n in &needs {
        if state.store.anonymise_need(n.id, now).await? {
            done.push(n.id);
        }
    }
    let mut punch_locations_erased = 0;
    let account_anonymised = match &p.account {
        Some(a) => {
            for mut punch in state.store.punches_of(&a.id.to_string()).await? {
                if punch.fix.is_some() {
                    punch.erase_location(now);
                    state.store.update_punch_data(&punch).await?;
                    punch_locations_erased += 1;
                }
            }
            state.store.anonymise_account(a.id, now).await?
        }
        None => false,
    };
    Ok(ApiJson(ErasureReport {
        needs_anonymised: done,
        account_anonymised,
        punch_locations_erased,
        kept: KEPT_FOR_STATISTICS.to_string(),
    }))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(erase))
}
