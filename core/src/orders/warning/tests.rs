use super::*;
use crate::authz::Role;
use crate::orders::order::tests::{new_order, t0};
use crate::orders::order::{OrderEvent, OrderKind};

fn staff() -> Actor {
    Actor::user("s1", Role::StationStaff)
}

fn open_consultation(id: &str) -> Order {
    let mut o = new_order(OrderKind::Consultation);
    o.id = id.into();
    o.apply(OrderEvent::Open, Actor::system("job"), t0())
        .unwrap();
    o
}

fn signal(id: &str, vid: &str, min: i64, kind: PunchSignalKind) -> PunchSignal {
    PunchSignal {
        punch_id: id.into(),
        volunteer_id: vid.into(),
        street_code: "S1".into(),
        at: t0() + Duration::minutes(min),
        kind,
    }
}

#[test]
fn rules_fire_with_stable_keys() {
    let rules = default_rules();
    let unclaimed = open_consultation("o1");
    let mut overdue = new_order(OrderKind::Service);
    overdue.id = "o2".into();
    overdue.deadline = Some(t0() + Duration::minutes(10));
    let ratings = vec![
        Rating::new("o3", 2, None, "r1", t0()).unwrap(),
        Rating::new("o4", 3, None, "r1", t0()).unwrap(),
    ];
    let signals = vec![
        signal("p1", "v1", 0, PunchSignalKind::Anomaly),
        signal("p2", "v1", 1, PunchSignalKind::OutOfFence),
        signal("p3", "v1", 5, PunchSignalKind::OutOfFence),
        signal("p4", "v1", 20, PunchSignalKind::OutOfFence),
        // Too far apart for v2.
        signal("q1", "v2", 0, PunchSignalKind::OutOfFence),
        signal("q2", "v2", 40, PunchSignalKind::OutOfFence),
        signal("q3", "v2", 80, PunchSignalKind::OutOfFence),
    ];
    let orders = vec![unclaimed, overdue];
    let now = t0() + Duration::hours(2);
    let got = evaluate_rules(now, &orders, &ratings, &signals, &rules);
    let keys: Vec<&str> = got.iter().map(|c| c.dedup_key.as_str()).collect();
    let opened = t0().timestamp_millis();
    let deadline = (t0() + Duration::minutes(10)).timestamp_millis();
    assert_eq!(
        keys,
        vec![
            "clock_in_anomaly|punch:p1|anomaly".to_string(),
            "low_rating|order:o3|rating".to_string(),
            "out_of_fence|volunteer:v1|from:p2".to_string(),
            format!("overdue|order:o2|deadline:{deadline}"),
            format!("unclaimed|order:o1|opened:{opened}"),
        ]
    );
    // Stable: another instance, later, with shuffled input, same keys.
    let mut shuffled = signals.clone();
    shuffled.reverse();
    let again = evaluate_rules(
        now + Duration::minutes(7),
        &orders,
        &ratings,
        &shuffled,
        &rules,
    );
    assert_eq!(got, again);
    let low = got.iter().find(|c| c.rule_id == "low_rating").unwrap();
    assert!(low.requires_call_back);
    assert_eq!(
        got.iter().find(|c| c.rule_id == "unclaimed").unwrap().since,
        t0() + Duration::seconds(30)
    );
    // Before the window ends nothing fires for the open order.
    let early = evaluate_rules(t0() + Duration::seconds(29), &orders, &[], &[], &rules);
    assert!(early.is_empty());
    // Disabled rules do not fire.
    let mut off = rules.clone();
    off.iter_mut().for_each(|r| r.enabled = false);
    assert!(evaluate_rules(now, &orders, &ratings, &signals, &off).is_empty());
}

#[test]
fn overdue_fires_on_a_controllable_clock_across_labour_day() {
    use crate::calendar::working_time::{DeadlinePolicy, HolidayCalendar};
    let cal = HolidayCalendar::china_2025_2026().unwrap();
    let policy = DeadlinePolicy::default();
    let cst = |d: u32, m: u32, h: u32, min: u32| {
        // China time → UTC (−8 h).
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, m, d, h, min, 0).unwrap()
            - Duration::hours(8)
    };
    // Created Wednesday 30 April 10:00: 1–5 May are off, then Tue 6 (1),
    // Wed 7 (2), Thu 8 (3), Fri 9 (4), Mon 12 (5): due 12 May 10:00.
    let created = cst(30, 4, 10, 0);
    let mut normal = new_order(OrderKind::Service);
    normal.id = "normal".into();
    normal.created_at = created;
    normal.deadline = policy.deadline(created, false, &cal);
    assert_eq!(normal.deadline, Some(cst(12, 5, 10, 0)));
    let mut urgent = normal.clone();
    urgent.id = "urgent".into();
    urgent.urgent = true;
    urgent.deadline = policy.deadline(created, true, &cal);
    assert_eq!(urgent.deadline, Some(cst(30, 4, 11, 0)));
    let orders = [normal, urgent];
    let rules: Vec<_> = default_rules()
        .into_iter()
        .filter(|r| r.id == "overdue")
        .collect();
    let fired = |now| -> Vec<String> {
        evaluate_rules(now, &orders, &[], &[], &rules)
            .into_iter()
            .map(|c| match c.subject {
                Subject::Order { order_id, .. } => order_id,
                _ => unreachable!(),
            })
            .collect()
    };
    assert!(fired(cst(30, 4, 11, 0)).is_empty(), "due, not yet past");
    assert_eq!(fired(cst(30, 4, 11, 1)), vec!["urgent"]);
    assert_eq!(fired(cst(12, 5, 10, 0)), vec!["urgent"]);
    assert_eq!(fired(cst(12, 5, 10, 1)), vec!["normal", "urgent"]);
}

#[test]
fn a_burst_of_out_of_fence_attempts_fires_once_per_run() {
    // Six attempts within 30 min: two runs of three.
    let s: Vec<_> = (0..6)
        .map(|i| signal(&format!("p{i}"), "v1", i, PunchSignalKind::OutOfFence))
        .collect();
    let got = evaluate_rules(t0() + Duration::hours(1), &[], &[], &s, &default_rules());
    let keys: Vec<_> = got.iter().map(|c| c.dedup_key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "out_of_fence|volunteer:v1|from:p0",
            "out_of_fence|volunteer:v1|from:p3"
        ]
    );
}

#[test]
fn escalation_after_the_set_time_until_acknowledged() {
    let rules = default_rules();
    let rule = rules.iter().find(|r| r.id == "overdue").unwrap();
    let mut o = new_order(OrderKind::Service);
    o.deadline = Some(t0());
    let cand = evaluate_rules(t0() + Duration::seconds(1), &[o], &[], &[], &rules)
        .pop()
        .unwrap();
    let raised = t0() + Duration::minutes(1);
    let mut w = Warning::raise("w1", cand, rule, raised);
    let day = Duration::days(1);
    assert_eq!(w.escalation_due(raised + day - Duration::seconds(1)), None);
    assert!(matches!(
        w.escalate(raised + Duration::hours(1), Actor::system("job")),
        Err(WarningError::NotDue { .. })
    ));
    assert_eq!(w.escalation_due(raised + day), Some(Level::District));
    assert_eq!(
        w.escalate(raised + day, Actor::system("job")),
        Ok(Level::District)
    );
    assert_eq!((w.level, w.escalations), (Level::District, 1));
    // At the top: no further escalation.
    assert_eq!(w.escalation_due(raised + day * 10), None);
    assert_eq!(
        w.escalate(raised + day * 10, Actor::system("job")),
        Err(WarningError::TopLevel)
    );
    // Volunteers may not handle warnings; staff acknowledge and resolve.
    assert_eq!(
        w.acknowledge(Actor::user("v1", Role::Volunteer), raised + day * 2, None),
        Err(WarningError::NotPermitted("v1".into()))
    );
    w.acknowledge(staff(), raised + day * 2, Some("calling the lawyer"))
        .unwrap();
    assert_eq!(w.escalation_due(raised + day * 10), None);
    assert_eq!(
        w.resolve(staff(), raised + day * 3, " "),
        Err(WarningError::NoteRequired("resolving"))
    );
    w.resolve(staff(), raised + day * 3, "order resolved on day 6")
        .unwrap();
    assert_eq!(w.state, WarningState::Resolved);
    assert_eq!(w.history.len(), 4);
    let json = serde_json::to_value(&w).unwrap();
    assert_eq!(json["history"][1]["action"]["action"], "escalate");
    assert_eq!(json["subject"]["type"], "order");
    let back: Warning = serde_json::from_value(json).unwrap();
    assert_eq!(back, w);
}

#[test]
fn village_warning_climbs_two_levels() {
    let rule = WarningRule {
        id: "overdue".into(),
        kind: RuleKind::Overdue,
        escalate_after_seconds: 3600,
        level: Level::Village,
        enabled: true,
    };
    let mut o = new_order(OrderKind::Service);
    o.deadline = Some(t0());
    let cand = evaluate_rules(
        t0() + Duration::seconds(1),
        &[o],
        &[],
        &[],
        std::slice::from_ref(&rule),
    )
    .pop()
    .unwrap();
    let mut w = Warning::raise("w", cand, &rule, t0());
    let sys = Actor::system("job");
    assert_eq!(
        w.escalate(t0() + Duration::hours(1), sys.clone()),
        Ok(Level::Street)
    );
    assert!(matches!(
        w.escalate(t0() + Duration::minutes(90), sys.clone()),
        Err(WarningError::NotDue { .. })
    ));
    assert_eq!(
        w.escalate(t0() + Duration::hours(2), sys),
        Ok(Level::District)
    );
}

#[test]
fn low_rating_warning_needs_call_back() {
    let rules = default_rules();
    let rule = rules.iter().find(|r| r.id == "low_rating").unwrap();
    let ratings = vec![Rating::new("o1", 1, None, "r1", t0()).unwrap()];
    let cand = evaluate_rules(t0(), &[], &ratings, &[], &rules)
        .pop()
        .unwrap();
    let mut w = Warning::raise("w", cand, rule, t0());
    assert_eq!(
        w.resolve(staff(), t0(), "looked into it"),
        Err(WarningError::CallBackRequired)
    );
    w.record_call_back(
        staff(),
        CallBack {
            by: "s1".into(),
            at: t0() + Duration::hours(1),
            reached: true,
            note: "requester satisfied after second visit".into(),
        },
    )
    .unwrap();
    w.resolve(staff(), t0() + Duration::hours(2), "called back")
        .unwrap();
    assert_eq!(
        w.acknowledge(staff(), t0() + Duration::hours(3), None),
        Err(WarningError::IllegalTransition {
            from: "resolved",
            action: "acknowledge"
        })
    );
}

#[test]
fn rules_are_data() {
    let json = serde_json::to_string(&default_rules()).unwrap();
    assert!(
        json.contains(r#""kind":{"type":"repeated_out_of_fence","count":3,"within_minutes":30}"#),
        "{json}"
    );
    let back: Vec<WarningRule> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, default_rules());
    let r: WarningRule = serde_json::from_str(
        r#"{"id":"x","kind":{"type":"unclaimed_past_window","seconds":60},"escalate_after_seconds":600,"level":"street"}"#,
    )
    .unwrap();
    assert!(r.enabled);
}
