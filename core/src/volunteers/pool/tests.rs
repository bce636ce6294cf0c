use super::*;
use chrono::TimeZone;

const HOME: &str = "330303001";
const OTHER: &str = "330303002";

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, h, 0, 0).unwrap()
}

fn profile(tags: &[&str]) -> VolunteerProfile {
    VolunteerProfile {
        name: "王律师".into(),
        phone: "13800000000".into(),
        profession: Profession::Lawyer,
        service_directions: vec![ServiceProduct::Lawyer, ServiceProduct::Mediation],
        specialties: tags.iter().map(|s| s.to_string()).collect(),
        unmatched_specialties: vec![],
        home_street_code: HOME.into(),
        availability: OpeningHours::parse("Sa-Su 09:00-12:00", "").unwrap(),
    }
}

fn staff(street: &str) -> Actor {
    Actor::StationStaff {
        id: format!("staff-{street}"),
        street_code: street.into(),
    }
}

fn admin() -> Actor {
    Actor::DistrictAdmin { id: "admin".into() }
}

fn me() -> Actor {
    Actor::Volunteer { id: "v1".into() }
}

fn applied() -> Volunteer {
    Volunteer::apply("v1", profile(&["劳动争议"]), t(0)).unwrap()
}

fn active() -> Volunteer {
    let mut v = applied();
    v.act(staff(HOME), Action::Approve, t(1), None).unwrap();
    v
}

#[test]
fn full_lifecycle_records_who_when_and_why() {
    let mut v = applied();
    assert_eq!(v.state, VolunteerState::Applied);
    v.act(staff(HOME), Action::Approve, t(1), None).unwrap();
    assert_eq!(v.state, VolunteerState::Active);
    v.act(admin(), Action::Suspend, t(2), Some("投诉核查中"))
        .unwrap();
    assert_eq!(v.state, VolunteerState::Suspended);
    v.act(staff(HOME), Action::Reinstate, t(3), Some("核查无问题"))
        .unwrap();
    assert_eq!(v.state, VolunteerState::Active);
    let tr = v
        .act(
            me(),
            Action::Exit {
                kind: ExitKind::Voluntary,
            },
            t(4),
            Some("工作调动"),
        )
        .unwrap()
        .clone();
    assert_eq!(v.state, VolunteerState::Exited);
    assert_eq!(tr.from, VolunteerState::Active);
    assert_eq!(tr.actor, me());
    assert_eq!(tr.at, t(4));
    assert_eq!(tr.reason.as_deref(), Some("工作调动"));
    let states: Vec<_> = v.history.iter().map(|t| (t.from, t.to)).collect();
    use VolunteerState::*;
    assert_eq!(
        states,
        vec![
            (Applied, Active),
            (Active, Suspended),
            (Suspended, Active),
            (Active, Exited)
        ]
    );
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(serde_json::from_str::<Volunteer>(&json).unwrap(), v);
}

#[test]
fn rejection_needs_a_reason_and_is_final() {
    let mut v = applied();
    assert_eq!(
        v.act(staff(HOME), Action::Reject, t(1), Some("  ")),
        Err(VolunteerError::ReasonRequired {
            action: Action::Reject
        })
    );
    v.act(staff(HOME), Action::Reject, t(1), Some("执业证书无法核验"))
        .unwrap();
    assert_eq!(v.state, VolunteerState::Rejected);
    assert!(matches!(
        v.act(staff(HOME), Action::Approve, t(2), None),
        Err(VolunteerError::IllegalTransition {
            from: VolunteerState::Rejected,
            ..
        })
    ));
}

#[test]
fn removal_by_staff_and_exited_is_final() {
    let mut v = active();
    let removed = Action::Exit {
        kind: ExitKind::Removed,
    };
    assert!(matches!(
        v.act(staff(HOME), removed.clone(), t(2), None),
        Err(VolunteerError::ReasonRequired { .. })
    ));
    v.act(staff(HOME), removed.clone(), t(2), Some("多次无故缺勤"))
        .unwrap();
    assert_eq!(v.state, VolunteerState::Exited);
    // exited → active fails, whatever the action.
    for action in [Action::Approve, Action::Reinstate, Action::Suspend, removed] {
        assert_eq!(
            v.act(admin(), action.clone(), t(3), Some("x")),
            Err(VolunteerError::IllegalTransition {
                from: VolunteerState::Exited,
                action
            })
        );
    }
    assert_eq!(v.history.len(), 2);
}

#[test]
fn illegal_transitions_are_refused() {
    let mut v = applied();
    for action in [Action::Suspend, Action::Reinstate] {
        assert!(matches!(
            v.act(admin(), action, t(1), Some("x")),
            Err(VolunteerError::IllegalTransition { .. })
        ));
    }
    let mut v2 = active();
    for action in [Action::Approve, Action::Reject, Action::Reinstate] {
        assert!(matches!(
            v2.act(admin(), action, t(2), Some("x")),
            Err(VolunteerError::IllegalTransition { .. })
        ));
    }
    v2.act(admin(), Action::Suspend, t(2), Some("x")).unwrap();
    assert!(matches!(
        v2.act(admin(), Action::Suspend, t(3), Some("x")),
        Err(VolunteerError::IllegalTransition { .. })
    ));
    // An applicant may withdraw.
    v.act(
        me(),
        Action::Exit {
            kind: ExitKind::Voluntary,
        },
        t(1),
        Some("不再参加"),
    )
    .unwrap();
    assert_eq!(v.state, VolunteerState::Exited);
}

#[test]
fn only_the_right_people_may_act() {
    let mut v = applied();
    // Another street's staff may not review.
    assert!(matches!(
        v.act(staff(OTHER), Action::Approve, t(1), None),
        Err(VolunteerError::NotPermitted { .. })
    ));
    // The applicant may not approve themself.
    assert!(matches!(
        v.act(me(), Action::Approve, t(1), None),
        Err(VolunteerError::NotPermitted { .. })
    ));
    // A district admin may.
    v.act(admin(), Action::Approve, t(1), None).unwrap();
    // Only the volunteer leaves voluntarily; staff remove.
    let voluntary = Action::Exit {
        kind: ExitKind::Voluntary,
    };
    assert!(matches!(
        v.act(staff(HOME), voluntary.clone(), t(2), Some("x")),
        Err(VolunteerError::NotPermitted { .. })
    ));
    let other = Actor::Volunteer { id: "v2".into() };
    assert!(matches!(
        v.act(other, voluntary, t(2), Some("x")),
        Err(VolunteerError::NotPermitted { .. })
    ));
    assert!(matches!(
        v.act(
            me(),
            Action::Exit {
                kind: ExitKind::Removed
            },
            t(2),
            Some("x")
        ),
        Err(VolunteerError::NotPermitted { .. })
    ));
}

#[test]
fn time_may_not_go_backwards_and_profiles_must_be_complete() {
    let mut v = active();
    assert!(matches!(
        v.act(admin(), Action::Suspend, t(0), Some("x")),
        Err(VolunteerError::TimeGoesBackwards { .. })
    ));
    let mut p = profile(&[]);
    p.phone = " ".into();
    assert_eq!(
        Volunteer::apply("v9", p, t(0)),
        Err(VolunteerError::IncompleteProfile("phone"))
    );
}

fn loan(by: Actor, from: u32, until: u32) -> Loan {
    Loan {
        to_street_code: OTHER.into(),
        post_id: Some("post-9".into()),
        from: t(from),
        until: t(until),
        by,
        reason: "海城街道调解力量不足".into(),
        returned: None,
    }
}

#[test]
fn a_loan_ends_early_when_the_volunteer_is_returned() {
    let mut v = active();
    v.lend(loan(admin(), 10, 20)).unwrap();
    assert!(matches!(
        v.return_from_loan(t(12), staff(HOME), "本街道人手不足"),
        Err(VolunteerError::LoanNotPermitted { .. })
    ));
    assert_eq!(
        v.return_from_loan(t(12), admin(), "  "),
        Err(VolunteerError::LoanReasonRequired)
    );
    assert_eq!(
        v.return_from_loan(t(21), admin(), "本街道人手不足"),
        Err(VolunteerError::NoLoanInForce(t(21)))
    );
    let ended = v
        .return_from_loan(t(12), admin(), " 本街道人手不足 ")
        .unwrap();
    assert_eq!(ended.until, t(12));
    assert_eq!(
        ended.returned.as_ref().map(|r| r.reason.as_str()),
        Some("本街道人手不足")
    );
    // Home again from the return on; before it, still on loan.
    assert!(!v.may_serve_at(OTHER, "post-9", t(13)));
    assert!(v.may_serve_at(OTHER, "post-9", t(11)));
    assert!(v.loan_at(t(13)).is_none());
    // The street may be lent to again after the return.
    v.lend(loan(admin(), 14, 18)).unwrap();
}

#[test]
fn cross_region_loans() {
    let mut v = applied();
    assert_eq!(
        v.lend(loan(admin(), 10, 20)),
        Err(VolunteerError::NotActive(VolunteerState::Applied))
    );
    let mut v = active();
    assert!(matches!(
        v.lend(loan(staff(HOME), 10, 20)),
        Err(VolunteerError::LoanNotPermitted { .. })
    ));
    assert_eq!(
        v.lend(loan(admin(), 20, 10)),
        Err(VolunteerError::EmptyLoan)
    );
    let mut home = loan(admin(), 10, 20);
    home.to_street_code = HOME.into();
    assert_eq!(v.lend(home), Err(VolunteerError::LoanToHomeStreet));
    v.lend(loan(admin(), 10, 20)).unwrap();
    assert_eq!(
        v.lend(loan(admin(), 15, 22)),
        Err(VolunteerError::OverlappingLoan)
    );
    v.lend(loan(admin(), 20, 22)).unwrap();
    assert!(v.may_serve_at(HOME, "post-1", t(12)));
    assert!(v.may_serve_at(OTHER, "post-9", t(12)));
    assert!(!v.may_serve_at(OTHER, "post-8", t(12)));
    assert!(!v.may_serve_at(OTHER, "post-9", t(9)));
    assert!(!v.may_serve_at(OTHER, "post-9", t(23)));
    v.act(admin(), Action::Suspend, t(11), Some("x")).unwrap();
    assert!(!v.may_serve_at(OTHER, "post-9", t(12)));
}

#[test]
fn teams_group_active_volunteers_by_specialty() {
    let mut a = active();
    a.profile.specialties = vec!["劳动争议".into(), "婚姻家庭".into()];
    let mut b = Volunteer::apply("v2", profile(&["婚姻家庭"]), t(0)).unwrap();
    b.act(admin(), Action::Approve, t(1), None).unwrap();
    let c = Volunteer::apply("v3", profile(&["婚姻家庭"]), t(0)).unwrap();
    let teams = teams_by_specialty([&a, &b, &c]);
    assert_eq!(
        teams,
        vec![
            Team {
                specialty: "劳动争议".into(),
                member_ids: vec!["v1".into()]
            },
            Team {
                specialty: "婚姻家庭".into(),
                member_ids: vec!["v1".into(), "v2".into()]
            },
        ]
    );
}

#[test]
fn star_levels_are_data_with_common_defaults() {
    let s = StarLevels::default();
    assert_eq!(s.stars_for(0.0), 0);
    assert_eq!(s.stars_for(99.99), 0);
    assert_eq!(s.stars_for(100.0), 1);
    assert_eq!(s.stars_for(599.0), 2);
    assert_eq!(s.stars_for(1000.0), 4);
    assert_eq!(s.stars_for(1500.0), 5);
    assert_eq!(s.stars_for(9999.0), 5);
    assert_eq!(s.hours_to_next(250.0), Some(50.0));
    assert_eq!(s.hours_to_next(1500.0), None);
    let local = StarLevels::new(vec![50.0, 200.0], Some("某地".into())).unwrap();
    assert_eq!(local.stars_for(60.0), 1);
    assert_eq!(
        StarLevels::new(vec![100.0, 100.0], None),
        Err(StarLevelsError::NotIncreasing { index: 1 })
    );
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<StarLevels>(&json).unwrap(), s);
}
