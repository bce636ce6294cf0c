//! Who may do what (权限): one explicit role × action table.
//!
//! Every server endpoint asks [`scope`] before it acts, and narrows what it
//! returns to the scope: a resident sees only their own records, station
//! staff (司法所) only their street, a district admin (区司法局) the whole
//! district. The phone uses the same table to hide what a user cannot do.

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
    ReadIndicators,
    // Volunteer pool (志愿者库) and duty (签到打卡)
    ApplyVolunteer,
    ReviewVolunteer,
    LendVolunteer,
    ClockIn,
    ReviewPunch,
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
    (Action::ReadIndicators, [N, N, N, S, D]),
    (Action::ApplyVolunteer, [O, O, O, N, N]),
    (Action::ReviewVolunteer, [N, N, N, S, D]),
    (Action::LendVolunteer, [N, N, N, N, D]),
    (Action::ClockIn, [N, O, O, N, N]),
    (Action::ReviewPunch, [N, N, N, S, D]),
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

    #[test]
    fn roles_parse() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
