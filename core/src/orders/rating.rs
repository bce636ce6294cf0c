//! Rating each service once (一事一评) and satisfaction (满意率).
//!
//! * A rating is a score 1–5 with an optional comment of at most
//!   [`MAX_COMMENT_CHARS`] characters, given by the requester once the order
//!   is resolved. "Once" is kept twice: the order leaves `resolved` when it
//!   is rated ([`crate::orders::order::OrderEvent::Evaluate`]), and the server keeps
//!   one rating per order (a unique key on `order_id`; [`check_once`] is
//!   the same rule in memory).
//! * **Satisfaction** = the share of ratings with a score ≥ 4
//!   ([`SATISFIED_MIN_SCORE`]), i.e. (4s + 5s) / all ratings; no ratings
//!   gives `None`, not 0 or 100%. The plan's targets (满意率 ≥ 80% by end
//!   2024, ≥ 90% by end 2026) are compared against this figure.
//! * A **low rating** (score ≤ 2, [`LOW_RATING_MAX_SCORE`]) raises a warning
//!   that is only closed by a recorded call-back (回访), following the
//!   12348 practice of a 100% call-back on negative ratings.

use crate::orders::order::{Actor, Order, OrderError, OrderEvent, OrderState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_COMMENT_CHARS: usize = 500;
/// Scores from this up count as satisfied.
pub const SATISFIED_MIN_SCORE: u8 = 4;
/// Scores up to this raise a call-back warning.
pub const LOW_RATING_MAX_SCORE: u8 = 2;

/// A requester's rating of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub order_id: String,
    pub score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub rated_by: String,
    pub at: DateTime<Utc>,
}

/// Why a rating is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("a score is 1 to 5, not {0}")]
    ScoreOutOfRange(u8),
    #[error("the comment has {chars} characters, at most {max} are allowed")]
    CommentTooLong { chars: usize, max: usize },
    #[error("order {order_id} is already rated")]
    AlreadyRated { order_id: String },
    #[error("order {order_id} is {state}: only a resolved order can be rated")]
    NotResolved { order_id: String, state: OrderState },
    #[error(transparent)]
    Order(#[from] OrderError),
}

impl Rating {
    /// A validated rating: score 1–5, comment trimmed, empty → none, at
    /// most 500 characters (not bytes).
    pub fn new(
        order_id: impl Into<String>,
        score: u8,
        comment: Option<&str>,
        rated_by: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Result<Self, RatingError> {
        if !(1..=5).contains(&score) {
            return Err(RatingError::ScoreOutOfRange(score));
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = comment {
            let chars = c.chars().count();
            if chars > MAX_COMMENT_CHARS {
                return Err(RatingError::CommentTooLong {
                    chars,
                    max: MAX_COMMENT_CHARS,
                });
            }
        }
        Ok(Rating {
            order_id: order_id.into(),
            score,
            comment: comment.map(str::to_string),
            rated_by: rated_by.into(),
            at,
        })
    }

    pub fn is_satisfied(&self) -> bool {
        self.score >= SATISFIED_MIN_SCORE
    }

    pub fn is_low(&self) -> bool {
        self.score <= LOW_RATING_MAX_SCORE
    }
}

/// The once-only rule: refuses a rating for an order that already has one
/// in `existing`.
pub fn check_once(existing: &[Rating], order_id: &str) -> Result<(), RatingError> {
    if existing.iter().any(|r| r.order_id == order_id) {
        return Err(RatingError::AlreadyRated {
            order_id: order_id.to_string(),
        });
    }
    Ok(())
}

/// Rates a resolved order: validates the rating, applies the `evaluate`
/// event as `actor` (who must be the requester) and returns the rating and,
/// for a low score, the call-back it requires.
pub fn rate(
    order: &mut Order,
    score: u8,
    comment: Option<&str>,
    actor: Actor,
    at: DateTime<Utc>,
) -> Result<(Rating, Option<CallBackRequired>), RatingError> {
    match order.state {
        OrderState::Resolved => {}
        OrderState::Evaluated | OrderState::Closed
            if order.first_reached(OrderState::Evaluated).is_some() =>
        {
            return Err(RatingError::AlreadyRated {
                order_id: order.id.clone(),
            });
        }
        state => {
            return Err(RatingError::NotResolved {
                order_id: order.id.clone(),
                state,
            });
        }
    }
    let rating = Rating::new(order.id.clone(), score, comment, actor.id.clone(), at)?;
    order.apply(OrderEvent::Evaluate, actor, at)?;
    let follow_up = rating.is_low().then(|| CallBackRequired {
        order_id: rating.order_id.clone(),
        score: rating.score,
        rated_at: at,
        call_back: None,
    });
    Ok((rating, follow_up))
}

/// Satisfaction: share of scores ≥ 4; `None` when there are none.
pub fn satisfaction<I: IntoIterator<Item = u8>>(scores: I) -> Option<f64> {
    let (mut n, mut ok) = (0u64, 0u64);
    for s in scores {
        n += 1;
        if s >= SATISFIED_MIN_SCORE {
            ok += 1;
        }
    }
    (n > 0).then(|| ok as f64 / n as f64)
}

/// Satisfaction of a set of ratings.
pub fn satisfaction_of(ratings: &[Rating]) -> Option<f64> {
    satisfaction(ratings.iter().map(|r| r.score))
}

/// A recorded call-back (回访) to the requester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallBack {
    pub by: String,
    pub at: DateTime<Utc>,
    /// Whether the requester was reached.
    pub reached: bool,
    pub note: String,
}

/// A low rating waiting for its call-back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallBackRequired {
    pub order_id: String,
    pub score: u8,
    pub rated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_back: Option<CallBack>,
}

/// Why a call-back cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallBackError {
    #[error("a call-back needs a note of what was said")]
    NoteRequired,
    #[error("the call-back at {at} is before the rating at {rated_at}")]
    BeforeRating {
        at: DateTime<Utc>,
        rated_at: DateTime<Utc>,
    },
}

impl CallBackRequired {
    /// Records a call-back; a later one replaces an earlier unreached one.
    pub fn record(&mut self, call_back: CallBack) -> Result<(), CallBackError> {
        if call_back.note.trim().is_empty() {
            return Err(CallBackError::NoteRequired);
        }
        if call_back.at < self.rated_at {
            return Err(CallBackError::BeforeRating {
                at: call_back.at,
                rated_at: self.rated_at,
            });
        }
        self.call_back = Some(call_back);
        Ok(())
    }

    /// Done once the requester was reached.
    pub fn is_done(&self) -> bool {
        self.call_back.as_ref().is_some_and(|c| c.reached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Role;
    use crate::orders::order::tests::{new_order, t0};
    use crate::orders::order::{Actor, OrderKind};

    fn resolved() -> Order {
        let mut o = new_order(OrderKind::Consultation);
        let v = Actor::user("v1", Role::Volunteer);
        o.apply(OrderEvent::Open, Actor::system("job"), t0())
            .unwrap();
        o.apply(
            OrderEvent::Grab {
                volunteer: "v1".into(),
            },
            v.clone(),
            t0(),
        )
        .unwrap();
        o.apply(OrderEvent::Start, v.clone(), t0()).unwrap();
        o.apply(
            OrderEvent::Resolve {
                note: "done".into(),
            },
            v,
            t0(),
        )
        .unwrap();
        o
    }

    #[test]
    fn validation() {
        assert_eq!(
            Rating::new("o", 0, None, "r", t0()),
            Err(RatingError::ScoreOutOfRange(0))
        );
        assert_eq!(
            Rating::new("o", 6, None, "r", t0()),
            Err(RatingError::ScoreOutOfRange(6))
        );
        // 500 Chinese characters are fine (1500 bytes), 501 are not.
        let ok = "好".repeat(500);
        assert!(Rating::new("o", 5, Some(&ok), "r", t0()).is_ok());
        let long = "好".repeat(501);
        assert_eq!(
            Rating::new("o", 5, Some(&long), "r", t0()),
            Err(RatingError::CommentTooLong {
                chars: 501,
                max: 500
            })
        );
        let r = Rating::new("o", 3, Some("   "), "r", t0()).unwrap();
        assert_eq!(r.comment, None);
    }

    #[test]
    fn rated_once_and_low_rating_needs_call_back() {
        let mut o = resolved();
        let r1 = Actor::user("r1", Role::Resident);
        let (rating, follow) = rate(&mut o, 2, Some("没人回电话"), r1.clone(), t0()).unwrap();
        assert!(rating.is_low());
        let mut follow = follow.unwrap();
        assert!(!follow.is_done());
        assert_eq!(
            rate(&mut o, 5, None, r1, t0()),
            Err(RatingError::AlreadyRated {
                order_id: "o1".into()
            })
        );
        assert_eq!(
            check_once(std::slice::from_ref(&rating), "o1"),
            Err(RatingError::AlreadyRated {
                order_id: "o1".into()
            })
        );
        assert!(check_once(&[rating], "o2").is_ok());
        assert_eq!(
            follow.record(CallBack {
                by: "s1".into(),
                at: t0(),
                reached: true,
                note: " ".into()
            }),
            Err(CallBackError::NoteRequired)
        );
        follow
            .record(CallBack {
                by: "s1".into(),
                at: t0(),
                reached: false,
                note: "no answer".into(),
            })
            .unwrap();
        assert!(!follow.is_done());
        follow
            .record(CallBack {
                by: "s1".into(),
                at: t0(),
                reached: true,
                note: "apologised, re-assigned".into(),
            })
            .unwrap();
        assert!(follow.is_done());
    }

    #[test]
    fn only_resolved_orders_are_rated_and_good_scores_need_no_call_back() {
        let mut o = new_order(OrderKind::Service);
        assert!(matches!(
            rate(&mut o, 5, None, Actor::user("r1", Role::Resident), t0()),
            Err(RatingError::NotResolved { .. })
        ));
        let mut o = resolved();
        // Someone else than the requester: refused by the order.
        assert!(matches!(
            rate(&mut o, 5, None, Actor::user("r9", Role::Resident), t0()),
            Err(RatingError::Order(OrderError::NotPermitted { .. }))
        ));
        let (_, follow) = rate(&mut o, 4, None, Actor::user("r1", Role::Resident), t0()).unwrap();
        assert!(follow.is_none());
    }

    #[test]
    fn satisfaction_is_share_of_four_and_five() {
        assert_eq!(satisfaction([]), None);
        // 5, 4, 4 satisfied; 3, 1 not: 3 / 5 = 0.6.
        assert_eq!(satisfaction([5, 4, 3, 1, 4]), Some(0.6));
        assert_eq!(satisfaction([3]), Some(0.0));
    }
}
