//! The generation run, stage by stage, on the generating thread.

use std::collections::BTreeMap;

use citymirror_core::{records, LayerId, Value};

use crate::{
    buildings::{buildings, choose_lots},
    cameras::cameras,
    components::components,
    devices::devices,
    emit::{Out, Tally},
    landscape::Landscape,
    lots::{lots, parcels},
    outline::District,
    partition::{Partition, Unit},
    pick::stream,
    pipes::{self, pipes},
    records::records,
    roads::Roads,
    world::World,
    GenerateConfig, GenerateSummary, SimError, Targets,
};

/// Independent random streams, one per stage.
mod streams {
    pub const ROADS: u64 = 1;
    pub const CHOICE: u64 = 2;
    pub const BUILDINGS: u64 = 3;
    pub const COMPONENTS: u64 = 4;
    pub const PIPES: u64 = 5;
    pub const CAMERAS: u64 = 6;
    pub const DEVICES: u64 = 7;
    pub const RECORDS: u64 = 8;
    pub const LOTS: u64 = 100;
}

fn unit_props(u: &Unit) -> Vec<Value> {
    vec![
        Value::from(u.code.as_str()),
        Value::from(u.name.as_str()),
        u.parent
            .as_ref()
            .map_or(Value::Null, |p| Value::from(p.as_str())),
        Value::Float(u.area_km2),
    ]
}

/// Writes one administrative layer; progress counts all four as one stage.
fn write_units(
    out: &Out,
    layer: LayerId,
    units: &[Unit],
    base: u64,
    total: u64,
) -> Result<u64, SimError> {
    let mut sink = out.features_in(layer, "partition", Tally::Count { base, total });
    for u in units {
        sink.push(u.geom.clone(), unit_props(u))?;
    }
    sink.finish()
}

/// Lays the district out and writes every layer and record kind.
pub(crate) fn run(cfg: &GenerateConfig, out: &Out) -> Result<GenerateSummary, SimError> {
    let t = Targets::at_scale(cfg.scale);
    let seed = cfg.seed;
    let started = std::time::Instant::now();
    let lap =
        |what: &str| tracing::debug!(ms = started.elapsed().as_millis() as u64, "{what} done");
    const STEPS: u64 = 4;
    out.progress("layout", 0, STEPS)?;
    let district = District::load(&cfg.outline)?;
    let part = Partition::build(&district)?;
    lap("partition");
    out.progress("layout", 1, STEPS)?;
    let land = Landscape::build(&district);
    let roads = Roads::build(&district, &part, &land, &mut stream(seed, streams::ROADS));
    let parcels = parcels(&district, &part, &roads);
    lap("roads and parcels");
    out.progress("layout", 2, STEPS)?;
    let candidates = lots(
        &district,
        &land,
        &roads,
        &parcels,
        t.buildings as usize,
        |attempt| stream(seed, streams::LOTS + attempt),
    )
    .ok_or_else(|| {
        SimError::Layout(format!(
            "the district has no room for {} buildings (scale {})",
            t.buildings, cfg.scale
        ))
    })?;
    let chosen = choose_lots(
        candidates,
        t.buildings as usize,
        &mut stream(seed, streams::CHOICE),
    );
    let buildings = buildings(
        &chosen,
        &part,
        &roads,
        &district.frame,
        &mut stream(seed, streams::BUILDINGS),
    );
    drop(chosen);
    lap("lots and buildings");
    out.progress("layout", 3, STEPS)?;
    let w = World::new(district, part, roads, parcels, buildings);
    out.progress("layout", STEPS, STEPS)?;

    let mut features = BTreeMap::new();
    let p = &w.part;
    let admin: [(LayerId, &[Unit]); 4] = [
        (LayerId::District, std::slice::from_ref(&p.district)),
        (LayerId::Streets, &p.streets),
        (LayerId::Communities, &p.communities),
        (LayerId::Grids, &p.grids),
    ];
    let total: u64 = admin.iter().map(|(_, u)| u.len() as u64).sum();
    let mut base = 0;
    for (layer, units) in admin {
        let n = write_units(out, layer, units, base, total)?;
        features.insert(layer, n);
        base += n;
    }

    for (layer, n) in crate::basemap::write(out, &w, &land)? {
        features.insert(layer, n);
    }
    lap("basemap");

    let mut sink = out.features(LayerId::Buildings, "buildings", w.buildings.len() as u64);
    for b in &w.buildings {
        let props = vec![
            b.name.as_deref().map_or(Value::Null, Value::from),
            Value::from(b.address.as_str()),
            Value::from(b.use_),
            Value::Float(b.height_m),
            Value::Int(b.floors),
            Value::Date(b.completed),
            Value::from(p.grids[b.grid as usize].code.as_str()),
        ];
        sink.push(
            geo::Geometry::Polygon(b.fp.polygon(&w.district.frame)),
            props,
        )?;
    }
    features.insert(LayerId::Buildings, sink.finish()?);

    let mut sink = out.features(LayerId::Components, "components", t.components);
    let anchors = components(
        &w,
        t.components,
        &mut stream(seed, streams::COMPONENTS),
        &mut sink,
    )?;
    features.insert(LayerId::Components, sink.finish()?);
    lap("components");

    // Pipe progress is in metres: how many features the length makes is not known ahead.
    let budget = pipes::FULL_SCALE_M * cfg.scale;
    let mut sink = out.features_in(
        LayerId::Pipes,
        "pipes",
        Tally::Measure {
            done: 0.0,
            total: budget,
        },
    );
    let totals = pipes(&w, cfg.scale, &mut stream(seed, streams::PIPES), &mut sink)?;
    features.insert(LayerId::Pipes, sink.finish()?);
    lap("pipes");

    let mut sink = out.features(LayerId::Cameras, "cameras", t.cameras);
    cameras(
        &w,
        t.cameras,
        &mut stream(seed, streams::CAMERAS),
        &mut sink,
    )?;
    features.insert(LayerId::Cameras, sink.finish()?);

    let mut sink = out.features(LayerId::Devices, "devices", t.devices);
    devices(
        &w,
        t.devices,
        &anchors,
        &mut stream(seed, streams::DEVICES),
        &mut sink,
    )?;
    features.insert(LayerId::Devices, sink.finish()?);
    lap("cameras and devices");
    drop(anchors);

    let written = records(
        &w,
        out,
        (t.persons, t.houses, t.entities),
        &mut stream(seed, streams::RECORDS),
    )?;
    lap("records");
    let records = BTreeMap::from([
        (records::PERSONS.name, written.persons),
        (records::HOUSES.name, written.houses),
        (records::ENTITIES.name, written.entities),
    ]);
    Ok(GenerateSummary {
        features,
        records,
        pipe_km: totals.geodesic_m / 1000.0,
        pipe_km_haversine: totals.haversine_m / 1000.0,
    })
}
