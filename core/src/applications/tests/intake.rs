//! Legal aid, the form model, deadlines and applications inside needs.

use super::*;

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
        Err(AnswerError::new("income", AnswerErrorReason::Required))
    );
    assert_eq!(form.apply_answer("story", "", t), Ok(None));
    assert_eq!(
        form.apply_answer("income", "abc", t),
        Err(AnswerError::new("income", AnswerErrorReason::NotANumber))
    );
    assert_eq!(
        form.apply_answer("size", "2.5", t),
        Err(AnswerError::new("size", AnswerErrorReason::NotInteger))
    );
    assert_eq!(
        form.apply_answer("decided", "2099-01-01", t),
        Err(AnswerError::new("decided", AnswerErrorReason::InFuture))
    );
    assert_eq!(
        form.apply_answer("areas", "x,z", t),
        Ok(Some(AnswerValue::Choices(vec!["x".into(), "z".into()])))
    );
    assert_eq!(
        form.apply_answer("kind", "q", t),
        Err(AnswerError::new(
            "kind",
            AnswerErrorReason::UnknownChoice { key: "q".into() }
        ))
    );
    assert_eq!(
        form.apply_answer("info", "x", t),
        Err(AnswerError::new("info", AnswerErrorReason::NotAnswerable))
    );
    assert_eq!(
        form.apply_answer("nope", "x", t),
        Err(AnswerError::new(
            "nope",
            AnswerErrorReason::UnknownAttribute
        ))
    );
    assert!(form.validate(&good(), t).is_ok());
    assert_eq!(AnswerErrorReason::Required.message_zh(), "此项为必填项");
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

#[test]
fn an_application_in_a_need_is_refused_field_by_field_with_need_paths() {
    let mut catalog = ServiceRegistry::new();
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
    let mut catalog = ServiceRegistry::new();
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
    let catalog = ServiceRegistry::with_defaults().unwrap();
    let mut need = crate::needs::tests::draft();
    need.application = Some(app("mediation", 1, mediation_answers()));
    let now = Utc::now();
    assert!(need.validate_with_registry(&catalog, now).is_ok());
    // JSON round trip keeps the application; without one nothing changes.
    let json = serde_json::to_value(&need).unwrap();
    assert_eq!(json["application"]["service_code"], "mediation");
    assert_eq!(
        json["application"]["answers"]["dispute_type"]["choice"],
        "neighbour"
    );
    need.description = String::new();
    need.application.as_mut().unwrap().answers.remove("facts");
    let errors = need.validate_with_registry(&catalog, now).unwrap_err();
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
