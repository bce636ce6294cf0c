//! The core's codes as the shells see them: enums instead of strings, so a
//! Kotlin `when` or a Swift `switch` is checked by the compiler and no
//! shell compares a state name. Each is the core's own type exported
//! through `uniffi::remote` (the definition below must match the core's,
//! or this crate does not compile), so the server's JSON is read with the
//! core's serde names and an unknown value is refused here, in Rust, with
//! the value named.
//!
//! Times cross as one type everywhere: milliseconds since the Unix epoch
//! (`i64`, fields named `…_ms`), as the clock-in fix and the outbox already
//! do; the wire contract's RFC 3339 times are converted into it.

use lawcircle_api::needs::NeedStepKind;
use lawcircle_core::applications::{DocumentKind, Verdict};
use lawcircle_core::authz::Role;
use lawcircle_core::catalogue::facility::{FacilityKind, ServiceProduct};
use lawcircle_core::needs::{Channel, NeedCategory, Urgency};
use lawcircle_core::orders::order::{OrderKind, OrderState};

/// Where an order stands.
#[uniffi::remote(Enum)]
pub enum OrderState {
    /// 已提交: created from a need, not yet offered.
    Submitted,
    /// 待接单: offered to grabbers or waiting for dispatch.
    Open,
    /// 已抢单: a volunteer grabbed the consultation.
    Claimed,
    /// 已派单: staff assigned it; the assignee has not accepted yet.
    Assigned,
    /// 办理中
    InProgress,
    /// 已办结
    Resolved,
    /// 已评价
    Evaluated,
    /// 已归档
    Closed,
    /// 已转办
    Transferred,
    /// 已升级
    Escalated,
    /// 已撤销
    Cancelled,
}

/// What a step of a need's history was.
#[uniffi::remote(Enum)]
pub enum NeedStepKind {
    /// The platform received the need.
    Received,
    /// Offered to volunteers or queued for dispatch.
    Opened,
    /// A volunteer grabbed the consultation (抢单).
    Grabbed,
    /// Staff dispatched it (派单).
    Dispatched,
    /// The one it was dispatched to took it on.
    Accepted,
    /// Handed back; it waits again.
    Declined,
    /// The consultation started.
    Started,
    /// 转办
    Transferred,
    /// 升级
    Escalated,
    /// 办结
    Resolved,
    /// The requester rated it.
    Rated,
    /// 归档
    Closed,
    /// 撤销
    Cancelled,
}

/// Grabbed (consultation, 抢单) or dispatched (service, 派单).
#[uniffi::remote(Enum)]
pub enum OrderKind {
    Consultation,
    Service,
}

/// What kind of help is needed.
#[uniffi::remote(Enum)]
pub enum NeedCategory {
    Consultation,
    Mediation,
    LegalAid,
    Notarization,
    JudicialAppraisal,
    Arbitration,
    AdministrativeReconsideration,
    RemotePrisonVisit,
    EnterpriseCheckup,
    Other,
}

/// How soon a need must be handled.
#[uniffi::remote(Enum)]
pub enum Urgency {
    Low,
    Normal,
    High,
    Urgent,
}

/// How a need reached the platform.
#[uniffi::remote(Enum)]
pub enum Channel {
    /// 现场
    OnSite,
    /// 12348 热线
    Hotline12348,
    /// 线上
    Online,
}

/// The roles of the platform.
#[uniffi::remote(Enum)]
pub enum Role {
    Resident,
    Volunteer,
    Lawyer,
    StationStaff,
    DistrictAdmin,
}

/// The plan's eight service products.
#[uniffi::remote(Enum)]
pub enum ServiceProduct {
    Lawyer,
    Notarization,
    JudicialAppraisal,
    Arbitration,
    Mediation,
    LegalAid,
    GrassrootsLegalService,
    LegalEducation,
}

/// The plan's kinds of facility.
#[uniffi::remote(Enum)]
pub enum FacilityKind {
    ServiceCenter,
    SmartTerminal,
    GuideBoard,
    LawFirm,
    GrassrootsLegalServiceOffice,
    NotaryOffice,
    JudicialAppraisalInstitution,
    ArbitrationInstitution,
    MediationOrganization,
    JudicialOffice,
    LegalAidInstitution,
    LegalEducationSite,
    AdministrativeReconsiderationPoint,
}

/// A document of the legal-aid checklist.
#[uniffi::remote(Enum)]
pub enum DocumentKind {
    IdCard,
    HardshipStatement,
    SpecialGroupProof,
    CaseMaterials,
    AgentAuthorization,
}

/// The legal-aid pre-assessment's answer (the institution decides).
#[uniffi::remote(Enum)]
pub enum Verdict {
    Eligible,
    Likely,
    NotEligible,
}

/// The service code of legal aid (法律援助) in the district's catalogue:
/// one place for both shells.
#[uniffi::export]
pub fn legal_aid_service_code() -> String {
    crate::forms::LEGAL_AID_CODE.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Sample {
        state: OrderState,
    }

    #[test]
    fn server_codes_are_read_and_unknown_ones_named() {
        let ok: Sample = serde_json::from_str(r#"{"state":"in_progress"}"#).unwrap();
        assert_eq!(ok.state, OrderState::InProgress);
        let err = serde_json::from_str::<Sample>(r#"{"state":"taken"}"#)
            .err()
            .unwrap();
        assert!(err.to_string().contains("taken"), "{err}");
    }
}
