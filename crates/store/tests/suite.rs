//! The store's contract, run against every backend: SQLite in a temporary directory,
//! and PostgreSQL in a fresh schema when `CITYMIRROR_TEST_PG` names a database.

#[path = "suite/audit.rs"]
mod audit;
#[path = "suite/cases.rs"]
mod cases;
mod common;
#[path = "suite/records.rs"]
mod records;
#[path = "suite/sensing.rs"]
mod sensing;
#[path = "suite/trust.rs"]
mod trust;

use std::sync::Arc;

use citymirror_core::{
    records::{RecordSchema, ENTITIES, HOUSES, PERSONS, RECORD_SCHEMAS},
    LayerId, PropType, Value,
};
use citymirror_store::Column;
use citymirror_trust::{
    AuditRepo, AuditRow, NewToken, NewUser, Role, Session, StoredCheckpoint, TrustRepo, Unit,
    UnitKind,
};
use citymirror_twin::{Feature, RecordRepo, TwinRepo};
use common::{empty_feature, sample_feature, sample_record, TestDb};
use {audit::*, cases::*, records::*, sensing::*, trust::*};

/// Generates one `#[tokio::test]` per case and backend: `sqlite::case` and `postgres::case`.
macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::common::run(crate::common::sqlite().await, super::$case).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::common::postgres(stringify!($case)).await else {
                        return;
                    };
                    crate::common::run(db, super::$case).await;
                }
            )*
        }
    };
}

suite!(
    tables_match_the_schemas,
    every_layer_round_trips,
    replace_and_delete_say_whether_the_feature_existed,
    a_batch_with_a_duplicate_id_inserts_nothing,
    max_id_and_count_follow_the_rows,
    ids_are_handed_out_once_across_processes_and_never_again,
    meta_is_a_key_value_table,
    records_are_inserted_counted_and_found,
    a_bad_record_batch_inserts_nothing,
    large_batches_span_many_statements,
    data_survives_reopening_and_migrations_run_once,
    concurrent_writers_all_commit,
    // Records by jurisdiction (suite/records.rs).
    records_are_listed_by_jurisdiction,
    a_jurisdiction_page_comes_from_the_grid_code_index,
    // Trust (suite/trust.rs).
    trust_tables_have_their_columns,
    units_are_upserted_and_read_back,
    users_are_created_found_and_paged,
    a_taken_user_name_creates_no_account,
    tokens_are_stored_listed_and_revoked,
    sessions_are_stored_and_expire,
    // The audit log (suite/audit.rs).
    the_audit_log_appends_and_reads_back,
    a_taken_seq_fails_the_whole_batch,
    concurrent_appends_never_overwrite,
    checkpoints_are_kept_by_size,
    the_audit_tables_refuse_updates_and_deletes,
    // The citizen-request loop (suite/cases.rs).
    tickets_round_trip_with_their_steps,
    an_update_names_the_version_it_changes,
    steps_are_audited_and_the_forgotten_ones_found,
    tickets_are_listed_by_unit_place_status_and_timer,
    media_models_corrections_and_facts,
    // The sensing network (suite/sensing.rs).
    sta_entities_round_trip_with_ids_above_the_derived_ones,
    observations_are_stored_paged_and_counted_by_stream_and_time,
    rollups_merge_and_keep_their_watermark,
    retention_prunes_old_observations,
);

fn column(name: &str, sql_type: &str) -> Column {
    Column {
        name: name.to_owned(),
        sql_type: sql_type.to_owned(),
    }
}

/// What each backend reports for a property of type `ty`, written out here rather
/// than taken from the store so that a wrong mapping in the store is caught too.
fn prop_type(backend: &str, ty: PropType) -> &'static str {
    match (backend, ty) {
        ("sqlite", PropType::Text | PropType::Date) => "TEXT",
        ("sqlite", PropType::Int) => "INTEGER",
        ("sqlite", PropType::Float) => "REAL",
        ("sqlite", PropType::Bool) => "BOOLEAN",
        (_, PropType::Text) => "text",
        (_, PropType::Int) => "bigint",
        (_, PropType::Float) => "double precision",
        (_, PropType::Bool) => "boolean",
        (_, PropType::Date) => "date",
    }
}

/// Every layer and record table has exactly its schema's columns, in order and typed.
async fn tables_match_the_schemas(db: Arc<TestDb>) {
    let store = db.open().await;
    let b = store.backend_name();
    let pg = b == "postgres";
    let (id, blob, real, time) = if pg {
        (
            "bigint",
            "bytea",
            "double precision",
            "timestamp with time zone",
        )
    } else {
        ("INTEGER", "BLOB", "REAL", "TEXT")
    };
    for layer in LayerId::ALL {
        let mut expected = vec![
            column("id", id),
            column("geom", blob),
            column("minx", real),
            column("miny", real),
            column("maxx", real),
            column("maxy", real),
            column("updated_at", time),
        ];
        expected.extend(
            layer
                .schema()
                .properties
                .iter()
                .map(|p| column(p.name, prop_type(b, p.ty))),
        );
        let actual = store.describe_table(layer.as_str()).await.unwrap();
        assert_eq!(actual, expected, "{b} table `{layer}`");
    }
    for schema in RECORD_SCHEMAS {
        let expected: Vec<Column> = schema
            .fields
            .iter()
            .map(|f| column(f.name, prop_type(b, f.ty)))
            .collect();
        let actual = store.describe_table(schema.name).await.unwrap();
        assert_eq!(actual, expected, "{b} table `{}`", schema.name);
    }
    assert_eq!(
        store.describe_table("meta").await.unwrap(),
        vec![
            column("key", prop_type(b, PropType::Text)),
            column("value", prop_type(b, PropType::Text))
        ]
    );
}

fn by_id(mut features: Vec<Feature>) -> Vec<Feature> {
    features.sort_by_key(|f| f.id);
    features
}

/// Each layer gives back exactly what it was given: geometry (Polygon and
/// MultiPolygon, holes included), every property type, NULLs, and `updated_at`.
async fn every_layer_round_trips(db: Arc<TestDb>) {
    let store = db.open().await;
    for layer in LayerId::ALL {
        let features = vec![
            sample_feature(layer, 1),
            sample_feature(layer, 2),
            empty_feature(layer, 3),
            sample_feature(layer, 1_000_004),
        ];
        store.insert_features(layer, &features).await.unwrap();
        let loaded = by_id(store.load_layer(layer).await.unwrap());
        assert_eq!(loaded, features, "layer `{layer}`");
    }
    // Every property type the schemas use is covered above.
    let used: Vec<PropType> = LayerId::ALL
        .iter()
        .flat_map(|l| l.schema().properties.iter().map(|p| p.ty))
        .collect();
    for ty in [
        PropType::Text,
        PropType::Int,
        PropType::Float,
        PropType::Date,
    ] {
        assert!(used.contains(&ty), "{ty:?}");
    }
}

async fn replace_and_delete_say_whether_the_feature_existed(db: Arc<TestDb>) {
    let store = db.open().await;
    let layer = LayerId::Buildings;
    store
        .insert_features(
            layer,
            &[sample_feature(layer, 10), sample_feature(layer, 11)],
        )
        .await
        .unwrap();

    let mut changed = sample_feature(layer, 12);
    changed.id = 10;
    assert!(store.replace_feature(layer, &changed).await.unwrap());
    let mut stranger = sample_feature(layer, 99);
    stranger.id = 99;
    assert!(!store.replace_feature(layer, &stranger).await.unwrap());
    assert_eq!(
        by_id(store.load_layer(layer).await.unwrap()),
        vec![changed, sample_feature_at(layer, 11, &store).await]
    );

    assert!(store.delete_feature(layer, 11).await.unwrap());
    assert!(!store.delete_feature(layer, 11).await.unwrap());
    assert!(!store.delete_feature(layer, 12345).await.unwrap());
    assert_eq!(store.count_features(layer).await.unwrap(), 1);
}

/// Feature `id` as stored, checked to have the sample's geometry and properties.
async fn sample_feature_at(layer: LayerId, id: i64, store: &impl TwinRepo) -> Feature {
    let f = store
        .load_layer(layer)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.id == id)
        .unwrap();
    let sample = sample_feature(layer, id);
    assert_eq!((&f.geometry, &f.props), (&sample.geometry, &sample.props));
    f
}

async fn a_batch_with_a_duplicate_id_inserts_nothing(db: Arc<TestDb>) {
    let store = db.open().await;
    let layer = LayerId::Components;
    let dup = vec![
        sample_feature(layer, 1),
        sample_feature(layer, 2),
        sample_feature(layer, 1),
    ];
    assert!(store.insert_features(layer, &dup).await.is_err());
    assert_eq!(store.count_features(layer).await.unwrap(), 0);

    store
        .insert_features(layer, &[sample_feature(layer, 5)])
        .await
        .unwrap();
    // Clashing with a stored id fails the whole batch too.
    let clash: Vec<Feature> = (3..=7).map(|i| sample_feature(layer, i)).collect();
    let err = store.insert_features(layer, &clash).await.unwrap_err();
    assert!(err.to_string().contains("components"), "{err}");
    assert_eq!(store.count_features(layer).await.unwrap(), 1);

    // A value of the wrong type is refused before anything is written.
    let mut bad = sample_feature(layer, 8);
    bad.props[0] = Value::Int(8);
    let batch = vec![sample_feature(layer, 9), bad];
    assert!(store.insert_features(layer, &batch).await.is_err());
    assert_eq!(store.count_features(layer).await.unwrap(), 1);
}

/// Two stores on one database (two processes, as two servers on one PostgreSQL) reserve
/// ids at once: no id is handed out twice, every one lies above the stored rows, and a
/// deleted feature's id is not handed out again.
async fn ids_are_handed_out_once_across_processes_and_never_again(db: Arc<TestDb>) {
    let (a, b) = (db.open().await, db.open().await);
    let layer = LayerId::Buildings;
    // Rows written with explicit ids (the generator's, an older release's) come first.
    let written: Vec<Feature> = [1, 2, 40].map(|i| sample_feature(layer, i)).into();
    a.insert_features(layer, &written).await.unwrap();
    let mut tasks = Vec::new();
    for store in [a.clone(), b.clone()] {
        for _ in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for n in [1_u64, 7, 3, 12] {
                    let first = store.reserve_feature_ids(layer, n).await.unwrap();
                    ids.extend(first..first + n as i64);
                }
                ids
            }));
        }
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    assert_eq!(n, 8 * 23);
    assert!(
        all.iter().all(|&id| id > 40),
        "an id at or below a stored one"
    );
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "an id was handed out twice");

    // A feature written under the last id and deleted: its id stays used.
    let last = *all.last().unwrap();
    a.insert_features(layer, &[sample_feature(layer, last)])
        .await
        .unwrap();
    assert!(a.delete_feature(layer, last).await.unwrap());
    assert!(b.reserve_feature_ids(layer, 1).await.unwrap() > last);
    // Other layers count on their own.
    assert_eq!(b.reserve_feature_ids(LayerId::Cameras, 2).await.unwrap(), 1);
}

async fn max_id_and_count_follow_the_rows(db: Arc<TestDb>) {
    let store = db.open().await;
    for layer in LayerId::ALL {
        assert_eq!(store.max_feature_id(layer).await.unwrap(), 0);
        assert_eq!(store.count_features(layer).await.unwrap(), 0);
    }
    let layer = LayerId::Pipes;
    let features: Vec<Feature> = [5, 17, 3].map(|i| sample_feature(layer, i)).into();
    store.insert_features(layer, &features).await.unwrap();
    store.insert_features(layer, &[]).await.unwrap();
    assert_eq!(store.max_feature_id(layer).await.unwrap(), 17);
    assert_eq!(store.count_features(layer).await.unwrap(), 3);
    assert!(store.delete_feature(layer, 17).await.unwrap());
    assert_eq!(store.max_feature_id(layer).await.unwrap(), 5);
    assert_eq!(store.count_features(layer).await.unwrap(), 2);
    assert_eq!(store.count_features(LayerId::Cameras).await.unwrap(), 0);
}

async fn meta_is_a_key_value_table(db: Arc<TestDb>) {
    let store = db.open().await;
    assert_eq!(store.get_meta("seed").await.unwrap(), None);
    store.set_meta("seed", "42").await.unwrap();
    store.set_meta("scale", "全量").await.unwrap();
    assert_eq!(store.get_meta("seed").await.unwrap().as_deref(), Some("42"));
    store.set_meta("seed", "43").await.unwrap();
    assert_eq!(store.get_meta("seed").await.unwrap().as_deref(), Some("43"));
    assert_eq!(
        store.get_meta("scale").await.unwrap().as_deref(),
        Some("全量")
    );
}

async fn records_are_inserted_counted_and_found(db: Arc<TestDb>) {
    let store = db.open().await;
    for schema in RECORD_SCHEMAS {
        assert_eq!(store.count_records(schema).await.unwrap(), 0);
        // Inserted out of order, found in id order.
        let rows: Vec<Vec<Value>> = (1..=30).rev().map(|i| sample_record(schema, i)).collect();
        store.insert_records(schema, &rows).await.unwrap();
        assert_eq!(store.count_records(schema).await.unwrap(), 30);

        // building_id = id % 10, so building 3 has ids 3, 13, 23.
        let found = store
            .find_records(schema, "building_id", &Value::Int(3), 10)
            .await
            .unwrap();
        assert_eq!(
            found,
            [3, 13, 23].map(|i| sample_record(schema, i)).to_vec(),
            "{}",
            schema.name
        );
        // Text from a query string finds an integer field; the limit applies.
        let found = store
            .find_records(schema, "building_id", &Value::from("3"), 2)
            .await
            .unwrap();
        assert_eq!(found, [3, 13].map(|i| sample_record(schema, i)).to_vec());
        let found = store
            .find_records(schema, "grid_code", &Value::from("443040010000"), 100)
            .await
            .unwrap();
        assert!(found.is_empty());
        let found = store
            .find_records(schema, "grid_code", &Value::from("440304001000"), 100)
            .await
            .unwrap();
        assert_eq!(found.len(), 10);
        assert!(found
            .windows(2)
            .all(|w| w[0][0].as_i64() < w[1][0].as_i64()));
        assert!(store
            .find_records(schema, "no_such_field", &Value::Int(1), 1)
            .await
            .is_err());
    }
    // A date field, and a NULL search (id % 5 == 4 leaves optional fields empty).
    let born = common::sample_value(PropType::Date, "birth_date", 7);
    let found = store
        .find_records(&PERSONS, "birth_date", &born, 5)
        .await
        .unwrap();
    assert_eq!(found, vec![sample_record(&PERSONS, 7)]);
    let found = store
        .find_records(&HOUSES, "floor", &Value::Null, 100)
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        [4, 9, 14, 19, 24, 29].map(Value::Int).to_vec()
    );
    let capital = ENTITIES.field("registered_capital_wan").unwrap();
    assert_eq!(capital.ty, PropType::Float);
}

async fn a_bad_record_batch_inserts_nothing(db: Arc<TestDb>) {
    let store = db.open().await;
    let schema: &'static RecordSchema = &HOUSES;
    let dup: Vec<Vec<Value>> = [1, 2, 1].map(|i| sample_record(schema, i)).into();
    assert!(store.insert_records(schema, &dup).await.is_err());
    let mut short = vec![sample_record(schema, 1), sample_record(schema, 2)];
    short[1].pop();
    let err = store.insert_records(schema, &short).await.unwrap_err();
    assert!(err.to_string().contains("fields"), "{err}");
    assert_eq!(store.count_records(schema).await.unwrap(), 0);
}

/// Batches larger than one statement still go in whole, in one transaction.
async fn large_batches_span_many_statements(db: Arc<TestDb>) {
    let store = db.open().await;
    let layer = LayerId::Components;
    let features: Vec<Feature> = (1..=25_001).map(|i| sample_feature(layer, i)).collect();
    store.insert_features(layer, &features).await.unwrap();
    assert_eq!(store.count_features(layer).await.unwrap(), 25_001);
    assert_eq!(by_id(store.load_layer(layer).await.unwrap()), features);

    // The clash is in the last statement; the earlier ones are rolled back too.
    let mut more: Vec<Feature> = (30_000..55_000).map(|i| sample_feature(layer, i)).collect();
    more.push(sample_feature(layer, 1));
    assert!(store.insert_features(layer, &more).await.is_err());
    assert_eq!(store.count_features(layer).await.unwrap(), 25_001);

    let rows: Vec<Vec<Value>> = (1..=25_001).map(|i| sample_record(&PERSONS, i)).collect();
    store.insert_records(&PERSONS, &rows).await.unwrap();
    assert_eq!(store.count_records(&PERSONS).await.unwrap(), 25_001);
}

async fn data_survives_reopening_and_migrations_run_once(db: Arc<TestDb>) {
    let store = db.open().await;
    let layer = LayerId::Devices;
    let features = vec![sample_feature(layer, 1), sample_feature(layer, 2)];
    store.insert_features(layer, &features).await.unwrap();
    store.set_meta("seed", "7").await.unwrap();
    store
        .insert_records(&ENTITIES, &[sample_record(&ENTITIES, 1)])
        .await
        .unwrap();
    let unit = Unit {
        id: "440304".into(),
        kind: UnitKind::District,
        name: "福田区".into(),
        parent: None,
        jurisdiction: "440304".parse().unwrap(),
    };
    store.put_units(std::slice::from_ref(&unit)).await.unwrap();
    let user_id = store
        .insert_users(&[NewUser {
            username: "admin".into(),
            display_name: "区管理员".into(),
            role: Role::DistrictAdmin,
            unit_id: Some("440304".into()),
            password_hash: Some("$argon2id$…".into()),
            mobile: None,
        }])
        .await
        .unwrap()[0];
    let user = store.user(user_id).await.unwrap().unwrap();
    let token_id = store
        .insert_token(&NewToken {
            name: "共享平台".into(),
            role: Role::ExternalConsumer,
            unit_id: None,
            secret_digest: [7; 32],
            created_by: "user:admin".into(),
            expires_at: None,
        })
        .await
        .unwrap();
    let token = store.token(token_id).await.unwrap().unwrap();
    let session = Session {
        digest: vec![1; 32],
        user_id,
        csrf_token: "csrf".into(),
        created_at: common::now_millis(),
        expires_at: common::now_millis() + chrono::Duration::hours(12),
    };
    store.insert_session(&session).await.unwrap();
    let audit: Vec<AuditRow> = (0..3).map(common::sample_audit_row).collect();
    store.append_audit(&audit).await.unwrap();
    let checkpoint = StoredCheckpoint {
        size: 3,
        note: "note".into(),
        created_at: common::now_millis(),
    };
    store.put_checkpoint(&checkpoint).await.unwrap();
    store.close().await;
    drop(store);

    // Reopening applies no migration twice and finds everything committed.
    for _ in 0..2 {
        let store = db.open().await;
        assert_eq!(by_id(store.load_layer(layer).await.unwrap()), features);
        assert_eq!(store.get_meta("seed").await.unwrap().as_deref(), Some("7"));
        assert_eq!(store.count_records(&ENTITIES).await.unwrap(), 1);
        assert_eq!(
            store.get_record(&ENTITIES, 1).await.unwrap(),
            Some(sample_record(&ENTITIES, 1))
        );
        assert_eq!(store.units().await.unwrap(), vec![unit.clone()]);
        assert_eq!(store.user(user_id).await.unwrap(), Some(user.clone()));
        assert_eq!(store.token(token_id).await.unwrap(), Some(token.clone()));
        assert_eq!(
            store.session(&session.digest).await.unwrap(),
            Some(session.clone())
        );
        assert_eq!(store.audit_rows(0, 10).await.unwrap(), audit);
        assert_eq!(store.checkpoints().await.unwrap(), vec![checkpoint.clone()]);
        store.close().await;
    }
}

/// Writers on several layers at once (as the simulator, imports and the HTTP API
/// do) wait for each other instead of failing with "database is locked".
async fn concurrent_writers_all_commit(db: Arc<TestDb>) {
    let store = db.open().await;
    let mut tasks = Vec::new();
    for (k, layer) in LayerId::ALL.into_iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for batch in 0..5i64 {
                let features: Vec<Feature> = (0..200)
                    .map(|i| sample_feature(layer, batch * 1000 + i + 1))
                    .collect();
                store.insert_features(layer, &features).await.unwrap();
                let mut f = sample_feature(layer, batch * 1000 + 1);
                f.props = empty_feature(layer, 0).props;
                assert!(store.replace_feature(layer, &f).await.unwrap());
                store
                    .set_meta(&format!("k{k}"), &batch.to_string())
                    .await
                    .unwrap();
            }
            store
                .insert_records(&PERSONS, &[sample_record(&PERSONS, k as i64 + 1)])
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for layer in LayerId::ALL {
        assert_eq!(store.count_features(layer).await.unwrap(), 1000, "{layer}");
    }
    assert_eq!(
        store.count_records(&PERSONS).await.unwrap(),
        LayerId::ALL.len() as u64
    );
}
