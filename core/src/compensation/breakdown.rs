//! The itemised result (赔偿明细) every calculator returns: each line with its
//! formula in words, the parameters used (with year and source) and the
//! amount, plus the legal basis and a disclaimer.
//!
//! Rounding (舍入): all arithmetic is exact decimal arithmetic on
//! `rust_decimal::Decimal` (28 significant digits; the calculators multiply
//! before they divide, so the only inexact steps are divisions by 3, 7, …
//! whose error is far below a fen). Each line's amount is rounded once, at
//! the end of that line's computation, and the totals are computed from the
//! unrounded line values and rounded once, so a total may differ by a fen
//! from the sum of the rounded lines. Rounding is to 0.01 yuan (分), half up
//! (四舍五入; `MidpointAwayFromZero`, the same for the non-negative amounts
//! the calculators produce).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::language::Language;

/// The disclaimer attached to every result, in Chinese.
pub const DISCLAIMER_ZH: &str = "本结果为依据所列公式和参数的估算,不构成法律意见;实际数额以人民法院、仲裁机构或社会保险经办机构的认定为准,请咨询律师或公共法律服务机构。";
/// The disclaimer attached to every result, in English.
pub const DISCLAIMER_EN: &str = "This is an estimate from the formulas and parameters shown, not legal advice; the amount actually due is what a court, arbitration commission or social-insurance agency decides. Ask a lawyer or a public legal service centre.";

/// The disclaimer in a language.
pub fn disclaimer(language: Language) -> &'static str {
    language.choose(DISCLAIMER_ZH, DISCLAIMER_EN)
}

/// A description of the rounding applied, carried in every result.
pub fn rounding(language: Language) -> &'static str {
    language.choose(
        "精确十进制运算;每项金额只在最后舍入一次,保留到分(0.01元),四舍五入;合计由未舍入的各项相加后再舍入",
        "exact decimal arithmetic; each amount rounded once to 0.01 yuan, half up; totals from unrounded lines",
    )
}

/// One parameter a line used: a statistical figure or a figure fixed by law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamUse {
    /// What the figure is (indicator code or a statutory name).
    pub indicator: String,
    pub region: String,
    pub year: u16,
    pub value: Decimal,
    pub unit: String,
    pub source: String,
}

/// What a line stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A head of loss or of entitlement (赔偿项目); their sum is
    /// `items_total`.
    Item,
    /// Who pays what out of the items (e.g. compulsory insurance, then the
    /// liable party by share of fault); when present, their sum is `total`.
    Payment,
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The item's name in the request's language (e.g. "残疾赔偿金" or
    /// "disability compensation").
    pub item: String,
    pub kind: LineKind,
    /// The formula in words of the request's language, with the numbers
    /// put in.
    pub formula: String,
    pub parameters: Vec<ParamUse>,
    /// Rounded once to the fen.
    pub amount: Decimal,
}

/// An itemised result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Which calculator: `personal_injury`, `traffic_accident`,
    /// `work_injury` or `severance`.
    pub calculator: String,
    pub lines: Vec<Line>,
    /// Sum of the `item` lines (unrounded, then rounded once).
    pub items_total: Decimal,
    /// What is payable: the sum of the `payment` lines when there are any,
    /// otherwise `items_total`.
    pub total: Decimal,
    pub legal_basis: Vec<String>,
    /// Assumptions and limits of the estimate.
    pub notes: Vec<String>,
    pub rounding: String,
    pub disclaimer: String,
}

/// Round an amount to the fen, half up, always with two decimals (so JSON
/// shows "54322.50").
pub fn round_fen(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Only pads the scale: the value already has at most two decimals.
    rounded.rescale(2);
    rounded
}

/// Format an amount for a formula: exact, without trailing zeros.
pub(crate) fn show(value: Decimal) -> String {
    value.normalize().to_string()
}

/// A line while it is computed: the amount is still exact.
#[derive(Debug, Clone)]
pub(crate) struct RawLine {
    pub item: String,
    pub kind: LineKind,
    pub formula: String,
    pub parameters: Vec<ParamUse>,
    pub exact: Decimal,
}

impl RawLine {
    pub fn item(item: impl Into<String>, formula: impl Into<String>, exact: Decimal) -> Self {
        Self {
            item: item.into(),
            kind: LineKind::Item,
            formula: formula.into(),
            parameters: Vec::new(),
            exact,
        }
    }

    pub fn payment(item: impl Into<String>, formula: impl Into<String>, exact: Decimal) -> Self {
        Self {
            kind: LineKind::Payment,
            ..Self::item(item, formula, exact)
        }
    }

    pub fn with(mut self, param: ParamUse) -> Self {
        self.parameters.push(param);
        self
    }
}

/// A text in both languages: (Chinese, English).
pub(crate) type Bilingual = (&'static str, &'static str);

/// Build the result: round each line once and the totals once; the legal
/// basis, rounding and disclaimer in `language`.
pub(crate) fn finish(
    calculator: &str,
    lines: Vec<RawLine>,
    legal_basis: &[Bilingual],
    notes: Vec<String>,
    language: Language,
) -> Breakdown {
    let sum = |kind| -> Decimal {
        lines
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.exact)
            .sum()
    };
    let items_total = sum(LineKind::Item);
    let total = if lines.iter().any(|l| l.kind == LineKind::Payment) {
        sum(LineKind::Payment)
    } else {
        items_total
    };
    Breakdown {
        calculator: calculator.to_string(),
        lines: lines
            .into_iter()
            .map(|l| Line {
                item: l.item,
                kind: l.kind,
                formula: l.formula,
                parameters: l.parameters,
                amount: round_fen(l.exact),
            })
            .collect(),
        items_total: round_fen(items_total),
        total: round_fen(total),
        legal_basis: legal_basis
            .iter()
            .map(|&(zh, en)| language.choose(zh, en).to_string())
            .collect(),
        notes,
        rounding: rounding(language).to_string(),
        disclaimer: disclaimer(language).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up_to_the_fen() {
        assert_eq!(round_fen(Decimal::new(12345, 3)), Decimal::new(1235, 2));
        assert_eq!(round_fen(Decimal::new(12344, 3)), Decimal::new(1234, 2));
        assert_eq!(round_fen(Decimal::new(543225, 1)), Decimal::new(5432250, 2));
    }

    #[test]
    fn totals_are_rounded_once_from_exact_lines() {
        // Three lines of 1/3 yuan each: each shows 0.33, the total is 1.00.
        let third = Decimal::ONE / Decimal::from(3);
        let b = finish(
            "test",
            vec![
                RawLine::item("a", "1/3", third),
                RawLine::item("b", "1/3", third),
                RawLine::item("c", "1/3", third),
            ],
            &[],
            Vec::new(),
            Language::Zh,
        );
        assert!(b.lines.iter().all(|l| l.amount == Decimal::new(33, 2)));
        assert_eq!(b.total, Decimal::new(100, 2));
        assert_eq!(b.total, b.items_total);
    }
}
