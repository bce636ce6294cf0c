//! The parameter table (赔偿计算参数表): statistical figures keyed by
//! region × year × indicator, each with its source, plus the figures fixed
//! by law (grade tables, compulsory-insurance limits) as documented
//! constants.
//!
//! Statistical figures are data, never code: the default table is
//! `data/compensation/parameters.csv` embedded at build time, and any CSV
//! with the same columns (`region,year,indicator,value,unit,source`; lines
//! starting with `#` are comments) can be loaded or merged on top, so a
//! newer year is added by data.

use super::CalcError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The default table shipped with LawCircle (Zhejiang figures confirmed from
/// public sources; see the comments in the file).
pub const DEFAULT_PARAMETERS_CSV: &str = include_str!("../../../data/compensation/parameters.csv");

/// Region key of national figures (全国).
pub const NATIONAL: &str = "CN";
/// Region key of Zhejiang province (浙江省, division code 330000).
pub const ZHEJIANG: &str = "330000";

/// Largest value accepted for a figure or an amount (one trillion yuan):
/// keeps every product far inside `Decimal`'s range, so no arithmetic in
/// the calculators can overflow.
pub(crate) const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// A statistical indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 城镇居民人均可支配收入 (yuan/year). With region [`NATIONAL`] it is the
    /// national figure used for the work-injury death grant.
    UrbanDisposableIncome,
    /// 城镇居民人均消费支出 (yuan/year).
    UrbanConsumptionExpenditure,
    /// 非私营单位就业人员年平均工资 (yuan/year): the "average wage" of
    /// funeral costs, the work-injury wage band and the severance cap.
    AverageWageNonPrivate,
}

impl Indicator {
    pub const ALL: [Indicator; 3] = [
        Indicator::UrbanDisposableIncome,
        Indicator::UrbanConsumptionExpenditure,
        Indicator::AverageWageNonPrivate,
    ];

    /// The identifier used in files and APIs.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::UrbanDisposableIncome => "urban_disposable_income",
            Indicator::UrbanConsumptionExpenditure => "urban_consumption_expenditure",
            Indicator::AverageWageNonPrivate => "average_wage_non_private",
        }
    }

    /// The indicator's name in English.
    pub fn english(self) -> &'static str {
        match self {
            Indicator::UrbanDisposableIncome => "urban per-capita disposable income",
            Indicator::UrbanConsumptionExpenditure => "urban per-capita consumption expenditure",
            Indicator::AverageWageNonPrivate => {
                "average yearly wage of employees in non-private units"
            }
        }
    }

    /// The Chinese name of the indicator.
    pub fn chinese(self) -> &'static str {
        match self {
            Indicator::UrbanDisposableIncome => "城镇居民人均可支配收入",
            Indicator::UrbanConsumptionExpenditure => "城镇居民人均消费支出",
            Indicator::AverageWageNonPrivate => "非私营单位就业人员年平均工资",
        }
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Indicator {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Indicator::ALL
            .into_iter()
            .find(|i| i.code() == s || i.chinese() == s)
            .ok_or_else(|| {
                format!(
                    "unknown indicator {s:?}: expected one of {}",
                    Indicator::ALL.map(Indicator::code).join(", ")
                )
            })
    }
}

/// One figure of the table, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamValue {
    pub region: String,
    pub year: u16,
    pub indicator: Indicator,
    pub value: Decimal,
    pub unit: String,
    /// Publisher + document title + URL when known.
    pub source: String,
}

/// The table of statistical figures, keyed by region × year × indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamTable {
    entries: BTreeMap<(String, u16, Indicator), ParamValue>,
}

#[derive(Deserialize)]
struct CsvRow {
    region: String,
    year: String,
    indicator: String,
    value: String,
    unit: String,
    source: String,
}

impl ParamTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table shipped with LawCircle ([`DEFAULT_PARAMETERS_CSV`]).
    pub fn builtin() -> Result<Self, CalcError> {
        Self::from_csv_str(DEFAULT_PARAMETERS_CSV)
    }

    /// Parse a CSV with columns `region,year,indicator,value,unit,source`.
    /// A repeated key, an unknown indicator, a value that is not a positive
    /// number or an empty source is refused with its line number.
    pub fn from_csv_str(text: &str) -> Result<Self, CalcError> {
        let mut table = ParamTable::new();
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| CalcError::InvalidTable {
                line: 1,
                reason: e.to_string(),
            })?
            .clone();
        for record in reader.records() {
            let record = record.map_err(|e| CalcError::InvalidTable {
                line: e.position().map_or(0, |p| p.line()),
                reason: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let row: CsvRow =
                record
                    .deserialize(Some(&headers))
                    .map_err(|e| CalcError::InvalidTable {
                        line,
                        reason: e.to_string(),
                    })?;
            let bad = |reason: String| CalcError::InvalidTable { line, reason };
            let year: u16 = row
                .year
                .parse()
                .map_err(|_| bad(format!("year {:?} is not a year", row.year)))?;
            let indicator: Indicator = row.indicator.parse().map_err(bad)?;
            let value: Decimal = row
                .value
                .replace(',', "")
                .parse()
                .map_err(|_| bad(format!("value {:?} is not a number", row.value)))?;
            if value <= Decimal::ZERO || value > Decimal::from(MAX_AMOUNT) {
                return Err(bad(format!(
                    "value {value} must be positive and at most {MAX_AMOUNT}"
                )));
            }
            if row.region.is_empty() {
                return Err(bad("region is empty".into()));
            }
            if row.source.is_empty() {
                return Err(bad("source is empty: every figure needs its source".into()));
            }
            let value = ParamValue {
                region: row.region,
                year,
                indicator,
                value,
                unit: row.unit,
                source: row.source,
            };
            if table.get_entry(&value.region, year, indicator).is_some() {
                return Err(bad(format!(
                    "duplicate {indicator} for region {} year {year}",
                    value.region
                )));
            }
            table.insert(value);
        }
        Ok(table)
    }

    /// Add or replace one figure.
    pub fn insert(&mut self, value: ParamValue) -> Option<ParamValue> {
        self.entries
            .insert((value.region.clone(), value.year, value.indicator), value)
    }

    /// Add every figure of `other`, replacing figures with the same key (so
    /// a caller's table can supply or correct figures on top of the default).
    pub fn merge(&mut self, other: ParamTable) {
        self.entries.extend(other.entries);
    }

    /// Every figure, ordered by region, year, indicator.
    pub fn iter(&self) -> impl Iterator<Item = &ParamValue> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get_entry(&self, region: &str, year: u16, indicator: Indicator) -> Option<&ParamValue> {
        self.entries.get(&(region.to_string(), year, indicator))
    }

    /// The years the table has a figure for, for a region and indicator,
    /// oldest first.
    pub fn years(&self, region: &str, indicator: Indicator) -> Vec<u16> {
        let mut years: Vec<u16> = self
            .entries
            .values()
            .filter(|v| v.region == region.trim() && v.indicator == indicator)
            .map(|v| v.year)
            .collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The figure for region × year × indicator, or
    /// [`CalcError::MissingParameter`] naming what is missing and the years
    /// the table does have for that region and indicator.
    pub fn get(
        &self,
        region: &str,
        year: u16,
        indicator: Indicator,
    ) -> Result<&ParamValue, CalcError> {
        self.get_entry(region.trim(), year, indicator)
            .ok_or_else(|| CalcError::MissingParameter {
                region: region.trim().to_string(),
                year,
                indicator,
                available_years: self
                    .entries
                    .values()
                    .filter(|v| v.region == region.trim() && v.indicator == indicator)
                    .map(|v| v.year)
                    .collect(),
            })
    }
}

// ---------------------------------------------------------------------------
// Figures fixed by law. They are not statistics and do not change by year,
// so they are constants with their legal source.

/// Source of the disability coefficients (伤残赔偿指数): (Chinese, English).
pub const DISABILITY_COEFFICIENT_SOURCE: (&str, &str) = (
    "伤残赔偿指数 一级100%、每降一级减10%、十级10% (GB 18667-2002《道路交通事故受伤人员伤残评定》附录B, 审判实践沿用); 《最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释》(2022年修正) 第十二条: 根据伤残等级",
    "disability coefficient: grade 1 100%, 10% less for each grade below, grade 10 10% (national standard GB 18667-2002 on grading the disabilities of road accident victims, appendix B, followed in court practice); Supreme People's Court Interpretation on Personal Injury Compensation Cases (amended 2022), art. 12: by disability grade",
);

/// The disability coefficient of a grade (1 = most severe): grade 1 is
/// 100%, each grade below 10% less, grade 10 is 10%. Returns `None` outside
/// 1–10.
pub fn disability_coefficient(grade: u8) -> Option<Decimal> {
    (1..=10)
        .contains(&grade)
        .then(|| Decimal::new(i64::from(11 - grade), 1))
}

/// Source of the months of the one-off disability grant (一次性伤残补助金).
pub const WORK_INJURY_GRANT_SOURCE: (&str, &str) = (
    "《工伤保险条例》(国务院令第586号, 2010年修订) 第三十五条、第三十六条、第三十七条",
    "Regulation on Work-Related Injury Insurance (State Council Decree No. 586, revised 2010), arts. 35, 36 and 37",
);

/// Months of own wage of the work-injury one-off disability grant for
/// grades 1–10: 27, 25, 23, 21, 18, 16, 13, 11, 9, 7.
pub const WORK_INJURY_GRANT_MONTHS: [u32; 10] = [27, 25, 23, 21, 18, 16, 13, 11, 9, 7];

/// Months of the one-off disability grant of a grade, `None` outside 1–10.
pub fn work_injury_grant_months(grade: u8) -> Option<u32> {
    WORK_INJURY_GRANT_MONTHS
        .get(usize::from(grade).checked_sub(1)?)
        .copied()
}

/// Source of the compulsory traffic insurance limits (交强险责任限额).
pub const COMPULSORY_INSURANCE_SOURCE: (&str, &str) = (
    "《机动车交通事故责任强制保险条例》第二十三条; 中国银保监会《关于实施车险综合改革的指导意见》(银保监发〔2020〕41号), 自2020年9月19日起: 有责 死亡伤残180000元、医疗费用18000元、财产损失2000元; 无责 18000元、1800元、100元",
    "Regulation on Compulsory Motor Vehicle Traffic Accident Liability Insurance, art. 23; China Banking and Insurance Regulatory Commission, Guidance on the Comprehensive Reform of Motor Insurance (CBIRC [2020] No. 41), from 19 September 2020: liable: death/disability 180000 yuan, medical 18000 yuan, property 2000 yuan; not liable: 18000, 1800 and 100 yuan",
);

/// Year from which the current compulsory-insurance limits apply.
pub const COMPULSORY_INSURANCE_YEAR: u16 = 2020;

/// The limits of the compulsory traffic insurance (交强险) for one accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompulsoryInsuranceLimits {
    /// 死亡伤残赔偿限额
    pub death_disability: Decimal,
    /// 医疗费用赔偿限额
    pub medical: Decimal,
    /// 财产损失赔偿限额
    pub property: Decimal,
}

impl CompulsoryInsuranceLimits {
    /// The limits when the insured is liable (有责).
    pub fn at_fault() -> Self {
        Self {
            death_disability: Decimal::from(180_000),
            medical: Decimal::from(18_000),
            property: Decimal::from(2_000),
        }
    }

    /// The limits when the insured bears no liability (无责).
    pub fn no_fault() -> Self {
        Self {
            death_disability: Decimal::from(18_000),
            medical: Decimal::from(1_800),
            property: Decimal::from(100),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_has_exactly_the_confirmed_zhejiang_figures() {
        let t = ParamTable::builtin().unwrap();
        let get = |y, i| t.get(ZHEJIANG, y, i).unwrap().value;
        assert_eq!(
            get(2020, Indicator::UrbanDisposableIncome),
            Decimal::from(62_699)
        );
        assert_eq!(
            get(2020, Indicator::UrbanConsumptionExpenditure),
            Decimal::from(36_197)
        );
        assert_eq!(
            get(2020, Indicator::AverageWageNonPrivate),
            Decimal::from(108_645)
        );
        assert_eq!(
            get(2021, Indicator::AverageWageNonPrivate),
            Decimal::from(122_309)
        );
        assert_eq!(
            get(2022, Indicator::UrbanDisposableIncome),
            Decimal::from(71_268)
        );
        assert_eq!(
            get(2022, Indicator::UrbanConsumptionExpenditure),
            Decimal::from(44_511)
        );
        assert_eq!(t.len(), 6);
        assert!(t.iter().all(|v| !v.source.is_empty()));
        // The national figure is not invented.
        assert!(
            t.get(NATIONAL, 2022, Indicator::UrbanDisposableIncome)
                .is_err()
        );
    }

    #[test]
    fn missing_parameter_names_what_is_missing() {
        let t = ParamTable::builtin().unwrap();
        let err = t
            .get(ZHEJIANG, 2023, Indicator::UrbanDisposableIncome)
            .unwrap_err();
        match &err {
            CalcError::MissingParameter {
                region,
                year,
                indicator,
                available_years,
            } => {
                assert_eq!(region, ZHEJIANG);
                assert_eq!(*year, 2023);
                assert_eq!(*indicator, Indicator::UrbanDisposableIncome);
                assert_eq!(available_years, &vec![2020, 2022]);
                assert_eq!(
                    t.years(ZHEJIANG, Indicator::UrbanDisposableIncome),
                    vec![2020, 2022]
                );
                assert_eq!(
                    t.years(ZHEJIANG, Indicator::AverageWageNonPrivate),
                    vec![2020, 2021]
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("urban_disposable_income")
                && msg.contains("2023")
                && msg.contains("330000")
        );
        let err = t
            .get("440000", 2022, Indicator::UrbanDisposableIncome)
            .unwrap_err();
        assert!(err.to_string().contains("440000"));
    }

    #[test]
    fn a_newer_year_is_added_by_data() {
        let mut t = ParamTable::builtin().unwrap();
        let extra = ParamTable::from_csv_str(
            "region,year,indicator,value,unit,source\n\
             330000,2099,urban_disposable_income,\"100,000\",yuan/year,test-only figure\n",
        )
        .unwrap();
        t.merge(extra);
        assert_eq!(
            t.get(ZHEJIANG, 2099, Indicator::UrbanDisposableIncome)
                .unwrap()
                .value,
            Decimal::from(100_000)
        );
    }

    #[test]
    fn bad_csv_rows_are_refused_with_their_line() {
        let head = "region,year,indicator,value,unit,source\n";
        for (row, needle) in [
            ("330000,2020,salary,1,yuan,src", "unknown indicator"),
            ("330000,20x0,urban_disposable_income,1,yuan,src", "year"),
            (
                "330000,2020,urban_disposable_income,-5,yuan,src",
                "positive",
            ),
            (
                "330000,2020,urban_disposable_income,abc,yuan,src",
                "not a number",
            ),
            ("330000,2020,urban_disposable_income,5,yuan,", "source"),
        ] {
            let err = ParamTable::from_csv_str(&format!("{head}{row}\n")).unwrap_err();
            match err {
                CalcError::InvalidTable { line, reason } => {
                    assert_eq!(line, 2, "{row}");
                    assert!(reason.contains(needle), "{row}: {reason}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let dup = format!(
            "{head}330000,2020,urban_disposable_income,5,yuan,a\n330000,2020,urban_disposable_income,6,yuan,b\n"
        );
        assert!(matches!(
            ParamTable::from_csv_str(&dup),
            Err(CalcError::InvalidTable { line: 3, .. })
        ));
    }

    #[test]
    fn grade_tables() {
        assert_eq!(disability_coefficient(1), Some(Decimal::ONE));
        assert_eq!(disability_coefficient(10), Some(Decimal::new(1, 1)));
        assert_eq!(disability_coefficient(0), None);
        assert_eq!(disability_coefficient(11), None);
        assert_eq!(work_injury_grant_months(1), Some(27));
        assert_eq!(work_injury_grant_months(10), Some(7));
        assert_eq!(work_injury_grant_months(0), None);
        assert_eq!(work_injury_grant_months(11), None);
    }
}
