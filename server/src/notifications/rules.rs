//! Who is told what: a table of event × recipient → channels, the words of
//! each message, and the volunteers a consultation is offered to.

use super::queue::NewNotification;
use crate::state::AppState;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use lawcircle_core::authz::Role;
use lawcircle_core::geo::coord::GeoPoint;
use lawcircle_core::orders::dispatch::{self, Candidate, OfferRequest};
use lawcircle_core::orders::order::{Order, OrderKind, OrderState};
use lawcircle_core::volunteers::pool::VolunteerState;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A consultation near a volunteer on duty can be grabbed.
    Offer,
    /// An earlier message no longer holds (the offer was taken by someone
    /// else, or left the grab pool): the phone removes it.
    Withdrawn,
    /// A volunteer took the requester's consultation.
    Taken,
    /// Staff gave an order to the volunteer or lawyer.
    Assigned,
    /// The assignee accepted the requester's order.
    Accepted,
    /// The requester's order moved to another level or area.
    Transferred,
    /// The requester's order was resolved: they are asked to rate it.
    Resolved,
    /// An early warning (预警) was raised for the staff who handle it.
    Warning,
    /// Staff reviewed an order the volunteer or lawyer handled in the
    /// weekly spot check (抽查).
    SpotChecked,
    /// A verification code to sign in or register with (to a number).
    SmsCode,
    /// The one-time link rating a resolved order, to a requester without
    /// an account (to a number).
    RatingLink,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Offer => "offer",
            Event::Withdrawn => "withdrawn",
            Event::Taken => "taken",
            Event::Assigned => "assigned",
            Event::Accepted => "accepted",
            Event::Transferred => "transferred",
            Event::Resolved => "resolved",
            Event::Warning => "warning",
            Event::SpotChecked => "spot_checked",
            Event::SmsCode => "sms_code",
            Event::RatingLink => "rating_link",
        }
    }

    /// The message's words: what happened, never what the trouble is or
    /// who has it.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Event::Offer => ("新的法律咨询", "附近有居民需要法律咨询，打开应用查看并抢单"),
            Event::Withdrawn => ("咨询已被接走", "这条咨询已由其他志愿者接单"),
            Event::Taken => ("已有志愿者接单", "您的法律咨询已有志愿者接单，打开应用查看"),
            Event::Assigned => ("新的派单", "工作站为您派了一张工单，打开应用查看"),
            Event::Accepted => ("工单已受理", "您的事项已有人受理，打开应用查看进度"),
            Event::Transferred => ("工单已转办", "您的事项已转交其他单位办理，打开应用查看"),
            Event::Resolved => ("事项已办结", "您的事项已办结，请打开应用为本次服务评价"),
            Event::Warning => ("新的工作预警", "有一条新的预警待处理，请打开工作台查看"),
            Event::SpotChecked => (
                "服务抽查结果",
                "您办理的一张工单已完成抽查评议，打开应用查看",
            ),
            // The provider's approved templates carry these; the words
            // name them for the staff's views.
            Event::SmsCode => ("验证码", "您的登录或注册验证码"),
            Event::RatingLink => ("服务评价", "请通过短信中的链接为本次服务评价"),
        }
    }
}

/// Who a message is for, relative to the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A volunteer or lawyer on duty the consultation is offered to.
    Offered,
    /// Whoever holds the order now.
    Assignee,
    /// The person with the legal trouble (when they have an account).
    Requester,
    /// The station staff of the street a warning is about (the district's
    /// admins when it names no street).
    Staff,
    /// A mobile number, which may have no account (a code to register
    /// with, a rating link to a requester without an account): reached by
    /// SMS only, with no settings of its own.
    Phone,
}

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The app's live stream (foreground, or a volunteer's on-duty
    /// foreground service): every message is on it, resumable.
    Stream,
    /// The phone's push devices (UnifiedPush on Android, APNs on iPhones).
    Push,
    /// A text message to the account's verified mobile, only when it has
    /// no push device (someone who rarely opens the app).
    Sms,
}

/// One rule: an event tells a recipient over these channels.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub event: Event,
    pub recipient: Recipient,
    pub channels: &'static [Channel],
    /// Sent during the person's quiet hours too (duty offers: offers only
    /// go to volunteers clocked in, who asked for them by clocking in).
    pub ignores_quiet_hours: bool,
}

const BOTH: &[Channel] = &[Channel::Stream, Channel::Push];
/// What a requester hears: by SMS too when they have no push device.
const REQUESTER: &[Channel] = &[Channel::Stream, Channel::Push, Channel::Sms];

/// The rule table.
pub const RULES: &[Rule] = &[
    Rule {
        event: Event::Offer,
        recipient: Recipient::Offered,
        channels: BOTH,
        ignores_quiet_hours: true,
    },
    Rule {
        event: Event::Withdrawn,
        recipient: Recipient::Offered,
        channels: BOTH,
        ignores_quiet_hours: true,
    },
    Rule {
        event: Event::Taken,
        recipient: Recipient::Requester,
        channels: REQUESTER,
        ignores_quiet_hours: false,
    },
    Rule {
        event: Event::Assigned,
        recipient: Recipient::Assignee,
        channels: BOTH,
        ignores_quiet_hours: false,
    },
    Rule {
        event: Event::Accepted,
        recipient: Recipient::Requester,
        channels: REQUESTER,
        ignores_quiet_hours: false,
    },
    Rule {
        event: Event::Transferred,
        recipient: Recipient::Requester,
        channels: REQUESTER,
        ignores_quiet_hours: false,
    },
    Rule {
        event: Event::Resolved,
        recipient: Recipient::Requester,
        channels: REQUESTER,
        ignores_quiet_hours: false,
    },
    Rule {
        event: Event::Warning,
        recipient: Recipient::Staff,
        channels: BOTH,
        ignores_quiet_hours: false,
    },
    Rule {
        event: Event::SpotChecked,
        recipient: Recipient::Assignee,
        channels: BOTH,
        ignores_quiet_hours: false,
    },
    // A number has no quiet hours of its own: a code is asked for now;
    // a rating link follows a resolution made in service hours.
    Rule {
        event: Event::SmsCode,
        recipient: Recipient::Phone,
        channels: &[Channel::Sms],
        ignores_quiet_hours: true,
    },
    Rule {
        event: Event::RatingLink,
        recipient: Recipient::Phone,
        channels: &[Channel::Sms],
        ignores_quiet_hours: true,
    },
];

/// The rule of `event` for `recipient`, if any.
pub fn rule(event: Event, recipient: Recipient) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.event == event && r.recipient == recipient)
}

fn message(
    event: Event,
    recipient: Recipient,
    account: &str,
    order: &Order,
) -> Option<NewNotification> {
    let rule = rule(event, recipient)?;
    let account_id = account.parse::<i64>().ok()?;
    Some(NewNotification {
        account_id,
        event,
        order_id: Some(order.id.clone()),
        withdraws: None,
        rule,
    })
}

/// The messages a change of an order causes (offers are made at intake,
/// withdrawals by [`super::queue::withdraw_offers`]).
pub fn for_order_change(before: &Order, after: &Order) -> Vec<NewNotification> {
    let mut out = Vec::new();
    if before.state == after.state && before.street_code == after.street_code {
        return out;
    }
    let requester = after.requester_id.as_str();
    let assignee = after.assignee.as_deref();
    match after.state {
        OrderState::Claimed => {
            out.extend(message(
                Event::Taken,
                Recipient::Requester,
                requester,
                after,
            ));
        }
        OrderState::Assigned => {
            if let Some(a) = assignee {
                out.extend(message(Event::Assigned, Recipient::Assignee, a, after));
            }
        }
        OrderState::InProgress if before.state == OrderState::Assigned => {
            out.extend(message(
                Event::Accepted,
                Recipient::Requester,
                requester,
                after,
            ));
        }
        OrderState::Transferred => {
            out.extend(message(
                Event::Transferred,
                Recipient::Requester,
                requester,
                after,
            ));
        }
        OrderState::Resolved => {
            out.extend(message(
                Event::Resolved,
                Recipient::Requester,
                requester,
                after,
            ));
        }
        _ => {}
    }
    out
}

/// The offer messages of a new consultation to `accounts`.
pub fn offers(order: &Order, accounts: &[i64]) -> Vec<NewNotification> {
    let Some(rule) = rule(Event::Offer, Recipient::Offered) else {
        return Vec::new();
    };
    if order.kind != OrderKind::Consultation || order.state != OrderState::Open {
        return Vec::new();
    }
    accounts
        .iter()
        .map(|a| NewNotification {
            account_id: *a,
            event: Event::Offer,
            order_id: Some(order.id.clone()),
            withdraws: None,
            rule,
        })
        .collect()
}

/// What a new consultation is, for finding who it is offered to.
#[derive(Debug, Clone)]
pub struct OfferTarget<'a> {
    pub category: &'a str,
    pub specialty: Option<&'a str>,
    pub street_code: &'a str,
    pub place: Option<GeoPoint>,
    /// Accounts that never get it (who requested and who entered it).
    pub excluded: Vec<String>,
}

/// Two points as a map key: coordinates by their bits, with their datums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PointPair([u64; 4], [lawcircle_core::geo::coord::Datum; 2]);

impl PointPair {
    fn of(from: GeoPoint, to: GeoPoint) -> Self {
        PointPair(
            [
                from.lat.to_bits(),
                from.lng.to_bits(),
                to.lat.to_bits(),
                to.lng.to_bits(),
            ],
            [from.datum, to.datum],
        )
    }
}

/// Who may be offered consultations at one moment (the same eligibility
/// as their offers list: specialty, street or loan, an open clock-in at a
/// duty post, within the walking radius of the post): the active volunteers
/// with their roles, the punches of the open-session window and the duty
/// posts, read once and used for every need of a batch (a batch of 100
/// consultations would otherwise read them 100 times), with the walking
/// distances measured so far.
pub struct OfferPool {
    volunteers: Vec<(crate::store::StoredVolunteer, Role)>,
    punches: Vec<lawcircle_core::volunteers::punch::Punch>,
    posts: Vec<lawcircle_core::catalogue::duty_post::DutyPost>,
    /// Walking distances measured so far, by (from, to).
    distances: std::collections::HashMap<PointPair, Option<dispatch::Measure>>,
}

impl OfferPool {
    /// Reads the pool as it is at `now`: the active volunteers and
    /// lawyers with a punch recent enough to hold an open clock-in (no one
    /// else can be offered a consultation), with their roles. Its cost
    /// follows who is on duty, not how many volunteers the district has.
    pub async fn load(state: &AppState, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let (punches, posts) = state.store.duty_inputs(None, now).await?;
        let accounts: Vec<i64> = punches
            .iter()
            .filter_map(|p| p.volunteer_id.parse::<i64>().ok())
            .collect::<std::collections::BTreeSet<i64>>()
            .into_iter()
            .collect();
        let vols = state
            .store
            .volunteers_of_accounts(&accounts, VolunteerState::Active)
            .await?;
        let roles = state.store.account_roles(&accounts).await?;
        let volunteers = vols
            .into_iter()
            .map(|v| {
                let role = roles.get(&v.account_id).copied().unwrap_or(Role::Volunteer);
                (v, role)
            })
            .collect();
        Ok(OfferPool {
            volunteers,
            punches,
            posts,
            distances: Default::default(),
        })
    }

    /// Whom the consultation `target` is offered to, by this pool.
    pub fn recipients(
        &mut self,
        state: &AppState,
        target: &OfferTarget<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        if target.category != "consultation" || self.volunteers.is_empty() {
            return Ok(Vec::new());
        }
        let request = OfferRequest::new(
            target.category,
            target.specialty,
            target.street_code.to_string(),
            state.offer_radius_m,
        );
        let mut out = Vec::new();
        for (v, role) in &self.volunteers {
            let id = v.account_id.to_string();
            if target.excluded.contains(&id) {
                continue;
            }
            let Some(duty) = dispatch::on_duty(&self.punches, &self.posts, &id, now) else {
                continue;
            };
            let distance = match (duty.place, target.place) {
                (Some(from), Some(to)) => *self
                    .distances
                    .entry(PointPair::of(from, to))
                    .or_insert_with(|| {
                        dispatch::distances_from(
                            state.spatial.network(),
                            from,
                            &[to],
                            state.offer_radius_m,
                        )
                        .pop()
                    }),
                _ => None,
            };
            let vol = &v.volunteer;
            let candidate = Candidate {
                id,
                role: *role,
                specialties: vol.profile.specialties.clone(),
                home_street_code: vol.profile.home_street_code.clone(),
                lent_to_street_codes: vol
                    .loan_at(now)
                    .map(|l| vec![l.to_street_code.clone()])
                    .unwrap_or_default(),
                on_duty: Some(duty),
                distance,
                current_load: 0,
                mean_rating: None,
                stars: 0,
            };
            if dispatch::ineligibility(&candidate, &request).is_empty() {
                out.push(v.account_id);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}
