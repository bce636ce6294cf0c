//! Open311 `POST requests`: an application filed by a client app with an
//! `api_key`, turned into a need and filed like any other.

use super::{Errors, catalog, lang, render};
use crate::auth::{random_key, token_hash};
use crate::state::AppState;
use crate::store::IdempotentOutcome;
use crate::usecases::filing::file_need;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use lawcircle_core::applications::application::need_category_for;
use lawcircle_core::applications::open311::{
    self, Format, Language, Open311Error, Payload, PostResponse,
};
use lawcircle_core::applications::{AnswerValue, ApplicationDraft};
use lawcircle_core::geo::coord::{Datum, GeoPoint};
use lawcircle_core::needs::{
    Channel, Consent, EnteredBy, Enterprise, NeedCategory, NeedDraft, NeedLocation, Requester,
    Urgency,
};

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
    // Kept in memory until the next catalogue import: no area is read.
    let areas = state.spatial.area_lookup(&state.store).await?;
    let Some(area) = areas.nearest(p) else {
        return Ok(None);
    };
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

pub(super) async fn post_request(
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
        Language::En if !def.name_en.is_empty() => def.name_en.clone(),
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
    let need = draft.validate_with_registry(&catalog, now).map_err(|e| {
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
    let receipt: crate::usecases::filing::NeedReceipt =
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
