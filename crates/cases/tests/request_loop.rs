//! The request loop end to end over a real store and audit log: intake, routing,
//! handling, the citizen's verdict, returns, triage, and what bad input leaves behind.

mod common;

use chrono::{DateTime, Utc};
use citymirror_cases::{
    classify::{Classifier, Example, TrainOptions},
    lifecycle::Action,
    repo::{ModelRepo, TicketRepo},
    service::{CaseError, Command},
    stats::StatsQuery,
    ticket::{CategorySource, Status, StepKind, Verdict},
};
use citymirror_trust::Role;
use common::*;

fn monday_morning() -> DateTime<Utc> {
    // 10:00 on Monday 2025-11-03 in Shenzhen.
    DateTime::parse_from_rfc3339("2025-11-03T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_request_on_a_road_goes_to_the_city_unit_and_its_least_busy_handler_at_once() {
    let h = harness_at(monday_morning()).await;
    let receipt = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "红荔路的路灯晚上不亮"))
        .await
        .unwrap();
    let t = &receipt.ticket;
    assert!(receipt.created);
    assert!(receipt
        .tracking_token
        .as_deref()
        .is_some_and(|s| s.len() == 43));
    assert_eq!(receipt.number, format!("FT20251103{:06}", t.id));
    assert_eq!(t.status, Status::Dispatched);
    assert_eq!(t.lead_unit.as_deref(), Some("440304-D01"));
    assert_eq!(t.assignee, Some(h.handler));
    assert_eq!(t.grid_code.as_deref(), Some("44030400100101"));
    assert_eq!(
        t.place.as_ref().map(|p| p.name.as_deref()),
        Some(Some("红荔路"))
    );
    assert_eq!(t.category_source, CategorySource::Submitter);
    // 10 minutes to contact, 30 to be there, five working days to close.
    let contact = t.timers.contact.as_ref().unwrap();
    assert_eq!((contact.due - t.created_at).num_minutes(), 10);
    assert!(t.timers.on_site.is_some());
    // Stored, with every step audited.
    let steps = h.store.steps(t.id).await.unwrap();
    let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [StepKind::Submitted, StepKind::Dispatched]);
    assert!(steps.iter().all(|s| s.audit_seq.is_some()), "{steps:?}");
    let entry = h
        .audit
        .entries(steps[1].audit_seq.unwrap() as u64, 1)
        .await
        .unwrap();
    assert!(
        entry[0].entry.contains("ticket.dispatched"),
        "{:?}",
        entry[0].entry
    );
    assert!(entry[0].entry.contains(&receipt.number));
    let stats = h.cases.with_stats(|s| s.summary(&StatsQuery::default()));
    assert_eq!((stats.tickets, stats.open), (1, 1));
}

#[tokio::test]
async fn the_same_source_is_one_ticket_however_often_it_arrives() {
    let h = harness_at(monday_morning()).await;
    let mut r = request(Some("0109"), BY_RIVER, "河边积水");
    r.source_ref = Some("call-20251103-001".into());
    let first = h.cases.submit(r.clone()).await.unwrap();
    let again = h.cases.submit(r).await.unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.ticket.id, again.ticket.id);
    assert!(again.tracking_token.is_none());
    assert_eq!(h.store.count_tickets().await.unwrap(), 1);
    // At the river the water unit leads, whatever the family would say.
    assert_eq!(first.ticket.lead_unit.as_deref(), Some("440304-D03"));
    assert_eq!(first.ticket.assignee, Some(h.water_handler));
}

#[tokio::test]
async fn bad_input_is_refused_and_stores_nothing() {
    let h = harness_at(monday_morning()).await;
    let outside = h
        .cases
        .submit(request(Some("0101"), OUTSIDE, "路灯"))
        .await
        .unwrap_err();
    assert!(
        matches!(&outside, CaseError::Intake(e) if e.code() == "outside_district"),
        "{outside:?}"
    );
    let long = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, &"灯".repeat(4001)))
        .await
        .unwrap_err();
    assert!(matches!(&long, CaseError::Intake(e) if e.code() == "description_too_long"));
    let mut photo = request(Some("0101"), ON_ROAD, "路灯");
    photo.photos = vec![citymirror_cases::intake::Photo {
        bytes: b"%PDF-1.7".to_vec(),
    }];
    let err = h.cases.submit(photo).await.unwrap_err();
    assert!(matches!(&err, CaseError::Intake(e) if e.code() == "invalid_media"));
    assert_eq!(h.store.count_tickets().await.unwrap(), 0);
    assert_eq!(h.audit.size(), 0);
}

#[tokio::test]
async fn a_handler_works_the_ticket_and_the_citizen_closes_it() {
    let h = harness_at(monday_morning()).await;
    let receipt = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap();
    let id = receipt.ticket.id;
    let handler = person(h.handler, Role::DepartmentHandler, Some("440304-D01"));
    let other = person(h.street_staff, Role::StreetStaff, Some("440304001"));
    // Another unit may not work it; steps cannot be skipped.
    let err = h
        .cases
        .act(id, &other, Command::new(Action::Accept))
        .await
        .unwrap_err();
    assert!(matches!(err, CaseError::Forbidden(_)), "{err:?}");
    let err = h
        .cases
        .act(id, &handler, Command::new(Action::Contact))
        .await
        .unwrap_err();
    assert!(matches!(err, CaseError::NotNow(_)), "{err:?}");
    for (action, status) in [
        (Action::Accept, Status::Accepted),
        (Action::Contact, Status::Contacted),
        (Action::OnSite, Status::OnSite),
    ] {
        let t = h
            .cases
            .act(id, &handler, Command::new(action))
            .await
            .unwrap();
        assert_eq!(t.status, status);
    }
    let err = h
        .cases
        .act(id, &handler, Command::new(Action::Resolve))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CaseError::Invalid(_)),
        "a resolution needs a note: {err:?}"
    );
    let t = h
        .cases
        .act(
            id,
            &handler,
            Command::new(Action::Resolve).note("更换了灯泡"),
        )
        .await
        .unwrap();
    assert_eq!(t.status, Status::Resolved);
    assert_eq!(t.timers.contact.as_ref().unwrap().on_time(), Some(true));
    // Only the submitter evaluates: here, whoever holds the tracking token.
    let mut stranger = person(h.citizen, Role::Citizen, None);
    let err = h
        .cases
        .act(
            id,
            &stranger,
            Command {
                verdict: Some(Verdict::Satisfied),
                ..Command::new(Action::Evaluate)
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CaseError::Forbidden(_)), "{err:?}");
    stranger.tracking_token = receipt.tracking_token.clone();
    let t = h
        .cases
        .act(
            id,
            &stranger,
            Command {
                verdict: Some(Verdict::Satisfied),
                ..Command::new(Action::Evaluate)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status, t.verdict),
        (Status::Closed, Some(Verdict::Satisfied))
    );
    let kinds: Vec<StepKind> = h
        .store
        .steps(id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            StepKind::Submitted,
            StepKind::Dispatched,
            StepKind::Accepted,
            StepKind::Contacted,
            StepKind::OnSite,
            StepKind::Resolved,
            StepKind::Evaluated,
            StepKind::Closed
        ]
    );
    let stats = h.cases.with_stats(|s| s.summary(&StatsQuery::default()));
    assert_eq!(
        (stats.open, stats.evaluated, stats.satisfaction),
        (0, 1, Some(1.0))
    );
}

#[tokio::test]
async fn a_return_goes_to_the_next_unit_and_an_unsatisfied_citizen_reopens() {
    let h = harness_at(monday_morning()).await;
    let r = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "路灯不亮"))
        .await
        .unwrap();
    let id = r.ticket.id;
    let city = person(h.handler, Role::DepartmentHandler, Some("440304-D01"));
    let err = h
        .cases
        .act(id, &city, Command::new(Action::Return))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CaseError::Invalid(_)),
        "a return needs a reason: {err:?}"
    );
    let t = h
        .cases
        .act(
            id,
            &city,
            Command::new(Action::Return).note("该路段路灯归街道管理"),
        )
        .await
        .unwrap();
    // The city unit is passed over: the family's rule names the street of the place.
    assert_eq!(
        (t.status, t.lead_unit.as_deref(), t.returned),
        (Status::Dispatched, Some("440304001"), 1)
    );
    assert_eq!(t.assignee, Some(h.street_staff));
    let street = person(h.street_staff, Role::StreetStaff, Some("440304001"));
    for a in [Action::Accept, Action::Contact, Action::OnSite] {
        h.cases.act(id, &street, Command::new(a)).await.unwrap();
    }
    h.cases
        .act(id, &street, Command::new(Action::Resolve).note("已修复"))
        .await
        .unwrap();
    let mut citizen = person(h.citizen, Role::Citizen, None);
    citizen.tracking_token = r.tracking_token.clone();
    let t = h
        .cases
        .act(
            id,
            &citizen,
            Command {
                verdict: Some(Verdict::Unsatisfied),
                ..Command::new(Action::Evaluate)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status, t.reopened, t.lead_unit.as_deref()),
        (Status::Dispatched, 1, Some("440304001"))
    );
    assert!(t.timers.contact.as_ref().unwrap().met_at.is_none());
    // When every unit has returned it, it waits for an operator.
    let t = h
        .cases
        .act(id, &street, Command::new(Action::Return).note("不属本街道"))
        .await
        .unwrap();
    assert_eq!((t.status, t.lead_unit.clone()), (Status::Triage, None));
    let stats = h.cases.with_stats(|s| s.summary(&StatsQuery::default()));
    let errors = stats
        .matrix_errors
        .iter()
        .find(|e| e.family == "01")
        .unwrap();
    assert_eq!(errors.returned, 1);
}

#[tokio::test]
async fn without_a_sure_classifier_a_message_waits_for_an_operator_whose_choice_is_learned() {
    let h = harness_at(monday_morning()).await;
    let r = h
        .cases
        .submit(request(None, IN_STREET_1, "小区门口有人占道摆卖水果"))
        .await
        .unwrap();
    assert_eq!(r.ticket.status, Status::Triage);
    assert_eq!(r.ticket.service_code, "0000");
    assert!(r.ticket.timers.close.is_some() && r.ticket.timers.contact.is_none());
    let handler = person(h.handler, Role::DepartmentHandler, Some("440304-D01"));
    let err = h
        .cases
        .act(r.ticket.id, &handler, Command::new(Action::Dispatch))
        .await
        .unwrap_err();
    assert!(matches!(err, CaseError::Forbidden(_)), "{err:?}");
    let operator = person(h.citizen + 1000, Role::Supervisor, None);
    let t = h
        .cases
        .act(
            r.ticket.id,
            &operator,
            Command {
                service: citymirror_cases::catalog::service("0104"),
                ..Command::new(Action::Dispatch)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status, t.lead_unit.as_deref()),
        (Status::Dispatched, Some("440304001"))
    );
    assert_eq!(t.category_source, CategorySource::Operator);
    let corrections = h.store.corrections().await.unwrap();
    assert_eq!(corrections.len(), 1);
    assert_eq!(corrections[0].category, "城乡建设");

    // With a trained classifier, a clear message is filed and dispatched at once.
    let mut examples = Vec::new();
    for i in 0..20 {
        examples.push(Example::raw(
            "占道经营",
            &format!("商贩在人行道摆卖{i}号摊位"),
            "城乡建设",
        ));
        examples.push(Example::raw(
            "拖欠工资",
            &format!("公司拖欠工资{i}个月不给社保"),
            "劳动和社会保障",
        ));
    }
    let model = Classifier::train(&examples, &TrainOptions::default()).unwrap();
    let version = h
        .store
        .put_model(&model.to_bytes(), &serde_json::json!({}))
        .await
        .unwrap();
    assert!(h.cases.refresh_model().await.unwrap());
    assert!(
        !h.cases.refresh_model().await.unwrap(),
        "already the latest"
    );
    let r = h
        .cases
        .submit(request(None, IN_STREET_1, "有商贩在人行道摆卖"))
        .await
        .unwrap();
    assert_eq!(
        (r.ticket.status, r.ticket.service_code.as_str()),
        (Status::Dispatched, "0100")
    );
    assert_eq!(r.ticket.category_source, CategorySource::Classifier);
    let steps = h.store.steps(r.ticket.id).await.unwrap();
    assert_eq!(steps[1].kind, StepKind::Classified);
    assert_eq!(steps[1].detail["model"], version);
}

#[tokio::test]
async fn a_similar_open_request_nearby_is_offered_as_a_duplicate() {
    let h = harness_at(monday_morning()).await;
    let first = h
        .cases
        .submit(request(Some("0101"), ON_ROAD, "红荔路口的路灯晚上不亮了"))
        .await
        .unwrap();
    let near = (ON_ROAD.0 + 0.0003, ON_ROAD.1);
    let second = h
        .cases
        .submit(request(Some("0101"), near, "红荔路口路灯坏了，晚上不亮"))
        .await
        .unwrap();
    assert_eq!(second.similar.len(), 1);
    assert_eq!(second.similar[0].ticket_id, first.ticket.id);
    assert!(second.similar[0].distance_m < 40.0);
    let far = (ON_ROAD.0 + 0.01, ON_ROAD.1);
    let third = h
        .cases
        .submit(request(Some("0101"), far, "红荔路口路灯坏了，晚上不亮"))
        .await
        .unwrap();
    assert!(third.similar.is_empty(), "a kilometre away is another lamp");
}
