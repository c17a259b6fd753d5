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
    pub fn principal_for_user(&self, user: &User) -> Principal {
        let actor = Actor::User {
            id: user.id,
            username: user.username.clone(),
        };
        let unit = user.unit_id.as_deref().and_then(|u| self.units.get(u));
        let jurisdiction = match (user.role, unit) {
            (Role::Citizen, _) | (_, None) => None,
            (_, Some(u)) => Some(Jurisdiction::new(u.jurisdiction.clone())),
        };
        Principal::new(actor, user.role, user.unit_id.clone(), jurisdiction)
    }

    /// A token acts over its unit's jurisdiction; a district-wide role without a unit
    /// over the district; a unit role without one (minted before units were required)
    /// over nothing.
    pub fn principal_for_token(&self, token: &ApiToken) -> Principal {
        let actor = Actor::Token {
            id: token.id,
            name: token.name.clone(),
        };
        let unit = token.unit_id.as_deref().and_then(|u| self.units.get(u));
        let jurisdiction = match (&token.unit_id, unit) {
            // A unit that no longer exists grants nothing.
            (Some(_), None) => None,
            (_, unit) => citymirror_trust::token::jurisdiction_of(token.role, unit, &self.district),
        };
        Principal::new(actor, token.role, token.unit_id.clone(), jurisdiction)
    }
}
