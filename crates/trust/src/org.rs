//! The organisation tree: the district, its departments, the street offices, the
//! community workstations and the grid teams. Each unit acts over a jurisdiction.

use std::{fmt, str::FromStr};

use citymirror_core::GridCode;
use serde::Serialize;

/// The kind of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    /// 区: the district government, root of the tree.
    District,
    /// 区职能部门: a district department (城管, 住建, 水务…).
    Department,
    /// 街道办事处.
    StreetOffice,
    /// 社区工作站.
    CommunityStation,
    /// 网格: the team (one or more grid workers) of one grid.
    GridTeam,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::District,
        UnitKind::Department,
        UnitKind::StreetOffice,
        UnitKind::CommunityStation,
        UnitKind::GridTeam,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            UnitKind::District => "district",
            UnitKind::Department => "department",
            UnitKind::StreetOffice => "street-office",
            UnitKind::CommunityStation => "community-station",
            UnitKind::GridTeam => "grid-team",
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown unit kind `{s}`"))
    }
}

/// One unit of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// A stable code: the grid code for the district, streets, communities and grids
    /// (`440304001`), `<district>-D<nn>` for departments (`440304-D01`).
    pub id: String,
    pub kind: UnitKind,
    pub name: String,
    pub parent: Option<String>,
    /// The part of the district the unit acts over. Departments act district-wide.
    pub jurisdiction: GridCode,
}
