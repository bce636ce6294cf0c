//! The specialty taxonomy (专长分类): one list of legal subject areas shared
//! by volunteers' and lawyers' skills and by needs, so that dispatch
//! compares codes with codes.
//!
//! * A volunteer chooses specialties from [`SPECIALTIES`] (by code, or by
//!   the exact Chinese or English name, stored as the code); [`GENERAL`]
//!   (综合) is general practice and matches every need.
//! * A need may name its subject (`NeedDraft::specialty`, one code). When
//!   it does not, its category (法律咨询, 人民调解…) decides which
//!   specialties qualify ([`CATEGORY_SPECIALTIES`]): a consultation may be
//!   about anything, a mediation is about the disputes mediators handle, an
//!   administrative reconsideration needs 行政争议…
//!
//! The lists are data: the server serves them at `GET /api/v1/specialties`
//! and the phone reads the same constants through the core.

use serde::{Deserialize, Serialize};

/// One subject area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Specialty {
    /// Stable code, stored on volunteers and needs.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

/// The code of general practice (综合): matches every need.
pub const GENERAL: &str = "general";

/// The taxonomy, in the order forms show it.
pub const SPECIALTIES: &[Specialty] = &[
    Specialty {
        code: "marriage_family",
        name_zh: "婚姻家庭",
        name_en: "Marriage and family",
    },
    Specialty {
        code: "labour",
        name_zh: "劳动争议",
        name_en: "Labour disputes",
    },
    Specialty {
        code: "contract",
        name_zh: "合同纠纷",
        name_en: "Contract disputes",
    },
    Specialty {
        code: "neighbour",
        name_zh: "邻里纠纷",
        name_en: "Neighbour disputes",
    },
    Specialty {
        code: "traffic_accident",
        name_zh: "交通事故",
        name_en: "Traffic accidents",
    },
    Specialty {
        code: "property",
        name_zh: "房产物业",
        name_en: "Housing and property management",
    },
    Specialty {
        code: "consumer",
        name_zh: "消费维权",
        name_en: "Consumer rights",
    },
    Specialty {
        code: "criminal_defence",
        name_zh: "刑事辩护",
        name_en: "Criminal defence",
    },
    Specialty {
        code: "administrative",
        name_zh: "行政争议",
        name_en: "Administrative disputes",
    },
    Specialty {
        code: "enterprise",
        name_zh: "企业法务",
        name_en: "Enterprise legal affairs",
    },
    Specialty {
        code: "lending",
        name_zh: "民间借贷",
        name_en: "Private lending and debts",
    },
    Specialty {
        code: "inheritance",
        name_zh: "继承",
        name_en: "Inheritance",
    },
    Specialty {
        code: "personal_injury",
        name_zh: "人身损害赔偿",
        name_en: "Personal injury",
    },
    Specialty {
        code: GENERAL,
        name_zh: "综合",
        name_en: "General practice",
    },
];

/// Which specialties qualify for a need of a category when the need does
/// not name its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CategorySpecialties {
    /// A need category code (`NeedCategory::as_str`).
    pub category: &'static str,
    /// Qualifying specialty codes; [`GENERAL`] always qualifies too.
    pub specialties: &'static [&'static str],
    /// Why, in a sentence.
    pub note: &'static str,
}

/// Every subject except general practice (listed for categories that may
/// be about anything).
const ANY_SUBJECT: &[&str] = &[
    "marriage_family",
    "labour",
    "contract",
    "neighbour",
    "traffic_accident",
    "property",
    "consumer",
    "criminal_defence",
    "administrative",
    "enterprise",
    "lending",
    "inheritance",
    "personal_injury",
];

/// How need categories map to the taxonomy.
pub const CATEGORY_SPECIALTIES: &[CategorySpecialties] = &[
    CategorySpecialties {
        category: "consultation",
        specialties: ANY_SUBJECT,
        note: "法律咨询 may be about any subject: every specialty qualifies unless the need names one",
    },
    CategorySpecialties {
        category: "mediation",
        specialties: &[
            "neighbour",
            "marriage_family",
            "labour",
            "traffic_accident",
            "property",
            "consumer",
            "contract",
            "lending",
            "inheritance",
            "personal_injury",
        ],
        note: "人民调解 handles civil disputes between people",
    },
    CategorySpecialties {
        category: "legal_aid",
        specialties: &[
            "labour",
            "marriage_family",
            "criminal_defence",
            "traffic_accident",
            "personal_injury",
            "inheritance",
        ],
        note: "法律援助 matters under the Legal Aid Law (Article 31) and criminal defence",
    },
    CategorySpecialties {
        category: "notarization",
        specialties: &["inheritance", "contract", "property"],
        note: "公证 of inheritance, contracts and property",
    },
    CategorySpecialties {
        category: "judicial_appraisal",
        specialties: &["traffic_accident", "personal_injury"],
        note: "司法鉴定 mostly of injuries",
    },
    CategorySpecialties {
        category: "arbitration",
        specialties: &["labour", "contract"],
        note: "劳动人事 and commercial arbitration",
    },
    CategorySpecialties {
        category: "administrative_reconsideration",
        specialties: &["administrative"],
        note: "行政复议 is an administrative dispute",
    },
    CategorySpecialties {
        category: "remote_prison_visit",
        specialties: &["criminal_defence"],
        note: "监所远程会见 concerns detained people",
    },
    CategorySpecialties {
        category: "enterprise_checkup",
        specialties: &["enterprise", "contract", "labour"],
        note: "企业法治体检 reviews a company's contracts, employment and compliance",
    },
    CategorySpecialties {
        category: "other",
        specialties: ANY_SUBJECT,
        note: "其他: every specialty qualifies unless the need names one",
    },
];

/// Why a specialty is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecialtyError {
    #[error("{0:?} is not in the specialty list (GET /api/v1/specialties)")]
    Unknown(String),
    #[error("choose at least one specialty")]
    Empty,
    #[error("at most {max} specialties, got {got}")]
    TooMany { max: usize, got: usize },
}

/// The most specialties one person may list.
pub const MAX_SPECIALTIES: usize = 8;

/// The specialty with this code.
pub fn by_code(code: &str) -> Option<&'static Specialty> {
    SPECIALTIES.iter().find(|s| s.code == code)
}

/// The specialty named by `input`: its code, Chinese name or English name
/// (trimmed; Latin letters case-insensitive).
pub fn resolve(input: &str) -> Result<&'static Specialty, SpecialtyError> {
    let t = input.trim();
    let lower = t.to_lowercase();
    SPECIALTIES
        .iter()
        .find(|s| s.code == lower || s.name_zh == t || s.name_en.to_lowercase() == lower)
        .ok_or_else(|| SpecialtyError::Unknown(t.to_string()))
}

/// A volunteer's chosen specialties as codes: each resolved, duplicates
/// dropped, order kept; at least one, at most [`MAX_SPECIALTIES`].
pub fn normalize(inputs: &[String]) -> Result<Vec<String>, SpecialtyError> {
    let mut out: Vec<String> = Vec::new();
    for i in inputs {
        let code = resolve(i)?.code.to_string();
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.is_empty() {
        return Err(SpecialtyError::Empty);
    }
    if out.len() > MAX_SPECIALTIES {
        return Err(SpecialtyError::TooMany {
            max: MAX_SPECIALTIES,
            got: out.len(),
        });
    }
    Ok(out)
}

/// Keywords that identify a subject in free text written before the
/// taxonomy existed (e.g. "劳动纠纷", "离婚").
const KEYWORDS: &[(&str, &[&str])] = &[
    (
        "marriage_family",
        &["婚姻", "家庭", "离婚", "抚养", "赡养", "家事"],
    ),
    ("labour", &["劳动", "工伤", "欠薪", "工资", "社保"]),
    ("contract", &["合同"]),
    ("neighbour", &["邻里", "相邻"]),
    ("traffic_accident", &["交通", "车祸"]),
    (
        "property",
        &["房产", "物业", "房屋", "租赁", "拆迁", "征收"],
    ),
    ("consumer", &["消费", "消费者"]),
    ("criminal_defence", &["刑事", "辩护", "刑辩"]),
    ("administrative", &["行政"]),
    ("enterprise", &["企业", "公司", "商事"]),
    ("lending", &["借贷", "借款", "债务", "欠款"]),
    ("inheritance", &["继承", "遗嘱", "遗产"]),
    ("personal_injury", &["人身损害", "伤害", "医疗"]),
    (GENERAL, &["综合", "全科", "通用"]),
];

/// Free-text specialties mapped onto the taxonomy, for records written
/// before it existed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Migrated {
    /// Codes found (an exact name or code, else a keyword), in order.
    pub codes: Vec<String>,
    /// Tags that match nothing: kept beside the record, not used to match.
    pub unmatched: Vec<String>,
}

/// Maps free-text tags onto codes: an exact code or name first, else every
/// subject whose keyword the tag contains; need-category codes written as
/// specialties (`consultation`, `mediation`…) match nothing.
pub fn migrate_free_text(tags: &[String]) -> Migrated {
    let mut m = Migrated::default();
    for tag in tags {
        let t = tag.trim();
        if t.is_empty() {
            continue;
        }
        let mut found: Vec<&str> = match resolve(t) {
            Ok(s) => vec![s.code],
            Err(_) => KEYWORDS
                .iter()
                .filter(|(_, words)| words.iter().any(|w| t.contains(w)))
                .map(|(code, _)| *code)
                .collect(),
        };
        if found.is_empty() {
            if !m.unmatched.iter().any(|u| u == t) {
                m.unmatched.push(t.to_string());
            }
            continue;
        }
        for c in found.drain(..) {
            if !m.codes.iter().any(|x| x == c) {
                m.codes.push(c.to_string());
            }
        }
    }
    m
}

/// The specialty codes that qualify for a need: the one it names, else
/// those of its category (an unknown category: every subject). General
/// practice is not listed; it always qualifies.
pub fn qualifying(category: &str, need_specialty: Option<&str>) -> Vec<String> {
    if let Some(s) = need_specialty.filter(|s| !s.trim().is_empty() && *s != GENERAL) {
        return vec![s.trim().to_string()];
    }
    CATEGORY_SPECIALTIES
        .iter()
        .find(|c| c.category == category)
        .map_or(ANY_SUBJECT, |c| c.specialties)
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Whether someone with `skills` may take a need for which `qualifying`
/// specialties qualify: one in common, or general practice.
pub fn skills_match(skills: &[String], qualifying: &[String]) -> bool {
    skills
        .iter()
        .any(|s| s == GENERAL || qualifying.iter().any(|q| q == s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::needs::NeedCategory;

    #[test]
    fn codes_are_unique_and_mapped_categories_exist() {
        for (i, a) in SPECIALTIES.iter().enumerate() {
            assert!(SPECIALTIES[i + 1..].iter().all(|b| b.code != a.code));
        }
        for c in NeedCategory::ALL {
            let m = CATEGORY_SPECIALTIES
                .iter()
                .find(|m| m.category == c.as_str())
                .unwrap_or_else(|| panic!("{c:?} has no mapping"));
            assert!(m.specialties.iter().all(|s| by_code(s).is_some()));
        }
    }

    #[test]
    fn resolve_by_code_or_name() {
        assert_eq!(resolve("labour").unwrap().name_zh, "劳动争议");
        assert_eq!(resolve(" 劳动争议 ").unwrap().code, "labour");
        assert_eq!(resolve("Labour disputes").unwrap().code, "labour");
        assert_eq!(resolve("综合").unwrap().code, GENERAL);
        assert_eq!(
            resolve("consultation"),
            Err(SpecialtyError::Unknown("consultation".into()))
        );
        assert_eq!(
            normalize(&["劳动争议".into(), "labour".into(), "婚姻家庭".into()]).unwrap(),
            vec!["labour", "marriage_family"]
        );
        assert_eq!(normalize(&[]), Err(SpecialtyError::Empty));
    }

    #[test]
    fn free_text_migrates_by_name_then_keyword() {
        let m = migrate_free_text(&[
            "劳动争议".into(),
            "离婚案件".into(),
            "consultation".into(),
            "综合".into(),
            "劳动纠纷".into(),
        ]);
        assert_eq!(m.codes, vec!["labour", "marriage_family", GENERAL]);
        assert_eq!(m.unmatched, vec!["consultation"]);
    }

    #[test]
    fn qualifying_by_need_subject_or_category() {
        assert_eq!(qualifying("consultation", Some("labour")), vec!["labour"]);
        assert_eq!(
            qualifying("administrative_reconsideration", None),
            vec!["administrative"]
        );
        assert_eq!(qualifying("consultation", None).len(), ANY_SUBJECT.len());
        let q = qualifying("mediation", None);
        assert!(skills_match(&["neighbour".into()], &q));
        assert!(!skills_match(&["criminal_defence".into()], &q));
        assert!(skills_match(&[GENERAL.into()], &q));
    }
}
