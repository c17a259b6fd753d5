//! Video cameras (智眼): at the corners of crossings and along roads, each with a unique
//! GB/T 28181 id whose base-unit digits name the street it watches.

use citymirror_core::{ids, Value};
use geo::Geometry;
use rand::Rng;

use crate::{
    components::date_between, emit::FeatureSink, outline::Axis, pick::pick_table, world::World,
    SimError,
};

const KINDS: &[(&str, u32)] = &[
    ("枪机", 45),
    ("球机", 25),
    ("半球", 15),
    ("人脸卡口", 6),
    ("车辆卡口", 7),
    ("高空瞭望", 2),
];

fn corner(east: bool, north: bool) -> &'static str {
    match (east, north) {
        (true, true) => "东北",
        (false, true) => "西北",
        (true, false) => "东南",
        (false, false) => "西南",
    }
}

/// The crossing road's name at a node, seen from the line `line`.
fn other_road(w: &World, node: u32, line: u32) -> Option<&str> {
    let n = &w.roads.nodes[node as usize];
    let other = if n.h == Some(line) { n.v } else { n.h }?;
    let l = &w.roads.lines[other as usize];
    Some(l.name_at(if l.axis == Axis::Horizontal { n.x } else { n.y }))
}

pub(crate) fn cameras(
    w: &World,
    total: u64,
    rng: &mut impl Rng,
    sink: &mut FeatureSink<'_>,
) -> Result<(), SimError> {
    let mut serials = [0u32; 100];
    for _ in 0..total {
        let at_crossing = rng.gen_bool(0.35);
        let placed = if at_crossing {
            w.crossing_point(rng).map(|(site, n, (east, north))| {
                let (a, b) = w.roads.node_names(n);
                let name = match b {
                    Some(b) if b != a => format!("{a}与{b}交叉口{}角", corner(east, north)),
                    _ => format!("{a}{}侧", corner(east, north)),
                };
                (site, name)
            })
        } else {
            None
        };
        let (site, name) = match placed {
            Some(p) => p,
            None => {
                let (site, e) = w
                    .roadside_point(rng)
                    .ok_or_else(|| SimError::Layout("no roads to put cameras on".into()))?;
                let e = &w.roads.edges[e as usize];
                let l = w.roads.line(e);
                let (x, y) = w.district.frame.to_m(site.p);
                let along = if l.axis == Axis::Horizontal { x } else { y };
                let road = l.name_at(along);
                let name = match (other_road(w, e.a, e.line), other_road(w, e.b, e.line)) {
                    (Some(a), Some(b)) if a != b && a != road && b != road => {
                        format!("{road}({a}至{b}段)")
                    }
                    _ => {
                        let start = l.spans.first().map_or(0.0, |s| s.0);
                        format!(
                            "{road}{}号附近",
                            2 * ((along - start).max(0.0) / 12.0) as i64 + 1
                        )
                    }
                };
                (site, name)
            }
        };
        // Base-unit digits: the street (01–10), so ids group by jurisdiction.
        let unit = w.part.grid_street[site.grid as usize] as u8 + 1;
        serials[unit as usize] += 1;
        let gb_id = ids::gb28181_id(
            "440304",
            unit,
            0,
            ids::GB28181_TYPE_IPC,
            serials[unit as usize],
        );
        let kind = pick_table(rng, KINDS);
        let resolution = match kind {
            "高空瞭望" => "8MP",
            "人脸卡口" | "车辆卡口" => pick_table(rng, &[("4MP", 60), ("8MP", 40)]),
            _ => pick_table(rng, &[("1080P", 50), ("4MP", 35), ("8MP", 15)]),
        };
        let status = if rng.gen_bool(0.95) {
            "在线"
        } else {
            "离线"
        };
        let props = vec![
            Value::from(gb_id),
            Value::from(name),
            Value::from(kind),
            Value::from(resolution),
            Value::from(status),
            Value::Date(date_between(rng, 2010, 2025)),
            Value::from(w.part.grids[site.grid as usize].code.as_str()),
        ];
        sink.push(Geometry::Point(site.p.point()), props)?;
    }
    Ok(())
}
