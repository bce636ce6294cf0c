//! The volunteer pool (志愿者库): applications, review, suspension, exit,
//! loans to other streets and teams by specialty. The lifecycle rules are
//! the core's; the server maps callers to actors, scopes them to their
//! street, and stores every change with its who, when and why.

use crate::api::{authorize, require, scoped_street};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{StoreError, StoredVolunteer};
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::{Action, On, Role, Scope};
use lawcircle_core::catalogue::opening_hours::OpeningHours;
use lawcircle_core::privacy::{mask_phone, normalize_mobile};
use lawcircle_core::volunteers::pool::{
    self, Actor, ExitKind, Loan, Profession, Team, Volunteer, VolunteerError, VolunteerProfile,
    VolunteerState,
};
use lawcircle_core::volunteers::specialty;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An application to join the pool (申请加入志愿者库).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    pub name: String,
    /// A mainland mobile number.
    pub phone: String,
    /// lawyer, grassroots_legal_worker, notary, mediator, legal_aid_worker,
    /// law_student or other.
    #[schema(value_type = String)]
    pub profession: Profession,
    /// Service product codes (服务方向), e.g. `mediation`.
    #[schema(value_type = Vec<String>)]
    pub service_directions: Vec<lawcircle_core::catalogue::facility::ServiceProduct>,
    /// Specialties (专长) from `GET /api/v1/specialties`: codes (e.g.
    /// `labour`) or their exact Chinese or English names (劳动争议); stored
    /// as codes.
    pub specialties: Vec<String>,
    pub home_street_code: String,
    /// Weekly availability, e.g. `Sa-Su 09:00-12:00`.
    pub availability: String,
}

/// A volunteer as the API shows it: the phone masked unless it is the
/// caller's own record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VolunteerView {
    pub id: String,
    pub account_id: i64,
    pub version: i64,
    #[schema(value_type = Object)]
    pub volunteer: Volunteer,
}

fn view(stored: StoredVolunteer, own: bool) -> VolunteerView {
    let mut v = stored.volunteer;
    if !own {
        v.profile.phone = mask_phone(&v.profile.phone);
    }
    VolunteerView {
        id: v.id.clone(),
        account_id: stored.account_id,
        version: stored.version,
        volunteer: v,
    }
}

fn volunteer_error(e: VolunteerError) -> ApiError {
    match e {
        VolunteerError::NotPermitted { .. } | VolunteerError::LoanNotPermitted { .. } => {
            ApiError::Forbidden(e.to_string())
        }
        VolunteerError::IllegalTransition { .. }
        | VolunteerError::NotActive(_)
        | VolunteerError::NoLoanInForce(_) => ApiError::Conflict(e.to_string()),
        VolunteerError::ReasonRequired { .. } | VolunteerError::LoanReasonRequired => {
            ApiError::bad_field("reason", e.to_string())
        }
        VolunteerError::IncompleteProfile(field) => ApiError::bad_field(field, e.to_string()),
        other => ApiError::BadRequest {
            field: None,
            message: other.to_string(),
        },
    }
}

/// The core's actor for a caller.
fn actor_of(caller: &Caller) -> Result<Actor, ApiError> {
    let id = caller.account.id.to_string();
    match caller.account.role {
        Role::DistrictAdmin => Ok(Actor::DistrictAdmin { id }),
        Role::StationStaff => Ok(Actor::StationStaff {
            id,
            street_code: caller
                .account
                .street_code
                .clone()
                .ok_or_else(ApiError::forbidden)?,
        }),
        Role::Volunteer | Role::Lawyer | Role::Resident => Ok(Actor::Volunteer { id }),
    }
}

#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers", security(("bearer" = [])),
    request_body = ApplyRequest,
    responses((status = 201, body = VolunteerView),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::Conflict))]
pub async fn apply(
    SignedIn { state, caller }: SignedIn,
    ApiJson(req): ApiJson<ApplyRequest>,
) -> Result<(StatusCode, ApiJson<VolunteerView>), ApiError> {
    require(&caller, Action::ApplyVolunteer)?;
    let phone =
        normalize_mobile(&req.phone).map_err(|e| ApiError::bad_field("phone", e.to_string()))?;
    let availability = OpeningHours::parse(&req.availability, "")
        .map_err(|e| ApiError::bad_field("availability", e.to_string()))?;
    if state.store.area_level(&req.home_street_code).await?
        != Some(lawcircle_core::catalogue::area::AreaLevel::Street)
    {
        return Err(ApiError::bad_field(
            "home_street_code",
            format!("{:?} is not a known street", req.home_street_code),
        ));
    }
    let specialties = specialty::normalize(&req.specialties)
        .map_err(|e| ApiError::bad_field("specialties", e.to_string()))?;
    let profile = VolunteerProfile {
        name: req.name.trim().to_string(),
        phone,
        profession: req.profession,
        service_directions: req.service_directions,
        specialties,
        unmatched_specialties: Vec::new(),
        home_street_code: req.home_street_code,
        availability,
    };
    let now = state.clock.now();
    let stored = state
        .store
        .insert_volunteer(
            caller.account.id,
            |id| {
                Volunteer::apply(id, profile, now).map_err(|e| StoreError::Corrupt {
                    table: "volunteers",
                    id: String::new(),
                    reason: e.to_string(),
                })
            },
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Corrupt { reason, .. } => ApiError::BadRequest {
                field: None,
                message: reason,
            },
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, ApiJson(view(stored, true))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VolunteerQuery {
    /// applied, rejected, active, suspended or exited.
    pub state: Option<String>,
    /// A street code (district admins; staff see their own street).
    pub street: Option<String>,
    /// One page of at most this many (1–500, default 100), by id. Without
    /// `limit` or `cursor`: the first 500 as a plain array (older clients).
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
}

/// The first 500 matching volunteers (an array, as before), or, with
/// `limit` or `cursor`, one page of them by id (`{items, next_cursor}`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum VolunteerList {
    All(Vec<VolunteerView>),
    Page(VolunteerPage),
}

/// One page of volunteers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VolunteerPage {
    pub items: Vec<VolunteerView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn parse_state(s: &str) -> Result<VolunteerState, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| ApiError::bad_field("state", format!("{s:?} is not a volunteer state")))
}

#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers", security(("bearer" = [])),
    params(VolunteerQuery),
    responses((status = 200, body = VolunteerList),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden))]
pub async fn list(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<VolunteerQuery>,
) -> Result<ApiJson<VolunteerList>, ApiError> {
    let scope = require(&caller, Action::ReviewVolunteer)?;
    let street = match scope {
        Scope::District => q.street.clone(),
        _ => scoped_street(&caller, scope)?,
    };
    let wanted = q.state.as_deref().map(parse_state).transpose()?;
    // The cursor is the last id's bytes (as before the shared helper).
    let want = crate::api::pagination::want_cursor_with(
        q.cursor.as_deref(),
        q.limit,
        crate::api::pagination::decode_cursor,
    )?;
    let rows = state
        .store
        .volunteers_page(
            street.as_deref(),
            wanted,
            want.after.as_deref(),
            want.fetch(),
        )
        .await?;
    let page = crate::api::pagination::CursorPage::from_overfetch(rows, want.limit, |v| {
        crate::api::pagination::encode_cursor(&v.volunteer.id)
    });
    let items = page.items.into_iter().map(|v| view(v, false)).collect();
    Ok(ApiJson(if want.paged {
        VolunteerList::Page(VolunteerPage {
            items,
            next_cursor: page.next_cursor,
        })
    } else {
        VolunteerList::All(items)
    }))
}

/// Refuses a change made against an older version of the record.
fn check_version(stored: &StoredVolunteer, seen: i64) -> Result<(), ApiError> {
    if stored.version == seen {
        return Ok(());
    }
    Err(ApiError::Conflict(format!(
        "volunteer {} is at version {}, not {seen}: reload and try again",
        stored.volunteer.id, stored.version
    )))
}

/// Stores `changed` over `stored` (refused when someone changed it in
/// between) and answers with the new record.
async fn save(
    state: &AppState,
    mut stored: StoredVolunteer,
    changed: Volunteer,
    now: DateTime<Utc>,
    is_self: bool,
) -> Result<ApiJson<VolunteerView>, ApiError> {
    stored.version = state.store.update_volunteer(&stored, &changed, now).await?;
    stored.volunteer = changed;
    Ok(ApiJson(view(stored, is_self)))
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<StoredVolunteer, ApiError> {
    let stored = state
        .store
        .volunteer(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("volunteer {id}")))?;
    authorize(
        caller,
        Action::ReviewVolunteer,
        &On::Volunteer {
            account_id: &stored.account_id.to_string(),
            home_street_code: &stored.volunteer.profile.home_street_code,
        },
        || format!("volunteer {id}"),
    )?;
    Ok(stored)
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = VolunteerView),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn get_one(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> Result<ApiJson<VolunteerView>, ApiError> {
    let stored = load(&state, &caller, &id).await?;
    let own = stored.account_id == caller.account.id;
    Ok(ApiJson(view(stored, own)))
}

/// A change of state: approve, reject, suspend, reinstate, or exit
/// (`{"action": "exit", "kind": "voluntary"|"removed"}`), with a reason
/// (required for everything but approve).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActRequest {
    #[schema(value_type = Object)]
    pub action: pool::Action,
    pub reason: Option<String>,
    /// The version the caller saw; a newer change answers 409.
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/actions", tag = "volunteers", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ActRequest,
    responses((status = 200, body = VolunteerView),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound,
        (status = 409, description = "Illegal transition or a newer change", body = crate::error::ErrorBody)))]
pub async fn act(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ActRequest>,
) -> Result<ApiJson<VolunteerView>, ApiError> {
    let stored = load(&state, &caller, &id).await?;
    check_version(&stored, req.version)?;
    let is_self = stored.account_id == caller.account.id;
    if is_self
        && !matches!(
            req.action,
            pool::Action::Exit {
                kind: ExitKind::Voluntary
            }
        )
    {
        return Err(ApiError::Forbidden(
            "volunteers may only leave the pool themselves".into(),
        ));
    }
    // The core knows a volunteer acting on their own record by its id.
    let actor = if is_self {
        Actor::Volunteer {
            id: stored.volunteer.id.clone(),
        }
    } else {
        actor_of(&caller)?
    };
    let mut changed = stored.volunteer.clone();
    changed
        .act(actor, req.action, state.clock.now(), req.reason.as_deref())
        .map_err(volunteer_error)?;
    save(&state, stored, changed, state.clock.now(), is_self).await
}

/// A new list of specialties, with the version the caller saw.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialtiesRequest {
    /// Codes or exact names from `GET /api/v1/specialties`.
    pub specialties: Vec<String>,
    pub version: i64,
}

/// Changes a volunteer's specialties (专长): the volunteer themself, staff
/// of their home street, or a district admin. Only codes of the taxonomy
/// are accepted; free text kept from before the taxonomy is dropped once
/// the list is chosen again.
#[utoipa::path(put, path = "/api/v1/volunteers/{id}/specialties", tag = "volunteers", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SpecialtiesRequest,
    responses((status = 200, body = VolunteerView),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound,
        (status = 409, description = "A newer change", body = crate::error::ErrorBody)))]
pub async fn set_specialties(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SpecialtiesRequest>,
) -> Result<ApiJson<VolunteerView>, ApiError> {
    let stored = load(&state, &caller, &id).await?;
    let is_self = stored.account_id == caller.account.id;
    let specialties = specialty::normalize(&req.specialties)
        .map_err(|e| ApiError::bad_field("specialties", e.to_string()))?;
    check_version(&stored, req.version)?;
    let mut changed = stored.volunteer.clone();
    changed.profile.specialties = specialties;
    changed.profile.unmatched_specialties.clear();
    save(&state, stored, changed, state.clock.now(), is_self).await
}

/// The specialty taxonomy and how need categories map to it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SpecialtyTaxonomy {
    /// Every specialty: `code`, `name_zh`, `name_en`.
    #[schema(value_type = Vec<Object>)]
    pub specialties: &'static [specialty::Specialty],
    /// The code of general practice (综合), which matches every need.
    pub general: &'static str,
    /// Per need category: the specialties that qualify when the need does
    /// not name its subject.
    #[schema(value_type = Vec<Object>)]
    pub categories: &'static [specialty::CategorySpecialties],
}

/// The specialty taxonomy (专长分类) shared by volunteers' skills and
/// needs. Public: forms need it before sign-in.
#[utoipa::path(get, path = "/api/v1/specialties", tag = "volunteers",
    responses((status = 200, body = SpecialtyTaxonomy)))]
pub async fn specialties() -> ApiJson<SpecialtyTaxonomy> {
    ApiJson(SpecialtyTaxonomy {
        specialties: specialty::SPECIALTIES,
        general: specialty::GENERAL,
        categories: specialty::CATEGORY_SPECIALTIES,
    })
}

/// A loan to another street (跨区域调派), by a district admin.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanRequest {
    pub to_street_code: String,
    pub post_id: Option<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/loans", tag = "volunteers", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LoanRequest,
    responses((status = 200, body = VolunteerView),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound,
        refusal::Conflict))]
pub async fn lend(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LoanRequest>,
) -> Result<ApiJson<VolunteerView>, ApiError> {
    require(&caller, Action::LendVolunteer)?;
    let stored = load(&state, &caller, &id).await?;
    check_version(&stored, req.version)?;
    if state.store.area_level(&req.to_street_code).await?
        != Some(lawcircle_core::catalogue::area::AreaLevel::Street)
    {
        return Err(ApiError::bad_field("to_street_code", "not a known street"));
    }
    let mut changed = stored.volunteer.clone();
    changed
        .lend(Loan {
            to_street_code: req.to_street_code,
            post_id: req.post_id,
            from: req.from,
            until: req.until,
            by: actor_of(&caller)?,
            reason: req.reason,
            returned: None,
        })
        .map_err(volunteer_error)?;
    save(&state, stored, changed, state.clock.now(), false).await
}

/// Returns a volunteer on loan to their home street before the loan ends,
/// by a district admin.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanReturnRequest {
    /// Why the volunteer goes home early.
    pub reason: String,
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/loans/return", tag = "volunteers", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = LoanReturnRequest,
    responses((status = 200, body = VolunteerView, description = "The loan in force ends now"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound,
        (status = 409, body = crate::error::ErrorBody, description = "On no loan now, or another version")))]
pub async fn return_from_loan(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LoanReturnRequest>,
) -> Result<ApiJson<VolunteerView>, ApiError> {
    require(&caller, Action::LendVolunteer)?;
    let stored = load(&state, &caller, &id).await?;
    check_version(&stored, req.version)?;
    let now = state.clock.now();
    let mut changed = stored.volunteer.clone();
    changed
        .return_from_loan(now, actor_of(&caller)?, &req.reason)
        .map_err(volunteer_error)?;
    save(&state, stored, changed, now, false).await
}

#[utoipa::path(get, path = "/api/v1/volunteers/teams", tag = "volunteers", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>),
        refusal::Unauthenticated, refusal::Forbidden))]
pub async fn teams(SignedIn { state, caller }: SignedIn) -> Result<ApiJson<Vec<Team>>, ApiError> {
    let scope = require(&caller, Action::ReviewVolunteer)?;
    let street = scoped_street(&caller, scope)?;
    let list = state
        .store
        .volunteers(street.as_deref(), Some(VolunteerState::Active))
        .await?;
    let vols: Vec<Volunteer> = list.into_iter().map(|s| s.volunteer).collect();
    Ok(ApiJson(pool::teams_by_specialty(&vols)))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, apply))
        .routes(routes!(teams))
        .routes(routes!(get_one))
        .routes(routes!(act))
        .routes(routes!(lend))
        .routes(routes!(return_from_loan))
        .routes(routes!(set_specialties))
        .routes(routes!(specialties))
}
