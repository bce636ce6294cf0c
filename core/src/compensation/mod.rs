//! Compensation calculators (赔偿计算): personal injury (人身损害), traffic
//! accidents (交通事故), work injury (工伤) and labour severance (经济补偿).
//!
//! Every result is a [`Breakdown`]: each line with its formula in words,
//! the parameters used with their year and source, and the amount, plus
//! the legal basis and a disclaimer. Statistical figures come from a
//! [`ParamTable`] (region × year × indicator, shipped as data); figures
//! fixed by law are constants in [`params`] with their legal source.
//!
//! One entry point, [`calculate`], takes a [`CalcRequest`] tagged by
//! `"type"`, so the server can expose a single JSON endpoint:
//!
//! ```json
//! {"type": "personal_injury", "region": "330000", "year": 2022, "age": 45,
//!  "outcome": {"kind": "disability", "grade": 10},
//!  "dependants": [{"age": "10", "obliged_persons": 2}],
//!  "items": {"medical": "12000.50", "nutrition": "1800"}}
//! ```
//!
//! Amounts are JSON strings (`"12000.50"`) so that no binary float ever
//! touches money; plain JSON numbers are accepted too.

pub mod breakdown;
pub mod params;
pub mod personal_injury;
pub mod severance;
pub mod work_injury;

#[cfg(test)]
mod worked_examples;

pub use crate::language::Language;
pub use breakdown::{
    Breakdown, DISCLAIMER_EN, DISCLAIMER_ZH, Line, LineKind, ParamUse, disclaimer, rounding,
};
pub use params::{Indicator, ParamTable, ParamValue};
pub use personal_injury::{
    Dependant, EnteredItems, InjuryOutcome, PersonalInjuryInput, TrafficAccidentInput,
};
pub use severance::{SeveranceInput, Termination};
pub use work_injury::{WorkInjuryInput, WorkInjuryOutcome};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why a calculation was refused. Input errors name the field (with its
/// path, e.g. `items.medical` or `dependants[1].age`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalcError {
    #[error("invalid input {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error(
        "missing parameter {indicator} for region {region}, year {year}: the parameter table has no such figure (years it has for this region and indicator: {available_years:?}); add it to the table with its source"
    )]
    MissingParameter {
        region: String,
        year: u16,
        indicator: Indicator,
        available_years: Vec<u16>,
    },
    #[error("invalid parameter table, line {line}: {reason}")]
    InvalidTable { line: u64, reason: String },
}

impl CalcError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CalcError::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A calculation request, tagged by `"type"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CalcRequest {
    PersonalInjury(PersonalInjuryInput),
    TrafficAccident(TrafficAccidentInput),
    WorkInjury(WorkInjuryInput),
    Severance(SeveranceInput),
}

/// Compute the itemised breakdown of a request with the figures of `table`,
/// explained in `language`.
pub fn calculate(
    request: &CalcRequest,
    table: &ParamTable,
    language: Language,
) -> Result<Breakdown, CalcError> {
    match request {
        CalcRequest::PersonalInjury(input) => {
            personal_injury::personal_injury(input, table, language)
        }
        CalcRequest::TrafficAccident(input) => {
            personal_injury::traffic_accident(input, table, language)
        }
        CalcRequest::WorkInjury(input) => work_injury::work_injury(input, table, language),
        CalcRequest::Severance(input) => severance::severance(input, table, language),
    }
}

/// Largest age accepted, in years.
pub const MAX_AGE: u32 = 130;

/// An amount must be ≥ 0 and at most [`params::MAX_AMOUNT`].
pub(crate) fn check_amount(field: &str, value: Decimal) -> Result<(), CalcError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(CalcError::invalid(field, format!("{value} is negative")));
    }
    if value > Decimal::from(params::MAX_AMOUNT) {
        return Err(CalcError::invalid(
            field,
            format!("{value} exceeds {}", params::MAX_AMOUNT),
        ));
    }
    Ok(())
}

pub(crate) fn check_age(field: &str, age: u32) -> Result<(), CalcError> {
    if age > MAX_AGE {
        return Err(CalcError::invalid(
            field,
            format!("{age} is not a plausible age (0–{MAX_AGE})"),
        ));
    }
    Ok(())
}

pub(crate) fn check_region(region: &str) -> Result<(), CalcError> {
    if region.trim().is_empty() {
        return Err(CalcError::invalid("region", "is empty"));
    }
    Ok(())
}

/// The parameter use of a statistical figure: its name and unit in
/// `language`, its source as the table cites it.
pub(crate) fn param_use(value: &ParamValue, language: Language) -> ParamUse {
    ParamUse {
        indicator: language
            .choose(value.indicator.chinese(), value.indicator.english())
            .to_string(),
        region: value.region.clone(),
        year: value.year,
        value: value.value,
        unit: unit_words(&value.unit, language),
        source: value.source.clone(),
    }
}

/// A unit in `language`; the table's units are written in English
/// (`yuan/year`), a unit it does not know is kept as written.
pub(crate) fn unit_words(unit: &str, language: Language) -> String {
    let zh = match unit.trim() {
        "yuan" => "元",
        "yuan/year" => "元/年",
        "yuan/month" => "元/月",
        "months" => "个月",
        "ratio" => "比例",
        other => other,
    };
    language.choose(zh, unit).to_string()
}

/// The parameter use of a figure fixed by law (name and source already in
/// the request's language; `unit` as [`unit_words`] takes it).
pub(crate) fn law_use(
    name: &str,
    year: u16,
    value: Decimal,
    unit: &str,
    source: &str,
    language: Language,
) -> ParamUse {
    ParamUse {
        indicator: name.to_string(),
        region: params::NATIONAL.to_string(),
        year,
        value,
        unit: unit_words(unit, language),
        source: source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_json_is_tagged_by_type() {
        let json = r#"{"type": "severance", "region": "330000", "year": 2021,
            "monthly_wage": "8000", "months_of_service": 30, "termination": "lawful"}"#;
        let req: CalcRequest = serde_json::from_str(json).unwrap();
        assert!(matches!(req, CalcRequest::Severance(_)));
        let b = calculate(&req, &ParamTable::builtin().unwrap(), Language::En).unwrap();
        // 30 months = 2 years + 6 months → 3 months of wage.
        assert_eq!(b.total, Decimal::from(24_000));
        let out = serde_json::to_value(&b).unwrap();
        assert_eq!(out["total"], "24000.00");
        assert!(
            out["disclaimer"]
                .as_str()
                .unwrap()
                .contains("not legal advice")
        );
    }

    /// Every text of a breakdown a user reads; the statistical figures'
    /// sources (the table's data, cited as published) left out.
    fn texts(b: &Breakdown, table: &ParamTable) -> Vec<String> {
        let mut all = vec![b.rounding.clone(), b.disclaimer.clone()];
        all.extend(b.legal_basis.iter().cloned());
        all.extend(b.notes.iter().cloned());
        for l in &b.lines {
            all.extend([l.item.clone(), l.formula.clone()]);
            for p in &l.parameters {
                all.extend([p.indicator.clone(), p.unit.clone()]);
                if !table.iter().any(|v| v.source == p.source) {
                    all.push(p.source.clone());
                }
            }
        }
        all
    }

    fn requests() -> Vec<CalcRequest> {
        let injury = |outcome: &str| {
            format!(
                r#"{{"region": "330000", "year": 2022, "age": 66, "outcome": {outcome},
                "dependants": [{{"age": "10", "obliged_persons": 2}}, {{"age": "70", "obliged_persons": 1}}],
                "items": {{"medical": "100", "lost_wages": "1", "nursing": "1", "hospital_meals": "1",
                "nutrition": "1", "transport": "1", "lodging": "1", "appraisal": "1",
                "assistive_devices": "1", "mental_solatium": "1"}}}}"#
            )
        };
        let mut json = vec![
            format!(
                r#"{{"type": "personal_injury", {}"#,
                &injury(r#"{"kind": "disability", "grade": 3}"#)[1..]
            ),
            format!(
                r#"{{"type": "personal_injury", {}"#,
                &injury(r#"{"kind": "death"}"#)[1..]
            )
            .replace("2022", "2020"),
            format!(
                r#"{{"type": "traffic_accident", "fault_share_percent": "60", "property_loss": "5000", "injury": {}}}"#,
                injury(r#"{"kind": "disability", "grade": 9}"#)
            ),
            format!(
                r#"{{"type": "traffic_accident", "fault_share_percent": "0", "injury": {}}}"#,
                injury(r#"{"kind": "disability", "grade": 9}"#)
            ),
        ];
        for (wage, termination) in [
            ("8000", "lawful"),
            ("90000", "unlawful"),
            ("8000", "lawful_in_lieu_of_notice"),
        ] {
            json.push(format!(
                r#"{{"type": "severance", "region": "330000", "year": 2021, "monthly_wage": "{wage}",
                "months_of_service": 200, "termination": "{termination}"}}"#
            ));
        }
        for wage in ["100", "8000", "90000"] {
            json.push(format!(
                r#"{{"type": "work_injury", "region": "330000", "year": 2021, "monthly_wage": "{wage}",
                "outcome": {{"kind": "disability", "grade": 5}}}}"#
            ));
        }
        json.iter()
            .map(|j| serde_json::from_str(j).unwrap_or_else(|e| panic!("{e}: {j}")))
            .collect()
    }

    /// A Chinese request gets no English word in any text (single letters
    /// such as N, 2N and C are the formulas' symbols; GB is the prefix of
    /// a national standard's number); an English one no Chinese character.
    /// Both give the same amounts.
    #[test]
    fn every_text_is_in_the_language_asked_for() {
        let mut table = ParamTable::builtin().unwrap();
        // The work-injury death grant needs the national figure, which the
        // shipped table does not have yet: a test-only one.
        table.merge(
            ParamTable::from_csv_str(
                "region,year,indicator,value,unit,source\nCN,2021,urban_disposable_income,47412,yuan/year,test-only figure\n",
            )
            .unwrap(),
        );
        let mut all = requests();
        all.push(
            serde_json::from_str(
                r#"{"type": "work_injury", "region": "330000", "year": 2021, "outcome": {"kind": "death"}}"#,
            )
            .unwrap(),
        );
        for request in all {
            let zh = calculate(&request, &table, Language::Zh).unwrap();
            let en = calculate(&request, &table, Language::En).unwrap();
            assert_eq!(zh.total, en.total);
            assert_eq!(zh.lines.len(), en.lines.len());
            for text in texts(&zh, &table) {
                let latin: Vec<&str> = text
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|w| w.len() > 1 && *w != "GB")
                    .collect();
                assert!(latin.is_empty(), "{latin:?} in {text}");
            }
            for text in texts(&en, &table) {
                assert!(
                    !text.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c)
                        || ('\u{ff00}'..='\u{ffef}').contains(&c)),
                    "Chinese in {text}"
                );
            }
        }
    }

    #[test]
    fn unknown_fields_and_types_are_refused() {
        let typo = r#"{"type": "severance", "region": "330000", "year": 2021,
            "monthly_wage": "8000", "months_of_servic": 30, "termination": "lawful"}"#;
        assert!(serde_json::from_str::<CalcRequest>(typo).is_err());
        let unknown = r#"{"type": "divorce", "region": "330000"}"#;
        assert!(serde_json::from_str::<CalcRequest>(unknown).is_err());
    }
}
