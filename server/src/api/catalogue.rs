//! The catalogue: facilities, areas and duty posts. Reading is public
//! (residents look for help without an account); editing is for station
//! staff within their street and district admins; importing files for
//! district admins.

use crate::api::{authorize, require};
use crate::auth::{Caller, SignedIn};
use crate::error::{ApiError, refusal};
use crate::importer::{ImportFailure, ImportOutcome, import_bytes};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::FacilityFilter;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lawcircle_api::catalogue::{DutyPostCollection, FacilityCollection};
use lawcircle_core::authz::{Action, On, Scope};
use lawcircle_core::catalogue::ApplySummary;
use lawcircle_core::catalogue::export;
use lawcircle_core::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use lawcircle_core::catalogue::import::{
    Format, ImportBatch, ImportError, NoPhotos, RecordKind, facility_from_fields,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn geojson(body: impl serde::Serialize) -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        axum::Json(body),
    )
        .into_response()
}

/// Query of `GET /api/v1/facilities`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FacilityQuery {
    /// A facility kind code, e.g. `law_firm`.
    pub kind: Option<String>,
    /// A service product code, e.g. `mediation`.
    pub product: Option<String>,
    /// Only facilities changed after this catalogue version, retired ones
    /// included so a phone can drop them: the delta cursor.
    pub since_version: Option<u64>,
    /// Include retired facilities in a full listing.
    pub include_retired: Option<bool>,
    /// At most this many features (1–5000, the most when absent); the
    /// answer carries `next_since_version` when more remain.
    pub limit: Option<usize>,
}

/// The largest page of a catalogue list (facilities, areas, duty posts),
/// and the size of the page a request without `limit` gets: a phone pulls
/// a district's catalogue in a few requests, and no answer grows with a
/// city's.
pub const CATALOGUE_MAX_LIMIT: usize = 5000;

/// A catalogue page's `limit`: 1–5000, the most when absent.
fn catalogue_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(CATALOGUE_MAX_LIMIT),
        Some(n) if (1..=CATALOGUE_MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::bad_field(
            "limit",
            format!("between 1 and {CATALOGUE_MAX_LIMIT}"),
        )),
    }
}

/// Query of the catalogue lists keyed by text (areas, duty posts).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CataloguePageQuery {
    /// The previous page's `next_cursor`: the page after it.
    pub cursor: Option<String>,
    /// At most this many features (1–5000, the most when absent); the
    /// answer carries `next_cursor` when more remain.
    pub limit: Option<usize>,
}

impl CataloguePageQuery {
    /// Where to start and how many to answer; a bad value names its field.
    fn want(&self) -> Result<(Option<String>, usize), ApiError> {
        let limit = catalogue_limit(self.limit)?;
        let after = self
            .cursor
            .as_deref()
            .map(crate::api::pagination::decode_cursor)
            .transpose()?;
        Ok((after, limit))
    }
}

/// An optional code of the query (a facility kind, a service product),
/// refused under `field` when unknown.
fn parse_code<T: std::str::FromStr<Err = String>>(
    code: Option<&str>,
    field: &str,
) -> Result<Option<T>, ApiError> {
    code.map(str::parse)
        .transpose()
        .map_err(|e| ApiError::bad_field(field, e))
}

/// The catalogue as GeoJSON (RFC 7946, WGS-84) with the catalogue
/// `version` as a foreign member.
#[utoipa::path(get, path = "/api/v1/facilities", tag = "catalogue", params(FacilityQuery),
    responses((status = 200, description = "A GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        refusal::Invalid))]
pub async fn list_facilities(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityQuery>,
) -> Result<Response, ApiError> {
    let kind: Option<FacilityKind> = parse_code(q.kind.as_deref(), "kind")?;
    let product: Option<ServiceProduct> = parse_code(q.product.as_deref(), "product")?;
    if let Some(v) = q.since_version
        && v > i64::MAX as u64
    {
        return Err(ApiError::bad_field("since_version", "too large"));
    }
    let limit = catalogue_limit(q.limit)?;
    let version = state.store.catalogue_version().await?;
    let (page, more) = state
        .store
        .facilities_page(
            &FacilityFilter {
                since_version: q.since_version,
                include_retired: q.include_retired.unwrap_or(false),
            },
            kind.map(|k| k.code()),
            |f| product.is_none_or(|p| f.products.contains(&p)),
            limit,
        )
        .await?;
    let body = FacilityCollection {
        kind: "FeatureCollection".to_string(),
        features: page.iter().map(export::facility_feature).collect(),
        version,
        next_since_version: if more {
            page.last().map(|f| f.version)
        } else {
            None
        },
    };
    Ok(geojson(body))
}

#[utoipa::path(get, path = "/api/v1/areas", tag = "catalogue", params(CataloguePageQuery),
    responses((status = 200, description = "A GeoJSON FeatureCollection of areas by code, with `next_cursor` when more remain", content_type = "application/geo+json", body = Object),
        refusal::Invalid))]
pub async fn list_areas(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CataloguePageQuery>,
) -> Result<Response, ApiError> {
    let (after, limit) = q.want()?;
    let (areas, more) = state.store.areas_page(after.as_deref(), limit).await?;
    let mut body = export::areas_geojson(&areas);
    if more && let (Some(last), Some(map)) = (areas.last(), body.as_object_mut()) {
        map.insert(
            "next_cursor".into(),
            json!(crate::api::pagination::encode_cursor(&last.code)),
        );
    }
    Ok(geojson(body))
}

/// The duty posts that are not retired, in the wire contract's
/// [`DutyPostCollection`] (the same GeoJSON as the catalogue export), by
/// id.
#[utoipa::path(get, path = "/api/v1/duty-posts", tag = "catalogue", params(CataloguePageQuery),
    responses((status = 200, description = "A GeoJSON FeatureCollection, with `next_cursor` when more remain", content_type = "application/geo+json", body = DutyPostCollection),
        refusal::Invalid))]
pub async fn list_duty_posts(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CataloguePageQuery>,
) -> Result<Response, ApiError> {
    let (after, limit) = q.want()?;
    let (posts, more) = state.store.duty_posts_page(after.as_deref(), limit).await?;
    let mut body = DutyPostCollection::new(&posts);
    if more {
        body.next_cursor = posts
            .last()
            .map(|p| crate::api::pagination::encode_cursor(&p.id));
    }
    Ok(geojson(body))
}

/// A facility as staff enter it. The same checks as the importer apply,
/// and errors name the same fields.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityInput {
    pub id: String,
    /// A facility kind code, e.g. `law_firm`.
    pub kind: String,
    pub name: String,
    pub address: Option<String>,
    pub lat: f64,
    pub lng: f64,
    /// `wgs84` (default), `gcj02` or `bd09`.
    pub datum: Option<String>,
    pub phone: Option<String>,
    /// Product codes; the kind's defaults when absent.
    pub products: Option<Vec<String>>,
    /// E.g. `Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00` or `24/7`.
    pub opening_hours: String,
    /// E.g. `2025-10-01 off; 2025-09-28 08:30-17:30`.
    pub exceptions: Option<String>,
    /// The village/community or street the facility belongs to.
    pub area_code: String,
}

impl FacilityInput {
    fn into_fields(self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        f.insert("id".into(), self.id);
        f.insert("kind".into(), self.kind);
        f.insert("name".into(), self.name);
        f.insert("address".into(), self.address.unwrap_or_default());
        f.insert("lat".into(), self.lat.to_string());
        f.insert("lng".into(), self.lng.to_string());
        f.insert("datum".into(), self.datum.unwrap_or_default());
        f.insert("phone".into(), self.phone.unwrap_or_default());
        f.insert(
            "products".into(),
            self.products.unwrap_or_default().join("|"),
        );
        f.insert("opening_hours".into(), self.opening_hours);
        f.insert("exceptions".into(), self.exceptions.unwrap_or_default());
        f.insert("area_code".into(), self.area_code);
        f
    }
}

/// What a write did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FacilityWrite {
    pub id: String,
    pub version: u64,
    #[schema(value_type = Object)]
    pub summary: ApplySummary,
}

/// Checks that a caller with `scope` may edit facilities in `area_code`.
async fn check_street(
    state: &AppState,
    caller: &Caller,
    scope: Scope,
    area_code: &str,
) -> Result<(), ApiError> {
    if scope == Scope::District {
        return Ok(());
    }
    let street = state.store.street_of_area(area_code).await?;
    authorize(
        caller,
        Action::EditFacility,
        &On::WriteIn(street.as_deref()),
        String::new,
    )?;
    Ok(())
}

async fn write_facility(state: &AppState, facility: Facility) -> Result<FacilityWrite, ApiError> {
    let id = facility.id.clone();
    let batch = ImportBatch {
        facilities: vec![facility],
        ..ImportBatch::default()
    };
    let summary = state
        .store
        .import("api", RecordKind::Facilities, batch, state.clock.now())
        .await?;
    let version = state.store.facility(&id).await?.map_or(0, |f| f.version);
    Ok(FacilityWrite {
        id,
        version,
        summary,
    })
}

fn build(input: FacilityInput, state: &AppState) -> Result<Facility, ApiError> {
    facility_from_fields(input.into_fields(), state.clock.now()).map_err(|p| ApiError::BadRequest {
        field: p.field,
        message: p.reason,
    })
}

#[utoipa::path(post, path = "/api/v1/facilities", tag = "catalogue", security(("bearer" = [])),
    request_body = FacilityInput,
    responses((status = 201, body = FacilityWrite),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::Conflict))]
pub async fn create_facility(
    SignedIn { state, caller }: SignedIn,
    ApiJson(input): ApiJson<FacilityInput>,
) -> Result<(StatusCode, ApiJson<FacilityWrite>), ApiError> {
    let scope = require(&caller, Action::EditFacility)?;
    let facility = build(input, &state)?;
    check_street(&state, &caller, scope, &facility.area_code).await?;
    if state.store.facility(&facility.id).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "facility {} already exists: use PUT to edit it",
            facility.id
        )));
    }
    Ok((
        StatusCode::CREATED,
        ApiJson(write_facility(&state, facility).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/facilities/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FacilityInput,
    responses((status = 200, body = FacilityWrite),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn update_facility(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FacilityInput>,
) -> Result<ApiJson<FacilityWrite>, ApiError> {
    let scope = require(&caller, Action::EditFacility)?;
    if input.id != id {
        return Err(ApiError::bad_field("id", "must match the id in the path"));
    }
    let stored = state
        .store
        .facility(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("facility {id}")))?;
    check_street(&state, &caller, scope, &stored.area_code).await?;
    let mut facility = build(input, &state)?;
    check_street(&state, &caller, scope, &facility.area_code).await?;
    facility.photos = stored.photos;
    facility.retired = stored.retired;
    Ok(ApiJson(write_facility(&state, facility).await?))
}

#[utoipa::path(post, path = "/api/v1/facilities/{id}/retire", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FacilityWrite),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn retire_facility(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> Result<ApiJson<FacilityWrite>, ApiError> {
    let scope = require(&caller, Action::EditFacility)?;
    let mut facility = state
        .store
        .facility(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("facility {id}")))?;
    check_street(&state, &caller, scope, &facility.area_code).await?;
    facility.retired = true;
    facility.updated_at = state.clock.now();
    Ok(ApiJson(write_facility(&state, facility).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `csv` or `geojson`.
    pub format: String,
    /// Import the good rows and list the bad ones as skipped.
    pub skip_bad_rows: Option<bool>,
    /// The file's name, used in the report.
    pub file_name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "catalogue", security(("bearer" = [])),
    params(("kind" = String, Path, description = "areas, facilities or duty_posts"), ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The file, CSV or GeoJSON"),
    responses((status = 200, body = Object, description = "What the import did"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::TooLarge,
        (status = 422, description = "Bad rows: nothing was imported", body = crate::error::ErrorBody)))]
pub async fn import_file(
    SignedIn { state, caller }: SignedIn,
    Path(kind): Path<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Bytes,
) -> Result<ApiJson<ImportOutcome>, ApiError> {
    require(&caller, Action::ImportCatalogue)?;
    let kind: RecordKind = kind
        .parse()
        .map_err(|e: String| ApiError::bad_field("kind", e))?;
    let format = match q.format.as_str() {
        "csv" => Format::Csv,
        "geojson" | "json" => Format::GeoJson,
        other => {
            return Err(ApiError::bad_field(
                "format",
                format!("{other:?}: expected csv or geojson"),
            ));
        }
    };
    let file = q.file_name.unwrap_or_else(|| "upload".to_string());
    let outcome = import_bytes(
        &state.store,
        &file,
        &body,
        format,
        kind,
        q.skip_bad_rows.unwrap_or(false),
        &mut NoPhotos,
    )
    .await
    .map_err(|e| match e {
        ImportFailure::File(ImportError::BadRows(problems)) => ApiError::ImportRefused {
            message: format!("{} bad row(s); nothing was imported", problems.len()),
            details: json!({ "problems": problems }),
        },
        ImportFailure::File(ImportError::TooLarge { .. }) => ApiError::PayloadTooLarge,
        ImportFailure::File(other) => ApiError::BadRequest {
            field: None,
            message: other.to_string(),
        },
        ImportFailure::Store(e) => e.into(),
    })?;
    Ok(ApiJson(outcome))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_facilities, create_facility))
        .routes(routes!(update_facility))
        .routes(routes!(retire_facility))
        .routes(routes!(list_areas))
        .routes(routes!(list_duty_posts))
}

/// The catalogue's file import, apart: the router gives it the upload
/// body limit instead of the JSON one.
pub fn import_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_file))
}
