//! The organisation tree in memory: a unit's jurisdiction for every principal.

use std::collections::HashMap;

use citymirror_core::GridCode;
use citymirror_trust::{Actor, ApiToken, Jurisdiction, Principal, Role, Unit, User};

/// Units by id, loaded once at start (the tree changes only when a district is
/// provisioned).
#[derive(Debug)]
pub struct Org {
    district: GridCode,
    units: HashMap<String, Unit>,
}

impl Org {
    pub fn new(district: GridCode, units: Vec<Unit>) -> Org {
        Org {
            district,
            units: units.into_iter().map(|u| (u.id.clone(), u)).collect(),
        }
    }

    pub fn district(&self) -> &GridCode {
        &self.district
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.get(id)
    }

    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    /// A principal acting for `unit`. Citizens act for themselves, with no jurisdiction;
    /// staff of an unknown unit get none either, so they can see nothing located.
    fn principal(&self, actor: Actor, role: Role, unit: Option<&str>) -> Principal {
        let jurisdiction = match role {
            Role::Citizen => None,
            _ => unit
                .and_then(|u| self.units.get(u))
                .map(|u| Jurisdiction::new(u.jurisdiction.clone())),
        };
        Principal {
            actor,
            role: Some(role),
            unit: unit.map(str::to_owned),
            jurisdiction,
        }
    }

    pub fn principal_for_user(&self, user: &User) -> Principal {
        let actor = Actor::User {
            id: user.id,
            username: user.username.clone(),
        };
        self.principal(actor, user.role, user.unit_id.as_deref())
    }

    /// A token without a unit acts district-wide: it was minted by an administrator for
    /// a system that serves the whole district.
    pub fn principal_for_token(&self, token: &ApiToken) -> Principal {
        let actor = Actor::Token {
            id: token.id,
            name: token.name.clone(),
        };
        match token.unit_id.as_deref() {
            Some(unit) => self.principal(actor, token.role, Some(unit)),
            None => Principal {
                actor,
                role: Some(token.role),
                unit: None,
                jurisdiction: (token.role != Role::Citizen)
                    .then(|| Jurisdiction::new(self.district.clone())),
            },
        }
    }
}
