use super::*;
use crate::catalogue::duty_post::Fence;
use crate::geo::coord::GeoPoint;
use crate::volunteers::clock_in::Provider;
use chrono::TimeZone;
use proptest::prelude::*;

const LAT: f64 = 27.93;
const LNG: f64 = 120.82;

pub(crate) fn post() -> DutyPost {
    DutyPost {
        id: "post-1".into(),
        name: "海城街道公共法律服务工作站".into(),
        kind: DutyPostKind::Station {
            fence: Fence::circle(
                GeoPoint::wgs84(LAT, LNG).unwrap().to_datum(Datum::Gcj02),
                100.0,
            )
            .unwrap(),
        },
        street_code: "330303005".into(),
        facility_id: None,
        shifts: OpeningHours::parse("Mo-Fr 08:30-12:00,13:30-17:30", "").unwrap(),
        retired: false,
    }
}

/// Monday 2024-03-04 09:00 in China (01:00 UTC) plus `min` minutes.
fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 1, 0, 0).unwrap() + Duration::minutes(min)
}

fn fix(north_m: f64, min: i64) -> Fix {
    Fix {
        lat: LAT + north_m / 111_195.0,
        lng: LNG,
        datum: Datum::Wgs84,
        accuracy_m: 8.0,
        provider: Provider::Fused,
        is_mock: false,
        wall_time: t(min),
        elapsed_ms: 10_000_000 + (min * 60_000) as u64,
        speed_mps: None,
    }
}

fn instant(min: i64) -> DeviceInstant {
    DeviceInstant {
        wall: t(min) + Duration::seconds(3),
        elapsed_ms: 10_000_000 + (min * 60_000) as u64 + 3_000,
    }
}

fn punch(id: &str, kind: PunchKind, min: i64, north_m: f64) -> Punch {
    Punch::on_device(
        id,
        "v1",
        &post(),
        kind,
        instant(min),
        Some(fix(north_m, min)),
        None,
        false,
        Some(instant(min).wall),
        &ClockInPolicy::default(),
    )
}

fn synced(mut p: Punch) -> Punch {
    let st = p.at.wall;
    p.reevaluate_on_server(&post(), None, Some(st), st, &ClockInPolicy::default());
    p
}

pub(crate) fn chain_of(n: usize) -> Vec<Punch> {
    let mut chain = Vec::new();
    for i in 0..n {
        let kind = if i % 2 == 0 {
            PunchKind::In
        } else {
            PunchKind::Out
        };
        let p = synced(punch(&format!("p{i}"), kind, (i as i64 % 8) * 30, 10.0));
        append(&mut chain, p).unwrap();
    }
    chain
}

#[test]
fn online_punch_inside_is_accepted_without_warnings() {
    let p = synced(punch("p1", PunchKind::In, 0, 20.0));
    assert_eq!(p.device_decision.verdict, Verdict::Inside);
    assert_eq!(p.server_decision.as_ref().unwrap().verdict, Verdict::Inside);
    assert_eq!(p.warnings(), vec![]);
    assert_eq!(p.status(), PunchStatus::Accepted);
    let shift = p.shift.unwrap();
    assert_eq!(shift.start.to_string(), "2024-03-04 08:30:00");
    assert_eq!(shift.end.to_string(), "2024-03-04 12:00:00");
}

#[test]
fn punch_outside_the_shift_is_flagged() {
    // 12:40 local: lunch break, beyond the 15-minute grace.
    let p = synced(punch("p1", PunchKind::In, 220, 20.0));
    assert!(p.shift.is_none());
    assert!(p.warnings().contains(&PunchWarning::Flagged {
        flag: Flag::OutsideShift
    }));
    assert_eq!(p.status(), PunchStatus::PendingReview);
    // 12:10: clock-out within the grace.
    let p = synced(punch("p2", PunchKind::Out, 190, 20.0));
    assert!(p.shift.is_some());
}

#[test]
fn offline_punch_is_rechecked_by_the_server_and_mismatch_detected() {
    let policy = ClockInPolicy::default();
    // Offline: the phone has no server time and says Inside. Its wall
    // clock is 10 minutes fast.
    let mut at = instant(0);
    at.wall += Duration::minutes(10);
    let mut f = fix(20.0, 0);
    f.wall_time += Duration::minutes(10);
    let mut p = Punch::on_device(
        "p1",
        "v1",
        &post(),
        PunchKind::In,
        at,
        Some(f),
        None,
        true,
        None,
        &policy,
    );
    assert!(p.offline);
    assert_eq!(p.device_decision.verdict, Verdict::Inside);
    assert!(p.device_decision.flags.is_empty());
    // Two hours later it syncs: the server bridges over the monotonic
    // clock to its own time at the punch, and sees the skew.
    let sync_device = DeviceInstant {
        wall: at.wall + Duration::hours(2),
        elapsed_ms: at.elapsed_ms + 7_200_000,
    };
    let server_now = t(0) + Duration::seconds(3) + Duration::hours(2);
    let st = crate::volunteers::clock_in::estimate_server_time(at, sync_device, server_now);
    assert_eq!(st, Some(t(0) + Duration::seconds(3)));
    let d = p.reevaluate_on_server(&post(), None, st, server_now, &policy);
    assert_eq!(d.verdict, Verdict::Inside);
    assert_eq!(d.flags, vec![Flag::ClockSkew]);
    assert_eq!(
        p.warnings(),
        vec![PunchWarning::Flagged {
            flag: Flag::ClockSkew
        }]
    );
    assert_eq!(p.status(), PunchStatus::PendingReview);

    // A forged device verdict: the fix is 400 m away but the phone
    // (patched) claimed Inside. The server's own verdict disagrees.
    let mut forged = punch("p2", PunchKind::In, 0, 400.0);
    assert_eq!(forged.device_decision.verdict, Verdict::Outside);
    forged.device_decision.verdict = Verdict::Inside;
    let st = forged.at.wall;
    forged.reevaluate_on_server(&post(), None, Some(st), st, &policy);
    assert!(forged.warnings().contains(&PunchWarning::VerdictMismatch {
        device: Verdict::Inside,
        server: Verdict::Outside
    }));
    assert!(forged.warnings().contains(&PunchWarning::NotInside {
        verdict: Verdict::Outside
    }));
}

#[test]
fn supervisor_can_accept_or_reject_with_a_reason() {
    let mut p = synced(punch("p1", PunchKind::In, 0, 400.0));
    assert_eq!(p.status(), PunchStatus::PendingReview);
    let staff = Actor::StationStaff {
        id: "s1".into(),
        street_code: "330303005".into(),
    };
    assert_eq!(
        p.review(staff.clone(), t(60), ReviewDecision::Accept, " "),
        Err(PunchError::ReasonRequired)
    );
    assert!(matches!(
        p.review(
            Actor::Volunteer { id: "v1".into() },
            t(60),
            ReviewDecision::Accept,
            "我在现场"
        ),
        Err(PunchError::NotAReviewer(_))
    ));
    p.review(
        staff.clone(),
        t(60),
        ReviewDecision::Accept,
        "站内监控确认在岗",
    )
    .unwrap();
    assert_eq!(p.status(), PunchStatus::Accepted);
    p.review(staff, t(90), ReviewDecision::Reject, "复核：监控时间不符")
        .unwrap();
    assert_eq!(p.status(), PunchStatus::Rejected);
    assert_eq!(p.reviews.len(), 2);
}

#[test]
fn hotline_desk_and_missing_fix() {
    let mut desk = post();
    desk.kind = DutyPostKind::HotlineDesk {
        hotline: "12348".into(),
    };
    let p = Punch::on_device(
        "p1",
        "v1",
        &desk,
        PunchKind::In,
        instant(0),
        None,
        None,
        false,
        None,
        &ClockInPolicy::default(),
    );
    assert_eq!(p.device_decision.verdict, Verdict::Inside);
    let p = Punch::on_device(
        "p1",
        "v1",
        &post(),
        PunchKind::In,
        instant(0),
        None,
        None,
        false,
        None,
        &ClockInPolicy::default(),
    );
    assert_eq!(p.device_decision.verdict, Verdict::Uncertain);
    assert_eq!(p.device_decision.reasons, vec![Reason::NoFix]);
}

#[test]
fn intact_chain_verifies_against_its_head() {
    let chain = chain_of(10);
    assert_eq!(verify_chain(&chain), Ok(()));
    assert_eq!(chain[0].prev_hash, GENESIS_HASH);
    let head = chain_head(&chain);
    assert_eq!(verify_chain_with_head(&chain, &head), Ok(()));
    assert_eq!(verify_chain(&[]), Ok(()));
}

#[test]
fn erased_locations_keep_the_chain_verifiable_by_its_links() {
    let mut chain = chain_of(6);
    let at = chain[5].at.wall;
    chain[2].erase_location(at);
    assert!(chain[2].fix.is_none());
    assert_eq!(verify_chain(&chain), Ok(()));
    // Links are still checked around an erased punch.
    chain.remove(3);
    assert!(verify_chain(&chain).is_err());
}

#[test]
fn edited_punch_is_detected() {
    let mut chain = chain_of(10);
    chain[4].at.wall -= Duration::minutes(30);
    assert_eq!(
        verify_chain(&chain),
        Err(ChainBreak {
            index: 4,
            reason: BreakReason::Hash
        })
    );
    // Editing and re-hashing the punch breaks the next link instead.
    chain[4].hash = chain[4].compute_hash();
    assert_eq!(
        verify_chain(&chain),
        Err(ChainBreak {
            index: 5,
            reason: BreakReason::PrevHash
        })
    );
    // A forged verdict is an edit too.
    let mut chain = chain_of(10);
    if let Some(d) = chain[7].server_decision.as_mut() {
        d.verdict = Verdict::Inside;
        d.flags.clear();
    }
    chain[7].fix.as_mut().unwrap().lat += 0.01;
    assert_eq!(verify_chain(&chain).unwrap_err().index, 7);
}

#[test]
fn deleted_punch_is_detected() {
    let mut chain = chain_of(10);
    let head = chain_head(&chain);
    chain.remove(3);
    assert_eq!(
        verify_chain(&chain),
        Err(ChainBreak {
            index: 3,
            reason: BreakReason::Sequence {
                expected: 3,
                found: 4
            }
        })
    );
    // Deleting the tail is only visible against the recorded head.
    let mut chain = chain_of(10);
    chain.truncate(8);
    assert_eq!(verify_chain(&chain), Ok(()));
    assert_eq!(
        verify_chain_with_head(&chain, &head),
        Err(ChainBreak {
            index: 8,
            reason: BreakReason::Truncated { expected_len: 10 }
        })
    );
}

#[test]
fn reordered_punches_are_detected() {
    let mut chain = chain_of(10);
    chain.swap(2, 6);
    assert_eq!(
        verify_chain(&chain),
        Err(ChainBreak {
            index: 2,
            reason: BreakReason::Sequence {
                expected: 2,
                found: 6
            }
        })
    );
    // Renumbering the swapped punches does not help: the links break.
    chain[2].seq = 2;
    chain[6].seq = 6;
    assert_eq!(
        verify_chain(&chain),
        Err(ChainBreak {
            index: 2,
            reason: BreakReason::PrevHash
        })
    );
}

#[test]
fn chains_belong_to_one_volunteer() {
    let mut chain = chain_of(2);
    let mut other = synced(punch("x", PunchKind::In, 0, 10.0));
    other.volunteer_id = "v2".into();
    assert!(matches!(
        append(&mut chain, other),
        Err(PunchError::WrongVolunteer { .. })
    ));
    chain[1].volunteer_id = "v2".into();
    assert!(matches!(
        verify_chain(&chain),
        Err(ChainBreak {
            index: 1,
            reason: BreakReason::Volunteer { .. }
        })
    ));
}

/// Pins encoding version 1: a change to the encoding must change the
/// tag and keep old chains verifiable, never silently alter hashes.
#[test]
fn canonical_encoding_is_pinned() {
    let chain = chain_of(1);
    let bytes = chain[0].canonical_bytes();
    assert_eq!(&bytes[..8], b"LCPUNCH1");
    assert_eq!(&bytes[8..16], &0u64.to_be_bytes());
    assert_eq!(
        chain[0].hash,
        "1717a8ff48bc413cf081365a375d53a0f75145ebb8ee20cdb93a1c938fb1ecfb"
    );
}

#[test]
fn json_round_trip_keeps_the_chain_valid() {
    let chain = chain_of(6);
    let json = serde_json::to_string(&chain).unwrap();
    let back: Vec<Punch> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, chain);
    assert_eq!(verify_chain(&back), Ok(()));
    let one = serde_json::to_value(&chain[0]).unwrap();
    assert_eq!(one["kind"], "in");
    assert_eq!(one["device_decision"]["verdict"], "inside");
    assert_eq!(one["fix"]["datum"], "wgs84");
}

proptest! {
    /// Any coordinates and accuracy survive JSON storage bit for bit, so
    /// the hash is stable (serde_json `float_roundtrip`).
    #[test]
    fn hash_survives_json(n in -2000.0f64..2000.0, acc in 0.0f64..400.0, ns in 0u32..1_000_000_000) {
        let mut p = punch("p", PunchKind::In, 0, n);
        if let Some(f) = p.fix.as_mut() {
            f.accuracy_m = acc;
            f.wall_time += Duration::nanoseconds(i64::from(ns));
        }
        let mut chain = Vec::new();
        append(&mut chain, p).unwrap();
        let back: Vec<Punch> = serde_json::from_str(&serde_json::to_string(&chain).unwrap()).unwrap();
        prop_assert_eq!(verify_chain(&back), Ok(()));
    }
}
