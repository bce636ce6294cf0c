//! A rating from every requester (一事一评).
//!
//! When an order is resolved its requester is asked for a rating, by the
//! channel that reaches them ([`request_rating`]):
//!
//! * **app** — the requester has an account (they filed the need, or their
//!   verified mobile belongs to a resident account): their needs list says
//!   the order may be rated and `POST /api/v1/orders/{id}/rating` takes it;
//! * **link** — otherwise a one-time link to the public rating page
//!   `/r/{token}` (a random 128-bit token, only its sha256 stored, expiring
//!   after `rating_link_ttl_days`): sent by SMS, and issued to the volunteer
//!   or lawyer holding the order (`POST /api/v1/orders/{id}/rating-link`)
//!   so their phone shows it as a QR code at the end of the service;
//! * **call_back** — needs that came by the 12348 hotline: staff call the
//!   requester back (回访) and record the outcome and the rating given on
//!   the phone (`POST /api/v1/orders/{id}/call-backs`).
//!
//! One rating per order whatever the channel (the order leaves `resolved`
//! and the ratings table keeps one row per order, both in one
//! transaction). Nobody rates an order they entered for someone else or
//! hold. The indicators count ratings by channel and say why resolved
//! orders were not rated ([`RatingCoverage`]).

use crate::api::require;
use crate::auth::{Caller, random_key, token_hash};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::sms::{SmsError, SmsMessage, SmsPurpose};
use crate::state::AppState;
use crate::store::{CallBackOutcome, CallBackRecord, OrderFilter, RatingChannel, RatingRequest};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Action;
use lawcircle_core::evaluation::{self, Rating, RatingError};
use lawcircle_core::need::Channel;
use lawcircle_core::order::{Actor, Order, OrderState};
use lawcircle_core::warning::{Warning, WarningCandidate, default_rules};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How long rating links and in-app rating requests stay open by default.
pub const DEFAULT_RATING_LINK_TTL_DAYS: u32 = 14;

/// The need behind an order.
async fn need_of(state: &AppState, order: &Order) -> Result<crate::store::StoredNeed, ApiError> {
    let id: i64 = order
        .need_id
        .parse()
        .map_err(|_| ApiError::Internal(format!("order {} has no numeric need id", order.id)))?;
    state
        .store
        .need(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("the need of order {}", order.id)))
}

/// A new link token (`r` + 128 random bits, URL-safe) and its hash.
fn new_link_token() -> Result<(String, String), ApiError> {
    let token = random_key("r").map_err(|e| ApiError::Internal(e.to_string()))?;
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The public URL of a rating link.
fn link_url(state: &AppState, token: &str) -> String {
    format!(
        "{}/r/{token}",
        state.ratings.public_url.trim_end_matches('/')
    )
}

/// Asks the requester of a just-resolved order for a rating, by the
/// channel that reaches them. Called after the resolution committed; a
/// failure here is logged and shows in the indicators as `no_request`.
pub async fn request_rating(state: &AppState, order: &Order) -> Result<(), ApiError> {
    let need = need_of(state, order).await?;
    let now = state.clock.now();
    let expires_at = now + state.ratings.link_ttl;
    let channel = if need.requester_account.is_some() {
        RatingChannel::App
    } else if need.need.channel == Channel::Hotline12348 {
        RatingChannel::CallBack
    } else {
        RatingChannel::Link
    };
    let request = RatingRequest {
        order_id: order.id.clone(),
        channel,
        street_code: order.street_code.clone(),
        created_at: now,
        expires_at,
        sms_status: (channel == RatingChannel::Link).then(|| "not_sent".to_string()),
        sms_detail: None,
    };
    if !state.store.insert_rating_request(&request).await? || channel != RatingChannel::Link {
        return Ok(());
    }
    let (token, hash) = new_link_token()?;
    state
        .store
        .insert_rating_link(&hash, &order.id, "sms", now, expires_at)
        .await?;
    if !state.sms.is_configured() {
        state
            .store
            .set_rating_sms_status(&order.id, "not_configured", None)
            .await?;
        return Ok(());
    }
    let message = SmsMessage {
        phone: need.need.requester.phone.clone(),
        purpose: SmsPurpose::RatingLink,
        params: BTreeMap::from([("link".to_string(), link_url(state, &token))]),
    };
    // The provider may take seconds (and retries): the holder's answer
    // does not wait for it.
    let state = state.clone();
    let order_id = order.id.clone();
    tokio::spawn(async move {
        let outcome = state.sms.send(&state.store, &message, None, now).await;
        let (status, detail) = match &outcome {
            Ok(r) => ("sent", Some(r.provider_id.clone())),
            Err(e @ SmsError::NotConfigured) => ("not_configured", Some(e.code())),
            Err(e) => ("failed", Some(e.code())),
        };
        if let Err(e) = outcome {
            tracing::warn!(order = %order_id, error = %e, "rating link SMS not sent");
        }
        if let Err(e) = state
            .store
            .set_rating_sms_status(&order_id, status, detail.as_deref())
            .await
        {
            tracing::error!(order = %order_id, error = %e, "cannot record the rating SMS");
        }
    });
    Ok(())
}

/// Whether `caller` may not rate `order`: they hold it, or entered it for
/// someone else.
fn self_rating(caller_id: &str, order: &Order) -> Option<&'static str> {
    if order.assignee.as_deref() == Some(caller_id) {
        return Some("you hold this order: only its requester rates it");
    }
    if order.entered_by.as_deref() == Some(caller_id) && order.requester_id != caller_id {
        return Some("you entered this need for its requester: only the requester rates it");
    }
    None
}

/// Rates an order for `actor` by `channel` (with the call-back that gave
/// the rating, if any): the order's change, the rating and the call-back in
/// one transaction; a low score raises the warning that needs a call-back.
/// Returns the order and the stored call-back's id.
pub async fn record_rating(
    state: &AppState,
    order: &Order,
    score: u8,
    comment: Option<&str>,
    actor: Actor,
    channel: RatingChannel,
    call_back: Option<&CallBackRecord>,
) -> Result<(Order, Option<i64>), ApiError> {
    let now = state.clock.now();
    let mut changed = order.clone();
    let (rating, follow_up) =
        evaluation::rate(&mut changed, score, comment, actor, now).map_err(rating_error)?;
    let stored = state
        .store
        .rate_order(
            order.version,
            order.state,
            &changed,
            &rating,
            channel,
            call_back.map(|cb| (cb, now)),
        )
        .await?;
    let Some(call_back_id) = stored else {
        return Err(ApiError::Conflict(format!(
            "order {} changed meanwhile: reload",
            order.id
        )));
    };
    state.events.publish(&changed);
    if follow_up.is_some() {
        raise_low_rating_warning(state, &changed, &rating, now).await?;
    }
    Ok((changed, call_back_id))
}

fn rating_error(e: RatingError) -> ApiError {
    match e {
        RatingError::AlreadyRated { .. } | RatingError::NotResolved { .. } => {
            ApiError::Conflict(e.to_string())
        }
        RatingError::Order(o) => crate::api::orders::order_error(o),
        RatingError::CommentTooLong { .. } => ApiError::bad_field("comment", e.to_string()),
        RatingError::ScoreOutOfRange(_) => ApiError::bad_field("score", e.to_string()),
    }
}

/// A low rating raises a warning that needs a recorded call-back; the
/// rules job would find it too, the dedup key makes that one.
async fn raise_low_rating_warning(
    state: &AppState,
    order: &Order,
    rating: &Rating,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let rules = default_rules();
    if let Some(rule) = rules.iter().find(|r| r.requires_call_back()) {
        let candidates = lawcircle_core::warning::evaluate_rules(
            now,
            std::slice::from_ref(order),
            std::slice::from_ref(rating),
            &[],
            &rules,
        );
        if let Some(c) = candidates
            .into_iter()
            .find(|c: &WarningCandidate| c.rule_id == rule.id)
        {
            state
                .store
                .raise_warning(&Warning::raise("", c, rule, now))
                .await?;
        }
    }
    Ok(())
}

/// The requester's rating in the app (`POST /api/v1/orders/{id}/rating`):
/// refused to whoever holds the order or entered it for someone else.
pub async fn rate_in_app(
    state: &AppState,
    caller: &Caller,
    order: &Order,
    score: u8,
    comment: Option<&str>,
) -> Result<Order, ApiError> {
    let me = caller.account.id.to_string();
    if let Some(why) = self_rating(&me, order) {
        return Err(ApiError::Forbidden(why.into()));
    }
    record_rating(
        state,
        order,
        score,
        comment,
        Actor::user(me, caller.account.role),
        RatingChannel::App,
        None,
    )
    .await
    .map(|(order, _)| order)
}

/// A QR code as its module matrix, for a phone to draw as squares (no
/// image: the phone library and the screens need no QR encoder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QrMatrix {
    /// Modules per side: 21 for version 1, four more per version.
    pub size: u32,
    /// `size × size` characters, row by row from the top left: `1` a dark
    /// module, `0` a light one. Without the quiet zone: the screen leaves
    /// a light margin of four modules around it.
    pub modules: String,
}

/// The QR code (error-correction level M: readable with 15% of it
/// damaged or glared) of `text`, as its module matrix.
pub fn qr_matrix(text: &str) -> Result<QrMatrix, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)?;
    let modules = code
        .to_colors()
        .into_iter()
        .map(|c| match c {
            qrcode::Color::Dark => '1',
            qrcode::Color::Light => '0',
        })
        .collect();
    let size = u32::try_from(code.width()).map_err(|_| qrcode::types::QrError::DataTooLong)?;
    Ok(QrMatrix { size, modules })
}

/// A rating link for the holder's phone to show as a QR code.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedRatingLink {
    pub order_id: String,
    /// The public rating page, one rating per order; shown as a QR code.
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// The QR code of `url`, for the phone to draw.
    pub qr: QrMatrix,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/rating-link", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = IssuedRatingLink, description = "A new one-time link (each call makes one; any of them rates the order once)"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, description = "Not the volunteer or lawyer holding the order", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Not resolved, or already rated", body = crate::error::ErrorBody)))]
pub async fn issue_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, Action::GrabOrder)?;
    let order = state
        .store
        .order(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("order {id}")))?;
    if order.assignee.as_deref() != Some(caller.account.id.to_string().as_str()) {
        return Err(ApiError::Forbidden(
            "only the volunteer or lawyer holding the order shows its rating link".into(),
        ));
    }
    if order.state != OrderState::Resolved {
        return Err(ApiError::Conflict(format!(
            "order {id} is {}: a rating link is for a resolved order not yet rated",
            order.state
        )));
    }
    let now = state.clock.now();
    let expires_at = now + state.ratings.link_ttl;
    let (token, hash) = new_link_token()?;
    state
        .store
        .insert_rating_link(&hash, &order.id, "qr", now, expires_at)
        .await?;
    let url = link_url(&state, &token);
    // The URL is the configured public address plus a short token: too
    // long for a QR code only if that address is misconfigured.
    let qr = qr_matrix(&url)
        .map_err(|e| ApiError::Internal(format!("the QR code of the rating link: {e}")))?;
    let body = IssuedRatingLink {
        order_id: order.id,
        url,
        expires_at,
        qr,
    };
    Ok((StatusCode::CREATED, ApiJson(body)).into_response())
}

/// A staff call-back (回访) to the requester.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBackRequest {
    pub outcome: CallBackOutcome,
    /// The rating the requester gave on the phone (1–5): required when
    /// reached, refused otherwise.
    pub score: Option<u8>,
    /// The requester's words, if any (part of the rating).
    pub comment: Option<String>,
    /// What was said or tried (who answered, when to try again).
    pub note: String,
}

/// The recorded call-back and the order after it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CallBackAnswer {
    pub call_back: CallBackRecord,
    #[schema(value_type = Object)]
    pub order: Order,
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/call-backs", tag = "ratings", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CallBackRequest,
    responses((status = 201, body = CallBackAnswer),
        (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, description = "Not staff of the order's street, or the caller entered or holds it", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "Not resolved, or already rated", body = crate::error::ErrorBody)))]
pub async fn call_back(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CallBackRequest>,
) -> Result<Response, ApiError> {
    require(&caller, Action::DispatchOrder)?;
    // Staff of another street: as if missing.
    let order = crate::api::orders::load_for(&state, &caller, &id, Action::DispatchOrder).await?;
    let me = caller.account.id.to_string();
    if order.assignee.as_deref() == Some(me.as_str())
        || order.entered_by.as_deref() == Some(me.as_str())
    {
        return Err(ApiError::Forbidden(
            "you entered or hold this order: another member of staff calls the requester back"
                .into(),
        ));
    }
    let note = req.note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(ApiError::bad_field("note", "1 to 500 characters"));
    }
    match (req.outcome, req.score) {
        (CallBackOutcome::Reached, None) => {
            return Err(ApiError::bad_field(
                "score",
                "a reached call-back records the rating given on the phone (1 to 5); \
                 record `refused` when the requester would not rate",
            ));
        }
        (CallBackOutcome::NotReached | CallBackOutcome::Refused, Some(_)) => {
            return Err(ApiError::bad_field(
                "score",
                "only a reached requester gives a rating",
            ));
        }
        _ => {}
    }
    if order.state != OrderState::Resolved {
        return Err(ApiError::Conflict(format!(
            "order {id} is {}: a call-back for a rating is for a resolved order not yet rated",
            order.state
        )));
    }
    let now = state.clock.now();
    let mut record = CallBackRecord {
        id: 0,
        order_id: order.id.clone(),
        by_account: caller.account.id,
        at: now,
        outcome: req.outcome,
        score: req.score,
        note: note.to_string(),
    };
    let order = match req.score {
        Some(score) => {
            let (order, id) = record_rating(
                &state,
                &order,
                score,
                req.comment.as_deref(),
                Actor::system(format!("call_back:{me}")),
                RatingChannel::CallBack,
                Some(&record),
            )
            .await?;
            record.id = id.unwrap_or_default();
            order
        }
        None => {
            record.id = state.store.insert_call_back(&record, now).await?;
            order
        }
    };
    Ok((
        StatusCode::CREATED,
        ApiJson(CallBackAnswer {
            call_back: record,
            order,
        }),
    )
        .into_response())
}

/// Ratings by channel and why resolved orders were not rated.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RatingCoverage {
    /// Orders that reached `resolved`.
    pub resolved: u64,
    pub rated: u64,
    /// Ratings by channel: `app`, `link`, `call_back`.
    pub by_channel: BTreeMap<String, u64>,
    pub unrated: u64,
    /// Why the unrated ones were not rated: `awaiting` (the request is
    /// still open), `awaiting_call_back`, `link_expired`, `app_expired`
    /// (the account holder did not rate in time), `no_contact` (no
    /// account, the SMS was not delivered and no QR code was shown),
    /// `declined` (refused on the call-back), `not_reached` (the last
    /// call-back reached nobody), `no_request` (resolved before rating
    /// requests existed, or the request failed).
    pub unrated_by_reason: BTreeMap<String, u64>,
}

/// The rating coverage of the district and of each street.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RatingReport {
    pub district: RatingCoverage,
    pub streets: BTreeMap<String, RatingCoverage>,
}

/// Counts the ratings and the reasons of the missing ones at `now`.
pub async fn rating_report(state: &AppState, now: DateTime<Utc>) -> Result<RatingReport, ApiError> {
    let orders = state.store.orders(&OrderFilter::default()).await?;
    let channels = state.store.rating_channels().await?;
    let requests: HashMap<String, RatingRequest> = state
        .store
        .rating_requests()
        .await?
        .into_iter()
        .map(|r| (r.order_id.clone(), r))
        .collect();
    let links = state.store.rating_links_by_order().await?;
    let mut last_call_back: HashMap<String, CallBackOutcome> = HashMap::new();
    for cb in state.store.call_backs().await? {
        last_call_back.insert(cb.order_id.clone(), cb.outcome);
    }
    let mut report = RatingReport::default();
    for o in orders
        .iter()
        .filter(|o| o.first_reached(OrderState::Resolved).is_some())
    {
        let street = report.streets.entry(o.street_code.clone()).or_default();
        let verdict = match channels.get(&o.id) {
            Some(channel) => Ok(channel.clone()),
            None => Err(unrated_reason(
                requests.get(&o.id),
                links.get(&o.id).map(Vec::as_slice).unwrap_or(&[]),
                last_call_back.get(&o.id).copied(),
                now,
            )),
        };
        for c in [&mut report.district, street] {
            c.resolved += 1;
            match &verdict {
                Ok(channel) => {
                    c.rated += 1;
                    *c.by_channel.entry(channel.clone()).or_default() += 1;
                }
                Err(reason) => {
                    c.unrated += 1;
                    *c.unrated_by_reason.entry(reason.to_string()).or_default() += 1;
                }
            }
        }
    }
    Ok(report)
}

fn unrated_reason(
    request: Option<&RatingRequest>,
    links: &[(String, DateTime<Utc>)],
    last_call_back: Option<CallBackOutcome>,
    now: DateTime<Utc>,
) -> &'static str {
    match last_call_back {
        Some(CallBackOutcome::Refused) => return "declined",
        Some(CallBackOutcome::NotReached) => return "not_reached",
        _ => {}
    }
    let Some(request) = request else {
        return "no_request";
    };
    match request.channel {
        RatingChannel::App if now < request.expires_at => "awaiting",
        RatingChannel::App => "app_expired",
        RatingChannel::CallBack => "awaiting_call_back",
        RatingChannel::Link => {
            let delivered = request.sms_status.as_deref() == Some("sent")
                || request.sms_status.as_deref() == Some("not_sent")
                || links.iter().any(|(via, _)| via == "qr");
            if !delivered {
                "no_contact"
            } else if links.iter().any(|(_, exp)| now < *exp) {
                "awaiting"
            } else {
                "link_expired"
            }
        }
    }
}

// ---------------------------------------------------------------------
// The public rating page: plain HTML forms, no script, this origin only.
// ---------------------------------------------------------------------

const PAGE_CSS: &str = include_str!("../../../public/rate.css");

/// The page's content security policy: the console's, and no script at all.
const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn category_zh(code: &str) -> &'static str {
    match code {
        "consultation" => "法律咨询",
        "mediation" => "人民调解",
        "legal_aid" => "法律援助",
        "notarization" => "公证",
        "judicial_appraisal" => "司法鉴定",
        "arbitration" => "仲裁",
        "administrative_reconsideration" => "行政复议",
        "remote_prison_visit" => "监所远程会见",
        "enterprise_checkup" => "企业法治体检",
        _ => "法律服务",
    }
}

/// A whole page with `main` inside.
fn page(status: StatusCode, title: &str, main: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{title} · 龙湾公共法律服务</title>\n\
         <link rel=\"stylesheet\" href=\"/r/rate.css\">\n</head>\n<body>\n\
         <main>\n<p class=\"brand\">15分钟公共法律服务圈 · 服务评价</p>\n{main}\n</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

fn notice(status: StatusCode, class: &str, zh: &str, en: &str) -> Response {
    page(
        status,
        zh,
        &format!(
            "<section class=\"notice {class}\" role=\"status\">\n<h1>{}</h1>\n<p lang=\"en\">{}</p>\n</section>",
            escape(zh),
            escape(en)
        ),
    )
}

/// What a token leads to, or the page that says why not.
async fn resolve_token(state: &AppState, token: &str) -> Result<Order, Response> {
    let unknown = || {
        notice(
            StatusCode::NOT_FOUND,
            "error",
            "评价链接无效",
            "This rating link is not valid. Please check the link in your message.",
        )
    };
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(unknown());
    }
    let link = match state.store.rating_link(&token_hash(token)).await {
        Ok(Some(l)) => l,
        Ok(None) => return Err(unknown()),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    let order = match state.store.order(&link.order_id).await {
        Ok(Some(o)) => o,
        Ok(None) => return Err(unknown()),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    if order.first_reached(OrderState::Evaluated).is_some() {
        return Err(already_rated());
    }
    if state.clock.now() >= link.expires_at {
        return Err(notice(
            StatusCode::GONE,
            "error",
            "评价链接已过期",
            "This rating link has expired. You may call 12348 to give your opinion.",
        ));
    }
    if order.state != OrderState::Resolved {
        return Err(notice(
            StatusCode::CONFLICT,
            "error",
            "这项服务目前不能评价",
            "This service cannot be rated now.",
        ));
    }
    Ok(order)
}

fn already_rated() -> Response {
    notice(
        StatusCode::CONFLICT,
        "done",
        "这项服务已经评价过了，每件事只能评价一次",
        "This service has already been rated: one rating per service.",
    )
}

async fn street_name(state: &AppState, code: &str) -> String {
    state
        .store
        .areas()
        .await
        .ok()
        .and_then(|areas| areas.into_iter().find(|a| a.code == code).map(|a| a.name))
        .unwrap_or_default()
}

fn form(token: &str, order: &Order, street: &str, error: Option<&str>) -> String {
    let resolved = order
        .first_reached(OrderState::Resolved)
        .map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default();
    let stars: String = (1..=5)
        .rev()
        .map(|n| {
            let label = match n {
                5 => "非常满意",
                4 => "满意",
                3 => "一般",
                2 => "不满意",
                _ => "非常不满意",
            };
            format!(
                "<input type=\"radio\" id=\"s{n}\" name=\"score\" value=\"{n}\" required>\
                 <label for=\"s{n}\" title=\"{label}\"><span class=\"star\" aria-hidden=\"true\">★</span>\
                 <span class=\"label\">{n} 星<br>{label}</span></label>\n"
            )
        })
        .collect();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    format!(
        "<h1>请为本次服务打分</h1>\n<p lang=\"en\" class=\"sub\">Please rate this service</p>\n\
         <dl class=\"summary\">\n<dt>服务</dt><dd>{category}</dd>\n<dt>街道</dt><dd>{street}</dd>\n\
         <dt>办结日期</dt><dd>{resolved}</dd>\n</dl>\n{error}\
         <form method=\"post\" action=\"/r/{token}\">\n<fieldset class=\"stars\">\n\
         <legend>满意度（1–5 星）</legend>\n{stars}</fieldset>\n\
         <label for=\"comment\" class=\"comment\">意见和建议（选填）</label>\n\
         <textarea id=\"comment\" name=\"comment\" maxlength=\"500\" rows=\"4\"></textarea>\n\
         <button type=\"submit\">提交评价</button>\n</form>\n\
         <p class=\"privacy\">评价只用于改进公共法律服务；每件事只能评价一次。</p>",
        category = escape(category_zh(&order.category)),
        street = escape(street),
        resolved = escape(&resolved),
        token = escape(token),
    )
}

/// `GET /r/{token}`: the rating form of the order the link names.
pub async fn page_get(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let order = match resolve_token(&state, &token).await {
        Ok(o) => o,
        Err(page) => return page,
    };
    let street = street_name(&state, &order.street_code).await;
    page(
        StatusCode::OK,
        "服务评价",
        &form(&token, &order, &street, None),
    )
}

/// `POST /r/{token}` (a form: `score`, `comment`): rates the order once.
pub async fn page_post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let order = match resolve_token(&state, &token).await {
        Ok(o) => o,
        Err(page) => return page,
    };
    let mut score = None;
    let mut comment = None;
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "score" => score = v.parse::<u8>().ok().filter(|s| (1..=5).contains(s)),
            "comment" => comment = Some(v.into_owned()),
            _ => {}
        }
    }
    let street = street_name(&state, &order.street_code).await;
    let Some(score) = score else {
        return page(
            StatusCode::BAD_REQUEST,
            "服务评价",
            &form(
                &token,
                &order,
                &street,
                Some("请选择 1 到 5 星。Please choose 1 to 5 stars."),
            ),
        );
    };
    if comment
        .as_deref()
        .is_some_and(|c| c.chars().count() > evaluation::MAX_COMMENT_CHARS)
    {
        return page(
            StatusCode::BAD_REQUEST,
            "服务评价",
            &form(
                &token,
                &order,
                &street,
                Some("意见最多 500 字。At most 500 characters."),
            ),
        );
    }
    match record_rating(
        &state,
        &order,
        score,
        comment.as_deref(),
        Actor::system("rating_link"),
        RatingChannel::Link,
        None,
    )
    .await
    {
        Ok(_) => notice(
            StatusCode::OK,
            "done",
            "感谢您的评价！",
            "Thank you for your rating.",
        ),
        Err(ApiError::Conflict(_)) => already_rated(),
        Err(e) => e.into_response(),
    }
}

/// `GET /r/rate.css`.
pub async fn page_css() -> Response {
    let mut resp = PAGE_CSS.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// The settings of rating requests.
#[derive(Debug, Clone)]
pub struct RatingSettings {
    /// The address people reach the server at (links are made with it).
    pub public_url: String,
    /// How long rating links and in-app requests stay open.
    pub link_ttl: chrono::Duration,
}

impl Default for RatingSettings {
    fn default() -> Self {
        RatingSettings {
            public_url: "http://127.0.0.1:8080".into(),
            link_ttl: chrono::Duration::days(i64::from(DEFAULT_RATING_LINK_TTL_DAYS)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the 7×7 finder pattern (dark ring, light ring, dark 3×3
    /// centre) has its top left corner at (`top`, `left`).
    fn finder_at(qr: &QrMatrix, top: usize, left: usize) -> bool {
        let size = qr.size as usize;
        let bytes = qr.modules.as_bytes();
        (0..7).all(|r| {
            (0..7).all(|c| {
                let ring = r.min(c).min(6 - r).min(6 - c);
                let dark = ring != 1;
                bytes[(top + r) * size + left + c] == if dark { b'1' } else { b'0' }
            })
        })
    }

    #[test]
    fn a_rating_url_becomes_a_square_matrix_with_its_three_finder_patterns() {
        let url = "https://fuwu.longwan.gov.cn/r/rAbCdEfGhIjKlMnOpQrStUv";
        let qr = qr_matrix(url).expect("a short URL fits");
        let size = qr.size as usize;
        // Version 3 at level M holds 42 bytes, version 4 holds 62.
        assert_eq!(size, 33, "{url} is {} bytes", url.len());
        assert_eq!(qr.modules.len(), size * size);
        assert!(qr.modules.bytes().all(|b| b == b'0' || b == b'1'));
        assert!(finder_at(&qr, 0, 0));
        assert!(finder_at(&qr, 0, size - 7));
        assert!(finder_at(&qr, size - 7, 0));
        assert!(!finder_at(&qr, size - 7, size - 7));
        // Another token, another code; the same token, the same code.
        let other = qr_matrix("https://fuwu.longwan.gov.cn/r/rAbCdEfGhIjKlMnOpQrStUw")
            .expect("a short URL fits");
        assert_ne!(qr, other);
        assert_eq!(qr, qr_matrix(url).expect("a short URL fits"));
    }

    #[test]
    fn text_beyond_version_40_is_refused() {
        // Version 40 at level M holds 2331 bytes.
        assert!(qr_matrix(&"a".repeat(2331)).is_ok());
        assert!(matches!(
            qr_matrix(&"a".repeat(2332)),
            Err(qrcode::types::QrError::DataTooLong)
        ));
    }
}
