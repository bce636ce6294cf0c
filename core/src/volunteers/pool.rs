//! The volunteer pool (志愿者库): applications, review, suspension, exit,
//! teams, cross-region loans (跨区域调派) and star levels (星级).
//!
//! The lifecycle:
//!
//! ```text
//! Applied ──approve──▶ Active ──suspend──▶ Suspended
//!    │                  ▲  │                 │
//!    │ reject           │  └──reinstate◀─────┘
//!    ▼                  │
//! Rejected         (exit from Applied, Active or Suspended)
//!                        ▼
//!                      Exited (voluntary | removed)
//! ```
//!
//! Every change is recorded as a [`Transition`] (who, when, why). Rejected
//! and Exited are final: someone who wants to come back applies again, as a
//! new record. Who may do what:
//! * approve / reject (审核): station staff of the applicant's home street,
//!   or a district admin;
//! * suspend / reinstate / remove: station staff of the home street or a
//!   district admin, always with a reason;
//! * voluntary exit (退出): the volunteer themself, with a reason;
//! * loans to another street: a district admin only.

use crate::catalogue::facility::ServiceProduct;
use crate::catalogue::opening_hours::OpeningHours;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The volunteer's profession (职业).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profession {
    /// 律师
    Lawyer,
    /// 基层法律服务工作者
    GrassrootsLegalWorker,
    /// 公证员
    Notary,
    /// 调解员
    Mediator,
    /// 法律援助工作者
    LegalAidWorker,
    /// 法学学生
    LawStudent,
    /// 其他
    Other,
}

/// What an applicant tells about themself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolunteerProfile {
    pub name: String,
    pub phone: String,
    pub profession: Profession,
    /// The service products they offer (服务方向).
    pub service_directions: Vec<ServiceProduct>,
    /// Specialty codes from the taxonomy ([`crate::volunteers::specialty`]), e.g.
    /// `labour` (劳动争议); the server refuses anything else.
    pub specialties: Vec<String>,
    /// Free-text specialties written before the taxonomy existed that
    /// match no code ([`crate::volunteers::specialty::migrate_free_text`]): kept so
    /// nothing is lost, shown to staff, never used to match orders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched_specialties: Vec<String>,
    /// The street (街道) code they belong to; its station reviews them.
    pub home_street_code: String,
    /// When they are available, as a weekly schedule.
    pub availability: OpeningHours,
}

/// Where a volunteer is in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerState {
    /// 待审核
    Applied,
    /// 审核未通过
    Rejected,
    /// 在岗
    Active,
    /// 暂停
    Suspended,
    /// 已退出
    Exited,
}

/// How an exit happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitKind {
    /// The volunteer left (主动退出).
    Voluntary,
    /// Staff removed them (清退).
    Removed,
}

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Actor {
    /// The volunteer themself.
    Volunteer { id: String },
    /// Staff of a street's judicial office / service station (司法所).
    StationStaff { id: String, street_code: String },
    /// District justice bureau (区司法局).
    DistrictAdmin { id: String },
}

impl Actor {
    pub fn id(&self) -> &str {
        match self {
            Actor::Volunteer { id }
            | Actor::StationStaff { id, .. }
            | Actor::DistrictAdmin { id } => id,
        }
    }
}

/// What someone asks to do to a volunteer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Approve,
    Reject,
    Suspend,
    Reinstate,
    Exit { kind: ExitKind },
}

/// One recorded change of state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: VolunteerState,
    pub to: VolunteerState,
    pub action: Action,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// A lend of a volunteer to another street's post for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    pub to_street_code: String,
    /// A specific post, or any post of the street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub by: Actor,
    pub reason: String,
    /// Set when the volunteer was returned home before the loan's end
    /// (`until` is then the time of the return).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<LoanReturn>,
}

/// A loan ended early: who returned the volunteer, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanReturn {
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub reason: String,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolunteerError {
    #[error("cannot {action:?} a volunteer who is {from:?}")]
    IllegalTransition {
        from: VolunteerState,
        action: Action,
    },
    #[error("{action:?} needs a reason")]
    ReasonRequired { action: Action },
    #[error("{actor} may not {action:?} this volunteer")]
    NotPermitted { actor: String, action: Action },
    #[error("the change at {at} is earlier than the last recorded one at {last}")]
    TimeGoesBackwards {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
    #[error("only an active volunteer can be lent, this one is {0:?}")]
    NotActive(VolunteerState),
    #[error("{actor} may not lend volunteers: only a district admin may")]
    LoanNotPermitted { actor: String },
    #[error("a loan needs a reason")]
    LoanReasonRequired,
    #[error("a loan must end after it starts")]
    EmptyLoan,
    #[error("the loan overlaps an existing loan")]
    OverlappingLoan,
    #[error("a loan goes to another street than the volunteer's own")]
    LoanToHomeStreet,
    #[error("the volunteer is on no loan at {0}")]
    NoLoanInForce(DateTime<Utc>),
    #[error("the profile is incomplete: {0}")]
    IncompleteProfile(&'static str),
}

/// A volunteer record with its audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volunteer {
    pub id: String,
    pub profile: VolunteerProfile,
    pub state: VolunteerState,
    pub applied_at: DateTime<Utc>,
    pub history: Vec<Transition>,
    #[serde(default)]
    pub loans: Vec<Loan>,
}

impl Volunteer {
    /// A new application (申请加入).
    pub fn apply(
        id: impl Into<String>,
        profile: VolunteerProfile,
        at: DateTime<Utc>,
    ) -> Result<Self, VolunteerError> {
        if profile.name.trim().is_empty() {
            return Err(VolunteerError::IncompleteProfile("name"));
        }
        if profile.phone.trim().is_empty() {
            return Err(VolunteerError::IncompleteProfile("phone"));
        }
        if profile.home_street_code.trim().is_empty() {
            return Err(VolunteerError::IncompleteProfile("home street"));
        }
        Ok(Volunteer {
            id: id.into(),
            profile,
            state: VolunteerState::Applied,
            applied_at: at,
            history: Vec::new(),
            loans: Vec::new(),
        })
    }

    /// The state an action leads to from `from`, if legal.
    pub fn next_state(from: VolunteerState, action: &Action) -> Option<VolunteerState> {
        use VolunteerState::*;
        match (from, action) {
            (Applied, Action::Approve) => Some(Active),
            (Applied, Action::Reject) => Some(Rejected),
            (Active, Action::Suspend) => Some(Suspended),
            (Suspended, Action::Reinstate) => Some(Active),
            (Applied | Active | Suspended, Action::Exit { .. }) => Some(Exited),
            _ => None,
        }
    }

    fn is_staff_for_me(&self, actor: &Actor) -> bool {
        match actor {
            Actor::DistrictAdmin { .. } => true,
            Actor::StationStaff { street_code, .. } => {
                *street_code == self.profile.home_street_code
            }
            Actor::Volunteer { .. } => false,
        }
    }

    fn permitted(&self, actor: &Actor, action: &Action) -> bool {
        match action {
            Action::Exit {
                kind: ExitKind::Voluntary,
            } => matches!(actor, Actor::Volunteer { id } if *id == self.id),
            _ => self.is_staff_for_me(actor),
        }
    }

    /// Applies an action: checks that it is legal from the current state,
    /// that the actor may do it and that a reason is given where one is
    /// needed (everything but approve), then records the transition.
    pub fn act(
        &mut self,
        actor: Actor,
        action: Action,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<&Transition, VolunteerError> {
        let to =
            Self::next_state(self.state, &action).ok_or(VolunteerError::IllegalTransition {
                from: self.state,
                action: action.clone(),
            })?;
        if !self.permitted(&actor, &action) {
            return Err(VolunteerError::NotPermitted {
                actor: actor.id().to_string(),
                action,
            });
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if action != Action::Approve && reason.is_none() {
            return Err(VolunteerError::ReasonRequired { action });
        }
        let last = self.history.last().map_or(self.applied_at, |t| t.at);
        if at < last {
            return Err(VolunteerError::TimeGoesBackwards { at, last });
        }
        self.history.push(Transition {
            from: self.state,
            to,
            action,
            actor,
            at,
            reason: reason.map(str::to_string),
        });
        self.state = to;
        // `history` is non-empty: we just pushed.
        Ok(&self.history[self.history.len() - 1])
    }

    /// Lends an active volunteer to another street (跨区域调派), by a
    /// district admin, for a period that overlaps no other loan.
    pub fn lend(&mut self, loan: Loan) -> Result<(), VolunteerError> {
        if !matches!(loan.by, Actor::DistrictAdmin { .. }) {
            return Err(VolunteerError::LoanNotPermitted {
                actor: loan.by.id().to_string(),
            });
        }
        if self.state != VolunteerState::Active {
            return Err(VolunteerError::NotActive(self.state));
        }
        if loan.until <= loan.from {
            return Err(VolunteerError::EmptyLoan);
        }
        if loan.to_street_code == self.profile.home_street_code {
            return Err(VolunteerError::LoanToHomeStreet);
        }
        if loan.reason.trim().is_empty() {
            return Err(VolunteerError::LoanReasonRequired);
        }
        if self
            .loans
            .iter()
            .any(|l| l.from < loan.until && loan.from < l.until)
        {
            return Err(VolunteerError::OverlappingLoan);
        }
        self.loans.push(loan);
        Ok(())
    }

    /// Returns a volunteer on loan to their home street before the loan's
    /// end, by a district admin (who lent them), with a reason: the loan
    /// in force at `at` then ends at `at`.
    pub fn return_from_loan(
        &mut self,
        at: DateTime<Utc>,
        by: Actor,
        reason: &str,
    ) -> Result<&Loan, VolunteerError> {
        if !matches!(by, Actor::DistrictAdmin { .. }) {
            return Err(VolunteerError::LoanNotPermitted {
                actor: by.id().to_string(),
            });
        }
        if reason.trim().is_empty() {
            return Err(VolunteerError::LoanReasonRequired);
        }
        let loan = self
            .loans
            .iter_mut()
            .find(|l| l.from <= at && at < l.until)
            .ok_or(VolunteerError::NoLoanInForce(at))?;
        loan.until = at;
        loan.returned = Some(LoanReturn {
            at,
            by,
            reason: reason.trim().to_string(),
        });
        Ok(loan)
    }

    /// The loan in force at `at`, if any.
    pub fn loan_at(&self, at: DateTime<Utc>) -> Option<&Loan> {
        self.loans.iter().find(|l| l.from <= at && at < l.until)
    }

    /// Whether the volunteer may be on duty at a post of `street_code`
    /// (`post_id`) at `at`: active, and either at home or on a loan there.
    pub fn may_serve_at(&self, street_code: &str, post_id: &str, at: DateTime<Utc>) -> bool {
        if self.state != VolunteerState::Active {
            return false;
        }
        if self.profile.home_street_code == street_code {
            return true;
        }
        self.loan_at(at).is_some_and(|l| {
            l.to_street_code == street_code && l.post_id.as_deref().is_none_or(|p| p == post_id)
        })
    }
}

/// A team (服务团队) of volunteers sharing a specialty tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub specialty: String,
    pub member_ids: Vec<String>,
}

/// Groups the active volunteers into teams by specialty tag (a volunteer
/// with several tags is in several teams), sorted by tag, members in input
/// order.
pub fn teams_by_specialty<'a>(volunteers: impl IntoIterator<Item = &'a Volunteer>) -> Vec<Team> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in volunteers {
        if v.state != VolunteerState::Active {
            continue;
        }
        for tag in &v.profile.specialties {
            let tag = tag.trim();
            if tag.is_empty() {
                continue;
            }
            let members = map.entry(tag.to_string()).or_default();
            if !members.contains(&v.id) {
                members.push(v.id.clone());
            }
        }
    }
    map.into_iter()
        .map(|(specialty, member_ids)| Team {
            specialty,
            member_ids,
        })
        .collect()
}

/// Star levels (星级) by cumulative service hours, as data: level *n* is
/// reached at `thresholds_h[n-1]` hours. Local rules vary; the default is
/// the common 100/300/600/1000/1500 h (Ministry of Civil Affairs volunteer
/// record practice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StarLevels {
    pub thresholds_h: Vec<f64>,
    /// Where the thresholds come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Default for StarLevels {
    fn default() -> Self {
        StarLevels {
            thresholds_h: vec![100.0, 300.0, 600.0, 1000.0, 1500.0],
            source: Some("common practice under the 2021 volunteer service record rules".into()),
        }
    }
}

/// What can be wrong with a star table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StarLevelsError {
    #[error("threshold {index} must be finite, positive and above the previous one")]
    NotIncreasing { index: usize },
}

impl StarLevels {
    pub fn new(thresholds_h: Vec<f64>, source: Option<String>) -> Result<Self, StarLevelsError> {
        let mut last = 0.0;
        for (index, &t) in thresholds_h.iter().enumerate() {
            if !t.is_finite() || t <= last {
                return Err(StarLevelsError::NotIncreasing { index });
            }
            last = t;
        }
        Ok(StarLevels {
            thresholds_h,
            source,
        })
    }

    /// Stars earned with `hours` (0 below the first threshold).
    pub fn stars_for(&self, hours: f64) -> u8 {
        let n = self
            .thresholds_h
            .iter()
            .take_while(|&&t| hours >= t)
            .count();
        u8::try_from(n).unwrap_or(u8::MAX)
    }

    /// Hours still needed for the next star, or `None` at the top.
    pub fn hours_to_next(&self, hours: f64) -> Option<f64> {
        self.thresholds_h
            .iter()
            .find(|&&t| hours < t)
            .map(|t| t - hours)
    }
}

#[cfg(test)]
mod tests;
