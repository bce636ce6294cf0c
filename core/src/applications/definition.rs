//! Service definitions (办事类服务事项定义) as data: one application type
//! with its questions, the body responsible and the deadline.
//!
//! A definition is immutable once published: staff change a type by
//! publishing a new version (see [`super::ServiceRegistry`]), and every
//! application keeps the `(code, version)` it was filed under.

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The datatype of a question, with Open311 GeoReport v2's names
/// (`string`, `text`, `number`, `datetime`, `singlevaluelist`,
/// `multivaluelist`), so a definition maps onto Open311 one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    /// One line of characters (单行文本).
    String,
    /// Several lines (多行文本).
    Text,
    /// A decimal number (数字).
    Number,
    /// A date (`2024-03-06`) or a date and time with its offset
    /// (`2024-03-06T09:30:00+08:00`) (日期/时间).
    Datetime,
    /// One key among the listed values (单选).
    Singlevaluelist,
    /// Any number of keys among the listed values (多选).
    Multivaluelist,
}

impl Datatype {
    /// The Open311 name of the datatype.
    pub fn as_str(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Text => "text",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Singlevaluelist => "singlevaluelist",
            Datatype::Multivaluelist => "multivaluelist",
        }
    }

    /// Whether the answer is chosen among listed values.
    pub fn is_list(self) -> bool {
        matches!(self, Datatype::Singlevaluelist | Datatype::Multivaluelist)
    }
}

/// One option of a single- or multi-choice question (选项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueOption {
    /// The stable key stored in answers (never shown).
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// Validation rules of one question (校验规则). Each rule applies to
/// some datatypes only; [`ServiceDefinition::check`] refuses a rule on a
/// datatype it does not fit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Validation {
    /// Minimum length in characters (string, text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u32>,
    /// Maximum length in characters (string, text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    /// A regular expression the whole answer must match (string, text),
    /// e.g. an 18-character ID number. Anchored: `^(?:pattern)$`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Smallest allowed number (number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    /// Largest allowed number (number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// Whole numbers only (number), e.g. a household size.
    #[serde(skip_serializing_if = "is_false")]
    pub integer: bool,
    /// The date may not lie in the future (datetime), e.g. the date of
    /// the contested decision (行政行为作出日期).
    #[serde(skip_serializing_if = "is_false")]
    pub not_in_future: bool,
    /// Smallest number of keys chosen (multivaluelist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_choices: Option<u32>,
    /// Largest number of keys chosen (multivaluelist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<u32>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn yes() -> bool {
    true
}

/// One question of an application form (申请表字段), Open311's
/// "attribute".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    /// Stable code of the question, unique in the definition.
    pub code: String,
    pub datatype: Datatype,
    /// Open311 `variable`: `false` marks a text shown to the user that
    /// takes no answer.
    #[serde(default = "yes")]
    pub variable: bool,
    #[serde(default)]
    pub required: bool,
    /// The question (Open311 `description`).
    pub description_zh: String,
    pub description_en: String,
    /// Help under the field (Open311 `datatype_description`).
    #[serde(default)]
    pub help_zh: String,
    #[serde(default)]
    pub help_en: String,
    /// Display order, positive and unique in the definition (1 first).
    pub order: u32,
    /// Options of a list question; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueOption>,
    #[serde(default)]
    pub validation: Validation,
}

impl AttributeDef {
    /// The option with this key, if any.
    pub fn option(&self, key: &str) -> Option<&ValueOption> {
        self.values.iter().find(|v| v.key == key)
    }
}

/// Who handles applications of a type (责任单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Responsible {
    /// The judicial office (司法所) of the street where the need arises
    /// (属地办理); routing happens when the order is created.
    StreetOfLocation,
    /// A fixed street, by its area code.
    Street { code: String },
    /// A named body, e.g. the district legal aid centre (法律援助中心).
    Body { name_zh: String, name_en: String },
}

/// Whether a deadline counts working days (工作日) or calendar days (日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Working,
    Calendar,
}

/// The processing deadline of a type (办理时限), with its basis (a law
/// article or a local service commitment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub days: u16,
    pub kind: DayKind,
    /// Where the figure comes from, e.g. "《法律援助法》第四十三条".
    pub basis: String,
}

impl Deadline {
    /// The date the deadline falls on, counting from the day after
    /// `start`. `is_working_day` decides working days: the Chinese
    /// calendar moves working days around public holidays (调休), so the
    /// caller supplies it; [`weekdays_only`] is the fallback without a
    /// holiday table.
    pub fn due_date(
        &self,
        start: NaiveDate,
        is_working_day: impl Fn(NaiveDate) -> bool,
    ) -> NaiveDate {
        let mut day = start;
        let mut left = self.days;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
            if self.kind == DayKind::Calendar || is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

/// Monday to Friday: the working-day rule when no holiday table is loaded.
pub fn weekdays_only(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// One version of an application type (办事事项), e.g. legal aid
/// (法律援助) version 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDefinition {
    /// Stable code, e.g. `legal_aid`; also the Open311 `service_code`.
    pub code: String,
    /// 1, 2, 3… in publication order.
    pub version: u32,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub description_zh: String,
    #[serde(default)]
    pub description_en: String,
    pub responsible: Responsible,
    pub deadline: Deadline,
    pub attributes: Vec<AttributeDef>,
    /// Search words (synonyms), Open311 `keywords`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Category, Open311 `group`, e.g. `办事类`.
    #[serde(default)]
    pub group: String,
    /// What happens next, shown after filing (Open311 `service_notice`).
    #[serde(default)]
    pub notice_zh: String,
    #[serde(default)]
    pub notice_en: String,
    /// `false` retires the type: no new applications, old ones are kept.
    #[serde(default = "yes")]
    pub active: bool,
}

/// Why a definition cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error(
        "the service code is empty or contains characters other than a-z, 0-9, '_' and '-': {0:?}"
    )]
    BadCode(String),
    #[error("versions start at 1")]
    ZeroVersion,
    #[error(
        "attribute {0:?}: the code is empty or contains characters other than a-z, A-Z, 0-9, '_' and '-'"
    )]
    BadAttributeCode(String),
    #[error("attribute {0:?} appears twice")]
    DuplicateAttribute(String),
    #[error("attribute {code:?}: order {order} is 0 or used by another attribute")]
    BadOrder { code: String, order: u32 },
    #[error("attribute {0:?}: a list question needs at least one value")]
    NoValues(String),
    #[error("attribute {0:?}: only list questions have values")]
    UnexpectedValues(String),
    #[error("attribute {code:?}: value key {key:?} is empty, repeated or contains a comma")]
    BadValueKey { code: String, key: String },
    #[error("attribute {code:?}: rule {rule} does not apply to datatype {datatype}")]
    RuleNotApplicable {
        code: String,
        rule: &'static str,
        datatype: &'static str,
    },
    #[error("attribute {code:?}: the pattern does not compile: {reason}")]
    BadPattern { code: String, reason: String },
    #[error("attribute {code:?}: minimum above maximum")]
    MinAboveMax { code: String },
    #[error("attribute {0:?}: an informational attribute (variable = false) cannot be required")]
    RequiredInformational(String),
}

fn code_ok(code: &str, upper: bool) -> bool {
    !code.is_empty()
        && code.chars().all(|c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || c == '_'
                || c == '-'
                || (upper && c.is_ascii_uppercase())
        })
}

impl ServiceDefinition {
    /// Checks that the definition is coherent: codes, unique orders,
    /// values only on list questions, rules only where they apply,
    /// patterns that compile. Returns every problem found.
    pub fn check(&self) -> Result<(), Vec<DefinitionError>> {
        let mut errors = Vec::new();
        if !code_ok(&self.code, false) {
            errors.push(DefinitionError::BadCode(self.code.clone()));
        }
        if self.version == 0 {
            errors.push(DefinitionError::ZeroVersion);
        }
        let mut codes = BTreeSet::new();
        let mut orders = BTreeSet::new();
        for a in &self.attributes {
            check_attribute(a, &mut codes, &mut orders, &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The question with this code, if any.
    pub fn attribute(&self, code: &str) -> Option<&AttributeDef> {
        self.attributes.iter().find(|a| a.code == code)
    }

    /// The questions in display order.
    pub fn attributes_in_order(&self) -> Vec<&AttributeDef> {
        let mut v: Vec<&AttributeDef> = self.attributes.iter().collect();
        v.sort_by_key(|a| a.order);
        v
    }
}

fn check_attribute(
    a: &AttributeDef,
    codes: &mut BTreeSet<String>,
    orders: &mut BTreeSet<u32>,
    errors: &mut Vec<DefinitionError>,
) {
    let code = a.code.clone();
    if !code_ok(&a.code, true) {
        errors.push(DefinitionError::BadAttributeCode(code.clone()));
    }
    if !codes.insert(a.code.clone()) {
        errors.push(DefinitionError::DuplicateAttribute(code.clone()));
    }
    if a.order == 0 || !orders.insert(a.order) {
        errors.push(DefinitionError::BadOrder {
            code: code.clone(),
            order: a.order,
        });
    }
    if !a.variable && a.required {
        errors.push(DefinitionError::RequiredInformational(code.clone()));
    }
    if a.datatype.is_list() {
        if a.values.is_empty() {
            errors.push(DefinitionError::NoValues(code.clone()));
        }
        let mut keys = BTreeSet::new();
        for v in &a.values {
            if v.key.trim().is_empty() || v.key.contains(',') || !keys.insert(v.key.as_str()) {
                errors.push(DefinitionError::BadValueKey {
                    code: code.clone(),
                    key: v.key.clone(),
                });
            }
        }
    } else if !a.values.is_empty() {
        errors.push(DefinitionError::UnexpectedValues(code.clone()));
    }
    let r = &a.validation;
    let dt = a.datatype;
    let text = matches!(dt, Datatype::String | Datatype::Text);
    let rules: [(&'static str, bool, bool); 9] = [
        ("min_len", r.min_len.is_some(), text),
        ("max_len", r.max_len.is_some(), text),
        ("pattern", r.pattern.is_some(), text),
        ("min", r.min.is_some(), dt == Datatype::Number),
        ("max", r.max.is_some(), dt == Datatype::Number),
        ("integer", r.integer, dt == Datatype::Number),
        ("not_in_future", r.not_in_future, dt == Datatype::Datetime),
        (
            "min_choices",
            r.min_choices.is_some(),
            dt == Datatype::Multivaluelist,
        ),
        (
            "max_choices",
            r.max_choices.is_some(),
            dt == Datatype::Multivaluelist,
        ),
    ];
    for (rule, present, fits) in rules {
        if present && !fits {
            errors.push(DefinitionError::RuleNotApplicable {
                code: code.clone(),
                rule,
                datatype: dt.as_str(),
            });
        }
    }
    if let Some(p) = &r.pattern
        && let Err(e) = super::validate::compile_pattern(p)
    {
        errors.push(DefinitionError::BadPattern {
            code: code.clone(),
            reason: e.to_string(),
        });
    }
    let min_above_max = matches!((r.min_len, r.max_len), (Some(lo), Some(hi)) if lo > hi)
        || matches!((r.min, r.max), (Some(lo), Some(hi)) if lo > hi)
        || matches!((r.min_choices, r.max_choices), (Some(lo), Some(hi)) if lo > hi);
    if min_above_max {
        errors.push(DefinitionError::MinAboveMax { code });
    }
}
