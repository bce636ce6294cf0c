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

pub use breakdown::{Breakdown, DISCLAIMER, Line, LineKind, ParamUse};
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

/// Compute the itemised breakdown of a request with the figures of `table`.
pub fn calculate(request: &CalcRequest, table: &ParamTable) -> Result<Breakdown, CalcError> {
    match request {
        CalcRequest::PersonalInjury(input) => personal_injury::personal_injury(input, table),
        CalcRequest::TrafficAccident(input) => personal_injury::traffic_accident(input, table),
        CalcRequest::WorkInjury(input) => work_injury::work_injury(input, table),
        CalcRequest::Severance(input) => severance::severance(input, table),
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

/// The parameter use of a statistical figure.
pub(crate) fn param_use(value: &ParamValue) -> ParamUse {
    ParamUse {
        indicator: format!("{} {}", value.indicator.code(), value.indicator.chinese()),
        region: value.region.clone(),
        year: value.year,
        value: value.value,
        unit: value.unit.clone(),
        source: value.source.clone(),
    }
}

/// The parameter use of a figure fixed by law.
pub(crate) fn law_use(name: &str, year: u16, value: Decimal, unit: &str, source: &str) -> ParamUse {
    ParamUse {
        indicator: name.to_string(),
        region: params::NATIONAL.to_string(),
        year,
        value,
        unit: unit.to_string(),
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
        let b = calculate(&req, &ParamTable::builtin().unwrap()).unwrap();
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

    #[test]
    fn unknown_fields_and_types_are_refused() {
        let typo = r#"{"type": "severance", "region": "330000", "year": 2021,
            "monthly_wage": "8000", "months_of_servic": 30, "termination": "lawful"}"#;
        assert!(serde_json::from_str::<CalcRequest>(typo).is_err());
        let unknown = r#"{"type": "divorce", "region": "330000"}"#;
        assert!(serde_json::from_str::<CalcRequest>(unknown).is_err());
    }
}
