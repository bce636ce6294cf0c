//! Filing a need, whichever way it comes in (the phones' `POST /needs`, the
//! public form, Open311): validated with the phone's own code against the
//! server's clock and catalogue, stored once per idempotency key, and opened
//! as an order at once.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::notifications::rules::{OfferPool, OfferTarget};
use crate::state::AppState;
use crate::store::{Filed, IdempotentOutcome, NeedFiling};
use chrono::{DateTime, Utc};
use lawcircle_core::applications::{LegalAidAssessment, ServiceRegistry, application};
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::needs::NeedDraft;
use lawcircle_core::privacy::normalize_mobile;
use lawcircle_core::validation::FieldError;
use std::collections::HashMap;
use std::sync::Arc;

pub use lawcircle_api::needs::NeedReceipt;

/// The legal aid assessment of a need's application, if it is one.
pub(crate) fn legal_aid_of(state: &AppState, need: &NeedDraft) -> Option<LegalAidAssessment> {
    let rules = state.application_types.legal_aid_rules.as_ref()?;
    application::assess(need.application.as_ref()?, rules)
}

/// When an application filed at `filed_at` is due: its type's deadline
/// counted in China time over the holiday calendar; Open311's
/// `expected_datetime` is this same instant.
pub(crate) fn application_deadline(
    state: &AppState,
    def: &lawcircle_core::applications::ServiceDefinition,
    filed_at: DateTime<Utc>,
) -> DateTime<Utc> {
    let local = filed_at.with_timezone(&lawcircle_core::calendar::china_time());
    lawcircle_core::applications::open311::expected_datetime(def, local, |d| {
        state.calendar.is_working_day(d)
    })
    .with_timezone(&Utc)
}

/// A validated need ready to be stored: what the transaction writes, and
/// whom its offers go to (told after the commit).
pub(crate) struct PreparedFiling {
    pub(crate) filing: NeedFiling<'static>,
    offer_to: Vec<i64>,
}

/// What filing reads besides the need itself (the application types,
/// each area's street and point, whose verified mobile a requester's is,
/// the volunteers who may be offered a consultation), read once per
/// request: the needs of a batch mostly share their areas and requesters,
/// and the volunteer pool is the same for all of them. Not kept across
/// requests: a later request reads again.
#[derive(Default)]
pub(crate) struct FilingLookups {
    catalog: Option<Arc<ServiceRegistry>>,
    streets: HashMap<String, Option<String>>,
    centroids: HashMap<String, Option<GeoPoint>>,
    verified_phones: HashMap<String, Option<i64>>,
    offers: Option<OfferPool>,
}

impl FilingLookups {
    async fn catalog(&mut self, state: &AppState) -> Result<Arc<ServiceRegistry>, ApiError> {
        if let Some(c) = &self.catalog {
            return Ok(c.clone());
        }
        let c = state.application_types.catalog(&state.store).await?;
        self.catalog = Some(c.clone());
        Ok(c)
    }

    async fn street_of_area(
        &mut self,
        state: &AppState,
        code: &str,
    ) -> Result<Option<String>, ApiError> {
        if let Some(s) = self.streets.get(code) {
            return Ok(s.clone());
        }
        let s = state.store.street_of_area(code).await?;
        self.streets.insert(code.to_string(), s.clone());
        Ok(s)
    }

    async fn centroid(
        &mut self,
        state: &AppState,
        code: &str,
    ) -> Result<Option<GeoPoint>, ApiError> {
        if let Some(p) = self.centroids.get(code) {
            return Ok(*p);
        }
        let p = state.store.area_centroid(code).await?;
        self.centroids.insert(code.to_string(), p);
        Ok(p)
    }

    /// The resident account whose verified mobile is `phone`.
    pub(crate) async fn resident_with_verified_phone(
        &mut self,
        state: &AppState,
        phone: &str,
    ) -> Result<Option<i64>, ApiError> {
        if let Some(a) = self.verified_phones.get(phone) {
            return Ok(*a);
        }
        let a = state.store.resident_with_verified_phone(phone).await?;
        self.verified_phones.insert(phone.to_string(), a);
        Ok(a)
    }

    async fn offer_recipients(
        &mut self,
        state: &AppState,
        target: &OfferTarget<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, ApiError> {
        if target.category != "consultation" {
            return Ok(Vec::new());
        }
        let pool = match &mut self.offers {
            Some(pool) => pool,
            None => self.offers.insert(OfferPool::load(state, now).await?),
        };
        Ok(pool.recipients(state, target, now)?)
    }
}

/// Stores a validated need and opens its order, once per idempotency
/// key, and tells the console's live board: the one intake path of the
/// phones' `POST /api/v1/needs` and of Open311's `POST requests`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn file_need(
    state: &AppState,
    entered_by: i64,
    entered_by_role: &str,
    requester_account: Option<i64>,
    tracking_code: Option<String>,
    key: &str,
    hash: &str,
    need: NeedDraft,
    street_code: String,
    now: DateTime<Utc>,
) -> Result<IdempotentOutcome, ApiError> {
    let prepared = prepare_filing(
        state,
        &mut FilingLookups::default(),
        entered_by,
        entered_by_role,
        requester_account,
        tracking_code,
        key,
        hash,
        need,
        street_code,
        now,
    )
    .await?;
    let PreparedFiling { filing, offer_to } = prepared;
    let filed = state.store.create_need(filing, now).await?;
    announce(state, &filed, &offer_to);
    Ok(filed.outcome)
}

/// Stores validated needs (see [`prepare_filing`]) in one transaction,
/// then tells the live board and the notification worker about those
/// stored now: the batch intake's path. The outcomes are in the order of
/// `prepared`.
pub(crate) async fn file_needs(
    state: &AppState,
    prepared: Vec<PreparedFiling>,
    now: DateTime<Utc>,
) -> Result<Vec<IdempotentOutcome>, ApiError> {
    let mut offers = Vec::with_capacity(prepared.len());
    let mut filings = Vec::with_capacity(prepared.len());
    for p in prepared {
        offers.push(p.offer_to);
        filings.push(p.filing);
    }
    let filed = state.store.create_needs(filings, now).await?;
    for (f, offer_to) in filed.iter().zip(&offers) {
        announce(state, f, offer_to);
    }
    Ok(filed.into_iter().map(|f| f.outcome).collect())
}

/// After the commit: the console's live board hears of a new order (as
/// it was written), and the volunteers offered it (their streams and the
/// notification worker).
fn announce(state: &AppState, filed: &Filed, offer_to: &[i64]) {
    if let Some(order) = &filed.order {
        state.events.publish(order);
        state.notifications.committed(offer_to);
    }
}

/// Everything about a validated need that is read before the transaction
/// storing it (the application type's deadline, the place, whom the
/// consultation is offered to), and the closures that make its order,
/// offers and receipt from the new ids inside it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn prepare_filing(
    state: &AppState,
    lookups: &mut FilingLookups,
    entered_by: i64,
    entered_by_role: &str,
    requester_account: Option<i64>,
    tracking_code: Option<String>,
    key: &str,
    hash: &str,
    need: NeedDraft,
    street_code: String,
    now: DateTime<Utc>,
) -> Result<PreparedFiling, ApiError> {
    let legal_aid = legal_aid_of(state, &need);
    let service_code = need.application.as_ref().map(|a| a.service_code.clone());
    let service_version = need.application.as_ref().map(|a| a.service_version);
    // An application's order is due when its type says (办理时限), the same
    // instant Open311 gives as `expected_datetime`.
    let type_deadline = match &need.application {
        Some(app) => {
            let catalog = lookups.catalog(state).await?;
            catalog
                .get(&app.service_code, app.service_version)
                .map(|def| application_deadline(state, def, now))
        }
        None => None,
    };
    // Where the need is, for the distance to volunteers: the point given,
    // else its area's representative point.
    let place = match need.location.point {
        Some(p) => Some(p.to_wgs84()),
        None => lookups.centroid(state, &need.location.area_code).await?,
    };
    let need_specialty = need.specialty.clone();
    let new = crate::store::NewNeed {
        client_key: key.to_string(),
        entered_by,
        entered_by_role: entered_by_role.to_string(),
        street_code: Some(street_code.clone()),
        requester_account,
        tracking_hash: tracking_code
            .as_deref()
            .map(crate::api::tracking::tracking_hash),
        need,
    };
    let received_at = crate::store::from_millis(crate::store::millis(now));
    // The order this need becomes, opened at once (the orders module),
    // carrying the application type for dispatch and the console.
    let make_order = crate::usecases::orders::order_for_need(
        state,
        requester_account,
        entered_by,
        new.need.category.as_str(),
        new.need.urgency == lawcircle_core::needs::Urgency::Urgent,
        &street_code,
        now,
    );
    // Who a consultation is offered to, read before the transaction that
    // stores it with its offers.
    let offer_to = lookups
        .offer_recipients(
            state,
            &OfferTarget {
                category: new.need.category.as_str(),
                specialty: need_specialty.as_deref(),
                street_code: &street_code,
                place,
                excluded: [Some(entered_by), requester_account]
                    .into_iter()
                    .flatten()
                    .map(|a| a.to_string())
                    .collect(),
            },
            now,
        )
        .await?;
    let offered = offer_to.clone();
    let order_service = service_code.clone();
    let make_order = move |need_id| {
        let mut order = make_order(need_id);
        order.service_code = order_service;
        order.specialty = need_specialty;
        order.place = place;
        if type_deadline.is_some() {
            order.deadline = type_deadline;
        }
        let messages = crate::notifications::rules::offers(&order, &offered);
        (order, messages)
    };
    let respond = move |id, order_id: &str| {
        let receipt = NeedReceipt {
            id,
            order_id: order_id.to_string(),
            status: "submitted".into(),
            order_state: lawcircle_core::orders::order::OrderState::Open,
            street_code: Some(street_code),
            received_at,
            service_code,
            service_version,
            legal_aid,
            tracking_code,
        };
        (
            201,
            serde_json::to_string(&receipt).unwrap_or_else(|_| "{}".into()),
        )
    };
    Ok(PreparedFiling {
        filing: NeedFiling {
            key: key.to_string(),
            request_hash: hash.to_string(),
            new,
            make_order: Box::new(make_order),
            respond: Box::new(respond),
        },
        offer_to,
    })
}

pub(crate) fn field_errors(errors: lawcircle_core::needs::NeedErrors) -> ApiError {
    ApiError::Fields(errors.0)
}

/// Validates a need with the phone's own code against the server's clock
/// and catalogue, and finds its street.
pub(crate) async fn validate_need(
    state: &AppState,
    lookups: &mut FilingLookups,
    draft: NeedDraft,
    now: DateTime<Utc>,
) -> Result<(NeedDraft, String), ApiError> {
    let catalog = lookups.catalog(state).await?;
    let need = draft
        .validate_with_registry(&catalog, now)
        .map_err(field_errors)?;
    let street_code = lookups
        .street_of_area(state, &need.location.area_code)
        .await?
        .ok_or_else(|| {
            ApiError::bad_field(
                "location.area_code",
                format!(
                    "{:?} is not a known street or village/community",
                    need.location.area_code
                ),
            )
        })?;
    Ok((need, street_code))
}

/// Refuses a need whose attachments were not uploaded as described.
pub(crate) async fn check_uploads(state: &AppState, need: &NeedDraft) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for (i, a) in need.attachments.iter().enumerate() {
        match state.store.attachment_meta(&a.sha256).await? {
            None => missing.push(FieldError::new(
                format!("attachments[{i}].sha256"),
                "this file was not uploaded (PUT /api/v1/attachments/{sha256} first)",
            )),
            Some(m) if m.media_type != a.media_type || m.size != a.size => {
                missing.push(FieldError::new(
                    format!("attachments[{i}].media_type"),
                    format!("the uploaded file is {} of {} bytes", m.media_type, m.size),
                ))
            }
            Some(_) => {}
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::Fields(missing));
    }
    Ok(())
}

/// The requester's account (the person with the legal trouble), so the
/// rating request reaches them in the app:
///
/// 1. a resident filing with their own account's mobile: themselves;
/// 2. a resident account whose verified mobile is the requester's;
/// 3. a resident without a mobile on their account filing in the app
///    (`online`): themselves, since no mobile ties the need to anyone else;
///
/// else none: the requester is the name and mobile of the record, asked
/// by a one-time link or a call-back. Someone filing for another person
/// (a lawyer on site, hotline staff, a relative) is the enterer only.
pub(crate) async fn requester_account_of(
    state: &AppState,
    lookups: &mut FilingLookups,
    caller: &Caller,
    need: &NeedDraft,
) -> Result<Option<i64>, ApiError> {
    let resident = caller.account.role == lawcircle_core::authz::Role::Resident;
    let own_phone = caller
        .account
        .phone
        .as_deref()
        .and_then(|p| normalize_mobile(p).ok());
    if resident && own_phone.as_deref() == Some(need.requester.phone.as_str()) {
        return Ok(Some(caller.account.id));
    }
    if let Some(account) = lookups
        .resident_with_verified_phone(state, &need.requester.phone)
        .await?
    {
        return Ok(Some(account));
    }
    let in_app = need.channel == lawcircle_core::needs::Channel::Online;
    Ok((resident && own_phone.is_none() && in_app).then_some(caller.account.id))
}
