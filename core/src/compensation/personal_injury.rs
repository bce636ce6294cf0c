//! Personal injury (人身损害赔偿) and traffic accidents (交通事故).
//!
//! Rules (《最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释》,
//! 法释〔2003〕20号, amended 2020 and 2022 (法释〔2022〕14号), urban and rural
//! unified on the urban figures):
//! * 残疾赔偿金 (art. 12) = U × disability coefficient × years;
//! * 死亡赔偿金 (art. 15) = U × years;
//! * years (the age rule): 20; from age 61 one year less per year over 60
//!   (so 60 → 20, 61 → 19, 74 → 6); from 75, 5 years;
//! * 被扶养人生活费 (art. 17) = C × years × coefficient (1 on death) ÷
//!   persons obliged to support the dependant; minors until 18, adults
//!   without work ability or other income 20 years with the age rule; the
//!   yearly total for all dependants is capped at C (see [`dependants`]);
//!   by art. 16 it is counted into the disability or death compensation;
//! * 丧葬费 (art. 14) = 6 months of the average wage;
//! * entered items (医疗费, 误工费, 护理费, 交通费, 住宿费, 住院伙食补助费,
//!   营养费, 残疾辅助器具费, 鉴定费, 精神损害抚慰金) as the caller enters them.
//!
//! U is the urban per-capita disposable income and C the urban per-capita
//! consumption spending of the region, for the statistical year before the
//! first-instance argument closes (art. 22).
//!
//! Traffic (《道路交通安全法》第七十六条): the compulsory insurance (交强险)
//! pays first within its limits, then the liable party pays the rest by its
//! share of fault.

use super::breakdown::{Bilingual, Breakdown, RawLine, finish, round_fen, show};
use super::params::{
    COMPULSORY_INSURANCE_SOURCE, COMPULSORY_INSURANCE_YEAR, CompulsoryInsuranceLimits,
    DISABILITY_COEFFICIENT_SOURCE, Indicator, ParamTable, disability_coefficient,
};
use super::{CalcError, MAX_AGE, check_age, check_amount, check_region, law_use, param_use};
use crate::language::Language;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// Most dependants one request may list.
pub const MAX_DEPENDANTS: usize = 20;
/// Most persons obliged to support one dependant.
pub const MAX_OBLIGED: u32 = 50;

/// What the injury led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InjuryOutcome {
    /// Injured, no disability grade (only the entered items).
    Injury,
    /// Disabled, grade 1 (most severe) to 10 (伤残等级).
    Disability { grade: u8 },
    /// Died (死亡).
    Death,
}

/// A dependant (被扶养人) of the victim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependant {
    /// Age in years. A minor's years run to 18 exactly, so a fraction may be
    /// given (16.8 = 1.2 years left); for an adult (18 and over, without
    /// work ability and other income) the completed years (周岁, the whole
    /// part) drive the age rule.
    pub age: Decimal,
    /// Persons obliged to support this dependant, the victim included
    /// (对被扶养人承担扶养义务的人数), at least 1.
    pub obliged_persons: u32,
    /// A label for the breakdown (e.g. "daughter").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Items the caller enters from receipts or evidence (yuan). All default to 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnteredItems {
    /// 医疗费 (art. 6)
    pub medical: Decimal,
    /// 误工费 (art. 7)
    pub lost_wages: Decimal,
    /// 护理费 (art. 8)
    pub nursing: Decimal,
    /// 住院伙食补助费 (art. 10)
    pub hospital_meals: Decimal,
    /// 营养费 (art. 11)
    pub nutrition: Decimal,
    /// 交通费 (art. 9)
    pub transport: Decimal,
    /// 住宿费 (art. 10)
    pub lodging: Decimal,
    /// 鉴定费 (appraisal fee)
    pub appraisal: Decimal,
    /// 残疾辅助器具费 (art. 13)
    pub assistive_devices: Decimal,
    /// 精神损害抚慰金 (《民法典》第一千一百八十三条)
    pub mental_solatium: Decimal,
}

/// A personal-injury case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalInjuryInput {
    /// Region of the figures (division code, e.g. "330000" for Zhejiang).
    pub region: String,
    /// Statistical year of the figures (the year before first-instance
    /// argument closes).
    pub year: u16,
    /// The victim's age (周岁) on the day the disability was fixed (定残) or
    /// at death.
    pub age: u32,
    pub outcome: InjuryOutcome,
    #[serde(default)]
    pub dependants: Vec<Dependant>,
    #[serde(default)]
    pub items: EnteredItems,
}

/// A traffic-accident case: the personal-injury heads, then the compulsory
/// insurance and the share of fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficAccidentInput {
    pub injury: PersonalInjuryInput,
    /// Share of the remaining loss the liable party bears, 0–100 (%).
    pub fault_share_percent: Decimal,
    /// Whether the insured motor vehicle is liable in the accident (有责),
    /// which selects the compulsory-insurance limits. Defaults to
    /// `fault_share_percent > 0`; give `false` when a vehicle without fault
    /// still bears a share under art. 76 of the Road Traffic Safety Law.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insured_at_fault: Option<bool>,
    /// Property loss (财产损失), yuan.
    #[serde(default)]
    pub property_loss: Decimal,
}

/// Which compulsory-insurance limit an item falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    /// 医疗费用赔偿限额: medical, hospital meals, nutrition.
    Medical,
    /// 死亡伤残赔偿限额: everything else the insurance covers.
    DeathDisability,
    /// Not covered by the compulsory insurance (the appraisal fee).
    None,
}

const LEGAL_BASIS: &[Bilingual] = &[
    (
        "《中华人民共和国民法典》第一千一百七十九条、第一千一百八十三条",
        "Civil Code of the People's Republic of China, arts. 1179 and 1183",
    ),
    (
        "《最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释》(法释〔2003〕20号, 2020年、2022年修正) 第六条至第十七条、第二十二条",
        "Supreme People's Court Interpretation on Personal Injury Compensation Cases (Fa Shi [2003] No. 20, amended 2020 and 2022), arts. 6 to 17 and 22",
    ),
];

const TRAFFIC_BASIS: &[Bilingual] = &[
    (
        "《中华人民共和国道路交通安全法》第七十六条",
        "Road Traffic Safety Law of the People's Republic of China, art. 76",
    ),
    (
        "《机动车交通事故责任强制保险条例》第二十一条、第二十三条",
        "Regulation on Compulsory Motor Vehicle Traffic Accident Liability Insurance, arts. 21 and 23",
    ),
    (
        "《最高人民法院关于审理道路交通事故损害赔偿案件适用法律若干问题的解释》(2020年修正) 第十三条",
        "Supreme People's Court Interpretation on Road Traffic Accident Compensation Cases (amended 2020), art. 13",
    ),
];

/// Years by the age rule: 20; from 61, 20 − (age − 60); from 75, 5.
pub fn years_by_age(age: u32) -> u32 {
    match age {
        0..=60 => 20,
        61..=74 => 20 - (age - 60),
        _ => 5,
    }
}

fn years_words(age: u32, language: Language) -> String {
    let years = years_by_age(age);
    match (age, language) {
        (0..=60, Language::Zh) => "20 年 (60 周岁以下)".to_string(),
        (0..=60, Language::En) => "20 years (aged 60 or under)".to_string(),
        (61..=74, Language::Zh) => {
            format!("20 − ({age} − 60) = {years} 年 (60 周岁以上每增加一岁减少一年)")
        }
        (61..=74, Language::En) => {
            format!("20 − ({age} − 60) = {years} years (one year less for each year over 60)")
        }
        (_, Language::Zh) => "5 年 (75 周岁以上)".to_string(),
        (_, Language::En) => "5 years (aged 75 or over)".to_string(),
    }
}

fn validate(input: &PersonalInjuryInput, prefix: &str) -> Result<(), CalcError> {
    let f = |name: &str| format!("{prefix}{name}");
    check_region(&input.region).map_err(|_| CalcError::invalid(f("region"), "is empty"))?;
    check_age(&f("age"), input.age)?;
    if let InjuryOutcome::Disability { grade } = input.outcome
        && disability_coefficient(grade).is_none()
    {
        return Err(CalcError::invalid(
            f("outcome.grade"),
            format!("grade {grade} is not a disability grade (1–10)"),
        ));
    }
    if !input.dependants.is_empty() && input.outcome == InjuryOutcome::Injury {
        return Err(CalcError::invalid(
            f("dependants"),
            "dependants' living costs are due only on disability or death",
        ));
    }
    if input.dependants.len() > MAX_DEPENDANTS {
        return Err(CalcError::invalid(
            f("dependants"),
            format!("at most {MAX_DEPENDANTS} dependants"),
        ));
    }
    for (i, d) in input.dependants.iter().enumerate() {
        let age_field = f(&format!("dependants[{i}].age"));
        if d.age.is_sign_negative() && !d.age.is_zero() {
            return Err(CalcError::invalid(
                age_field,
                format!("{} is negative", d.age),
            ));
        }
        if d.age > Decimal::from(MAX_AGE) {
            return Err(CalcError::invalid(
                age_field,
                format!("{} is not a plausible age (0–{MAX_AGE})", d.age),
            ));
        }
        if !(1..=MAX_OBLIGED).contains(&d.obliged_persons) {
            return Err(CalcError::invalid(
                f(&format!("dependants[{i}].obliged_persons")),
                format!(
                    "{} must be 1–{MAX_OBLIGED} (the victim counts as one)",
                    d.obliged_persons
                ),
            ));
        }
    }
    for (name, value) in item_list(&input.items) {
        check_amount(&f(&format!("items.{}", name.0)), value)?;
    }
    Ok(())
}

/// (field name, (Chinese name, English name), cover) of each entered item.
type ItemName = (&'static str, Bilingual, Cover);

fn item_list(items: &EnteredItems) -> [(ItemName, Decimal); 10] {
    [
        (
            ("medical", ("医疗费", "medical costs"), Cover::Medical),
            items.medical,
        ),
        (
            (
                "lost_wages",
                ("误工费", "lost wages"),
                Cover::DeathDisability,
            ),
            items.lost_wages,
        ),
        (
            ("nursing", ("护理费", "nursing"), Cover::DeathDisability),
            items.nursing,
        ),
        (
            (
                "hospital_meals",
                ("住院伙食补助费", "hospital meals allowance"),
                Cover::Medical,
            ),
            items.hospital_meals,
        ),
        (
            ("nutrition", ("营养费", "nutrition"), Cover::Medical),
            items.nutrition,
        ),
        (
            ("transport", ("交通费", "transport"), Cover::DeathDisability),
            items.transport,
        ),
        (
            ("lodging", ("住宿费", "lodging"), Cover::DeathDisability),
            items.lodging,
        ),
        (
            ("appraisal", ("鉴定费", "appraisal fee"), Cover::None),
            items.appraisal,
        ),
        (
            (
                "assistive_devices",
                ("残疾辅助器具费", "assistive devices"),
                Cover::DeathDisability,
            ),
            items.assistive_devices,
        ),
        (
            (
                "mental_solatium",
                ("精神损害抚慰金", "mental-damage solatium"),
                Cover::DeathDisability,
            ),
            items.mental_solatium,
        ),
    ]
}

/// Item lines with their insurance cover, and notes.
type Heads = (Vec<(Cover, RawLine)>, Vec<String>);

/// The item lines of a personal-injury case with their insurance cover.
fn heads(
    input: &PersonalInjuryInput,
    table: &ParamTable,
    language: Language,
) -> Result<Heads, CalcError> {
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    let region = input.region.trim();
    let coefficient = match input.outcome {
        InjuryOutcome::Disability { grade } => disability_coefficient(grade),
        InjuryOutcome::Death => Some(Decimal::ONE),
        InjuryOutcome::Injury => None,
    };

    if let (InjuryOutcome::Disability { grade }, Some(coef)) = (input.outcome, coefficient) {
        let u = table.get(region, input.year, Indicator::UrbanDisposableIncome)?;
        let years = years_by_age(input.age);
        let amount = u.value * coef * Decimal::from(years);
        let (uv, pct, yw, age) = (
            show(u.value),
            show(coef * Decimal::ONE_HUNDRED),
            years_words(input.age, language),
            input.age,
        );
        lines.push((
            Cover::DeathDisability,
            RawLine::item(
                language.choose("残疾赔偿金", "disability compensation"),
                language.choose(
                    format!(
                        "城镇居民人均可支配收入 {uv} × 伤残赔偿指数 {pct}% ({grade} 级伤残) × 年限 {yw} (受害人 {age} 周岁)"
                    ),
                    format!(
                        "urban per-capita disposable income {uv} × disability coefficient {pct}% (grade {grade}) × {yw} (victim aged {age})"
                    ),
                ),
                amount,
            )
            .with(param_use(u, language))
            .with(law_use(
                &language.choose(
                    format!("{grade} 级伤残赔偿指数"),
                    format!("disability coefficient, grade {grade}"),
                ),
                2022,
                coef,
                "ratio",
                language.choose(
                    DISABILITY_COEFFICIENT_SOURCE.0,
                    DISABILITY_COEFFICIENT_SOURCE.1,
                ),
                language,
            )),
        ));
        notes.push(language.choose(
            "只按一个伤残等级计算;多处伤残在实践中另加附加指数,本估算未计入。",
            "Only one disability grade is counted; several disabilities add a supplementary index in practice, which this estimate does not apply.",
        ).to_string());
    }

    if input.outcome == InjuryOutcome::Death {
        let u = table.get(region, input.year, Indicator::UrbanDisposableIncome)?;
        let years = years_by_age(input.age);
        let (uv, yw, age) = (show(u.value), years_words(input.age, language), input.age);
        lines.push((
            Cover::DeathDisability,
            RawLine::item(
                language.choose("死亡赔偿金", "death compensation"),
                language.choose(
                    format!("城镇居民人均可支配收入 {uv} × 年限 {yw} (受害人 {age} 周岁)"),
                    format!("urban per-capita disposable income {uv} × {yw} (victim aged {age})"),
                ),
                u.value * Decimal::from(years),
            )
            .with(param_use(u, language)),
        ));
        let wage = table.get(region, input.year, Indicator::AverageWageNonPrivate)?;
        let w = show(wage.value);
        lines.push((
            Cover::DeathDisability,
            RawLine::item(
                language.choose("丧葬费", "funeral costs"),
                language.choose(
                    format!("职工年平均工资 {w} ÷ 12 × 6 个月 (六个月的平均工资)"),
                    format!(
                        "average yearly wage {w} ÷ 12 × 6 months (six months of the average wage)"
                    ),
                ),
                wage.value * Decimal::from(6) / Decimal::from(12),
            )
            .with(param_use(wage, language)),
        ));
    }

    if let Some(coef) = coefficient
        && !input.dependants.is_empty()
    {
        let c = table.get(region, input.year, Indicator::UrbanConsumptionExpenditure)?;
        let (amounts, capped) = dependants(&input.dependants, coef, c.value, language);
        for (i, (d, (amount, words))) in input.dependants.iter().zip(amounts).enumerate() {
            let n = i + 1;
            let label = d.label.as_deref().map_or_else(
                || language.choose(format!("被扶养人 {n}"), format!("dependant {n}")),
                str::to_string,
            );
            let age = show(d.age);
            lines.push((
                Cover::DeathDisability,
                RawLine::item(
                    language.choose(
                        format!("被扶养人生活费 ({label}, {age} 岁)"),
                        format!("dependant's living costs ({label}, age {age})"),
                    ),
                    words,
                    amount,
                )
                .with(param_use(c, language)),
            ));
        }
        let death = input.outcome == InjuryOutcome::Death;
        notes.push(match language {
            Language::Zh => format!(
                "被扶养人生活费计入{} (第十六条)。年赔偿总额上限 (第十七条 \"被扶养人有数人的,年赔偿总额累计不超过上一年度城镇居民人均消费支出额\"): 年限在每个被扶养人的终点切分;在某一时段,仍受扶养的各人 伤残赔偿指数 ÷ 扶养人数 之和超过 1 时,该时段的 C × 年限 按 1 ÷ 扶养人数 的比例分给各人;否则每人得 C × 伤残赔偿指数 ÷ 扶养人数。{}",
                if death { "死亡赔偿金" } else { "残疾赔偿金" },
                if capped { "本案适用了该上限。" } else { "本案未触及该上限。" }
            ),
            Language::En => format!(
                "The dependants' living costs are counted into the {} compensation (art. 16). Yearly cap (art. 17: with several dependants, the yearly total may not exceed the previous year's urban per-capita consumption expenditure): the years are cut at each dependant's end; in each period where the sum over the dependants still supported of coefficient ÷ obliged persons exceeds 1, the period's C × years is shared among them in proportion to 1 ÷ obliged persons; otherwise each gets C × coefficient ÷ obliged persons.{}",
                if death { "death" } else { "disability" },
                if capped { " The cap applied in this case." } else { " The cap did not bind in this case." }
            ),
        });
        notes.push(language.choose(
            "成年被扶养人按无劳动能力又无其他生活来源计算,以请求人列明为准。",
            "Adult dependants are assumed to have no work ability and no other income, as the caller asserts by listing them.",
        ).to_string());
    }

    for ((_, (zh, en), cover), value) in item_list(&input.items) {
        if !value.is_zero() {
            let v = show(value);
            lines.push((
                cover,
                RawLine::item(
                    language.choose(zh, en),
                    language.choose(
                        format!("按实际发生/票据: {v}"),
                        format!("as entered from receipts: {v}"),
                    ),
                    value,
                ),
            ));
        }
    }
    Ok((lines, notes))
}

/// Living costs of several dependants with the yearly cap of art. 17.
///
/// The time from 0 to the longest dependant's years is cut at every
/// dependant's end. Within each period, with `W/L` = Σ 1/obliged over the
/// dependants still supported: if `coefficient × W/L ≤ 1`, each gets
/// `C × coefficient × period ÷ obliged`; otherwise the yearly total is C,
/// shared in proportion to 1/obliged: `C × period × (1/obliged) ÷ (W/L)`.
/// Weights are integers (`L` = lcm of the obliged counts) so the shares
/// are exact. Returns each dependant's amount and formula in words, and
/// whether the cap bound in some period.
pub(crate) fn dependants(
    deps: &[Dependant],
    coefficient: Decimal,
    c: Decimal,
    language: Language,
) -> (Vec<(Decimal, String)>, bool) {
    let eighteen = Decimal::from(18);
    let years: Vec<Decimal> = deps
        .iter()
        .map(|d| {
            if d.age < eighteen {
                eighteen - d.age
            } else {
                // Completed years (周岁) drive the age rule.
                let whole = d.age.trunc().to_u32().unwrap_or(MAX_AGE);
                Decimal::from(years_by_age(whole))
            }
        })
        .collect();
    let lcm = deps
        .iter()
        .fold(1u128, |acc, d| lcm(acc, u128::from(d.obliged_persons)));
    let weight = |d: &Dependant| lcm / u128::from(d.obliged_persons);

    let mut cuts: Vec<Decimal> = years.iter().copied().filter(|y| !y.is_zero()).collect();
    cuts.sort();
    cuts.dedup();

    let mut out: Vec<(Decimal, Vec<String>)> = vec![(Decimal::ZERO, Vec::new()); deps.len()];
    // Years each dependant spends in uncapped periods: C × coefficient ×
    // those years ÷ obliged, computed once at the end.
    let mut uncapped_years = vec![Decimal::ZERO; deps.len()];
    let mut any_capped = false;
    let mut start = Decimal::ZERO;
    for end in cuts {
        let period = end - start;
        let active: Vec<usize> = (0..deps.len()).filter(|&i| years[i] >= end).collect();
        let total_weight: u128 = active.iter().map(|&i| weight(&deps[i])).sum();
        // coefficient × W / L > 1  ⇔  coefficient × W > L (exact).
        let capped = coefficient * Decimal::from(total_weight) > Decimal::from(lcm);
        any_capped |= capped;
        for &i in &active {
            if !capped {
                uncapped_years[i] += period;
                continue;
            }
            let d = &deps[i];
            let (n, m) = reduce(total_weight, lcm);
            // Multiply before dividing when it fits (exact for the usual
            // small counts); with very large weights divide first, which
            // stays within 28 significant digits.
            let (w, tw) = reduce(weight(d), total_weight);
            let (w, tw) = (Decimal::from(w), Decimal::from(tw));
            out[i].0 += c
                .checked_mul(period)
                .and_then(|x| x.checked_mul(w))
                .map_or_else(|| c * period * (w / tw), |x| x / tw);
            let (from, to, sum, cv, p, o, f) = (
                show(start),
                show(end),
                frac_times(n, m, coefficient),
                show(c),
                show(period),
                d.obliged_persons,
                frac(n, m),
            );
            out[i].1.push(language.choose(
                format!(
                    "[第 {from}–{to} 年, 封顶: Σ 伤残赔偿指数 ÷ 扶养人数 = {sum} > 1, 年总额为 C] {cv} × {p} × (1/{o}) ÷ {f}"
                ),
                format!(
                    "[years {from}–{to}, capped: Σ coefficient ÷ obliged = {sum} > 1, the year's total is C] {cv} × {p} × (1/{o}) ÷ {f}"
                ),
            ));
        }
        start = end;
    }
    for (i, d) in deps.iter().enumerate() {
        let y = uncapped_years[i];
        if !y.is_zero() {
            out[i].0 += c * coefficient * y / Decimal::from(d.obliged_persons);
            let (cv, yv, pct, o) = (
                show(c),
                show(y),
                show(coefficient * Decimal::ONE_HUNDRED),
                d.obliged_persons,
            );
            out[i].1.push(language.choose(
                format!("{cv} × {yv} 年 × {pct}% ÷ {o}"),
                format!("{cv} × {yv} years × {pct}% ÷ {o}"),
            ));
        }
    }

    let result = deps
        .iter()
        .zip(years)
        .zip(out)
        .map(|((d, y), (amount, parts))| {
            let (yv, pct, o, sum) = (
                show(y),
                show(coefficient * Decimal::ONE_HUNDRED),
                d.obliged_persons,
                parts.join(" + "),
            );
            let basis = if d.age < eighteen {
                let a = show(d.age);
                language.choose(
                    format!("未成年: 18 − {a} = {yv} 年"),
                    format!("minor: 18 − {a} = {yv} years"),
                )
            } else {
                let a = show(d.age.trunc());
                language.choose(
                    format!("成年, {a} 周岁: 按年龄规则 {yv} 年"),
                    format!("adult aged {a}: {yv} years by the age rule"),
                )
            };
            (
                amount,
                language.choose(
                    format!(
                        "城镇居民人均消费支出 C × 年限 × 伤残赔偿指数 ÷ 扶养人数 ({basis}; 指数 {pct}%; 扶养人数 {o}): {sum}"
                    ),
                    format!(
                        "urban per-capita consumption expenditure C × years × disability coefficient ÷ obliged persons ({basis}; coefficient {pct}%; obliged persons {o}): {sum}"
                    ),
                ),
            )
        })
        .collect();
    (result, any_capped)
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u128, b: u128) -> u128 {
    a / gcd(a, b) * b
}

fn reduce(n: u128, m: u128) -> (u128, u128) {
    let g = gcd(n, m).max(1);
    (n / g, m / g)
}

fn frac(n: u128, m: u128) -> String {
    if m == 1 {
        n.to_string()
    } else {
        format!("({n}/{m})")
    }
}

fn frac_times(n: u128, m: u128, coefficient: Decimal) -> String {
    if coefficient == Decimal::ONE {
        frac(n, m)
    } else {
        show(Decimal::from(n) * coefficient / Decimal::from(m))
    }
}

/// Personal injury: the itemised heads of loss.
pub fn personal_injury(
    input: &PersonalInjuryInput,
    table: &ParamTable,
    language: Language,
) -> Result<Breakdown, CalcError> {
    validate(input, "")?;
    let (lines, notes) = heads(input, table, language)?;
    Ok(finish(
        "personal_injury",
        lines.into_iter().map(|(_, l)| l).collect(),
        LEGAL_BASIS,
        notes,
        language,
    ))
}

/// Traffic accident: the heads of loss, the compulsory insurance first
/// within its limits (one victim, one insured vehicle), then the rest ×
/// the liable party's share of fault.
pub fn traffic_accident(
    input: &TrafficAccidentInput,
    table: &ParamTable,
    language: Language,
) -> Result<Breakdown, CalcError> {
    validate(&input.injury, "injury.")?;
    let share = input.fault_share_percent;
    if share.is_sign_negative() && !share.is_zero() || share > Decimal::ONE_HUNDRED {
        return Err(CalcError::invalid(
            "fault_share_percent",
            format!("{share} is outside 0–100%"),
        ));
    }
    check_amount("property_loss", input.property_loss)?;
    let at_fault = input.insured_at_fault.unwrap_or(share > Decimal::ZERO);
    let limits = if at_fault {
        CompulsoryInsuranceLimits::at_fault()
    } else {
        CompulsoryInsuranceLimits::no_fault()
    };
    let fault_words = match (at_fault, language) {
        (true, Language::Zh) => "有责",
        (true, Language::En) => "liable",
        (false, Language::Zh) => "无责",
        (false, Language::En) => "not liable",
    };

    let (heads, mut notes) = heads(&input.injury, table, language)?;
    let sum = |cover| -> Decimal {
        heads
            .iter()
            .filter(|(c, _)| *c == cover)
            .map(|(_, l)| l.exact)
            .sum()
    };
    let death_disability = sum(Cover::DeathDisability);
    let medical = sum(Cover::Medical);
    let mut lines: Vec<RawLine> = heads.into_iter().map(|(_, l)| l).collect();
    if !input.property_loss.is_zero() {
        let v = show(input.property_loss);
        lines.push(RawLine::item(
            language.choose("财产损失", "property loss"),
            language.choose(format!("按实际损失: {v}"), format!("as entered: {v}")),
            input.property_loss,
        ));
    }
    let items_total: Decimal = lines.iter().map(|l| l.exact).sum();

    let mut insurer_total = Decimal::ZERO;
    for ((zh, en), covered, limit, (what_zh, what_en)) in [
        (
            ("交强险 死亡伤残", "compulsory insurance, death/disability"),
            death_disability,
            limits.death_disability,
            ("死亡伤残赔偿限额", "death/disability limit"),
        ),
        (
            ("交强险 医疗费用", "compulsory insurance, medical"),
            medical,
            limits.medical,
            ("医疗费用赔偿限额", "medical limit"),
        ),
        (
            ("交强险 财产损失", "compulsory insurance, property"),
            input.property_loss,
            limits.property,
            ("财产损失赔偿限额", "property limit"),
        ),
    ] {
        if covered.is_zero() {
            continue;
        }
        let paid = covered.min(limit);
        insurer_total += paid;
        let (cv, lv) = (show(covered), show(limit));
        lines.push(
            RawLine::payment(
                language.choose(zh, en),
                language.choose(
                    format!("取较小值 (承保项目 {cv}, 限额 {lv} ({fault_words}))"),
                    format!("min(covered items {cv}, limit {lv} ({fault_words}))"),
                ),
                paid,
            )
            .with(super::law_use(
                &format!("{} ({fault_words})", language.choose(what_zh, what_en)),
                COMPULSORY_INSURANCE_YEAR,
                limit,
                "yuan",
                language.choose(COMPULSORY_INSURANCE_SOURCE.0, COMPULSORY_INSURANCE_SOURCE.1),
                language,
            )),
        );
    }
    let rest = items_total - insurer_total;
    let (it, ins, sh, r) = (
        show(items_total),
        show(insurer_total),
        show(share),
        show(rest),
    );
    lines.push(RawLine::payment(
        language.choose("责任方按责任比例", "liable party by share of fault"),
        language.choose(
            format!("(损失合计 {it} − 交强险 {ins}) × {sh}% = {r} × {sh}%"),
            format!("(items total {it} − compulsory insurance {ins}) × {sh}% = {r} × {sh}%"),
        ),
        rest * share / Decimal::ONE_HUNDRED,
    ));
    notes.push(language.choose(
        "交强险限额按每起事故、每辆投保车辆计算:本估算假定一名受害人、一辆投保车辆。责任方承担的部分可能再由其商业第三者责任险赔付,未纳入计算。鉴定费在此不属交强险赔付范围,按责任比例分担。",
        "The compulsory-insurance limits are per accident and insured vehicle: this estimate assumes one victim and one insured vehicle. The liable party's share may in turn be paid by its commercial third-party insurance, which is not modelled. The appraisal fee is not covered by the compulsory insurance here and is shared by fault.",
    ).to_string());
    let own = round_fen(rest * (Decimal::ONE_HUNDRED - share) / Decimal::ONE_HUNDRED);
    notes.push(language.choose(
        format!("受害人自担部分 (不予赔付): {own} 元。"),
        format!("Borne by the victim (own share, not payable): {own} yuan."),
    ));
    let basis: Vec<Bilingual> = LEGAL_BASIS.iter().chain(TRAFFIC_BASIS).copied().collect();
    Ok(finish("traffic_accident", lines, &basis, notes, language))
}
