//! Compensation calculators (赔偿计算) for the phone: the core's rules and
//! its built-in, sourced parameter table, offline. Requests and breakdowns
//! cross as the same JSON the server's `/api/v1/calculators/compensation`
//! speaks, so one form model serves the app and the web, and a new
//! calculator field needs no new FFI type.

use crate::error::LawCircleError;
use lawcircle_core::compensation::{CalcError, CalcRequest, ParamTable, calculate};

/// Computes an itemised estimate from a JSON request (tagged by `type`:
/// `personal_injury`, `traffic_accident`, `work_injury`, `severance`) and
/// returns the breakdown as JSON: every line with its formula, the
/// parameters with year and source, the amount rounded once to the fen,
/// the legal basis and the disclaimer.
#[uniffi::export]
pub fn calculate_compensation(request_json: String) -> Result<String, LawCircleError> {
    let request: CalcRequest = serde_json::from_str(&request_json)
        .map_err(|e| LawCircleError::invalid("request", e.to_string()))?;
    let table = ParamTable::builtin().map_err(LawCircleError::internal)?;
    let breakdown = calculate(&request, &table).map_err(|e| match e {
        CalcError::InvalidInput { field, reason } => LawCircleError::InvalidInput { field, reason },
        missing @ CalcError::MissingParameter { .. } => {
            LawCircleError::invalid("year", missing.to_string())
        }
        other @ CalcError::InvalidTable { .. } => LawCircleError::internal(other),
    })?;
    serde_json::to_string(&breakdown).map_err(LawCircleError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severance_through_the_binding() {
        // 30 months → N = 3 months (Labour Contract Law art. 47) × 8,000.
        let out = calculate_compensation(
            r#"{"type":"severance","region":"330000","year":2021,"monthly_wage":"8000","months_of_service":30,"termination":"lawful"}"#.into(),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["total"], "24000.00");
        let err = calculate_compensation(
            r#"{"type":"severance","region":"330000","year":1999,"monthly_wage":"8000","months_of_service":30,"termination":"lawful"}"#.into(),
        )
        .unwrap_err();
        assert!(matches!(err, LawCircleError::InvalidInput { ref field, .. } if field == "year"));
    }
}
