//! What may happen to a ticket in each status.
//!
//! ```text
//!  intake ─► dispatched ─accept─► accepted ─contact─► contacted ─on site─► on-site ─resolve─► resolved
//!     │          │  ▲                │                     └──────resolve (no visit needed)─────┘ │
//!     ▼          │  └── return ◄─────┘ (routed again; no unit left: triage)                      │
//!   triage ─dispatch─┘                                             unsatisfied: reopened ◄─evaluate
//!                                                                  satisfied: closed ◄──────────┘
//! ```
//! Supervision and comments are allowed while a ticket is open; an operator may close
//! one at any time (a duplicate, a request that is no request).

use serde::Serialize;

use crate::ticket::{Status, Verdict};

/// What a person does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Accept,
    Return,
    Contact,
    OnSite,
    Resolve,
    Evaluate,
    Dispatch,
    Supervise,
    Comment,
    Close,
}

impl Action {
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Contact => "contact",
            Action::OnSite => "on-site",
            Action::Resolve => "resolve",
            Action::Evaluate => "evaluate",
            Action::Dispatch => "dispatch",
            Action::Supervise => "supervise",
            Action::Comment => "comment",
            Action::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        [
            Action::Accept,
            Action::Return,
            Action::Contact,
            Action::OnSite,
            Action::Resolve,
            Action::Evaluate,
            Action::Dispatch,
            Action::Supervise,
            Action::Comment,
            Action::Close,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// An action the ticket's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the ticket is {status}; {action} needs it to be {needs}")]
pub struct NotNow {
    pub status: &'static str,
    pub action: &'static str,
    pub needs: &'static str,
}

/// The status after `action` on a ticket in `status`. `Return` answers `Dispatched`:
/// the caller routes the ticket again and may land in `Triage` instead; `Evaluate`
/// needs the verdict.
pub fn next(
    status: Status,
    action: Action,
    needs_site: bool,
    verdict: Option<Verdict>,
) -> Result<Status, NotNow> {
    use Status::*;
    let not_now = |needs: &'static str| NotNow {
        status: status.as_str(),
        action: action.as_str(),
        needs,
    };
    match action {
        Action::Accept => match status {
            Dispatched => Ok(Accepted),
            _ => Err(not_now("dispatched")),
        },
        Action::Return => match status {
            Dispatched | Accepted => Ok(Dispatched),
            _ => Err(not_now("dispatched or accepted")),
        },
        Action::Contact => match status {
            Accepted => Ok(Contacted),
            _ => Err(not_now("accepted")),
        },
        Action::OnSite => match (status, needs_site) {
            (Contacted, true) => Ok(OnSite),
            (_, false) => Err(not_now("one whose request needs a visit")),
            _ => Err(not_now("contacted")),
        },
        Action::Resolve => match (status, needs_site) {
            (OnSite, _) | (Contacted, false) => Ok(Resolved),
            (Contacted, true) => Err(not_now("visited (on site) first")),
            _ => Err(not_now("contacted or on site")),
        },
        Action::Evaluate => match (status, verdict) {
            (Resolved, Some(Verdict::Unsatisfied)) => Ok(Dispatched),
            (Resolved, Some(_)) => Ok(Closed),
            (Resolved, None) => Err(not_now("given a verdict")),
            _ => Err(not_now("resolved")),
        },
        Action::Dispatch => match status {
            Triage => Ok(Dispatched),
            _ => Err(not_now("waiting in triage")),
        },
        Action::Supervise | Action::Comment => match status.is_open() {
            true => Ok(status),
            false => Err(not_now("open")),
        },
        Action::Close => match status.is_open() {
            true => Ok(Closed),
            false => Err(not_now("open")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn check(status: Status, action: Action, site: bool, expected: Result<Status, ()>) {
        let got = next(status, action, site, None).map_err(|_| ());
        assert_eq!(got, expected, "{status:?} {action:?} site={site}");
    }

    #[test]
    fn a_ticket_goes_through_its_steps_in_order() {
        check(Dispatched, Action::Accept, true, Ok(Accepted));
        check(Accepted, Action::Contact, true, Ok(Contacted));
        check(Contacted, Action::OnSite, true, Ok(OnSite));
        check(OnSite, Action::Resolve, true, Ok(Resolved));
        // A request that needs no visit is resolved after the call.
        check(Contacted, Action::Resolve, false, Ok(Resolved));
        check(Contacted, Action::Resolve, true, Err(()));
        check(Contacted, Action::OnSite, false, Err(()));
        // Steps cannot be skipped or repeated.
        check(Dispatched, Action::Contact, true, Err(()));
        check(Accepted, Action::Accept, true, Err(()));
        check(Resolved, Action::Return, true, Err(()));
        check(Triage, Action::Dispatch, true, Ok(Dispatched));
        check(Closed, Action::Comment, true, Err(()));
        check(OnSite, Action::Supervise, true, Ok(OnSite));
    }

    #[test]
    fn the_citizens_verdict_closes_or_reopens() {
        assert_eq!(
            next(Resolved, Action::Evaluate, true, Some(Verdict::Satisfied)),
            Ok(Closed)
        );
        assert_eq!(
            next(
                Resolved,
                Action::Evaluate,
                true,
                Some(Verdict::BasicallySatisfied)
            ),
            Ok(Closed)
        );
        assert_eq!(
            next(Resolved, Action::Evaluate, true, Some(Verdict::Unsatisfied)),
            Ok(Dispatched)
        );
        let e = next(OnSite, Action::Evaluate, true, Some(Verdict::Satisfied)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the ticket is on-site; evaluate needs it to be resolved"
        );
    }
}
