//! Open311 reads of filed requests (`GET requests`, `GET requests/{id}`,
//! `GET tokens/{id}`): status and dates, never personal data.

use super::{Errors, catalog, lang, render, split};
use crate::state::AppState;
use crate::store::StoredNeed;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lawcircle_core::applications::open311::{
    self, Format, Language, Open311Error, Payload, ServiceRequest, Status, TokenResponse,
    status_for_state,
};
use lawcircle_core::applications::{Responsible, ServiceDefinition, ServiceRegistry};
use lawcircle_core::calendar::china_time;
use lawcircle_core::orders::order::OrderState;

/// Human-readable state of an order (`status_notes`): no personal data.
fn state_note(state: OrderState, lang: Language) -> &'static str {
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
        Language::Zh => zh,
        Language::En => en,
    }
}

async fn agency(
    state: &AppState,
    def: &ServiceDefinition,
    street_code: &str,
    lang: Language,
) -> Option<String> {
    let office = |name: String| match lang {
        Language::Zh => format!("{name}司法所"),
        Language::En => format!("{name} judicial office"),
    };
    match &def.responsible {
        Responsible::Body { name_zh, name_en } => Some(match lang {
            Language::Zh if !name_zh.is_empty() => name_zh.clone(),
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
    catalog: &ServiceRegistry,
    need: &StoredNeed,
    updated: DateTime<Utc>,
    lang: Language,
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
    let requested = need.created_at.with_timezone(&china_time());
    // The same instant as the order's deadline (one rule, in the intake).
    let expected = crate::usecases::filing::application_deadline(state, def, need.created_at)
        .with_timezone(&china_time());
    let area = &need.need.location.area_code;
    let place = state.store.area_name(area).await.ok().flatten();
    let point = state.store.area_centroid(area).await.ok().flatten();
    let street = need.street_code.clone().unwrap_or_default();
    Some(ServiceRequest {
        service_request_id: order_id,
        status,
        status_notes: order_state.map(|s| state_note(s, lang).to_string()),
        service_name: match lang {
            Language::En if !def.name_en.is_empty() => def.name_en.clone(),
            _ => def.name_zh.clone(),
        },
        service_code: def.code.clone(),
        // The description of someone's legal trouble is personal data:
        // never on this public interface.
        description: None,
        agency_responsible: agency(state, def, &street, lang).await,
        service_notice: open311::service_notice(def, lang),
        requested_datetime: requested,
        updated_datetime: Some(updated.with_timezone(&china_time())),
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

pub(super) async fn list_requests(
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
