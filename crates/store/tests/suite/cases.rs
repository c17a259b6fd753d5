//! The citizen-request loop's tables: tickets, their steps and media, classifier versions.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use citymirror_cases::{
    calendar::WorkCalendar,
    catalog::Urgency,
    repo::{ModelRepo, TicketQuery, TicketRepo},
    sla::{SlaPolicy, Stage, TimerEvent},
    ticket::{Actor, CategorySource, PlaceRef, Status, Step, StepKind, Ticket, Verdict},
};
use citymirror_twin::RepoError;
use serde_json::json;

use crate::common::TestDb;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ticket(lon: f64, source: Option<&str>) -> Ticket {
    let created = at("2026-11-02T02:00:00.123Z");
    Ticket {
        id: 0,
        version: 0,
        channel: "h5".into(),
        source_ref: source.map(str::to_owned),
        service_code: "0101".into(),
        family: "01".into(),
        category_source: CategorySource::Submitter,
        confidence: Some(0.75),
        urgency: Urgency::Normal,
        status: Status::Dispatched,
        title: "路灯不亮".into(),
        description: "莲花路口路灯坏了，电话13912345678".into(),
        lon,
        lat: 22.54,
        address: Some("莲花路".into()),
        grid_code: Some("44030400100101".into()),
        place: Some(PlaceRef {
            layer: "roads".into(),
            id: 42,
            name: Some("红荔路".into()),
        }),
        lead_unit: Some("440304-D01".into()),
        assignee: Some(7),
        assisting: vec!["440304001".into(), "440304001001".into()],
        submitter: None,
        contact_name: Some("张三".into()),
        contact_phone: Some("13912345678".into()),
        tracking_digest: vec![9; 32],
        created_at: created,
        updated_at: created,
        dispatched_at: Some(created),
        resolved_at: None,
        closed_at: None,
        timers: SlaPolicy::default().start(
            created,
            created,
            Urgency::Normal,
            true,
            &WorkCalendar::new(),
        ),
        verdict: None,
        reopened: 0,
        returned: 0,
        duplicate_of: None,
        supervised: false,
        supervision_due: None,
        imported: false,
    }
}

fn step(seq: u32, kind: StepKind, at_: DateTime<Utc>) -> Step {
    Step {
        id: 0,
        ticket_id: 0,
        seq,
        at: at_,
        kind,
        actor: Actor::system(),
        note: None,
        detail: json!({ "seq": seq }),
        audit_seq: None,
    }
}

pub async fn tickets_round_trip_with_their_steps(db: Arc<TestDb>) {
    let store = db.open().await;
    let t = ticket(114.05, Some("call-1"));
    let steps = [
        step(1, StepKind::Submitted, t.created_at),
        step(2, StepKind::Dispatched, t.created_at),
    ];
    let (id, step_ids) = store.insert_ticket(&t, &steps).await.unwrap();
    assert!(id > 0);
    assert_eq!(step_ids.len(), 2);
    assert!(step_ids[0] > 0 && step_ids[0] != step_ids[1]);
    let back = store.ticket(id).await.unwrap().unwrap();
    assert_eq!(back, Ticket { id, ..t.clone() });
    assert_eq!(back.number(), format!("FT20261102{id:06}"));
    let history = store.steps(id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].kind, StepKind::Dispatched);
    assert_eq!(history[1].detail, json!({ "seq": 2 }));
    assert_eq!(history[0].id, step_ids[0]);
    // The same source is the same ticket.
    let found = store.find_by_source("h5", "call-1").await.unwrap().unwrap();
    assert_eq!(found.id, id);
    let again = store.insert_ticket(&t, &steps).await.unwrap_err();
    assert!(matches!(again, RepoError::Conflict(_)), "{again:?}");
    // Without a source reference, any number of tickets.
    let (a, _) = store
        .insert_ticket(&ticket(114.05, None), &[])
        .await
        .unwrap();
    let (b, _) = store
        .insert_ticket(&ticket(114.05, None), &[])
        .await
        .unwrap();
    assert!(a != b && a != id);
    assert_eq!(store.count_tickets().await.unwrap(), 3);
}

pub async fn an_update_names_the_version_it_changes(db: Arc<TestDb>) {
    let store = db.open().await;
    let (id, _) = store
        .insert_ticket(
            &ticket(114.05, None),
            &[step(1, StepKind::Submitted, Utc::now())],
        )
        .await
        .unwrap();
    let mut t = store.ticket(id).await.unwrap().unwrap();
    assert_eq!(t.version, 0);
    t.status = Status::Accepted;
    let ids = store
        .update_ticket(&t, 0, &[step(2, StepKind::Accepted, Utc::now())])
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    // A second writer holding version 0 is refused, and its step is not stored.
    t.status = Status::Closed;
    let stale = store
        .update_ticket(&t, 0, &[step(3, StepKind::Closed, Utc::now())])
        .await
        .unwrap_err();
    assert!(matches!(stale, RepoError::Conflict(_)), "{stale:?}");
    let now = store.ticket(id).await.unwrap().unwrap();
    assert_eq!((now.status, now.version), (Status::Accepted, 1));
    assert_eq!(store.steps(id).await.unwrap().len(), 2);
}

pub async fn steps_are_audited_and_the_forgotten_ones_found(db: Arc<TestDb>) {
    let store = db.open().await;
    let old = at("2026-11-02T02:00:00Z");
    let (id, ids) = store
        .insert_ticket(
            &ticket(114.05, None),
            &[
                step(1, StepKind::Submitted, old),
                step(2, StepKind::Dispatched, old),
            ],
        )
        .await
        .unwrap();
    let missing = store.unaudited_steps(Utc::now(), 10).await.unwrap();
    assert_eq!(missing.iter().map(|s| s.id).collect::<Vec<_>>(), ids);
    store.set_step_audit(&[(ids[0], 17)]).await.unwrap();
    let missing = store.unaudited_steps(Utc::now(), 10).await.unwrap();
    assert_eq!(missing.iter().map(|s| s.id).collect::<Vec<_>>(), [ids[1]]);
    assert_eq!(store.steps(id).await.unwrap()[0].audit_seq, Some(17));
    // Steps newer than the cut-off are still being audited by their writer.
    assert!(store.unaudited_steps(old, 10).await.unwrap().is_empty());
}

pub async fn tickets_are_listed_by_unit_place_status_and_timer(db: Arc<TestDb>) {
    let store = db.open().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut t = ticket(114.0 + f64::from(i) * 0.01, None);
        if i % 2 == 1 {
            t.lead_unit = Some("440304-D03".into());
            t.assisting = vec![];
            t.grid_code = Some("44030400200101".into());
            t.assignee = Some(8);
        }
        if i == 5 {
            t.status = Status::Closed;
        }
        ids.push(store.insert_ticket(&t, &[]).await.unwrap().0);
    }
    let list = |q: TicketQuery| {
        let store = store.clone();
        async move {
            store
                .list_tickets(&TicketQuery {
                    limit: if q.limit == 0 { 100 } else { q.limit },
                    ..q
                })
                .await
                .unwrap()
                .iter()
                .map(|t| t.id)
                .collect::<Vec<_>>()
        }
    };
    let newest_first = |picked: &[usize]| picked.iter().rev().map(|&i| ids[i]).collect::<Vec<_>>();
    assert_eq!(
        list(TicketQuery {
            unit: Some("440304-D03".into()),
            ..Default::default()
        })
        .await,
        newest_first(&[1, 3, 5])
    );
    // An assisting unit sees the ticket too.
    assert_eq!(
        list(TicketQuery {
            unit: Some("440304001001".into()),
            ..Default::default()
        })
        .await,
        newest_first(&[0, 2, 4])
    );
    assert_eq!(
        list(TicketQuery {
            grid_prefix: Some("440304002".into()),
            statuses: vec![Status::Dispatched],
            ..Default::default()
        })
        .await,
        newest_first(&[1, 3])
    );
    assert_eq!(
        list(TicketQuery {
            before_id: Some(ids[3]),
            limit: 2,
            ..Default::default()
        })
        .await,
        newest_first(&[1, 2])
    );
    let load = store.open_load(&[7, 8, 9]).await.unwrap();
    assert_eq!(load, [(7, 3), (8, 2), (9, 0)]);
    // Open tickets near a point: the closed one is not a candidate.
    let near = store
        .open_near([114.035, 22.5, 114.065, 22.6], 10)
        .await
        .unwrap();
    assert_eq!(near.iter().map(|t| t.id).collect::<Vec<_>>(), [ids[4]]);
    // Timers: the contact warning is due 8 minutes after dispatch; closed tickets never.
    let created = ticket(0.0, None).created_at;
    assert!(store
        .timers_due(created + Duration::minutes(7), 10)
        .await
        .unwrap()
        .is_empty());
    let due = store
        .timers_due(created + Duration::minutes(9), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 5);
    let mut first = due[0].clone();
    for e in first.timers.due(created + Duration::minutes(9)) {
        first.timers.mark(e);
    }
    first
        .timers
        .meet(Stage::Contact, created + Duration::minutes(9));
    assert_eq!(
        first.timers.due(created + Duration::minutes(9)),
        Vec::<TimerEvent>::new()
    );
    store
        .update_ticket(&first, first.version, &[])
        .await
        .unwrap();
    assert_eq!(
        store
            .timers_due(created + Duration::minutes(9), 10)
            .await
            .unwrap()
            .len(),
        4
    );
}

pub async fn media_models_corrections_and_facts(db: Arc<TestDb>) {
    let store = db.open().await;
    let (id, _) = store
        .insert_ticket(&ticket(114.05, None), &[])
        .await
        .unwrap();
    let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
    let m = store.put_media(id, "image/png", &png).await.unwrap();
    assert_eq!(
        store.media_of(id).await.unwrap(),
        [(m, "image/png".to_owned())]
    );
    let back = store.media(m).await.unwrap().unwrap();
    assert_eq!((back.ticket_id, back.bytes), (id, png));
    assert!(store.media(m + 100).await.unwrap().is_none());

    assert!(store.latest_model().await.unwrap().is_none());
    let v1 = store
        .put_model(b"one", &json!({"accuracy": 0.8}))
        .await
        .unwrap();
    let v2 = store
        .put_model(b"two", &json!({"accuracy": 0.9}))
        .await
        .unwrap();
    assert!(v2 > v1);
    let latest = store.latest_model().await.unwrap().unwrap();
    assert_eq!((latest.version, latest.bytes.as_slice()), (v2, &b"two"[..]));
    assert_eq!(latest.summary, json!({"accuracy": 0.9}));

    let mut fixed = ticket(114.05, None);
    fixed.category_source = CategorySource::Operator;
    fixed.family = "03".into();
    fixed.service_code = "0300".into();
    store.insert_ticket(&fixed, &[]).await.unwrap();
    let corrections = store.corrections().await.unwrap();
    assert_eq!(corrections.len(), 1);
    assert_eq!(corrections[0].category, "环境保护");

    let mut closed = ticket(114.05, None);
    closed.status = Status::Closed;
    closed.verdict = Some(Verdict::BasicallySatisfied);
    closed.closed_at = Some(closed.created_at + Duration::days(3));
    closed.id = 900_000;
    closed.imported = true;
    closed.category_source = CategorySource::Operator;
    let mut s = step(1, StepKind::Submitted, closed.created_at);
    s.ticket_id = 900_000;
    store.import_tickets(&[closed.clone()], &[s]).await.unwrap();
    // The old system's filing is history, not a correction to learn from.
    assert_eq!(store.corrections().await.unwrap().len(), 1);
    let facts = store.facts().await.unwrap();
    assert_eq!(facts.len(), 3);
    let f = facts.iter().find(|f| f.id == 900_000).unwrap();
    assert_eq!(
        (f.status, f.verdict, f.closed_at),
        (
            Status::Closed,
            Some(Verdict::BasicallySatisfied),
            closed.closed_at
        )
    );
    // Imported history is not audited here, so it is never "missing" its entries.
    assert!(store
        .unaudited_steps(Utc::now(), 10)
        .await
        .unwrap()
        .is_empty());
    // A new ticket's id comes after the imported ones.
    let (next, _) = store
        .insert_ticket(&ticket(114.05, None), &[])
        .await
        .unwrap();
    assert!(next > 900_000);
}
