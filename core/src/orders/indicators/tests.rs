use super::*;
use crate::authz::Role;
use crate::orders::order::tests::t0;
use crate::orders::order::{Actor, Level, NewOrder, OrderEvent, OrderKind};
use chrono::Duration;

fn s(n: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(n)
}

fn order(id: &str, street: &str, kind: OrderKind) -> Order {
    Order::new(
        NewOrder {
            id: id.into(),
            need_id: format!("n-{id}"),
            requester_id: "r1".into(),
            kind,
            category: "劳动争议".into(),
            urgent: false,
            level: Level::Street,
            area_code: street.into(),
            street_code: street.into(),
        },
        t0(),
        Some(s(3600)),
    )
}

/// Consultation: open at `open`, grabbed at `grab`, resolved at `res`.
fn grabbed(id: &str, street: &str, open: i64, grab: i64, res: i64) -> Order {
    let mut o = order(id, street, OrderKind::Consultation);
    let v = Actor::user("v1", Role::Volunteer);
    o.apply(OrderEvent::Open, Actor::system("job"), s(open))
        .unwrap();
    o.apply(
        OrderEvent::Grab {
            volunteer: "v1".into(),
        },
        v.clone(),
        s(grab),
    )
    .unwrap();
    o.apply(OrderEvent::Start, v.clone(), s(grab)).unwrap();
    o.apply(OrderEvent::Resolve { note: "ok".into() }, v, s(res))
        .unwrap();
    o
}

const CALLS: &str = "\
call_id,started_at,answered,rating,street_code
c1,2025-03-03 09:00:00,1,5,S1
c2,2025-03-03T09:05:00+08:00,是,3,S1
c3,2025-03-03 09:10,false,,S1
c4,2025-03-03 09:20:00,true,4,S2
c5,2025-03-03 09:30:00,0,,
";

fn fixture() -> (Vec<Order>, Vec<Rating>, Vec<HotlineCall>) {
    let staff = Actor::user("st", Role::StationStaff);
    // A: S1, offered at 0, grabbed at 20 s, resolved at 1 h.
    let a = grabbed("A", "S1", 0, 20, 3600);
    // B: S1, offered at 10 s, grabbed at 70 s, resolved at 5 h.
    let b = grabbed("B", "S1", 10, 70, 18_000);
    // C: S2 service, assigned at 300 s, resolved at 2 h.
    let mut c = order("C", "S2", OrderKind::Service);
    c.apply(OrderEvent::Open, staff.clone(), s(0)).unwrap();
    c.apply(
        OrderEvent::Assign {
            assignee: "l1".into(),
        },
        staff.clone(),
        s(300),
    )
    .unwrap();
    let l1 = Actor::user("l1", Role::Lawyer);
    c.apply(OrderEvent::Accept, l1.clone(), s(400)).unwrap();
    c.apply(
        OrderEvent::Resolve {
            note: "mediated".into(),
        },
        l1,
        s(7200),
    )
    .unwrap();
    // D: S2 service, still open past its 1 h deadline: overdue.
    let mut d = order("D", "S2", OrderKind::Service);
    d.apply(OrderEvent::Open, staff.clone(), s(0)).unwrap();
    // E: S1 consultation, escalated then cancelled: not overdue, never
    // claimed.
    let mut e = order("E", "S1", OrderKind::Consultation);
    e.apply(OrderEvent::Open, staff.clone(), s(0)).unwrap();
    e.apply(
        OrderEvent::Escalate {
            reason: "30 s".into(),
        },
        Actor::system("job"),
        s(30),
    )
    .unwrap();
    e.apply(
        OrderEvent::Cancel {
            reason: "duplicate".into(),
        },
        staff,
        s(40),
    )
    .unwrap();
    let r = |o: &str, score| Rating::new(o, score, None, "r1", s(20_000)).unwrap();
    // X is not among the orders: it counts for the district only. A
    // second rating of A is ignored.
    let ratings = vec![r("A", 5), r("B", 2), r("C", 4), r("X", 1), r("A", 1)];
    let calls = parse_hotline_csv(CALLS).unwrap();
    (vec![a, b, c, d, e], ratings, calls)
}

fn close(a: Option<f64>, b: f64) {
    let a = a.unwrap_or(f64::NAN);
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn figures_on_a_fixture_with_known_answers() {
    let (orders, ratings, calls) = fixture();
    let coverage = vec![
        StreetCoverage {
            street_code: "S1".into(),
            covered_villages: 6,
            total_villages: 10,
        },
        StreetCoverage {
            street_code: "S2".into(),
            covered_villages: 4,
            total_villages: 5,
        },
    ];
    let hours = vec![
        StreetHours {
            street_code: "S1".into(),
            hours: 12.5,
        },
        StreetHours {
            street_code: "S2".into(),
            hours: 7.5,
        },
    ];
    let streets = vec!["S1".to_string(), "S2".to_string(), "S3".to_string()];
    let inputs = IndicatorInputs {
        district_code: "330303",
        year: 2024,
        now: s(86_400),
        streets: &streets,
        orders: &orders,
        ratings: &ratings,
        coverage: &coverage,
        volunteer_hours: &hours,
        hotline_calls: &calls,
    };
    let rep = compute(&inputs, &Targets::longwan_plan());
    use IndicatorName as N;
    let st = |code: &str| rep.streets.iter().find(|a| a.code == code).unwrap();
    let (s1, s2, s3, d) = (st("S1"), st("S2"), st("S3"), &rep.district);

    // Coverage: S1 6/10 = 0.6; S2 4/5 = 0.8; district (6+4)/(10+5) = 2/3.
    close(s1.value(N::CoverageRate), 0.6);
    close(s2.value(N::CoverageRate), 0.8);
    close(d.value(N::CoverageRate), 10.0 / 15.0);
    // 2024 target 60%: S1 exactly meets it.
    assert_eq!(s1.get(N::CoverageRate).unwrap().meets_target, Some(true));
    assert_eq!(
        d.get(N::CoverageRate).unwrap().target.as_ref().unwrap().min,
        0.6
    );

    // Satisfaction: S1 ratings {A 5, B 2} → 1/2; S2 {C 4} → 1/1;
    // district {5, 2, 4, X 1} → 2/4 (the second rating of A ignored).
    close(s1.value(N::Satisfaction), 0.5);
    close(s2.value(N::Satisfaction), 1.0);
    close(d.value(N::Satisfaction), 0.5);
    assert_eq!(d.get(N::Satisfaction).unwrap().sample, 4);
    assert_eq!(s1.get(N::Satisfaction).unwrap().meets_target, Some(false)); // < 0.8

    // Time to claim: A 20 − 0 = 20 s, B 70 − 10 = 60 s, C 300 s.
    // S1 median (20 + 60)/2 = 40; S2 300; district median of
    // {20, 60, 300} = 60.
    close(s1.value(N::MedianTimeToClaimSeconds), 40.0);
    close(s2.value(N::MedianTimeToClaimSeconds), 300.0);
    close(d.value(N::MedianTimeToClaimSeconds), 60.0);

    // Resolution from creation (0): A 3600, B 18000, C 7200.
    // S1 median = mean = (3600 + 18000)/2 = 10800; district median
    // 7200, mean (3600 + 7200 + 18000)/3 = 9600.
    close(s1.value(N::MedianResolutionSeconds), 10_800.0);
    close(s1.value(N::MeanResolutionSeconds), 10_800.0);
    close(d.value(N::MedianResolutionSeconds), 7200.0);
    close(d.value(N::MeanResolutionSeconds), 9600.0);

    // Overdue at 24 h: only D (open, deadline 1 h). E is cancelled.
    close(s1.value(N::OverdueCount), 0.0);
    close(s2.value(N::OverdueCount), 1.0);
    close(d.value(N::OverdueCount), 1.0);

    // Hours: 12.5 + 7.5 = 20.
    close(d.value(N::VolunteerHours), 20.0);

    // Hotline: S1 c1 ✓ c2 ✓ c3 ✗ → 2/3, rated {5, 3} → 1/2;
    // S2 c4 ✓ → 1, {4} → 1; district 3 of 5 answered = 0.6
    // (c5 has no street), rated {5, 3, 4} → 2/3.
    close(s1.value(N::HotlineConnectionRate), 2.0 / 3.0);
    close(s1.value(N::HotlineSatisfaction), 0.5);
    close(s2.value(N::HotlineConnectionRate), 1.0);
    close(d.value(N::HotlineConnectionRate), 0.6);
    close(d.value(N::HotlineSatisfaction), 2.0 / 3.0);
    assert_eq!(
        d.get(N::HotlineConnectionRate).unwrap().meets_target,
        Some(false)
    );
    assert_eq!(
        s2.get(N::HotlineConnectionRate).unwrap().meets_target,
        Some(true)
    );

    // A street without data: no figures, not zeros (except the count).
    assert_eq!(s3.value(N::Satisfaction), None);
    assert_eq!(s3.value(N::CoverageRate), None);
    close(s3.value(N::OverdueCount), 0.0);

    // JSON shape.
    let json = serde_json::to_value(&rep).unwrap();
    assert_eq!(json["district"]["indicators"][0]["name"], "coverage_rate");
    assert_eq!(json["district"]["level"], "district");

    // And the metrics text.
    let text = to_prometheus(&rep);
    check_exposition(&text);
    assert!(
        text.contains("lawcircle_satisfaction_ratio{street=\"S1\"} 0.5\n"),
        "{text}"
    );
    assert!(text.contains("lawcircle_orders_overdue{district=\"330303\"} 1\n"));
    assert!(text.contains(
        "lawcircle_indicator_target{indicator=\"coverage_rate\",by_year=\"2024\"} 0.6\n"
    ));
    assert!(text.contains(
        "lawcircle_indicator_target{indicator=\"hotline_satisfaction\",by_year=\"\"} 0.96\n"
    ));
    assert!(!text.contains("street=\"S3\"} NaN"));
}

#[test]
fn targets_by_year() {
    let t = Targets::longwan_plan();
    let min = |n, y| t.for_year(n, y).map(|t| t.min);
    assert_eq!(min(IndicatorName::CoverageRate, 2024), Some(0.6));
    assert_eq!(min(IndicatorName::CoverageRate, 2025), Some(1.0));
    assert_eq!(min(IndicatorName::CoverageRate, 2030), Some(1.0));
    assert_eq!(min(IndicatorName::Satisfaction, 2023), Some(0.8));
    assert_eq!(min(IndicatorName::Satisfaction, 2026), Some(0.9));
    assert_eq!(min(IndicatorName::HotlineConnectionRate, 2025), Some(0.9));
    assert_eq!(min(IndicatorName::HotlineSatisfaction, 2025), Some(0.96));
    assert_eq!(min(IndicatorName::OverdueCount, 2025), None);
    for target in &t.0 {
        assert!(target.source.contains("龙湾区"), "{target:?}");
    }
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
}

#[test]
fn hotline_csv_bad_rows_name_line_and_field() {
    let text = "\
call_id,started_at,answered,rating
c1,2025-03-03 09:00:00,yes,5
c2,yesterday,1,
c3,2025-03-03 09:00:00,0,4
c4,2025-03-03 09:00:00,1,6
c1,2025-03-03 09:00:00,1,
,2025-03-03 09:00:00,1,
";
    let Err(HotlineCsvError::BadRows(rows)) = parse_hotline_csv(text) else {
        panic!("expected bad rows");
    };
    let got: Vec<(u64, &str)> = rows.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, "answered"),
            (3, "started_at"),
            (4, "rating"),
            (5, "rating"),
            (6, "call_id"),
            (7, "call_id"),
        ]
    );
    let msg = HotlineCsvError::BadRows(rows).to_string();
    assert!(msg.starts_with("6 bad row(s): line 2 answered"), "{msg}");
    assert_eq!(
        parse_hotline_csv("call_id,started_at,rating\n"),
        Err(HotlineCsvError::MissingColumn("answered"))
    );
    // Optional street column, BOM and Chinese flags.
    let ok = parse_hotline_csv(
        "\u{feff}call_id,started_at,answered,rating\nz,2025-03-03T01:00:00Z,否,\n",
    )
    .unwrap();
    assert!(!ok[0].answered);
    assert_eq!(ok[0].street_code, None);
    // Local times are China time: 09:00 CST = 01:00 UTC.
    let calls = parse_hotline_csv(CALLS).unwrap();
    assert_eq!(
        calls[0].started_at,
        "2025-03-03T01:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        calls[1].started_at,
        "2025-03-03T01:05:00Z".parse::<DateTime<Utc>>().unwrap()
    );
}

/// A line-by-line check of the text exposition format: comments are
/// `# HELP name text` / `# TYPE name gauge|counter|…`, a family's HELP
/// and TYPE come before its samples, and samples are
/// `name{label="value",…} number`.
fn check_exposition(text: &str) {
    let valid_name = |n: &str| {
        let mut cs = n.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut typed: HashSet<String> = HashSet::new();
    let mut helped: HashSet<String> = HashSet::new();
    let mut samples = 0;
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(valid_name(name), "{line}");
            assert!(helped.insert(name.to_string()), "HELP twice: {line}");
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut it = rest.split(' ');
            let name = it.next().unwrap();
            assert!(valid_name(name));
            assert!(matches!(
                it.next(),
                Some("gauge" | "counter" | "histogram" | "summary" | "untyped")
            ));
            assert!(typed.insert(name.to_string()), "TYPE twice: {line}");
        } else {
            assert!(!line.starts_with('#'), "{line}");
            let (series, value) = line.rsplit_once(' ').unwrap();
            value
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("value in {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => (n, Some(l.strip_suffix('}').expect("closing brace"))),
                None => (series, None),
            };
            assert!(valid_name(name), "{line}");
            assert!(
                typed.contains(name) && helped.contains(name),
                "no HELP/TYPE: {line}"
            );
            if let Some(labels) = labels {
                for pair in labels.split(",") {
                    let (k, v) = pair.split_once('=').unwrap();
                    assert!(valid_name(k) && !k.contains(':'), "{line}");
                    assert!(
                        v.starts_with('"') && v.ends_with('"') && v.len() >= 2,
                        "{line}"
                    );
                }
            }
            samples += 1;
        }
    }
    assert!(samples > 10);
}

#[test]
fn label_values_are_escaped() {
    assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    assert_eq!(fmt_value(0.5), "0.5");
    assert_eq!(fmt_value(86400.0), "86400");
}
