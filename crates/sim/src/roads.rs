//! The road network: a jittered lattice of east-west and north-south roads clipped to the
//! district, with Futian's arterials (深南大道, 红荔路, 彩田路 …) on the lines nearest their
//! real positions. Roads are not a layer; they decide where everything else goes and give
//! buildings their addresses.
//!
//! East-west roads are about 110 m apart and north-south roads about 280 m, so blocks are
//! long and shallow, as in much of Futian. The ratio is also chosen so that a network
//! laid along the roads is about 72% east-west by length, the mix at which haversine and
//! geodesic lengths agree at this latitude (a haversine metre is about 0.16% short
//! east-west and 0.41% long north-south here), so pipe totals read the same both ways.
//!
//! Roads keep 15 m from the outline, and their centrelines keep 14 m from cell lines, so
//! that what is laid along a road stays inside the district and inside one grid at a time.
//! They stop short of lakes and of the river along the border (`Landscape::barred`), and
//! cross the inner rivers on bridges.

use std::collections::BTreeMap;

use rand::{seq::SliceRandom, Rng};

use crate::{
    landscape::Landscape,
    names::{EW_ARTERIALS, NS_ARTERIALS, ROAD_STEMS, ROAD_SUFFIXES},
    outline::{subtract_span, Axis, District},
    partition::Partition,
    pick::Weighted,
};

const EW_SPACING: f64 = 110.0;
const NS_SPACING: f64 = 280.0;
/// Half the width of an ordinary road.
pub(crate) const ORDINARY_HALF_WIDTH: f64 = 8.0;
const OUTLINE_MARGIN: f64 = 15.0;
const CELL_LINE_CLEARANCE: f64 = 14.0;
/// Dead-end stubs shorter than this past the last crossing are left off.
const MIN_STUB: f64 = 20.0;

#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub axis: Axis,
    /// y of a horizontal (east-west) line, x of a vertical one, in metres.
    pub pos: f64,
    pub half_width: f64,
    pub arterial: bool,
    /// The stretches along the line where the road exists.
    pub spans: Vec<(f64, f64)>,
    /// Where the road's name changes: (from, name), sorted by position.
    pub names: Vec<(f64, String)>,
}

impl Line {
    pub fn name_at(&self, along: f64) -> &str {
        let i = self.names.partition_point(|(from, _)| *from <= along);
        &self.names[i.saturating_sub(1)].1
    }

    /// The point `along` the line, `offset` metres to its left (north of an east-west
    /// road, west of a north-south one).
    pub fn point(&self, along: f64, offset: f64) -> (f64, f64) {
        match self.axis {
            Axis::Horizontal => (along, self.pos + offset),
            Axis::Vertical => (self.pos - offset, along),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub x: f64,
    pub y: f64,
    /// The east-west and north-south lines through the node (both for a crossing).
    pub h: Option<u32>,
    pub v: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub a: u32,
    pub b: u32,
    pub line: u32,
    /// Positions of `a` and `b` along the line; `from < to`.
    pub from: f64,
    pub to: f64,
    /// The shortest distance from the edge to the outline (at least; a large number
    /// where the edge is deep inside).
    pub clearance: f64,
}

impl Edge {
    pub fn len(&self) -> f64 {
        self.to - self.from
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Roads {
    pub lines: Vec<Line>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The edges at each node.
    pub adj: Vec<Vec<u32>>,
    /// Nodes where two roads cross.
    pub crossings: Vec<u32>,
    by_length: Weighted,
}

fn line_positions(
    rng: &mut impl Rng,
    extent: f64,
    spacing: f64,
    clearance: impl Fn(f64) -> f64,
    cell: f64,
) -> Vec<f64> {
    let mut out = Vec::new();
    let mut p = spacing / 2.0;
    while p < extent {
        let mut q = p + rng.gen_range(-0.15..0.15) * spacing;
        let c = clearance(q);
        if c < CELL_LINE_CLEARANCE {
            // Move away from the nearest cell line.
            let r = q.rem_euclid(cell);
            q += if r < cell / 2.0 {
                CELL_LINE_CLEARANCE - r
            } else {
                -(CELL_LINE_CLEARANCE - (cell - r))
            };
        }
        out.push(q);
        p += spacing;
    }
    out
}

/// Pulls dead ends back from cell lines, so that what is laid along a road never ends
/// on (or a hair's breadth across) a grid boundary.
fn clear_of_cell_lines(
    spans: Vec<(f64, f64)>,
    clearance: &dyn Fn(f64) -> f64,
    cell: f64,
) -> Vec<(f64, f64)> {
    let nearest_line = |p: f64| (p / cell).round() * cell;
    spans
        .into_iter()
        .map(|(mut a, mut b)| {
            if clearance(a) < CELL_LINE_CLEARANCE {
                a = nearest_line(a) + CELL_LINE_CLEARANCE;
            }
            if clearance(b) < CELL_LINE_CLEARANCE {
                b = nearest_line(b) - CELL_LINE_CLEARANCE;
            }
            (a, b)
        })
        .filter(|(a, b)| b - a >= 40.0)
        .collect()
}

/// `spans` less what the landscape bars a road of `half_width` from.
fn unbarred(
    spans: Vec<(f64, f64)>,
    land: &Landscape,
    axis: Axis,
    pos: f64,
    half_width: f64,
) -> Vec<(f64, f64)> {
    land.barred(axis, pos, half_width)
        .into_iter()
        .fold(spans, |s, bar| subtract_span(&s, bar))
}

impl Roads {
    pub fn build(d: &District, part: &Partition, land: &Landscape, rng: &mut impl Rng) -> Roads {
        let lattice = &part.lattice;
        let (cw, ch) = lattice.size_m();
        let ys = line_positions(rng, d.height_m, EW_SPACING, |y| lattice.clearance_y(y), ch);
        let xs = line_positions(rng, d.width_m, NS_SPACING, |x| lattice.clearance_x(x), cw);
        let mut lines: Vec<Line> = ys
            .iter()
            .map(|&pos| (Axis::Horizontal, pos))
            .chain(xs.iter().map(|&pos| (Axis::Vertical, pos)))
            .map(|(axis, pos)| {
                let (clearance, cell): (&dyn Fn(f64) -> f64, f64) = match axis {
                    Axis::Horizontal => (&|x| lattice.clearance_x(x), cw),
                    Axis::Vertical => (&|y| lattice.clearance_y(y), ch),
                };
                Line {
                    axis,
                    pos,
                    half_width: ORDINARY_HALF_WIDTH,
                    arterial: false,
                    spans: clear_of_cell_lines(
                        unbarred(
                            d.clear_spans(axis, pos, OUTLINE_MARGIN, 40.0),
                            land,
                            axis,
                            pos,
                            ORDINARY_HALF_WIDTH,
                        ),
                        clearance,
                        cell,
                    ),
                    names: Vec::new(),
                }
            })
            .collect();
        lines.retain(|l| !l.spans.is_empty());

        // Arterials take the nearest free line of their direction.
        let mid = d.frame.m_to_deg(d.width_m / 2.0, d.height_m / 2.0);
        let mut arterial_names = Vec::new();
        for (axis, table) in [
            (Axis::Horizontal, EW_ARTERIALS),
            (Axis::Vertical, NS_ARTERIALS),
        ] {
            let spacing = if axis == Axis::Horizontal {
                EW_SPACING
            } else {
                NS_SPACING
            };
            for &(name, at, width) in table {
                let target = match axis {
                    Axis::Horizontal => d.frame.deg_to_m(mid.x, at).1,
                    Axis::Vertical => d.frame.deg_to_m(at, mid.y).0,
                };
                let best = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.axis == axis && !l.arterial)
                    .min_by(|a, b| {
                        (a.1.pos - target)
                            .abs()
                            .total_cmp(&(b.1.pos - target).abs())
                    });
                if let Some((i, l)) = best {
                    if (l.pos - target).abs() <= spacing {
                        let l = &mut lines[i];
                        l.arterial = true;
                        l.half_width = width / 2.0;
                        // A wider road stops further from a shore.
                        let (clearance, cell): (&dyn Fn(f64) -> f64, f64) = match axis {
                            Axis::Horizontal => (&|x| lattice.clearance_x(x), cw),
                            Axis::Vertical => (&|y| lattice.clearance_y(y), ch),
                        };
                        let spans = std::mem::take(&mut l.spans);
                        l.spans = clear_of_cell_lines(
                            unbarred(spans, land, axis, l.pos, l.half_width),
                            clearance,
                            cell,
                        );
                        l.names = vec![(f64::MIN, name.to_owned())];
                        arterial_names.push(name);
                    }
                }
            }
        }
        // Ordinary roads change name every few kilometres.
        let mut pool: Vec<String> = ROAD_STEMS
            .iter()
            .flat_map(|s| ROAD_SUFFIXES.iter().map(move |x| format!("{s}{x}")))
            .filter(|n| !arterial_names.contains(&n.as_str()))
            .collect();
        pool.shuffle(rng);
        let mut pool = pool.into_iter().cycle();
        for l in lines.iter_mut().filter(|l| !l.arterial) {
            let start = l.spans.first().map_or(0.0, |s| s.0);
            let end = l.spans.last().map_or(0.0, |s| s.1);
            let mut from = f64::MIN;
            let mut at = start;
            while at < end {
                l.names.push((from, pool.next().expect("cycled pool")));
                at += rng.gen_range(1500.0..4000.0);
                from = at;
            }
            if l.names.is_empty() {
                l.names.push((f64::MIN, pool.next().expect("cycled pool")));
            }
        }

        // Crossings: where a point lies on a span of both lines.
        let on = |l: &Line, v: f64| l.spans.iter().any(|&(a, b)| a < v && v < b);
        let mut nodes = Vec::new();
        let mut crossing_at: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        for (hi, h) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.axis == Axis::Horizontal)
        {
            for (vi, v) in lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.axis == Axis::Vertical)
            {
                if on(h, v.pos) && on(v, h.pos) {
                    crossing_at.insert((hi as u32, vi as u32), nodes.len() as u32);
                    nodes.push(Node {
                        x: v.pos,
                        y: h.pos,
                        h: Some(hi as u32),
                        v: Some(vi as u32),
                    });
                }
            }
        }
        let crossings: Vec<u32> = (0..nodes.len() as u32).collect();

        let mut edges = Vec::new();
        for (li, l) in lines.iter().enumerate() {
            let li = li as u32;
            let mut along: Vec<(f64, u32)> = crossing_at
                .iter()
                .filter(|((h, v), _)| *h == li || *v == li)
                .map(|(_, &n)| {
                    let node = &nodes[n as usize];
                    (
                        if l.axis == Axis::Horizontal {
                            node.x
                        } else {
                            node.y
                        },
                        n,
                    )
                })
                .collect();
            along.sort_by(|a, b| a.0.total_cmp(&b.0));
            for &(a, b) in &l.spans {
                let inside: Vec<(f64, u32)> = along
                    .iter()
                    .copied()
                    .filter(|&(p, _)| a < p && p < b)
                    .collect();
                let mut stops: Vec<(f64, Option<u32>)> = Vec::new();
                if inside.first().is_none_or(|f| f.0 - a >= MIN_STUB) {
                    stops.push((a, None));
                }
                stops.extend(inside.iter().map(|&(p, n)| (p, Some(n))));
                if inside.last().is_none_or(|f| b - f.0 >= MIN_STUB) {
                    stops.push((b, None));
                }
                let mut ids = Vec::with_capacity(stops.len());
                for (p, n) in stops.iter().copied() {
                    ids.push(n.unwrap_or_else(|| {
                        let (x, y) = l.point(p, 0.0);
                        nodes.push(Node {
                            x,
                            y,
                            h: (l.axis == Axis::Horizontal).then_some(li),
                            v: (l.axis == Axis::Vertical).then_some(li),
                        });
                        nodes.len() as u32 - 1
                    }));
                }
                for k in 1..stops.len() {
                    edges.push(Edge {
                        a: ids[k - 1],
                        b: ids[k],
                        line: li,
                        from: stops[k - 1].0,
                        to: stops[k].0,
                        clearance: 0.0,
                    });
                }
            }
        }
        // Exact clearance only near the outline: see `Partition::deep_inside`.
        for e in &mut edges {
            let l = &lines[e.line as usize];
            let a = l.point(e.from, 0.0);
            let b = l.point(e.to, 0.0);
            let m = l.point((e.from + e.to) / 2.0, 0.0);
            let deep = [a, m, b]
                .iter()
                .all(|&(x, y)| lattice.cell_of_m(x, y).is_some_and(|c| part.deep_inside(c)));
            e.clearance = if deep {
                cw.min(ch)
            } else {
                d.clearance_m(a, b)
            };
        }
        let mut adj = vec![Vec::new(); nodes.len()];
        for (i, e) in edges.iter().enumerate() {
            adj[e.a as usize].push(i as u32);
            adj[e.b as usize].push(i as u32);
        }
        let by_length = Weighted::new(edges.iter().map(Edge::len));
        Roads {
            lines,
            nodes,
            edges,
            adj,
            crossings,
            by_length,
        }
    }

    /// A random edge (its index), in proportion to length.
    pub fn random_edge(&self, rng: &mut impl Rng) -> u32 {
        self.by_length.pick(rng) as u32
    }

    pub fn line(&self, e: &Edge) -> &Line {
        &self.lines[e.line as usize]
    }

    /// The name of the road through a node (the east-west one at a crossing) and of the
    /// crossing road, if any.
    pub fn node_names(&self, n: u32) -> (&str, Option<&str>) {
        let node = &self.nodes[n as usize];
        let name = |l: u32, along: f64| self.lines[l as usize].name_at(along);
        match (node.h, node.v) {
            (Some(h), Some(v)) => (name(h, node.x), Some(name(v, node.y))),
            (Some(h), None) => (name(h, node.x), None),
            (None, Some(v)) => (name(v, node.y), None),
            (None, None) => ("", None),
        }
    }
}
