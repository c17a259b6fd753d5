//! What a role may do: the permission matrix, as code. `docs/permissions.md` shows the
//! same table for people, and a test keeps the two equal.

use citymirror_core::DataGrade;
use serde::Serialize;

use crate::Role;

/// An action on a kind of resource. Where it applies (which grid, which unit) is the
/// principal's jurisdiction's business, checked by [`crate::authorize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Read the twin's layers (OGC API Features). Open to everyone, anonymous included;
    /// properties above the reader's entitlement are masked.
    TwinRead,
    /// Create, replace, update or delete features of the field layers (buildings,
    /// components, pipes, cameras, devices) inside one's jurisdiction.
    TwinWrite,
    /// Change the administrative layers (district, streets, communities, grids).
    TwinAdminister,
    /// Read block-data records (persons, houses, entities) inside one's jurisdiction.
    RecordsRead,
    /// Read the organisation tree.
    UnitsRead,
    /// List user accounts.
    UsersRead,
    /// Create, disable or change user accounts.
    UsersManage,
    /// Mint, list and revoke API tokens.
    TokensManage,
    /// Read the audit log's entries (checkpoints and proofs are public).
    AuditRead,
    /// File a request (民意速办) on someone's behalf or one's own.
    CasesSubmit,
    /// Read tickets in full (masked to entitlement): those in one's jurisdiction or
    /// routed to one's unit; a department's handlers, those routed to their unit.
    CasesRead,
    /// Work tickets routed to one's unit: accept, return, contact, visit, resolve.
    CasesHandle,
    /// Dispatch tickets waiting in triage, file them under another service, close them.
    CasesTriage,
    /// Supervise (督办): flag tickets, set deadlines, read the escalations.
    CasesSupervise,
    /// Read the request loop's statistics for one's jurisdiction.
    CasesStats,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::TwinRead,
        Action::TwinWrite,
        Action::TwinAdminister,
        Action::RecordsRead,
        Action::UnitsRead,
        Action::UsersRead,
        Action::UsersManage,
        Action::TokensManage,
        Action::AuditRead,
        Action::CasesSubmit,
        Action::CasesRead,
        Action::CasesHandle,
        Action::CasesTriage,
        Action::CasesSupervise,
        Action::CasesStats,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Action::TwinRead => "twin.read",
            Action::TwinWrite => "twin.write",
            Action::TwinAdminister => "twin.administer",
            Action::RecordsRead => "records.read",
            Action::UnitsRead => "units.read",
            Action::UsersRead => "users.read",
            Action::UsersManage => "users.manage",
            Action::TokensManage => "tokens.manage",
            Action::AuditRead => "audit.read",
            Action::CasesSubmit => "cases.submit",
            Action::CasesRead => "cases.read",
            Action::CasesHandle => "cases.handle",
            Action::CasesTriage => "cases.triage",
            Action::CasesSupervise => "cases.supervise",
            Action::CasesStats => "cases.stats",
        }
    }
}

impl Role {
    /// Whether this role may perform `action` at all. The whole matrix is this one
    /// match, so a reviewer reads every grant in one screen.
    pub const fn grants(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            TwinRead => true,
            TwinWrite => matches!(
                self,
                GridWorker | CommunityStaff | StreetStaff | DistrictAdmin
            ),
            TwinAdminister => matches!(self, DistrictAdmin),
            RecordsRead => matches!(
                self,
                GridWorker
                    | CommunityStaff
                    | StreetStaff
                    | Supervisor
                    | DistrictAdmin
                    | DataAnalyst
            ),
            UnitsRead => !matches!(self, Citizen | ExternalConsumer | Open311Client),
            UsersRead => matches!(self, Supervisor | DistrictAdmin),
            UsersManage | TokensManage => matches!(self, DistrictAdmin),
            AuditRead => matches!(self, Supervisor | DistrictAdmin),
            CasesSubmit => !matches!(self, DataAnalyst | ExternalConsumer),
            CasesRead => matches!(
                self,
                GridWorker
                    | CommunityStaff
                    | StreetStaff
                    | DepartmentHandler
                    | Supervisor
                    | DistrictAdmin
            ),
            CasesHandle => matches!(
                self,
                GridWorker | CommunityStaff | StreetStaff | DepartmentHandler | DistrictAdmin
            ),
            CasesTriage | CasesSupervise => matches!(self, Supervisor | DistrictAdmin),
            CasesStats => matches!(
                self,
                CommunityStaff | StreetStaff | Supervisor | DistrictAdmin | DataAnalyst
            ),
        }
    }

    /// The most sensitive grade this role reads unmasked (GB/T 43697 一般-1 … 一般-4).
    /// Workers who visit residents see identifiers in full; offices above them see
    /// names but not identifiers; analysts and outside systems see public data only.
    pub const fn entitlement(self) -> DataGrade {
        match self {
            Role::GridWorker | Role::CommunityStaff => DataGrade::General(4),
            Role::StreetStaff | Role::Supervisor | Role::DistrictAdmin => DataGrade::General(3),
            Role::DepartmentHandler | Role::DataAnalyst => DataGrade::General(2),
            Role::Citizen | Role::ExternalConsumer | Role::Open311Client => DataGrade::General(1),
        }
    }
}

/// What an anonymous reader is entitled to: public data.
pub const ANONYMOUS_ENTITLEMENT: DataGrade = DataGrade::General(1);
