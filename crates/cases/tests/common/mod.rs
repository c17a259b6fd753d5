//! A small district for the request loop's tests, with a real store (SQLite in a
//! temporary directory), a real audit log, and a clock the test moves.
//!
//! ```text
//!  22.60 ┌──────────────┬──────────────┐
//!        │ 440304001·01·02 440304002·01·02
//!  22.55 ├──────────────┼──────────────┤   a road 红荔路 along 22.53 from 114.00 to 114.10,
//!        │ 440304001·01·01 440304002·01·01   the river 福田河 as a box at 114.06–114.07 × 22.56–22.58
//!  22.50 └──────────────┴──────────────┘
//!      114.00        114.05         114.10
//! ```

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use citymirror_cases::{
    channel::channel,
    clock::ManualClock,
    dispatch::Matrix,
    intake::Submission,
    org::TrustDirectory,
    service::{Acting, CaseConfig, CaseParts, CaseService},
    ticket::Actor,
};
use citymirror_core::{LayerId, Value};
use citymirror_store::{Store, StoreTarget};
use citymirror_trust::{
    audit::{AuditConfig, AuditLog, Signer},
    NewUser, Role, TrustRepo, Unit, UnitKind,
};
use citymirror_twin::{Feature, Layer, Twin};
use geo::{line_string, Geometry, Rect};

pub const ON_ROAD: (f64, f64) = (114.02, 22.5301);
pub const BY_RIVER: (f64, f64) = (114.065, 22.5705);
pub const IN_STREET_1: (f64, f64) = (114.02, 22.57);
pub const OUTSIDE: (f64, f64) = (114.2, 22.7);

pub struct Harness {
    pub cases: Arc<CaseService>,
    pub store: Store,
    pub clock: ManualClock,
    pub audit: AuditLog,
    pub twin: Arc<Twin>,
    pub handler: i64,
    pub water_handler: i64,
    pub street_staff: i64,
    pub citizen: i64,
    pub dir: tempfile::TempDir,
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry<f64> {
    Rect::new((x0, y0), (x1, y1)).to_polygon().into()
}

fn feature(id: i64, geometry: Geometry<f64>, props: Vec<Value>) -> Feature {
    Feature {
        id,
        geometry,
        props,
        updated_at: Utc::now(),
    }
}

fn area(id: i64, g: Geometry<f64>, code: &str, name: &str, parent: Option<&str>) -> Feature {
    feature(
        id,
        g,
        vec![code.into(), name.into(), parent.into(), Value::Float(1.0)],
    )
}

pub fn twin() -> Arc<Twin> {
    let twin = Twin::new();
    let set = |layer: LayerId, features: Vec<Feature>| {
        twin.set_layer(Layer::from_features(layer.schema(), features));
    };
    set(
        LayerId::District,
        vec![area(
            1,
            rect(114.0, 22.5, 114.1, 22.6),
            "440304",
            "福田区",
            None,
        )],
    );
    set(
        LayerId::Streets,
        vec![
            area(
                1,
                rect(114.0, 22.5, 114.05, 22.6),
                "440304001",
                "莲花街道",
                Some("440304"),
            ),
            area(
                2,
                rect(114.05, 22.5, 114.1, 22.6),
                "440304002",
                "福田街道",
                Some("440304"),
            ),
        ],
    );
    set(
        LayerId::Communities,
        vec![
            area(
                1,
                rect(114.0, 22.5, 114.05, 22.6),
                "440304001001",
                "莲花一村社区",
                Some("440304001"),
            ),
            area(
                2,
                rect(114.05, 22.5, 114.1, 22.6),
                "440304002001",
                "福田社区",
                Some("440304002"),
            ),
        ],
    );
    let mut grids = Vec::new();
    for (i, (x, code)) in [(114.0, "440304001001"), (114.05, "440304002001")]
        .into_iter()
        .enumerate()
    {
        for (j, y) in [22.5, 22.55].into_iter().enumerate() {
            let g = format!("{code}{:02}", j + 1);
            grids.push(area(
                (i * 2 + j + 1) as i64,
                rect(x, y, x + 0.05, y + 0.05),
                &g,
                &format!("第{}网格", j + 1),
                Some(code),
            ));
        }
    }
    set(LayerId::Grids, grids);
    set(
        LayerId::Roads,
        vec![feature(
            1,
            line_string![(x: 114.0, y: 22.53), (x: 114.1, y: 22.53)].into(),
            vec![
                "红荔路".into(),
                "主干路".into(),
                Value::Float(30.0),
                "44030400100101".into(),
            ],
        )],
    );
    set(
        LayerId::Water,
        vec![feature(
            1,
            rect(114.06, 22.56, 114.07, 22.58),
            vec!["福田河".into(), "河流".into(), "44030400200102".into()],
        )],
    );
    twin.rebuild_grid_index();
    Arc::new(twin)
}

async fn organisation(store: &Store) -> (i64, i64, i64, i64) {
    let unit = |id: &str, kind, name: &str, parent: Option<&str>, j: &str| Unit {
        id: id.into(),
        kind,
        name: name.into(),
        parent: parent.map(str::to_owned),
        jurisdiction: j.parse().unwrap(),
    };
    store
        .put_units(&[
            unit("440304", UnitKind::District, "福田区", None, "440304"),
            unit(
                "440304-D01",
                UnitKind::Department,
                "福田区城市管理和综合执法局",
                Some("440304"),
                "440304",
            ),
            unit(
                "440304-D03",
                UnitKind::Department,
                "福田区水务局",
                Some("440304"),
                "440304",
            ),
            unit(
                "440304001",
                UnitKind::StreetOffice,
                "莲花街道办事处",
                Some("440304"),
                "440304001",
            ),
            unit(
                "440304002",
                UnitKind::StreetOffice,
                "福田街道办事处",
                Some("440304"),
                "440304002",
            ),
            unit(
                "440304001001",
                UnitKind::CommunityStation,
                "莲花一村社区工作站",
                Some("440304001"),
                "440304001001",
            ),
        ])
        .await
        .unwrap();
    let user = |name: &str, role, unit: Option<&str>| NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        unit_id: unit.map(str::to_owned),
        password_hash: None,
        mobile: None,
    };
    let ids = store
        .insert_users(&[
            user("handler", Role::DepartmentHandler, Some("440304-D01")),
            user("water", Role::DepartmentHandler, Some("440304-D03")),
            user("street", Role::StreetStaff, Some("440304001")),
            user("13800138000", Role::Citizen, None),
        ])
        .await
        .unwrap();
    (ids[0], ids[1], ids[2], ids[3])
}

pub async fn harness_at(start: DateTime<Utc>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    harness_in(dir, ManualClock::at(start), true, CaseConfig::default()).await
}

/// A service over the store in `dir` (set up when `fresh`): a restart is another
/// harness over the same directory.
pub async fn harness_in(
    dir: tempfile::TempDir,
    clock: ManualClock,
    fresh: bool,
    config: CaseConfig,
) -> Harness {
    let store = citymirror_store::open(&StoreTarget::Sqlite {
        data_dir: dir.path().to_owned(),
    })
    .await
    .unwrap();
    let (handler, water_handler, street_staff, citizen) = if fresh {
        organisation(&store).await
    } else {
        let id = |name: &str| {
            let store = store.clone();
            let name = name.to_owned();
            async move { store.user_by_name(&name).await.unwrap().unwrap().id }
        };
        (
            id("handler").await,
            id("water").await,
            id("street").await,
            id("13800138000").await,
        )
    };
    let signer = Signer::from_seed("test.citymirror", [7; 32]).unwrap();
    let audit = AuditLog::open(Arc::new(store.clone()), signer, AuditConfig::default())
        .await
        .unwrap();
    let twin = twin();
    let cases = CaseService::open(CaseParts {
        tickets: Arc::new(store.clone()),
        models: Arc::new(store.clone()),
        twin: twin.clone(),
        org: Arc::new(TrustDirectory::new(
            Arc::new(store.clone()),
            std::time::Duration::from_secs(60),
        )),
        audit: audit.clone(),
        clock: Arc::new(clock.clone()),
        config,
        matrix: Matrix::futian(),
    })
    .await
    .unwrap();
    Harness {
        cases: Arc::new(cases),
        store,
        clock,
        audit,
        twin,
        handler,
        water_handler,
        street_staff,
        citizen,
        dir,
    }
}

pub fn person(user: i64, role: Role, unit: Option<&str>) -> Acting {
    Acting {
        actor: Actor {
            user: Some(user),
            role: role.as_str().into(),
            unit: unit.map(str::to_owned),
        },
        audit_name: format!("user#{user}"),
        role: Some(role),
        tracking_token: None,
    }
}

pub fn request(service: Option<&str>, at: (f64, f64), text: &str) -> Submission {
    Submission {
        channel: channel("h5").unwrap(),
        source_ref: None,
        service: service.map(|s| citymirror_cases::catalog::service(s).unwrap()),
        title: String::new(),
        description: text.into(),
        lon: at.0,
        lat: at.1,
        address: None,
        urgency: None,
        attributes: Default::default(),
        photos: Vec::new(),
        submitter: None,
        contact_name: Some("张先生".into()),
        contact_phone: Some("13912345678".into()),
        by: Acting {
            actor: Actor {
                user: None,
                role: "citizen".into(),
                unit: None,
            },
            audit_name: "anonymous".into(),
            role: None,
            tracking_token: None,
        },
    }
}
