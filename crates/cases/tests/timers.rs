//! "10-30-24" with a clock the test moves: warnings, breaches, escalation, a restart in
//! the middle of a timer, holidays and make-up working days, and a date past the
//! built-in holiday table.

mod common;

use chrono::{DateTime, Duration, Utc};
use citymirror_cases::{
    calendar::{Notice, WorkCalendar},
    catalog::Urgency,
    clock::ManualClock,
    lifecycle::Action,
    repo::TicketRepo,
    service::{CaseConfig, Command},
    ticket::{Status, StepKind},
};
use citymirror_trust::Role;
use common::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn kinds(h: &Harness, id: i64) -> Vec<StepKind> {
    h.store
        .steps(id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.kind)
        .collect()
}

#[tokio::test]
async fn a_timer_warns_then_breaches_and_escalates_to_the_supervisors() {
    let start = at("2025-11-03T02:00:00Z");
    let h = harness_at(start).await;
    let t = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap()
        .ticket;
    h.clock.advance(Duration::minutes(7));
    assert_eq!(h.cases.sweep().await.unwrap().warnings, 0);
    h.clock.advance(Duration::minutes(1)); // 8 minutes: 80 % of the contact timer
    let r = h.cases.sweep().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (1, 0));
    assert_eq!(kinds(&h, t.id).await.last(), Some(&StepKind::TimerWarning));
    // Once only.
    assert_eq!(h.cases.sweep().await.unwrap().warnings, 0);
    h.clock.advance(Duration::minutes(2)); // 10 minutes: the contact deadline
    let r = h.cases.sweep().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (0, 1));
    let now = h.store.ticket(t.id).await.unwrap().unwrap();
    assert!(now.supervised, "a breach puts the ticket under supervision");
    assert!(now.timers.contact.as_ref().unwrap().breached);
    let k = kinds(&h, t.id).await;
    assert_eq!(
        &k[k.len() - 2..],
        [StepKind::TimerBreach, StepKind::Escalated]
    );
    // Contacting late still stops the clock, and counts as late.
    h.clock.advance(Duration::minutes(1));
    let handler = person(h.handler, Role::DepartmentHandler, Some("440304-D01"));
    h.cases
        .act(t.id, &handler, Command::new(Action::Accept))
        .await
        .unwrap();
    let t = h
        .cases
        .act(t.id, &handler, Command::new(Action::Contact))
        .await
        .unwrap();
    assert_eq!(t.timers.contact.as_ref().unwrap().on_time(), Some(false));
    // The visit (30 minutes) warned at 24 and breached at 30.
    h.clock.advance(Duration::minutes(19));
    let r = h.cases.sweep().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (1, 1));
    // Every timer step is in the audit log.
    assert!(h
        .store
        .steps(t.id)
        .await
        .unwrap()
        .iter()
        .all(|s| s.audit_seq.is_some()));
}

#[tokio::test]
async fn a_timer_due_while_the_server_was_down_fires_once_after_the_restart() {
    let start = at("2025-11-03T02:00:00Z");
    let h = harness_at(start).await;
    let id = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap()
        .ticket
        .id;
    h.clock.advance(Duration::minutes(5));
    assert_eq!(h.cases.sweep().await.unwrap(), Default::default());
    // The server stops here, mid-timer, and comes back 6 minutes later.
    let Harness {
        dir, cases, audit, ..
    } = h;
    drop(cases);
    drop(audit);
    let clock = ManualClock::at(start + Duration::minutes(11));
    let h = harness_in(dir, clock, false, CaseConfig::default()).await;
    let r = h.cases.sweep().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (1, 1));
    assert_eq!(h.cases.sweep().await.unwrap(), Default::default());
    let k = kinds(&h, id).await;
    assert_eq!(
        k.iter().filter(|k| **k == StepKind::TimerWarning).count(),
        1
    );
    assert_eq!(k.iter().filter(|k| **k == StepKind::TimerBreach).count(), 1);
    // The statistics were rebuilt from the store.
    let stats = h.cases.with_stats(|s| s.summary(&Default::default()));
    assert_eq!(stats.tickets, 1);
}

#[tokio::test]
async fn the_close_deadline_skips_a_holiday_and_counts_a_make_up_working_day() {
    // Tuesday 30 September 2025, 10:00. 1–8 October are off; Saturday 11 October is
    // worked. Five working days: 9, 10, 11, 13, 14 October.
    let h = harness_at(at("2025-09-30T02:00:00Z")).await;
    let t = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap()
        .ticket;
    assert_eq!(t.urgency, Urgency::Normal);
    assert_eq!(
        t.timers.close.as_ref().unwrap().due,
        at("2025-10-14T02:00:00Z")
    );
    // An urgent ticket closes within 24 hours, holiday or not.
    let mut r = request(Some("0101"), ON_ROAD, "路灯杆倾斜随时倒下");
    r.urgency = Some(Urgency::Urgent);
    let u = h.cases.submit(r).await.unwrap().ticket;
    assert_eq!(
        u.timers.close.as_ref().unwrap().due,
        at("2025-10-01T02:00:00Z")
    );
}

#[tokio::test]
async fn past_the_holiday_table_a_plain_week_is_assumed_until_the_notice_is_loaded() {
    // Friday 5 February 2027, past the built-in table: five working days are
    // Monday 8 to Friday 12 February.
    let start = at("2027-02-05T02:00:00Z");
    let h = harness_at(start).await;
    let t = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap()
        .ticket;
    assert_eq!(
        t.timers.close.as_ref().unwrap().due,
        at("2027-02-12T02:00:00Z")
    );
    assert!(!h.cases.config().calendar.day(start.date_naive()).known);
    // With the year's notice (here a made-up one: 8–12 February off, Saturday 13
    // February worked) the deadline moves past the holiday.
    let notice = Notice::from_json(
        r#"{"year":2027,"source":"a test notice","holidays":["2027-02-08","2027-02-09","2027-02-10","2027-02-11","2027-02-12"],"workdays":["2027-02-13"]}"#,
    )
    .unwrap();
    let config = CaseConfig {
        calendar: WorkCalendar::new().with_notice(notice).unwrap(),
        ..CaseConfig::default()
    };
    let h = harness_in(
        tempfile::tempdir().unwrap(),
        ManualClock::at(start),
        true,
        config,
    )
    .await;
    let t = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap()
        .ticket;
    // 13 (Saturday, worked), 15, 16, 17, 18 February.
    assert_eq!(
        t.timers.close.as_ref().unwrap().due,
        at("2027-02-18T02:00:00Z")
    );
}

#[tokio::test]
async fn an_unanswered_resolution_closes_after_the_evaluation_window() {
    let start = at("2025-11-03T02:00:00Z");
    let h = harness_at(start).await;
    let id = h
        .cases
        .submit(request(Some("0111"), IN_STREET_1, "物业不管楼道卫生"))
        .await
        .unwrap()
        .ticket
        .id;
    let t = h.store.ticket(id).await.unwrap().unwrap();
    assert!(
        t.timers.on_site.is_none(),
        "property management needs no visit"
    );
    let handler = person(h.handler, Role::DepartmentHandler, t.lead_unit.as_deref());
    for a in [Action::Accept, Action::Contact] {
        h.cases.act(id, &handler, Command::new(a)).await.unwrap();
    }
    h.cases
        .act(
            id,
            &handler,
            Command::new(Action::Resolve).note("已督促物业清扫"),
        )
        .await
        .unwrap();
    h.clock.advance(Duration::days(3) - Duration::minutes(1));
    assert_eq!(h.cases.sweep().await.unwrap().closed_unanswered, 0);
    h.clock.advance(Duration::minutes(2));
    assert_eq!(h.cases.sweep().await.unwrap().closed_unanswered, 1);
    let t = h.store.ticket(id).await.unwrap().unwrap();
    assert_eq!((t.status, t.verdict), (Status::Closed, None));
}
