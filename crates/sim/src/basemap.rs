//! Writes the basemap layers: the roads the layout laid (one feature per named stretch),
//! and the landscape's water, parks and landmarks.

use citymirror_core::{LayerId, Value};
use geo::{Geometry, LineString, MultiPolygon, Point};

use crate::{
    emit::Out,
    frame::{units, Pt},
    landscape::{inside_point, Area, Landscape},
    world::World,
    SimError,
};

/// Stretches shorter than this are left off the map (a stub between a lake and a crossing).
const MIN_STRETCH_M: f64 = 20.0;

/// One named stretch of road, between two name changes or span ends.
struct Stretch {
    line: u32,
    from: f64,
    to: f64,
}

/// Writes roads, water, parks and landmarks; returns how many features each layer got.
pub(crate) fn write(
    out: &Out,
    w: &World,
    land: &Landscape,
) -> Result<Vec<(LayerId, u64)>, SimError> {
    let grid_at = |lon: f64, lat: f64| -> Value {
        let p = w.part.lattice.nudge(Pt {
            x: units(lon),
            y: units(lat),
        });
        w.part.grid_of(&w.district, p).map_or(Value::Null, |g| {
            Value::from(w.part.grids[g as usize].code.as_str())
        })
    };

    let stretches = stretches(w);
    let mut sink = out.features(LayerId::Roads, "basemap", stretches.len() as u64);
    for s in &stretches {
        let line = &w.roads.lines[s.line as usize];
        let f = w.district.frame;
        let at = |along: f64| {
            let (x, y) = line.point(along, 0.0);
            f.to_pt(x, y).coord()
        };
        let mid_along = (s.from + s.to) / 2.0;
        let mid = at(mid_along);
        sink.push(
            Geometry::LineString(LineString::new(vec![at(s.from), at(s.to)])),
            vec![
                Value::from(line.name_at(mid_along)),
                Value::from(if line.arterial { "主干道" } else { "支路" }),
                Value::Float(line.half_width * 2.0),
                grid_at(mid.x, mid.y),
            ],
        )?;
    }
    let mut written = vec![(LayerId::Roads, sink.finish()?)];

    for (layer, areas) in [(LayerId::Water, &land.water), (LayerId::Parks, &land.parks)] {
        let mut sink = out.features(layer, "basemap", areas.len() as u64);
        for a in areas {
            let grid = inside_point(&a.deg).map_or(Value::Null, |c| grid_at(c.x, c.y));
            sink.push(
                geometry(a),
                vec![Value::from(a.name), Value::from(a.kind), grid],
            )?;
        }
        written.push((layer, sink.finish()?));
    }

    let mut sink = out.features(LayerId::Landmarks, "basemap", land.landmarks.len() as u64);
    for m in &land.landmarks {
        sink.push(
            Geometry::Point(Point(m.at)),
            vec![
                Value::from(m.name),
                Value::from(m.kind),
                m.address.map_or(Value::Null, Value::from),
                grid_at(m.at.x, m.at.y),
            ],
        )?;
    }
    written.push((LayerId::Landmarks, sink.finish()?));
    Ok(written)
}

/// A single polygon as itself, several as a multipolygon.
fn geometry(a: &Area) -> Geometry<f64> {
    match a.deg.0.as_slice() {
        [one] => Geometry::Polygon(one.clone()),
        _ => Geometry::MultiPolygon(MultiPolygon(a.deg.0.clone())),
    }
}

/// Every road span cut where the road's name changes.
fn stretches(w: &World) -> Vec<Stretch> {
    let mut out = Vec::new();
    for (i, line) in w.roads.lines.iter().enumerate() {
        for &(a, b) in &line.spans {
            let mut cuts: Vec<f64> = line
                .names
                .iter()
                .map(|(from, _)| *from)
                .filter(|&at| a < at && at < b)
                .collect();
            cuts.insert(0, a);
            cuts.push(b);
            for pair in cuts.windows(2) {
                if pair[1] - pair[0] >= MIN_STRETCH_M {
                    out.push(Stretch {
                        line: i as u32,
                        from: pair[0],
                        to: pair[1],
                    });
                }
            }
        }
    }
    out
}
