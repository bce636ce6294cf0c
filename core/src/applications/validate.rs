//! Intake validation (申请校验): the same function on the phone and on the
//! server checks an application against the exact version of its type,
//! field by field, and reports every faulty field at once.

use super::definition::{AttributeDef, Datatype, ServiceDefinition};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use regex_lite::Regex;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::calendar::today_in_china;

/// A typed answer to one question. In JSON, externally tagged:
/// `{"text": "…"}`, `{"number": "3200.50"}`, `{"date": "2024-03-06"}`,
/// `{"datetime": "2024-03-06T09:30:00+08:00"}`, `{"choice": "labour"}`,
/// `{"choices": ["contracts", "labour"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    /// For `string` and `text` questions.
    Text(String),
    /// For `number` questions; a decimal, never a binary float.
    Number(Decimal),
    /// For `datetime` questions answered with a date only.
    Date(NaiveDate),
    /// For `datetime` questions answered with a time and its offset.
    Datetime(DateTime<FixedOffset>),
    /// For `singlevaluelist` questions: the option key.
    Choice(String),
    /// For `multivaluelist` questions: the option keys.
    Choices(Vec<String>),
}

impl AnswerValue {
    fn is_empty(&self) -> bool {
        match self {
            AnswerValue::Text(s) | AnswerValue::Choice(s) => s.trim().is_empty(),
            AnswerValue::Choices(v) => v.is_empty(),
            _ => false,
        }
    }

    /// The answer as Open311 form values (`attribute[code]=…`), one
    /// string per value.
    pub fn to_strings(&self) -> Vec<String> {
        match self {
            AnswerValue::Text(s) | AnswerValue::Choice(s) => vec![s.clone()],
            AnswerValue::Number(n) => vec![n.normalize().to_string()],
            AnswerValue::Date(d) => vec![d.format("%Y-%m-%d").to_string()],
            AnswerValue::Datetime(t) => vec![t.to_rfc3339()],
            AnswerValue::Choices(v) => v.clone(),
        }
    }
}

/// Why one answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum AnswerErrorReason {
    #[error("an answer is required")]
    Required,
    #[error("this form has no such question")]
    UnknownAttribute,
    #[error("this item is information only and takes no answer")]
    NotAnswerable,
    #[error("expected a {expected} answer")]
    WrongType { expected: String },
    #[error("only one value is allowed")]
    MultipleValues,
    #[error("a one-line answer may not contain line breaks")]
    LineBreak,
    #[error("at least {min} characters are needed")]
    TooShort { min: u32 },
    #[error("at most {max} characters are allowed")]
    TooLong { max: u32 },
    #[error("the answer does not have the expected format")]
    PatternMismatch,
    #[error("not a number")]
    NotANumber,
    #[error("a whole number is needed")]
    NotInteger,
    #[error("the number must be at least {min}")]
    BelowMin { min: Decimal },
    #[error("the number must be at most {max}")]
    AboveMax { max: Decimal },
    #[error(
        "not a date (YYYY-MM-DD) or a date and time with its offset (YYYY-MM-DDThh:mm:ss+08:00)"
    )]
    InvalidDatetime,
    #[error("the date may not lie in the future")]
    InFuture,
    #[error("{key:?} is not one of the options")]
    UnknownChoice { key: String },
    #[error("{key:?} is chosen twice")]
    DuplicateChoice { key: String },
    #[error("choose at least {min}")]
    TooFewChoices { min: u32 },
    #[error("choose at most {max}")]
    TooManyChoices { max: u32 },
    #[error("the form's rule cannot be applied: {detail}")]
    InvalidRule { detail: String },
}

impl AnswerErrorReason {
    /// The message in Chinese, for the phone's form (表单提示).
    pub fn message_zh(&self) -> String {
        match self {
            AnswerErrorReason::Required => "此项为必填项".into(),
            AnswerErrorReason::UnknownAttribute => "表单中没有此项".into(),
            AnswerErrorReason::NotAnswerable => "此项仅为说明,无需填写".into(),
            AnswerErrorReason::WrongType { expected } => format!("答案类型应为 {expected}"),
            AnswerErrorReason::MultipleValues => "此项只能填写一个值".into(),
            AnswerErrorReason::LineBreak => "此项不能换行".into(),
            AnswerErrorReason::TooShort { min } => format!("至少需要 {min} 个字"),
            AnswerErrorReason::TooLong { max } => format!("最多 {max} 个字"),
            AnswerErrorReason::PatternMismatch => "格式不正确".into(),
            AnswerErrorReason::NotANumber => "请填写数字".into(),
            AnswerErrorReason::NotInteger => "请填写整数".into(),
            AnswerErrorReason::BelowMin { min } => format!("不能小于 {min}"),
            AnswerErrorReason::AboveMax { max } => format!("不能大于 {max}"),
            AnswerErrorReason::InvalidDatetime => "日期格式不正确(例如 2024-03-06)".into(),
            AnswerErrorReason::InFuture => "日期不能晚于今天".into(),
            AnswerErrorReason::UnknownChoice { key } => format!("“{key}”不是可选项"),
            AnswerErrorReason::DuplicateChoice { key } => format!("“{key}”重复选择"),
            AnswerErrorReason::TooFewChoices { min } => format!("至少选择 {min} 项"),
            AnswerErrorReason::TooManyChoices { max } => format!("最多选择 {max} 项"),
            AnswerErrorReason::InvalidRule { .. } => "表单规则有误,请联系工作人员".into(),
        }
    }
}

/// One refused answer: the question's code and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct AnswerError {
    pub field: String,
    #[serde(flatten)]
    pub reason: AnswerErrorReason,
}

impl AnswerError {
    pub fn new(field: impl Into<String>, reason: AnswerErrorReason) -> Self {
        AnswerError {
            field: field.into(),
            reason,
        }
    }
}

/// An application that passed validation against `(service_code,
/// version)`; it is stored with that pair and rendered against the same
/// version forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatedApplication {
    pub service_code: String,
    pub version: u32,
    /// Non-empty answers only, by question code.
    pub answers: BTreeMap<String, AnswerValue>,
}

/// Compiles a definition's pattern, anchored to the whole answer.
pub fn compile_pattern(pattern: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

/// Validates `answers` against `def`. Every question is checked and all
/// faults are returned together: unknown questions, answers to
/// information-only items, missing required answers, wrong types and
/// broken rules. Empty answers (`""`, `[]`) count as not given.
/// `now` decides `not_in_future` (the phone and the server pass their
/// clocks, so the rule stays a pure function).
pub fn validate(
    def: &ServiceDefinition,
    answers: &BTreeMap<String, AnswerValue>,
    now: DateTime<Utc>,
) -> Result<ValidatedApplication, Vec<AnswerError>> {
    let mut errors = Vec::new();
    for code in answers.keys() {
        if def.attribute(code).is_none() {
            errors.push(AnswerError::new(code, AnswerErrorReason::UnknownAttribute));
        }
    }
    let mut kept = BTreeMap::new();
    for attr in def.attributes_in_order() {
        let given = answers.get(&attr.code).filter(|v| !v.is_empty());
        match given {
            None if attr.required => {
                errors.push(AnswerError::new(&attr.code, AnswerErrorReason::Required))
            }
            None => {}
            Some(_) if !attr.variable => errors.push(AnswerError::new(
                &attr.code,
                AnswerErrorReason::NotAnswerable,
            )),
            Some(value) => match check_value(attr, value, now) {
                Ok(()) => {
                    kept.insert(attr.code.clone(), value.clone());
                }
                Err(reason) => errors.push(AnswerError::new(&attr.code, reason)),
            },
        }
    }
    if errors.is_empty() {
        Ok(ValidatedApplication {
            service_code: def.code.clone(),
            version: def.version,
            answers: kept,
        })
    } else {
        Err(errors)
    }
}

/// Checks one non-empty answer against its question: type, then rules.
pub fn check_value(
    attr: &AttributeDef,
    value: &AnswerValue,
    now: DateTime<Utc>,
) -> Result<(), AnswerErrorReason> {
    let rules = &attr.validation;
    match (attr.datatype, value) {
        (Datatype::String | Datatype::Text, AnswerValue::Text(s)) => {
            if attr.datatype == Datatype::String && s.contains(['\n', '\r']) {
                return Err(AnswerErrorReason::LineBreak);
            }
            let len = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
            if let Some(min) = rules.min_len
                && len < min
            {
                return Err(AnswerErrorReason::TooShort { min });
            }
            if let Some(max) = rules.max_len
                && len > max
            {
                return Err(AnswerErrorReason::TooLong { max });
            }
            if let Some(p) = &rules.pattern {
                let re = compile_pattern(p).map_err(|e| AnswerErrorReason::InvalidRule {
                    detail: e.to_string(),
                })?;
                if !re.is_match(s) {
                    return Err(AnswerErrorReason::PatternMismatch);
                }
            }
            Ok(())
        }
        (Datatype::Number, AnswerValue::Number(n)) => {
            if rules.integer && !n.fract().is_zero() {
                return Err(AnswerErrorReason::NotInteger);
            }
            if let Some(min) = rules.min
                && *n < min
            {
                return Err(AnswerErrorReason::BelowMin { min });
            }
            if let Some(max) = rules.max
                && *n > max
            {
                return Err(AnswerErrorReason::AboveMax { max });
            }
            Ok(())
        }
        (Datatype::Datetime, AnswerValue::Date(d)) => {
            if rules.not_in_future && *d > today_in_china(now) {
                return Err(AnswerErrorReason::InFuture);
            }
            Ok(())
        }
        (Datatype::Datetime, AnswerValue::Datetime(t)) => {
            if rules.not_in_future && t.with_timezone(&Utc) > now {
                return Err(AnswerErrorReason::InFuture);
            }
            Ok(())
        }
        (Datatype::Singlevaluelist, AnswerValue::Choice(key)) => {
            if attr.option(key).is_none() {
                return Err(AnswerErrorReason::UnknownChoice { key: key.clone() });
            }
            Ok(())
        }
        (Datatype::Multivaluelist, AnswerValue::Choices(keys)) => {
            let mut seen = BTreeSet::new();
            for key in keys {
                if attr.option(key).is_none() {
                    return Err(AnswerErrorReason::UnknownChoice { key: key.clone() });
                }
                if !seen.insert(key) {
                    return Err(AnswerErrorReason::DuplicateChoice { key: key.clone() });
                }
            }
            let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            if let Some(min) = rules.min_choices
                && count < min
            {
                return Err(AnswerErrorReason::TooFewChoices { min });
            }
            if let Some(max) = rules.max_choices
                && count > max
            {
                return Err(AnswerErrorReason::TooManyChoices { max });
            }
            Ok(())
        }
        (dt, _) => Err(AnswerErrorReason::WrongType {
            expected: dt.as_str().to_string(),
        }),
    }
}

/// Turns raw strings (a form field, or Open311's `attribute[code]` /
/// `attribute[code][]` values) into a typed answer for `attr`, without
/// checking the rules. `Ok(None)` means "not answered" (all values
/// blank). A multi-choice answer may come as several values, as
/// comma-separated keys, or both.
pub fn parse_answer(
    attr: &AttributeDef,
    raws: &[String],
) -> Result<Option<AnswerValue>, AnswerErrorReason> {
    if attr.datatype == Datatype::Multivaluelist {
        let keys: Vec<String> = raws
            .iter()
            .flat_map(|r| r.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        return Ok(if keys.is_empty() {
            None
        } else {
            Some(AnswerValue::Choices(keys))
        });
    }
    let given: Vec<&String> = raws.iter().filter(|r| !r.trim().is_empty()).collect();
    let raw = match given.as_slice() {
        [] => return Ok(None),
        [one] => one.as_str(),
        _ => return Err(AnswerErrorReason::MultipleValues),
    };
    let value = match attr.datatype {
        Datatype::String | Datatype::Text => AnswerValue::Text(raw.to_string()),
        Datatype::Number => AnswerValue::Number(
            Decimal::from_str(raw.trim()).map_err(|_| AnswerErrorReason::NotANumber)?,
        ),
        Datatype::Datetime => parse_datetime(raw.trim())?,
        Datatype::Singlevaluelist => AnswerValue::Choice(raw.trim().to_string()),
        Datatype::Multivaluelist => AnswerValue::Choices(vec![raw.trim().to_string()]),
    };
    Ok(Some(value))
}

/// A date (`YYYY-MM-DD`) or an ISO 8601 / W3C date-time with its offset
/// (`Z` or `±hh:mm`), as Open311 requires.
pub fn parse_datetime(raw: &str) -> Result<AnswerValue, AnswerErrorReason> {
    if raw.len() == 10 {
        return NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(AnswerValue::Date)
            .map_err(|_| AnswerErrorReason::InvalidDatetime);
    }
    DateTime::parse_from_rfc3339(raw)
        .map(AnswerValue::Datetime)
        .map_err(|_| AnswerErrorReason::InvalidDatetime)
}
