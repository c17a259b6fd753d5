//! Blocks and lots: the land between roads, cut at cell lines and subdivided into lots,
//! each with one candidate building footprint set back from the lot's edges.
//!
//! Because footprints stay inside their own lots, no two buildings can overlap, and
//! because lots never cross a cell line, every building lies wholly inside one grid.

use geo::{LineString, Polygon};
use rand::Rng;

use crate::{
    frame::Frame,
    landscape::Landscape,
    names::{CBD, PARKS},
    outline::{Axis, District},
    partition::Partition,
    roads::Roads,
};

/// Footprints are 15 to 80 metres a side.
pub(crate) const MIN_SIDE: f64 = 15.0;
pub(crate) const MAX_SIDE: f64 = 80.0;
/// Space between the road edge and the lots (pavement).
const PAVEMENT: f64 = 2.0;
const MIN_SETBACK: f64 = 2.5;
const MIN_LOT: f64 = MIN_SIDE + 2.0 * MIN_SETBACK;

/// A piece of a block inside one cell: where lots are cut and open space lies.
#[derive(Debug, Clone)]
pub(crate) struct Parcel {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    pub grid: u32,
    pub cut: bool,
    pub block: u32,
    /// The road lines along the block's four sides (south, north, west, east), if any.
    pub sides: [Option<u32>; 4],
}

impl Parcel {
    pub fn area(&self) -> f64 {
        (self.x1 - self.x0) * (self.y1 - self.y0)
    }
}

/// A rectangle of given size, centre and rotation, in the metric frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Footprint {
    pub cx: f64,
    pub cy: f64,
    pub w: f64,
    pub h: f64,
    /// Rotation in radians, counter-clockwise.
    pub angle: f64,
}

impl Footprint {
    pub fn corners(&self) -> [(f64, f64); 4] {
        let (s, c) = self.angle.sin_cos();
        let (hw, hh) = (self.w / 2.0, self.h / 2.0);
        [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)]
            .map(|(u, v)| (self.cx + u * c - v * s, self.cy + u * s + v * c))
    }

    /// A point given in the footprint's own axes (u along its width, v along its height).
    pub fn at(&self, u: f64, v: f64) -> (f64, f64) {
        let (s, c) = self.angle.sin_cos();
        (self.cx + u * c - v * s, self.cy + u * s + v * c)
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        let (s, c) = self.angle.sin_cos();
        let (dx, dy) = (x - self.cx, y - self.cy);
        let u = dx * c + dy * s;
        let v = -dx * s + dy * c;
        u.abs() <= self.w / 2.0 && v.abs() <= self.h / 2.0
    }

    pub fn bbox(&self) -> ([f64; 2], [f64; 2]) {
        let cs = self.corners();
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for (x, y) in cs {
            lo = [lo[0].min(x), lo[1].min(y)];
            hi = [hi[0].max(x), hi[1].max(y)];
        }
        (lo, hi)
    }

    /// The footprint as a polygon in rounded WGS84 degrees: what is stored.
    pub fn polygon(&self, frame: &Frame) -> Polygon<f64> {
        let mut cs: Vec<_> = self
            .corners()
            .iter()
            .map(|&(x, y)| frame.to_pt(x, y).coord())
            .collect();
        cs.push(cs[0]);
        Polygon::new(LineString::new(cs), vec![])
    }
}

/// A lot with its candidate building.
#[derive(Debug, Clone)]
pub(crate) struct Lot {
    pub grid: u32,
    pub block: u32,
    pub footprint: Footprint,
    /// The road the lot faces: its line, the position along it, and whether the lot is on
    /// its left (north or west) side. Gives the building its address.
    pub road: Option<(u32, f64, bool)>,
    /// How likely a building is to stand here (dense near the CBD, sparse in parks).
    pub weight: f64,
}

/// How finely blocks are cut: row depth and typical lot width, in metres.
#[derive(Debug, Clone, Copy)]
struct Grain {
    row: f64,
    width: f64,
}

/// Cuts the district's blocks into parcels (one per block and cell).
pub(crate) fn parcels(d: &District, part: &Partition, roads: &Roads) -> Vec<Parcel> {
    let lattice = &part.lattice;
    let (cw, ch) = lattice.size_m();
    let sides = |axis: Axis, extent: f64| {
        let mut v: Vec<(f64, f64, Option<u32>)> = roads
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.axis == axis)
            .map(|(i, l)| (l.pos, l.half_width + PAVEMENT, Some(i as u32)))
            .collect();
        v.push((-1.0, 0.0, None));
        v.push((extent + 1.0, 0.0, None));
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let hs = sides(Axis::Horizontal, d.height_m);
    let vs = sides(Axis::Vertical, d.width_m);
    let mut out = Vec::new();
    let mut block = 0u32;
    for hy in hs.windows(2) {
        let (y0, y1) = (hy[0].0 + hy[0].1, hy[1].0 - hy[1].1);
        for vx in vs.windows(2) {
            let (x0, x1) = (vx[0].0 + vx[0].1, vx[1].0 - vx[1].1);
            block += 1;
            if x1 - x0 < MIN_LOT || y1 - y0 < MIN_LOT {
                continue;
            }
            let cuts = |lo: f64, hi: f64, size: f64| {
                let mut c = vec![lo];
                let mut k = (lo / size).floor() + 1.0;
                while k * size < hi {
                    c.push(k * size);
                    k += 1.0;
                }
                c.push(hi);
                c
            };
            let xc = cuts(x0, x1, cw);
            let yc = cuts(y0, y1, ch);
            for ys in yc.windows(2) {
                for xs in xc.windows(2) {
                    let p = (xs[0], ys[0], xs[1], ys[1]);
                    if p.2 - p.0 < MIN_LOT || p.3 - p.1 < MIN_LOT {
                        continue;
                    }
                    let Some(cell) = lattice.cell_of_m((p.0 + p.2) / 2.0, (p.1 + p.3) / 2.0) else {
                        continue;
                    };
                    let Some(grid) = part.cell_grid[cell] else {
                        continue;
                    };
                    out.push(Parcel {
                        x0: p.0,
                        y0: p.1,
                        x1: p.2,
                        y1: p.3,
                        grid,
                        cut: part.cell_cut[cell],
                        block,
                        sides: [hy[0].2, hy[1].2, vx[0].2, vx[1].2],
                    });
                }
            }
        }
    }
    out
}

fn density(frame: &Frame, parks: &[(f64, f64, f64)], x: f64, y: f64) -> f64 {
    let (cx, cy) = frame.deg_to_m(CBD.0, CBD.1);
    let dcbd = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
    let mut w = 1.0 + 1.5 * (-dcbd / 2000.0).exp();
    for &(px, py, r) in parks {
        if (x - px).powi(2) + (y - py).powi(2) < r * r {
            w *= 0.03;
        }
    }
    w
}

/// The road a point in a parcel faces: the nearest of the block's roads whose span passes it.
fn facing_road(roads: &Roads, p: &Parcel, x: f64, y: f64) -> Option<(u32, f64, bool)> {
    let mut best: Option<(f64, (u32, f64, bool))> = None;
    for i in p.sides.iter().flatten().copied() {
        let l = &roads.lines[i as usize];
        let (along, across) = match l.axis {
            Axis::Horizontal => (x, y - l.pos),
            Axis::Vertical => (y, l.pos - x),
        };
        if !l.spans.iter().any(|&(a, b)| a <= along && along <= b) {
            continue;
        }
        if best.as_ref().is_none_or(|b| across.abs() < b.0) {
            best = Some((across.abs(), (i, along, across > 0.0)));
        }
    }
    best.map(|b| b.1)
}

fn cut_lots(
    rng: &mut impl Rng,
    p: &Parcel,
    grain: Grain,
    mut emit: impl FnMut(f64, f64, f64, f64),
) {
    let h = p.y1 - p.y0;
    let mut rows =
        ((h / grain.row).round() as usize).clamp(1, (h / MIN_LOT).floor().max(1.0) as usize);
    if rows > 1 && rng.gen_bool(0.12) {
        rows = 1; // now and then a big lot: a mall, a school, an estate's podium
    }
    let depth = h / rows as f64;
    for r in 0..rows {
        let (ry0, ry1) = (p.y0 + r as f64 * depth, p.y0 + (r + 1) as f64 * depth);
        let mut x = p.x0;
        while p.x1 - x >= MIN_LOT {
            let mut lw = (rng.gen_range(0.6..1.5) * grain.width).max(MIN_LOT);
            if p.x1 - (x + lw) < MIN_LOT {
                lw = p.x1 - x;
            }
            emit(x, ry0, x + lw, ry1);
            x += lw;
        }
    }
}

/// True if the footprint, as it will be stored, lies inside the district at least half a
/// metre from the outline.
fn clear_of_outline(d: &District, fp: &Footprint) -> bool {
    let cs: Vec<(f64, f64)> = fp
        .corners()
        .iter()
        .map(|&(x, y)| d.frame.to_m(d.frame.to_pt(x, y)))
        .collect();
    cs.iter().all(|&(x, y)| d.contains_m(x, y))
        && (0..4).all(|i| d.clearance_m(cs[i], cs[(i + 1) % 4]) >= 0.5)
}

fn footprint_in(rng: &mut impl Rng, x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Footprint> {
    let setback = |rng: &mut dyn rand::RngCore, side: f64| -> f64 {
        let sb = rng.gen_range(MIN_SETBACK..6.0);
        sb.min((side - MIN_SIDE) / 2.0).max(MIN_SETBACK)
    };
    let (sx, sy) = (setback(rng, x1 - x0), setback(rng, y1 - y0));
    let (iw, ih) = (x1 - x0 - 2.0 * sx, y1 - y0 - 2.0 * sy);
    if iw < MIN_SIDE || ih < MIN_SIDE {
        return None;
    }
    let fw = (iw * rng.gen_range(0.65..1.0))
        .clamp(MIN_SIDE, MAX_SIDE)
        .min(iw);
    let fh = (ih * rng.gen_range(0.65..1.0))
        .clamp(MIN_SIDE, MAX_SIDE)
        .min(ih);
    let mut angle: f64 = if rng.gen_bool(0.3) {
        rng.gen_range(-7.0_f64..7.0).to_radians()
    } else {
        0.0
    };
    let (s, c) = (angle.sin().abs(), angle.cos());
    let (bw, bh) = (fw * c + fh * s, fw * s + fh * c);
    let (bw, bh) = if bw <= iw && bh <= ih {
        (bw, bh)
    } else {
        angle = 0.0;
        (fw, fh)
    };
    let cx = x0 + sx + bw / 2.0 + rng.gen_range(0.0..=(iw - bw));
    let cy = y0 + sy + bh / 2.0 + rng.gen_range(0.0..=(ih - bh));
    Some(Footprint {
        cx,
        cy,
        w: fw,
        h: fh,
        angle,
    })
}

/// Every candidate lot, cut at the coarsest grain that gives at least `needed` of them
/// (with room to choose where the density weights say).
pub(crate) fn lots(
    d: &District,
    land: &Landscape,
    roads: &Roads,
    parcels: &[Parcel],
    needed: usize,
    seed_rng: impl Fn(u64) -> rand_chacha::ChaCha8Rng,
) -> Option<Vec<Lot>> {
    let parks: Vec<(f64, f64, f64)> = PARKS
        .iter()
        .map(|&(_, _, lon, lat, r)| {
            let (x, y) = d.frame.deg_to_m(lon, lat);
            (x, y, r)
        })
        .collect();
    let mut factor: f64 = 1.0;
    for attempt in 0.. {
        let grain = Grain {
            row: (45.0 * factor).max(MIN_LOT),
            width: 55.0 * factor,
        };
        let mut rng = seed_rng(attempt);
        let mut out = Vec::new();
        for p in parcels {
            let mut rects = Vec::new();
            cut_lots(&mut rng, p, grain, |a, b, c, e| rects.push((a, b, c, e)));
            for (x0, y0, x1, y1) in rects {
                let Some(fp) = footprint_in(&mut rng, x0, y0, x1, y1) else {
                    continue;
                };
                // In a cell the outline cuts, keep only footprints clear of the outline;
                // inside the outline and inside the cell means inside the grid.
                if p.cut && !clear_of_outline(d, &fp) {
                    continue;
                }
                // Nothing is built in a river or a lake.
                let shape =
                    geo::Polygon::new(geo::LineString::from(fp.corners().to_vec()), Vec::new());
                if land.wet(&shape) {
                    continue;
                }
                out.push(Lot {
                    grid: p.grid,
                    block: p.block,
                    footprint: fp,
                    road: facing_road(roads, p, fp.cx, fp.cy),
                    weight: density(&d.frame, &parks, fp.cx, fp.cy),
                });
            }
        }
        let finest = factor < 0.3;
        if out.len() as f64 >= needed as f64 * 1.3 || (finest && out.len() >= needed) {
            return Some(out);
        }
        if finest {
            return None;
        }
        factor *= 0.8;
    }
    None
}
