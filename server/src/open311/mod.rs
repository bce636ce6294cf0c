//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under
//! `/open311/v2/`, so an existing Open311 client can list our application
//! types, file an application and follow it. The shapes, renderings,
//! parsing and intake are the core's ([`lawcircle_core::open311`]); this
//! maps them onto needs and orders:
//!
//! * a service is the newest active version of an application type;
//! * `POST requests` (with an `api_key` a district admin issued) files a
//!   need with its application through the same intake as the phones,
//!   and its order at once (`realtime`): `service_request_id` is the
//!   order's id;
//! * `GET requests` shows applications only, and no personal data: no
//!   requester, no description of the legal trouble, and the place only
//!   at the level of its village/community (its name and representative
//!   point), never the address or point the requester gave;
//! * a token is the idempotency key a need was filed with (the phones'
//!   outbox keeps it), exchanged for the request id.
//!
//! Errors use the spec's format (`[{"code", "description"}]` or
//! `<errors>`), 400 for bad input, 403 for a missing or unknown key, 404
//! for unknown ids, codes and extensions (the latter in JSON).

use crate::api::needs::file_need;
use crate::auth::{random_key, token_hash};
use crate::state::AppState;
use crate::store::{IdempotentOutcome, StoredNeed};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Offset, Utc};
use lawcircle_core::coord::{Datum, GeoPoint};
use lawcircle_core::need::{
    Channel, Consent, EnteredBy, Enterprise, NeedCategory, NeedDraft, NeedLocation, Requester,
    Urgency,
};
use lawcircle_core::open311::{
    self, Format, Lang, Open311Error, Payload, PostResponse, ServiceRequest, Status, TokenResponse,
    status_for_state,
};
use lawcircle_core::order::OrderState;
use lawcircle_core::services::application::need_category_for;
use lawcircle_core::services::{
    AnswerValue, ApplicationDraft, Responsible, ServiceCatalog, ServiceDefinition,
};

/// China Standard Time, in which dates are shown.
fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

/// An answer in the spec's error format.
struct Errors(Format, Vec<Open311Error>);

impl Errors {
    fn one(format: Format, e: Open311Error) -> Self {
        Errors(format, vec![e])
    }

    fn internal(format: Format, detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "open311 request failed");
        Errors(
            format,
            vec![Open311Error {
                code: 500,
                description: "internal error".into(),
            }],
        )
    }
}

impl IntoResponse for Errors {
    fn into_response(self) -> Response {
        let status = if self.1.iter().any(|e| e.code >= 500) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::from_u16(open311::http_status(&self.1)).unwrap_or(StatusCode::BAD_REQUEST)
        };
        render(status, self.0, Payload::Errors(&self.1))
    }
}

/// A URL refused before routing (e.g. carrying `%00`), answered in the
/// spec's error format: XML when the path asks for it, JSON otherwise.
pub fn refuse_url(path: &str, description: &str) -> Response {
    let format = if path.ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    };
    Errors::one(format, Open311Error::bad_request(description)).into_response()
}

fn render(status: StatusCode, format: Format, payload: Payload<'_>) -> Response {
    let mut resp = Response::new(Body::from(payload.render(format)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    resp
}

/// `services.json` → (`services`, JSON); an unknown extension is a 404 in
/// JSON (the format the client asked for is unknown).
fn split(file: &str) -> Result<(&str, Format), Errors> {
    let unknown = || {
        Errors::one(
            Format::Json,
            Open311Error::not_found(format!("{file:?}: the resource must end in .json or .xml")),
        )
    };
    let (stem, ext) = file.rsplit_once('.').ok_or_else(unknown)?;
    let format = Format::from_extension(ext).ok_or_else(unknown)?;
    if stem.is_empty() {
        return Err(unknown());
    }
    Ok((stem, format))
}

/// The language: a `locale` parameter, else `Accept-Language`, else Chinese.
fn lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(q) = query
        && let Some((_, v)) = form_urlencoded::parse(q.as_bytes())
            .find(|(k, v)| k == "locale" && !v.trim().is_empty())
    {
        return Lang::from_tag(&v);
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(Lang::from_tag)
        .unwrap_or_default()
}

async fn catalog(
    state: &AppState,
    format: Format,
) -> Result<std::sync::Arc<ServiceCatalog>, Errors> {
    state
        .services
        .catalog(&state.store)
        .await
        .map_err(|e| Errors::internal(format, e))
}

/// `GET /open311/v2/{services|requests}.{json|xml}`.
pub async fn root_get(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = match split(&file) {
        Ok(("services", format)) => {
            services(&state, format, lang(query.as_deref(), &headers)).await
        }
        Ok(("requests", format)) => {
            list_requests(&state, format, query.as_deref().unwrap_or(""), &headers).await
        }
        Ok((_, format)) => Err(Errors::one(
            format,
            Open311Error::not_found(format!("no resource {file:?}")),
        )),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /open311/v2/requests.{json|xml}`.
pub async fn root_post(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = match split(&file) {
        Ok(("requests", format)) => {
            post_request(&state, format, query.as_deref(), &headers, &body).await
        }
        Ok((_, format)) => Err(Errors::one(
            format,
            Open311Error::not_found(format!("no resource {file:?} takes a POST")),
        )),
        Err(e) => Err(e),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn services(state: &AppState, format: Format, lang: Lang) -> Result<Response, Errors> {
    let catalog = catalog(state, format).await?;
    let list: Vec<open311::Service> = catalog
        .active()
        .into_iter()
        .map(|d| open311::service_from_definition(d, lang))
        .collect();
    Ok(render(StatusCode::OK, format, Payload::Services(&list)))
}

/// `GET /open311/v2/services/{service_code}.{json|xml}`.
pub async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let run = async {
        let (code, format) = split(&file)?;
        let catalog = catalog(&state, format).await?;
        let def = catalog.latest(code).filter(|d| d.active).ok_or_else(|| {
            Errors::one(
                format,
                Open311Error::not_found(format!("service_code {code:?} was not found")),
            )
        })?;
        let doc = open311::definition_doc(def, lang(query.as_deref(), &headers));
        Ok::<_, Errors>(render(StatusCode::OK, format, Payload::Definition(&doc)))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// Human-readable state of an order (`status_notes`): no personal data.
fn state_note(state: OrderState, lang: Lang) -> &'static str {
    let (zh, en) = match state {
        OrderState::Submitted => ("已提交", "Submitted"),
        OrderState::Open => ("已受理,等待分派", "Received, waiting to be assigned"),
        OrderState::Claimed => ("已有志愿者接单", "Taken by a volunteer"),
        OrderState::Assigned => ("已派单", "Assigned"),
        OrderState::InProgress => ("办理中", "In progress"),
        OrderState::Resolved => ("已办结", "Resolved"),
        OrderState::Evaluated => ("已办结并评价", "Resolved and rated"),
        OrderState::Closed => ("已归档", "Closed"),
        OrderState::Transferred => ("已转办", "Transferred"),
        OrderState::Escalated => ("已升级督办", "Escalated"),
        OrderState::Cancelled => ("已撤销", "Cancelled"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

async fn agency(
    state: &AppState,
    def: &ServiceDefinition,
    street_code: &str,
    lang: Lang,
) -> Option<String> {
    let office = |name: String| match lang {
        Lang::Zh => format!("{name}司法所"),
        Lang::En => format!("{name} judicial office"),
    };
    match &def.responsible {
        Responsible::Body { name_zh, name_en } => Some(match lang {
            Lang::Zh if !name_zh.is_empty() => name_zh.clone(),
            _ if !name_en.is_empty() => name_en.clone(),
            _ => name_zh.clone(),
        }),
        Responsible::Street { code } => {
            state.store.area_name(code).await.ok().flatten().map(office)
        }
        Responsible::StreetOfLocation => state
            .store
            .area_name(street_code)
            .await
            .ok()
            .flatten()
            .map(office),
    }
}

/// A need filed as an application, as Open311 shows it publicly.
async fn service_request(
    state: &AppState,
    catalog: &ServiceCatalog,
    need: &StoredNeed,
    updated: DateTime<Utc>,
    lang: Lang,
) -> Option<ServiceRequest> {
    let app = need.need.application.as_ref()?;
    let def = catalog.get(&app.service_code, app.service_version)?;
    let order_id = need.order_id.clone()?;
    let order_state: Option<OrderState> = need
        .order_state
        .as_deref()
        .and_then(|s| serde_json::from_value(serde_json::Value::String(s.to_string())).ok());
    let status = need
        .order_state
        .as_deref()
        .and_then(status_for_state)
        .unwrap_or(Status::Open);
    let requested = need.created_at.with_timezone(&cst());
    // The same instant as the order's deadline (one rule, in the intake).
    let expected =
        crate::api::needs::application_deadline(state, def, need.created_at).with_timezone(&cst());
    let area = &need.need.location.area_code;
    let place = state.store.area_name(area).await.ok().flatten();
    let point = state.store.area_centroid(area).await.ok().flatten();
    let street = need.street_code.clone().unwrap_or_default();
    Some(ServiceRequest {
        service_request_id: order_id,
        status,
        status_notes: order_state.map(|s| state_note(s, lang).to_string()),
        service_name: match lang {
            Lang::En if !def.name_en.is_empty() => def.name_en.clone(),
            _ => def.name_zh.clone(),
        },
        service_code: def.code.clone(),
        // The description of someone's legal trouble is personal data:
        // never on this public interface.
        description: None,
        agency_responsible: agency(state, def, &street, lang).await,
        service_notice: open311::service_notice(def, lang),
        requested_datetime: requested,
        updated_datetime: Some(updated.with_timezone(&cst())),
        expected_datetime: Some(expected),
        address: place,
        address_id: Some(area.clone()),
        zipcode: None,
        lat: point.map(|p| p.lat),
        long: point.map(|p| p.lng),
        media_url: None,
    })
}

/// The order states behind Open311's statuses.
fn states_for(statuses: &[Status]) -> Vec<&'static str> {
    if statuses.is_empty() {
        return Vec::new();
    }
    OrderState::ALL
        .iter()
        .map(|s| s.as_str())
        .filter(|s| status_for_state(s).is_some_and(|st| statuses.contains(&st)))
        .collect()
}

async fn list_requests(
    state: &AppState,
    format: Format,
    query: &str,
    headers: &HeaderMap,
) -> Result<Response, Errors> {
    let lang = lang(Some(query), headers);
    let now = state.clock.now();
    let q = open311::parse_requests_query(query, now).map_err(|e| Errors(format, e))?;
    let catalog = catalog(state, format).await?;
    let states = states_for(&q.statuses);
    let rows = state
        .store
        .application_needs(
            &q.service_request_ids,
            &q.service_codes,
            q.start_date.with_timezone(&Utc),
            q.end_date.with_timezone(&Utc),
            &states,
            open311::DEFAULT_QUERY_LIMIT as i64,
        )
        .await
        .map_err(|e| Errors::internal(format, e))?;
    let mut list = Vec::with_capacity(rows.len());
    for (need, updated) in &rows {
        if let Some(r) = service_request(state, &catalog, need, *updated, lang).await {
            list.push(r);
        }
    }
    Ok(render(StatusCode::OK, format, Payload::Requests(&list)))
}

/// `GET /open311/v2/requests/{service_request_id}.{json|xml}`.
pub async fn request_one(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let run = async {
        let (id, format) = split(&file)?;
        let lang = lang(query.as_deref(), &headers);
        let catalog = catalog(&state, format).await?;
        let far = DateTime::<Utc>::MAX_UTC;
        let rows = state
            .store
            .application_needs(
                &[id.to_string()],
                &[],
                DateTime::<Utc>::MIN_UTC,
                far,
                &[],
                1,
            )
            .await
            .map_err(|e| Errors::internal(format, e))?;
        let mut list = Vec::new();
        for (need, updated) in &rows {
            if let Some(r) = service_request(&state, &catalog, need, *updated, lang).await {
                list.push(r);
            }
        }
        if list.is_empty() {
            return Err(Errors::one(
                format,
                Open311Error::not_found(format!("service_request_id {id:?} was not found")),
            ));
        }
        Ok(render(StatusCode::OK, format, Payload::Requests(&list)))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /open311/v2/tokens/{token}.{json|xml}`.
pub async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let run = async {
        let (token, format) = split(&file)?;
        let need = state
            .store
            .need_by_client_key(token)
            .await
            .map_err(|e| Errors::internal(format, e))?
            .filter(|n| n.need.application.is_some() && n.order_id.is_some());
        let Some(need) = need else {
            return Err(Errors::one(
                format,
                Open311Error::not_found(format!("token {token:?} was not found")),
            ));
        };
        let tokens = [TokenResponse {
            service_request_id: need.order_id,
            token: token.to_string(),
        }];
        Ok(render(StatusCode::OK, format, Payload::Tokens(&tokens)))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// The Open311 parameter a need field error is about.
fn parameter_of(field: &str) -> String {
    if let Some(code) = field.strip_prefix("application.answers.") {
        return format!("attribute[{code}]");
    }
    match field {
        "requester.name" => "first_name/last_name".into(),
        "requester.phone" => "phone".into(),
        "description" => "description".into(),
        "location.address" => "address_string".into(),
        "location.point" => "lat/long".into(),
        "requester.enterprise" | "requester.enterprise.name" => "attribute[enterprise_name]".into(),
        "requester.enterprise.credit_code" => "attribute[uscc]".into(),
        other => other.into(),
    }
}

fn text_answer(
    answers: &std::collections::BTreeMap<String, AnswerValue>,
    code: &str,
) -> Option<String> {
    match answers.get(code) {
        Some(AnswerValue::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

/// The area a request is filed in: `address_id` when it is a street or
/// village/community code we know, else the village/community (or
/// street) whose representative point is nearest to `lat`/`long`.
async fn area_for(
    state: &AppState,
    address_id: Option<&str>,
    point: Option<GeoPoint>,
) -> Result<Option<(String, String, String)>, crate::store::StoreError> {
    if let Some(id) = address_id.map(str::trim)
        && let Some(street) = state.store.street_of_area(id).await?
    {
        let name = state.store.area_name(id).await?.unwrap_or_default();
        return Ok(Some((id.to_string(), street, name)));
    }
    let Some(p) = point else { return Ok(None) };
    let areas = state.store.areas().await?;
    let nearest = areas
        .iter()
        .filter(|a| a.level != lawcircle_core::area::AreaLevel::District)
        .min_by(|a, b| {
            let (da, db) = (a.centroid.distance_m(p), b.centroid.distance_m(p));
            // Villages before streets at equal distance: the finer place.
            da.total_cmp(&db)
                .then_with(|| b.code.len().cmp(&a.code.len()))
        });
    let Some(area) = nearest else { return Ok(None) };
    Ok(state
        .store
        .street_of_area(&area.code)
        .await?
        .map(|street| (area.code.clone(), street, area.name.clone())))
}

/// The longest notice version accepted.
const MAX_NOTICE_VERSION_CHARS: usize = 64;

/// The requester's consent as the client app sends it (our extension of
/// GeoReport v2): `consent=true`, `consent_notice_version` (the privacy
/// notice they agreed to) and optionally `consent_at` (RFC 3339; the time
/// of the POST when absent). Nothing is filed without it.
fn consent_of(
    req: &open311::NewServiceRequest,
    now: DateTime<Utc>,
) -> Result<Consent, Open311Error> {
    match req.consent.as_deref() {
        Some(v) if v.eq_ignore_ascii_case("true") => {}
        Some(v) => {
            return Err(Open311Error::bad_request(format!(
                "consent must be true, got {v:?}: nothing is filed without the requester's consent to the processing of their personal information"
            )));
        }
        None => {
            return Err(Open311Error::bad_request(
                "consent was not provided: send consent=true and consent_notice_version (the privacy notice the requester agreed to) once they agreed; nothing is filed without it (PIPL)",
            ));
        }
    }
    let notice_version = match req.consent_notice_version.as_deref() {
        Some(v) if v.chars().count() <= MAX_NOTICE_VERSION_CHARS => v.to_string(),
        Some(_) => {
            return Err(Open311Error::bad_request(format!(
                "consent_notice_version has at most {MAX_NOTICE_VERSION_CHARS} characters"
            )));
        }
        None => {
            return Err(Open311Error::bad_request(
                "consent_notice_version was not provided: name the version of the privacy notice the requester agreed to",
            ));
        }
    };
    let at = match req.consent_at.as_deref() {
        None => now,
        Some(raw) => DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                Open311Error::bad_request(format!(
                    "consent_at must be an RFC 3339 time such as 2025-03-03T10:00:00+08:00, got {raw:?}"
                ))
            })?,
    };
    Ok(Consent {
        given: true,
        at,
        notice_version,
    })
}

async fn post_request(
    state: &AppState,
    format: Format,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Errors> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| {
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    // The key first: without a valid one nothing else is looked at.
    let key = form_urlencoded::parse(body)
        .chain(form_urlencoded::parse(query.unwrap_or("").as_bytes()))
        .find(|(k, v)| k == "api_key" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string());
    let Some(key) = key else {
        return Err(Errors::one(
            format,
            Open311Error::forbidden("api_key was not provided"),
        ));
    };
    let account = state
        .store
        .api_key_account(&token_hash(&key))
        .await
        .map_err(|e| Errors::internal(format, e))?
        .ok_or_else(|| Errors::one(format, Open311Error::forbidden("api_key is not valid")))?;
    if !is_form {
        return Err(Errors::one(
            format,
            Open311Error::bad_request(
                "the body must be application/x-www-form-urlencoded, as the specification says",
            ),
        ));
    }
    let req = open311::parse_post(body).map_err(|e| Errors(format, e))?;
    let now = state.clock.now();
    let catalog = catalog(state, format).await?;
    let app = open311::intake(&catalog, &req, now).map_err(|e| Errors(format, e))?;
    let lang = lang(query, headers);
    let def = catalog
        .get(&app.service_code, app.version)
        .ok_or_else(|| Errors::internal(format, "the validated version vanished"))?;

    let mut errors = Vec::new();
    let name = match (req.last_name.as_deref(), req.first_name.as_deref()) {
        (Some(l), Some(f)) if (l.chars().chain(f.chars())).any(|c| !c.is_ascii()) => {
            format!("{l}{f}")
        }
        (Some(l), Some(f)) => format!("{f} {l}"),
        (Some(one), None) | (None, Some(one)) => one.to_string(),
        (None, None) => {
            errors.push(Open311Error::bad_request(
                "first_name or last_name is required: the office must know who applies",
            ));
            String::new()
        }
    };
    let Some(phone) = req.phone.clone() else {
        errors.push(Open311Error::bad_request(
            "phone is required: a mainland mobile number the office can call back",
        ));
        return Err(Errors(format, errors));
    };
    let consent = consent_of(&req, now).map_err(|e| {
        errors.push(e);
        Errors(format, errors.clone())
    })?;
    let point = match (req.lat, req.long) {
        (Some(lat), Some(lng)) => GeoPoint::new(lat, lng, Datum::Wgs84).ok(),
        _ => None,
    };
    let place = area_for(state, req.address_id.as_deref(), point)
        .await
        .map_err(|e| Errors::internal(format, e))?;
    let Some((area_code, street_code, area_name)) = place else {
        errors.push(Open311Error::bad_request(
            "the location is outside the district: send lat and long, or an address_id that is a street (9 digits) or village/community (12 digits) code",
        ));
        return Err(Errors(format, errors));
    };
    if !errors.is_empty() {
        return Err(Errors(format, errors));
    }
    let mut category = need_category_for(&app.service_code);
    let enterprise = match (
        text_answer(&app.answers, "enterprise_name"),
        text_answer(&app.answers, "uscc"),
    ) {
        (Some(name), Some(credit_code)) if category == NeedCategory::EnterpriseCheckup => {
            Some(Enterprise { name, credit_code })
        }
        _ => None,
    };
    if category == NeedCategory::EnterpriseCheckup && enterprise.is_none() {
        category = NeedCategory::Other;
    }
    let service_name = match lang {
        Lang::En if !def.name_en.is_empty() => def.name_en.clone(),
        _ => def.name_zh.clone(),
    };
    let draft = NeedDraft {
        requester: Requester {
            name,
            phone,
            id_number: None,
            enterprise,
        },
        category,
        specialty: None,
        description: req
            .description
            .clone()
            .unwrap_or_else(|| format!("{service_name} (Open311)")),
        urgency: Urgency::Normal,
        location: NeedLocation {
            point,
            address: req
                .address_string
                .clone()
                .unwrap_or_else(|| area_name.clone()),
            area_code,
        },
        channel: Channel::Online,
        entered: EnteredBy {
            at: now,
            point: None,
            post_id: None,
        },
        // As the client app sent it: the notice and when it was agreed.
        consent,
        attachments: vec![],
        application: Some(ApplicationDraft {
            service_code: app.service_code.clone(),
            service_version: app.version,
            answers: app.answers.clone(),
            documents: vec![],
        }),
    };
    let need = draft.validate_with_catalog(&catalog, now).map_err(|e| {
        Errors(
            format,
            e.0.iter()
                .map(|f| {
                    Open311Error::bad_request(format!("{}: {}", parameter_of(&f.field), f.reason))
                })
                .collect(),
        )
    })?;
    let client_key = random_key("open311-").map_err(|e| Errors::internal(format, e))?;
    let hash = token_hash(&client_key);
    // The requester is the person named, not the client app's account:
    // linked to a resident account only by its verified mobile.
    let requester_account = state
        .store
        .resident_with_verified_phone(&need.requester.phone)
        .await
        .map_err(|e| Errors::internal(format, e))?;
    let outcome = file_need(
        state,
        account,
        "resident",
        requester_account,
        None,
        &client_key,
        &hash,
        need,
        street_code,
        now,
    )
    .await
    .map_err(|e| Errors::internal(format, e))?;
    let IdempotentOutcome::Done { response, .. } = outcome else {
        return Err(Errors::internal(format, "a fresh key was already used"));
    };
    let receipt: crate::api::needs::NeedReceipt =
        serde_json::from_str(&response).map_err(|e| Errors::internal(format, e))?;
    let posted = [PostResponse {
        service_request_id: Some(receipt.order_id),
        token: None,
        service_notice: open311::service_notice(def, lang),
        account_id: None,
    }];
    Ok(render(
        StatusCode::CREATED,
        format,
        Payload::Posted(&posted),
    ))
}

/// The OpenAPI description of the Open311 resources. The router serves
/// them through `{file}` segments split by the handlers above; these
/// stubs only carry the documentation (`format` is the extension).
#[allow(dead_code)]
pub mod doc {
    #[utoipa::path(get, path = "/open311/v2/services.{format}", tag = "open311",
        params(("format" = String, Path, description = "json or xml"),
            ("locale" = Option<String>, Query, description = "en for English; Chinese otherwise (or Accept-Language)")),
        responses((status = 200, description = "The service list (GeoReport v2)"),
            (status = 404, description = "Unknown extension: [{code, description}]")))]
    pub async fn services() {}

    #[utoipa::path(get, path = "/open311/v2/services/{service_code}.{format}", tag = "open311",
        params(("service_code" = String, Path), ("format" = String, Path, description = "json or xml"),
            ("locale" = Option<String>, Query)),
        responses((status = 200, description = "The service definition with its attributes"),
            (status = 404, description = "Unknown or retired service_code, or unknown extension")))]
    pub async fn service_definition() {}

    #[utoipa::path(get, path = "/open311/v2/requests.{format}", tag = "open311",
        params(("format" = String, Path, description = "json or xml"),
            ("service_request_id" = Option<String>, Query, description = "Comma-separated ids; overrides the other filters"),
            ("service_code" = Option<String>, Query, description = "Comma-separated codes"),
            ("start_date" = Option<String>, Query, description = "W3C date-time; default 90 days before end_date"),
            ("end_date" = Option<String>, Query, description = "W3C date-time; default now"),
            ("status" = Option<String>, Query, description = "open or closed, comma-separated"),
            ("locale" = Option<String>, Query)),
        responses((status = 200, description = "Requests filed as applications, newest first, at most 1000; no personal data"),
            (status = 400, description = "[{code, description}]"),
            (status = 404, description = "Unknown extension")))]
    pub async fn requests() {}

    #[utoipa::path(post, path = "/open311/v2/requests.{format}", tag = "open311",
        params(("format" = String, Path, description = "json or xml")),
        request_body(content = Object, content_type = "application/x-www-form-urlencoded",
            description = "api_key, service_code, lat+long or address_id (a street/village code) or address_string, first_name, last_name, phone, email, description, attribute[CODE]=value (attribute[CODE][]=v for several); and, required, consent=true with consent_notice_version (the privacy notice the requester agreed to) and optionally consent_at (RFC 3339)"),
        responses((status = 201, description = "[{service_request_id, service_notice, account_id}]"),
            (status = 400, description = "Bad input, each fault named: [{code, description}]"),
            (status = 403, description = "api_key missing, unknown or revoked"),
            (status = 404, description = "Unknown or retired service_code, or unknown extension")))]
    pub async fn post_request() {}

    #[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}.{format}", tag = "open311",
        params(("service_request_id" = String, Path), ("format" = String, Path, description = "json or xml"),
            ("locale" = Option<String>, Query)),
        responses((status = 200, description = "One request (a one-element list, as the spec says)"),
            (status = 404, description = "Unknown id or extension")))]
    pub async fn request() {}

    #[utoipa::path(get, path = "/open311/v2/tokens/{token}.{format}", tag = "open311",
        params(("token" = String, Path), ("format" = String, Path, description = "json or xml")),
        responses((status = 200, description = "[{service_request_id, token}]"),
            (status = 404, description = "Unknown token or extension")))]
    pub async fn token() {}
}
