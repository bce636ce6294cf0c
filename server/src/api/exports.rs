//! Exports of a street's records as CSV (the district's for admins):
//! orders and needs, masked by default and in full only with a reason, each
//! export recorded in the audit log. Cells are quoted so spreadsheets never
//! run them as formulas.

use crate::api::headers::private_download;
use crate::api::{require, scoped_street};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::json::ApiQuery;
use crate::state::AppState;
use crate::store::{NeedFilter, OrderFilter, StoredNeed};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Action;
use lawcircle_core::orders::order::{Order, OrderState};
use lawcircle_core::privacy::{mask_id_number, mask_name, mask_phone};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The export routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(needs))
        .routes(routes!(orders))
}

/// Which exports (orders, needs as CSV) the caller asks for: masked unless
/// a reason is given.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Why the export needs personal data in full (names, phone and ID
    /// numbers, addresses, descriptions); without a reason they are masked
    /// or left out. Every export is audited.
    pub reason: Option<String>,
}

/// What an export holds: masked by default, in full with a checked reason.
pub(crate) enum ExportDetail<'a> {
    Masked,
    Full { reason: &'a str },
}

impl<'a> ExportDetail<'a> {
    /// The detail `reason` allows (checked by the audit reason rule).
    pub(crate) fn from_reason(reason: Option<&'a str>) -> Result<Self, ApiError> {
        match reason {
            None => Ok(ExportDetail::Masked),
            Some(r) => Ok(ExportDetail::Full {
                reason: crate::usecases::audit::read_reason(r)?,
            }),
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        matches!(self, ExportDetail::Full { .. })
    }
}

/// The largest page read at a time while exporting.
const EXPORT_PAGE: i64 = 500;

/// Every need of `street` (the whole district for `None`), oldest first.
pub(crate) async fn needs_in(
    state: &AppState,
    street: Option<String>,
) -> Result<Vec<StoredNeed>, ApiError> {
    let filter = NeedFilter {
        account: None,
        street_code: street,
    };
    let mut out: Vec<StoredNeed> = Vec::new();
    loop {
        let after = out.last().map_or(0, |n| n.id);
        let page = state.store.list_needs(&filter, after, EXPORT_PAGE).await?;
        let done = (page.len() as i64) < EXPORT_PAGE;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// A cell a spreadsheet will not run as a formula (`=`, `+`, `-`, `@` and
/// control characters at the start are quoted with `'`).
pub(crate) fn csv_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

/// A CSV download named `name`, with the audit entry of the export.
pub(crate) async fn export_response(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    detail: &ExportDetail<'_>,
    (name, rows, fields): (&str, usize, &str),
    csv: Vec<u8>,
) -> Result<Response, ApiError> {
    let scope = caller.account.street_code.as_deref().unwrap_or("district");
    crate::usecases::audit::record_read(
        state,
        caller,
        headers,
        crate::usecases::audit::PersonalDataRead {
            action: if detail.is_full() {
                "export_full"
            } else {
                "export_masked"
            },
            subject_type: "export",
            subject_id: format!("{name} ({rows} rows, {scope})"),
            fields: if detail.is_full() { fields } else { "masked" },
        },
        match detail {
            ExportDetail::Full { reason } => reason,
            ExportDetail::Masked => "masked export: no personal data in full",
        },
    )
    .await?;
    Ok(private_download(
        Body::from(csv),
        HeaderValue::from_static("text/csv; charset=utf-8"),
        &format!("{name}-{}.csv", state.clock.now().format("%Y%m%d")),
    ))
}

/// Writes `rows` under `header` as CSV (UTF-8 with a BOM, so spreadsheets
/// read the Chinese text).
pub(crate) fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let internal = |e: csv::Error| ApiError::Internal(format!("writing the export: {e}"));
    w.write_record(header).map_err(internal)?;
    for r in rows {
        w.write_record(r.iter().map(|c| csv_cell(c)))
            .map_err(internal)?;
    }
    w.into_inner()
        .map_err(|e| ApiError::Internal(format!("writing the export: {e}")))
}

/// One need as an export row: masked unless `full`.
fn need_row(n: &StoredNeed, full: bool) -> Vec<String> {
    let r = &n.need.requester;
    let mut row = vec![
        n.id.to_string(),
        n.created_at.to_rfc3339(),
        n.need.channel.as_str().to_string(),
        n.need.category.as_str().to_string(),
        n.need.urgency.as_str().to_string(),
        n.status.clone(),
        n.street_code.clone().unwrap_or_default(),
        n.need.location.area_code.clone(),
        n.order_id.clone().unwrap_or_default(),
        n.order_state.clone().unwrap_or_default(),
    ];
    if full {
        row.extend([
            r.name.clone(),
            r.phone.clone(),
            r.id_number.clone().unwrap_or_default(),
            n.need.location.address.clone(),
            n.need.description.clone(),
        ]);
    } else {
        row.extend([
            mask_name(&r.name),
            mask_phone(&r.phone),
            r.id_number
                .as_deref()
                .map(mask_id_number)
                .unwrap_or_default(),
        ]);
    }
    row
}

#[utoipa::path(get, path = "/api/v1/exports/needs", tag = "needs", security(("bearer" = [])),
    params(ExportQuery),
    responses((status = 200, description = "The street's needs (the district's for admins) as CSV: requester masked and no address or description, unless a reason is given; audited", content_type = "text/csv"),
        (status = 400, body = crate::error::ErrorBody, description = "A reason shorter than a few words"),
        refusal::Unauthenticated, refusal::Forbidden))]
pub async fn needs(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = require(&caller, Action::ExportRecords)?;
    let detail = ExportDetail::from_reason(q.reason.as_deref())?;
    let needs = needs_in(&state, scoped_street(&caller, scope)?).await?;
    let mut header = vec![
        "id",
        "received_at",
        "channel",
        "category",
        "urgency",
        "status",
        "street_code",
        "area_code",
        "order_id",
        "order_state",
        "requester_name",
        "requester_phone",
        "requester_id_number",
    ];
    if detail.is_full() {
        header.extend(["address", "description"]);
    }
    let rows: Vec<Vec<String>> = needs
        .iter()
        .map(|n| need_row(n, detail.is_full()))
        .collect();
    let csv = write_csv(&header, &rows)?;
    export_response(
        &state,
        &caller,
        &headers,
        &detail,
        (
            "needs",
            rows.len(),
            "name,phone,id_number,address,description",
        ),
        csv,
    )
    .await
}

/// When an order was last resolved, from its timeline.
fn resolved_at(order: &Order) -> Option<DateTime<Utc>> {
    order
        .history
        .iter()
        .rev()
        .find(|t| t.to == OrderState::Resolved)
        .map(|t| t.at)
}

/// One order as an export row, its requester from its need (masked unless
/// `full`).
fn order_row(o: &Order, need: Option<&crate::store::StoredNeed>, full: bool) -> Vec<String> {
    use lawcircle_core::privacy::{mask_name, mask_phone};
    let requester = need.map(|n| &n.need.requester);
    let (name, phone) = match (requester, full) {
        (Some(r), true) => (r.name.clone(), r.phone.clone()),
        (Some(r), false) => (mask_name(&r.name), mask_phone(&r.phone)),
        (None, _) => (String::new(), String::new()),
    };
    vec![
        o.id.clone(),
        o.need_id.clone(),
        o.kind.as_str().to_string(),
        o.category.clone(),
        o.state.as_str().to_string(),
        o.urgent.to_string(),
        o.level.as_str().to_string(),
        o.area_code.clone(),
        o.street_code.clone(),
        o.assignee.clone().unwrap_or_default(),
        o.created_at.to_rfc3339(),
        o.deadline.map(|d| d.to_rfc3339()).unwrap_or_default(),
        resolved_at(o).map(|d| d.to_rfc3339()).unwrap_or_default(),
        name,
        phone,
    ]
}

#[utoipa::path(get, path = "/api/v1/exports/orders", tag = "orders", security(("bearer" = [])),
    params(ExportQuery),
    responses((status = 200, description = "The street's orders (the district's for admins) as CSV, the requester masked unless a reason is given; audited", content_type = "text/csv"),
        (status = 400, body = crate::error::ErrorBody, description = "A reason shorter than a few words"),
        refusal::Unauthenticated, refusal::Forbidden))]
pub async fn orders(
    SignedIn { state, caller }: SignedIn,
    ApiQuery(q): ApiQuery<ExportQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let scope = require(&caller, Action::ExportRecords)?;
    let detail = ExportDetail::from_reason(q.reason.as_deref())?;
    let street = scoped_street(&caller, scope)?;
    let orders = state
        .store
        .orders(&OrderFilter {
            street: street.clone(),
            ..OrderFilter::default()
        })
        .await?;
    let mut needs: std::collections::HashMap<String, crate::store::StoredNeed> =
        needs_in(&state, street)
            .await?
            .into_iter()
            .map(|n| (n.id.to_string(), n))
            .collect();
    // An order transferred in from another street: its need is filed there.
    for o in &orders {
        if !needs.contains_key(&o.need_id)
            && let Ok(id) = o.need_id.parse::<i64>()
            && let Some(n) = state.store.need(id).await?
        {
            needs.insert(o.need_id.clone(), n);
        }
    }
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| order_row(o, needs.get(&o.need_id), detail.is_full()))
        .collect();
    let csv = write_csv(
        &[
            "id",
            "need_id",
            "kind",
            "category",
            "state",
            "urgent",
            "level",
            "area_code",
            "street_code",
            "assignee",
            "created_at",
            "deadline",
            "resolved_at",
            "requester_name",
            "requester_phone",
        ],
        &rows,
    )?;
    export_response(
        &state,
        &caller,
        &headers,
        &detail,
        ("orders", rows.len(), "name,phone"),
        csv,
    )
    .await
}
