use super::*;
use chrono::{Duration, TimeZone};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap()
}

pub fn new_order(kind: OrderKind) -> Order {
    Order::new(
        NewOrder {
            id: "o1".into(),
            need_id: "n1".into(),
            requester_id: "r1".into(),
            kind,
            category: "劳动争议".into(),
            urgent: false,
            level: Level::Street,
            area_code: "330303001".into(),
            street_code: "330303001".into(),
        },
        t0(),
        None,
    )
}

fn staff() -> Actor {
    Actor::user("s1", Role::StationStaff)
}

fn sample_event(ek: EventKind) -> OrderEvent {
    match ek {
        EventKind::Open => OrderEvent::Open,
        EventKind::Grab => OrderEvent::Grab {
            volunteer: "v1".into(),
        },
        EventKind::Assign => OrderEvent::Assign {
            assignee: "v1".into(),
        },
        EventKind::Accept => OrderEvent::Accept,
        EventKind::Decline => OrderEvent::Decline {
            reason: "busy".into(),
        },
        EventKind::Start => OrderEvent::Start,
        EventKind::Resolve => OrderEvent::Resolve {
            note: "answered".into(),
        },
        EventKind::Evaluate => OrderEvent::Evaluate,
        EventKind::Close => OrderEvent::Close,
        EventKind::Transfer => OrderEvent::Transfer {
            to_level: Level::District,
            to_area: "330303".into(),
            reason: "needs the district".into(),
        },
        EventKind::Escalate => OrderEvent::Escalate {
            reason: "nobody grabbed".into(),
        },
        EventKind::Cancel => OrderEvent::Cancel {
            reason: "withdrawn".into(),
        },
    }
}

/// An actor who is permitted to do `ek` on an order assigned to "v1"
/// and requested by "r1".
fn permitted_actor(ek: EventKind) -> Actor {
    match ek {
        EventKind::Grab | EventKind::Accept | EventKind::Decline | EventKind::Start => {
            Actor::user("v1", Role::Volunteer)
        }
        EventKind::Evaluate => Actor::user("r1", Role::Resident),
        _ => staff(),
    }
}

/// Forces an order into `state` with assignee "v1" (bypassing the
/// table, as a stored row would arrive).
fn order_in(kind: OrderKind, state: OrderState) -> Order {
    let mut o = new_order(kind);
    o.state = state;
    o.assignee = Some("v1".into());
    o
}

/// The expected table, written out independently of `next_state`.
fn expected(kind: OrderKind, from: OrderState, ek: EventKind) -> Option<OrderState> {
    use EventKind as E;
    use OrderState::*;
    let active_before_resolve = [
        Submitted,
        Open,
        Claimed,
        Assigned,
        InProgress,
        Escalated,
        Transferred,
    ];
    match ek {
        E::Open => [Submitted, Transferred].contains(&from).then_some(Open),
        E::Grab => (from == Open && kind == OrderKind::Consultation).then_some(Claimed),
        E::Assign => (from == Escalated
            || from == Transferred
            || (from == Open && kind == OrderKind::Service))
            .then_some(Assigned),
        E::Accept => (from == Assigned).then_some(InProgress),
        E::Decline => [Claimed, Assigned].contains(&from).then_some(Open),
        E::Start => (from == Claimed).then_some(InProgress),
        E::Resolve => (from == InProgress).then_some(Resolved),
        E::Evaluate => (from == Resolved).then_some(Evaluated),
        E::Close => [Resolved, Evaluated].contains(&from).then_some(Closed),
        E::Transfer => active_before_resolve.contains(&from).then_some(Transferred),
        E::Escalate => [Open, Claimed, Assigned, InProgress, Transferred]
            .contains(&from)
            .then_some(Escalated),
        E::Cancel => active_before_resolve.contains(&from).then_some(Cancelled),
    }
}

#[test]
fn every_state_event_pair_is_legal_or_refused() {
    let mut legal = 0;
    let mut refused = 0;
    for kind in OrderKind::ALL {
        for from in OrderState::ALL {
            for ek in EventKind::ALL {
                let mut o = order_in(kind, from);
                let res = o.apply(sample_event(ek), permitted_actor(ek), t0());
                match expected(kind, from, ek) {
                    Some(to) => {
                        let t = res.unwrap_or_else(|e| {
                            panic!("{kind:?} {from:?} {ek:?} should be legal: {e}")
                        });
                        assert_eq!((t.from, t.to), (from, to));
                        assert_eq!(o.state, to);
                        assert_eq!(o.version, 1);
                        assert_eq!(o.history.len(), 1);
                        legal += 1;
                    }
                    None => {
                        assert_eq!(
                            res,
                            Err(OrderError::IllegalTransition {
                                kind,
                                from,
                                event: ek
                            }),
                            "{kind:?} {from:?} {ek:?} should be refused"
                        );
                        assert_eq!(o.state, from);
                        assert_eq!(o.version, 0);
                        assert!(o.history.is_empty());
                        refused += 1;
                    }
                }
            }
        }
    }
    assert_eq!(legal + refused, 2 * 11 * 12);
    // 32 legal pairs per kind (grab only for consultations, assign from
    // open only for services).
    assert_eq!(legal, 2 * 32);
}

#[test]
fn final_states_accept_nothing() {
    for kind in OrderKind::ALL {
        for s in [OrderState::Closed, OrderState::Cancelled] {
            assert!(s.is_final());
            for ek in EventKind::ALL {
                assert_eq!(next_state(kind, s, ek), None);
            }
        }
    }
}

#[test]
fn grab_precondition_is_open_consultation() {
    let p = Order::grab_precondition();
    assert_eq!(p.kind, OrderKind::Consultation);
    assert_eq!(p.from, vec![OrderState::Open]);
    assert_eq!(p.to, OrderState::Claimed);
    assert_eq!(p.from[0].as_str(), "open");
    assert!(states_allowing(OrderKind::Service, EventKind::Grab).is_empty());
    assert_eq!(
        Order::precondition(OrderKind::Service, EventKind::Assign)
            .unwrap()
            .from,
        vec![
            OrderState::Open,
            OrderState::Transferred,
            OrderState::Escalated
        ]
    );
    assert_eq!(
        Order::precondition(OrderKind::Consultation, EventKind::Assign)
            .unwrap()
            .from,
        vec![OrderState::Transferred, OrderState::Escalated]
    );
}

#[test]
fn consultation_happy_path_with_audit() {
    let mut o = new_order(OrderKind::Consultation);
    let v = Actor::user("v1", Role::Volunteer);
    let r = Actor::user("r1", Role::Resident);
    let sys = Actor::system("grab-offer");
    o.apply(OrderEvent::Open, sys.clone(), t0()).unwrap();
    o.apply(
        OrderEvent::Grab {
            volunteer: "v1".into(),
        },
        v.clone(),
        t0() + Duration::seconds(12),
    )
    .unwrap();
    assert_eq!(o.assignee.as_deref(), Some("v1"));
    // A second grabber loses.
    let mut o2 = o.clone();
    assert_eq!(
        o2.apply(
            OrderEvent::Grab {
                volunteer: "v2".into()
            },
            Actor::user("v2", Role::Volunteer),
            t0() + Duration::seconds(13),
        ),
        Err(OrderError::IllegalTransition {
            kind: OrderKind::Consultation,
            from: OrderState::Claimed,
            event: EventKind::Grab
        })
    );
    assert!(o.may_see_contact(&v));
    assert!(!o.may_see_contact(&Actor::user("v2", Role::Volunteer)));
    o.apply(OrderEvent::Start, v.clone(), t0() + Duration::seconds(60))
        .unwrap();
    o.apply(
        OrderEvent::Resolve {
            note: "  explained art. 47 ".into(),
        },
        v.clone(),
        t0() + Duration::seconds(600),
    )
    .unwrap();
    o.apply(OrderEvent::Evaluate, r, t0() + Duration::seconds(700))
        .unwrap();
    o.apply(OrderEvent::Close, sys, t0() + Duration::seconds(800))
        .unwrap();
    assert_eq!(o.state, OrderState::Closed);
    assert_eq!(o.version, 6);
    assert_eq!(o.time_to_claim_s(), Some(12.0));
    assert_eq!(o.resolution_time_s(), Some(600.0));
    assert_eq!(o.history[3].reason.as_deref(), Some("explained art. 47"));
    // Serde round trip, with the role serialised as a bare name.
    let json = serde_json::to_string(&o).unwrap();
    assert!(json.contains(r#""role":"volunteer""#), "{json}");
    assert!(json.contains(r#""role":"system""#), "{json}");
    assert!(
        json.contains(r#""event":"grab","volunteer":"v1""#),
        "{json}"
    );
    let back: Order = serde_json::from_str(&json).unwrap();
    assert_eq!(back, o);
}

#[test]
fn permissions_and_reasons() {
    let mut o = new_order(OrderKind::Consultation);
    // A resident cannot open; a volunteer cannot grab for someone else.
    assert!(matches!(
        o.apply(OrderEvent::Open, Actor::user("r1", Role::Resident), t0()),
        Err(OrderError::NotPermitted { .. })
    ));
    o.apply(OrderEvent::Open, staff(), t0()).unwrap();
    assert!(matches!(
        o.apply(
            OrderEvent::Grab {
                volunteer: "v2".into()
            },
            Actor::user("v1", Role::Volunteer),
            t0()
        ),
        Err(OrderError::NotPermitted { .. })
    ));
    // Staff may not grab.
    assert!(matches!(
        o.apply(
            OrderEvent::Grab {
                volunteer: "s1".into()
            },
            staff(),
            t0()
        ),
        Err(OrderError::NotPermitted { .. })
    ));
    // Escalation needs a reason.
    assert_eq!(
        o.apply(
            OrderEvent::Escalate { reason: " ".into() },
            Actor::system("job"),
            t0()
        ),
        Err(OrderError::ReasonRequired {
            event: EventKind::Escalate
        })
    );
    // Time may not go backwards.
    assert!(matches!(
        o.apply(
            OrderEvent::Cancel { reason: "x".into() },
            staff(),
            t0() - Duration::seconds(1)
        ),
        Err(OrderError::TimeGoesBackwards { .. })
    ));
    // The requester may cancel while open, not once work started.
    let mut o2 = o.clone();
    o2.apply(
        OrderEvent::Cancel {
            reason: "solved it myself".into(),
        },
        Actor::user("r1", Role::Resident),
        t0(),
    )
    .unwrap();
    o.apply(
        OrderEvent::Grab {
            volunteer: "v1".into(),
        },
        Actor::user("v1", Role::Volunteer),
        t0(),
    )
    .unwrap();
    o.apply(OrderEvent::Start, Actor::user("v1", Role::Volunteer), t0())
        .unwrap();
    assert!(matches!(
        o.apply(
            OrderEvent::Cancel { reason: "x".into() },
            Actor::user("r1", Role::Resident),
            t0()
        ),
        Err(OrderError::NotPermitted { .. })
    ));
    // Only the requester rates.
    o.apply(
        OrderEvent::Resolve { note: "ok".into() },
        Actor::user("v1", Role::Volunteer),
        t0(),
    )
    .unwrap();
    assert!(matches!(
        o.apply(
            OrderEvent::Evaluate,
            Actor::user("r2", Role::Resident),
            t0()
        ),
        Err(OrderError::NotPermitted { .. })
    ));
}

#[test]
fn a_requester_without_an_account_is_rated_for_by_the_system_only() {
    let mut o = new_order(OrderKind::Consultation);
    o.requester_id = String::new();
    o.apply(OrderEvent::Open, staff(), t0()).unwrap();
    o.apply(
        OrderEvent::Grab {
            volunteer: "v1".into(),
        },
        Actor::user("v1", Role::Volunteer),
        t0(),
    )
    .unwrap();
    o.apply(OrderEvent::Start, Actor::user("v1", Role::Volunteer), t0())
        .unwrap();
    o.apply(
        OrderEvent::Resolve { note: "ok".into() },
        Actor::user("v1", Role::Volunteer),
        t0(),
    )
    .unwrap();
    // An empty requester id matches no account, not even an empty one.
    for who in ["", "r1"] {
        assert!(matches!(
            o.apply(OrderEvent::Evaluate, Actor::user(who, Role::Resident), t0()),
            Err(OrderError::NotPermitted { .. })
        ));
    }
    // A one-time link or a staff call-back rates on their behalf.
    o.apply(OrderEvent::Evaluate, Actor::system("rating_link"), t0())
        .unwrap();
    assert_eq!(o.state, OrderState::Evaluated);
    assert!(!o.may_see_contact(&Actor::user("", Role::Resident)));
}

#[test]
fn dispatch_decline_and_transfer_keep_history() {
    let mut o = new_order(OrderKind::Service);
    o.apply(OrderEvent::Open, staff(), t0()).unwrap();
    o.apply(
        OrderEvent::Assign {
            assignee: "l1".into(),
        },
        staff(),
        t0(),
    )
    .unwrap();
    let l1 = Actor::user("l1", Role::Lawyer);
    assert!(!o.may_see_contact(&l1), "not before accepting");
    assert_eq!(
        o.apply(OrderEvent::Decline { reason: "".into() }, l1.clone(), t0()),
        Err(OrderError::ReasonRequired {
            event: EventKind::Decline
        })
    );
    o.apply(
        OrderEvent::Decline {
            reason: "conflict of interest".into(),
        },
        l1,
        t0(),
    )
    .unwrap();
    assert_eq!(o.state, OrderState::Open);
    assert_eq!(o.assignee, None);
    // Transfer to the same area is refused; to the district it works.
    assert!(matches!(
        o.apply(
            OrderEvent::Transfer {
                to_level: Level::Street,
                to_area: "330303001".into(),
                reason: "x".into()
            },
            staff(),
            t0()
        ),
        Err(OrderError::SameArea { .. })
    ));
    o.apply(
        OrderEvent::Transfer {
            to_level: Level::District,
            to_area: "330303".into(),
            reason: "cross-street dispute".into(),
        },
        staff(),
        t0(),
    )
    .unwrap();
    assert_eq!((o.level, o.area_code.as_str()), (Level::District, "330303"));
    let admin = Actor::user("a1", Role::DistrictAdmin);
    o.apply(
        OrderEvent::Assign {
            assignee: "l2".into(),
        },
        admin,
        t0(),
    )
    .unwrap();
    o.apply(OrderEvent::Accept, Actor::user("l2", Role::Lawyer), t0())
        .unwrap();
    assert!(o.may_see_contact(&Actor::user("l2", Role::Lawyer)));
    let path: Vec<_> = o.history.iter().map(|t| t.to).collect();
    assert_eq!(
        path,
        vec![
            OrderState::Open,
            OrderState::Assigned,
            OrderState::Open,
            OrderState::Transferred,
            OrderState::Assigned,
            OrderState::InProgress
        ]
    );
}

#[test]
fn grab_window() {
    let mut o = new_order(OrderKind::Consultation);
    assert!(!o.grab_window_expired(t0() + Duration::hours(1), 30));
    o.apply(OrderEvent::Open, Actor::system("job"), t0())
        .unwrap();
    assert!(!o.grab_window_expired(t0() + Duration::seconds(29), 30));
    assert!(o.grab_window_expired(t0() + Duration::seconds(30), 30));
    o.apply(
        OrderEvent::Escalate {
            reason: "unclaimed after 30 s".into(),
        },
        Actor::system("job"),
        t0() + Duration::seconds(30),
    )
    .unwrap();
    assert!(!o.grab_window_expired(t0() + Duration::seconds(60), 30));
    assert_eq!(o.state, OrderState::Escalated);
}

proptest::proptest! {
    /// Any sequence of events by permitted actors keeps the audit trail
    /// consistent: each step starts where the last ended, the version
    /// counts the steps, and nothing leaves a final state.
    #[test]
    fn random_event_sequences_keep_a_consistent_history(
        service in proptest::bool::ANY,
        events in proptest::collection::vec(0usize..12, 0..40),
    ) {
        let kind = if service { OrderKind::Service } else { OrderKind::Consultation };
        let mut o = new_order(kind);
        for (i, e) in events.into_iter().enumerate() {
            let ek = EventKind::ALL[e];
            let before = o.state;
            // The assignee is always "v1" in the sample events.
            let res = o.apply(sample_event(ek), permitted_actor(ek), t0() + Duration::seconds(i as i64));
            match next_state(kind, before, ek) {
                Some(to) if res.is_ok() => proptest::prop_assert_eq!(o.state, to),
                Some(_) => proptest::prop_assert_eq!(o.state, before),
                None => {
                    proptest::prop_assert!(
                        matches!(res, Err(OrderError::IllegalTransition { .. })),
                        "expected illegal, got {:?}",
                        res
                    );
                    proptest::prop_assert_eq!(o.state, before);
                }
            }
            proptest::prop_assert!(!before.is_final() || o.state == before);
        }
        proptest::prop_assert_eq!(o.version as usize, o.history.len());
        for w in o.history.windows(2) {
            proptest::prop_assert_eq!(w[0].to, w[1].from);
            proptest::prop_assert!(w[0].at <= w[1].at);
        }
        if let Some(first) = o.history.first() {
            proptest::prop_assert_eq!(first.from, OrderState::Submitted);
        }
    }
}

#[test]
fn states_parse_and_print() {
    for s in OrderState::ALL {
        assert_eq!(s.as_str().parse::<OrderState>().unwrap(), s);
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
    }
}
