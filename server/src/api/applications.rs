//! Application types (办事事项) as data: the public list of the
//! types that take applications, any published version by number, and
//! publishing a new version (a district admin; no release needed). Every
//! element is the core's `ServiceDefinition` JSON, the form the phones
//! draw and validate against. Also the API keys of Open311 client apps.

use crate::api::require;
use crate::auth::{SignedIn, caller_from_headers};
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use lawcircle_core::applications::{DefinitionError, ServiceDefinition};
use lawcircle_core::authz::Action;
use lawcircle_core::validation::FieldError;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ServicesQuery {
    /// Every version of every type, retired ones included (station staff
    /// and district admins only).
    #[serde(default)]
    pub all_versions: bool,
}

#[utoipa::path(get, path = "/api/v1/services", tag = "services",
    params(ServicesQuery),
    responses((status = 200, body = Vec<Object>, description = "The newest version of each type that takes applications (ServiceDefinition of lawcircle-core); with all_versions, every version"),
        refusal::Invalid,
        (status = 401, body = crate::error::ErrorBody, description = "all_versions without a login"),
        refusal::Forbidden))]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ServicesQuery>,
) -> Result<ApiJson<Vec<ServiceDefinition>>, ApiError> {
    let catalog = state.application_types.catalog(&state.store).await?;
    if q.all_versions {
        let caller = caller_from_headers(&state, &headers).await?;
        require(&caller, Action::ReadServiceHistory)?;
        return Ok(ApiJson(catalog.all_versions().cloned().collect()));
    }
    Ok(ApiJson(catalog.active().into_iter().cloned().collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A published version (old versions stay readable); the newest when
    /// absent.
    pub version: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/services/{code}", tag = "services",
    params(("code" = String, Path), VersionQuery),
    responses((status = 200, body = Object, description = "One version of a type (ServiceDefinition), retired or not"),
        refusal::Invalid, refusal::NotFound))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<ApiJson<ServiceDefinition>, ApiError> {
    let catalog = state.application_types.catalog(&state.store).await?;
    let def = match q.version {
        Some(v) => catalog.get(&code, v),
        None => catalog.latest(&code),
    };
    def.cloned().map(ApiJson).ok_or_else(|| {
        ApiError::NotFound(match q.version {
            Some(v) => format!("application type {code:?} version {v}"),
            None => format!("application type {code:?}"),
        })
    })
}

/// Who published each version of a type and when (station staff and
/// district admins): the change history staff review.
#[utoipa::path(get, path = "/api/v1/services/{code}/versions", tag = "services", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<crate::store::ServiceVersion>, description = "Oldest first"),
        refusal::Unauthenticated, refusal::Forbidden, refusal::NotFound))]
pub async fn versions(
    SignedIn { state, caller }: SignedIn,
    Path(code): Path<String>,
) -> Result<ApiJson<Vec<crate::store::ServiceVersion>>, ApiError> {
    require(&caller, Action::ReadServiceHistory)?;
    let versions = state.store.service_versions(&code).await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound(format!("application type {code:?}")));
    }
    Ok(ApiJson(versions))
}

/// The JSON path a definition error is about.
fn definition_field(e: &DefinitionError) -> String {
    match e {
        DefinitionError::BadCode(_) => "code".into(),
        DefinitionError::ZeroVersion => "version".into(),
        DefinitionError::BadAttributeCode(c)
        | DefinitionError::DuplicateAttribute(c)
        | DefinitionError::NoValues(c)
        | DefinitionError::UnexpectedValues(c)
        | DefinitionError::RequiredInformational(c) => format!("attributes.{c}"),
        DefinitionError::BadOrder { code, .. } => format!("attributes.{code}.order"),
        DefinitionError::BadValueKey { code, .. } => format!("attributes.{code}.values"),
        DefinitionError::RuleNotApplicable { code, rule, .. } => {
            format!("attributes.{code}.validation.{rule}")
        }
        DefinitionError::BadPattern { code, .. } => format!("attributes.{code}.validation.pattern"),
        DefinitionError::MinAboveMax { code } => format!("attributes.{code}.validation"),
    }
}

#[utoipa::path(post, path = "/api/v1/services", tag = "services", security(("bearer" = [])),
    request_body(content = Object, description = "A ServiceDefinition of lawcircle-core; its version is assigned (the newest + 1, 1 for a new code). active: false retires the type"),
    responses((status = 201, body = Object, description = "The stored definition, with its version"),
        (status = 400, body = crate::error::ErrorBody, description = "details.fields lists every problem of the definition"),
        refusal::Unauthenticated, refusal::Forbidden,
        (status = 409, body = crate::error::ErrorBody, description = "Another version was published at the same time: retry")))]
pub async fn publish(
    SignedIn { state, caller }: SignedIn,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, ApiJson<ServiceDefinition>), ApiError> {
    require(&caller, Action::PublishService)?;
    let obj = body.as_object_mut().ok_or_else(|| ApiError::InvalidJson {
        field: None,
        message: "expected a service definition object".into(),
    })?;
    let code = match obj.get("code") {
        Some(serde_json::Value::String(c)) => c.clone(),
        _ => {
            return Err(ApiError::InvalidJson {
                field: Some("code".into()),
                message: "code: a string is required".into(),
            });
        }
    };
    let next = state
        .store
        .latest_service_version(&code)
        .await?
        .saturating_add(1);
    obj.insert("version".into(), serde_json::Value::from(next));
    let def: ServiceDefinition =
        serde_json::from_value(body).map_err(|e| ApiError::InvalidJson {
            field: None,
            message: e.to_string(),
        })?;
    def.check().map_err(|errors| {
        ApiError::Fields(
            errors
                .iter()
                .map(|e| FieldError::new(definition_field(e), e.to_string()))
                .collect(),
        )
    })?;
    state
        .store
        .insert_service_definition(&def, caller.account.id, state.clock.now())
        .await?;
    tracing::info!(code = %def.code, version = def.version, active = def.active, by = caller.account.id, "application type published");
    Ok((StatusCode::CREATED, ApiJson(def)))
}

/// The routes of this resource, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, publish))
        .routes(routes!(get_one))
        .routes(routes!(versions))
}
