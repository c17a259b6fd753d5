//! `GET /api/v1/events`: the live channel (Server-Sent Events) every open map listens
//! to. A feature created, updated or deleted through any write path is announced here
//! once the store and the index agree on it, so maps refresh the affected tiles without
//! a reload. Tickets and alarms will travel on the same stream as their own event types;
//! clients ignore types they do not know.
//!
//! Event types:
//! - `hello`: sent first on every connection; after a reconnect a client refreshes
//!   everything, since it may have missed changes while away;
//! - `feature`: `{"layer": "buildings", "id": 123, "kind": "created"|"updated"|"deleted"}`;
//! - `ticket`: `{"id": 42, "status": "dispatched", "overdue": false}`, a ticket changed
//!   (sent to staff who read tickets; the ticket itself is read through its masked API);
//! - `resync`: this connection fell behind and changes were dropped; refresh everything.
//!
//! A feature change carries ids only, never properties, so one stream serves every
//! reader: what a client then reads is masked to its own entitlement.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::request::Parts,
    response::sse::{Event, KeepAlive, Sse},
};
use citymirror_twin::{Change, ChangeKind};
use serde_json::json;
use tokio_stream::{wrappers::errors::BroadcastStreamRecvError, Stream, StreamExt};

use crate::{
    security::{
        rate_limit::{client_ip, ClientKey},
        Caller,
    },
    ApiError, AppState,
};

/// Proxies close idle connections; a comment line this often keeps the stream open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub async fn stream(
    State(state): State<AppState>,
    Caller(who): Caller,
    parts: Parts,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let key = ClientKey::of(&who, client_ip(&parts.extensions));
    // Held by the stream: freed when the client goes away and the stream is dropped.
    let slot = state.security.streams.take(key)?;
    let changes = tokio_stream::wrappers::BroadcastStream::new(state.service.twin().subscribe());
    let hello = tokio_stream::once(Event::default().event("hello").data("{}"));
    let resync = |missed| {
        Event::default()
            .event("resync")
            .data(json!({ "missed": missed }).to_string())
    };
    let features = changes.map(move |r| match r {
        Ok(change) => feature_event(&change),
        Err(BroadcastStreamRecvError::Lagged(missed)) => resync(missed),
    });
    // Staff who read tickets hear of ticket changes too: ids and states only.
    let reads_tickets = who
        .authorize(
            citymirror_trust::Action::CasesRead,
            citymirror_trust::Target::Any,
        )
        .is_ok();
    let tickets = tokio_stream::wrappers::BroadcastStream::new(state.cases.subscribe())
        .filter(move |_| reads_tickets)
        .map(move |r| match r {
            Ok(t) => Event::default().event("ticket").data(
                json!({ "id": t.id, "status": t.status.as_str(), "overdue": t.overdue })
                    .to_string(),
            ),
            Err(BroadcastStreamRecvError::Lagged(missed)) => resync(missed),
        });
    let events = hello.chain(features.merge(tickets)).map(move |e| {
        let _slot = &slot;
        e
    });
    Ok(Sse::new(events.map(Ok)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

fn feature_event(c: &Change) -> Event {
    let kind = match c.kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    };
    Event::default()
        .event("feature")
        .data(json!({ "layer": c.layer.as_str(), "id": c.id, "kind": kind }).to_string())
}
