//! The nine roles of the platform. A role says *what* a person or system may do; their
//! unit and jurisdiction (see [`crate::Principal`]) say *where*.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A role, named in the API and CLI by its kebab-case [`Role::as_str`] slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// 市民: submits and tracks their own requests.
    Citizen,
    /// 网格员: works one grid; sees its block data in full to visit and verify.
    GridWorker,
    /// 社区工作人员: a community workstation's staff.
    CommunityStaff,
    /// 街道工作人员: a street office's staff.
    StreetStaff,
    /// 部门处置人员: a district department's handler; sees the cases assigned to the unit.
    DepartmentHandler,
    /// 督办人员: supervises handling across the district; reads the audit log.
    Supervisor,
    /// 区管理员: administers the platform (users, tokens, the twin's boundaries).
    DistrictAdmin,
    /// 数据分析员: works with statistics and masked records.
    DataAnalyst,
    /// 外部数据使用方: another system consuming published data.
    ExternalConsumer,
    /// Open311 客户端: another system (a city app, a partner's service) that files
    /// citizens' requests over Open311 GeoReport v2 with an API key.
    Open311Client,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Citizen,
        Role::GridWorker,
        Role::CommunityStaff,
        Role::StreetStaff,
        Role::DepartmentHandler,
        Role::Supervisor,
        Role::DistrictAdmin,
        Role::DataAnalyst,
        Role::ExternalConsumer,
        Role::Open311Client,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::GridWorker => "grid-worker",
            Role::CommunityStaff => "community-staff",
            Role::StreetStaff => "street-staff",
            Role::DepartmentHandler => "department-handler",
            Role::Supervisor => "supervisor",
            Role::DistrictAdmin => "district-admin",
            Role::DataAnalyst => "data-analyst",
            Role::ExternalConsumer => "external-consumer",
            Role::Open311Client => "open311-client",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Role::Citizen => "市民",
            Role::GridWorker => "网格员",
            Role::CommunityStaff => "社区工作人员",
            Role::StreetStaff => "街道工作人员",
            Role::DepartmentHandler => "部门处置人员",
            Role::Supervisor => "督办人员",
            Role::DistrictAdmin => "区管理员",
            Role::DataAnalyst => "数据分析员",
            Role::ExternalConsumer => "外部数据使用方",
            Role::Open311Client => "Open311客户端",
        }
    }
}

/// Where a role acts: at a unit's part of the district, or over the whole district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Acts for themselves only (citizens): no jurisdiction, no unit.
    Own,
    /// Acts for one unit, over that unit's jurisdiction; a credential must name the unit.
    Unit,
    /// Acts district-wide (a unit may narrow it).
    District,
}

impl Role {
    /// Whether a credential of this role must name a unit, may, or must not.
    pub const fn scope(self) -> Scope {
        match self {
            Role::Citizen => Scope::Own,
            Role::GridWorker
            | Role::CommunityStaff
            | Role::StreetStaff
            | Role::DepartmentHandler => Scope::Unit,
            Role::Supervisor
            | Role::DistrictAdmin
            | Role::DataAnalyst
            | Role::ExternalConsumer
            | Role::Open311Client => Scope::District,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role slug that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`; expected one of: citizen, grid-worker, community-staff, street-staff, department-handler, supervisor, district-admin, data-analyst, external-consumer, open311-client")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
