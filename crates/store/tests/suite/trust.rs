//! Trust's storage: units, user accounts, API tokens and sessions.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use citymirror_core::{GridCode, RepoError};
use citymirror_trust::{NewToken, NewUser, Role, Session, TrustRepo, Unit, UnitKind, User};

use crate::common::{now_millis, TestDb};

fn unit(id: &str, kind: UnitKind, name: &str, parent: Option<&str>, area: &str) -> Unit {
    Unit {
        id: id.into(),
        kind,
        name: name.into(),
        parent: parent.map(Into::into),
        jurisdiction: area.parse::<GridCode>().unwrap(),
    }
}

fn new_user(username: &str, role: Role, unit: Option<&str>) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("{username} 显示名"),
        role,
        unit_id: unit.map(Into::into),
        password_hash: (role != Role::GridWorker).then(|| format!("$argon2id$v=19${username}")),
        mobile: (role == Role::Citizen).then(|| "13800000000".into()),
    }
}

/// `user` as stored: what it was created from, with its id, enabled, created about now.
fn check_user(user: &User, from: &NewUser, id: i64, around: DateTime<Utc>) {
    assert_eq!(
        (
            user.id,
            &user.username,
            &user.display_name,
            user.role,
            &user.unit_id,
            &user.password_hash,
            &user.mobile,
            user.disabled
        ),
        (
            id,
            &from.username,
            &from.display_name,
            from.role,
            &from.unit_id,
            &from.password_hash,
            &from.mobile,
            false
        )
    );
    let skew = (user.created_at - around).num_seconds().abs();
    assert!(skew < 60, "created_at {} vs {around}", user.created_at);
}

pub async fn units_are_upserted_and_read_back(db: Arc<TestDb>) {
    let store = db.open().await;
    assert!(store.units().await.unwrap().is_empty());
    store.put_units(&[]).await.unwrap();
    let district = unit("440304", UnitKind::District, "福田区", None, "440304");
    let street = unit(
        "440304001",
        UnitKind::StreetOffice,
        "园岭街道办事处",
        Some("440304"),
        "440304001",
    );
    let department = unit(
        "440304-D01",
        UnitKind::Department,
        "区城管局",
        Some("440304"),
        "440304",
    );
    store
        .put_units(&[street.clone(), district.clone(), department.clone()])
        .await
        .unwrap();
    // By id.
    assert_eq!(
        store.units().await.unwrap(),
        vec![district.clone(), department.clone(), street.clone()]
    );

    // An existing id is updated; within one batch the last of an id wins.
    let renamed = Unit {
        name: "园岭街道".into(),
        ..street.clone()
    };
    let grid = unit(
        "44030400100101",
        UnitKind::GridTeam,
        "第一网格",
        Some("440304001001"),
        "44030400100101",
    );
    let community = unit(
        "440304001001",
        UnitKind::CommunityStation,
        "社区工作站",
        Some("440304001"),
        "440304001001",
    );
    let community_renamed = Unit {
        name: "百花社区工作站".into(),
        ..community.clone()
    };
    store
        .put_units(&[
            community,
            renamed.clone(),
            grid.clone(),
            community_renamed.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.units().await.unwrap(),
        vec![district, department, renamed, community_renamed, grid]
    );
}

pub async fn users_are_created_found_and_paged(db: Arc<TestDb>) {
    let store = db.open().await;
    assert_eq!(store.insert_users(&[]).await.unwrap(), Vec::<i64>::new());
    let new = vec![
        new_user("admin", Role::DistrictAdmin, Some("440304")),
        new_user("wangge01", Role::GridWorker, Some("44030400100101")),
        new_user("13800000001", Role::Citizen, None),
        new_user("jiedao", Role::StreetStaff, Some("440304001")),
        new_user("fenxi", Role::DataAnalyst, Some("440304-D09")),
    ];
    let now = Utc::now();
    let ids = store.insert_users(&new).await.unwrap();
    assert_eq!(ids.len(), 5);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(store.count_users().await.unwrap(), 5);

    for (from, &id) in new.iter().zip(&ids) {
        let by_id = store.user(id).await.unwrap().expect("by id");
        check_user(&by_id, from, id, now);
        let by_name = store.user_by_name(&from.username).await.unwrap();
        assert_eq!(by_name.as_ref(), Some(&by_id));
    }
    assert_eq!(store.user(ids[4] + 100).await.unwrap(), None);
    assert_eq!(store.user_by_name("nobody").await.unwrap(), None);
    assert_eq!(store.user_by_name("ADMIN").await.unwrap(), None);

    // Keyset pages, by id.
    let page = |after, limit| {
        let store = store.clone();
        async move {
            store
                .users(after, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(0, 2).await, ids[..2]);
    assert_eq!(page(ids[1], 2).await, ids[2..4]);
    assert_eq!(page(ids[3], 2).await, ids[4..]);
    assert!(page(ids[4], 2).await.is_empty());
    assert_eq!(page(0, 100).await, ids);

    // Passwords are set and cleared; an unknown user says so.
    let worker = ids[1];
    assert!(store
        .set_password(worker, Some("$argon2id$new"))
        .await
        .unwrap());
    let u = store.user(worker).await.unwrap().unwrap();
    assert_eq!(u.password_hash.as_deref(), Some("$argon2id$new"));
    assert!(store.set_password(worker, None).await.unwrap());
    assert_eq!(
        store.user(worker).await.unwrap().unwrap().password_hash,
        None
    );
    assert!(!store.set_password(ids[4] + 100, Some("x")).await.unwrap());
}

pub async fn a_taken_user_name_creates_no_account(db: Arc<TestDb>) {
    let store = db.open().await;
    let first = store
        .insert_users(&[new_user(
            "zhangsan",
            Role::CommunityStaff,
            Some("440304001001"),
        )])
        .await
        .unwrap();
    let conflict = |r: Result<Vec<i64>, RepoError>| match r {
        Err(RepoError::Conflict(what)) => what,
        other => panic!("expected a conflict, got {other:?}"),
    };

    // Taken by a stored account: the whole batch is refused, naming the name.
    let batch = [
        new_user("lisi", Role::StreetStaff, Some("440304001")),
        new_user("zhangsan", Role::Supervisor, Some("440304")),
        new_user("wangwu", Role::Citizen, None),
    ];
    let what = conflict(store.insert_users(&batch).await);
    assert!(what.contains("zhangsan"), "{what}");
    // Named twice in one batch.
    let batch = [
        new_user("zhaoliu", Role::Citizen, None),
        new_user("zhaoliu", Role::Citizen, None),
    ];
    let what = conflict(store.insert_users(&batch).await);
    assert!(what.contains("zhaoliu"), "{what}");

    assert_eq!(store.count_users().await.unwrap(), 1);
    for name in ["lisi", "wangwu", "zhaoliu"] {
        assert_eq!(store.user_by_name(name).await.unwrap(), None, "{name}");
    }
    let stored = store.user_by_name("zhangsan").await.unwrap().unwrap();
    assert_eq!((stored.id, stored.role), (first[0], Role::CommunityStaff));

    // The names that were free still are.
    let ids = store
        .insert_users(&[new_user("lisi", Role::StreetStaff, Some("440304001"))])
        .await
        .unwrap();
    assert!(ids[0] > first[0]);
}

fn new_token(
    name: &str,
    role: Role,
    unit: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
) -> NewToken {
    let mut secret_digest = [0u8; 32];
    for (i, b) in secret_digest.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(7) ^ name.len() as u8;
    }
    NewToken {
        name: name.into(),
        role,
        unit_id: unit.map(Into::into),
        secret_digest,
        created_by: "user:admin".into(),
        expires_at,
    }
}

pub async fn tokens_are_stored_listed_and_revoked(db: Arc<TestDb>) {
    let store = db.open().await;
    assert!(store.tokens().await.unwrap().is_empty());
    let now = now_millis();
    let share = new_token("区数据共享平台", Role::ExternalConsumer, None, None);
    let expiring = new_token(
        "城管局对接",
        Role::DepartmentHandler,
        Some("440304-D01"),
        Some(now + Duration::days(30)),
    );
    let expired = new_token(
        "旧系统",
        Role::DataAnalyst,
        None,
        Some(now - Duration::hours(1)),
    );
    let a = store.insert_token(&share).await.unwrap();
    let b = store.insert_token(&expiring).await.unwrap();
    let c = store.insert_token(&expired).await.unwrap();
    assert!(a < b && b < c);

    let t = store.token(b).await.unwrap().expect("stored");
    assert_eq!(
        (
            t.id,
            t.name.as_str(),
            t.role,
            t.unit_id.as_deref(),
            &t.secret_digest[..],
            t.created_by.as_str(),
            t.expires_at,
            t.revoked_at
        ),
        (
            b,
            "城管局对接",
            Role::DepartmentHandler,
            Some("440304-D01"),
            &expiring.secret_digest[..],
            "user:admin",
            expiring.expires_at,
            None
        )
    );
    assert!((t.created_at - Utc::now()).num_seconds().abs() < 60);
    assert!(t.is_live(now));
    assert_eq!(store.token(c + 100).await.unwrap(), None);

    // Newest first.
    let listed: Vec<i64> = store.tokens().await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(listed, [c, b, a]);

    // Revoking a live token works once; an unknown or expired token is not live.
    let at = now_millis();
    assert!(store.revoke_token(a, at).await.unwrap());
    assert!(!store
        .revoke_token(a, at + Duration::seconds(1))
        .await
        .unwrap());
    assert!(!store.revoke_token(c + 100, at).await.unwrap());
    assert!(!store.revoke_token(c, at).await.unwrap());
    let revoked = store.token(a).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(at));
    assert!(!revoked.is_live(at));
    assert_eq!(store.token(b).await.unwrap().unwrap().revoked_at, None);
    assert_eq!(store.token(c).await.unwrap().unwrap().revoked_at, None);
}

fn session(digest: u8, user_id: i64, created_at: DateTime<Utc>, ttl: Duration) -> Session {
    Session {
        digest: vec![digest; 32],
        user_id,
        csrf_token: format!("csrf-{digest}"),
        created_at,
        expires_at: created_at + ttl,
    }
}

pub async fn sessions_are_stored_and_expire(db: Arc<TestDb>) {
    let store = db.open().await;
    let ids = store
        .insert_users(&[new_user(
            "wangge02",
            Role::GridWorker,
            Some("44030400100102"),
        )])
        .await
        .unwrap();
    let user = ids[0];
    let now = now_millis();
    let old = session(1, user, now - Duration::hours(13), Duration::hours(12));
    let ending = session(2, user, now - Duration::hours(12), Duration::hours(12));
    let fresh = session(3, user, now, Duration::hours(12));
    for s in [&old, &ending, &fresh] {
        store.insert_session(s).await.unwrap();
    }
    assert_eq!(
        store.session(&fresh.digest).await.unwrap(),
        Some(fresh.clone())
    );
    assert_eq!(store.session(&[9; 32]).await.unwrap(), None);
    assert!(store.insert_session(&fresh).await.is_err());
    // A session belongs to a stored user.
    assert!(store
        .insert_session(&session(4, user + 100, now, Duration::hours(1)))
        .await
        .is_err());

    // Expired at or before `now`: the old one and the one that ends now.
    assert_eq!(store.delete_expired_sessions(now).await.unwrap(), 2);
    assert_eq!(store.session(&old.digest).await.unwrap(), None);
    assert_eq!(store.session(&ending.digest).await.unwrap(), None);
    assert_eq!(store.delete_expired_sessions(now).await.unwrap(), 0);

    store.delete_session(&fresh.digest).await.unwrap();
    assert_eq!(store.session(&fresh.digest).await.unwrap(), None);
    // Deleting what is not there is not an error (signing out twice).
    store.delete_session(&fresh.digest).await.unwrap();
}

/// What each backend reports for trust's and the audit log's columns.
pub async fn trust_tables_have_their_columns(db: Arc<TestDb>) {
    let store = db.open().await;
    let pg = store.backend_name() == "postgres";
    let ty = |sqlite: &'static str, postgres: &'static str| if pg { postgres } else { sqlite };
    let (text, int, blob, time, boolean) = (
        ty("TEXT", "text"),
        ty("INTEGER", "bigint"),
        ty("BLOB", "bytea"),
        ty("TEXT", "timestamp with time zone"),
        ty("BOOLEAN", "boolean"),
    );
    let tables: [(&str, &[(&str, &str)]); 6] = [
        (
            "units",
            &[
                ("id", text),
                ("kind", text),
                ("name", text),
                ("parent_id", text),
                ("jurisdiction", text),
            ],
        ),
        (
            "users",
            &[
                ("id", int),
                ("username", text),
                ("display_name", text),
                ("role", text),
                ("unit_id", text),
                ("password_hash", text),
                ("mobile", text),
                ("disabled", boolean),
                ("created_at", time),
            ],
        ),
        (
            "api_tokens",
            &[
                ("id", int),
                ("name", text),
                ("role", text),
                ("unit_id", text),
                ("secret_digest", blob),
                ("created_by", text),
                ("created_at", time),
                ("expires_at", time),
                ("revoked_at", time),
            ],
        ),
        (
            "sessions",
            &[
                ("digest", blob),
                ("user_id", int),
                ("csrf_token", text),
                ("created_at", time),
                ("expires_at", time),
            ],
        ),
        (
            "audit_log",
            &[
                ("seq", int),
                ("entry", text),
                ("leaf_hash", blob),
                ("root_after", blob),
            ],
        ),
        (
            "audit_checkpoints",
            &[("size", int), ("note", text), ("created_at", time)],
        ),
    ];
    for (table, columns) in tables {
        let expected: Vec<(String, String)> = columns
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let actual: Vec<(String, String)> = store
            .describe_table(table)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.sql_type))
            .collect();
        assert_eq!(actual, expected, "{} table `{table}`", store.backend_name());
    }
}
