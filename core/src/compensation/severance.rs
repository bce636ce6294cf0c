//! Labour severance (经济补偿), 《劳动合同法》:
//! * N (art. 47): one month's wage per full year of service; a remainder of
//!   six months or more counts as a year, under six months as half a month;
//! * the monthly wage is the average of the 12 months before the contract
//!   ends; when it is above (高于) 3 × the local average monthly wage, it is
//!   capped at 3 × that average and the years at 12 (both caps apply only
//!   to such high wages; a wage exactly 3 × the average is not capped);
//! * 2N (art. 87): unlawful termination, twice the art. 47 amount;
//! * N+1 (art. 40): termination without 30 days' notice adds one month's
//!   wage (代通知金), the previous month's wage (实施条例 art. 20), uncapped.
//!
//! The local average is the table's `average_wage_non_private` for the
//! region and year ÷ 12; where the city publishes its own figure (e.g.
//! Wenzhou), supply it in a caller's table under the city's code.
//! Service before 2008 (art. 97) and the special rules for some
//! terminations are not modelled.

use super::breakdown::{Breakdown, RawLine, finish, show};
use super::params::{Indicator, ParamTable};
use super::{CalcError, check_amount, check_region, param_use};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most months of service accepted (80 years).
pub const MAX_SERVICE_MONTHS: u32 = 960;

/// How the contract ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// Lawful ending with severance (art. 46): N.
    Lawful,
    /// Lawful dismissal under art. 40 without 30 days' notice: N + 1.
    LawfulInLieuOfNotice,
    /// Unlawful termination (违法解除, art. 87): 2N.
    Unlawful,
}

/// A severance case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeveranceInput {
    /// Region of the local average wage, e.g. "330000".
    pub region: String,
    /// Statistical year of the local average wage (the previous year).
    pub year: u16,
    /// Average monthly wage over the 12 months before the end (yuan).
    pub monthly_wage: Decimal,
    /// Completed months of service with this employer.
    pub months_of_service: u32,
    pub termination: Termination,
    /// The previous month's wage for the extra month of N + 1; defaults to
    /// `monthly_wage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_month_wage: Option<Decimal>,
}

const LEGAL_BASIS: &[&str] = &[
    "《中华人民共和国劳动合同法》第四十六条、第四十七条 (经济补偿)",
    "《中华人民共和国劳动合同法》第四十条 (额外支付一个月工资) 、第八十七条 (二倍赔偿金)",
    "《中华人民共和国劳动合同法实施条例》第二十条、第二十五条、第二十七条",
];

/// Months of wage N for a service length (art. 47), before any cap.
pub fn severance_months(months_of_service: u32) -> Decimal {
    let years = Decimal::from(months_of_service / 12);
    let rest = months_of_service % 12;
    years
        + match rest {
            0 => Decimal::ZERO,
            1..=5 => Decimal::new(5, 1),
            _ => Decimal::ONE,
        }
}

/// Compute the severance.
pub fn severance(input: &SeveranceInput, table: &ParamTable) -> Result<Breakdown, CalcError> {
    check_region(&input.region)?;
    check_amount("monthly_wage", input.monthly_wage)?;
    if let Some(w) = input.last_month_wage {
        check_amount("last_month_wage", w)?;
    }
    if input.months_of_service > MAX_SERVICE_MONTHS {
        return Err(CalcError::invalid(
            "months_of_service",
            format!("{} exceeds {MAX_SERVICE_MONTHS}", input.months_of_service),
        ));
    }
    let avg = table.get(
        input.region.trim(),
        input.year,
        Indicator::AverageWageNonPrivate,
    )?;
    let wage = input.monthly_wage;
    let m = input.months_of_service;
    let uncapped_n = severance_months(m);
    let service_words = format!(
        "{m} months = {} full years + {} months → N = {}",
        m / 12,
        m % 12,
        show(uncapped_n)
    );
    // 3 × (yearly ÷ 12) = yearly ÷ 4, exact; strict "高于".
    let cap = avg.value / Decimal::from(4);
    let high = wage > cap;
    let (base, n, cap_words) = if high {
        let n = uncapped_n.min(Decimal::from(12));
        (
            cap,
            n,
            format!(
                "wage {} > 3 × average monthly wage ({} ÷ 12 × 3 = {}): wage capped at {}, years capped at 12 (N = {})",
                show(wage),
                show(avg.value),
                show(cap),
                show(cap),
                show(n)
            ),
        )
    } else {
        (
            wage,
            uncapped_n,
            format!(
                "wage {} ≤ 3 × average monthly wage ({} ÷ 12 × 3 = {}): no cap",
                show(wage),
                show(avg.value),
                show(cap)
            ),
        )
    };
    let mut lines = Vec::new();
    let n_words = format!(
        "月工资 {} × N {} ({service_words}; {cap_words})",
        show(base),
        show(n)
    );
    match input.termination {
        Termination::Lawful | Termination::LawfulInLieuOfNotice => {
            lines.push(
                RawLine::item("经济补偿 N severance", n_words, base * n).with(param_use(avg)),
            );
        }
        Termination::Unlawful => {
            lines.push(
                RawLine::item(
                    "违法解除赔偿金 2N compensation for unlawful termination",
                    format!("2 × {n_words}"),
                    base * n * Decimal::from(2),
                )
                .with(param_use(avg)),
            );
        }
    }
    if input.termination == Termination::LawfulInLieuOfNotice {
        let last = input.last_month_wage.unwrap_or(wage);
        lines.push(RawLine::item(
            "代通知金 +1 one month's wage in lieu of notice",
            format!("上月工资 previous month's wage {} (not capped)", show(last)),
            last,
        ));
    }
    let notes = vec![
        "本地区上年度职工月平均工资 is taken as the table's non-private-unit average wage (非私营单位就业人员年平均工资) ÷ 12; the city may publish its own figure.".to_string(),
        "Service before 1 January 2008 (art. 97) and the deductions for a lawful termination without severance are not modelled.".to_string(),
    ];
    Ok(finish("severance", lines, LEGAL_BASIS, notes))
}
