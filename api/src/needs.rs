//! Needs (需求) as the phone files and follows them. The need itself is
//! the core's [`NeedDraft`](lawcircle_core::needs::NeedDraft), posted as
//! it was queued.

use chrono::{DateTime, Utc};
use lawcircle_core::applications::{ApplicationDraft, LegalAidAssessment};
use lawcircle_core::needs::{Channel, NeedCategory, Urgency};
use lawcircle_core::orders::order::OrderState;
use serde::{Deserialize, Serialize};

/// The answer to an accepted need.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct NeedReceipt {
    pub id: i64,
    /// The order (工单) the need became.
    pub order_id: String,
    /// `submitted`.
    pub status: String,
    /// `open`.
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub order_state: OrderState,
    pub street_code: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The application type and version, when the need is an application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<u32>,
    /// Legal aid only: the eligibility pre-assessment and the documents
    /// still missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<Object>))]
    pub legal_aid: Option<LegalAidAssessment>,
    /// Filed without an account only: the code to follow the need with
    /// (`GET /api/v1/tracking/{code}`). Keep it: it is not shown again
    /// except to a retry of the same filing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_code: Option<String>,
}

/// A need as lists show it: personal data masked, no description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct NeedSummary {
    pub id: i64,
    /// The idempotency key the phone made: lets it match its outbox.
    pub client_key: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub category: NeedCategory,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub urgency: Urgency,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub channel: Channel,
    pub status: String,
    pub order_id: Option<String>,
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<String>))]
    pub order_state: Option<OrderState>,
    pub street_code: Option<String>,
    pub area_code: String,
    /// Masked: 张**.
    pub requester_name: String,
    /// Masked: 138****1234.
    pub requester_phone: String,
    /// The account that entered the need (on site, hotline, Open311, or
    /// the requester themselves).
    pub entered_by: i64,
    /// The requester's account, when they have one (else the requester is
    /// the name and mobile above).
    pub requester_account: Option<i64>,
    /// Whether the caller may rate the need's order now (its requester,
    /// the order resolved and not yet rated).
    pub may_rate: bool,
    pub entered_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The application type and the version it was filed under, when the
    /// need is an online application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_version: Option<u32>,
    /// When the need's personal data was removed (on request or by
    /// retention): description, contact and exact place are then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// One need in full, personal data masked (the contact endpoint shows it,
/// audited).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct NeedDetail {
    #[serde(flatten)]
    pub summary: NeedSummary,
    pub description: String,
    pub address: String,
    /// Masked.
    pub requester_id_number: Option<String>,
    pub enterprise_name: Option<String>,
    /// Not personal data: the enterprise's public registration.
    pub enterprise_credit_code: Option<String>,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub location: serde_json::Value,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub attachments: serde_json::Value,
    /// The application (type, version, answers, documents), answers that
    /// are phone or ID numbers masked like the requester's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<Object>))]
    pub application: Option<ApplicationDraft>,
    /// Legal aid only: the eligibility pre-assessment and the documents
    /// still missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<Object>))]
    pub legal_aid: Option<LegalAidAssessment>,
    /// The name of the area (village/community or street) of `area_code`,
    /// when the catalogue knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_name: Option<String>,
}

/// The most needs one `POST /api/v1/needs/batch` takes.
pub const NEED_BATCH_MAX: usize = 100;

/// Several queued needs filed at once (`POST /api/v1/needs/batch`), in
/// queue order, all stored in one database transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NeedBatch {
    /// 1 to [`NEED_BATCH_MAX`] (100) entries.
    pub needs: Vec<NeedBatchEntry>,
}

/// One need of a batch with the idempotency key it was queued with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NeedBatchEntry {
    /// The key the single `POST /api/v1/needs` takes as the
    /// `Idempotency-Key` header, with the same meaning: a retry of the
    /// same need with the same key gets the original receipt.
    pub idempotency_key: String,
    /// The need record (a `NeedDraft` of lawcircle-core). Read per entry:
    /// one that is not a need is that entry's `invalid`, not the batch's.
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub need: serde_json::Value,
}

/// The answer to a batch: one result per entry, in request order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct NeedBatchResults {
    pub results: Vec<NeedBatchResult>,
}

/// What became of one entry of a batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum NeedBatchResult {
    /// Stored now (the single endpoint's 201).
    Created {
        idempotency_key: String,
        receipt: NeedReceipt,
    },
    /// The key was used before for this same need by this same account:
    /// the original receipt (the single endpoint's replayed 201).
    Replayed {
        idempotency_key: String,
        receipt: NeedReceipt,
    },
    /// The key was used for another need or by another account (the
    /// single endpoint's 409); nothing stored.
    Conflict {
        idempotency_key: String,
        error: crate::error::ErrorDetail,
    },
    /// Refused as the single endpoint would refuse it (`status`: 400 for
    /// an invalid need or key, 403 for an area outside the caller's
    /// reach); nothing stored, and a corrected retry with the same key
    /// goes through.
    Invalid {
        idempotency_key: String,
        status: u16,
        error: crate::error::ErrorDetail,
    },
}

impl NeedBatchResult {
    /// The key of the entry this result answers.
    pub fn idempotency_key(&self) -> &str {
        match self {
            NeedBatchResult::Created {
                idempotency_key, ..
            }
            | NeedBatchResult::Replayed {
                idempotency_key, ..
            }
            | NeedBatchResult::Conflict {
                idempotency_key, ..
            }
            | NeedBatchResult::Invalid {
                idempotency_key, ..
            } => idempotency_key,
        }
    }
}
