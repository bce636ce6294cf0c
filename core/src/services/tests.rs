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
) -> Vec<(String, FieldErrorReason)> {
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

#[test]
fn every_datatype_accepts_a_good_answer() {
    let def = all_types(1);
    def.check().unwrap();
    let app = validate(&def, &good(), now()).unwrap();
    assert_eq!((app.service_code.as_str(), app.version), ("all_types", 1));
    assert_eq!(app.answers.len(), 9);
}

#[test]
fn every_datatype_refuses_a_bad_answer() {
    let def = all_types(1);
    let cases: Vec<(&str, AnswerValue, FieldErrorReason)> = vec![
        (
            "name",
            AnswerValue::Text("张".into()),
            FieldErrorReason::TooShort { min: 2 },
        ),
        (
            "name",
            AnswerValue::Text("张三李四王五".into()),
            FieldErrorReason::TooLong { max: 5 },
        ),
        (
            "name",
            AnswerValue::Text("张\n三".into()),
            FieldErrorReason::LineBreak,
        ),
        (
            "name",
            AnswerValue::Number(dec("1")),
            FieldErrorReason::WrongType {
                expected: "string".into(),
            },
        ),
        (
            "phone",
            AnswerValue::Text("1380013800".into()),
            FieldErrorReason::PatternMismatch,
        ),
        // anchored: a valid number with extra text does not match
        (
            "phone",
            AnswerValue::Text("13800138000x".into()),
            FieldErrorReason::PatternMismatch,
        ),
        (
            "story",
            AnswerValue::Text("字".repeat(21)),
            FieldErrorReason::TooLong { max: 20 },
        ),
        (
            "income",
            AnswerValue::Number(dec("-1")),
            FieldErrorReason::BelowMin { min: dec("0") },
        ),
        (
            "income",
            AnswerValue::Number(dec("100000.01")),
            FieldErrorReason::AboveMax { max: dec("100000") },
        ),
        (
            "income",
            AnswerValue::Text("3000".into()),
            FieldErrorReason::WrongType {
                expected: "number".into(),
            },
        ),
        (
            "size",
            AnswerValue::Number(dec("2.5")),
            FieldErrorReason::NotInteger,
        ),
        (
            "decided",
            AnswerValue::Date(NaiveDate::from_ymd_opt(2024, 3, 8).unwrap()),
            FieldErrorReason::InFuture,
        ),
        (
            "decided",
            AnswerValue::Datetime(
                DateTime::parse_from_rfc3339("2024-03-07T05:00:00+08:00").unwrap(),
            ),
            FieldErrorReason::InFuture,
        ),
        (
            "visit",
            AnswerValue::Choice("a".into()),
            FieldErrorReason::WrongType {
                expected: "datetime".into(),
            },
        ),
        (
            "kind",
            AnswerValue::Choice("c".into()),
            FieldErrorReason::UnknownChoice { key: "c".into() },
        ),
        (
            "kind",
            AnswerValue::Choices(vec!["a".into()]),
            FieldErrorReason::WrongType {
                expected: "singlevaluelist".into(),
            },
        ),
        (
            "areas",
            AnswerValue::Choices(vec!["x".into(), "w".into()]),
            FieldErrorReason::UnknownChoice { key: "w".into() },
        ),
        (
            "areas",
            AnswerValue::Choices(vec!["x".into(), "x".into()]),
            FieldErrorReason::DuplicateChoice { key: "x".into() },
        ),
        (
            "areas",
            AnswerValue::Choices(vec!["x".into(), "y".into(), "z".into()]),
            FieldErrorReason::TooManyChoices { max: 2 },
        ),
        (
            "areas",
            AnswerValue::Choice("x".into()),
            FieldErrorReason::WrongType {
                expected: "multivaluelist".into(),
            },
        ),
        (
            "info",
            AnswerValue::Text("hi".into()),
            FieldErrorReason::NotAnswerable,
        ),
        (
            "nope",
            AnswerValue::Text("hi".into()),
            FieldErrorReason::UnknownAttribute,
        ),
    ];
    for (field, value, expected) in cases {
        assert_eq!(
            reasons(&def, &with(field, value.clone())),
            vec![(field.to_string(), expected)],
            "{field} = {value:?}"
        );
    }
}

#[test]
fn a_date_today_in_china_is_not_in_the_future_even_when_utc_is_still_yesterday() {
    let def = all_types(1);
    // now() is 2024-03-07 04:00 in China, 2024-03-06 in UTC.
    let ok = with(
        "decided",
        AnswerValue::Date(NaiveDate::from_ymd_opt(2024, 3, 7).unwrap()),
    );
    assert!(validate(&def, &ok, now()).is_ok());
}

#[test]
fn all_faults_are_reported_at_once_in_display_order() {
    let def = all_types(1);
    let mut answers = BTreeMap::new();
    answers.insert("zzz".into(), AnswerValue::Text("?".into()));
    answers.insert("size".into(), AnswerValue::Number(dec("1.5")));
    answers.insert("name".into(), AnswerValue::Text("   ".into())); // blank = missing
    let got = reasons(&def, &answers);
    assert_eq!(
        got,
        vec![
            ("zzz".into(), FieldErrorReason::UnknownAttribute),
            ("name".into(), FieldErrorReason::Required),
            ("income".into(), FieldErrorReason::Required),
            ("size".into(), FieldErrorReason::NotInteger),
            ("kind".into(), FieldErrorReason::Required),
        ]
    );
}

#[test]
fn empty_optional_answers_are_dropped() {
    let def = all_types(1);
    let mut answers = good();
    answers.insert("areas".into(), AnswerValue::Choices(vec![]));
    answers.insert("story".into(), AnswerValue::Text(String::new()));
    let app = validate(&def, &answers, now()).unwrap();
    assert!(!app.answers.contains_key("areas") && !app.answers.contains_key("story"));
}

#[test]
fn raw_strings_parse_per_datatype() {
    let def = all_types(1);
    let p = |code: &str, raws: &[&str]| {
        let raws: Vec<String> = raws.iter().map(|s| s.to_string()).collect();
        parse_answer(def.attribute(code).unwrap(), &raws)
    };
    assert_eq!(
        p("income", &[" 3200.50 "]),
        Ok(Some(AnswerValue::Number(dec("3200.50"))))
    );
    assert_eq!(p("income", &["3,200"]), Err(FieldErrorReason::NotANumber));
    assert_eq!(
        p("income", &["1", "2"]),
        Err(FieldErrorReason::MultipleValues)
    );
    assert_eq!(p("income", &["", " "]), Ok(None));
    assert_eq!(
        p("decided", &["2024-03-01"]),
        Ok(Some(AnswerValue::Date(
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        )))
    );
    assert!(matches!(
        p("visit", &["1994-11-05T13:15:30Z"]),
        Ok(Some(AnswerValue::Datetime(_)))
    ));
    // The spec requires the offset.
    assert_eq!(
        p("visit", &["1994-11-05T13:15:30"]),
        Err(FieldErrorReason::InvalidDatetime)
    );
    assert_eq!(
        p("visit", &["2024-02-30"]),
        Err(FieldErrorReason::InvalidDatetime)
    );
    assert_eq!(p("kind", &["a"]), Ok(Some(AnswerValue::Choice("a".into()))));
    assert_eq!(
        p("areas", &["x", "y,z"]),
        Ok(Some(AnswerValue::Choices(vec![
            "x".into(),
            "y".into(),
            "z".into()
        ])))
    );
}

#[test]
fn answers_have_a_stable_tagged_json_shape() {
    let v = serde_json::to_value(good()).unwrap();
    assert_eq!(v["income"], serde_json::json!({"number": "3200.50"}));
    assert_eq!(v["decided"], serde_json::json!({"date": "2024-03-07"}));
    assert_eq!(v["areas"], serde_json::json!({"choices": ["x", "z"]}));
    let back: BTreeMap<String, AnswerValue> = serde_json::from_value(v).unwrap();
    assert_eq!(back, good());
    // Numbers may come as JSON numbers too.
    let n: AnswerValue = serde_json::from_str(r#"{"number": 12.5}"#).unwrap();
    assert_eq!(n, AnswerValue::Number(dec("12.5")));
    let e = serde_json::to_value(FieldError::new(
        "income",
        FieldErrorReason::BelowMin { min: dec("0") },
    ))
    .unwrap();
    assert_eq!(
        e,
        serde_json::json!({"field": "income", "reason": "below_min", "min": "0"})
    );
}

#[test]
fn incoherent_definitions_are_refused() {
    let mut def = all_types(1);
    def.attributes[1].code = "name".into(); // duplicate
    def.attributes[2].order = 1; // duplicate order
    def.attributes[3].validation.pattern = Some("x".into()); // pattern on a number
    def.attributes[0].validation.pattern = Some("(".into()); // does not compile
    def.attributes[7].values.clear(); // list without values
    def.attributes[0].values = opts(&["a"]); // values on a string
    def.attributes[8].values = opts(&["x", "x"]); // repeated key
    def.attributes[9].required = true; // required info
    def.attributes[4].validation.min = Some(dec("5"));
    def.attributes[4].validation.max = Some(dec("1"));
    let errors = def.check().unwrap_err();
    assert_eq!(errors.len(), 9, "{errors:#?}");
    assert!(errors.contains(&DefinitionError::DuplicateAttribute("name".into())));
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, DefinitionError::BadPattern { .. }))
    );
    assert!(errors.contains(&DefinitionError::RuleNotApplicable {
        code: "income".into(),
        rule: "pattern",
        datatype: "number"
    }));
}

#[test]
fn the_shipped_catalogue_loads_with_five_types() {
    let catalog = ServiceCatalog::with_defaults().unwrap();
    let codes: Vec<&str> = catalog.active().iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "admin_reconsideration",
            "enterprise_checkup",
            "legal_aid",
            "mediation",
            "remote_prison_visit"
        ]
    );
    let legal_aid = catalog.latest("legal_aid").unwrap();
    for f in [
        "monthly_household_income",
        "household_size",
        "case_type",
        "special_groups",
    ] {
        assert!(legal_aid.attribute(f).is_some(), "{f}");
    }
    let rules = LegalAidRules::defaults().unwrap();
    assert!(
        rules.illustrative,
        "the shipped threshold must stay marked illustrative"
    );
    // Every key the rules name is an option of the form.
    let keys = |code: &str| -> Vec<String> {
        legal_aid
            .attribute(code)
            .unwrap()
            .values
            .iter()
            .map(|v| v.key.clone())
            .collect()
    };
    for l in rules
        .no_means_test_case_types
        .iter()
        .chain(&rules.covered_case_types)
    {
        assert!(keys("case_type").contains(&l.key), "{}", l.key);
    }
    for l in &rules.means_test_exempt_groups {
        assert!(keys("special_groups").contains(&l.key), "{}", l.key);
    }
    let recon = catalog.latest("admin_reconsideration").unwrap();
    assert!(
        recon
            .attribute("decision_date")
            .unwrap()
            .validation
            .not_in_future
    );
}

#[test]
fn shipped_patterns_accept_real_shapes() {
    let catalog = ServiceCatalog::with_defaults().unwrap();
    let enterprise = catalog.latest("enterprise_checkup").unwrap();
    let uscc = enterprise.attribute("uscc").unwrap();
    assert!(check(uscc, "91330303MA2H12345X").is_ok());
    assert_eq!(
        check(uscc, "91330303MA2H12345"),
        Err(FieldErrorReason::PatternMismatch)
    );
    assert_eq!(
        check(uscc, "91330303MA2H1234IX"),
        Err(FieldErrorReason::PatternMismatch)
    ); // I is not used
    let visit = catalog.latest("remote_prison_visit").unwrap();
    let id = visit.attribute("visitor_id_number").unwrap();
    assert!(check(id, "33030319800101123X").is_ok());
    assert_eq!(
        check(id, "330303198013011234"),
        Err(FieldErrorReason::PatternMismatch)
    ); // month 13
}

fn check(attr: &AttributeDef, raw: &str) -> Result<(), FieldErrorReason> {
    let v = parse_answer(attr, &[raw.to_string()])?.ok_or(FieldErrorReason::Required)?;
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

#[test]
fn old_applications_keep_their_version_while_new_ones_use_the_new_schema() {
    let mut catalog = ServiceCatalog::with_defaults().unwrap();
    let v1 = catalog.latest("mediation").unwrap().clone();
    let filed = catalog
        .validate_new("mediation", &mediation_answers(), now())
        .unwrap();
    assert_eq!(filed.version, 1);

    // Staff publish v2: a new required question, and "mode" is dropped.
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.attributes.retain(|a| a.code != "mode");
    let mut amount = attr("amount", Datatype::Number, 7, true);
    amount.validation.min = Some(Decimal::ZERO);
    v2.attributes.push(amount);
    catalog.publish(v2).unwrap();

    // The old application still validates against v1 …
    let mut old = mediation_answers();
    old.insert("mode".into(), AnswerValue::Choice("video".into()));
    assert_eq!(
        catalog
            .validate_filed("mediation", 1, &old, now())
            .unwrap()
            .version,
        1
    );
    // … while a new one is held to v2.
    match catalog.validate_new("mediation", &old, now()) {
        Err(IntakeError::Invalid { errors }) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["mode", "amount"]);
        }
        other => panic!("{other:?}"),
    }
    let mut new = mediation_answers();
    new.insert("amount".into(), AnswerValue::Number(dec("800")));
    assert_eq!(
        catalog
            .validate_new("mediation", &new, now())
            .unwrap()
            .version,
        2
    );
    // v1 is unchanged and still there.
    assert_eq!(catalog.get("mediation", 1), Some(&v1));

    // Published versions never change; versions run without gaps.
    assert!(matches!(
        catalog.publish(v1.clone()),
        Err(CatalogError::VersionNotNext {
            expected: 3,
            got: 1,
            ..
        })
    ));
    assert_eq!(
        catalog.validate_filed("mediation", 9, &old, now()),
        Err(IntakeError::UnknownVersion {
            code: "mediation".into(),
            version: 9
        })
    );
    assert_eq!(
        catalog.validate_new("nope", &old, now()),
        Err(IntakeError::UnknownService {
            code: "nope".into()
        })
    );

    // Retiring: a v3 with active = false takes no new applications but
    // old ones still validate.
    let mut v3 = catalog.latest("mediation").unwrap().clone();
    v3.version = 3;
    v3.active = false;
    catalog.publish(v3).unwrap();
    assert_eq!(
        catalog.validate_new("mediation", &new, now()),
        Err(IntakeError::Retired {
            code: "mediation".into()
        })
    );
    assert!(catalog.validate_filed("mediation", 1, &old, now()).is_ok());
    assert!(!catalog.active().iter().any(|d| d.code == "mediation"));
    assert_eq!(
        catalog
            .all_versions()
            .filter(|d| d.code == "mediation")
            .count(),
        3
    );
}

#[test]
fn the_catalogue_round_trips_through_json_with_all_versions() {
    let mut catalog = ServiceCatalog::with_defaults().unwrap();
    let mut v2 = catalog.latest("legal_aid").unwrap().clone();
    v2.version = 2;
    catalog.publish(v2).unwrap();
    let all: Vec<&ServiceDefinition> = catalog.all_versions().collect();
    let json = serde_json::to_string(&all).unwrap();
    assert_eq!(ServiceCatalog::from_json(&json).unwrap(), catalog);
    // A gap is refused.
    let mut gap = catalog.latest("legal_aid").unwrap().clone();
    gap.version = 5;
    assert!(matches!(
        catalog.publish(gap),
        Err(CatalogError::VersionNotNext { .. })
    ));
    assert!(matches!(
        ServiceCatalog::from_json("{"),
        Err(CatalogError::Json(_))
    ));
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

#[test]
fn legal_aid_eligibility_follows_income_case_type_and_groups() {
    let rules = LegalAidRules::defaults().unwrap(); // threshold 2000/person, 10 % margin
    let v = |a: &BTreeMap<String, AnswerValue>| eligibility(a, &rules).verdict;
    // 5400 / 3 = 1800 ≤ 2000
    let e = eligibility(
        &legal_aid("labour_pay", Some("5400"), Some("3"), &[]),
        &rules,
    );
    assert_eq!(e.verdict, Verdict::Eligible);
    assert!(e.means_test_applies);
    assert_eq!(
        e.reasons,
        vec![
            EligibilityReason::IncomeWithinThreshold {
                per_capita: dec("1800"),
                threshold: dec("2000")
            },
            EligibilityReason::IllustrativeThreshold,
        ]
    );
    // 6300 / 3 = 2100: within 10 % above → likely
    assert_eq!(
        v(&legal_aid("labour_pay", Some("6300"), Some("3"), &[])),
        Verdict::Likely
    );
    // 9000 / 3 = 3000 → not
    assert_eq!(
        v(&legal_aid("labour_pay", Some("9000"), Some("3"), &[])),
        Verdict::NotEligible
    );
    // Art. 32: no means test, whatever the income.
    let e = eligibility(
        &legal_aid("domestic_violence_abuse", Some("90000"), Some("1"), &[]),
        &rules,
    );
    assert_eq!(
        (e.verdict, e.means_test_applies),
        (Verdict::Eligible, false)
    );
    // Art. 42: social assistance recipients are exempt from the check.
    assert_eq!(
        v(&legal_aid(
            "maintenance",
            Some("90000"),
            Some("1"),
            &["social_assistance"]
        )),
        Verdict::Eligible
    );
    // Migrant workers only for wages and work injury.
    assert_eq!(
        v(&legal_aid(
            "labour_pay",
            Some("90000"),
            Some("1"),
            &["migrant_worker"]
        )),
        Verdict::Eligible
    );
    assert_eq!(
        v(&legal_aid(
            "maintenance",
            Some("90000"),
            Some("1"),
            &["migrant_worker"]
        )),
        Verdict::NotEligible
    );
    // A matter not on the lists: the institution decides.
    let e = eligibility(&legal_aid("other", Some("1000"), Some("2"), &[]), &rules);
    assert_eq!(e.verdict, Verdict::Likely);
    assert!(e.reasons.contains(&EligibilityReason::CaseTypeNotListed {
        case_type: "other".into()
    }));
    // Missing answers cannot give a "not".
    let e = eligibility(&legal_aid("labour_pay", None, Some("0"), &[]), &rules);
    assert_eq!(e.verdict, Verdict::Likely);
    assert!(e.reasons.contains(&EligibilityReason::MissingAnswer {
        field: "monthly_household_income".into()
    }));
    assert!(e.reasons.contains(&EligibilityReason::MissingAnswer {
        field: "household_size".into()
    }));
    assert_eq!(
        eligibility(&BTreeMap::new(), &rules).verdict,
        Verdict::Likely
    );
}

#[test]
fn legal_aid_missing_documents() {
    let rules = LegalAidRules::defaults().unwrap();
    let means_tested = legal_aid("labour_pay", Some("3000"), Some("2"), &[]);
    assert_eq!(
        required_documents(&means_tested, &rules),
        vec![
            DocumentKind::IdCard,
            DocumentKind::HardshipStatement,
            DocumentKind::CaseMaterials
        ]
    );
    assert_eq!(
        missing_documents(
            &means_tested,
            &rules,
            &[DocumentKind::IdCard, DocumentKind::CaseMaterials]
        ),
        vec![DocumentKind::HardshipStatement]
    );
    let mut exempt = legal_aid(
        "maintenance",
        Some("3000"),
        Some("2"),
        &["social_assistance"],
    );
    exempt.insert("on_behalf".into(), AnswerValue::Choice("yes".into()));
    assert_eq!(
        missing_documents(&exempt, &rules, &[DocumentKind::IdCard]),
        vec![
            DocumentKind::SpecialGroupProof,
            DocumentKind::CaseMaterials,
            DocumentKind::AgentAuthorization
        ]
    );
    let art32 = legal_aid("good_samaritan", None, None, &[]);
    assert_eq!(
        required_documents(&art32, &rules),
        vec![DocumentKind::IdCard, DocumentKind::CaseMaterials]
    );
    assert!(
        DocumentKind::HardshipStatement
            .name_zh()
            .contains("经济困难")
    );
}

#[test]
fn the_form_model_follows_the_definition() {
    let def = all_types(1);
    let form = FormModel::from_definition(&def);
    assert_eq!((form.service_code.as_str(), form.version), ("all_types", 1));
    let widgets: Vec<(&str, Widget)> = form
        .fields
        .iter()
        .map(|f| (f.code.as_str(), f.widget))
        .collect();
    assert_eq!(
        widgets,
        [
            ("name", Widget::TextInput),
            ("phone", Widget::TextInput),
            ("story", Widget::TextArea),
            ("income", Widget::NumberInput),
            ("size", Widget::NumberInput),
            ("decided", Widget::DatePicker),
            ("visit", Widget::DatePicker),
            ("kind", Widget::SingleSelect),
            ("areas", Widget::MultiSelect),
            ("info", Widget::Info),
        ]
    );
    let kind = form.field("kind").unwrap();
    assert_eq!(
        (
            kind.options.len(),
            kind.options[0].label_en.as_str(),
            kind.required
        ),
        (2, "Option a", true)
    );
    assert!(form.field("size").unwrap().integer);

    let t = now();
    assert_eq!(
        form.apply_answer("income", "1200", t),
        Ok(Some(AnswerValue::Number(dec("1200"))))
    );
    assert_eq!(
        form.apply_answer("income", "", t),
        Err(FieldError::new("income", FieldErrorReason::Required))
    );
    assert_eq!(form.apply_answer("story", "", t), Ok(None));
    assert_eq!(
        form.apply_answer("income", "abc", t),
        Err(FieldError::new("income", FieldErrorReason::NotANumber))
    );
    assert_eq!(
        form.apply_answer("size", "2.5", t),
        Err(FieldError::new("size", FieldErrorReason::NotInteger))
    );
    assert_eq!(
        form.apply_answer("decided", "2099-01-01", t),
        Err(FieldError::new("decided", FieldErrorReason::InFuture))
    );
    assert_eq!(
        form.apply_answer("areas", "x,z", t),
        Ok(Some(AnswerValue::Choices(vec!["x".into(), "z".into()])))
    );
    assert_eq!(
        form.apply_answer("kind", "q", t),
        Err(FieldError::new(
            "kind",
            FieldErrorReason::UnknownChoice { key: "q".into() }
        ))
    );
    assert_eq!(
        form.apply_answer("info", "x", t),
        Err(FieldError::new("info", FieldErrorReason::NotAnswerable))
    );
    assert_eq!(
        form.apply_answer("nope", "x", t),
        Err(FieldError::new("nope", FieldErrorReason::UnknownAttribute))
    );
    assert!(form.validate(&good(), t).is_ok());
    assert_eq!(FieldErrorReason::Required.message_zh(), "此项为必填项");
    // The model crosses to the shells as JSON.
    let json = serde_json::to_string(&form).unwrap();
    assert_eq!(serde_json::from_str::<FormModel>(&json).unwrap(), form);
}

#[test]
fn deadlines_count_calendar_or_working_days() {
    let wed = NaiveDate::from_ymd_opt(2024, 3, 6).unwrap();
    let five_working = Deadline {
        days: 5,
        kind: DayKind::Working,
        basis: String::new(),
    };
    assert_eq!(
        five_working.due_date(wed, weekdays_only),
        NaiveDate::from_ymd_opt(2024, 3, 13).unwrap()
    );
    let seven = Deadline {
        days: 7,
        kind: DayKind::Calendar,
        basis: String::new(),
    };
    assert_eq!(
        seven.due_date(wed, weekdays_only),
        NaiveDate::from_ymd_opt(2024, 3, 13).unwrap()
    );
    // A holiday table (here: Friday 8 March off) moves the date.
    let holiday = NaiveDate::from_ymd_opt(2024, 3, 8).unwrap();
    assert_eq!(
        five_working.due_date(wed, |d| weekdays_only(d) && d != holiday),
        NaiveDate::from_ymd_opt(2024, 3, 14).unwrap()
    );
}

fn app(code: &str, version: u32, answers: BTreeMap<String, AnswerValue>) -> ApplicationDraft {
    ApplicationDraft {
        service_code: code.into(),
        service_version: version,
        answers,
        documents: vec![],
    }
}

#[test]
fn an_application_in_a_need_is_refused_field_by_field_with_need_paths() {
    let mut catalog = ServiceCatalog::new();
    catalog.publish(all_types(1)).unwrap();
    let mut answers = good();
    answers.insert("income".into(), AnswerValue::Text("lots".into()));
    answers.insert("kind".into(), AnswerValue::Choice("c".into()));
    let errors =
        check_application(&app("all_types", 1, answers), &catalog, &[], now()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["application.answers.income", "application.answers.kind"]
    );
    assert!(errors[0].reason.contains("number"), "{errors:?}");

    let unknown = check_application(&app("nope", 1, good()), &catalog, &[], now()).unwrap_err();
    assert_eq!(unknown[0].field, "application.service_code");
    let no_version =
        check_application(&app("all_types", 2, good()), &catalog, &[], now()).unwrap_err();
    assert_eq!(no_version[0].field, "application.service_version");

    let mut with_doc = app("all_types", 1, good());
    with_doc.documents.push(ProvidedDocument {
        sha256: "a".repeat(64),
        kind: DocumentKind::IdCard,
    });
    let errors = check_application(&with_doc, &catalog, &[], now()).unwrap_err();
    assert_eq!(errors[0].field, "application.documents[0].sha256");
}

#[test]
fn old_versions_stay_valid_for_filing_until_the_type_is_retired() {
    let mut catalog = ServiceCatalog::new();
    catalog.publish(all_types(1)).unwrap();
    let mut v2 = all_types(2);
    v2.attributes.retain(|a| a.code != "income");
    catalog.publish(v2).unwrap();
    // Filed under v1 (income required there), accepted against v1.
    assert_eq!(
        check_application(&app("all_types", 1, good()), &catalog, &[], now())
            .unwrap()
            .version,
        1
    );
    // v2 has no income question: the same answers are refused there.
    let errors = check_application(&app("all_types", 2, good()), &catalog, &[], now()).unwrap_err();
    assert_eq!(errors[0].field, "application.answers.income");
    let mut v3 = all_types(3);
    v3.active = false;
    catalog.publish(v3).unwrap();
    for version in [1, 3] {
        let errors = check_application(&app("all_types", version, good()), &catalog, &[], now())
            .unwrap_err();
        assert_eq!(errors[0].field, "application.service_code");
        assert!(errors[0].reason.contains("retired"), "{errors:?}");
    }
}

#[test]
fn a_need_with_an_application_is_validated_with_the_catalogue() {
    let catalog = ServiceCatalog::with_defaults().unwrap();
    let mut need = crate::need::tests::draft();
    need.application = Some(app("mediation", 1, mediation_answers()));
    let now = Utc::now();
    assert!(need.validate_with_catalog(&catalog, now).is_ok());
    // JSON round trip keeps the application; without one nothing changes.
    let json = serde_json::to_value(&need).unwrap();
    assert_eq!(json["application"]["service_code"], "mediation");
    assert_eq!(
        json["application"]["answers"]["dispute_type"]["choice"],
        "neighbour"
    );
    need.description = String::new();
    need.application.as_mut().unwrap().answers.remove("facts");
    let errors = need.validate_with_catalog(&catalog, now).unwrap_err();
    assert!(errors.has("description") && errors.has("application.answers.facts"));
    need.application = None;
    assert!(
        !serde_json::to_string(&need)
            .unwrap()
            .contains("application")
    );
}

#[test]
fn legal_aid_assessment_lists_the_documents_not_named_yet() {
    let rules = LegalAidRules::defaults().unwrap();
    let mut a = app(LEGAL_AID_CODE, 1, BTreeMap::new());
    a.answers
        .insert("case_type".into(), AnswerValue::Choice("labour_pay".into()));
    a.answers.insert(
        "monthly_household_income".into(),
        AnswerValue::Number(dec("1000")),
    );
    a.answers
        .insert("household_size".into(), AnswerValue::Number(dec("3")));
    let before = application::assess(&a, &rules).unwrap();
    assert!(
        before
            .missing_documents
            .iter()
            .any(|d| d.kind == DocumentKind::IdCard)
    );
    a.documents.push(ProvidedDocument {
        sha256: "b".repeat(64),
        kind: DocumentKind::IdCard,
    });
    let after = application::assess(&a, &rules).unwrap();
    assert!(
        !after
            .missing_documents
            .iter()
            .any(|d| d.kind == DocumentKind::IdCard)
    );
    assert_eq!(after.required_documents, before.required_documents);
    assert!(application::assess(&app("mediation", 1, BTreeMap::new()), &rules).is_none());
}
