//! The sensing network's tables: SensorThings entities, observations, roll-ups.

use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use citymirror_sensing::{
    model::{Links, StoredDoc},
    observation::{Observation, Stream},
    registry::ObservationsOf,
    repo::{EntityWrite, ObservationOrder, ObservationQuery, SensingRepo},
    rollup::{Bucket, RollupKey, HOUR, MINUTE},
    time::TimeValue,
    EntityType,
};
use serde_json::json;

use crate::common::TestDb;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn obs(stream: i64, t: DateTime<Utc>, v: serde_json::Value) -> Observation {
    Observation {
        id: 0,
        stream: Stream::Datastream(stream),
        phenomenon_time: TimeValue::instant(t),
        result_time: Some(t),
        result: v,
        result_quality: None,
        valid_time: None,
        parameters: None,
        foi: Some(7),
    }
}

fn query(of: Option<ObservationsOf>, order: ObservationOrder) -> ObservationQuery {
    ObservationQuery {
        of,
        from: None,
        to: None,
        order,
        offset: 0,
        limit: 100,
    }
}

pub async fn sta_entities_round_trip_with_ids_above_the_derived_ones(db: Arc<TestDb>) {
    let store = db.open().await;
    let first = store.reserve_entity_ids(10).await.unwrap();
    assert!(first >= 1 << 40, "stored ids start at 2^40, got {first}");
    let again = store.reserve_entity_ids(1).await.unwrap();
    assert!(again >= first + 10);
    let doc = |name: &str| StoredDoc {
        props: json!({"name": name, "description": "d"})
            .as_object()
            .unwrap()
            .clone(),
        links: Links {
            locations: vec![first + 1],
            ..Links::default()
        },
    };
    let w = EntityWrite {
        put: vec![
            (EntityType::Thing, first, doc("泵站")),
            (EntityType::Sensor, first + 2, doc("s")),
        ],
        observations: vec![obs(first + 3, Utc::now(), json!(1.5))],
        ..EntityWrite::default()
    };
    let ids = store.write_entities(&w).await.unwrap();
    assert_eq!(ids.len(), 1);
    let loaded = store.load_entities().await.unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded[0], (EntityType::Thing, first, doc("泵站")));
    // Replacing keeps one row; deleting a stream's owner purges its observations.
    let w = EntityWrite {
        put: vec![(EntityType::Thing, first, doc("泵站二"))],
        delete: vec![(EntityType::Sensor, first + 2)],
        purge: vec![ObservationsOf::Stream(Stream::Datastream(first + 3))],
        ..EntityWrite::default()
    };
    store.write_entities(&w).await.unwrap();
    let loaded = store.load_entities().await.unwrap();
    assert_eq!(loaded, vec![(EntityType::Thing, first, doc("泵站二"))]);
    assert!(store.observation(ids[0]).await.unwrap().is_none());
}

pub async fn observations_are_stored_paged_and_counted_by_stream_and_time(db: Arc<TestDb>) {
    let store = db.open().await;
    let now = Utc::now().trunc_subsecs(3);
    store
        .prepare_partitions(now - Duration::days(40), now + Duration::days(40))
        .await
        .unwrap();
    let t0 = now - Duration::hours(3);
    let batch: Vec<Observation> = (0..3000)
        .map(|i| obs(8 + i % 3, t0 + Duration::seconds(i), json!(i as f64 / 2.0)))
        .collect();
    let ids = store.insert_observations(&batch).await.unwrap();
    assert_eq!(ids.len(), 3000);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids ascend in insertion order"
    );
    let back = store.observation(ids[4]).await.unwrap().unwrap();
    assert_eq!(
        (back.stream, back.result.as_f64(), back.foi),
        (Stream::Datastream(9), Some(2.0), Some(7))
    );
    assert_eq!(back.phenomenon_time, batch[4].phenomenon_time);

    let of = Some(ObservationsOf::Stream(Stream::Datastream(9)));
    let mut q = query(of, ObservationOrder::TimeDesc);
    q.limit = 5;
    let page = store.observations(&q).await.unwrap();
    assert_eq!(page.len(), 5);
    assert_eq!(page[0].id, ids[2998], "the newest of stream 9 first");
    q.from = Some(t0 + Duration::seconds(2990));
    assert_eq!(store.count_observations(&q).await.unwrap(), 3);
    q.from = None;
    assert_eq!(store.count_observations(&q).await.unwrap(), 1000);
    let by_feature = query(Some(ObservationsOf::Feature(7)), ObservationOrder::IdAsc);
    assert_eq!(store.count_observations(&by_feature).await.unwrap(), 3000);

    // Text results and their extras round-trip; a replace may move the time.
    let mut o = obs(8, now, json!({"state": "open"}));
    o.parameters = Some(json!({"battery": 80}));
    o.phenomenon_time = TimeValue {
        start: now - Duration::minutes(5),
        end: Some(now),
    };
    let id = store
        .insert_observations(std::slice::from_ref(&o))
        .await
        .unwrap()[0];
    let back = store.observation(id).await.unwrap().unwrap();
    assert_eq!(
        (back.result.clone(), back.parameters.clone()),
        (o.result.clone(), o.parameters.clone())
    );
    assert_eq!(
        back.phenomenon_time.end.map(|t| t.timestamp_millis()),
        Some(now.timestamp_millis())
    );
    let mut moved = back.clone();
    moved.phenomenon_time = TimeValue::instant(now - Duration::days(2));
    assert!(store.replace_observation(&moved).await.unwrap());
    assert_eq!(
        store
            .observation(id)
            .await
            .unwrap()
            .unwrap()
            .phenomenon_time
            .start
            .timestamp(),
        moved.phenomenon_time.start.timestamp()
    );
    assert!(store.delete_observation(id).await.unwrap());
    assert!(!store.delete_observation(id).await.unwrap());
    let after = store.observations_after(ids[2997], 10).await.unwrap();
    assert_eq!(
        after.iter().map(|o| o.id).collect::<Vec<_>>(),
        ids[2998..].to_vec()
    );
}

pub async fn rollups_merge_and_keep_their_watermark(db: Arc<TestDb>) {
    let store = db.open().await;
    assert_eq!(store.rollup_watermark().await.unwrap(), 0);
    let m = at("2026-12-07T08:01:00Z");
    let key = |resolution, start| RollupKey {
        stream: 42,
        resolution,
        start,
    };
    let d1 = [
        (
            key(MINUTE, m),
            Bucket {
                count: 2,
                sum: 6.0,
                min: 1.0,
                max: 5.0,
            },
        ),
        (key(HOUR, at("2026-12-07T08:00:00Z")), Bucket::of(3.0)),
    ];
    store.merge_rollups(&d1, 10).await.unwrap();
    store
        .merge_rollups(
            &[(
                key(MINUTE, m),
                Bucket {
                    count: 1,
                    sum: -2.0,
                    min: -2.0,
                    max: -2.0,
                },
            )],
            11,
        )
        .await
        .unwrap();
    assert_eq!(store.rollup_watermark().await.unwrap(), 11);
    let got = store
        .rollups(42, MINUTE, m - Duration::hours(1), m)
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![(
            m,
            Bucket {
                count: 3,
                sum: 4.0,
                min: -2.0,
                max: 5.0
            }
        )]
    );
    assert!(store
        .rollups(43, MINUTE, m - Duration::hours(1), m)
        .await
        .unwrap()
        .is_empty());
    // Retention takes old roll-ups with the observations.
    store.prune(m + Duration::minutes(1)).await.unwrap();
    assert!(store
        .rollups(42, MINUTE, m - Duration::hours(1), m)
        .await
        .unwrap()
        .is_empty());
}

pub async fn retention_prunes_old_observations(db: Arc<TestDb>) {
    let store = db.open().await;
    let now = Utc::now();
    store
        .prepare_partitions(now - Duration::days(100), now)
        .await
        .unwrap();
    let old = obs(5, now - Duration::days(90), json!(1));
    let new = obs(5, now, json!(2));
    store.insert_observations(&[old, new]).await.unwrap();
    let gone = store.prune(now - Duration::days(30)).await.unwrap();
    let q = query(
        Some(ObservationsOf::Stream(Stream::Datastream(5))),
        ObservationOrder::IdAsc,
    );
    let left = store.observations(&q).await.unwrap();
    assert_eq!(left.len(), 1, "pruned {gone}");
    assert_eq!(left[0].result, json!(2.0));
}
