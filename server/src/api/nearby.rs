//! Nearest service points, coverage of the 15-minute circle, and the
//! isochrone of a facility — the core's computations over the stored
//! catalogue and the loaded walking network. Public: residents look for
//! help without an account, and the coverage map is public information.

use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::usecases::circle::over_catalogue;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use lawcircle_core::catalogue::export;
use lawcircle_core::catalogue::facility::{FacilityKind, ServiceProduct};
use lawcircle_core::circle::coverage::{CoverageReport, CoverageStandard};
use lawcircle_core::circle::isochrone::{IsochroneOptions, facility_isochrone};
use lawcircle_core::geo::coord::{Datum, GeoPoint};
use lawcircle_core::geo::nearest::{NearbyFacility, NearestError, NearestQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn list<T: std::str::FromStr<Err = String>>(
    field: &str,
    raw: &Option<String>,
) -> Result<Vec<T>, ApiError> {
    raw.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<T>().map_err(|e| ApiError::bad_field(field, e)))
        .collect()
}

/// Query of `GET /api/v1/nearby`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NearbyQuery {
    pub lat: f64,
    pub lng: f64,
    /// The datum of lat/lng: `wgs84` (default; what phones report), `gcj02`
    /// or `bd09`.
    pub datum: Option<String>,
    /// How many results (1–100; default 5).
    pub k: Option<usize>,
    /// Only within this many metres (straight line).
    pub radius_m: Option<f64>,
    /// Comma-separated facility kinds (any of them).
    pub kind: Option<String>,
    /// Comma-separated products (all of them).
    pub product: Option<String>,
    /// Only facilities open at this local (China) time, `YYYY-MM-DDTHH:MM`.
    pub open_at: Option<String>,
}

/// One result: the facility as a GeoJSON Feature and its distances.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NearbyResult {
    #[schema(value_type = Object)]
    pub facility: Value,
    pub straight_m: f64,
    /// Walking distance on the network; absent without a network.
    pub walking_m: Option<f64>,
    /// Minutes at 4.8 km/h.
    pub walking_minutes: Option<f64>,
    /// `walking`, or `straight_line_times_detour` with the factor.
    #[schema(value_type = Object)]
    pub distance_basis: lawcircle_core::geo::network::DistanceBasis,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NearbyResponse {
    /// Whether a walking network is loaded on this server.
    pub network_loaded: bool,
    pub results: Vec<NearbyResult>,
}

fn nearest_error(e: NearestError) -> ApiError {
    ApiError::BadRequest {
        field: None,
        message: e.to_string(),
    }
}

#[utoipa::path(get, path = "/api/v1/nearby", tag = "nearby", params(NearbyQuery),
    responses((status = 200, body = NearbyResponse), refusal::Invalid))]
pub async fn nearby(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<NearbyQuery>,
) -> Result<ApiJson<NearbyResponse>, ApiError> {
    let datum: Datum = q.datum.as_deref().unwrap_or("wgs84").parse().map_err(
        |e: lawcircle_core::geo::coord::CoordError| ApiError::bad_field("datum", e.to_string()),
    )?;
    let point = GeoPoint::new(q.lat, q.lng, datum).map_err(|e| {
        let field = if matches!(
            e,
            lawcircle_core::geo::coord::CoordError::LongitudeOutOfRange(_)
        ) {
            "lng"
        } else {
            "lat"
        };
        ApiError::bad_field(field, e.to_string())
    })?;
    let k = q.k.unwrap_or(5);
    if !(1..=100).contains(&k) {
        return Err(ApiError::bad_field("k", "between 1 and 100"));
    }
    let mut query = NearestQuery::k_nearest(point, k)
        .with_kinds(list::<FacilityKind>("kind", &q.kind)?)
        .with_products(list::<ServiceProduct>("product", &q.product)?);
    if let Some(r) = q.radius_m {
        if !(r.is_finite() && r > 0.0 && r <= 50_000.0) {
            return Err(ApiError::bad_field("radius_m", "between 0 and 50000"));
        }
        query = query.max_distance(r);
    }
    if let Some(t) = &q.open_at {
        let at = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| {
                ApiError::bad_field("open_at", "expected YYYY-MM-DDTHH:MM (China time)")
            })?;
        query = query.open_at(at);
    }
    let index = state
        .spatial
        .index(&state.store)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let network = state.spatial.network();
    let found: Vec<NearbyFacility> = index.nearest(&query, network).map_err(nearest_error)?;
    let results = found
        .into_iter()
        .filter_map(|n| {
            index.facility(&n.facility_id).map(|f| NearbyResult {
                facility: export::facility_feature(f),
                straight_m: n.straight_m,
                walking_m: n.walking_m,
                walking_minutes: n.walking_minutes,
                distance_basis: n.distance_basis,
            })
        })
        .collect();
    Ok(ApiJson(NearbyResponse {
        network_loaded: network.is_some(),
        results,
    }))
}

/// Query of `GET /api/v1/coverage`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    /// Comma-separated products a village must reach to count as covered
    /// (default: all eight).
    pub product: Option<String>,
}

/// Coverage of every village/community for each required product, per
/// street and for the district, next to the plan's targets, with the gap
/// list. Measured on the walking network when one is loaded, else on
/// straight lines times the documented detour factor (the report says so).
/// Kept per catalogue version and recomputed in the background when the
/// catalogue changes; `catalogue_version` says which version it is for.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "nearby", params(CoverageQuery),
    responses((status = 200, body = Object, description = "The coverage report"),
        refusal::Invalid))]
pub async fn coverage_report(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> Result<ApiJson<CoverageAnswer>, ApiError> {
    let products = list::<ServiceProduct>("product", &q.product)?;
    let catalogue_version = state.store.catalogue_version().await?;
    let report = crate::api::indicators::coverage_for(
        &state,
        catalogue_version,
        (!products.is_empty()).then_some(products),
    )
    .await?;
    Ok(ApiJson(CoverageAnswer {
        catalogue_version,
        report,
    }))
}

/// A coverage report and the catalogue version it was computed for (kept
/// per version: see [`crate::api::indicators::IndicatorCache`]).
#[derive(Debug, Serialize)]
pub struct CoverageAnswer {
    pub catalogue_version: u64,
    #[serde(flatten)]
    pub report: std::sync::Arc<CoverageReport>,
}

/// The 15-minute walking isochrone of a facility, as a GeoJSON Feature.
#[utoipa::path(get, path = "/api/v1/facilities/{id}/isochrone", tag = "nearby",
    params(("id" = String, Path)),
    responses((status = 200, body = Object, description = "A GeoJSON Feature (Polygon)"),
        refusal::NotFound,
        (status = 409, description = "No walking network is loaded", body = crate::error::ErrorBody)))]
pub async fn isochrone(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let facility = state
        .store
        .facility(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("facility {id}")))?;
    let spatial = state.spatial.clone();
    let feature = tokio::task::spawn_blocking(move || {
        spatial
            .network()
            .map(|net| facility_isochrone(net, &facility, IsochroneOptions::default()))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .ok_or_else(|| {
        ApiError::Conflict(
            "no walking network is loaded on this server (start it with --walking-network)".into(),
        )
    })?
    .map_err(|e| ApiError::BadRequest {
        field: None,
        message: e.to_string(),
    })?;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        axum::Json(feature),
    )
        .into_response())
}

/// What walking network is loaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NetworkInfo {
    pub loaded: bool,
    pub nodes: usize,
    pub edges: usize,
    pub km: f64,
    /// `[west, south, east, north]` in WGS-84, when loaded.
    pub bbox: Option<[f64; 4]>,
}

#[utoipa::path(get, path = "/api/v1/network", tag = "nearby",
    responses((status = 200, body = NetworkInfo)))]
pub async fn network_info(State(state): State<AppState>) -> ApiJson<NetworkInfo> {
    let net = state.spatial.network();
    ApiJson(NetworkInfo {
        loaded: net.is_some(),
        nodes: net.map_or(0, |n| n.node_count()),
        edges: net.map_or(0, |n| n.edge_count()),
        km: net.map_or(0.0, |n| n.total_km()),
        bbox: net.and_then(|n| {
            (0..n.node_count() as u32)
                .filter_map(|i| n.node_lat_lng(i))
                .fold(None, |acc: Option<[f64; 4]>, (lat, lng)| {
                    Some(match acc {
                        None => [lng, lat, lng, lat],
                        Some([w, s, e, no]) => [w.min(lng), s.min(lat), e.max(lng), no.max(lat)],
                    })
                })
        }),
    })
}

/// The header naming the version of the walking network served.
pub const NETWORK_VERSION_HEADER: &str = "x-walking-network-version";

/// The walking network the server loaded, as the `.lcwn` file
/// `lawcircle-server network` writes and the phone library loads, so
/// phones measure distances on foot offline. Unchanged since the phone's
/// copy (`If-None-Match` with its `ETag`): 304 and no body.
#[utoipa::path(get, path = "/api/v1/walking-network", tag = "nearby",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the phone has")),
    responses((status = 200, description = "The network file; `ETag` and `X-Walking-Network-Version` name its version", content_type = "application/octet-stream"),
        (status = 304, description = "The phone's copy is current"),
        (status = 404, body = crate::error::ErrorBody, description = "The server has no walking network loaded")))]
pub async fn walking_network(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    use axum::http::{HeaderValue, StatusCode};
    let file = state.spatial.network_file().ok_or_else(|| {
        ApiError::NotFound("walking network (the server runs without one)".to_string())
    })?;
    let etag = format!("\"{}\"", file.version);
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == etag)
        });
    let mut resp = if current {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            )],
            file.bytes.clone(),
        )
            .into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&file.version) {
        h.insert(NETWORK_VERSION_HEADER, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(nearby))
        .routes(routes!(coverage_report))
        .routes(routes!(network_info))
        .routes(routes!(walking_network))
        .routes(routes!(isochrone))
        .routes(routes!(siting))
}

/// The most new sites one siting request may ask for (keeps the greedy
/// choice short whatever the caller sends).
pub const MAX_SITING_K: u32 = 10;

/// Query of `GET /api/v1/siting`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SitingQuery {
    /// The service product to place, e.g. `legal_aid`.
    pub product: String,
    /// How many new sites, 1 to 10.
    pub k: u32,
    /// `villages` (default: newly covered villages/communities) or
    /// `population` (newly covered residents; needs every village's
    /// population).
    pub objective: Option<String>,
}

/// Up to `k` new sites for a product among the village/community
/// centroids, chosen greedily for the most newly covered villages (or
/// residents), with the product's coverage before and after: what the
/// `siting` command computes, on the walking network when one is loaded.
#[utoipa::path(get, path = "/api/v1/siting", tag = "nearby", security(("bearer" = [])), params(SitingQuery),
    responses((status = 200, body = Object, description = "The suggestion (lawcircle_core::circle::siting::SitingReport)"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden))]
pub async fn siting(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    ApiQuery(q): ApiQuery<SitingQuery>,
) -> Result<ApiJson<lawcircle_core::circle::siting::SitingReport>, ApiError> {
    use lawcircle_core::circle::siting::{self, SitingObjective, SitingRequest};
    crate::api::require(&caller, lawcircle_core::authz::Action::ReadIndicators)?;
    let product: ServiceProduct = q
        .product
        .parse()
        .map_err(|e: String| ApiError::bad_field("product", e))?;
    if !(1..=MAX_SITING_K).contains(&q.k) {
        return Err(ApiError::bad_field(
            "k",
            format!("{} is not between 1 and {MAX_SITING_K}", q.k),
        ));
    }
    let objective = match q.objective.as_deref().map(str::trim) {
        None | Some("villages") => SitingObjective::Villages,
        Some("population") => SitingObjective::Population,
        Some(other) => {
            return Err(ApiError::bad_field(
                "objective",
                format!("{other:?}: expected villages or population"),
            ));
        }
    };
    let report = over_catalogue(&state, move |areas, facilities, network| {
        // The candidates are the village and community centroids.
        let request = SitingRequest {
            product,
            k: q.k as usize,
            objective,
            candidates: siting::candidates_from_villages(areas),
        };
        siting::suggest(
            areas,
            facilities,
            network,
            &CoverageStandard::default(),
            &request,
        )
    })
    .await?;
    Ok(ApiJson(report))
}
