//! The public rating page of one-time links (`/r/{token}`): HTML forms, no
//! script, a strict content security policy.

use crate::api::headers::set_fixed;
use crate::auth::token_hash;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::RatingChannel;
use crate::usecases::rating::record_rating;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lawcircle_core::orders::order::{Actor, Order, OrderState};
use lawcircle_core::orders::rating;

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
    set_fixed(
        resp.headers_mut(),
        &[
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
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
        .is_some_and(|c| c.chars().count() > rating::MAX_COMMENT_CHARS)
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
    set_fixed(
        resp.headers_mut(),
        &[
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
    );
    resp
}
