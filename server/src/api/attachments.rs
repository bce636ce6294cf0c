//! Attachments of needs: content-addressed (their key is their sha256),
//! uploaded before the need that lists them, read back audited.

use crate::api::headers::private_download;
use crate::api::needs::{HOLDER_PURPOSE, Holding, detail_reason, holding, reads_own_data};
use crate::api::{require, who};
use crate::auth::SignedIn;
use crate::error::{ApiError, refusal};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{AttachmentMeta, StoredNeed};
use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use lawcircle_core::authz::{Action, On, decide};
use lawcircle_core::needs::check_attachment;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    /// Why the file is read; audited. Required of everyone but the
    /// resident who filed the need it belongs to.
    pub reason: Option<String>,
}

/// The file extension for a stored media type, for the download name.
fn extension_of(media_type: &str) -> &'static str {
    match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "needs", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The lowercase hex sha256 of the file"), AttachmentQuery),
    responses((status = 200, description = "The file, typed by its stored content type, as a download (Content-Disposition: attachment), with nosniff and a content security policy that runs no script; audited", content_type = "application/octet-stream"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden,
        (status = 404, body = crate::error::ErrorBody, description = "No such file, or it belongs to no need the caller may see"),
        (status = 410, body = crate::error::ErrorBody, description = "The file was erased (retention or a request under PIPL)")))]
pub async fn get_attachment(
    SignedIn { state, caller }: SignedIn,
    Path(sha256): Path<String>,
    ApiQuery(q): ApiQuery<AttachmentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require(&caller, Action::ReadNeeds)?;
    let not_found = || ApiError::NotFound(format!("attachment {sha256}"));
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(not_found());
    }
    // Readable through the needs it belongs to that the caller may see;
    // an attachment of nobody's visible need is indistinguishable from a
    // missing one.
    let needs = state.store.needs_with_attachment(&sha256).await?;
    let visible: Vec<&StoredNeed> = needs
        .iter()
        .filter(|n| {
            decide(
                &who(&caller),
                Action::ReadNeeds,
                &On::Need {
                    entered_by: &n.entered_by.to_string(),
                    requester: n.requester_account.map(|a| a.to_string()).as_deref(),
                    street_code: n.street_code.as_deref(),
                },
            )
            .is_ok()
        })
        .collect();
    let (first, reason) = match visible.first() {
        Some(first) => {
            let own = visible.iter().find(|n| reads_own_data(&caller, n));
            let reason = match own {
                Some(n) => detail_reason(&caller, n, q.reason.as_deref())?,
                None => detail_reason(&caller, first, q.reason.as_deref())?,
            };
            (*first, reason)
        }
        None => {
            // Outside the caller's scope: the volunteer or lawyer holding
            // the order of one of its needs reads it, for the work.
            let mut held = None;
            for n in &needs {
                if holding(&state, &caller, n).await? == Holding::Holds {
                    held = Some(n);
                    break;
                }
            }
            let Some(n) = held else {
                return Err(not_found());
            };
            let reason = match q.reason.as_deref() {
                Some(r) => crate::usecases::audit::read_reason(r)?,
                None => HOLDER_PURPOSE,
            };
            (n, Some(reason))
        }
    };
    let file = state
        .store
        .attachment(&sha256)
        .await?
        .ok_or_else(not_found)?;
    if let Some(at) = file.erased_at {
        return Err(ApiError::Gone(format!(
            "attachment {sha256} was erased on {}",
            at.format("%Y-%m-%d")
        )));
    }
    if let Some(reason) = reason {
        crate::usecases::audit::record_read(
            &state,
            &caller,
            &headers,
            crate::usecases::audit::PersonalDataRead {
                action: "read_attachment",
                subject_type: "attachment",
                subject_id: format!("{sha256} (need {})", first.id),
                fields: "file",
            },
            reason,
        )
        .await?;
    }
    let mut resp = private_download(
        Body::from(file.bytes),
        HeaderValue::from_str(&file.meta.media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        &format!("{sha256}.{}", extension_of(&file.meta.media_type)),
    );
    // An uploaded file opened by mistake in the browser runs nothing.
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; script-src 'none'; sandbox"),
    );
    Ok(resp)
}

/// A stored attachment.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentReceipt {
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
}

#[utoipa::path(put, path = "/api/v1/attachments/{sha256}", tag = "needs", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The lowercase hex sha256 of the body")),
    request_body(content = Vec<u8>, description = "The file; its type is told by its content and must agree with Content-Type", content_type = "application/octet-stream"),
    responses((status = 200, body = AttachmentReceipt, description = "Stored (again: the same bytes are stored once)"),
        refusal::Invalid, refusal::Unauthenticated, refusal::Forbidden, refusal::TooLarge))]
pub async fn put_attachment(
    SignedIn { state, caller }: SignedIn,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<ApiJson<AttachmentReceipt>, ApiError> {
    require(&caller, Action::SubmitNeed)?;
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(ApiError::bad_field(
            "sha256",
            "64 lowercase hexadecimal digits",
        ));
    }
    let claimed = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let checked = check_attachment(&body, claimed).map_err(|e| ApiError::Fields(vec![e]))?;
    if checked.sha256 != sha256 {
        return Err(ApiError::bad_field(
            "sha256",
            format!("the body's sha256 is {}", checked.sha256),
        ));
    }
    let meta = AttachmentMeta {
        sha256: checked.sha256,
        media_type: checked.media_type,
        size: checked.size,
    };
    state
        .store
        .put_attachment(&meta, &body, caller.account.id, state.clock.now())
        .await?;
    Ok(ApiJson(AttachmentReceipt {
        sha256: meta.sha256,
        media_type: meta.media_type,
        size: meta.size,
    }))
}

/// The attachments, under the attachment body limit the router sets.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_attachment, get_attachment))
}
