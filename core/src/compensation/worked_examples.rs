//! Worked examples and boundaries. Each example says where its figures come
//! from: a published page (URL and title, as read) or, where no published
//! example uses our exact parameters, the arithmetic from the statute done
//! by hand in the comment.

use super::personal_injury::{dependants, years_by_age};
use super::severance::severance_months;
use super::*;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn table() -> ParamTable {
    ParamTable::builtin().unwrap()
}

fn injury(year: u16, age: u32, outcome: InjuryOutcome) -> PersonalInjuryInput {
    PersonalInjuryInput {
        region: "330000".into(),
        year,
        age,
        outcome,
        dependants: Vec::new(),
        items: EnteredItems::default(),
    }
}

fn line<'a>(b: &'a Breakdown, prefix: &str) -> &'a Line {
    b.lines
        .iter()
        .find(|l| l.item.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix} in {b:#?}"))
}

fn field_of(err: CalcError) -> String {
    match err {
        CalcError::InvalidInput { field, .. } => field,
        other => panic!("expected an input error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Published examples

/// Source: "最新2023年度浙江省杭州市残疾赔偿金/死亡赔偿金参考标准(按2022年5月1日后
/// 统一城乡居民赔偿标准计算)", http://148hz.com/bxnews.asp?id=11777 (read via the
/// search corpus): with the 2022 Zhejiang urban disposable income 71268, grade 10
/// (10%) = 142536 and death (100%) = 1425360, i.e. × 20 years.
#[test]
fn published_zhejiang_2022_grade_10_and_death() {
    let b = personal_injury::personal_injury(
        &injury(2022, 40, InjuryOutcome::Disability { grade: 10 }),
        &table(),
        Language::Zh,
    )
    .unwrap();
    assert_eq!(line(&b, "残疾赔偿金").amount, d("142536.00"));
    assert_eq!(b.total, d("142536.00"));
    let u = &line(&b, "残疾赔偿金").parameters[0];
    assert_eq!(
        (u.region.as_str(), u.year, u.value),
        ("330000", 2022, d("71268"))
    );
    assert!(
        u.source
            .contains("2022年度浙江省人民生活等相关统计数据公报")
    );

    let b = personal_injury::personal_injury(
        &injury(2022, 40, InjuryOutcome::Death),
        &table(),
        Language::Zh,
    );
    // The death line needs the 2022 average wage for the funeral costs,
    // which the table does not ship: a clear error, not a guess.
    match b.unwrap_err() {
        CalcError::MissingParameter {
            region,
            year,
            indicator,
            ..
        } => {
            assert_eq!((region.as_str(), year), ("330000", 2022));
            assert_eq!(indicator, Indicator::AverageWageNonPrivate);
        }
        other => panic!("unexpected {other:?}"),
    }
    // With the 2022 wage supplied by a caller's table (test-only figure,
    // not a statistic), the death compensation is the published 1425360.
    let mut t = table();
    t.merge(
        ParamTable::from_csv_str(
            "region,year,indicator,value,unit,source\n\
             330000,2022,average_wage_non_private,120000,yuan/year,test-only figure\n",
        )
        .unwrap(),
    );
    let b =
        personal_injury::personal_injury(&injury(2022, 40, InjuryOutcome::Death), &t, Language::Zh)
            .unwrap();
    assert_eq!(line(&b, "死亡赔偿金").amount, d("1425360.00"));
}

/// Source: "浙江省2021年道路交通事故人身损害赔偿相关数据", http://148hz.com/bxnews.asp?id=11157:
/// "2021年浙江地区人身损害赔偿纠纷案件中的丧葬费按照2020年度非私营单位从业人员年平均
/// 工资标准108645元计算,为54322.5元"; death compensation 62699 × 20 = 1253980.
#[test]
fn published_zhejiang_2020_funeral_costs() {
    let b = personal_injury::personal_injury(
        &injury(2020, 50, InjuryOutcome::Death),
        &table(),
        Language::Zh,
    )
    .unwrap();
    assert_eq!(line(&b, "丧葬费").amount, d("54322.50"));
    assert_eq!(line(&b, "死亡赔偿金").amount, d("1253980.00"));
    assert_eq!(b.total, d("1308302.50"));
    assert_eq!(b.disclaimer, DISCLAIMER_ZH);
    assert!(
        b.legal_basis
            .iter()
            .any(|s| s.contains("第一千一百七十九条"))
    );
}

/// Source: zg122.com, "一、案情 上海市居民某甲…2021年4月22日发生交通事故死亡",
/// http://www.zg122.com/article/article-detail/a25f2577-5604-4ed3-af73-5294fbf98b79
/// (read via the search corpus). Shanghai 2020 consumption spending 42536
/// (test-only table here: not a Zhejiang figure); dependants A 1.2 years and
/// B 3.4 years to 18 with 2 obliged, father C 65 and mother D 60 with 3
/// obliged. The page's stage figures: A1 = B1 = 15312.96, C1 = D1 = 10208.64,
/// B2 = 40105.37, C2 = D2 = 26736.91, C3 = 164472.53, D3 = 235365.87.
/// Per person we get A 15312.96, B 15312.96 + 40105.37 = 55418.33,
/// D 10208.64 + 26736.91 + 235365.87 = 272311.42, as the page's stages add up.
/// For C the page's rounded stages add up to 201418.08; we round once at the
/// end (10208.64 + 26736.914285… + 164472.533333… = 201418.087619…) and get
/// 201418.09 — the one-fen difference is the page rounding each stage.
#[test]
fn published_shanghai_dependants_with_yearly_cap() {
    let deps = [
        ("16.8", 2, "A"),
        ("14.6", 2, "B"),
        ("65", 3, "C"),
        ("60", 3, "D"),
    ]
    .map(|(age, n, label)| Dependant {
        age: d(age),
        obliged_persons: n,
        label: Some(label.into()),
    });
    let (amounts, capped) = dependants(&deps, Decimal::ONE, d("42536"), Language::Zh);
    assert!(capped);
    let rounded: Vec<Decimal> = amounts
        .iter()
        .map(|(a, _)| breakdown::round_fen(*a))
        .collect();
    assert_eq!(
        rounded,
        vec![d("15312.96"), d("55418.33"), d("201418.09"), d("272311.42")]
    );
    // Yearly cap: 42536 × 1.2 + 42536 × 2.2 in the capped stages, then
    // 42536 × (1/3 + 1/3) × 11.6 + 42536 × 1/3 × 5 uncapped = 544460.80.
    let total: Decimal = amounts.iter().map(|(a, _)| *a).sum();
    assert_eq!(breakdown::round_fen(total), d("544460.80"));
    assert!(amounts[1].1.contains("封顶"));
}

// ---------------------------------------------------------------------------
// Hand-computed from the statute (no published example with these exact
// parameters was found; the arithmetic is shown).

/// Dependants, Zhejiang 2022, C = 44511, victim died (coefficient 1).
/// Uncapped: child aged 10 with 2 obliged: 44511 × (18 − 10) ÷ 2 = 178044;
/// mother aged 62 with 3 obliged: years 20 − (62 − 60) = 18, 44511 × 18 ÷ 3 =
/// 267066; yearly sum 1/2 + 1/3 = 5/6 ≤ 1, no cap.
/// Capped: three children aged 15, 12, 10, one obliged each (the victim):
/// years 0–3: sum 3 > 1, each 44511 × 3 ÷ 3 = 44511; years 3–6: sum 2 > 1,
/// the two younger each 44511 × 3 ÷ 2 = 66766.5; years 6–8: the youngest
/// alone, 44511 × 2 = 89022. Totals 44511, 111277.5, 200299.5 = 356088 =
/// 44511 × 8 (one year's C for each of the 8 years).
#[test]
fn hand_dependants_zhejiang_2022() {
    let deps = vec![
        Dependant {
            age: d("10"),
            obliged_persons: 2,
            label: None,
        },
        Dependant {
            age: d("62"),
            obliged_persons: 3,
            label: Some("mother".into()),
        },
    ];
    let (amounts, capped) = dependants(&deps, Decimal::ONE, d("44511"), Language::Zh);
    assert!(!capped);
    assert_eq!(amounts[0].0, d("178044"));
    assert_eq!(amounts[1].0, d("267066"));

    let kids = ["15", "12", "10"].map(|a| Dependant {
        age: d(a),
        obliged_persons: 1,
        label: None,
    });
    let (amounts, capped) = dependants(&kids, Decimal::ONE, d("44511"), Language::Zh);
    assert!(capped);
    let got: Vec<Decimal> = amounts.iter().map(|(a, _)| *a).collect();
    assert_eq!(got, vec![d("44511"), d("111277.5"), d("200299.5")]);

    // Through the calculator, with disability grade 5 (60%): child aged 10
    // alone with 2 obliged, 44511 × 8 × 60% ÷ 2 = 106826.40; plus disability
    // compensation 71268 × 60% × 20 = 855216 → 962042.40.
    let mut input = injury(2022, 30, InjuryOutcome::Disability { grade: 5 });
    input.dependants = vec![Dependant {
        age: d("10"),
        obliged_persons: 2,
        label: None,
    }];
    let b = personal_injury::personal_injury(&input, &table(), Language::Zh).unwrap();
    assert_eq!(line(&b, "被扶养人生活费").amount, d("106826.40"));
    assert_eq!(b.total, d("962042.40"));
}

/// Age rule and its boundaries: 20 years to 60; 60 → 20, 61 → 19, 74 → 6,
/// 75 → 5, 76 → 5. Disability grade 1 at 61 (2022): 71268 × 100% × 19 =
/// 1354092; grade 10 at 74: 71268 × 10% × 6 = 42760.80; death at 76 (2020):
/// 62699 × 5 = 313495.
#[test]
fn age_rule_boundaries() {
    for (age, years) in [
        (0, 20),
        (59, 20),
        (60, 20),
        (61, 19),
        (74, 6),
        (75, 5),
        (76, 5),
        (130, 5),
    ] {
        assert_eq!(years_by_age(age), years, "age {age}");
    }
    let b = personal_injury::personal_injury(
        &injury(2022, 61, InjuryOutcome::Disability { grade: 1 }),
        &table(),
        Language::Zh,
    )
    .unwrap();
    assert_eq!(b.total, d("1354092.00"));
    let b = personal_injury::personal_injury(
        &injury(2022, 74, InjuryOutcome::Disability { grade: 10 }),
        &table(),
        Language::Zh,
    )
    .unwrap();
    assert_eq!(b.total, d("42760.80"));
    let b = personal_injury::personal_injury(
        &injury(2020, 76, InjuryOutcome::Death),
        &table(),
        Language::Zh,
    )
    .unwrap();
    assert_eq!(line(&b, "死亡赔偿金").amount, d("313495.00"));

    // A dependant aged 75 or 76: 5 years; aged 17.5: half a year.
    let deps = ["75", "76", "17.5"].map(|a| Dependant {
        age: d(a),
        obliged_persons: 4,
        label: None,
    });
    let (amounts, _) = dependants(&deps, Decimal::ONE, d("100"), Language::Zh);
    let got: Vec<Decimal> = amounts.iter().map(|(a, _)| *a).collect();
    assert_eq!(got, vec![d("125"), d("125"), d("12.5")]);
}

#[test]
fn grades_and_invalid_inputs_name_the_field() {
    let t = table();
    for (grade, expected) in [(1, "1425360.00"), (10, "142536.00")] {
        let b = personal_injury::personal_injury(
            &injury(2022, 30, InjuryOutcome::Disability { grade }),
            &t,
            Language::Zh,
        )
        .unwrap();
        assert_eq!(b.total, d(expected), "grade {grade}");
    }
    for grade in [0, 11] {
        let err = personal_injury::personal_injury(
            &injury(2022, 30, InjuryOutcome::Disability { grade }),
            &t,
            Language::Zh,
        )
        .unwrap_err();
        assert_eq!(field_of(err), "outcome.grade");
    }
    let err = personal_injury::personal_injury(
        &injury(2022, 200, InjuryOutcome::Death),
        &t,
        Language::Zh,
    )
    .unwrap_err();
    assert_eq!(field_of(err), "age");

    let mut input = injury(2022, 30, InjuryOutcome::Injury);
    input.items.medical = d("-1");
    let err = personal_injury::personal_injury(&input, &t, Language::Zh).unwrap_err();
    assert_eq!(field_of(err.clone()), "items.medical");
    assert!(err.to_string().contains("negative"));

    let mut input = injury(2022, 30, InjuryOutcome::Death);
    input.dependants = vec![Dependant {
        age: d("200"),
        obliged_persons: 1,
        label: None,
    }];
    assert_eq!(
        field_of(personal_injury::personal_injury(&input, &t, Language::Zh).unwrap_err()),
        "dependants[0].age"
    );
    input.dependants = vec![Dependant {
        age: d("5"),
        obliged_persons: 0,
        label: None,
    }];
    assert_eq!(
        field_of(personal_injury::personal_injury(&input, &t, Language::Zh).unwrap_err()),
        "dependants[0].obliged_persons"
    );
    let mut input = injury(2022, 30, InjuryOutcome::Injury);
    input.dependants = vec![Dependant {
        age: d("5"),
        obliged_persons: 1,
        label: None,
    }];
    assert_eq!(
        field_of(personal_injury::personal_injury(&input, &t, Language::Zh).unwrap_err()),
        "dependants"
    );
}

#[test]
fn missing_year_and_region_are_named() {
    let t = table();
    let err = personal_injury::personal_injury(
        &injury(2023, 30, InjuryOutcome::Disability { grade: 3 }),
        &t,
        Language::Zh,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("2023") && msg.contains("urban_disposable_income"),
        "{msg}"
    );
    let mut input = injury(2022, 30, InjuryOutcome::Disability { grade: 3 });
    input.region = "440000".into();
    let err = personal_injury::personal_injury(&input, &t, Language::Zh).unwrap_err();
    assert!(matches!(err, CalcError::MissingParameter { ref region, .. } if region == "440000"));
    // An injury without disability needs no figure at all.
    let mut input = injury(2031, 30, InjuryOutcome::Injury);
    input.items.medical = d("100.005");
    let b = personal_injury::personal_injury(&input, &t, Language::Zh).unwrap();
    assert_eq!(b.total, d("100.01"));
}

/// Traffic, Zhejiang 2022, victim aged 45, grade 10, insured vehicle liable
/// with 70% of fault. Items: disability 71268 × 10% × 20 = 142536; medical
/// 30000, nutrition 1800, hospital meals 600 (medical cover 32400); lost
/// wages 20000, nursing 5000, solatium 5000; appraisal 2000; property 3000.
/// Items total 209936. Compulsory insurance: death/disability
/// min(142536 + 20000 + 5000 + 5000 = 172536, 180000) = 172536; medical
/// min(32400, 18000) = 18000; property min(3000, 2000) = 2000; together
/// 192536. Rest 209936 − 192536 = 17400 × 70% = 12180. Payable 204716.
/// With 0% and no liability the no-fault limits apply: min(172536, 18000) +
/// min(32400, 1800) + min(3000, 100) = 19900, rest × 0 = 0. With 100%:
/// 192536 + 17400 = 209936.
#[test]
fn hand_traffic_accident() {
    let mut inj = injury(2022, 45, InjuryOutcome::Disability { grade: 10 });
    inj.items = EnteredItems {
        medical: d("30000"),
        nutrition: d("1800"),
        hospital_meals: d("600"),
        lost_wages: d("20000"),
        nursing: d("5000"),
        mental_solatium: d("5000"),
        appraisal: d("2000"),
        ..EnteredItems::default()
    };
    let mut input = TrafficAccidentInput {
        injury: inj,
        fault_share_percent: d("70"),
        insured_at_fault: None,
        property_loss: d("3000"),
    };
    let t = table();
    let b = personal_injury::traffic_accident(&input, &t, Language::Zh).unwrap();
    assert_eq!(b.items_total, d("209936.00"));
    assert_eq!(line(&b, "交强险 死亡伤残").amount, d("172536.00"));
    assert_eq!(line(&b, "交强险 医疗费用").amount, d("18000.00"));
    assert_eq!(line(&b, "交强险 财产损失").amount, d("2000.00"));
    assert_eq!(line(&b, "责任方").amount, d("12180.00"));
    assert_eq!(b.total, d("204716.00"));
    assert_eq!(line(&b, "交强险 医疗费用").parameters[0].value, d("18000"));

    input.fault_share_percent = d("0");
    let b = personal_injury::traffic_accident(&input, &t, Language::Zh).unwrap();
    assert_eq!(b.total, d("19900.00"));
    input.fault_share_percent = d("100");
    let b = personal_injury::traffic_accident(&input, &t, Language::Zh).unwrap();
    assert_eq!(b.total, d("209936.00"));

    for bad in ["101", "-1", "100.01"] {
        input.fault_share_percent = d(bad);
        let err = personal_injury::traffic_accident(&input, &t, Language::Zh).unwrap_err();
        assert_eq!(field_of(err), "fault_share_percent");
    }
    input.fault_share_percent = d("50");
    input.injury.items.nursing = d("-0.01");
    assert_eq!(
        field_of(personal_injury::traffic_accident(&input, &t, Language::Zh).unwrap_err()),
        "injury.items.nursing"
    );
    input.injury.items.nursing = Decimal::ZERO;
    input.property_loss = d("-5");
    assert_eq!(
        field_of(personal_injury::traffic_accident(&input, &t, Language::Zh).unwrap_err()),
        "property_loss"
    );
}

/// Work injury, Zhejiang 2020 average wage 108645 → monthly 9053.75;
/// 60% = 5432.25, 300% = 27161.25 (《工伤保险条例》第六十四条).
/// Grade 9, own wage 4000 → raised to 5432.25 × 9 = 48890.25.
/// Grade 10, own wage 6000 → 6000 × 7 = 42000.
/// Grade 1, own wage 30000 → cut to 27161.25 × 27 = 733353.75.
/// Own wage exactly 60% or 300% → unchanged.
#[test]
fn hand_work_injury_disability() {
    let t = table();
    let run = |grade: u8, wage: &str| {
        work_injury::work_injury(
            &WorkInjuryInput {
                region: "330000".into(),
                year: 2020,
                monthly_wage: Some(d(wage)),
                outcome: WorkInjuryOutcome::Disability { grade },
            },
            &t,
            Language::Zh,
        )
    };
    assert_eq!(run(9, "4000").unwrap().total, d("48890.25"));
    assert_eq!(run(10, "6000").unwrap().total, d("42000.00"));
    assert_eq!(run(1, "30000").unwrap().total, d("733353.75"));
    assert_eq!(run(1, "27161.25").unwrap().total, d("733353.75"));
    assert_eq!(run(10, "5432.25").unwrap().total, d("38025.75"));
    assert_eq!(field_of(run(11, "6000").unwrap_err()), "outcome.grade");
    assert_eq!(field_of(run(0, "6000").unwrap_err()), "outcome.grade");
    assert_eq!(field_of(run(5, "-6000").unwrap_err()), "monthly_wage");
    let no_wage = work_injury::work_injury(
        &WorkInjuryInput {
            region: "330000".into(),
            year: 2020,
            monthly_wage: None,
            outcome: WorkInjuryOutcome::Disability { grade: 5 },
        },
        &t,
        Language::Zh,
    );
    assert_eq!(field_of(no_wage.unwrap_err()), "monthly_wage");
}

/// The death grant needs the national urban disposable income, which the
/// shipped table does not invent: missing-parameter error naming CN. With a
/// test-only table supplying it (50000, not a statistic): death grant 50000
/// × 20 = 1000000, funeral grant 108645 ÷ 12 × 6 = 54322.50.
#[test]
fn work_injury_death_needs_the_national_figure() {
    let input = WorkInjuryInput {
        region: "330000".into(),
        year: 2020,
        monthly_wage: None,
        outcome: WorkInjuryOutcome::Death,
    };
    let err = work_injury::work_injury(&input, &table(), Language::Zh).unwrap_err();
    match &err {
        CalcError::MissingParameter {
            region,
            year,
            indicator,
            ..
        } => {
            assert_eq!(
                (region.as_str(), *year, *indicator),
                ("CN", 2020, Indicator::UrbanDisposableIncome)
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("CN"));

    let mut t = table();
    t.merge(
        ParamTable::from_csv_str(
            "region,year,indicator,value,unit,source\n\
             CN,2020,urban_disposable_income,50000,yuan/year,test-only figure (not a statistic)\n",
        )
        .unwrap(),
    );
    let b = work_injury::work_injury(&input, &t, Language::Zh).unwrap();
    assert_eq!(line(&b, "一次性工亡补助金").amount, d("1000000.00"));
    assert_eq!(line(&b, "丧葬补助金").amount, d("54322.50"));
    assert_eq!(b.total, d("1054322.50"));
    assert_eq!(line(&b, "一次性工亡补助金").parameters[0].region, "CN");
}

/// Severance (《劳动合同法》第四十七条), Zhejiang 2021 average wage 122309:
/// 3 × monthly average = 122309 ÷ 12 × 3 = 30577.25.
/// 5 months → 0.5, 6 → 1, 7 → 1, 12 → 1, 13 → 1.5, 30 → 3 months of wage.
/// Wage 10000: 5 months → 5000; 6 and 7 months → 10000.
/// Wage exactly 30577.25 (not above 3×), 15 years: no cap, 30577.25 × 15 =
/// 458658.75. Wage 40000 (above), 15 years: 30577.25 × 12 = 366927.
/// Above 3× but only 10 years: 30577.25 × 10 = 305772.50.
/// Unlawful (2N), wage 10000, 3 years: 2 × 30000 = 60000; above the cap,
/// 15 years: 2 × 366927 = 733854.
/// N + 1, wage 10000, 3 years 2 months (N = 3.5), previous month 9000:
/// 35000 + 9000 = 44000.
#[test]
fn hand_severance() {
    for (months, n) in [
        (0, "0"),
        (5, "0.5"),
        (6, "1"),
        (7, "1"),
        (12, "1"),
        (13, "1.5"),
        (30, "3"),
    ] {
        assert_eq!(severance_months(months), d(n), "{months} months");
    }
    let t = table();
    let run = |wage: &str, months: u32, termination: Termination, last: Option<&str>| {
        severance::severance(
            &SeveranceInput {
                region: "330000".into(),
                year: 2021,
                monthly_wage: d(wage),
                months_of_service: months,
                termination,
                last_month_wage: last.map(d),
            },
            &t,
            Language::Zh,
        )
    };
    assert_eq!(
        run("10000", 5, Termination::Lawful, None).unwrap().total,
        d("5000.00")
    );
    assert_eq!(
        run("10000", 6, Termination::Lawful, None).unwrap().total,
        d("10000.00")
    );
    assert_eq!(
        run("10000", 7, Termination::Lawful, None).unwrap().total,
        d("10000.00")
    );
    assert_eq!(
        run("30577.25", 180, Termination::Lawful, None)
            .unwrap()
            .total,
        d("458658.75")
    );
    let capped = run("40000", 180, Termination::Lawful, None).unwrap();
    assert_eq!(capped.total, d("366927.00"));
    assert!(capped.lines[0].formula.contains("年限最多 12 年"));
    assert_eq!(
        run("40000", 120, Termination::Lawful, None).unwrap().total,
        d("305772.50")
    );
    assert_eq!(
        run("10000", 36, Termination::Unlawful, None).unwrap().total,
        d("60000.00")
    );
    assert_eq!(
        run("40000", 180, Termination::Unlawful, None)
            .unwrap()
            .total,
        d("733854.00")
    );
    let b = run("10000", 38, Termination::LawfulInLieuOfNotice, Some("9000")).unwrap();
    assert_eq!(b.lines.len(), 2);
    assert_eq!(b.total, d("44000.00"));
    assert_eq!(
        field_of(run("-1", 12, Termination::Lawful, None).unwrap_err()),
        "monthly_wage"
    );
    assert_eq!(
        field_of(run("1", 961, Termination::Lawful, None).unwrap_err()),
        "months_of_service"
    );
    assert_eq!(
        field_of(run("1", 12, Termination::LawfulInLieuOfNotice, Some("-1")).unwrap_err()),
        "last_month_wage"
    );
    let err = severance::severance(
        &SeveranceInput {
            region: "330000".into(),
            year: 2019,
            monthly_wage: d("1"),
            months_of_service: 1,
            termination: Termination::Lawful,
            last_month_wage: None,
        },
        &t,
        Language::Zh,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        CalcError::MissingParameter { year: 2019, .. }
    ));
}

/// The JSON the server and the phone send, end to end.
#[test]
fn json_requests() {
    let t = table();
    let json = r#"{"type": "traffic_accident",
        "injury": {"region": "330000", "year": 2022, "age": 45,
                   "outcome": {"kind": "disability", "grade": 10},
                   "items": {"medical": "30000", "nutrition": "1800", "hospital_meals": "600",
                             "lost_wages": "20000", "nursing": "5000",
                             "mental_solatium": "5000", "appraisal": "2000"}},
        "fault_share_percent": "70", "property_loss": "3000"}"#;
    let req: CalcRequest = serde_json::from_str(json).unwrap();
    let b = calculate(&req, &t, Language::Zh).unwrap();
    assert_eq!(b.total, d("204716.00"));
    let out = serde_json::to_value(&b).unwrap();
    assert_eq!(out["calculator"], "traffic_accident");
    assert_eq!(out["lines"][0]["kind"], "item");
    assert_eq!(out["lines"][0]["amount"], "142536.00");
    assert_eq!(out["lines"][0]["parameters"][0]["year"], 2022);

    let json = r#"{"type": "personal_injury", "region": "330000", "year": 2020, "age": 50,
        "outcome": {"kind": "death"},
        "dependants": [{"age": "10", "obliged_persons": 2, "label": "son"}]}"#;
    let b = calculate(&serde_json::from_str(json).unwrap(), &t, Language::Zh).unwrap();
    // 1253980 + 54322.5 + 36197 × 8 ÷ 2 = 144788 → 1453090.50
    assert_eq!(b.total, d("1453090.50"));

    let json = r#"{"type": "work_injury", "region": "330000", "year": 2020,
        "monthly_wage": 6000, "outcome": {"kind": "disability", "grade": 10}}"#;
    let b = calculate(&serde_json::from_str(json).unwrap(), &t, Language::Zh).unwrap();
    assert_eq!(b.total, d("42000.00"));

    // A misspelt item is refused rather than silently counted as zero.
    let typo = r#"{"type": "personal_injury", "region": "330000", "year": 2020, "age": 50,
        "outcome": {"kind": "injury"}, "items": {"medicl": "100"}}"#;
    assert!(serde_json::from_str::<CalcRequest>(typo).is_err());
    let grade_typo = r#"{"type": "personal_injury", "region": "330000", "year": 2020, "age": 50,
        "outcome": {"kind": "disability", "grade": 3, "extra": 1}}"#;
    assert!(serde_json::from_str::<CalcRequest>(grade_typo).is_err());

    // Round trip of a request.
    let again: CalcRequest = serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
    assert_eq!(again, req);
}

/// Extreme but valid inputs must not overflow: 20 dependants whose obliged
/// counts have a huge least common multiple, with the largest amounts.
#[test]
fn extreme_inputs_do_not_overflow() {
    let primes = [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 49, 50, 1, 1, 1,
    ];
    let deps: Vec<Dependant> = primes
        .iter()
        .enumerate()
        .map(|(i, &n)| Dependant {
            age: Decimal::from(i as u32),
            obliged_persons: n,
            label: None,
        })
        .collect();
    let (amounts, capped) = dependants(&deps, Decimal::ONE, d("1000000000000"), Language::Zh);
    assert!(capped);
    let total: Decimal = amounts.iter().map(|(a, _)| *a).sum();
    // Adults aged 18 and 19 run 20 years; the yearly total never exceeds C.
    assert!(total <= d("20000000000000.000001"), "{total}");
    let mut input = injury(2022, 30, InjuryOutcome::Death);
    input.dependants = deps;
    input.items.medical = d("1000000000000");
    assert!(personal_injury::personal_injury(&input, &table(), Language::Zh).is_err()); // 2022 wage missing
    input.year = 2020;
    assert!(personal_injury::personal_injury(&input, &table(), Language::Zh).is_ok());
}
