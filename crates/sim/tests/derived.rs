//! Whatever the generator derives for a feature (a component's names from its category,
//! a pipe's length from its geometry, the grid it lies in), a feature written through
//! any write path gets the same way: the service (as OGC API Part 4 uses it), GeoJSON
//! and CSV import, and the live simulator.

mod common;

use std::{sync::Arc, time::Duration};

use citymirror_core::{datum::Datum, LayerId, Value};
use citymirror_sim::{run_simulator, SimulatorConfig};
use citymirror_twin::{import, ChangeKind, Feature, NewFeature, TwinService};
use geo::{Geometry, Point};

/// The derived fields of a component or pipe, by name.
fn derived(layer: LayerId, f: &Feature) -> Vec<(&'static str, Value)> {
    let names: &[&str] = match layer {
        LayerId::Components => &["category_name", "class_name"],
        _ => &["length_m"],
    };
    let schema = layer.schema();
    names
        .iter()
        .map(|n| (*n, f.prop(schema, n).cloned().unwrap_or(Value::Null)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_path_derives_what_the_generator_derives() {
    let (repo, _) = common::generate_into(0.002, 5, common::outline()).await;
    let generated = repo.features(LayerId::Components);
    let sample = generated
        .iter()
        .find(|f| f.prop(LayerId::Components.schema(), "category") == Some(&Value::from("0115")))
        .expect("the generator places hydrants")
        .clone();
    let expected = derived(LayerId::Components, &sample);
    assert_eq!(expected[0].1, Value::from("消防栓"));
    let pipe = repo.features(LayerId::Pipes)[0].clone();

    let service = Arc::new(TwinService::open(Arc::new(repo.clone())).await.unwrap());
    let Geometry::Point(at) = sample.geometry else {
        panic!("a point")
    };
    let (x, y) = (at.x() + 1e-5, at.y() + 1e-5);

    // The service, as OGC API Part 4 calls it: only the category is given.
    let new = NewFeature::validate(
        LayerId::Components.schema(),
        Geometry::Point(Point::new(x, y)),
        [("category".to_owned(), Value::from("0115"))],
    )
    .unwrap();
    let written = service.create(LayerId::Components, new).await.unwrap();
    assert_eq!(derived(LayerId::Components, &written), expected, "service");
    assert_eq!(
        written.prop(LayerId::Components.schema(), "grid_code"),
        sample.prop(LayerId::Components.schema(), "grid_code"),
        "next to the generated hydrant, in its grid"
    );

    // GeoJSON and CSV import, with names that disagree with the category.
    let geojson = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{x},{y}]}},"properties":{{"category":"0115","category_name":"水龙头"}}}}]}}"#
    );
    let rows = import::read_geojson(
        LayerId::Components.schema(),
        &geojson,
        Datum::Wgs84,
        |_, _| {},
    )
    .unwrap();
    let imported = service.import(LayerId::Components, rows).await.unwrap();
    assert_eq!(
        derived(LayerId::Components, &imported[0]),
        expected,
        "GeoJSON import"
    );
    let csv = format!("lon,lat,category,class_name\n{x},{y},0115,别的\n");
    let rows = import::read_csv(
        LayerId::Components.schema(),
        csv.as_bytes(),
        Datum::Wgs84,
        |_| {},
    )
    .unwrap();
    let imported = service.import(LayerId::Components, rows).await.unwrap();
    assert_eq!(
        derived(LayerId::Components, &imported[0]),
        expected,
        "CSV import"
    );

    // A pipe written with the generated one's geometry gets its length.
    let schema = LayerId::Pipes.schema();
    let props = [
        (
            "network".to_owned(),
            pipe.prop(schema, "network").unwrap().clone(),
        ),
        ("length_m".to_owned(), Value::Float(1.0)),
    ];
    let new = NewFeature::validate(schema, pipe.geometry.clone(), props).unwrap();
    let written = service.create(LayerId::Pipes, new).await.unwrap();
    assert_eq!(
        derived(LayerId::Pipes, &written),
        derived(LayerId::Pipes, &pipe),
        "pipe"
    );

    // The simulator's components.
    let mut changes = service.twin().subscribe();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let cfg = SimulatorConfig {
        interval: Duration::from_millis(2),
        seed: 9,
        max_created: 20,
        audit: None,
    };
    let task = tokio::spawn(run_simulator(service.clone(), cfg, stopped));
    let mut checked = 0;
    while checked < 3 {
        let c = tokio::time::timeout(Duration::from_secs(20), changes.recv())
            .await
            .expect("the simulator keeps changing things")
            .unwrap();
        if c.layer != LayerId::Components || c.kind != ChangeKind::Created {
            continue;
        }
        let Some(f) = service.twin().layer(LayerId::Components).get(c.id).cloned() else {
            continue;
        };
        let category = f
            .prop(LayerId::Components.schema(), "category")
            .unwrap()
            .clone();
        let like = generated
            .iter()
            .find(|g| g.prop(LayerId::Components.schema(), "category") == Some(&category))
            .expect("a generated component of the same category");
        assert_eq!(
            derived(LayerId::Components, &f),
            derived(LayerId::Components, like),
            "simulator, {category:?}"
        );
        checked += 1;
    }
    stop.send(true).unwrap();
    task.await.unwrap();
}
