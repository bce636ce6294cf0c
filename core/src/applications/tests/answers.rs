//! Answers, definitions and the registry of versions.

use super::*;

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
    let cases: Vec<(&str, AnswerValue, AnswerErrorReason)> = vec![
        (
            "name",
            AnswerValue::Text("张".into()),
            AnswerErrorReason::TooShort { min: 2 },
        ),
        (
            "name",
            AnswerValue::Text("张三李四王五".into()),
            AnswerErrorReason::TooLong { max: 5 },
        ),
        (
            "name",
            AnswerValue::Text("张\n三".into()),
            AnswerErrorReason::LineBreak,
        ),
        (
            "name",
            AnswerValue::Number(dec("1")),
            AnswerErrorReason::WrongType {
                expected: "string".into(),
            },
        ),
        (
            "phone",
            AnswerValue::Text("1380013800".into()),
            AnswerErrorReason::PatternMismatch,
        ),
        // anchored: a valid number with extra text does not match
        (
            "phone",
            AnswerValue::Text("13800138000x".into()),
            AnswerErrorReason::PatternMismatch,
        ),
        (
            "story",
            AnswerValue::Text("字".repeat(21)),
            AnswerErrorReason::TooLong { max: 20 },
        ),
        (
            "income",
            AnswerValue::Number(dec("-1")),
            AnswerErrorReason::BelowMin { min: dec("0") },
        ),
        (
            "income",
            AnswerValue::Number(dec("100000.01")),
            AnswerErrorReason::AboveMax { max: dec("100000") },
        ),
        (
            "income",
            AnswerValue::Text("3000".into()),
            AnswerErrorReason::WrongType {
                expected: "number".into(),
            },
        ),
        (
            "size",
            AnswerValue::Number(dec("2.5")),
            AnswerErrorReason::NotInteger,
        ),
        (
            "decided",
            AnswerValue::Date(NaiveDate::from_ymd_opt(2024, 3, 8).unwrap()),
            AnswerErrorReason::InFuture,
        ),
        (
            "decided",
            AnswerValue::Datetime(
                DateTime::parse_from_rfc3339("2024-03-07T05:00:00+08:00").unwrap(),
            ),
            AnswerErrorReason::InFuture,
        ),
        (
            "visit",
            AnswerValue::Choice("a".into()),
            AnswerErrorReason::WrongType {
                expected: "datetime".into(),
            },
        ),
        (
            "kind",
            AnswerValue::Choice("c".into()),
            AnswerErrorReason::UnknownChoice { key: "c".into() },
        ),
        (
            "kind",
            AnswerValue::Choices(vec!["a".into()]),
            AnswerErrorReason::WrongType {
                expected: "singlevaluelist".into(),
            },
        ),
        (
            "areas",
            AnswerValue::Choices(vec!["x".into(), "w".into()]),
            AnswerErrorReason::UnknownChoice { key: "w".into() },
        ),
        (
            "areas",
            AnswerValue::Choices(vec!["x".into(), "x".into()]),
            AnswerErrorReason::DuplicateChoice { key: "x".into() },
        ),
        (
            "areas",
            AnswerValue::Choices(vec!["x".into(), "y".into(), "z".into()]),
            AnswerErrorReason::TooManyChoices { max: 2 },
        ),
        (
            "areas",
            AnswerValue::Choice("x".into()),
            AnswerErrorReason::WrongType {
                expected: "multivaluelist".into(),
            },
        ),
        (
            "info",
            AnswerValue::Text("hi".into()),
            AnswerErrorReason::NotAnswerable,
        ),
        (
            "nope",
            AnswerValue::Text("hi".into()),
            AnswerErrorReason::UnknownAttribute,
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
            ("zzz".into(), AnswerErrorReason::UnknownAttribute),
            ("name".into(), AnswerErrorReason::Required),
            ("income".into(), AnswerErrorReason::Required),
            ("size".into(), AnswerErrorReason::NotInteger),
            ("kind".into(), AnswerErrorReason::Required),
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
    assert_eq!(p("income", &["3,200"]), Err(AnswerErrorReason::NotANumber));
    assert_eq!(
        p("income", &["1", "2"]),
        Err(AnswerErrorReason::MultipleValues)
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
        Err(AnswerErrorReason::InvalidDatetime)
    );
    assert_eq!(
        p("visit", &["2024-02-30"]),
        Err(AnswerErrorReason::InvalidDatetime)
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
    let e = serde_json::to_value(AnswerError::new(
        "income",
        AnswerErrorReason::BelowMin { min: dec("0") },
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
    let catalog = ServiceRegistry::with_defaults().unwrap();
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
    let catalog = ServiceRegistry::with_defaults().unwrap();
    let enterprise = catalog.latest("enterprise_checkup").unwrap();
    let uscc = enterprise.attribute("uscc").unwrap();
    assert!(check(uscc, "91330303MA2H12345X").is_ok());
    assert_eq!(
        check(uscc, "91330303MA2H12345"),
        Err(AnswerErrorReason::PatternMismatch)
    );
    assert_eq!(
        check(uscc, "91330303MA2H1234IX"),
        Err(AnswerErrorReason::PatternMismatch)
    ); // I is not used
    let visit = catalog.latest("remote_prison_visit").unwrap();
    let id = visit.attribute("visitor_id_number").unwrap();
    assert!(check(id, "33030319800101123X").is_ok());
    assert_eq!(
        check(id, "330303198013011234"),
        Err(AnswerErrorReason::PatternMismatch)
    ); // month 13
}

#[test]
fn old_applications_keep_their_version_while_new_ones_use_the_new_schema() {
    let mut catalog = ServiceRegistry::with_defaults().unwrap();
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
        Err(RegistryError::VersionNotNext {
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
    let mut catalog = ServiceRegistry::with_defaults().unwrap();
    let mut v2 = catalog.latest("legal_aid").unwrap().clone();
    v2.version = 2;
    catalog.publish(v2).unwrap();
    let all: Vec<&ServiceDefinition> = catalog.all_versions().collect();
    let json = serde_json::to_string(&all).unwrap();
    assert_eq!(ServiceRegistry::from_json(&json).unwrap(), catalog);
    // A gap is refused.
    let mut gap = catalog.latest("legal_aid").unwrap().clone();
    gap.version = 5;
    assert!(matches!(
        catalog.publish(gap),
        Err(RegistryError::VersionNotNext { .. })
    ));
    assert!(matches!(
        ServiceRegistry::from_json("{"),
        Err(RegistryError::Json(_))
    ));
}
