//! Punches (打卡记录): clock-in (签到) and clock-out (签退) at a duty post,
//! their two verdicts, supervisor review, and a per-volunteer hash chain for
//! tamper evidence (防篡改).
//!
//! # Flow
//! 1. The phone builds a punch with [`Punch::on_device`]: it evaluates the
//!    fix with [`evaluate`] (the clock-in decision of [`crate::volunteers::clock_in`]
//!    plus the shift check) and keeps that as the device verdict. Offline,
//!    the punch is marked `offline` and carries the device's wall and
//!    monotonic clocks.
//! 2. On arrival the server calls [`Punch::reevaluate_on_server`], which runs
//!    the very same [`evaluate`] with the server's view (its policy, the
//!    previous fix it holds, and the server time at the punch, bridged over
//!    the monotonic clock for offline punches with
//!    [`crate::volunteers::clock_in::estimate_server_time`]). Both verdicts are kept; a
//!    mismatch or a flag raises a [`PunchWarning`].
//! 3. The server appends the punch to the volunteer's chain with
//!    [`append`]: `hash = sha256(canonical encoding incl. prev_hash)`.
//! 4. Station staff may accept or reject a punch, with a reason
//!    ([`Punch::review`]).
//!
//! # Canonical encoding (version 1)
//! Fixed field order, big-endian integers, no maps, so the hash does not
//! depend on JSON key order or whitespace: the ASCII tag `LCPUNCH1`, then
//! `seq` (u64), `prev_hash`, `id`, `volunteer_id`, `post_id`,
//! `street_code` (strings: u32 byte length + UTF-8), `kind` (u8: in 1, out
//! 2), `at` (time: i64 seconds + u32 nanoseconds since the Unix epoch, then
//! u64 monotonic ms), `offline` (u8), `fix` (option: u8 0/1, then lat, lng
//! as f64 bits with −0 written as +0, datum u8, accuracy f64, provider u8,
//! is_mock u8, wall time, monotonic ms, optional speed), the device
//! decision (verdict u8, u32 count + reason codes, u32 count + flag codes),
//! `shift` (option: date as i32 days from 0001-01-01, start and end times),
//! `received_at`, `server_time_at_punch` (options of time), and the server
//! decision (option). The evidence numbers of a decision are not encoded:
//! they follow from the encoded inputs. Reviews are not in the chain (they
//! are added later and carry their own reviewer, time and reason).
//!
//! Floats are hashed by their exact bits; `serde_json` is built with
//! `float_roundtrip` so that storing a punch as JSON and reading it back
//! gives the same bits, and so the same hash.

use crate::calendar::china_time;
use crate::catalogue::duty_post::{DutyPost, DutyPostKind};
use crate::catalogue::opening_hours::OpeningHours;
use crate::geo::coord::Datum;
use crate::volunteers::clock_in::{
    ClockInDecision, ClockInPolicy, DeviceInstant, Fix, Flag, Reason, Verdict, decide,
    decide_without_fence,
};
use crate::volunteers::pool::Actor;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first punch of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Clock-in or clock-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PunchKind {
    /// 签到
    In,
    /// 签退
    Out,
}

/// The shift a punch belongs to (local China time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRef {
    /// The day the shift starts on.
    pub date: NaiveDate,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// The shift of `shifts` that `at` (local time) falls in, give or take
/// `grace_min` minutes before its start or after its end; overnight spans of
/// the day before count.
pub fn find_shift(shifts: &OpeningHours, at: NaiveDateTime, grace_min: u32) -> Option<ShiftRef> {
    let grace = Duration::minutes(i64::from(grace_min));
    let today = at.date();
    [today.pred_opt(), Some(today), today.succ_opt()]
        .into_iter()
        .flatten()
        .flat_map(|date| {
            shifts.spans_on(date).iter().filter_map(move |s| {
                let start = date.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(s.open_min));
                let mut end =
                    date.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(s.close_min));
                if end <= start {
                    end += Duration::days(1);
                }
                Some(ShiftRef { date, start, end })
            })
        })
        .find(|s| s.start - grace <= at && at <= s.end + grace)
}

/// The outcome of evaluating a punch: the clock-in decision (with the
/// shift check folded in as a reason and flag) and the shift it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub decision: ClockInDecision,
    pub shift: Option<ShiftRef>,
}

/// Evaluates a punch at a post: the same code on phone and server.
///
/// * physical station: [`decide`] on the fence (no fix: `Uncertain`,
///   reason `no_fix`);
/// * hotline desk: [`decide_without_fence`];
/// * then the shift: the punch time (server time when known, else the
///   device's wall clock) must fall in one of the post's shifts, within
///   `policy.shift_grace_min`; if not, reason and flag `outside_shift`.
pub fn evaluate(
    post: &DutyPost,
    at: DeviceInstant,
    fix: Option<&Fix>,
    previous: Option<&Fix>,
    server_time: Option<DateTime<Utc>>,
    policy: &ClockInPolicy,
) -> Evaluation {
    let mut decision = match (&post.kind, fix) {
        (DutyPostKind::Station { fence }, Some(fix)) => {
            decide(fence, fix, previous, at, server_time, policy)
        }
        (DutyPostKind::Station { .. }, None) => {
            let mut d = decide_without_fence(None, None, at, server_time, policy);
            d.reasons.retain(|r| *r != Reason::NoFence);
            d.reasons.insert(0, Reason::NoFix);
            d.verdict = Verdict::Uncertain;
            d
        }
        (DutyPostKind::HotlineDesk { .. }, fix) => {
            decide_without_fence(fix, previous, at, server_time, policy)
        }
    };
    let when = server_time.unwrap_or(at.wall).with_timezone(&china_time());
    let shift = find_shift(&post.shifts, when.naive_local(), policy.shift_grace_min);
    if shift.is_none() {
        decision.reasons.push(Reason::OutsideShift);
        decision.flags.push(Flag::OutsideShift);
    }
    Evaluation { decision, shift }
}

/// A supervisor's ruling on a punch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Accept,
    Reject,
}

/// A supervisor review (督办/人工复核), with who, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisorReview {
    pub reviewer: Actor,
    pub at: DateTime<Utc>,
    pub decision: ReviewDecision,
    pub reason: String,
}

/// A punch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Punch {
    /// Made on the phone (e.g. a UUIDv7): the idempotency key of the sync.
    pub id: String,
    pub volunteer_id: String,
    pub post_id: String,
    /// The street of the post, kept for the hour totals.
    pub street_code: String,
    pub kind: PunchKind,
    /// The device's clocks when the volunteer punched.
    pub at: DeviceInstant,
    /// The fix used (none at a hotline desk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Made without a connection; synced later.
    pub offline: bool,
    pub device_decision: ClockInDecision,
    pub shift: Option<ShiftRef>,
    /// When the server received the punch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    /// The server's estimate of its own time at the punch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_at_punch: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_decision: Option<ClockInDecision>,
    #[serde(default)]
    pub reviews: Vec<SupervisorReview>,
    /// Position in the volunteer's chain (0-based).
    #[serde(default)]
    pub seq: u64,
    #[serde(default)]
    pub prev_hash: String,
    #[serde(default)]
    pub hash: String,
    /// When the exact location was erased under the retention setting (the
    /// fix is gone; outside the hashed content, see [`Punch::erase_location`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_erased_at: Option<DateTime<Utc>>,
}

/// A reason for station staff to look at a punch (异常预警).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PunchWarning {
    /// The server's verdict differs from the phone's.
    VerdictMismatch { device: Verdict, server: Verdict },
    /// A flag from either decision.
    Flagged { flag: Flag },
    /// The verdict (server's if known, else device's) is not `Inside`.
    NotInside { verdict: Verdict },
}

/// Where a punch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PunchStatus {
    /// Counted: the server found it inside without warnings, or a
    /// supervisor accepted it.
    Accepted,
    /// Not counted: a supervisor rejected it.
    Rejected,
    /// Not counted yet: not re-evaluated, or warnings wait for review.
    PendingReview,
}

/// What can go wrong with punches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PunchError {
    #[error("a review needs a reason")]
    ReasonRequired,
    #[error("{0} may not review punches: only station staff or a district admin")]
    NotAReviewer(String),
    #[error("punch of volunteer {found} cannot join the chain of volunteer {expected}")]
    WrongVolunteer { expected: String, found: String },
}

impl Punch {
    /// A punch made on the phone, evaluated there. `server_time` is the
    /// phone's best knowledge of server time (e.g. from the last sync), or
    /// `None` offline.
    #[allow(clippy::too_many_arguments)]
    pub fn on_device(
        id: impl Into<String>,
        volunteer_id: impl Into<String>,
        post: &DutyPost,
        kind: PunchKind,
        at: DeviceInstant,
        fix: Option<Fix>,
        previous: Option<&Fix>,
        offline: bool,
        server_time: Option<DateTime<Utc>>,
        policy: &ClockInPolicy,
    ) -> Punch {
        let ev = evaluate(post, at, fix.as_ref(), previous, server_time, policy);
        Punch {
            id: id.into(),
            volunteer_id: volunteer_id.into(),
            post_id: post.id.clone(),
            street_code: post.street_code.clone(),
            kind,
            at,
            fix,
            offline,
            device_decision: ev.decision,
            shift: ev.shift,
            received_at: None,
            server_time_at_punch: None,
            server_decision: None,
            reviews: Vec::new(),
            seq: 0,
            prev_hash: String::new(),
            hash: String::new(),
            location_erased_at: None,
        }
    }

    /// The server's own verdict, with the same [`evaluate`]. The device
    /// verdict is kept untouched; the shift is taken from the server's view.
    pub fn reevaluate_on_server(
        &mut self,
        post: &DutyPost,
        previous: Option<&Fix>,
        server_time_at_punch: Option<DateTime<Utc>>,
        received_at: DateTime<Utc>,
        policy: &ClockInPolicy,
    ) -> &ClockInDecision {
        let ev = evaluate(
            post,
            self.at,
            self.fix.as_ref(),
            previous,
            server_time_at_punch,
            policy,
        );
        self.received_at = Some(received_at);
        self.server_time_at_punch = server_time_at_punch;
        self.shift = ev.shift;
        self.server_decision.insert(ev.decision)
    }

    /// The warnings for staff: verdict mismatch, flags of either decision,
    /// and a verdict other than `Inside`.
    pub fn warnings(&self) -> Vec<PunchWarning> {
        let mut out = Vec::new();
        let dev = &self.device_decision;
        if let Some(srv) = &self.server_decision
            && srv.verdict != dev.verdict
        {
            out.push(PunchWarning::VerdictMismatch {
                device: dev.verdict,
                server: srv.verdict,
            });
        }
        let decisions = std::iter::once(dev).chain(self.server_decision.as_ref());
        for flag in decisions.clone().flat_map(|d| d.flags.iter().copied()) {
            let w = PunchWarning::Flagged { flag };
            if !out.contains(&w) {
                out.push(w);
            }
        }
        let verdict = self.server_decision.as_ref().unwrap_or(dev).verdict;
        if verdict != Verdict::Inside {
            out.push(PunchWarning::NotInside { verdict });
        }
        out
    }

    /// Erases the exact location (the fix) once the retention period of
    /// location data has passed. The verdicts and their numbers stay. The
    /// punch's content hash can then no longer be recomputed, so the chain
    /// check verifies an erased punch by its links only (its `prev_hash`
    /// and the next punch's link to its `hash`); everything else in the
    /// chain is still checked in full.
    pub fn erase_location(&mut self, at: DateTime<Utc>) {
        if self.location_erased_at.is_none() {
            self.fix = None;
            self.location_erased_at = Some(at);
        }
    }

    /// Records a supervisor's ruling. Later reviews override earlier ones;
    /// all are kept.
    pub fn review(
        &mut self,
        reviewer: Actor,
        at: DateTime<Utc>,
        decision: ReviewDecision,
        reason: &str,
    ) -> Result<(), PunchError> {
        if matches!(reviewer, Actor::Volunteer { .. }) {
            return Err(PunchError::NotAReviewer(reviewer.id().to_string()));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(PunchError::ReasonRequired);
        }
        self.reviews.push(SupervisorReview {
            reviewer,
            at,
            decision,
            reason: reason.to_string(),
        });
        Ok(())
    }

    /// Accepted, rejected, or waiting (see [`PunchStatus`]).
    pub fn status(&self) -> PunchStatus {
        if let Some(r) = self.reviews.last() {
            return match r.decision {
                ReviewDecision::Accept => PunchStatus::Accepted,
                ReviewDecision::Reject => PunchStatus::Rejected,
            };
        }
        if self.server_decision.is_some() && self.warnings().is_empty() {
            PunchStatus::Accepted
        } else {
            PunchStatus::PendingReview
        }
    }

    /// The best time of the punch: the server's estimate, else the device's
    /// wall clock.
    pub fn trusted_time(&self) -> DateTime<Utc> {
        self.server_time_at_punch.unwrap_or(self.at.wall)
    }

    /// The canonical encoding (see the module notes).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(512);
        self.encode_into(&mut buf);
        buf
    }

    /// Appends the canonical encoding to `buf` (lets a verifier reuse one
    /// buffer for a whole chain).
    pub fn encode_into(&self, buf: &mut Vec<u8>) {
        let mut e = Enc(buf);
        e.0.extend_from_slice(b"LCPUNCH1");
        e.u64(self.seq);
        e.str(&self.prev_hash);
        e.str(&self.id);
        e.str(&self.volunteer_id);
        e.str(&self.post_id);
        e.str(&self.street_code);
        e.u8(match self.kind {
            PunchKind::In => 1,
            PunchKind::Out => 2,
        });
        e.time(self.at.wall);
        e.u64(self.at.elapsed_ms);
        e.bool(self.offline);
        e.opt(self.fix.as_ref(), |e, f| {
            e.f64(f.lat);
            e.f64(f.lng);
            e.u8(datum_code(f.datum));
            e.f64(f.accuracy_m);
            e.u8(f.provider.code());
            e.bool(f.is_mock);
            e.time(f.wall_time);
            e.u64(f.elapsed_ms);
            e.opt(f.speed_mps.as_ref(), |e, s| e.f64(*s));
        });
        e.decision(&self.device_decision);
        e.opt(self.shift.as_ref(), |e, s| {
            e.i32(s.date.num_days_from_ce());
            e.time(s.start.and_utc());
            e.time(s.end.and_utc());
        });
        e.opt(self.received_at.as_ref(), |e, t| e.time(*t));
        e.opt(self.server_time_at_punch.as_ref(), |e, t| e.time(*t));
        e.opt(self.server_decision.as_ref(), |e, d| e.decision(d));
    }

    /// `hex(sha256(canonical_bytes))`.
    pub fn compute_hash(&self) -> String {
        hex::encode(self.digest())
    }

    fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.canonical_bytes()).into()
    }

    /// Whether the stored `hash` matches the content, encoding into `buf`
    /// (cleared first) and comparing raw digests.
    fn hash_matches(&self, buf: &mut Vec<u8>) -> bool {
        buf.clear();
        self.encode_into(buf);
        let mut stored = [0u8; 32];
        hex::decode_to_slice(&self.hash, &mut stored).is_ok()
            && stored[..] == Sha256::digest(&buf[..])[..]
    }
}

fn datum_code(d: Datum) -> u8 {
    match d {
        Datum::Wgs84 => 1,
        Datum::Gcj02 => 2,
        Datum::Bd09 => 3,
    }
}

struct Enc<'a>(&'a mut Vec<u8>);

impl Enc<'_> {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn f64(&mut self, v: f64) {
        let v = if v == 0.0 { 0.0 } else { v };
        self.0.extend_from_slice(&v.to_bits().to_be_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn time(&mut self, t: DateTime<Utc>) {
        self.0.extend_from_slice(&t.timestamp().to_be_bytes());
        self.u32(t.timestamp_subsec_nanos());
    }
    fn opt<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                f(self, x);
            }
        }
    }
    fn decision(&mut self, d: &ClockInDecision) {
        self.u8(d.verdict.code());
        self.len(d.reasons.len());
        for r in &d.reasons {
            self.u8(r.code());
        }
        self.len(d.flags.len());
        for f in &d.flags {
            self.u8(f.code());
        }
    }
}

/// The end of a chain: its length and last hash. Keep it apart from the
/// punches (e.g. on the volunteer record, or published) so that deleting the
/// last punches is detected too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub len: u64,
    pub hash: String,
}

/// Why a chain link is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BreakReason {
    /// `seq` is not the position: a punch was deleted, inserted or moved.
    Sequence { expected: u64, found: u64 },
    /// `prev_hash` is not the previous punch's hash.
    PrevHash,
    /// The stored hash does not match the content: the punch was edited.
    Hash,
    /// The punch belongs to another volunteer.
    Volunteer { expected: String, found: String },
    /// The chain is shorter than its recorded head.
    Truncated { expected_len: u64 },
    /// The chain is longer than, or ends elsewhere than, its recorded head.
    HeadMismatch,
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("punch chain broken at index {index}: {reason:?}")]
pub struct ChainBreak {
    pub index: usize,
    pub reason: BreakReason,
}

/// Appends a punch to a volunteer's chain: sets `seq`, `prev_hash` and
/// `hash`. Done by the server after [`Punch::reevaluate_on_server`].
pub fn append(chain: &mut Vec<Punch>, mut punch: Punch) -> Result<&Punch, PunchError> {
    if let Some(first) = chain.first()
        && first.volunteer_id != punch.volunteer_id
    {
        return Err(PunchError::WrongVolunteer {
            expected: first.volunteer_id.clone(),
            found: punch.volunteer_id,
        });
    }
    punch.seq = chain.len() as u64;
    punch.prev_hash = chain
        .last()
        .map_or_else(|| GENESIS_HASH.to_string(), |p| p.hash.clone());
    punch.hash = punch.compute_hash();
    chain.push(punch);
    let last = chain.len() - 1;
    Ok(&chain[last])
}

/// The head of a chain.
pub fn chain_head(chain: &[Punch]) -> ChainHead {
    ChainHead {
        len: chain.len() as u64,
        hash: chain
            .last()
            .map_or_else(|| GENESIS_HASH.to_string(), |p| p.hash.clone()),
    }
}

/// Checks every link in order and reports the first broken one: the
/// position (`seq`), the link to the previous hash, the owner, and the hash
/// of the content.
pub fn verify_chain(chain: &[Punch]) -> Result<(), ChainBreak> {
    let owner = chain.first().map(|p| p.volunteer_id.as_str());
    let mut prev = GENESIS_HASH;
    let mut buf = Vec::with_capacity(1024);
    for (index, p) in chain.iter().enumerate() {
        let brk = |reason| Err(ChainBreak { index, reason });
        if p.seq != index as u64 {
            return brk(BreakReason::Sequence {
                expected: index as u64,
                found: p.seq,
            });
        }
        if let Some(owner) = owner
            && p.volunteer_id != owner
        {
            return brk(BreakReason::Volunteer {
                expected: owner.to_string(),
                found: p.volunteer_id.clone(),
            });
        }
        if p.prev_hash != prev {
            return brk(BreakReason::PrevHash);
        }
        if p.location_erased_at.is_none() && !p.hash_matches(&mut buf) {
            return brk(BreakReason::Hash);
        }
        prev = &p.hash;
    }
    Ok(())
}

/// [`verify_chain`], then a check against a head recorded elsewhere, which
/// catches deleting the last punches.
pub fn verify_chain_with_head(chain: &[Punch], head: &ChainHead) -> Result<(), ChainBreak> {
    verify_chain(chain)?;
    let len = chain.len() as u64;
    if len < head.len {
        return Err(ChainBreak {
            index: chain.len(),
            reason: BreakReason::Truncated {
                expected_len: head.len,
            },
        });
    }
    if chain_head(chain) != *head {
        let index = usize::try_from(head.len)
            .unwrap_or(usize::MAX)
            .min(chain.len());
        return Err(ChainBreak {
            index,
            reason: BreakReason::HeadMismatch,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
