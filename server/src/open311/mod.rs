//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under
//! `/open311/v2/`, so an existing Open311 client can list our application
//! types, file an application and follow it. The shapes, renderings,
//! parsing and intake are the core's ([`lawcircle_core::applications::open311`]); this
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

mod doc;
mod intake;
pub mod keys;
mod requests;

use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use intake::post_request;
use lawcircle_core::applications::ServiceRegistry;
use lawcircle_core::applications::open311::{self, Format, Language, Open311Error, Payload};
use requests::list_requests;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

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
fn lang(query: Option<&str>, headers: &HeaderMap) -> Language {
    if let Some(q) = query
        && let Some((_, v)) = form_urlencoded::parse(q.as_bytes())
            .find(|(k, v)| k == "locale" && !v.trim().is_empty())
    {
        return Language::from_tag(&v);
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(Language::from_tag)
        .unwrap_or_default()
}

async fn catalog(
    state: &AppState,
    format: Format,
) -> Result<std::sync::Arc<ServiceRegistry>, Errors> {
    state
        .application_types
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

async fn services(state: &AppState, format: Format, lang: Language) -> Result<Response, Errors> {
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

/// The GeoReport v2 routes, and the API keys of its client apps. The
/// resources are `{resource}.{json|xml}`: the handlers split the file name
/// (the extension picks the format), so the router's paths are `{file}`
/// segments and the OpenAPI document's are those of the stubs in `open311/doc.rs`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(doc::Open311Doc::openapi())
        .route("/open311/v2/{file}", get(root_get).post(root_post))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(requests::request_one))
        .route("/open311/v2/tokens/{file}", get(requests::token))
        .merge(keys::routes())
}
