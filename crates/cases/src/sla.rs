//! "10-30-24": the timers every ticket runs under.
//!
//! From dispatch, the handler must contact the citizen within 10 minutes and, where the
//! request needs it, be on site within 30; an urgent ticket must be closed within 24
//! hours of intake, a normal one within a number of working days (5 by default). Each
//! timer warns when most of its time has gone (80 % by default) and breaches at its
//! deadline; a breach escalates the ticket to the supervisors. Timers are plain data on
//! the ticket (stored with it), so they survive restarts: whoever checks them next, with
//! whatever clock, finds what is due.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{calendar::WorkCalendar, catalog::Urgency};

/// A timer's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Contact,
    OnSite,
    Close,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Contact, Stage::OnSite, Stage::Close];

    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Contact => "contact",
            Stage::OnSite => "on-site",
            Stage::Close => "close",
        }
    }

    pub const fn label_zh(self) -> &'static str {
        match self {
            Stage::Contact => "联系市民",
            Stage::OnSite => "到场处置",
            Stage::Close => "办结",
        }
    }
}

/// One timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub started: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    /// When the stage was reached; a met timer warns and breaches no more.
    pub met_at: Option<DateTime<Utc>>,
    pub warned: bool,
    pub breached: bool,
}

impl Timer {
    fn new(started: DateTime<Utc>, due: DateTime<Utc>, warn_share: f64) -> Timer {
        let span = (due - started).num_milliseconds() as f64;
        Timer {
            started,
            warn_at: started + Duration::milliseconds((span * warn_share) as i64),
            due,
            met_at: None,
            warned: false,
            breached: false,
        }
    }

    /// Whether the stage was reached by its deadline (`None` while it runs).
    pub fn on_time(&self) -> Option<bool> {
        self.met_at.map(|m| m <= self.due)
    }
}

/// A ticket's timers; `on_site` only where the service needs a visit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timers {
    pub contact: Option<Timer>,
    pub on_site: Option<Timer>,
    pub close: Option<Timer>,
}

/// What a timer check finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TimerEvent {
    Warning(Stage),
    Breach(Stage),
}

impl Timers {
    fn get(&self, stage: Stage) -> Option<&Timer> {
        match stage {
            Stage::Contact => self.contact.as_ref(),
            Stage::OnSite => self.on_site.as_ref(),
            Stage::Close => self.close.as_ref(),
        }
    }

    fn get_mut(&mut self, stage: Stage) -> Option<&mut Timer> {
        match stage {
            Stage::Contact => self.contact.as_mut(),
            Stage::OnSite => self.on_site.as_mut(),
            Stage::Close => self.close.as_mut(),
        }
    }

    pub fn timer(&self, stage: Stage) -> Option<&Timer> {
        self.get(stage)
    }

    /// What is due at `now` and not yet reported: a warning, then a breach, per stage.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<TimerEvent> {
        let mut out = Vec::new();
        for stage in Stage::ALL {
            let Some(t) = self.get(stage).filter(|t| t.met_at.is_none()) else {
                continue;
            };
            if now >= t.warn_at && !t.warned {
                out.push(TimerEvent::Warning(stage));
            }
            if now >= t.due && !t.breached {
                out.push(TimerEvent::Breach(stage));
            }
        }
        out
    }

    /// Records that `event` was reported.
    pub fn mark(&mut self, event: TimerEvent) {
        let (stage, breach) = match event {
            TimerEvent::Warning(s) => (s, false),
            TimerEvent::Breach(s) => (s, true),
        };
        if let Some(t) = self.get_mut(stage) {
            t.warned = true;
            t.breached |= breach;
        }
    }

    /// Records that `stage` was reached at `at`.
    pub fn meet(&mut self, stage: Stage, at: DateTime<Utc>) {
        if let Some(t) = self.get_mut(stage).filter(|t| t.met_at.is_none()) {
            t.met_at = Some(at);
        }
    }

    /// When something will next be due: the earliest warning or deadline not yet
    /// reported of a stage not yet reached. What the timer sweep is indexed by.
    pub fn next_at(&self) -> Option<DateTime<Utc>> {
        Stage::ALL
            .into_iter()
            .filter_map(|s| self.get(s))
            .filter(|t| t.met_at.is_none())
            .filter_map(|t| match (t.warned, t.breached) {
                (false, _) => Some(t.warn_at),
                (true, false) => Some(t.due),
                (true, true) => None,
            })
            .min()
    }
}

/// The time limits, per urgency.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    pub contact: Duration,
    pub on_site: Duration,
    pub urgent_close: Duration,
    pub normal_close_working_days: u32,
    /// The share of a timer's time after which it warns.
    pub warn_share: f64,
}

impl Default for SlaPolicy {
    fn default() -> SlaPolicy {
        SlaPolicy {
            contact: Duration::minutes(10),
            on_site: Duration::minutes(30),
            urgent_close: Duration::hours(24),
            normal_close_working_days: 5,
            warn_share: 0.8,
        }
    }
}

impl SlaPolicy {
    /// The timers of a ticket taken in at `intake` and dispatched at `dispatched`.
    pub fn start(
        &self,
        intake: DateTime<Utc>,
        dispatched: DateTime<Utc>,
        urgency: Urgency,
        needs_site: bool,
        calendar: &WorkCalendar,
    ) -> Timers {
        let close_due = match urgency {
            Urgency::Urgent => intake + self.urgent_close,
            Urgency::Normal => calendar.add_working_days(intake, self.normal_close_working_days),
        };
        Timers {
            contact: Some(Timer::new(
                dispatched,
                dispatched + self.contact,
                self.warn_share,
            )),
            on_site: needs_site
                .then(|| Timer::new(dispatched, dispatched + self.on_site, self.warn_share)),
            close: Some(Timer::new(intake, close_due, self.warn_share)),
        }
    }

    /// A new unit's timers when a ticket is dispatched again (after a return or a
    /// change of category): contact and visit start over; the close deadline keeps
    /// counting from intake, since the citizen has waited all along.
    pub fn redispatch(&self, timers: &Timers, at: DateTime<Utc>, needs_site: bool) -> Timers {
        Timers {
            contact: Some(Timer::new(at, at + self.contact, self.warn_share)),
            on_site: needs_site.then(|| Timer::new(at, at + self.on_site, self.warn_share)),
            close: timers.close.clone(),
        }
    }

    /// A reopened ticket (the citizen was not satisfied): the whole of its handling
    /// starts over from `at`.
    pub fn reopen(
        &self,
        at: DateTime<Utc>,
        urgency: Urgency,
        needs_site: bool,
        calendar: &WorkCalendar,
    ) -> Timers {
        self.start(at, at, urgency, needs_site, calendar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn each_timer_warns_once_then_breaches_once_unless_met() {
        let policy = SlaPolicy::default();
        let intake = t("2025-11-03T02:00:00Z"); // Monday 10:00 in Shenzhen
        let mut timers = policy.start(intake, intake, Urgency::Normal, true, &WorkCalendar::new());
        assert_eq!(timers.next_at(), Some(t("2025-11-03T02:08:00Z")));
        assert!(timers.due(t("2025-11-03T02:07:59Z")).is_empty());
        let due = timers.due(t("2025-11-03T02:08:00Z"));
        assert_eq!(due, [TimerEvent::Warning(Stage::Contact)]);
        due.into_iter().for_each(|e| timers.mark(e));
        assert!(timers.due(t("2025-11-03T02:09:00Z")).is_empty());
        assert_eq!(timers.next_at(), Some(t("2025-11-03T02:10:00Z")));
        timers.meet(Stage::Contact, t("2025-11-03T02:09:30Z"));
        assert_eq!(timers.contact.as_ref().unwrap().on_time(), Some(true));
        // The visit was due at 10:30 and nobody came: warning and breach at once.
        let due = timers.due(t("2025-11-03T02:31:00Z"));
        assert_eq!(
            due,
            [
                TimerEvent::Warning(Stage::OnSite),
                TimerEvent::Breach(Stage::OnSite)
            ]
        );
        due.into_iter().for_each(|e| timers.mark(e));
        // Five working days: the next Monday.
        assert_eq!(
            timers.close.as_ref().unwrap().due,
            t("2025-11-10T02:00:00Z")
        );
        assert_eq!(
            timers.next_at(),
            Some(timers.close.as_ref().unwrap().warn_at)
        );
    }

    #[test]
    fn urgent_tickets_close_within_a_day_and_a_redispatch_restarts_the_handling_clocks() {
        let policy = SlaPolicy::default();
        let intake = t("2025-10-01T02:00:00Z"); // a holiday: 24 hours all the same
        let timers = policy.start(intake, intake, Urgency::Urgent, false, &WorkCalendar::new());
        assert_eq!(
            timers.close.as_ref().unwrap().due,
            t("2025-10-02T02:00:00Z")
        );
        assert!(timers.on_site.is_none());
        let later = t("2025-10-01T05:00:00Z");
        let again = policy.redispatch(&timers, later, true);
        assert_eq!(
            again.contact.as_ref().unwrap().due,
            later + Duration::minutes(10)
        );
        assert!(again.on_site.is_some());
        assert_eq!(again.close, timers.close);
    }

    #[test]
    fn timers_survive_being_stored() {
        let policy = SlaPolicy::default();
        let intake = t("2025-11-03T02:00:00Z");
        let mut timers = policy.start(intake, intake, Urgency::Normal, true, &WorkCalendar::new());
        timers.mark(TimerEvent::Warning(Stage::Contact));
        let stored = serde_json::to_string(&timers).unwrap();
        let back: Timers = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, timers);
        assert_eq!(back.due(t("2025-11-03T02:09:00Z")), vec![]);
    }
}
