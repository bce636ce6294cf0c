//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::api::{
    accounts, audit, calculators, catalogue, nearby, needs, open311, orders, pagination, punches,
    ratings, residents, services, session, system, tracking, volunteers, warnings,
};
use crate::error::{ErrorBody, ErrorDetail};
use axum::Json;
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
    paths(
        system::health,
        session::login,
        session::logout,
        session::me,
        residents::send_code,
        residents::register,
        residents::code_login,
        accounts::list,
        accounts::get_one,
        accounts::contact,
        accounts::create,
        accounts::revoke_tokens,
        audit::list,
        calculators::compensation,
        calculators::parameters,
        catalogue::list_facilities,
        catalogue::list_areas,
        catalogue::list_duty_posts,
        catalogue::create_facility,
        catalogue::update_facility,
        catalogue::retire_facility,
        catalogue::import_file,
        nearby::nearby,
        nearby::coverage_report,
        nearby::isochrone,
        nearby::network_info,
        orders::list,
        orders::get_one,
        orders::offers,
        orders::grab,
        orders::contact,
        orders::event,
        orders::suggestions,
        orders::rate,
        ratings::issue_link,
        ratings::call_back,
        warnings::list,
        warnings::act,
        warnings::draw_spot_checks,
        warnings::record_spot_check,
        warnings::indicators_json,
        warnings::import_hotline,
        system::events,
        punches::list,
        punches::review,
        punches::verify,
        punches::duty_hours,
        volunteers::apply,
        volunteers::list,
        volunteers::get_one,
        volunteers::act,
        volunteers::lend,
        volunteers::teams,
        needs::create,
        needs::list,
        needs::get_one,
        needs::contact,
        needs::put_attachment,
        needs::create_punch,
        tracking::file_without_account,
        tracking::track,
        services::list,
        services::get_one,
        services::versions,
        services::publish,
        services::create_key,
        services::list_keys,
        services::revoke_key,
        open311::doc::services,
        open311::doc::service_definition,
        open311::doc::requests,
        open311::doc::post_request,
        open311::doc::request,
        open311::doc::token,
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        system::Health,
        session::LoginRequest,
        session::LoginResponse,
        residents::CodePurpose,
        residents::CodeRequest,
        residents::CodeSent,
        residents::RegisterRequest,
        residents::CodeLoginRequest,
        tracking::TrackedNeed,
        tracking::TrackedStep,
        ratings::IssuedRatingLink,
        ratings::CallBackRequest,
        ratings::CallBackAnswer,
        ratings::RatingCoverage,
        ratings::RatingReport,
        crate::store::CallBackOutcome,
        crate::store::CallBackRecord,
        accounts::AccountView,
        accounts::ContactView,
        accounts::CreateAccountRequest,
        accounts::RevokedTokens,
        catalogue::FacilityInput,
        catalogue::FacilityWrite,
        pagination::Page<accounts::AccountView>,
        pagination::Page<crate::store::AuditEntry>,
        pagination::Page<needs::NeedSummary>,
        needs::NeedReceipt,
        needs::NeedSummary,
        needs::NeedDetail,
        needs::NeedContact,
        needs::AttachmentReceipt,
        needs::PunchReceipt,
        services::NewApiKey,
        services::IssuedApiKey,
        services::RevokedKey,
        crate::store::ApiKeyRecord,
        crate::store::ServiceVersion,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "system", description = "Liveness"),
        (name = "session", description = "Log in and out"),
        (name = "accounts", description = "Accounts; personal data masked in lists"),
        (name = "audit", description = "Who read which personal data"),
        (name = "catalogue", description = "Facilities, areas, duty posts"),
        (name = "volunteers", description = "The volunteer pool: apply, review, suspend, exit, lend"),
        (name = "nearby", description = "Nearest service points, coverage of the 15-minute circle, isochrones"),
        (name = "orders", description = "Orders: grab, dispatch, transfer, rate (一事一评)"),
        (name = "warnings", description = "Early warnings, spot checks, indicators"),
        (name = "calculators", description = "Compensation calculators (赔偿计算): estimates, not legal advice"),
        (name = "needs", description = "Legal needs, attachments and punches synced from phones; idempotent by Idempotency-Key"),
        (name = "open311", description = "Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): errors as [{code, description}] or <errors>, not the API's error shape"),
        (name = "services", description = "Application types (办事事项) as versioned data; API keys of Open311 client apps (the GeoReport v2 interface itself is under /open311/v2/)")
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
