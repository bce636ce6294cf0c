//! The inbound side of Open311: the form-encoded `POST requests` body
//! (with `attribute[CODE]=v` and, for multivaluelists,
//! `attribute[CODE][]=v1&attribute[CODE][]=v2`), the `GET requests`
//! query, and [`intake`], which validates a POST against our application
//! type with the same code the phone runs. Every fault is reported, in
//! the spec's error format.

use super::{MAX_DESCRIPTION_CHARS, MAX_QUERY_SPAN_DAYS, Open311Error, Status};
use crate::applications::{
    AnswerError, AnswerValue, ServiceRegistry, ValidatedApplication, parse_answer, validate,
};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A parsed `POST requests` body. Blank parameters count as absent (the
/// spec: "a null parameter should be treated as equivalent to a
/// non-declared parameter").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewServiceRequest {
    pub api_key: Option<String>,
    pub jurisdiction_id: Option<String>,
    pub service_code: String,
    /// WGS-84, as the spec says.
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// Our extension: `true` once the requester agreed to the privacy
    /// notice (PIPL); the server files nothing without it.
    #[serde(default)]
    pub consent: Option<String>,
    /// The version of the notice the requester agreed to.
    #[serde(default)]
    pub consent_notice_version: Option<String>,
    /// When they agreed (RFC 3339); the time of the POST when absent.
    #[serde(default)]
    pub consent_at: Option<String>,
    /// `attribute[CODE]` values by code, in the order sent.
    pub attributes: BTreeMap<String, Vec<String>>,
}

const SCALARS: [&str; 18] = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "consent",
    "consent_notice_version",
    "consent_at",
];

/// `attribute[CODE]` or `attribute[CODE][]` → `CODE`; `Err` for a key
/// that starts like an attribute but is malformed.
fn attribute_code(key: &str) -> Option<Result<&str, ()>> {
    let rest = key.strip_prefix("attribute")?;
    let inner = rest
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix("[]").unwrap_or(r).strip_suffix(']'));
    Some(match inner {
        Some(code) if !code.is_empty() && !code.contains(['[', ']']) => Ok(code),
        _ => Err(()),
    })
}

fn parse_coordinate(
    name: &str,
    raw: &str,
    limit: f64,
    errors: &mut Vec<Open311Error>,
) -> Option<f64> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
        _ => {
            errors.push(Open311Error::bad_request(format!(
                "{name} must be a WGS-84 coordinate between -{limit} and {limit}, got {raw:?}"
            )));
            None
        }
    }
}

/// Parses an `application/x-www-form-urlencoded` POST body. Unknown
/// parameters are ignored (clients add their own); repeated scalar
/// parameters, malformed `attribute[…]` keys, a missing `service_code`,
/// a missing location (one of `lat`+`long`, `address_string`,
/// `address_id`) and bad coordinates are errors, all reported together.
pub fn parse_post(body: &[u8]) -> Result<NewServiceRequest, Vec<Open311Error>> {
    let mut errors = Vec::new();
    let mut scalars: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut repeated = BTreeSet::new();
    for (key, value) in form_urlencoded::parse(body) {
        if let Some(code) = attribute_code(&key) {
            match code {
                Ok(code) => attributes.entry(code.to_string()).or_default().push(value.into_owned()),
                Err(()) => errors.push(Open311Error::bad_request(format!(
                    "malformed parameter {key:?}: use attribute[CODE]=value, or attribute[CODE][]=value for several values"
                ))),
            }
            continue;
        }
        if let Some(name) = SCALARS.iter().find(|n| **n == key) {
            let value = value.trim().to_string();
            if value.is_empty() {
                continue;
            }
            if scalars.insert(name, value).is_some() {
                repeated.insert(*name);
            }
        }
    }
    for name in repeated {
        errors.push(Open311Error::bad_request(format!(
            "{name} was given more than once"
        )));
    }
    let mut take = |name: &str| scalars.remove(name);
    let service_code = take("service_code");
    if service_code.is_none() {
        errors.push(Open311Error::bad_request("service_code was not provided"));
    }
    let lat_raw = take("lat");
    let long_raw = take("long");
    let lat = lat_raw
        .as_deref()
        .and_then(|r| parse_coordinate("lat", r, 90.0, &mut errors));
    let long = long_raw
        .as_deref()
        .and_then(|r| parse_coordinate("long", r, 180.0, &mut errors));
    if lat_raw.is_some() != long_raw.is_some() {
        errors.push(Open311Error::bad_request(
            "lat and long must be sent together",
        ));
    }
    let request = NewServiceRequest {
        api_key: take("api_key"),
        jurisdiction_id: take("jurisdiction_id"),
        service_code: service_code.unwrap_or_default(),
        lat,
        long,
        address_string: take("address_string"),
        address_id: take("address_id"),
        email: take("email"),
        device_id: take("device_id"),
        account_id: take("account_id"),
        first_name: take("first_name"),
        last_name: take("last_name"),
        phone: take("phone"),
        description: take("description"),
        media_url: take("media_url"),
        consent: take("consent"),
        consent_notice_version: take("consent_notice_version"),
        consent_at: take("consent_at"),
        attributes,
    };
    let has_point = lat_raw.is_some() && long_raw.is_some();
    if !has_point && request.address_string.is_none() && request.address_id.is_none() {
        errors.push(Open311Error::bad_request(
            "a location is required: lat and long, address_string or address_id",
        ));
    }
    if let Some(d) = &request.description
        && d.chars().count() > MAX_DESCRIPTION_CHARS
    {
        errors.push(Open311Error::bad_request(format!(
            "description is longer than {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(errors)
    }
}

fn field_error(e: &AnswerError) -> Open311Error {
    Open311Error::bad_request(format!("attribute[{}]: {}", e.field, e.reason))
}

/// Turns a parsed POST into an application validated against the newest
/// version of its type: 404 for an unknown or retired `service_code`,
/// 400 for each faulty attribute (named `attribute[CODE]`). Attributes
/// are parsed with [`parse_answer`] and checked with [`validate`], the
/// functions the phone's form uses.
pub fn intake(
    catalog: &ServiceRegistry,
    request: &NewServiceRequest,
    now: DateTime<Utc>,
) -> Result<ValidatedApplication, Vec<Open311Error>> {
    let code = &request.service_code;
    let def = match catalog.latest(code) {
        Some(d) if d.active => d,
        _ => {
            return Err(vec![Open311Error::not_found(format!(
                "service_code {code:?} was not found"
            ))]);
        }
    };
    let mut errors = Vec::new();
    let mut failed = BTreeSet::new();
    let mut answers: BTreeMap<String, AnswerValue> = BTreeMap::new();
    for (field, raws) in &request.attributes {
        let Some(attr) = def.attribute(field) else {
            // Let validate() report it with every other fault.
            answers.insert(field.clone(), AnswerValue::Text(raws.join(",")));
            continue;
        };
        match parse_answer(attr, raws) {
            Ok(Some(v)) => {
                answers.insert(field.clone(), v);
            }
            Ok(None) => {}
            Err(reason) => {
                failed.insert(field.clone());
                errors.push(field_error(&AnswerError::new(field, reason)));
            }
        }
    }
    match validate(def, &answers, now) {
        Ok(app) if errors.is_empty() => Ok(app),
        Ok(_) => Err(errors),
        Err(field_errors) => {
            errors.extend(
                field_errors
                    .iter()
                    .filter(|e| !failed.contains(&e.field))
                    .map(field_error),
            );
            Err(errors)
        }
    }
}

/// A parsed `GET requests` query with its date range resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsQuery {
    /// When non-empty, these ids only: the spec says this overrides all
    /// other arguments.
    pub service_request_ids: Vec<String>,
    /// Empty: every service.
    pub service_codes: Vec<String>,
    pub start_date: DateTime<FixedOffset>,
    pub end_date: DateTime<FixedOffset>,
    /// Empty: every status.
    pub statuses: Vec<Status>,
}

fn comma_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses the `GET requests` query string (`service_request_id`,
/// `service_code`, `start_date`, `end_date`, `status`; lists comma
/// delimited or repeated). Without dates the range is the 90 days up to
/// `now`; with one date it extends 90 days from it; a range longer than
/// 90 days, a start after the end and unparseable dates or statuses are
/// errors.
pub fn parse_requests_query(
    query: &str,
    now: DateTime<Utc>,
) -> Result<RequestsQuery, Vec<Open311Error>> {
    let mut errors = Vec::new();
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    let mut statuses = Vec::new();
    let mut start = None;
    let mut end = None;
    let span = Duration::days(MAX_QUERY_SPAN_DAYS);
    for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        match key.as_ref() {
            "service_request_id" => ids.extend(comma_list(&value)),
            "service_code" => codes.extend(comma_list(&value)),
            "status" => {
                for s in comma_list(&value) {
                    match Status::parse(&s) {
                        Some(st) if !statuses.contains(&st) => statuses.push(st),
                        Some(_) => {}
                        None => errors.push(Open311Error::bad_request(format!(
                            "status must be open or closed, got {s:?}"
                        ))),
                    }
                }
            }
            "start_date" | "end_date" if value.trim().is_empty() => {}
            "start_date" | "end_date" => match DateTime::parse_from_rfc3339(value.trim()) {
                Ok(t) if key == "start_date" => start = Some(t),
                Ok(t) => end = Some(t),
                Err(_) => errors.push(Open311Error::bad_request(format!(
                    "{key} must be a W3C date-time with its offset, e.g. 2010-01-01T00:00:00Z, got {value:?}"
                ))),
            },
            _ => {}
        }
    }
    let now = now.fixed_offset();
    let (start, end) = match (start, end) {
        (None, None) => (now - span, now),
        (Some(s), None) => (s, s + span),
        (None, Some(e)) => (e - span, e),
        (Some(s), Some(e)) => (s, e),
    };
    if start > end {
        errors.push(Open311Error::bad_request("start_date is after end_date"));
    } else if end - start > span {
        errors.push(Open311Error::bad_request(format!(
            "start_date and end_date may not span more than {MAX_QUERY_SPAN_DAYS} days"
        )));
    }
    if errors.is_empty() {
        Ok(RequestsQuery {
            service_request_ids: ids,
            service_codes: codes,
            start_date: start,
            end_date: end,
            statuses,
        })
    } else {
        Err(errors)
    }
}
