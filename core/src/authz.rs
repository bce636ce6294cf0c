//! Who may do what (权限): one explicit role × action table, and one
//! function, [`decide`], that adds the scoping to it.
//!
//! Every server endpoint asks [`decide`] before it acts — with the record it
//! acts on, described by an [`On`] — and narrows what it returns to the
//! [`Scope`] it answers: a resident sees only their own records, station
//! staff (司法所) only their street, a district admin (区司法局) the whole
//! district; an order's requester contact only for whoever holds it; nobody
//! takes an order they requested or entered; station staff give orders only
//! to volunteers of their street or on loan to it. The phone uses the same
//! table to hide what a user cannot do.

use serde::{Deserialize, Serialize};

/// The roles of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 群众/企业: residents and enterprises.
    Resident,
    /// 志愿者: legal-service volunteers.
    Volunteer,
    /// 律师/村居法律顾问: lawyers serving on site.
    Lawyer,
    /// 司法所/公共法律服务站工作人员, scoped to one street.
    StationStaff,
    /// 区司法局管理员.
    DistrictAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Resident,
        Role::Volunteer,
        Role::Lawyer,
        Role::StationStaff,
        Role::DistrictAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Volunteer => "volunteer",
            Role::Lawyer => "lawyer",
            Role::StationStaff => "station_staff",
            Role::DistrictAdmin => "district_admin",
        }
    }

    /// Whether accounts of this role belong to one street.
    pub fn is_street_scoped(self) -> bool {
        matches!(self, Role::StationStaff)
    }

    fn column(self) -> usize {
        self as usize
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role {s:?}: expected resident, volunteer, lawyer, station_staff or district_admin"
                )
            })
    }
}

/// What a role may reach for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Not allowed.
    None,
    /// Only records the user owns (entered, requested, or was given).
    Own,
    /// Records of the user's street.
    Street,
    /// The whole district.
    District,
}

/// The actions the platform guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // Catalogue (资源目录)
    ReadCatalogue,
    EditFacility,
    ImportCatalogue,
    // Accounts
    CreateAccount,
    ListAccounts,
    /// Full phone and ID numbers of an account (audited).
    ReadAccountContact,
    RevokeTokens,
    /// Set a new password for someone else (shown once) or disable and
    /// enable their account.
    ManageAccount,
    ReadAuditLog,
    /// Export everything the platform holds about a person (PIPL art. 45;
    /// audited, with a reason).
    ExportPersonalData,
    /// Erase or anonymise a person's data on request (PIPL art. 47;
    /// audited, with a reason).
    ErasePersonalData,
    // Needs (需求) and orders (工单)
    SubmitNeed,
    ReadNeeds,
    /// Full contact details of a requester (audited).
    ReadNeedContact,
    GrabOrder,
    DispatchOrder,
    TransferOrder,
    RateOrder,
    HandleWarning,
    /// Orders and needs as CSV: masked, or in full with a reason (audited).
    ExportRecords,
    ReadIndicators,
    // Volunteer pool (志愿者库) and duty (签到打卡)
    ApplyVolunteer,
    ReviewVolunteer,
    LendVolunteer,
    ClockIn,
    ReviewPunch,
    /// The Prometheus `/metrics` scrape (a scrape token may stand in).
    ReadMetrics,
    // Query services
    UseCalculator,
    // Application types (办事事项) and Open311 client keys
    /// See every version of every type, retired ones included.
    ReadServiceHistory,
    /// Publish a new version of a type (or retire it).
    PublishService,
    /// Issue, list and revoke the API keys of Open311 client apps.
    ManageApiKeys,
}

use Scope::{District as D, None as N, Own as O, Street as S};

/// The table. Columns: resident, volunteer, lawyer, station_staff,
/// district_admin.
pub const TABLE: &[(Action, [Scope; 5])] = &[
    (Action::ReadCatalogue, [D, D, D, D, D]),
    (Action::EditFacility, [N, N, N, S, D]),
    (Action::ImportCatalogue, [N, N, N, N, D]),
    (Action::CreateAccount, [N, N, N, S, D]),
    (Action::ListAccounts, [N, N, N, S, D]),
    (Action::ReadAccountContact, [O, O, O, S, D]),
    (Action::RevokeTokens, [O, O, O, O, D]),
    (Action::ManageAccount, [N, N, N, S, D]),
    (Action::ReadAuditLog, [N, N, N, N, D]),
    (Action::ExportPersonalData, [N, N, N, N, D]),
    (Action::ErasePersonalData, [N, N, N, N, D]),
    (Action::SubmitNeed, [O, O, O, S, D]),
    (Action::ReadNeeds, [O, O, O, S, D]),
    (Action::ReadNeedContact, [O, O, O, S, D]),
    (Action::GrabOrder, [N, O, O, N, N]),
    (Action::DispatchOrder, [N, N, N, S, D]),
    (Action::TransferOrder, [N, N, N, S, D]),
    (Action::RateOrder, [O, N, N, N, N]),
    (Action::HandleWarning, [N, N, N, S, D]),
    (Action::ExportRecords, [N, N, N, S, D]),
    (Action::ReadIndicators, [N, N, N, S, D]),
    (Action::ApplyVolunteer, [O, O, O, N, N]),
    (Action::ReviewVolunteer, [N, N, N, S, D]),
    (Action::LendVolunteer, [N, N, N, N, D]),
    (Action::ClockIn, [N, O, O, N, N]),
    (Action::ReviewPunch, [N, N, N, S, D]),
    (Action::ReadMetrics, [N, N, N, S, D]),
    (Action::UseCalculator, [D, D, D, D, D]),
    (Action::ReadServiceHistory, [N, N, N, D, D]),
    (Action::PublishService, [N, N, N, N, D]),
    (Action::ManageApiKeys, [N, N, N, N, D]),
];

/// What `role` may reach for `action`.
pub fn scope(role: Role, action: Action) -> Scope {
    TABLE
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(Scope::None, |(_, row)| row[role.column()])
}

/// Whether `role` may do `action` at all.
pub fn allowed(role: Role, action: Action) -> bool {
    scope(role, action) != Scope::None
}

/// Who asks: an account's id, role and street (station staff's street, or
/// the home street other accounts may have).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who<'a> {
    pub id: &'a str,
    pub role: Role,
    pub street_code: Option<&'a str>,
}

/// What the scoping of an order needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts<'a> {
    /// The account of the person with the legal trouble; empty when they
    /// have none (a name and a mobile number only), and then it matches
    /// nobody.
    pub requester_id: &'a str,
    /// The account that entered the need (a lawyer on site, hotline staff,
    /// an Open311 client, or the requester themselves), when known.
    pub entered_by: Option<&'a str>,
    pub assignee: Option<&'a str>,
    pub street_code: &'a str,
    /// The assignee holds it: grabbed, accepted, or done by them.
    pub held: bool,
    /// Open for grabbing or dispatch.
    pub open: bool,
}

/// Someone an order would be given to (by grabbing it or by dispatch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taker<'a> {
    pub account_id: &'a str,
    /// Has an active volunteer record.
    pub active: bool,
    pub home_street_code: &'a str,
    /// The street the volunteer is lent to right now, if any.
    pub lent_to_street_code: Option<&'a str>,
}

/// What an action is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On<'a> {
    /// No one record: a list (narrowed to the answered scope) or a write
    /// with no place.
    Everything,
    /// Writing a record into a street (a need, a facility): station staff
    /// only into their own; `None` for a place outside every street.
    WriteIn(Option<&'a str>),
    /// An existing record of a street (a warning, a punch): outside the
    /// caller's street it is as if missing.
    Record(Option<&'a str>),
    /// A record spanning streets (a volunteer's punch chain): visible to
    /// station staff when empty or when one of them is theirs.
    AnyOf(&'a [&'a str]),
    /// An existing account.
    Account {
        id: &'a str,
        role: Role,
        street_code: Option<&'a str>,
    },
    /// An account to create.
    NewAccount {
        role: Role,
        street_code: Option<&'a str>,
    },
    /// A need, by who entered it, the requester's account (when they have
    /// one) and its street.
    Need {
        entered_by: &'a str,
        requester: Option<&'a str>,
        street_code: Option<&'a str>,
    },
    /// An order.
    Order(OrderFacts<'a>),
    /// An order change on the live event stream: volunteers also learn
    /// that an open order exists (to refresh their offers).
    LiveOrder(OrderFacts<'a>),
    /// Giving an order to someone: the caller grabbing it
    /// ([`Action::GrabOrder`]) or staff dispatching it
    /// ([`Action::DispatchOrder`]).
    Taking {
        order: OrderFacts<'a>,
        taker: Taker<'a>,
    },
    /// A volunteer record, by its account and home street.
    Volunteer {
        account_id: &'a str,
        home_street_code: &'a str,
    },
}

/// Why [`decide`] said no.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The caller may not (HTTP 403), with the reason.
    #[error("{0}")]
    Forbidden(String),
    /// The record is outside the caller's reach and answered as missing
    /// (HTTP 404), so its existence is not disclosed.
    #[error("not found")]
    Hidden,
}

fn forbidden(reason: impl Into<String>) -> Refusal {
    Refusal::Forbidden(reason.into())
}

/// The one place that decides access: whether `who` may do `action` on
/// `on`, and with which scope (lists are narrowed to it: their own records,
/// their street, or the district).
pub fn decide(who: &Who<'_>, action: Action, on: &On<'_>) -> Result<Scope, Refusal> {
    let scope = scope(who.role, action);
    // A volunteer's own record is theirs whatever the role may otherwise do.
    if let On::Volunteer { account_id, .. } = on
        && *account_id == who.id
    {
        return Ok(scope);
    }
    if scope == Scope::None {
        return Err(forbidden("your role may not do this"));
    }
    let street_match = |code: Option<&str>| who.street_code.is_some() && who.street_code == code;
    if scope == Scope::Street && who.street_code.is_none() {
        return Err(forbidden("your account belongs to no street"));
    }
    match *on {
        On::Everything => Ok(scope),
        On::WriteIn(street) => match scope {
            Scope::Street if !street_match(street) => Err(forbidden(format!(
                "station staff act in their own street ({}) only",
                who.street_code.unwrap_or("")
            ))),
            _ => Ok(scope),
        },
        On::Record(street) => match scope {
            Scope::Street if !street_match(street) => Err(Refusal::Hidden),
            _ => Ok(scope),
        },
        On::AnyOf(streets) => match scope {
            Scope::Street
                if !streets.is_empty() && !streets.iter().any(|s| street_match(Some(s))) =>
            {
                Err(Refusal::Hidden)
            }
            _ => Ok(scope),
        },
        On::Account {
            id,
            role,
            street_code,
        } => {
            let own = who.id == id;
            if action == Action::ManageAccount && own {
                return Err(forbidden(
                    "not on your own account: change your password with your old one",
                ));
            }
            match scope {
                Scope::District => Ok(scope),
                Scope::Own if own => Ok(scope),
                Scope::Own => Err(forbidden("only your own account")),
                Scope::Street if own => Ok(scope),
                Scope::Street if !street_match(street_code) => Err(Refusal::Hidden),
                Scope::Street
                    if action == Action::ManageAccount
                        && !matches!(role, Role::Resident | Role::Volunteer | Role::Lawyer) =>
                {
                    Err(forbidden(
                        "station staff manage resident, volunteer and lawyer accounts only",
                    ))
                }
                _ => Ok(scope),
            }
        }
        On::NewAccount { role, street_code } => match scope {
            Scope::Street if !matches!(role, Role::Resident | Role::Volunteer | Role::Lawyer) => {
                Err(forbidden(
                    "station staff may create resident, volunteer and lawyer accounts only",
                ))
            }
            Scope::Street if street_code.is_some() && !street_match(street_code) => Err(forbidden(
                "station staff may create accounts in their own street only",
            )),
            _ => Ok(scope),
        },
        On::Need {
            entered_by,
            requester,
            street_code,
        } => {
            let own = entered_by == who.id || requester == Some(who.id);
            match scope {
                Scope::District => Ok(scope),
                Scope::Street if own || street_match(street_code) => Ok(scope),
                Scope::Own if own => Ok(scope),
                _ => Err(Refusal::Hidden),
            }
        }
        On::Order(order) => {
            // An empty requester (no account) is nobody, not an empty id.
            let requester = !order.requester_id.is_empty() && order.requester_id == who.id;
            let visible = match scope {
                Scope::District => true,
                Scope::Street => street_match(Some(order.street_code)),
                _ => {
                    requester || order.assignee == Some(who.id) || order.entered_by == Some(who.id)
                }
            };
            // The requester's contact: the requester, staff in scope, and
            // the assignee only while they hold the order (a grab's losers
            // and a dispatched assignee who has not accepted are refused).
            if action == Action::ReadNeedContact
                && scope == Scope::Own
                && !requester
                && !(order.held && order.assignee == Some(who.id))
            {
                return Err(forbidden(
                    "only the requester, staff and the volunteer holding the order see the contact",
                ));
            }
            if !visible {
                return Err(Refusal::Hidden);
            }
            Ok(scope)
        }
        On::LiveOrder(order) => {
            let visible = match scope {
                Scope::District => true,
                Scope::Street => street_match(Some(order.street_code)),
                _ => {
                    order.assignee == Some(who.id)
                        || (order.open && allowed(who.role, Action::GrabOrder))
                }
            };
            if visible {
                Ok(scope)
            } else {
                Err(Refusal::Hidden)
            }
        }
        On::Taking { order, taker } => {
            if scope == Scope::Street && !street_match(Some(order.street_code)) {
                return Err(Refusal::Hidden);
            }
            if action == Action::GrabOrder && taker.account_id != who.id {
                return Err(forbidden("a volunteer grabs an order for themselves only"));
            }
            if !taker.active {
                return Err(forbidden(if action == Action::GrabOrder {
                    "only active volunteers may grab orders"
                } else {
                    "not an active volunteer or lawyer account"
                }));
            }
            if taker.account_id == order.requester_id || order.entered_by == Some(taker.account_id)
            {
                return Err(forbidden(if action == Action::GrabOrder {
                    "you cannot take an order you requested or entered yourself"
                } else {
                    "an order cannot be given to the person who requested or entered it"
                }));
            }
            if scope == Scope::Street
                && taker.home_street_code != order.street_code
                && taker.lent_to_street_code != Some(order.street_code)
            {
                return Err(forbidden(format!(
                    "this volunteer belongs to street {} and is not on loan to street {}",
                    taker.home_street_code, order.street_code
                )));
            }
            Ok(scope)
        }
        On::Volunteer {
            home_street_code, ..
        } => match scope {
            Scope::District => Ok(scope),
            Scope::Street if street_match(Some(home_street_code)) => Ok(scope),
            Scope::Street => Err(Refusal::Hidden),
            _ => Err(forbidden("your role may not do this")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_action_has_exactly_one_row() {
        let actions: HashSet<Action> = TABLE.iter().map(|(a, _)| *a).collect();
        assert_eq!(actions.len(), TABLE.len());
    }

    #[test]
    fn exports_are_staff_of_the_street_and_admins_only() {
        for role in [Role::Resident, Role::Volunteer, Role::Lawyer] {
            assert!(!allowed(role, Action::ExportRecords), "{role:?}");
        }
        assert_eq!(
            scope(Role::StationStaff, Action::ExportRecords),
            Scope::Street
        );
        assert_eq!(
            scope(Role::DistrictAdmin, Action::ExportRecords),
            Scope::District
        );
    }

    #[test]
    fn residents_see_only_their_own_and_staff_only_their_street() {
        assert_eq!(scope(Role::Resident, Action::ReadNeeds), Scope::Own);
        assert_eq!(scope(Role::StationStaff, Action::ReadNeeds), Scope::Street);
        assert_eq!(
            scope(Role::DistrictAdmin, Action::ReadNeeds),
            Scope::District
        );
        assert!(!allowed(Role::Resident, Action::ReadAuditLog));
        assert!(!allowed(Role::StationStaff, Action::ImportCatalogue));
        assert!(!allowed(Role::DistrictAdmin, Action::GrabOrder));
        assert!(allowed(Role::Volunteer, Action::ClockIn));
    }

    fn who(id: &'static str, role: Role, street: Option<&'static str>) -> Who<'static> {
        Who {
            id,
            role,
            street_code: street,
        }
    }

    fn order(assignee: Option<&'static str>, held: bool) -> OrderFacts<'static> {
        OrderFacts {
            requester_id: "r",
            entered_by: Some("e"),
            assignee,
            street_code: "s1",
            held,
            open: !held,
        }
    }

    fn taker(id: &'static str, home: &'static str, lent: Option<&'static str>) -> Taker<'static> {
        Taker {
            account_id: id,
            active: true,
            home_street_code: home,
            lent_to_street_code: lent,
        }
    }

    #[test]
    fn staff_dispatch_within_their_street_or_to_volunteers_lent_to_it() {
        let staff = who("st", Role::StationStaff, Some("s1"));
        let take = |t| On::Taking {
            order: order(None, false),
            taker: t,
        };
        assert!(decide(&staff, Action::DispatchOrder, &take(taker("v", "s1", None))).is_ok());
        assert!(matches!(
            decide(&staff, Action::DispatchOrder, &take(taker("v", "s2", None))),
            Err(Refusal::Forbidden(_))
        ));
        assert!(
            decide(
                &staff,
                Action::DispatchOrder,
                &take(taker("v", "s2", Some("s1")))
            )
            .is_ok()
        );
        assert!(matches!(
            decide(
                &staff,
                Action::DispatchOrder,
                &take(taker("v", "s2", Some("s3")))
            ),
            Err(Refusal::Forbidden(_))
        ));
        // Another street's order is not theirs to see.
        let other = who("st2", Role::StationStaff, Some("s2"));
        assert_eq!(
            decide(&other, Action::DispatchOrder, &take(taker("v", "s2", None))),
            Err(Refusal::Hidden)
        );
        // The district dispatches anywhere.
        let admin = who("a", Role::DistrictAdmin, None);
        assert!(decide(&admin, Action::DispatchOrder, &take(taker("v", "s9", None))).is_ok());
    }

    #[test]
    fn nobody_takes_what_they_requested_or_entered() {
        let filer = who("r", Role::Volunteer, Some("s1"));
        let mine = On::Taking {
            order: order(None, false),
            taker: taker("r", "s1", None),
        };
        assert!(matches!(
            decide(&filer, Action::GrabOrder, &mine),
            Err(Refusal::Forbidden(m)) if m.contains("requested or entered")
        ));
        let staff = who("st", Role::StationStaff, Some("s1"));
        assert!(matches!(
            decide(&staff, Action::DispatchOrder, &mine),
            Err(Refusal::Forbidden(m)) if m.contains("requested or entered")
        ));
        let other = who("v", Role::Volunteer, None);
        let theirs = On::Taking {
            order: order(None, false),
            taker: taker("v", "s1", None),
        };
        assert!(decide(&other, Action::GrabOrder, &theirs).is_ok());
        // Grabbing for someone else, or without an active record: no.
        assert!(decide(&filer, Action::GrabOrder, &theirs).is_err());
        let inactive = On::Taking {
            order: order(None, false),
            taker: Taker {
                active: false,
                ..taker("v", "s1", None)
            },
        };
        assert!(decide(&other, Action::GrabOrder, &inactive).is_err());
    }

    #[test]
    fn the_contact_is_for_the_requester_staff_and_the_holder() {
        let holder = who("v", Role::Volunteer, None);
        let read = |o| decide(&holder, Action::ReadNeedContact, &On::Order(o));
        assert!(read(order(Some("v"), true)).is_ok());
        assert!(matches!(
            read(order(Some("v"), false)),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            read(order(Some("w"), true)),
            Err(Refusal::Forbidden(_))
        ));
        let requester = who("r", Role::Resident, None);
        assert!(
            decide(
                &requester,
                Action::ReadNeedContact,
                &On::Order(order(Some("v"), true))
            )
            .is_ok()
        );
        let far = who("st2", Role::StationStaff, Some("s2"));
        assert_eq!(
            decide(
                &far,
                Action::ReadNeedContact,
                &On::Order(order(None, false))
            ),
            Err(Refusal::Hidden)
        );
        // Reading the order itself: the holder yes, others as if missing.
        assert!(
            decide(
                &holder,
                Action::ReadNeeds,
                &On::Order(order(Some("v"), true))
            )
            .is_ok()
        );
        assert_eq!(
            decide(
                &holder,
                Action::ReadNeeds,
                &On::Order(order(Some("w"), true))
            ),
            Err(Refusal::Hidden)
        );
    }

    #[test]
    fn accounts_are_managed_in_scope_and_never_on_oneself() {
        let staff = who("st", Role::StationStaff, Some("s1"));
        let account = |id, role, street| On::Account {
            id,
            role,
            street_code: street,
        };
        assert!(
            decide(
                &staff,
                Action::ManageAccount,
                &account("1", Role::Resident, Some("s1"))
            )
            .is_ok()
        );
        assert_eq!(
            decide(
                &staff,
                Action::ManageAccount,
                &account("1", Role::Resident, Some("s2"))
            ),
            Err(Refusal::Hidden)
        );
        assert!(matches!(
            decide(
                &staff,
                Action::ManageAccount,
                &account("2", Role::StationStaff, Some("s1"))
            ),
            Err(Refusal::Forbidden(_))
        ));
        assert!(matches!(
            decide(
                &staff,
                Action::ManageAccount,
                &account("st", Role::StationStaff, Some("s1"))
            ),
            Err(Refusal::Forbidden(_))
        ));
        let resident = who("9", Role::Resident, None);
        assert!(matches!(
            decide(
                &resident,
                Action::ManageAccount,
                &account("9", Role::Resident, None)
            ),
            Err(Refusal::Forbidden(_))
        ));
        // Own records of the other kinds.
        assert!(
            decide(
                &resident,
                Action::ReadAccountContact,
                &account("9", Role::Resident, None)
            )
            .is_ok()
        );
        assert!(matches!(
            decide(
                &resident,
                Action::ReadAccountContact,
                &account("8", Role::Resident, None)
            ),
            Err(Refusal::Forbidden(_))
        ));
        assert!(
            decide(
                &resident,
                Action::ReviewVolunteer,
                &On::Volunteer {
                    account_id: "9",
                    home_street_code: "s1"
                }
            )
            .is_ok()
        );
        assert_eq!(
            decide(&staff, Action::ReviewPunch, &On::Record(Some("s2"))),
            Err(Refusal::Hidden)
        );
        assert!(matches!(
            decide(&staff, Action::EditFacility, &On::WriteIn(Some("s2"))),
            Err(Refusal::Forbidden(_))
        ));
    }

    #[test]
    fn roles_parse() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
