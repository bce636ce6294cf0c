//! The OpenAPI description of the Open311 resources. The router serves
//! them through `{file}` segments split by the handlers; these stubs only
//! carry the documentation (`format` is the extension).

// The stubs are never called: only their annotations are read.
#![allow(dead_code)]

/// The Open311 paths, merged into the API's document by the router.
#[derive(utoipa::OpenApi)]
#[openapi(paths(services, service_definition, requests, post_request, request, token))]
pub(super) struct Open311Doc;

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
