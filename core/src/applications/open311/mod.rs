//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>), so an
//! existing Open311 client can list our application types, file a request
//! and follow it. This module holds the specification's data shapes with
//! its field names, their JSON (serde) and XML renderings, the mapping
//! from our [`ServiceDefinition`]s, and the status mapping from our order
//! states; [`request`] parses the form-encoded POST and the `requests`
//! query and turns a POST into a validated application.
//!
//! Identifiers (`service_code`, `service_request_id`, `token`) are
//! strings: the specification's XML has no types, and its JSON examples
//! write `001`, which is not valid JSON.
//!
//! XML is written by hand: the shapes are flat and fixed, the spec wants
//! no namespaces and no attributes, and a small escaping writer keeps an
//! XML crate out of the phone library.

pub mod request;
pub mod xml;

#[cfg(test)]
mod tests;

pub use request::{NewServiceRequest, RequestsQuery, intake, parse_post, parse_requests_query};

use crate::applications::{Datatype, ServiceDefinition};
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};

/// Default query limit of `GET requests` (spec: "first 1000 requests").
pub const DEFAULT_QUERY_LIMIT: usize = 1000;
/// Widest `start_date`–`end_date` span of `GET requests`, in days.
pub const MAX_QUERY_SPAN_DAYS: i64 = 90;
/// Longest `description` the spec allows, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// The language names and descriptions are rendered in (Open311 has
/// none; the server picks it from `Accept-Language` or a `locale`
/// parameter). Chinese unless English is asked for.
pub use crate::language::Language;

impl Language {
    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Zh if !zh.is_empty() => zh,
            Language::En if !en.is_empty() => en,
            _ if zh.is_empty() => en,
            _ => zh,
        }
    }
}

/// Response format, from the resource's extension (`services.json`,
/// `requests.xml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `json` or `xml` (case-insensitive); anything else is not a format.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    /// The Content-Type the spec asks for.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// `type` of a service: how a POST answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceType {
    /// The `service_request_id` comes back at once (ours: an order is
    /// created in the same transaction).
    Realtime,
    /// A `token` comes back, to be exchanged later.
    Batch,
    /// Nothing comes back.
    Blackbox,
}

impl ServiceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::Realtime => "realtime",
            ServiceType::Batch => "batch",
            ServiceType::Blackbox => "blackbox",
        }
    }
}

/// `status` of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    /// `open` or `closed`.
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim() {
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

/// Maps one of our order states (by name, so this does not depend on the
/// order module) onto Open311's two: everything still being handled is
/// `open` (submitted 已提交, open 待接单, claimed 已抢单, assigned 已派单,
/// in_progress 办理中, transferred 已流转, escalated 已督办); everything
/// finished is `closed` (resolved 已办结, evaluated 已评价, closed 已关闭,
/// cancelled 已撤回). An unknown state gives `None`: the caller decides,
/// rather than a guess being published.
pub fn status_for_state(state: &str) -> Option<Status> {
    match state {
        "submitted" | "open" | "claimed" | "assigned" | "in_progress" | "transferred"
        | "escalated" => Some(Status::Open),
        "resolved" | "evaluated" | "closed" | "cancelled" => Some(Status::Closed),
        _ => None,
    }
}

/// One entry of `GET services` (service list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// `true`: call `GET services/{code}` for the attributes.
    pub metadata: bool,
    #[serde(rename = "type")]
    pub service_type: ServiceType,
    /// Comma-separated keywords.
    pub keywords: String,
    pub group: String,
}

/// One option of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// One attribute of a service definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: String,
    pub datatype: Datatype,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: u32,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<AttributeValue>,
}

/// `GET services/{service_code}` (service definition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDefinitionDoc {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// One request as `GET requests` and `GET requests/{id}` return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: Status,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    #[serde(with = "w3")]
    pub requested_datetime: DateTime<FixedOffset>,
    #[serde(with = "w3_opt")]
    pub updated_datetime: Option<DateTime<FixedOffset>>,
    #[serde(with = "w3_opt")]
    pub expected_datetime: Option<DateTime<FixedOffset>>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// The answer to `POST requests`: exactly one of `service_request_id`
/// (realtime) and `token` (batch) is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

/// `GET tokens/{token}`: the request id once known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub service_request_id: Option<String>,
    pub token: String,
}

/// One entry of the spec's error format (`[{code, description}]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open311Error {
    /// Usually the HTTP status (400, 403, 404).
    pub code: u16,
    /// Meant for the user.
    pub description: String,
}

impl Open311Error {
    pub fn bad_request(description: impl Into<String>) -> Self {
        Open311Error {
            code: 400,
            description: description.into(),
        }
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        Open311Error {
            code: 404,
            description: description.into(),
        }
    }

    pub fn forbidden(description: impl Into<String>) -> Self {
        Open311Error {
            code: 403,
            description: description.into(),
        }
    }
}

/// The HTTP status for a list of errors, per the spec: 404 for a missing
/// resource, 403 for a wrong or missing api_key, 400 otherwise.
pub fn http_status(errors: &[Open311Error]) -> u16 {
    if errors.iter().any(|e| e.code == 404) {
        404
    } else if errors.iter().any(|e| e.code == 403) {
        403
    } else {
        400
    }
}

/// Anything an Open311 endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Payload<'a> {
    Services(&'a [Service]),
    Definition(&'a ServiceDefinitionDoc),
    Requests(&'a [ServiceRequest]),
    Posted(&'a [PostResponse]),
    Tokens(&'a [TokenResponse]),
    Errors(&'a [Open311Error]),
}

impl Payload<'_> {
    /// The body in the asked format: JSON arrays (an object for a
    /// definition), or XML under the spec's root elements (`services`,
    /// `service_definition`, `service_requests`, `errors`).
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Xml => xml::render(self),
            Format::Json => {
                let json = match self {
                    Payload::Services(v) => serde_json::to_string(v),
                    Payload::Definition(v) => serde_json::to_string(v),
                    Payload::Requests(v) => serde_json::to_string(v),
                    Payload::Posted(v) => serde_json::to_string(v),
                    Payload::Tokens(v) => serde_json::to_string(v),
                    Payload::Errors(v) => serde_json::to_string(v),
                };
                // Serialising these plain shapes cannot fail (string keys,
                // finite-or-null numbers); keep a valid error body anyway.
                json.unwrap_or_else(|e| {
                    format!(
                        r#"[{{"code":500,"description":"{}"}}]"#,
                        e.to_string().replace('"', "'")
                    )
                })
            }
        }
    }
}

/// Our definition as an Open311 service-list entry. Every type is
/// `realtime` (an order is created at once) and has `metadata` when it
/// has questions.
pub fn service_from_definition(def: &ServiceDefinition, lang: Language) -> Service {
    Service {
        service_code: def.code.clone(),
        service_name: lang.pick(&def.name_zh, &def.name_en).to_string(),
        description: lang
            .pick(&def.description_zh, &def.description_en)
            .to_string(),
        metadata: !def.attributes.is_empty(),
        service_type: ServiceType::Realtime,
        keywords: def.keywords.join(", "),
        group: def.group.clone(),
    }
}

/// Our definition as an Open311 service definition: attributes in
/// display order, help text as `datatype_description`.
pub fn definition_doc(def: &ServiceDefinition, lang: Language) -> ServiceDefinitionDoc {
    let attributes = def
        .attributes_in_order()
        .into_iter()
        .map(|a| {
            let help = lang.pick(&a.help_zh, &a.help_en);
            Attribute {
                variable: a.variable,
                code: a.code.clone(),
                datatype: a.datatype,
                required: a.required,
                datatype_description: (!help.is_empty()).then(|| help.to_string()),
                order: a.order,
                description: lang.pick(&a.description_zh, &a.description_en).to_string(),
                values: a
                    .values
                    .iter()
                    .map(|v| AttributeValue {
                        key: v.key.clone(),
                        name: lang.pick(&v.name_zh, &v.name_en).to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    ServiceDefinitionDoc {
        service_code: def.code.clone(),
        attributes,
    }
}

/// The `service_notice` of a type in a language, if it has one.
pub fn service_notice(def: &ServiceDefinition, lang: Language) -> Option<String> {
    let n = lang.pick(&def.notice_zh, &def.notice_en);
    (!n.is_empty()).then(|| n.to_string())
}

/// `expected_datetime` of a request: its type's deadline counted from the
/// request, at the same time of day. `is_working_day` supplies the
/// holiday calendar for working-day deadlines
/// ([`crate::applications::weekdays_only`] without one).
pub fn expected_datetime(
    def: &ServiceDefinition,
    requested: DateTime<FixedOffset>,
    is_working_day: impl Fn(NaiveDate) -> bool,
) -> DateTime<FixedOffset> {
    let start = requested.date_naive();
    let due = def.deadline.due_date(start, is_working_day);
    requested + (due - start)
}

/// Formats a date-time in the W3C profile of ISO 8601 the spec requires
/// (seconds, `Z` or `±hh:mm`).
pub fn w3_datetime(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

mod w3 {
    use chrono::{DateTime, FixedOffset};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::w3_datetime(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

mod w3_opt {
    use chrono::{DateTime, FixedOffset};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::w3_datetime(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}
