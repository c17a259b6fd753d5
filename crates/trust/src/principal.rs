//! Who is asking: the principal every request is resolved to, and the one place that
//! decides whether it may do what it asks.

use std::fmt;

use citymirror_core::{DataGrade, GridCode};
use serde::Serialize;

use crate::{action::ANONYMOUS_ENTITLEMENT, Action, Role};

/// The part of the district a principal acts in: a grid-code prefix. A street office's
/// jurisdiction `440304001` covers every community and grid code that starts with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Jurisdiction(GridCode);

impl Jurisdiction {
    pub fn new(code: GridCode) -> Self {
        Jurisdiction(code)
    }

    pub fn code(&self) -> &GridCode {
        &self.0
    }

    /// Whether a grid code (of any level) lies inside this jurisdiction.
    pub fn covers(&self, grid_code: &str) -> bool {
        grid_code.starts_with(self.0.as_str())
    }
}

/// Who performed an action, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Actor {
    Anonymous,
    User {
        id: i64,
        username: String,
    },
    Token {
        id: i64,
        name: String,
    },
    /// The server itself or a command-line tool run by an operator.
    System {
        name: String,
    },
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Anonymous => f.write_str("anonymous"),
            Actor::User { username, .. } => write!(f, "user:{username}"),
            Actor::Token { id, .. } => write!(f, "token:{id}"),
            Actor::System { name } => write!(f, "system:{name}"),
        }
    }
}

/// A resolved caller: who, in which role, for which unit, over which part of the district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub actor: Actor,
    /// `None` for an anonymous caller.
    pub role: Option<Role>,
    pub unit: Option<String>,
    /// `None` when the caller has no place in the district (anonymous callers, citizens).
    pub jurisdiction: Option<Jurisdiction>,
    /// The most sensitive grade this principal reads unmasked: its role's, except for
    /// the operator at the command line (see [`Principal::operator`]).
    #[serde(skip)]
    entitlement: DataGrade,
}

/// Why a request was refused. The HTTP edge maps these to 401, 403 and 404.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// No credentials, and the action needs some.
    #[error("this action needs a signed-in user or an API token")]
    Unauthenticated,
    /// The caller's role does not grant the action.
    #[error("the role `{role}` may not {action}")]
    Forbidden {
        role: &'static str,
        action: &'static str,
    },
    /// The target lies outside the caller's jurisdiction. Reported as "not found", so a
    /// guessed id tells nothing about what exists elsewhere.
    #[error("not found")]
    OutOfScope,
}

/// What an action is applied to, as far as authorisation needs to know.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The kind of resource as a whole (listing, creating); lists are then filtered by
    /// [`Principal::jurisdiction`].
    Any,
    /// One object located by its grid code.
    InGrid(&'a str),
}

impl Principal {
    /// A principal acting in `role` for `unit` over `jurisdiction`, entitled as the role is.
    pub fn new(
        actor: Actor,
        role: Role,
        unit: Option<String>,
        jurisdiction: Option<Jurisdiction>,
    ) -> Self {
        Principal {
            actor,
            role: Some(role),
            unit,
            jurisdiction,
            entitlement: role.entitlement(),
        }
    }

    pub fn anonymous() -> Self {
        Principal {
            actor: Actor::Anonymous,
            role: None,
            unit: None,
            jurisdiction: None,
            entitlement: ANONYMOUS_ENTITLEMENT,
        }
    }

    /// The operator of a deployment, at the command line or on the server's local
    /// control socket: a district administrator over the whole district who also reads
    /// every grade. Whoever holds the data directory or the database can read all of it
    /// anyway; the API grants them nothing the files do not, and the audit log still
    /// records what they do as `system:<name>`.
    pub fn operator(name: &str, district: GridCode) -> Self {
        Principal {
            actor: Actor::System {
                name: name.to_owned(),
            },
            role: Some(Role::DistrictAdmin),
            unit: None,
            jurisdiction: Some(Jurisdiction::new(district)),
            entitlement: DataGrade::General(4),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.role.is_none()
    }

    /// The most sensitive grade this principal reads unmasked.
    pub fn entitlement(&self) -> DataGrade {
        self.entitlement
    }

    /// Whether this principal may see or touch an object in `grid_code`.
    pub fn covers(&self, grid_code: &str) -> bool {
        self.jurisdiction
            .as_ref()
            .is_some_and(|j| j.covers(grid_code))
    }

    /// The one authorisation check: the role must grant the action, and a located target
    /// must lie in the principal's jurisdiction. Every endpoint calls this.
    pub fn authorize(&self, action: Action, target: Target<'_>) -> Result<(), Denied> {
        if action != Action::TwinRead {
            let Some(role) = self.role else {
                return Err(Denied::Unauthenticated);
            };
            if !role.grants(action) {
                return Err(Denied::Forbidden {
                    role: role.as_str(),
                    action: action.as_str(),
                });
            }
        }
        match target {
            Target::InGrid(code) if action != Action::TwinRead && !self.covers(code) => {
                Err(Denied::OutOfScope)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(grid: &str) -> Principal {
        Principal::new(
            Actor::User {
                id: 7,
                username: "w".into(),
            },
            Role::GridWorker,
            Some(grid.into()),
            Some(Jurisdiction::new(grid.parse().unwrap())),
        )
    }

    #[test]
    fn a_grid_worker_reads_records_of_their_grid_only() {
        let w = worker("44030400100101");
        assert_eq!(
            w.authorize(Action::RecordsRead, Target::InGrid("44030400100101")),
            Ok(())
        );
        assert_eq!(
            w.authorize(Action::RecordsRead, Target::InGrid("44030400100102")),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            w.authorize(Action::RecordsRead, Target::InGrid("440304001001")),
            Err(Denied::OutOfScope),
            "a worker's grid does not cover its community"
        );
    }

    #[test]
    fn roles_without_the_grant_are_forbidden_and_anonymous_callers_unauthenticated() {
        let w = worker("44030400100101");
        assert!(matches!(
            w.authorize(Action::AuditRead, Target::Any),
            Err(Denied::Forbidden { .. })
        ));
        assert_eq!(
            Principal::anonymous().authorize(Action::RecordsRead, Target::Any),
            Err(Denied::Unauthenticated)
        );
        assert_eq!(
            Principal::anonymous().authorize(Action::TwinRead, Target::InGrid("x")),
            Ok(())
        );
    }
}
