//! Tests of application types: every datatype, required, choices, rules,
//! versions, legal aid assessment and documents, the form model.

use super::legal_aid::{eligibility, missing_documents, required_documents};
use super::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

fn now() -> DateTime<Utc> {
    // 2024-03-06 20:00 UTC = 2024-03-07 04:00 in China.
    Utc.with_ymd_and_hms(2024, 3, 6, 20, 0, 0).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn attr(code: &str, datatype: Datatype, order: u32, required: bool) -> AttributeDef {
    AttributeDef {
        code: code.into(),
        datatype,
        variable: true,
        required,
        description_zh: format!("{code} 问题"),
        description_en: format!("{code} question"),
        help_zh: String::new(),
        help_en: String::new(),
        order,
        values: vec![],
        validation: Validation::default(),
    }
}

fn opts(keys: &[&str]) -> Vec<ValueOption> {
    keys.iter()
        .map(|k| ValueOption {
            key: (*k).into(),
            name_zh: format!("选项{k}"),
            name_en: format!("Option {k}"),
        })
        .collect()
}

/// A definition with one question of every datatype, each with rules.
fn all_types(version: u32) -> ServiceDefinition {
    let mut name = attr("name", Datatype::String, 1, true);
    name.validation = Validation {
        min_len: Some(2),
        max_len: Some(5),
        ..Default::default()
    };
    let mut phone = attr("phone", Datatype::String, 2, false);
    phone.validation.pattern = Some("1[3-9][0-9]{9}".into());
    let mut story = attr("story", Datatype::Text, 3, false);
    story.validation.max_len = Some(20);
    let mut income = attr("income", Datatype::Number, 4, true);
    income.validation.min = Some(dec("0"));
    income.validation.max = Some(dec("100000"));
    let mut size = attr("size", Datatype::Number, 5, false);
    size.validation.integer = true;
    let mut decided = attr("decided", Datatype::Datetime, 6, false);
    decided.validation.not_in_future = true;
    let visit = attr("visit", Datatype::Datetime, 7, false);
    let mut kind = attr("kind", Datatype::Singlevaluelist, 8, true);
    kind.values = opts(&["a", "b"]);
    let mut areas = attr("areas", Datatype::Multivaluelist, 9, false);
    areas.values = opts(&["x", "y", "z"]);
    areas.validation.max_choices = Some(2);
    let mut info = attr("info", Datatype::Text, 10, false);
    info.variable = false;
    ServiceDefinition {
        code: "all_types".into(),
        version,
        name_zh: "全类型".into(),
        name_en: "All types".into(),
        description_zh: String::new(),
        description_en: String::new(),
        responsible: Responsible::StreetOfLocation,
        deadline: Deadline {
            days: 5,
            kind: DayKind::Working,
            basis: "test".into(),
        },
        attributes: vec![
            name, phone, story, income, size, decided, visit, kind, areas, info,
        ],
        keywords: vec![],
        group: String::new(),
        notice_zh: String::new(),
        notice_en: String::new(),
        active: true,
    }
}

fn good() -> BTreeMap<String, AnswerValue> {
    let mut m = BTreeMap::new();
    m.insert("name".into(), AnswerValue::Text("张三".into()));
    m.insert("phone".into(), AnswerValue::Text("13800138000".into()));
    m.insert("story".into(), AnswerValue::Text("第一行\n第二行".into()));
    m.insert("income".into(), AnswerValue::Number(dec("3200.50")));
    m.insert("size".into(), AnswerValue::Number(dec("3")));
    m.insert(
        "decided".into(),
        AnswerValue::Date(NaiveDate::from_ymd_opt(2024, 3, 7).unwrap()),
    );
    m.insert(
        "visit".into(),
        AnswerValue::Datetime(DateTime::parse_from_rfc3339("2030-01-01T09:00:00+08:00").unwrap()),
    );
    m.insert("kind".into(), AnswerValue::Choice("a".into()));
    m.insert(
        "areas".into(),
        AnswerValue::Choices(vec!["x".into(), "z".into()]),
    );
    m
}

fn reasons(
    def: &ServiceDefinition,
    answers: &BTreeMap<String, AnswerValue>,
) -> Vec<(String, AnswerErrorReason)> {
    validate(def, answers, now())
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.reason))
        .collect()
}

fn with(field: &str, v: AnswerValue) -> BTreeMap<String, AnswerValue> {
    let mut m = good();
    m.insert(field.into(), v);
    m
}

fn check(attr: &AttributeDef, raw: &str) -> Result<(), AnswerErrorReason> {
    let v = parse_answer(attr, &[raw.to_string()])?.ok_or(AnswerErrorReason::Required)?;
    validate::check_value(attr, &v, now())
}

fn mediation_answers() -> BTreeMap<String, AnswerValue> {
    let mut m = BTreeMap::new();
    m.insert(
        "dispute_type".into(),
        AnswerValue::Choice("neighbour".into()),
    );
    m.insert("other_party".into(), AnswerValue::Text("李四".into()));
    m.insert(
        "facts".into(),
        AnswerValue::Text("楼上漏水导致我家天花板受损,协商未果。".into()),
    );
    m.insert("claim".into(), AnswerValue::Text("赔偿维修费".into()));
    m
}

fn legal_aid(
    case_type: &str,
    income: Option<&str>,
    size: Option<&str>,
    groups: &[&str],
) -> BTreeMap<String, AnswerValue> {
    let mut m = BTreeMap::new();
    m.insert("case_type".into(), AnswerValue::Choice(case_type.into()));
    if let Some(i) = income {
        m.insert(
            "monthly_household_income".into(),
            AnswerValue::Number(dec(i)),
        );
    }
    if let Some(s) = size {
        m.insert("household_size".into(), AnswerValue::Number(dec(s)));
    }
    if !groups.is_empty() {
        m.insert(
            "special_groups".into(),
            AnswerValue::Choices(groups.iter().map(|g| g.to_string()).collect()),
        );
    }
    m
}

fn app(code: &str, version: u32, answers: BTreeMap<String, AnswerValue>) -> ApplicationDraft {
    ApplicationDraft {
        service_code: code.into(),
        service_version: version,
        answers,
        documents: vec![],
    }
}

mod answers;
mod intake;
