//! A local stand-in for Alibaba Cloud SMS `SendSms` (API 2017-05-25) on
//! loopback: it checks a request the way the provider documents — the
//! common parameters, the timestamp, a fresh nonce, the HMAC-SHA1
//! signature over the canonicalised parameters, the phone number, the
//! signature name, the template and its JSON parameters — answers the
//! documented JSON (`Code` `OK` or an error code), and records every
//! message it accepted. Tests script the next answers (e.g. a passing
//! `isp.SYSTEM_ERROR`) to see the sender's reaction.
//!
//! Its signature check is written apart from the server's signer, from the
//! documented steps, so a mistake in one is not repeated in the other.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{
    Form, Json, Router,
    routing::{get, post},
};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// The credentials and approved names the fake accepts.
pub const ACCESS_KEY_ID: &str = "LTAI-test-key";
pub const ACCESS_KEY_SECRET: &str = "test-secret-never-real";
pub const SIGN_NAME: &str = "龙湾公共法律服务";
pub const CODE_TEMPLATE: &str = "SMS_100001";
pub const RATING_TEMPLATE: &str = "SMS_100002";
pub const NOTICE_TEMPLATE: &str = "SMS_100003";

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub phone: String,
    pub template: String,
    pub params: BTreeMap<String, String>,
}

#[derive(Default)]
struct Inner {
    delivered: Vec<Delivered>,
    nonces: HashSet<String>,
    /// Error codes to answer next, one per request: of any template
    /// (`None`) or of one template only.
    scripted: VecDeque<(Option<String>, String)>,
    /// Every answer's code, accepted or not, in order.
    answers: Vec<String>,
    /// The template of each answer (empty when the request named none).
    answer_templates: Vec<String>,
    /// The template of the request being answered.
    current_template: String,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeSms {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl FakeSms {
    /// Starts on a free loopback port.
    pub async fn start() -> FakeSms {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/", post(send_sms))
            // For the Kotlin and Swift suites, which run it as a process
            // (`fake-sms`) and read the codes it received.
            .route("/messages", get(messages))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake SMS gateway");
        let addr = listener.local_addr().expect("its address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeSms {
            inner,
            url: format!("http://{addr}/"),
        }
    }

    /// The server flags that point `serve` at this fake.
    pub fn server_args(&self) -> Vec<String> {
        [
            ("--sms-provider", "aliyun"),
            ("--sms-endpoint", self.url.as_str()),
            ("--sms-access-key-id", ACCESS_KEY_ID),
            ("--sms-access-key-secret", ACCESS_KEY_SECRET),
            ("--sms-sign-name", SIGN_NAME),
            ("--sms-code-template", CODE_TEMPLATE),
            ("--sms-rating-template", RATING_TEMPLATE),
            ("--sms-notice-template", NOTICE_TEMPLATE),
        ]
        .into_iter()
        .flat_map(|(k, v)| [k.to_string(), v.to_string()])
        .collect()
    }

    /// Messages accepted so far.
    pub fn delivered(&self) -> Vec<Delivered> {
        self.inner.lock().unwrap().delivered.clone()
    }

    /// Every answer's code so far (`OK` or the error).
    pub fn answers(&self) -> Vec<String> {
        self.inner.lock().unwrap().answers.clone()
    }

    /// Answers the next requests with these error codes.
    pub fn fail_next(&self, codes: &[&str]) {
        self.inner
            .lock()
            .unwrap()
            .scripted
            .extend(codes.iter().map(|c| (None, c.to_string())));
    }

    /// Answers the next requests of `template` with these error codes
    /// (messages of other templates, such as notices the server sends on
    /// its own, pass untouched).
    pub fn fail_next_for(&self, template: &str, codes: &[&str]) {
        self.inner.lock().unwrap().scripted.extend(
            codes
                .iter()
                .map(|c| (Some(template.to_string()), c.to_string())),
        );
    }

    /// The answers to requests of `template`, in order.
    pub fn answers_for(&self, template: &str) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        inner
            .answers
            .iter()
            .zip(&inner.answer_templates)
            .filter(|(_, t)| t.as_str() == template)
            .map(|(a, _)| a.clone())
            .collect()
    }
    /// Waits (polling, up to 20 s) for a message to `phone` with `template`
    /// and returns its parameters.
    pub async fn wait_for(&self, phone: &str, template: &str) -> BTreeMap<String, String> {
        for _ in 0..200 {
            if let Some(d) = self
                .delivered()
                .into_iter()
                .rev()
                .find(|d| d.phone == phone && d.template == template)
            {
                return d.params;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "no {template} message to {phone}; answers so far: {:?}",
            self.answers()
        );
    }
}

async fn messages(State(inner): State<Arc<Mutex<Inner>>>) -> Json<Value> {
    let inner = inner.lock().unwrap();
    Json(Value::Array(
        inner
            .delivered
            .iter()
            .map(|d| json!({"phone": d.phone, "template": d.template, "params": d.params}))
            .collect(),
    ))
}

/// Percent-encoding as the signature method documents it: A–Z, a–z, 0–9,
/// `-`, `_`, `.`, `~` kept, everything else `%XY` of its UTF-8 bytes in
/// upper-case hex (a space is `%20`, `*` is `%2A`).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn expected_signature(params: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    pairs.sort();
    let canonical = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("POST&{}&{}", encode("/"), encode(&canonical));
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{ACCESS_KEY_SECRET}&").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(ring::hmac::sign(&key, to_sign.as_bytes()))
}

fn answer(inner: &mut Inner, status: StatusCode, code: &str, message: &str) -> Response {
    inner.answers.push(code.to_string());
    let template = inner.current_template.clone();
    inner.answer_templates.push(template);
    let body = if code == "OK" {
        json!({"Code": "OK", "Message": "OK", "BizId": format!("biz{}", inner.answers.len()), "RequestId": "fake"})
    } else {
        json!({"Code": code, "Message": message, "RequestId": "fake"})
    };
    (status, Json(body)).into_response()
}

async fn send_sms(
    State(inner): State<Arc<Mutex<Inner>>>,
    Form(params): Form<BTreeMap<String, String>>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let inner = &mut *inner;
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    inner.current_template = get("TemplateCode").to_string();
    for (k, v) in [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if get(k) != v {
            return answer(inner, StatusCode::BAD_REQUEST, "MissingParameter", k);
        }
    }
    if get("RegionId").is_empty() {
        return answer(
            inner,
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "RegionId",
        );
    }
    if get("AccessKeyId") != ACCESS_KEY_ID {
        return answer(
            inner,
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        );
    }
    let Ok(at) = chrono::NaiveDateTime::parse_from_str(get("Timestamp"), "%Y-%m-%dT%H:%M:%SZ")
    else {
        return answer(
            inner,
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Format",
            "",
        );
    };
    if (chrono::Utc::now().naive_utc() - at).num_minutes().abs() > 15 {
        return answer(
            inner,
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "",
        );
    }
    if get("Signature") != expected_signature(&params) {
        return answer(
            inner,
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        );
    }
    let nonce = get("SignatureNonce").to_string();
    if nonce.is_empty() || !inner.nonces.insert(nonce) {
        return answer(inner, StatusCode::BAD_REQUEST, "SignatureNonceUsed", "");
    }
    let template = get("TemplateCode");
    let scripted = inner
        .scripted
        .iter()
        .position(|(t, _)| t.as_deref().is_none_or(|t| t == template));
    if let Some((_, code)) = scripted.and_then(|i| inner.scripted.remove(i)) {
        return answer(inner, StatusCode::OK, &code, "scripted by the test");
    }
    let phone = get("PhoneNumbers");
    if phone.len() != 11 || !phone.starts_with('1') || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return answer(inner, StatusCode::OK, "isv.MOBILE_NUMBER_ILLEGAL", "");
    }
    if get("SignName") != SIGN_NAME {
        return answer(inner, StatusCode::OK, "isv.SMS_SIGNATURE_ILLEGAL", "");
    }
    let variables: &[&str] = match get("TemplateCode") {
        CODE_TEMPLATE => &["code"],
        RATING_TEMPLATE => &["link"],
        NOTICE_TEMPLATE => &["order", "status"],
        _ => return answer(inner, StatusCode::OK, "isv.SMS_TEMPLATE_ILLEGAL", ""),
    };
    let Ok(Value::Object(vars)) = serde_json::from_str::<Value>(get("TemplateParam")) else {
        return answer(inner, StatusCode::OK, "isv.INVALID_JSON_PARAM", "");
    };
    if let Some(missing) = variables
        .iter()
        .find(|v| !vars.get(**v).is_some_and(Value::is_string))
    {
        return answer(
            inner,
            StatusCode::OK,
            "isv.TEMPLATE_MISSING_PARAMETERS",
            missing,
        );
    }
    inner.delivered.push(Delivered {
        phone: phone.to_string(),
        template: get("TemplateCode").to_string(),
        params: vars
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
    });
    answer(inner, StatusCode::OK, "OK", "OK")
}
