//! Legal aid (法律援助) pre-assessment: a first answer to "am I likely to
//! get legal aid?" from the application's answers, and the documents
//! still to bring. The legal aid institution (法律援助机构) decides; this
//! only guides the applicant.
//!
//! The structure follows the Legal Aid Law of the PRC (《中华人民共和国法律
//! 援助法》, 2021): art. 31 lists civil/administrative matters covered when
//! the applicant is in economic hardship, art. 32 matters with no economic
//! hardship condition, art. 41 the applicant's statement of economic
//! hardship, art. 42 groups exempt from the economic check. Which case
//! types and groups fall where is data ([`LegalAidRules`]), since
//! provincial rules add to these lists; so is the income threshold, which
//! each region sets (经济困难标准). The shipped threshold is
//! **illustrative only** and MUST be replaced by the local bureau's figure.

use super::validate::AnswerValue;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shipped rules (see `data/services/legal_aid_rules.json`).
pub const DEFAULT_LEGAL_AID_RULES_JSON: &str =
    include_str!("../../../data/services/legal_aid_rules.json");

/// Question codes of the legal aid form that the assessment reads.
pub mod fields {
    /// Monthly household income in yuan, all members (家庭月收入).
    pub const MONTHLY_HOUSEHOLD_INCOME: &str = "monthly_household_income";
    /// Number of household members (家庭人口).
    pub const HOUSEHOLD_SIZE: &str = "household_size";
    /// The matter (案件类型), a singlevaluelist.
    pub const CASE_TYPE: &str = "case_type";
    /// Special groups claimed (特殊群体), a multivaluelist.
    pub const SPECIAL_GROUPS: &str = "special_groups";
    /// Whether someone applies on the applicant's behalf (代为申请): `yes`/`no`.
    pub const ON_BEHALF: &str = "on_behalf";
}

/// A listed case type or group with its legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub key: String,
    pub basis: String,
    /// For a group: the case types the exemption is limited to (empty:
    /// all), e.g. migrant workers only for unpaid wages and work injury.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_case_types: Vec<String>,
}

/// Per-region settings of the assessment (地区设置).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalAidRules {
    /// Area code the settings apply to, e.g. `330303`.
    pub region: String,
    /// `true` while the threshold is a placeholder, not the bureau's
    /// published figure; the assessment then says so.
    pub illustrative: bool,
    pub note: String,
    /// Economic hardship threshold: monthly income per household member,
    /// in yuan (经济困难标准).
    pub monthly_income_per_capita_max: Decimal,
    /// Within this many percent above the threshold the answer is
    /// "likely" (the institution checks the details) rather than "not".
    pub likely_margin_percent: Decimal,
    /// Matters with no economic hardship condition (art. 32).
    pub no_means_test_case_types: Vec<Listed>,
    /// Matters covered when in economic hardship (arts. 24, 29, 31).
    pub covered_case_types: Vec<Listed>,
    /// Groups exempt from the economic check (art. 42).
    pub means_test_exempt_groups: Vec<Listed>,
}

impl LegalAidRules {
    /// The shipped, illustrative rules.
    pub fn defaults() -> Result<Self, serde_json::Error> {
        serde_json::from_str(DEFAULT_LEGAL_AID_RULES_JSON)
    }
}

/// The assessment's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 符合条件 (subject to the institution's review).
    Eligible,
    /// 可能符合: the institution must look closer.
    Likely,
    /// 不符合 on the answers given.
    NotEligible,
}

/// One reason behind the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EligibilityReason {
    /// The matter has no economic hardship condition.
    NoMeansTest { case_type: String, basis: String },
    /// The applicant belongs to a group exempt from the economic check.
    ExemptGroup { group: String, basis: String },
    /// The matter is not on the covered lists: the institution decides.
    CaseTypeNotListed { case_type: String },
    /// An answer the assessment needs is missing.
    MissingAnswer { field: String },
    IncomeWithinThreshold {
        per_capita: Decimal,
        threshold: Decimal,
    },
    IncomeNearThreshold {
        per_capita: Decimal,
        threshold: Decimal,
    },
    IncomeAboveThreshold {
        per_capita: Decimal,
        threshold: Decimal,
    },
    /// The threshold used is a placeholder, not the bureau's figure.
    IllustrativeThreshold,
}

/// Verdict, reasons, and whether the economic check applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub verdict: Verdict,
    pub means_test_applies: bool,
    pub reasons: Vec<EligibilityReason>,
}

fn choice<'a>(answers: &'a BTreeMap<String, AnswerValue>, code: &str) -> Option<&'a str> {
    match answers.get(code) {
        Some(AnswerValue::Choice(k)) => Some(k.as_str()),
        _ => None,
    }
}

fn choices<'a>(answers: &'a BTreeMap<String, AnswerValue>, code: &str) -> &'a [String] {
    match answers.get(code) {
        Some(AnswerValue::Choices(k)) => k.as_slice(),
        _ => &[],
    }
}

fn number(answers: &BTreeMap<String, AnswerValue>, code: &str) -> Option<Decimal> {
    match answers.get(code) {
        Some(AnswerValue::Number(n)) => Some(*n),
        _ => None,
    }
}

fn worst(a: Verdict, b: Verdict) -> Verdict {
    use Verdict::*;
    match (a, b) {
        (NotEligible, _) | (_, NotEligible) => NotEligible,
        (Likely, _) | (_, Likely) => Likely,
        _ => Eligible,
    }
}

/// Pre-assesses a legal aid application (法律援助资格预判) from its
/// answers (validated or not: missing answers give "likely").
pub fn eligibility(answers: &BTreeMap<String, AnswerValue>, rules: &LegalAidRules) -> Eligibility {
    let mut reasons = Vec::new();
    let Some(case_type) = choice(answers, fields::CASE_TYPE) else {
        reasons.push(EligibilityReason::MissingAnswer {
            field: fields::CASE_TYPE.into(),
        });
        return Eligibility {
            verdict: Verdict::Likely,
            means_test_applies: true,
            reasons,
        };
    };
    if let Some(l) = rules
        .no_means_test_case_types
        .iter()
        .find(|l| l.key == case_type)
    {
        reasons.push(EligibilityReason::NoMeansTest {
            case_type: case_type.into(),
            basis: l.basis.clone(),
        });
        return Eligibility {
            verdict: Verdict::Eligible,
            means_test_applies: false,
            reasons,
        };
    }
    let mut cap = Verdict::Eligible;
    if !rules.covered_case_types.iter().any(|l| l.key == case_type) {
        reasons.push(EligibilityReason::CaseTypeNotListed {
            case_type: case_type.into(),
        });
        cap = Verdict::Likely;
    }
    let groups = choices(answers, fields::SPECIAL_GROUPS);
    let exemption = rules.means_test_exempt_groups.iter().find(|l| {
        groups.contains(&l.key)
            && (l.only_case_types.is_empty() || l.only_case_types.iter().any(|c| c == case_type))
    });
    if let Some(l) = exemption {
        reasons.push(EligibilityReason::ExemptGroup {
            group: l.key.clone(),
            basis: l.basis.clone(),
        });
        return Eligibility {
            verdict: cap,
            means_test_applies: false,
            reasons,
        };
    }
    let income = number(answers, fields::MONTHLY_HOUSEHOLD_INCOME);
    let size = number(answers, fields::HOUSEHOLD_SIZE).filter(|s| *s >= Decimal::ONE);
    let verdict = match (income, size) {
        (Some(income), Some(size)) => {
            let per_capita = (income / size).round_dp(2);
            let threshold = rules.monthly_income_per_capita_max;
            let near = threshold + threshold * rules.likely_margin_percent / Decimal::ONE_HUNDRED;
            let (v, r) = if per_capita <= threshold {
                (
                    Verdict::Eligible,
                    EligibilityReason::IncomeWithinThreshold {
                        per_capita,
                        threshold,
                    },
                )
            } else if per_capita <= near {
                (
                    Verdict::Likely,
                    EligibilityReason::IncomeNearThreshold {
                        per_capita,
                        threshold,
                    },
                )
            } else {
                (
                    Verdict::NotEligible,
                    EligibilityReason::IncomeAboveThreshold {
                        per_capita,
                        threshold,
                    },
                )
            };
            reasons.push(r);
            v
        }
        _ => {
            if income.is_none() {
                reasons.push(EligibilityReason::MissingAnswer {
                    field: fields::MONTHLY_HOUSEHOLD_INCOME.into(),
                });
            }
            if size.is_none() {
                reasons.push(EligibilityReason::MissingAnswer {
                    field: fields::HOUSEHOLD_SIZE.into(),
                });
            }
            Verdict::Likely
        }
    };
    if rules.illustrative {
        reasons.push(EligibilityReason::IllustrativeThreshold);
    }
    Eligibility {
        verdict: worst(cap, verdict),
        means_test_applies: true,
        reasons,
    }
}

/// A document a legal aid application may need (申请材料).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 申请人身份证件 (ID card or household register).
    IdCard,
    /// 经济困难状况说明/承诺 (art. 41: the applicant states their economic
    /// situation; the institution may verify it).
    HardshipStatement,
    /// Proof of the special group claimed (e.g. 低保证, 特困供养证, 残疾证).
    SpecialGroupProof,
    /// 与所申请法律援助事项有关的材料 (case materials: contracts, pay slips,
    /// judgments, medical records…).
    CaseMaterials,
    /// 代理人身份证明及委托/监护关系证明, when someone applies on the
    /// applicant's behalf.
    AgentAuthorization,
}

impl DocumentKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            DocumentKind::IdCard => "申请人身份证件",
            DocumentKind::HardshipStatement => "经济困难状况说明(个人诚信承诺)",
            DocumentKind::SpecialGroupProof => "特殊群体身份证明(如低保证、特困供养证、残疾证)",
            DocumentKind::CaseMaterials => "与申请事项有关的案件材料",
            DocumentKind::AgentAuthorization => "代理人身份证明及委托或监护关系证明",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            DocumentKind::IdCard => "Applicant's identity document",
            DocumentKind::HardshipStatement => {
                "Statement of economic hardship (personal good-faith declaration)"
            }
            DocumentKind::SpecialGroupProof => {
                "Proof of special-group status (e.g. subsistence allowance or disability card)"
            }
            DocumentKind::CaseMaterials => {
                "Materials about the matter (contracts, pay records, judgments, medical records…)"
            }
            DocumentKind::AgentAuthorization => {
                "Agent's identity document and proof of authorisation or guardianship"
            }
        }
    }
}

/// The documents this application needs, in the order to show them.
pub fn required_documents(
    answers: &BTreeMap<String, AnswerValue>,
    rules: &LegalAidRules,
) -> Vec<DocumentKind> {
    let assessment = eligibility(answers, rules);
    let mut needed = vec![DocumentKind::IdCard];
    if assessment.means_test_applies {
        needed.push(DocumentKind::HardshipStatement);
    }
    let claims_group = assessment
        .reasons
        .iter()
        .any(|r| matches!(r, EligibilityReason::ExemptGroup { .. }))
        || !choices(answers, fields::SPECIAL_GROUPS).is_empty();
    if claims_group {
        needed.push(DocumentKind::SpecialGroupProof);
    }
    needed.push(DocumentKind::CaseMaterials);
    if choice(answers, fields::ON_BEHALF) == Some("yes") {
        needed.push(DocumentKind::AgentAuthorization);
    }
    needed
}

/// The documents still missing (还需提交的材料): [`required_documents`]
/// minus those already `provided`.
pub fn missing_documents(
    answers: &BTreeMap<String, AnswerValue>,
    rules: &LegalAidRules,
    provided: &[DocumentKind],
) -> Vec<DocumentKind> {
    required_documents(answers, rules)
        .into_iter()
        .filter(|d| !provided.contains(d))
        .collect()
}
