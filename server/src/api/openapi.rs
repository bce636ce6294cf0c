//! What the OpenAPI 3.1 document says beyond its paths: the title,
//! description and licence, the tags, the bearer security scheme, and the
//! schemas no path reaches by itself. The paths and the schemas of their
//! bodies come from the handlers' annotations, through each resource's
//! router (see [`crate::api::router`]).

use crate::api::ratings;
use crate::state::AppState;
use axum::Json;
use axum::routing::{MethodRouter, get};
use std::sync::Arc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "LawCircle API",
        description = "The platform API of the 15-minute public legal service circle (15分钟公共法律服务圈). \
Errors always have the shape {\"error\": {\"code\", \"message\", \"field\"}}.",
        license(name = "Apache-2.0")
    ),
    // The schemas of request and response bodies come with their paths.
    // These two are the `ratings` part of GET /api/v1/indicators, whose
    // answer the document gives as an `Object`; named so clients know it.
    // The error body is named by the `crate::error::refusal` responses,
    // which do not bring their schema along.
    components(schemas(
        ratings::report::RatingCoverage,
        ratings::report::RatingReport,
        crate::error::ErrorBody
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "system", description = "Liveness"),
        (name = "session", description = "Log in and out, change one's password"),
        (name = "accounts", description = "Accounts; personal data masked in lists"),
        (name = "audit", description = "Who read which personal data; a person's data exported or erased on request (PIPL)"),
        (name = "catalogue", description = "Facilities, areas, duty posts"),
        (name = "volunteers", description = "The volunteer pool: apply, review, suspend, exit, lend"),
        (name = "nearby", description = "Nearest service points, coverage of the 15-minute circle, isochrones"),
        (name = "orders", description = "Orders: grab, dispatch, transfer, rate (一事一评)"),
        (name = "warnings", description = "Early warnings, spot checks, indicators"),
        (name = "calculators", description = "Compensation calculators (赔偿计算): estimates, not legal advice"),
        (name = "needs", description = "Legal needs, attachments and punches synced from phones; idempotent by Idempotency-Key"),
        (name = "open311", description = "Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): errors as [{code, description}] or <errors>, not the API's error shape"),
        (name = "notifications", description = "Messages to people: the live stream (resumable with Last-Event-ID), push devices (UnifiedPush), settings, dead letters"),
        (name = "services", description = "Application types (办事事项) as versioned data; API keys of Open311 client apps (the GeoReport v2 interface itself is under /open311/v2/)")
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`: the document of the routes served.
pub fn serve(document: utoipa::openapi::OpenApi) -> MethodRouter<AppState> {
    let document = Arc::new(document);
    get(move || {
        let document = Arc::clone(&document);
        async move { Json(document.as_ref().clone()) }
    })
}
