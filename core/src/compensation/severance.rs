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

use super::breakdown::{Bilingual, Breakdown, RawLine, finish, show};
use super::params::{Indicator, ParamTable};
use super::{CalcError, check_amount, check_region, param_use};
use crate::language::Language;
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

const LEGAL_BASIS: &[Bilingual] = &[
    (
        "《中华人民共和国劳动合同法》第四十六条、第四十七条 (经济补偿)",
        "Labour Contract Law of the People's Republic of China, arts. 46 and 47 (severance)",
    ),
    (
        "《中华人民共和国劳动合同法》第四十条 (额外支付一个月工资) 、第八十七条 (二倍赔偿金)",
        "Labour Contract Law, art. 40 (one more month's wage) and art. 87 (double compensation)",
    ),
    (
        "《中华人民共和国劳动合同法实施条例》第二十条、第二十五条、第二十七条",
        "Regulation on the Implementation of the Labour Contract Law, arts. 20, 25 and 27",
    ),
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

/// Compute the severance, explained in `language`.
pub fn severance(
    input: &SeveranceInput,
    table: &ParamTable,
    language: Language,
) -> Result<Breakdown, CalcError> {
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
    let (years, rest, n) = (m / 12, m % 12, show(uncapped_n));
    let service_words = language.choose(
        format!("工作 {m} 个月 = {years} 整年 + {rest} 个月 → N = {n}"),
        format!("{m} months = {years} full years + {rest} months → N = {n}"),
    );
    // 3 × (yearly ÷ 12) = yearly ÷ 4, exact; strict "高于".
    let cap = avg.value / Decimal::from(4);
    let high = wage > cap;
    let (w, a, c) = (show(wage), show(avg.value), show(cap));
    let (base, n, cap_words) = if high {
        let n = uncapped_n.min(Decimal::from(12));
        let shown_n = show(n);
        (
            cap,
            n,
            language.choose(
                format!(
                    "月工资 {w} 高于当地职工月平均工资三倍 ({a} ÷ 12 × 3 = {c}): 按 {c} 计算, 年限最多 12 年 (N = {shown_n})"
                ),
                format!(
                    "wage {w} > 3 × average monthly wage ({a} ÷ 12 × 3 = {c}): wage capped at {c}, years capped at 12 (N = {shown_n})"
                ),
            ),
        )
    } else {
        (
            wage,
            uncapped_n,
            language.choose(
                format!("月工资 {w} 不高于当地职工月平均工资三倍 ({a} ÷ 12 × 3 = {c}): 不封顶"),
                format!("wage {w} ≤ 3 × average monthly wage ({a} ÷ 12 × 3 = {c}): no cap"),
            ),
        )
    };
    let mut lines = Vec::new();
    let (b, shown_n) = (show(base), show(n));
    let n_words = language.choose(
        format!("月工资 {b} × N {shown_n} ({service_words}; {cap_words})"),
        format!("monthly wage {b} × N {shown_n} ({service_words}; {cap_words})"),
    );
    match input.termination {
        Termination::Lawful | Termination::LawfulInLieuOfNotice => {
            lines.push(
                RawLine::item(
                    language.choose("经济补偿 N", "severance (N)"),
                    n_words,
                    base * n,
                )
                .with(param_use(avg, language)),
            );
        }
        Termination::Unlawful => {
            lines.push(
                RawLine::item(
                    language.choose(
                        "违法解除赔偿金 2N",
                        "compensation for unlawful termination (2N)",
                    ),
                    format!("2 × {n_words}"),
                    base * n * Decimal::from(2),
                )
                .with(param_use(avg, language)),
            );
        }
    }
    if input.termination == Termination::LawfulInLieuOfNotice {
        let last = input.last_month_wage.unwrap_or(wage);
        let l = show(last);
        lines.push(RawLine::item(
            language.choose("代通知金 +1", "one month's wage in lieu of notice (+1)"),
            language.choose(
                format!("上月工资 {l} (不封顶)"),
                format!("previous month's wage {l} (not capped)"),
            ),
            last,
        ));
    }
    let notes = match language {
        Language::Zh => vec![
            "本地区上年度职工月平均工资按参数表中的非私营单位就业人员年平均工资 ÷ 12 计算;所在城市另有公布数据的,以其为准。".to_string(),
            "2008年1月1日前的工作年限 (第九十七条) 以及依法解除不支付经济补偿的情形未纳入计算。".to_string(),
        ],
        Language::En => vec![
            "The local average monthly wage of the previous year is taken as the table's average yearly wage of employees in non-private units ÷ 12; the city may publish its own figure.".to_string(),
            "Service before 1 January 2008 (art. 97) and the deductions for a lawful termination without severance are not modelled.".to_string(),
        ],
    };
    Ok(finish("severance", lines, LEGAL_BASIS, notes, language))
}
