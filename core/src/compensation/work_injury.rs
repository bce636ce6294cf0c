//! Work injury (工伤保险待遇), 《工伤保险条例》(2010年修订):
//! * 本人工资 (art. 64): the worker's average monthly wage over the 12
//!   months before the injury, clamped to 60%–300% of the local average
//!   monthly wage (统筹地区职工月平均工资 = yearly average ÷ 12);
//! * 一次性伤残补助金 (arts. 35–37) = own wage × 27/25/23/21/18/16/13/11/9/7
//!   months for grades 1–10;
//! * 一次性工亡补助金 (art. 39) = 20 × the previous year's national urban
//!   per-capita disposable income (region [`NATIONAL`]);
//! * 丧葬补助金 (art. 39) = 6 months of the local average monthly wage.
//!
//! The local average wage is the table's `average_wage_non_private` for the
//! request's region and year; where the social-insurance agency publishes a
//! different figure for its pooling area, supply it in a caller's table.

use super::breakdown::{Bilingual, Breakdown, RawLine, finish, show};
use super::params::{
    Indicator, NATIONAL, ParamTable, WORK_INJURY_GRANT_SOURCE, work_injury_grant_months,
};
use super::{CalcError, check_amount, check_region, law_use, param_use};
use crate::language::Language;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the work injury led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WorkInjuryOutcome {
    /// Disability grade 1–10 (伤残等级): the one-off disability grant.
    Disability { grade: u8 },
    /// Death at work (因工死亡): death grant and funeral grant.
    Death,
}

/// A work-injury case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkInjuryInput {
    /// Region (pooling area) of the average wage, e.g. "330000".
    pub region: String,
    /// Statistical year of the figures (the previous year).
    pub year: u16,
    /// The worker's average monthly wage over the 12 months before the
    /// injury (yuan); required for a disability grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_wage: Option<Decimal>,
    pub outcome: WorkInjuryOutcome,
}

const LEGAL_BASIS: &[Bilingual] = &[
    (
        "《工伤保险条例》(国务院令第586号, 2010年修订) 第三十五条、第三十六条、第三十七条 (一次性伤残补助金)",
        "Regulation on Work-Related Injury Insurance (State Council Decree No. 586, revised 2010), arts. 35, 36 and 37 (one-off disability grant)",
    ),
    (
        "《工伤保险条例》第三十九条 (丧葬补助金、一次性工亡补助金)",
        "Regulation on Work-Related Injury Insurance, art. 39 (funeral grant, one-off death grant)",
    ),
    (
        "《工伤保险条例》第六十四条 (本人工资 60%–300%)",
        "Regulation on Work-Related Injury Insurance, art. 64 (own wage within 60%–300%)",
    ),
];

/// Compute the work-injury grants, explained in `language`.
pub fn work_injury(
    input: &WorkInjuryInput,
    table: &ParamTable,
    language: Language,
) -> Result<Breakdown, CalcError> {
    check_region(&input.region)?;
    if let Some(w) = input.monthly_wage {
        check_amount("monthly_wage", w)?;
    }
    let region = input.region.trim();
    let mut lines = Vec::new();
    let mut notes = match language {
        Language::Zh => vec![
            "只计算一次性待遇。按月支付的伤残津贴、供养亲属抚恤金,停工留薪期工资,以及浙江省的一次性工伤医疗补助金、一次性伤残就业补助金未计入。".to_string(),
            "统筹地区职工月平均工资按参数表中的非私营单位就业人员年平均工资 ÷ 12 计算;社会保险经办机构对本统筹地区另有公布数据的,以其为准。".to_string(),
        ],
        Language::En => vec![
            "Only the one-off grants are computed. Monthly benefits (disability allowance, pensions of supported relatives), wages during treatment and Zhejiang's one-off medical and employment grants are not included.".to_string(),
            "The pooling area's average monthly wage is taken as the table's average yearly wage of employees in non-private units ÷ 12; the agency may publish another figure for its pooling area.".to_string(),
        ],
    };
    match input.outcome {
        WorkInjuryOutcome::Disability { grade } => {
            let months = work_injury_grant_months(grade).ok_or_else(|| {
                CalcError::invalid(
                    "outcome.grade",
                    format!("grade {grade} is not a disability grade (1–10)"),
                )
            })?;
            let wage = input.monthly_wage.ok_or_else(|| {
                CalcError::invalid("monthly_wage", "required for the one-off disability grant")
            })?;
            let avg = table.get(region, input.year, Indicator::AverageWageNonPrivate)?;
            // 60% and 300% of yearly ÷ 12, written so that they are exact.
            let floor = avg.value * Decimal::new(5, 2);
            let ceiling = avg.value / Decimal::from(4);
            let (w, a) = (show(wage), show(avg.value));
            let (base, why) = if wage < floor {
                (
                    floor,
                    language.choose(
                        format!("本人工资 {w} 低于平均工资的 60%, 按 {a} ÷ 12 × 60% 计算"),
                        format!("own wage {w} < 60% of the average, raised to {a} ÷ 12 × 60%"),
                    ),
                )
            } else if wage > ceiling {
                (
                    ceiling,
                    language.choose(
                        format!("本人工资 {w} 高于平均工资的 300%, 按 {a} ÷ 12 × 300% 计算"),
                        format!("own wage {w} > 300% of the average, cut to {a} ÷ 12 × 300%"),
                    ),
                )
            } else {
                (
                    wage,
                    language.choose(
                        format!("本人工资 {w} 在职工月平均工资 {a} ÷ 12 的 60%–300% 之间"),
                        format!(
                            "own wage {w} within 60%–300% of the average monthly wage {a} ÷ 12"
                        ),
                    ),
                )
            };
            if base != wage {
                let used = show(base.round_dp(6));
                notes.push(language.choose(
                    format!("计算所用本人工资: {used} 元/月。"),
                    format!("Own wage used: {used} yuan/month."),
                ));
            }
            lines.push(
                RawLine::item(
                    language.choose("一次性伤残补助金", "one-off disability grant"),
                    language.choose(
                        format!("本人工资 × {months} 个月 ({grade} 级伤残); {why}"),
                        format!("own wage × {months} months (grade {grade}); {why}"),
                    ),
                    base * Decimal::from(months),
                )
                .with(param_use(avg, language))
                .with(law_use(
                    &language.choose(
                        format!("{grade} 级伤残的本人工资月数"),
                        format!("months of own wage, grade {grade}"),
                    ),
                    2010,
                    Decimal::from(months),
                    "months",
                    language.choose(WORK_INJURY_GRANT_SOURCE.0, WORK_INJURY_GRANT_SOURCE.1),
                    language,
                )),
            );
        }
        WorkInjuryOutcome::Death => {
            let national = table.get(NATIONAL, input.year, Indicator::UrbanDisposableIncome)?;
            let avg = table.get(region, input.year, Indicator::AverageWageNonPrivate)?;
            let (u, a) = (show(national.value), show(avg.value));
            lines.push(
                RawLine::item(
                    language.choose("一次性工亡补助金", "one-off death grant"),
                    language.choose(
                        format!("全国城镇居民人均可支配收入 {u} × 20"),
                        format!("national urban per-capita disposable income {u} × 20"),
                    ),
                    national.value * Decimal::from(20),
                )
                .with(param_use(national, language)),
            );
            lines.push(
                RawLine::item(
                    language.choose("丧葬补助金", "funeral grant"),
                    language.choose(
                        format!("职工年平均工资 {a} ÷ 12 × 6 个月"),
                        format!("average yearly wage {a} ÷ 12 × 6 months"),
                    ),
                    avg.value * Decimal::from(6) / Decimal::from(12),
                )
                .with(param_use(avg, language)),
            );
        }
    }
    Ok(finish("work_injury", lines, LEGAL_BASIS, notes, language))
}
