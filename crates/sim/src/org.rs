//! The synthetic district's organisation: the district, its departments, the street
//! offices, community workstations and grid teams (one unit per administrative feature
//! the generator laid out), a provisioned account for every street, community and grid,
//! and one documented demo login per role.

use citymirror_core::{GridCode, LayerId, RepoError};
use citymirror_trust::{password, NewUser, Role, TrustRepo, Unit, UnitKind};
use citymirror_twin::TwinRepo;

use crate::SimError;

/// The password of every demo account. Documented in the README; change it (or drop the
/// demo accounts) before a deployment holds real data.
pub const DEMO_PASSWORD: &str = "Futian@2026";

/// The district departments that receive dispatched cases (区职能部门).
pub static DEPARTMENTS: [&str; 14] = [
    "区城市管理和综合执法局",
    "区住房和建设局",
    "区水务局",
    "区交通运输局",
    "区生态环境局",
    "区市场监督管理局",
    "区卫生健康局",
    "区应急管理局",
    "区公安分局",
    "区民政局",
    "区教育局",
    "区政务服务数据管理局",
    "区人力资源局",
    "区文化广电旅游体育局",
];

/// A demo login: user name, role and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub display_name: String,
}

/// Builds the organisation tree from the administrative layers already in the store.
pub async fn load_units(repo: &dyn TwinRepo) -> Result<Vec<Unit>, SimError> {
    let district = admin_features(repo, LayerId::District).await?;
    let (district_code, district_name) = district
        .first()
        .cloned()
        .ok_or_else(|| SimError::Layout("the store holds no district feature".into()))?;
    let mut units = vec![Unit {
        id: district_code.to_string(),
        kind: UnitKind::District,
        name: district_name.clone(),
        parent: None,
        jurisdiction: district_code.clone(),
    }];
    for (i, name) in DEPARTMENTS.iter().enumerate() {
        units.push(Unit {
            id: format!("{district_code}-D{:02}", i + 1),
            kind: UnitKind::Department,
            name: format!("{district_name}{}", name.trim_start_matches('区')),
            parent: Some(district_code.to_string()),
            jurisdiction: district_code.clone(),
        });
    }
    for (layer, kind, suffix) in [
        (LayerId::Streets, UnitKind::StreetOffice, "办事处"),
        (LayerId::Communities, UnitKind::CommunityStation, "工作站"),
        (LayerId::Grids, UnitKind::GridTeam, ""),
    ] {
        for (code, name) in admin_features(repo, layer).await? {
            let parent = code.parent().map(|c| c.to_string());
            units.push(Unit {
                id: code.to_string(),
                kind,
                name: format!("{name}{suffix}"),
                parent,
                jurisdiction: code,
            });
        }
    }
    Ok(units)
}

/// (code, name) of every feature of an administrative layer, ordered by code.
async fn admin_features(
    repo: &dyn TwinRepo,
    layer: LayerId,
) -> Result<Vec<(GridCode, String)>, SimError> {
    let schema = layer.schema();
    let text = |f: &citymirror_twin::Feature, name: &str| {
        schema
            .property(name)
            .and_then(|(i, _)| f.props[i].as_str().map(str::to_owned))
    };
    let mut out = Vec::new();
    for f in repo.load_layer(layer).await? {
        let (Some(code), Some(name)) = (text(&f, "code"), text(&f, "name")) else {
            return Err(SimError::Layout(format!(
                "a `{layer}` feature lacks its code or name"
            )));
        };
        let code = code
            .parse::<GridCode>()
            .map_err(|e| SimError::Layout(format!("`{layer}` code `{code}`: {e}")))?;
        out.push((code, name));
    }
    out.sort();
    Ok(out)
}

/// One login per role, in units picked so the demo tells a story: the street office of
/// 莲花街道 (home of the Civic Centre), its first community and that community's first grid.
pub fn demo_logins(units: &[Unit]) -> Vec<DemoLogin> {
    let first = |kind: UnitKind, under: Option<&str>| {
        units
            .iter()
            .filter(|u| u.kind == kind)
            .find(|u| under.is_none_or(|p| u.parent.as_deref() == Some(p)))
    };
    let district = first(UnitKind::District, None);
    let street = units
        .iter()
        .find(|u| u.kind == UnitKind::StreetOffice && u.name.starts_with("莲花"))
        .or_else(|| first(UnitKind::StreetOffice, None));
    let community = first(UnitKind::CommunityStation, street.map(|u| u.id.as_str()));
    let grid = first(UnitKind::GridTeam, community.map(|u| u.id.as_str()));
    let department = first(UnitKind::Department, None);
    let login = |username: &str, role: Role, unit: Option<&Unit>, name: &str| DemoLogin {
        username: username.to_owned(),
        role,
        unit_id: unit.map(|u| u.id.clone()),
        display_name: name.to_owned(),
    };
    vec![
        login("admin", Role::DistrictAdmin, district, "区管理员（演示）"),
        login("supervisor", Role::Supervisor, district, "督办员（演示）"),
        login("analyst", Role::DataAnalyst, district, "数据分析员（演示）"),
        login(
            "consumer",
            Role::ExternalConsumer,
            district,
            "外部系统（演示）",
        ),
        login(
            "open311",
            Role::Open311Client,
            district,
            "Open311客户端（演示）",
        ),
        login(
            "handler",
            Role::DepartmentHandler,
            department,
            "城管处置员（演示）",
        ),
        login("street", Role::StreetStaff, street, "街道工作人员（演示）"),
        login(
            "community",
            Role::CommunityStaff,
            community,
            "社区工作人员（演示）",
        ),
        login("grid", Role::GridWorker, grid, "网格员（演示）"),
        login("13800138000", Role::Citizen, None, "市民（演示）"),
    ]
}

/// Provisioned staff accounts, one per street office, community workstation and grid,
/// without a password: they exist so cases can be assigned to people, and sign in once
/// an administrator sets a password.
fn staff_accounts(units: &[Unit]) -> Vec<NewUser> {
    units
        .iter()
        .filter_map(|u| {
            let (prefix, role, title) = match u.kind {
                UnitKind::StreetOffice => ("ss", Role::StreetStaff, "街道工作人员"),
                UnitKind::CommunityStation => ("cs", Role::CommunityStaff, "社区工作人员"),
                UnitKind::GridTeam => ("gw", Role::GridWorker, "网格员"),
                UnitKind::District | UnitKind::Department => return None,
            };
            Some(NewUser {
                username: format!("{prefix}-{}", u.id),
                display_name: format!("{}{title}", u.name),
                role,
                unit_id: Some(u.id.clone()),
                password_hash: None,
                mobile: None,
            })
        })
        .collect()
}

/// What [`provision`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub units: usize,
    pub users: usize,
    pub demo_logins: Vec<DemoLogin>,
}

/// Writes the organisation tree, the staff accounts and the demo logins.
pub async fn provision(
    twin: &dyn TwinRepo,
    trust: &dyn TrustRepo,
) -> Result<Organisation, SimError> {
    let units = load_units(twin).await?;
    trust.put_units(&units).await?;
    let demo = demo_logins(&units);
    let hash = password::hash(DEMO_PASSWORD)
        .map_err(|e| SimError::Internal(format!("demo password: {e}")))?;
    let mut users = staff_accounts(&units);
    users.extend(demo.iter().map(|d| NewUser {
        username: d.username.clone(),
        display_name: d.display_name.clone(),
        role: d.role,
        unit_id: d.unit_id.clone(),
        password_hash: Some(hash.clone()),
        mobile: (d.role == Role::Citizen).then(|| d.username.clone()),
    }));
    let created = trust.insert_users(&users).await.map_err(|e| match e {
        RepoError::Conflict(what) => SimError::Config(format!(
            "the store already has accounts ({what}); provision the organisation into a fresh store"
        )),
        other => SimError::Repo(other),
    })?;
    Ok(Organisation {
        units: units.len(),
        users: created.len(),
        demo_logins: demo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, kind: UnitKind, name: &str) -> Unit {
        let code: GridCode = id.parse().unwrap();
        Unit {
            id: id.into(),
            kind,
            name: name.into(),
            parent: code.parent().map(|c| c.to_string()),
            jurisdiction: code,
        }
    }

    fn tree() -> Vec<Unit> {
        vec![
            unit("440304", UnitKind::District, "福田区"),
            unit("440304001", UnitKind::StreetOffice, "园岭街道办事处"),
            unit("440304008", UnitKind::StreetOffice, "莲花街道办事处"),
            unit(
                "440304001001",
                UnitKind::CommunityStation,
                "园岭一社区工作站",
            ),
            unit(
                "440304008001",
                UnitKind::CommunityStation,
                "莲花一社区工作站",
            ),
            unit("44030400800101", UnitKind::GridTeam, "莲花一社区第1网格"),
        ]
    }

    #[test]
    fn every_department_the_default_matrix_routes_to_exists() {
        use citymirror_cases::dispatch::{Matrix, UnitRef};
        for rule in Matrix::futian().rules {
            for u in std::iter::once(&rule.lead).chain(&rule.assist) {
                if let UnitRef::Department(name) = u {
                    assert!(
                        DEPARTMENTS.iter().any(|d| d.contains(name.as_str())),
                        "rule {} names `{name}`, which is not a department",
                        rule.matches
                    );
                }
            }
        }
    }

    #[test]
    fn every_role_has_one_demo_login_placed_in_lianhua() {
        let logins = demo_logins(&tree());
        let roles: Vec<Role> = logins.iter().map(|l| l.role).collect();
        for r in Role::ALL {
            assert_eq!(roles.iter().filter(|&&x| x == r).count(), 1, "{r}");
        }
        let unit_of = |role| {
            logins
                .iter()
                .find(|l| l.role == role)
                .unwrap()
                .unit_id
                .clone()
        };
        assert_eq!(unit_of(Role::StreetStaff).as_deref(), Some("440304008"));
        assert_eq!(
            unit_of(Role::CommunityStaff).as_deref(),
            Some("440304008001")
        );
        assert_eq!(unit_of(Role::GridWorker).as_deref(), Some("44030400800101"));
        assert_eq!(unit_of(Role::Citizen), None);
        let citizen = logins.iter().find(|l| l.role == Role::Citizen).unwrap();
        assert!(citymirror_core::ids::is_valid_mobile(&citizen.username));
    }

    #[test]
    fn staff_accounts_cover_streets_communities_and_grids_without_passwords() {
        let staff = staff_accounts(&tree());
        assert_eq!(staff.len(), 5);
        assert!(staff.iter().all(|u| u.password_hash.is_none()));
        assert!(staff
            .iter()
            .any(|u| u.username == "gw-44030400800101" && u.role == Role::GridWorker));
    }
}
