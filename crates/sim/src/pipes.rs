//! Underground pipes: six networks (给水, 排水, 污水, 燃气, 电力, 通信) laid along the roads,
//! their lengths in the catalogue's shares of 4,896.9 km × scale.
//!
//! Each network grows from a random crossing over the road graph, one road edge at a
//! time from its frontier, so it is connected by construction; when it has used every
//! road it starts again on a copy of the graph shifted half a metre or so (pipes of one
//! kind side by side), joined to the first at the root. Each network runs a few metres
//! to its own side of the centreline, so networks never coincide.
//!
//! Lengths are geodesic, measured on the stored (rounded) coordinates, and the last
//! edge is cut so each network hits its budget to the centimetre. Growth also steers
//! between east-west and north-south edges to keep the haversine total within a few
//! metres of the geodesic one, so the figure is the same whichever way it is measured.
//!
//! Every pipe feature is a stretch of road edge within one lattice cell, with a midpoint
//! vertex, so that it lies in exactly one grid however its position is taken.

use citymirror_core::{catalogue::PIPE_NETWORKS, Value};
use geo::{Geodesic, Geometry, Haversine, Length, LineString};
use rand::{seq::SliceRandom, Rng};

use crate::{
    components::date_between, emit::FeatureSink, frame::Pt, outline::Axis, world::World, SimError,
};

/// Futian's pipe length at full scale, in metres.
pub(crate) const FULL_SCALE_M: f64 = 4_896_900.0;

/// What was laid.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PipeTotals {
    pub geodesic_m: f64,
    pub haversine_m: f64,
    pub features: u64,
}

/// A stretch of pipe: start, midpoint and end, in units.
#[derive(Debug, Clone, Copy)]
struct Piece {
    a: Pt,
    m: Pt,
    b: Pt,
}

impl Piece {
    fn new(a: Pt, b: Pt) -> Piece {
        Piece {
            a,
            m: Pt {
                x: (a.x + b.x).div_euclid(2),
                y: (a.y + b.y).div_euclid(2),
            },
            b,
        }
    }
    fn line(&self) -> LineString<f64> {
        LineString::new(vec![self.a.coord(), self.m.coord(), self.b.coord()])
    }
    fn lengths(&self) -> (f64, f64) {
        let l = self.line();
        (Geodesic.length(&l), Haversine.length(&l))
    }
}

/// Per-run attributes shared by the pieces of one road edge.
struct Run {
    diameter: i64,
    material: &'static str,
    depth: f64,
    laid: chrono::NaiveDate,
}

fn depth_range(network: &str) -> (f64, f64) {
    match network {
        "给水" => (1.0, 2.0),
        "排水" => (1.5, 3.5),
        "污水" => (2.0, 4.5),
        "燃气" => (0.8, 1.5),
        "电力" => (0.7, 1.5),
        _ => (0.7, 1.2),
    }
}

/// Splits a translated road edge into pieces at cell lines, in units.
fn pieces(w: &World, a: (f64, f64), b: (f64, f64), axis: Axis) -> Vec<Piece> {
    let frame = &w.district.frame;
    let lattice = &w.part.lattice;
    let (pa, pb) = (frame.to_pt(a.0, a.1), frame.to_pt(b.0, b.1));
    let (lo, hi, step, origin) = match axis {
        Axis::Horizontal => (pa.x, pb.x, lattice.cw, frame.origin.x),
        Axis::Vertical => (pa.y, pb.y, lattice.ch, frame.origin.y),
    };
    let mut cuts = vec![lo];
    let mut k = (lo - origin).div_euclid(step) + 1;
    while origin + k * step < hi {
        cuts.push(origin + k * step);
        k += 1;
    }
    cuts.push(hi);
    cuts.windows(2)
        .map(|c| match axis {
            Axis::Horizontal => Piece::new(Pt { x: c[0], y: pa.y }, Pt { x: c[1], y: pa.y }),
            Axis::Vertical => Piece::new(Pt { x: pa.x, y: c[0] }, Pt { x: pa.x, y: c[1] }),
        })
        .collect()
}

struct Layer<'w, 's, 'o, R> {
    w: &'w World,
    rng: &'s mut R,
    sink: &'s mut FeatureSink<'o>,
    totals: PipeTotals,
}

impl<R: Rng> Layer<'_, '_, '_, R> {
    /// Writes one piece (cut to `budget` metres if longer); returns its geodesic length,
    /// or `None` if it does not fall in a grid (it is then left out).
    fn lay(
        &mut self,
        network: usize,
        run: &Run,
        piece: Piece,
        budget: f64,
    ) -> Result<f64, SimError> {
        let mut piece = piece;
        let (mut g, mut h) = piece.lengths();
        if g > budget {
            let t = budget / g;
            let b = Pt {
                x: piece.a.x + ((piece.b.x - piece.a.x) as f64 * t).round() as i64,
                y: piece.a.y + ((piece.b.y - piece.a.y) as f64 * t).round() as i64,
            };
            if (b.x - piece.a.x).abs() + (b.y - piece.a.y).abs() < 3 {
                return Ok(0.0); // a centimetre or two: not worth a feature
            }
            piece = Piece::new(piece.a, b);
            (g, h) = piece.lengths();
        }
        let Some(grid) = self.w.part.grid_of(&self.w.district, piece.m) else {
            return Ok(0.0);
        };
        let net = &PIPE_NETWORKS[network];
        let props = vec![
            Value::from(net.name_zh),
            Value::Int(run.diameter),
            Value::from(run.material),
            Value::Float((g * 100.0).round() / 100.0),
            Value::Float(run.depth),
            Value::Date(run.laid),
            Value::from(net.owner_unit),
            Value::from(self.w.part.grids[grid as usize].code.as_str()),
        ];
        self.sink.push(Geometry::LineString(piece.line()), props)?;
        self.sink.advance(g);
        self.totals.geodesic_m += g;
        self.totals.haversine_m += h;
        self.totals.features += 1;
        Ok(g)
    }

    fn run(&mut self, network: usize, arterial: bool) -> Run {
        let net = &PIPE_NETWORKS[network];
        let ds = net.diameters_mm;
        // Arterials carry the trunk mains: the larger half of the sizes.
        let half = ds.len() / 2;
        let diameter = if arterial {
            ds[self.rng.gen_range(half..ds.len())]
        } else {
            ds[self.rng.gen_range(0..half.max(1))]
        };
        let (lo, hi) = depth_range(net.name_zh);
        Run {
            diameter,
            material: net.materials.choose(self.rng).expect("non-empty"),
            depth: (self.rng.gen_range(lo..hi) * 10.0).round() / 10.0,
            laid: date_between(self.rng, 1985, 2024),
        }
    }
}

/// Union-find root.
fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

pub(crate) fn pipes(
    w: &World,
    scale: f64,
    rng: &mut impl Rng,
    sink: &mut FeatureSink<'_>,
) -> Result<PipeTotals, SimError> {
    let roads = &w.roads;
    if roads.edges.is_empty() {
        return Err(SimError::Layout("no roads to lay pipes along".into()));
    }
    // The largest connected part of the road graph carries the pipes.
    let mut parent: Vec<u32> = (0..roads.nodes.len() as u32).collect();
    for e in &roads.edges {
        let (ra, rb) = (find(&mut parent, e.a), find(&mut parent, e.b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut comp_len = vec![0.0; roads.nodes.len()];
    for e in &roads.edges {
        let r = find(&mut parent, e.a);
        comp_len[r as usize] += e.len();
    }
    let main = (0..roads.nodes.len())
        .max_by(|&a, &b| comp_len[a].total_cmp(&comp_len[b]).then(b.cmp(&a)))
        .expect("nodes exist") as u32;
    let in_main: Vec<bool> = roads
        .edges
        .iter()
        .map(|e| find(&mut parent, e.a) == main)
        .collect();
    let main_len = comp_len[main as usize];
    // Roots: crossings well inside the district, valid whatever the offset.
    let roots: Vec<u32> = roads
        .crossings
        .iter()
        .copied()
        .filter(|&n| {
            find(&mut parent, n) == main
                && roads.adj[n as usize]
                    .iter()
                    .all(|&e| roads.edges[e as usize].clearance >= 12.0)
        })
        .collect();
    if roots.is_empty() {
        return Err(SimError::Layout(
            "no crossing to start pipe networks from".into(),
        ));
    }

    let total = FULL_SCALE_M * scale;
    let budgets: Vec<f64> = PIPE_NETWORKS
        .iter()
        .map(|n| total * n.share_permille as f64 / 1000.0)
        .collect();
    let max_passes = budgets
        .iter()
        .map(|b| (b / (main_len * 0.9)).ceil() as usize)
        .max()
        .unwrap_or(1)
        .max(1);
    let step = 2.4 / max_passes as f64;

    let mut layer = Layer {
        w,
        rng,
        sink,
        totals: PipeTotals::default(),
    };
    let mut used = vec![false; roads.edges.len()];
    let mut seen = vec![false; roads.nodes.len()];
    for (k, &budget) in budgets.iter().enumerate() {
        let base = -7.5 + 2.5 * k as f64;
        let root = roots[layer.rng.gen_range(0..roots.len())];
        let mut remaining = budget;
        let mut pass = 0usize;
        while remaining > 0.05 {
            if pass > 64 {
                return Err(SimError::Layout(
                    "pipe budget far exceeds the road network".into(),
                ));
            }
            let offset = base + step * pass as f64;
            let reach = offset.abs() * std::f64::consts::SQRT_2 + 1.0;
            if pass > 0 {
                // Join this copy of the network to the last one at the root.
                let r = &roads.nodes[root as usize];
                let prev = base + step * (pass - 1) as f64;
                let frame = &w.district.frame;
                let piece = Piece::new(
                    frame.to_pt(r.x + prev, r.y + prev),
                    frame.to_pt(r.x + offset, r.y + offset),
                );
                let run = layer.run(k, false);
                remaining -= layer.lay(k, &run, piece, remaining)?;
            }
            used.iter_mut().enumerate().for_each(|(i, u)| {
                let e = &roads.edges[i];
                *u = !in_main[i] || e.clearance < reach;
            });
            seen.iter_mut().for_each(|s| *s = false);
            seen[root as usize] = true;
            let (mut east_west, mut north_south): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
            let push = |n: u32, ew: &mut Vec<u32>, ns: &mut Vec<u32>, used: &[bool]| {
                for &e in &roads.adj[n as usize] {
                    if !used[e as usize] {
                        match roads.line(&roads.edges[e as usize]).axis {
                            Axis::Horizontal => ew.push(e),
                            Axis::Vertical => ns.push(e),
                        }
                    }
                }
            };
            push(root, &mut east_west, &mut north_south, &used);
            while remaining > 0.05 {
                // Haversine runs long north-south and short east-west here: steer by the gap.
                let gap = layer.totals.haversine_m - layer.totals.geodesic_m;
                let from_ew = match (east_west.is_empty(), north_south.is_empty()) {
                    (true, true) => break,
                    (false, true) => true,
                    (true, false) => false,
                    _ if gap > 1.0 => true,
                    _ if gap < -1.0 => false,
                    _ => {
                        layer.rng.gen_range(0..east_west.len() + north_south.len())
                            < east_west.len()
                    }
                };
                let list = if from_ew {
                    &mut east_west
                } else {
                    &mut north_south
                };
                let e = list.swap_remove(layer.rng.gen_range(0..list.len()));
                if used[e as usize] {
                    continue;
                }
                used[e as usize] = true;
                let edge = &roads.edges[e as usize];
                let line = roads.line(edge);
                let a = line.point(edge.from, 0.0);
                let b = line.point(edge.to, 0.0);
                let shift = |p: (f64, f64)| (p.0 + offset, p.1 + offset);
                let run = layer.run(k, line.arterial);
                // Lay from the end already in the network so a cut leaves it attached.
                let mut ps = pieces(w, shift(a), shift(b), line.axis);
                if !seen[edge.a as usize] {
                    ps.reverse();
                    ps.iter_mut().for_each(|p| *p = Piece::new(p.b, p.a));
                }
                for p in ps {
                    if remaining <= 0.05 {
                        break;
                    }
                    remaining -= layer.lay(k, &run, p, remaining)?;
                }
                for n in [edge.a, edge.b] {
                    if !seen[n as usize] {
                        seen[n as usize] = true;
                        push(n, &mut east_west, &mut north_south, &used);
                    }
                }
            }
            pass += 1;
        }
    }
    Ok(layer.totals)
}
