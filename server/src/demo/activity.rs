//! The in-process API client that makes the demo activity through the
//! server's own router, on a clock of its own.

use super::people::{DemoAccount, DemoPeopleError};
use super::{POST, STREET, VILLAGE};
use crate::auth::random_key;
use crate::state::AppState;
use axum::http::{Method, header};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use lawcircle_api::orders::{EventRequest, OrderView, Position, RatingRequest};
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::geo::coord::Datum;
use lawcircle_core::orders::order::OrderEvent;
use lawcircle_core::volunteers::clock_in::{ClockInPolicy, DeviceInstant, Fix, Provider};
use lawcircle_core::volunteers::punch::{Punch, PunchKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use tower::ServiceExt;

/// Where the needs come from: an address in 蒲州示例5社区 about 450 m
/// from the station post, within the 15-minute walk that decides who is
/// offered a need (straight line × the detour factor without a network).
pub(super) const HERE: (f64, f64) = (27.9715, 120.7465);
/// Where the volunteers stand when they grab: near the station, within a
/// 15-minute walk of the street's point (orders are handled by street).
pub(super) const STATION: (f64, f64) = (27.9675, 120.7455);

/// The in-process API client of the seeding: the server's own router on a
/// clock of its own, set back a few days and moved forward step by step,
/// so the activity has a history (times, deadlines, warnings) of its own.
pub(super) struct Activity {
    pub(super) state: AppState,
    pub(super) app: axum::Router,
    pub(super) tokens: HashMap<&'static str, String>,
    pub(super) ids: HashMap<&'static str, i64>,
    pub(super) needs_filed: usize,
}

impl Activity {
    pub(super) async fn run(
        base: &AppState,
        accounts: &[DemoAccount],
        start: DateTime<Utc>,
        real_now: DateTime<Utc>,
    ) -> Result<usize, DemoPeopleError> {
        let mut state = base.clone();
        // Tokens of the seeding must outlive its few simulated days.
        state.login.token_ttl = chrono::Duration::days(30);
        let app = crate::api::router(state.clone());
        let mut act = Activity {
            state,
            app,
            tokens: HashMap::new(),
            ids: HashMap::new(),
            needs_filed: 0,
        };
        act.set_time(local_time(start, 0, 8, 5));
        for a in accounts {
            let r = act
                .call(
                    "sign in",
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(json!({"username": a.username, "password": a.password})),
                    &[],
                )
                .await?;
            let token = r["token"].as_str().unwrap_or_default().to_string();
            let id = r["account"]["id"].as_i64().unwrap_or_default();
            act.tokens.insert(a.username, token);
            act.ids.insert(a.username, id);
        }
        let mine = act
            .call(
                "list the resident's needs",
                Method::GET,
                "/api/v1/needs",
                Some("demo-resident"),
                None,
                &[],
            )
            .await?;
        let already = mine["items"].as_array().is_some_and(|a| !a.is_empty());
        let told = if already {
            Ok(())
        } else {
            act.story(start, real_now).await
        };
        act.sign_out().await;
        told.map(|()| act.needs_filed)
    }

    /// Sets the seeding clock to `t`.
    pub(super) fn set_time(&self, t: DateTime<Utc>) {
        self.state.clock.advance(t - self.state.clock.now());
    }

    /// One request through the router; any answer but 2xx stops the seeding.
    pub(super) async fn call(
        &self,
        step: &str,
        method: Method,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, String)],
    ) -> Result<Value, DemoPeopleError> {
        let fail = |status: u16, body: String| DemoPeopleError::Step {
            step: step.to_string(),
            status,
            body,
        };
        let mut req = axum::http::Request::builder().method(method).uri(path);
        if let Some(token) = who.and_then(|w| self.tokens.get(w)) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let req = match body {
            Some(Value::String(text)) => req
                .header(header::CONTENT_TYPE, "text/csv")
                .body(axum::body::Body::from(text)),
            Some(v) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(v.to_string())),
            None => req.body(axum::body::Body::empty()),
        }
        .map_err(|e| fail(0, e.to_string()))?;
        let resp = self
            .app
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| fail(0, e.to_string()))?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 4 * 1024 * 1024)
            .await
            .map_err(|e| fail(status.as_u16(), e.to_string()))?;
        if !status.is_success() {
            return Err(fail(
                status.as_u16(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub(super) async fn post(
        &self,
        step: &str,
        who: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, DemoPeopleError> {
        self.call(step, Method::POST, path, Some(who), Some(body), &[])
            .await
    }

    pub(super) async fn get(
        &self,
        step: &str,
        who: &str,
        path: &str,
    ) -> Result<Value, DemoPeopleError> {
        self.call(step, Method::GET, path, Some(who), None, &[])
            .await
    }

    pub(super) fn id(&self, username: &str) -> i64 {
        self.ids.get(username).copied().unwrap_or_default()
    }

    /// Files a need as `who` and returns its order's id.
    pub(super) async fn need(
        &mut self,
        who: &str,
        channel: &str,
        category: &str,
        urgent: bool,
        requester: (&str, &str),
        description: &str,
    ) -> Result<String, DemoPeopleError> {
        let now = self.state.clock.now() - chrono::Duration::minutes(2);
        let mut entered = json!({"at": now});
        if channel == "on_site" {
            entered["post_id"] = json!(POST);
        }
        let body = json!({
            "requester": {"name": requester.0, "phone": requester.1},
            "category": category,
            "description": format!("【示例 demo】{description}"),
            "urgency": if urgent { "urgent" } else { "normal" },
            "location": {"address": "蒲州示例5社区（示例地址）", "area_code": VILLAGE,
                         "point": {"lat": HERE.0, "lng": HERE.1, "datum": "wgs84"}},
            "channel": channel,
            "entered": entered,
            "consent": {"given": true, "at": now, "notice_version": "demo"},
            "attachments": [],
        });
        let key = random_key("demo-need-")?;
        let r = self
            .call(
                &format!("file a {category} need as {who}"),
                Method::POST,
                "/api/v1/needs",
                Some(who),
                Some(body),
                &[("idempotency-key", key)],
            )
            .await?;
        self.needs_filed += 1;
        Ok(r["order_id"].as_str().unwrap_or_default().to_string())
    }

    pub(super) async fn version(&self, order: &str) -> Result<u64, DemoPeopleError> {
        let step = "read an order";
        let r = self
            .get(step, "demo-admin", &format!("/api/v1/orders/{order}"))
            .await?;
        let view: OrderView = serde_json::from_value(r).map_err(|e| DemoPeopleError::Step {
            step: step.to_string(),
            status: 200,
            body: format!("not an order: {e}"),
        })?;
        Ok(view.order.version)
    }

    /// Applies order events in turn, each by its actor.
    pub(super) async fn events(
        &self,
        order: &str,
        steps: &[(&str, OrderEvent)],
    ) -> Result<(), DemoPeopleError> {
        for (who, event) in steps {
            let version = self.version(order).await?;
            self.post(
                &format!("order {order}: {:?} by {who}", event.kind()),
                who,
                &format!("/api/v1/orders/{order}/events"),
                wire(&EventRequest {
                    event: event.clone(),
                    version,
                })?,
            )
            .await?;
        }
        Ok(())
    }

    pub(super) async fn grab(&self, who: &str, order: &str) -> Result<(), DemoPeopleError> {
        self.post(
            &format!("{who} grabs {order}"),
            who,
            &format!("/api/v1/orders/{order}/grab"),
            wire(&Position {
                lat: Some(STATION.0),
                lng: Some(STATION.1),
                datum: None,
            })?,
        )
        .await
        .map(|_| ())
    }

    pub(super) async fn rate(
        &self,
        order: &str,
        score: u8,
        comment: &str,
    ) -> Result<(), DemoPeopleError> {
        self.post(
            &format!("rate {order}"),
            "demo-resident",
            &format!("/api/v1/orders/{order}/rating"),
            wire(&RatingRequest {
                score,
                comment: Some(comment.to_string()),
            })?,
        )
        .await
        .map(|_| ())
    }

    /// A volunteer application, approved by the station staff.
    pub(super) async fn volunteer(
        &self,
        who: &str,
        name: &str,
        phone: &str,
        profession: &str,
        directions: Value,
        specialties: Value,
    ) -> Result<(), DemoPeopleError> {
        let r = self
            .post(
                &format!("{who} applies to volunteer"),
                who,
                "/api/v1/volunteers",
                json!({"name": name, "phone": phone, "profession": profession,
                       "service_directions": directions, "specialties": specialties,
                       "home_street_code": STREET, "availability": "24/7"}),
            )
            .await?;
        let id = r["id"].as_str().unwrap_or_default().to_string();
        self.post(
            &format!("approve {who}"),
            "demo-staff",
            &format!("/api/v1/volunteers/{id}/actions"),
            json!({"action": {"action": "approve"}, "version": r["version"]}),
        )
        .await
        .map(|_| ())
    }

    /// A clock-in punch made on the phone at `at` (now on the seeding
    /// clock), `offset_m` metres north of the post.
    pub(super) async fn punch(
        &self,
        who: &str,
        post: &DutyPost,
        kind: PunchKind,
        offset_m: f64,
        elapsed_ms: u64,
    ) -> Result<(), DemoPeopleError> {
        let now = self.state.clock.now();
        let (lat, lng) = match &post.kind {
            lawcircle_core::catalogue::duty_post::DutyPostKind::Station {
                fence: lawcircle_core::catalogue::duty_post::Fence::Circle { center, .. },
            } => (center.lat, center.lng),
            _ => (HERE.0, HERE.1),
        };
        let at = DeviceInstant {
            wall: now,
            elapsed_ms,
        };
        let fix = Fix {
            lat: lat + offset_m / 111_320.0,
            lng,
            datum: Datum::Wgs84,
            accuracy_m: 8.0,
            provider: Provider::Gps,
            is_mock: false,
            wall_time: now,
            elapsed_ms,
            speed_mps: None,
        };
        let id = random_key("demo-punch-")?;
        let punch = Punch::on_device(
            id.clone(),
            self.id(who).to_string(),
            post,
            kind,
            at,
            Some(fix),
            None,
            false,
            None,
            &ClockInPolicy::default(),
        );
        let body = serde_json::to_value(&punch).map_err(|e| DemoPeopleError::Step {
            step: "encode a punch".into(),
            status: 0,
            body: e.to_string(),
        })?;
        self.call(
            &format!("{who} clocks in"),
            Method::POST,
            "/api/v1/punches",
            Some(who),
            Some(body),
            &[("idempotency-key", id)],
        )
        .await
        .map(|_| ())
    }

    /// Runs the background job once at the seeding clock's time (grab
    /// windows, warnings), as the server would have.
    pub(super) async fn job(&self) -> Result<(), DemoPeopleError> {
        crate::jobs::run_once(
            &self.state,
            &crate::jobs::rules_for(self.state.grab_window_secs),
        )
        .await?;
        Ok(())
    }

    /// Signs the seeding's sessions out (their tokens are revoked).
    pub(super) async fn sign_out(&self) {
        for who in self.tokens.keys() {
            let _ = self
                .call(
                    "sign out",
                    Method::POST,
                    "/api/v1/auth/logout",
                    Some(who),
                    None,
                    &[],
                )
                .await;
        }
    }
}

/// The days after the first on which volunteers clock in at the station.
pub(super) const PUNCH_DAYS: [i64; 2] = [0, 3];

/// Midnight UTC+8 of the first demo day: four days back, moved back a day
/// at a time until no day with punches is a Sunday (the station's shifts
/// are Mo–Sa: a punch on a Sunday is outside them, and flagged).
pub(super) fn first_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let china = lawcircle_core::calendar::china_time();
    let mut day = (now.with_timezone(&china) - chrono::Duration::days(4)).date_naive();
    let on_sunday = |first: chrono::NaiveDate| {
        PUNCH_DAYS
            .iter()
            .any(|d| (first + chrono::Duration::days(*d)).weekday() == chrono::Weekday::Sun)
    };
    while on_sunday(day) {
        day = day.pred_opt().unwrap_or(day);
    }
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&midnight) - chrono::Duration::hours(8)
}

/// `h:m` UTC+8 on the `days`-th day after `start` (midnight UTC+8).
pub(super) fn local_time(start: DateTime<Utc>, days: i64, h: u32, m: u32) -> DateTime<Utc> {
    start
        + chrono::Duration::days(days)
        + chrono::Duration::hours(h.into())
        + chrono::Duration::minutes(m.into())
}

/// A query-string value, percent-encoded.
pub(super) fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A request body of the wire contract as the JSON the demo posts.
fn wire<T: serde::Serialize>(body: &T) -> Result<Value, DemoPeopleError> {
    serde_json::to_value(body).map_err(|e| DemoPeopleError::Step {
        step: "encode a request".to_string(),
        status: 0,
        body: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_day_is_four_days_back_and_never_a_sunday() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Saturday 2026-12-05 12:00 in China: Tuesday 2026-12-01, 00:00 UTC+8.
        assert_eq!(
            first_day(at("2026-12-05T04:00:00Z")),
            at("2026-11-30T16:00:00Z")
        );
        // Thursday 2026-12-03: four days back is a Sunday, so Saturday.
        assert_eq!(
            first_day(at("2026-12-03T04:00:00Z")),
            at("2026-11-27T16:00:00Z")
        );
        // Monday 2026-12-07 00:01 in China: four days back is Thursday,
        // whose fourth day is a Sunday, so Wednesday.
        assert_eq!(
            first_day(at("2026-12-06T16:01:00Z")),
            at("2026-12-01T16:00:00Z")
        );
        // Whatever the day, no day with punches is a Sunday and the last
        // is before today.
        let china = lawcircle_core::calendar::china_time();
        for hours in 0..(14 * 24) {
            let now = at("2026-12-01T00:00:00Z") + chrono::Duration::hours(hours);
            let start = first_day(now);
            for d in PUNCH_DAYS {
                let day = local_time(start, d, 9, 0).with_timezone(&china);
                assert_ne!(day.weekday(), chrono::Weekday::Sun, "{now} day {d}");
                assert!(day.date_naive() < now.with_timezone(&china).date_naive());
            }
        }
        assert_eq!(
            local_time(at("2026-11-30T16:00:00Z"), 1, 9, 30),
            at("2026-12-02T01:30:00Z")
        );
    }
}
