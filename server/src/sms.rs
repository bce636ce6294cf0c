//! Text messages (短信) to mainland mobiles: verification codes of
//! resident accounts and one-time rating links.
//!
//! One trait, [`SmsGateway`], with one provider: Alibaba Cloud SMS
//! (阿里云短信服务) `SendSms`, API version 2017-05-25, called as its RPC
//! API documents it — a form POST of the common parameters (`AccessKeyId`,
//! `Action`, `Format`, `RegionId`, `SignatureMethod=HMAC-SHA1`,
//! `SignatureNonce`, `SignatureVersion=1.0`, `Timestamp`, `Version`) and the
//! operation's (`PhoneNumbers`, `SignName`, `TemplateCode`, `TemplateParam`
//! as JSON), signed with signature version 1.0:
//!
//! ```text
//! CanonicalizedQueryString = the parameters but Signature, sorted by name,
//!                            name=value joined by '&', each percent-encoded
//!                            (RFC 3986: only A-Z a-z 0-9 - _ . ~ kept)
//! StringToSign = "POST" + "&" + percentEncode("/") + "&" + percentEncode(CanonicalizedQueryString)
//! Signature    = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
//! ```
//!
//! The answer is JSON `{"Code": "OK" | error code, "Message", "RequestId",
//! "BizId"}`; [`classify`] maps the documented error codes to retry (a
//! passing fault of the provider) or give up (a wrong number, template,
//! signature or account, or the provider's own flow control, which a retry
//! within seconds cannot pass).
//!
//! [`Sms`] puts the limits in front of the gateway, counted in the database
//! so they hold across server instances: verification codes 1 a minute, 5
//! an hour and 10 a day per number (the provider's default flow control for
//! codes) and 20 an hour per client address; rating links 10 a day per
//! number (a requester whose orders are resolved together gets each);
//! notices 5 an hour per number. [`Sms::reserve`] counts a message inside
//! the transaction that queues it (codes and rating links go through the
//! notification queue, `notifications::phone`), as one step under a lock
//! per number on PostgreSQL. Without a configured provider every send
//! answers [`SmsError::NotConfigured`]: nothing pretends to be sent, and
//! `/health` says so.

use crate::store::{Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a message is for: picks the provider's template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsPurpose {
    /// A verification code: template parameter `code`.
    VerificationCode,
    /// A one-time rating link: template parameter `link`.
    RatingLink,
    /// A notification to someone without the app open or a push device:
    /// template parameters `order` (the order's id) and `status` (what
    /// happened, a few words); never a description or a contact.
    Notice,
}

impl SmsPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsPurpose::VerificationCode => "code",
            SmsPurpose::RatingLink => "rating",
            SmsPurpose::Notice => "notice",
        }
    }
}

/// One message to one mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// A normalised mainland mobile number (11 digits).
    pub phone: String,
    pub purpose: SmsPurpose,
    /// The template's parameters.
    pub params: BTreeMap<String, String>,
}

/// The provider's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReceipt {
    /// The provider's id of the message (`BizId`).
    pub provider_id: String,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// No provider configured (`sms_provider` in the configuration).
    #[error("no SMS provider is configured (set sms_provider and its keys)")]
    NotConfigured,
    /// A passing fault: trying again later may work.
    #[error("the SMS provider failed for now ({code}: {message})")]
    Retry { code: String, message: String },
    /// Trying again will not help (a wrong number, template, signature,
    /// account or the provider's flow control).
    #[error("the SMS provider refused the message ({code}: {message})")]
    GiveUp { code: String, message: String },
    /// Our own limit for the number or the client address.
    #[error(
        "too many messages to this number or from this client; try again in {retry_after_secs} s"
    )]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SmsError {
    /// The short name recorded with a rating request.
    pub fn code(&self) -> String {
        match self {
            SmsError::NotConfigured => "not_configured".into(),
            SmsError::Retry { code, .. } | SmsError::GiveUp { code, .. } => code.clone(),
            SmsError::RateLimited { .. } => "rate_limited".into(),
            SmsError::Store(_) => "store".into(),
        }
    }
}

/// A future a gateway answers with.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<SmsReceipt, SmsError>> + Send + 'a>>;

/// A provider of text messages.
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    /// The provider's name, for `/health`.
    fn provider(&self) -> &'static str;
    /// Sends one message once (no retries: [`Sms`] decides those).
    fn send<'a>(&'a self, message: &'a SmsMessage) -> SendFuture<'a>;
}

/// The settings of Alibaba Cloud SMS.
#[derive(Debug, Clone)]
pub struct AliyunConfig {
    /// `https://dysmsapi.aliyuncs.com/` unless told otherwise.
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub region_id: String,
    /// The approved signature name (签名), e.g. 龙湾公共法律服务.
    pub sign_name: String,
    /// The approved template of verification codes, parameter `code`.
    pub code_template: String,
    /// The approved template of rating links, parameter `link`.
    pub rating_template: String,
    /// The approved template of notifications, parameters `order` and
    /// `status` (none: notifications are not sent by SMS).
    pub notice_template: Option<String>,
}

/// The documented endpoint of the SMS API.
pub const ALIYUN_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";

/// Alibaba Cloud SMS `SendSms`.
#[derive(Debug)]
pub struct AliyunSms {
    config: AliyunConfig,
    http: reqwest::Client,
}

/// RFC 3986 unreserved characters are kept; everything else is encoded,
/// a space as `%20` (never `+`), as the signature method requires.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encoding as the RPC signature method defines it.
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// The signature (version 1.0, HMAC-SHA1) of a POST with `params`
/// (without `Signature`).
pub fn aliyun_signature(params: &BTreeMap<String, String>, access_key_secret: &str) -> String {
    let canonical = canonical_query(params);
    let string_to_sign = format!(
        "POST&{}&{}",
        percent_encode("/"),
        percent_encode(&canonical)
    );
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{access_key_secret}&").as_bytes(),
    );
    STANDARD.encode(ring::hmac::sign(&key, string_to_sign.as_bytes()).as_ref())
}

/// The parameters sorted by name (a BTreeMap is), encoded and joined.
fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What `SendSms` answers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AliyunReply {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    biz_id: Option<String>,
}

/// Whether an error code of the provider is worth retrying soon.
pub fn classify(code: &str, message: &str) -> SmsError {
    let retry = matches!(
        code,
        "isp.SYSTEM_ERROR"
            | "isp.GATEWAY_ERROR"
            | "isp.OUT_OF_SERVICE"
            | "Throttling"
            | "Throttling.User"
            | "Throttling.Api"
            | "ServiceUnavailable"
            | "InternalError"
            | "SignatureNonceUsed"
    );
    if retry {
        SmsError::Retry {
            code: code.into(),
            message: message.into(),
        }
    } else {
        // isv.MOBILE_NUMBER_ILLEGAL, isv.SMS_TEMPLATE_ILLEGAL,
        // isv.SMS_SIGNATURE_ILLEGAL, isv.TEMPLATE_MISSING_PARAMETERS,
        // isv.INVALID_JSON_PARAM, isv.AMOUNT_NOT_ENOUGH,
        // isv.BUSINESS_LIMIT_CONTROL (the provider's per-number flow
        // control), isv.DAY_LIMIT_CONTROL, isv.BLACK_KEY_CONTROL_LIMIT,
        // SignatureDoesNotMatch, InvalidAccessKeyId.NotFound, …
        SmsError::GiveUp {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl AliyunSms {
    pub fn new(config: AliyunConfig) -> Result<Self, String> {
        if !(config.endpoint.starts_with("https://") || config.endpoint.starts_with("http://")) {
            return Err(format!(
                "sms_endpoint {:?} is not an http(s) URL",
                config.endpoint
            ));
        }
        for (key, value) in [
            ("sms_access_key_id", &config.access_key_id),
            ("sms_access_key_secret", &config.access_key_secret),
            ("sms_sign_name", &config.sign_name),
            ("sms_code_template", &config.code_template),
            ("sms_rating_template", &config.rating_template),
        ] {
            if value.trim().is_empty() {
                return Err(format!("sms_provider = \"aliyun\" needs {key}"));
            }
        }
        // rustls with ring, as the phone library: installed once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("the SMS HTTP client: {e}"))?;
        Ok(AliyunSms { config, http })
    }

    /// The signed parameters of one message at `now` with `nonce`.
    pub fn signed_params(
        &self,
        message: &SmsMessage,
        now: DateTime<Utc>,
        nonce: &str,
    ) -> BTreeMap<String, String> {
        let c = &self.config;
        let template = match message.purpose {
            SmsPurpose::VerificationCode => &c.code_template,
            SmsPurpose::RatingLink => &c.rating_template,
            // `send` refuses a notice without its template first.
            SmsPurpose::Notice => c.notice_template.as_ref().unwrap_or(&c.rating_template),
        };
        let mut p = BTreeMap::new();
        for (k, v) in [
            ("AccessKeyId", c.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("RegionId", c.region_id.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("Version", "2017-05-25"),
            ("PhoneNumbers", message.phone.as_str()),
            ("SignName", c.sign_name.as_str()),
            ("TemplateCode", template.as_str()),
        ] {
            p.insert(k.to_string(), v.to_string());
        }
        p.insert(
            "Timestamp".into(),
            now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        p.insert(
            "TemplateParam".into(),
            serde_json::to_string(&message.params).unwrap_or_else(|_| "{}".into()),
        );
        let signature = aliyun_signature(&p, &c.access_key_secret);
        p.insert("Signature".into(), signature);
        p
    }
}

impl SmsGateway for AliyunSms {
    fn provider(&self) -> &'static str {
        "aliyun"
    }

    fn send<'a>(&'a self, message: &'a SmsMessage) -> SendFuture<'a> {
        Box::pin(async move {
            if message.purpose == SmsPurpose::Notice && self.config.notice_template.is_none() {
                return Err(SmsError::GiveUp {
                    code: "no_notice_template".into(),
                    message: "no SMS template for notifications is configured".into(),
                });
            }
            let nonce = crate::auth::random_key("").map_err(|e| SmsError::Retry {
                code: "nonce".into(),
                message: e.to_string(),
            })?;
            let params = self.signed_params(message, Utc::now(), &nonce);
            let body = canonical_query(&params);
            let reply = self
                .http
                .post(&self.config.endpoint)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|e| SmsError::Retry {
                    code: "transport".into(),
                    message: e.without_url().to_string(),
                })?;
            let status = reply.status();
            let bytes = reply.bytes().await.map_err(|e| SmsError::Retry {
                code: "transport".into(),
                message: e.without_url().to_string(),
            })?;
            match serde_json::from_slice::<AliyunReply>(&bytes) {
                Ok(r) if r.code == "OK" => Ok(SmsReceipt {
                    provider_id: r.biz_id.unwrap_or_default(),
                }),
                Ok(r) => Err(classify(&r.code, &r.message)),
                Err(_) if status.is_server_error() => Err(SmsError::Retry {
                    code: format!("http_{}", status.as_u16()),
                    message: "the provider answered an error page".into(),
                }),
                Err(_) => Err(SmsError::GiveUp {
                    code: format!("http_{}", status.as_u16()),
                    message: "the provider's answer is not the documented JSON".into(),
                }),
            }
        })
    }
}

/// Limits in front of the provider.
#[derive(Debug, Clone, Copy)]
pub struct SmsLimits {
    /// Codes per number: (window, most messages in it).
    pub per_number: [(Duration, i64); 3],
    /// Rating links per number in a day.
    pub links_per_number_day: i64,
    /// Notifications per number: at most this many an hour.
    pub notices_per_number_hour: i64,
    /// Codes asked for by one client address in an hour.
    pub per_client_hour: i64,
    /// Attempts of one message on a passing fault.
    pub attempts: u32,
}

impl Default for SmsLimits {
    fn default() -> Self {
        SmsLimits {
            per_number: [
                (Duration::minutes(1), 1),
                (Duration::hours(1), 5),
                (Duration::days(1), 10),
            ],
            links_per_number_day: 10,
            notices_per_number_hour: 5,
            per_client_hour: 20,
            attempts: 3,
        }
    }
}

/// The sender the server uses: limits, retries and the gateway, if any.
#[derive(Debug, Clone, Default)]
pub struct Sms {
    gateway: Option<Arc<dyn SmsGateway>>,
    pub limits: SmsLimits,
}

/// The sha256 under which a mobile number is counted (the number itself
/// is not stored for the limits).
pub fn phone_hash(phone: &str) -> String {
    crate::auth::token_hash(&format!("sms-phone:{phone}"))
}

impl Sms {
    pub fn new(gateway: Option<Arc<dyn SmsGateway>>) -> Self {
        Sms {
            gateway,
            limits: SmsLimits::default(),
        }
    }

    /// `aliyun`, or `not_configured`.
    pub fn provider(&self) -> &'static str {
        self.gateway
            .as_ref()
            .map_or("not_configured", |g| g.provider())
    }

    pub fn is_configured(&self) -> bool {
        self.gateway.is_some()
    }

    /// The limits of `purpose`: (window, most messages in it) per number.
    fn windows(&self, purpose: SmsPurpose) -> Vec<(Duration, i64)> {
        match purpose {
            SmsPurpose::VerificationCode => self.limits.per_number.to_vec(),
            SmsPurpose::RatingLink => vec![(Duration::days(1), self.limits.links_per_number_day)],
            SmsPurpose::Notice => vec![(Duration::hours(1), self.limits.notices_per_number_hour)],
        }
    }

    /// Counts one message to `phone` (asked for by `client`, for codes)
    /// against the limits, on `conn` — inside the transaction that queues
    /// the message, so a refused one leaves nothing and an accepted one is
    /// counted exactly when it is queued. The count and the record are one
    /// step for every server instance: on PostgreSQL a transaction-level
    /// lock per number (and per client address) is held to the commit, so
    /// two instances counting the same number at once take turns instead
    /// of both reading "under the limit"; SQLite writes one transaction at
    /// a time anyway (`BEGIN IMMEDIATE`).
    pub async fn reserve(
        &self,
        conn: &mut sqlx::AnyConnection,
        phone: &str,
        purpose: SmsPurpose,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), SmsError> {
        let hash = phone_hash(phone);
        if conn.backend_name() == "PostgreSQL" {
            // Lock keys in ascending order: no two transactions wait on
            // each other in a cycle.
            let mut keys = vec![lock_key(&hash)];
            if let Some(client) = client {
                keys.push(lock_key(&format!("client:{client}")));
            }
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1, $2)")
                    .bind(LIMIT_LOCK_CLASS)
                    .bind(key)
                    .execute(&mut *conn)
                    .await
                    .map_err(StoreError::from)?;
            }
        }
        for (window, most) in self.windows(purpose) {
            let sent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sms_sends WHERE phone_hash = $1 AND purpose = $2 AND at > $3",
            )
            .bind(&hash)
            .bind(purpose.as_str())
            .bind(crate::store::millis(now - window))
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::from)?;
            if sent >= most {
                return Err(SmsError::RateLimited {
                    retry_after_secs: window.num_seconds().max(1) as u64,
                });
            }
        }
        if let Some(client) = client {
            let asked: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sms_sends WHERE client = $1 AND at > $2")
                    .bind(client)
                    .bind(crate::store::millis(now - Duration::hours(1)))
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(StoreError::from)?;
            if asked >= self.limits.per_client_hour {
                return Err(SmsError::RateLimited {
                    retry_after_secs: 3600,
                });
            }
        }
        sqlx::query(
            "INSERT INTO sms_sends (phone_hash, client, purpose, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&hash)
        .bind(client.unwrap_or(""))
        .bind(purpose.as_str())
        .bind(crate::store::millis(now))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
        Ok(())
    }

    /// Sends one message within the limits (counted as it is sent), retrying
    /// a passing fault a few times (0.2 s, then 1 s apart).
    pub async fn send(
        &self,
        store: &Store,
        message: &SmsMessage,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SmsReceipt, SmsError> {
        let gateway = self.gateway.as_ref().ok_or(SmsError::NotConfigured)?;
        let mut tx = store.begin_write().await?;
        if let Err(e) = self
            .reserve(&mut tx, &message.phone, message.purpose, client, now)
            .await
        {
            tx.rollback().await.map_err(StoreError::from)?;
            return Err(e);
        }
        tx.commit().await.map_err(StoreError::from)?;
        let mut delay = std::time::Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            match gateway.send(message).await {
                Err(SmsError::Retry { code, message: why }) if attempt < self.limits.attempts => {
                    tracing::warn!(%code, %why, attempt, "SMS not sent, retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 5;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Hands a queued message to the provider once: it was counted against
    /// the limits when it was queued, and the queue decides the retries.
    pub async fn send_queued(&self, message: &SmsMessage) -> Result<SmsReceipt, SmsError> {
        let gateway = self.gateway.as_ref().ok_or(SmsError::NotConfigured)?;
        gateway.send(message).await
    }
}

/// The advisory lock class of the SMS limits: "LC" "SM".
const LIMIT_LOCK_CLASS: i32 = 0x4C43_534D;

/// The lock key of a counted name: the first 31 bits of its sha256 (two
/// names sharing one only take turns needlessly).
fn lock_key(name: &str) -> i32 {
    let digest = ring::digest::digest(&ring::digest::SHA256, name.as_bytes());
    let b = digest.as_ref();
    i32::from_be_bytes([b[0] & 0x7f, b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_the_signature_method() {
        assert_eq!(percent_encode("a b*c~d/e+f"), "a%20b%2Ac~d%2Fe%2Bf");
        assert_eq!(percent_encode("龙"), "%E9%BE%99");
        assert_eq!(
            percent_encode("{\"code\":\"1\"}"),
            "%7B%22code%22%3A%221%22%7D"
        );
    }

    #[test]
    fn the_signature_is_hmac_sha1_of_the_canonical_post() {
        let mut p = BTreeMap::new();
        p.insert("B".to_string(), "2 3".to_string());
        p.insert("A".to_string(), "1".to_string());
        let expected = {
            let sts = "POST&%2F&A%3D1%26B%3D2%25203";
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, b"secret&");
            STANDARD.encode(ring::hmac::sign(&key, sts.as_bytes()).as_ref())
        };
        assert_eq!(aliyun_signature(&p, "secret"), expected);
    }

    #[test]
    fn error_codes_map_to_retry_or_give_up() {
        assert!(matches!(
            classify("isp.SYSTEM_ERROR", ""),
            SmsError::Retry { .. }
        ));
        assert!(matches!(
            classify("Throttling.User", ""),
            SmsError::Retry { .. }
        ));
        for code in [
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.BUSINESS_LIMIT_CONTROL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "SignatureDoesNotMatch",
        ] {
            assert!(
                matches!(classify(code, ""), SmsError::GiveUp { .. }),
                "{code}"
            );
        }
    }
}
