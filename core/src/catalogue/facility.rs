//! Facilities on the map (经纬度 + 现场照片): the 3 kinds of platform
//! facility and the 10 kinds of business resource the plan lists, and the 8
//! service products (产品集成) a facility may offer.

use crate::catalogue::opening_hours::OpeningHours;
use crate::geo::coord::GeoPoint;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The 13 kinds of facility in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    // Platform facilities (平台设施)
    /// 公共法律服务中心/站点
    ServiceCenter,
    /// 24小时智能终端设备
    SmartTerminal,
    /// 线上线下融合服务指引牌 (QR-code guide board)
    GuideBoard,
    // Business resources (业务资源)
    /// 律师事务所
    LawFirm,
    /// 基层法律服务所
    GrassrootsLegalServiceOffice,
    /// 公证机构
    NotaryOffice,
    /// 司法鉴定机构
    JudicialAppraisalInstitution,
    /// 仲裁机构
    ArbitrationInstitution,
    /// 调解组织
    MediationOrganization,
    /// 司法所
    JudicialOffice,
    /// 法律援助机构
    LegalAidInstitution,
    /// 法治宣传教育阵地 (incl. rule-of-law parks 法治文化公园)
    LegalEducationSite,
    /// 行政复议代收点
    AdministrativeReconsiderationPoint,
}

impl FacilityKind {
    pub const ALL: [FacilityKind; 13] = [
        FacilityKind::ServiceCenter,
        FacilityKind::SmartTerminal,
        FacilityKind::GuideBoard,
        FacilityKind::LawFirm,
        FacilityKind::GrassrootsLegalServiceOffice,
        FacilityKind::NotaryOffice,
        FacilityKind::JudicialAppraisalInstitution,
        FacilityKind::ArbitrationInstitution,
        FacilityKind::MediationOrganization,
        FacilityKind::JudicialOffice,
        FacilityKind::LegalAidInstitution,
        FacilityKind::LegalEducationSite,
        FacilityKind::AdministrativeReconsiderationPoint,
    ];

    /// The identifier used in files and APIs (snake_case).
    pub fn code(self) -> &'static str {
        match self {
            FacilityKind::ServiceCenter => "service_center",
            FacilityKind::SmartTerminal => "smart_terminal",
            FacilityKind::GuideBoard => "guide_board",
            FacilityKind::LawFirm => "law_firm",
            FacilityKind::GrassrootsLegalServiceOffice => "grassroots_legal_service_office",
            FacilityKind::NotaryOffice => "notary_office",
            FacilityKind::JudicialAppraisalInstitution => "judicial_appraisal_institution",
            FacilityKind::ArbitrationInstitution => "arbitration_institution",
            FacilityKind::MediationOrganization => "mediation_organization",
            FacilityKind::JudicialOffice => "judicial_office",
            FacilityKind::LegalAidInstitution => "legal_aid_institution",
            FacilityKind::LegalEducationSite => "legal_education_site",
            FacilityKind::AdministrativeReconsiderationPoint => {
                "administrative_reconsideration_point"
            }
        }
    }

    /// The Chinese name used in the plan.
    pub fn name_zh(self) -> &'static str {
        match self {
            FacilityKind::ServiceCenter => "公共法律服务中心/站点",
            FacilityKind::SmartTerminal => "智能终端设备",
            FacilityKind::GuideBoard => "线上线下融合服务指引牌",
            FacilityKind::LawFirm => "律师事务所",
            FacilityKind::GrassrootsLegalServiceOffice => "基层法律服务所",
            FacilityKind::NotaryOffice => "公证机构",
            FacilityKind::JudicialAppraisalInstitution => "司法鉴定机构",
            FacilityKind::ArbitrationInstitution => "仲裁机构",
            FacilityKind::MediationOrganization => "调解组织",
            FacilityKind::JudicialOffice => "司法所",
            FacilityKind::LegalAidInstitution => "法律援助机构",
            FacilityKind::LegalEducationSite => "法治宣传教育阵地",
            FacilityKind::AdministrativeReconsiderationPoint => "行政复议代收点",
        }
    }

    /// The products a facility of this kind offers when its record does not
    /// list them. A public legal service center integrates all eight; an
    /// administrative reconsideration collection point offers none of them.
    pub fn default_products(self) -> &'static [ServiceProduct] {
        use ServiceProduct as P;
        match self {
            FacilityKind::ServiceCenter => &ServiceProduct::ALL,
            FacilityKind::SmartTerminal => &[P::Lawyer, P::LegalAid, P::LegalEducation],
            FacilityKind::GuideBoard => &[P::LegalEducation],
            FacilityKind::LawFirm => &[P::Lawyer],
            FacilityKind::GrassrootsLegalServiceOffice => {
                &[P::GrassrootsLegalService, P::Mediation]
            }
            FacilityKind::NotaryOffice => &[P::Notarization],
            FacilityKind::JudicialAppraisalInstitution => &[P::JudicialAppraisal],
            FacilityKind::ArbitrationInstitution => &[P::Arbitration],
            FacilityKind::MediationOrganization => &[P::Mediation],
            FacilityKind::JudicialOffice => &[
                P::Mediation,
                P::LegalAid,
                P::GrassrootsLegalService,
                P::LegalEducation,
            ],
            FacilityKind::LegalAidInstitution => &[P::LegalAid],
            FacilityKind::LegalEducationSite => &[P::LegalEducation],
            FacilityKind::AdministrativeReconsiderationPoint => &[],
        }
    }

    /// Platform facilities (平台设施) as opposed to business resources.
    pub fn is_platform_facility(self) -> bool {
        matches!(
            self,
            FacilityKind::ServiceCenter | FacilityKind::SmartTerminal | FacilityKind::GuideBoard
        )
    }
}

impl std::str::FromStr for FacilityKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        FacilityKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.name_zh() == s)
            .ok_or_else(|| format!("unknown facility kind {s:?}"))
    }
}

/// The 8 service products the plan integrates (产品集成).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceProduct {
    /// 律师服务
    Lawyer,
    /// 公证
    Notarization,
    /// 司法鉴定
    JudicialAppraisal,
    /// 仲裁
    Arbitration,
    /// 调解
    Mediation,
    /// 法律援助
    LegalAid,
    /// 基层法律服务
    GrassrootsLegalService,
    /// 法治宣传教育
    LegalEducation,
}

impl ServiceProduct {
    pub const ALL: [ServiceProduct; 8] = [
        ServiceProduct::Lawyer,
        ServiceProduct::Notarization,
        ServiceProduct::JudicialAppraisal,
        ServiceProduct::Arbitration,
        ServiceProduct::Mediation,
        ServiceProduct::LegalAid,
        ServiceProduct::GrassrootsLegalService,
        ServiceProduct::LegalEducation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ServiceProduct::Lawyer => "lawyer",
            ServiceProduct::Notarization => "notarization",
            ServiceProduct::JudicialAppraisal => "judicial_appraisal",
            ServiceProduct::Arbitration => "arbitration",
            ServiceProduct::Mediation => "mediation",
            ServiceProduct::LegalAid => "legal_aid",
            ServiceProduct::GrassrootsLegalService => "grassroots_legal_service",
            ServiceProduct::LegalEducation => "legal_education",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ServiceProduct::Lawyer => "律师服务",
            ServiceProduct::Notarization => "公证",
            ServiceProduct::JudicialAppraisal => "司法鉴定",
            ServiceProduct::Arbitration => "仲裁",
            ServiceProduct::Mediation => "调解",
            ServiceProduct::LegalAid => "法律援助",
            ServiceProduct::GrassrootsLegalService => "基层法律服务",
            ServiceProduct::LegalEducation => "法治宣传教育",
        }
    }
}

impl std::str::FromStr for ServiceProduct {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        ServiceProduct::ALL
            .into_iter()
            .find(|p| p.code() == s || p.name_zh() == s)
            .ok_or_else(|| format!("unknown service product {s:?}"))
    }
}

/// A photo of the site (现场照片), stored content-addressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    /// MIME type detected from the content.
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// A facility on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Stable id chosen by the data owner; re-importing the same id updates.
    pub id: String,
    pub kind: FacilityKind,
    pub name: String,
    pub address: String,
    pub point: GeoPoint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The products offered here.
    pub products: BTreeSet<ServiceProduct>,
    pub opening_hours: OpeningHours,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    /// The village/community (or street) the facility belongs to.
    pub area_code: String,
    /// Retired facilities stay in the catalogue (phones must learn they are
    /// gone) but are never offered to residents.
    #[serde(default)]
    pub retired: bool,
    pub updated_at: DateTime<Utc>,
    /// Incremented on every change; phones pull deltas by version.
    pub version: u64,
}

impl Facility {
    /// Same content, ignoring bookkeeping (version, updated_at).
    pub fn same_content(&self, other: &Facility) -> bool {
        let mut a = self.clone();
        a.version = other.version;
        a.updated_at = other.updated_at;
        &a == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_products_round_trip_through_their_codes() {
        for k in FacilityKind::ALL {
            assert_eq!(k.code().parse::<FacilityKind>().unwrap(), k);
            assert_eq!(k.name_zh().parse::<FacilityKind>().unwrap(), k);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.code()));
        }
        for p in ServiceProduct::ALL {
            assert_eq!(p.code().parse::<ServiceProduct>().unwrap(), p);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.code()));
        }
        assert_eq!(
            FacilityKind::ALL
                .iter()
                .filter(|k| k.is_platform_facility())
                .count(),
            3
        );
    }
}
