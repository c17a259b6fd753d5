//! Buildings: which lots are built on, and what stands there.
//!
//! Exactly the asked-for number of lots is drawn, first one per grid (so that every grid
//! has a building when there are enough), then by weighted sampling without replacement
//! (Efraimidis–Spirakis), dense near the CBD and sparse in parks. Each building gets a
//! use that fits where it is (offices around the Civic Center, shops at Huaqiangbei),
//! floors and a height to match, a completion date, a name and an address on the road it
//! faces.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use citymirror_core::catalogue::BUILDING_USES;
use rand::Rng;

use crate::{
    frame::Frame,
    lots::{Footprint, Lot},
    names::{building_name, estate_name, CBD, HUAQIANGBEI},
    partition::Partition,
    pick::Weighted,
    roads::Roads,
};

#[derive(Debug, Clone)]
pub(crate) struct Building {
    pub id: i64,
    pub grid: u32,
    pub fp: Footprint,
    pub use_: &'static str,
    pub floors: i64,
    pub height_m: f64,
    pub completed: NaiveDate,
    pub name: Option<String>,
    pub address: String,
}

impl Building {
    /// Floor area (footprint × floors), which decides how many homes, firms and lifts it holds.
    pub fn floor_area(&self) -> f64 {
        self.fp.w * self.fp.h * self.floors as f64
    }

    pub fn is_residential(&self) -> bool {
        matches!(self.use_, "住宅" | "商住混合")
    }

    /// Uses where firms have their offices.
    pub fn hosts_firms(&self) -> bool {
        matches!(self.use_, "办公" | "商业" | "商住混合" | "酒店" | "工业")
    }
}

/// Chooses `n` lots: one per grid first, then by weight.
pub(crate) fn choose_lots(lots: Vec<Lot>, n: usize, rng: &mut impl Rng) -> Vec<Lot> {
    // Efraimidis–Spirakis keys: the n largest of u^(1/w) are a weighted sample.
    let keys: Vec<f64> = lots
        .iter()
        .map(|l| rng.gen::<f64>().max(f64::MIN_POSITIVE).ln() / l.weight.max(1e-9))
        .collect();
    let mut best_in_grid: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, l) in lots.iter().enumerate() {
        let e = best_in_grid.entry(l.grid).or_insert(i);
        if keys[i] > keys[*e] {
            *e = i;
        }
    }
    let mut firsts: Vec<usize> = best_in_grid.into_values().collect();
    firsts.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
    firsts.truncate(n);
    let mut chosen = vec![false; lots.len()];
    for &i in &firsts {
        chosen[i] = true;
    }
    let mut rest: Vec<usize> = (0..lots.len()).filter(|&i| !chosen[i]).collect();
    rest.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
    for &i in rest.iter().take(n - firsts.len()) {
        chosen[i] = true;
    }
    lots.into_iter()
        .zip(chosen)
        .filter_map(|(l, c)| c.then_some(l))
        .collect()
}

fn distance(frame: &Frame, (lon, lat): (f64, f64), x: f64, y: f64) -> f64 {
    let (px, py) = frame.deg_to_m(lon, lat);
    ((x - px).powi(2) + (y - py).powi(2)).sqrt()
}

fn date_in(rng: &mut impl Rng, from_year: i32, to_year: i32) -> NaiveDate {
    let year = rng.gen_range(from_year..=to_year);
    NaiveDate::from_yo_opt(year, rng.gen_range(1..=365)).expect("day of year within 365")
}

/// A building's use, floors, height factor and completion date, given where it stands.
fn describe(
    rng: &mut impl Rng,
    frame: &Frame,
    fp: &Footprint,
) -> (&'static str, i64, f64, NaiveDate) {
    let d_cbd = distance(frame, CBD, fp.cx, fp.cy);
    let d_hqb = distance(frame, HUAQIANGBEI, fp.cx, fp.cy);
    let weights = BUILDING_USES.iter().map(|&(u, w)| {
        let w = w as f64;
        match u {
            "办公" => w * (1.0 + 5.0 * (-d_cbd / 1200.0).exp()),
            "商业" => w * (1.0 + 3.0 * (-d_hqb / 800.0).exp() + (-d_cbd / 1500.0).exp()),
            "住宅" => w * (0.5 + 0.5 * (1.0 - (-d_cbd / 1500.0).exp())),
            _ => w,
        }
    });
    let use_ = BUILDING_USES[Weighted::new(weights).pick(rng)].0;
    let (floors, factor, completed) = match use_ {
        "住宅" => {
            let r: f64 = rng.gen();
            if r < 0.05 {
                (rng.gen_range(2..=4), 3.2, date_in(rng, 1985, 2010))
            } else if r < 0.33 {
                // Older walk-ups and urban-village blocks (握手楼).
                (rng.gen_range(6..=9), 3.1, date_in(rng, 1980, 2002))
            } else {
                (
                    rng.gen_range(20..=40),
                    rng.gen_range(3.1..3.3),
                    date_in(rng, 1995, 2024),
                )
            }
        }
        "商住混合" => (
            rng.gen_range(15..=35),
            rng.gen_range(3.2..3.5),
            date_in(rng, 1992, 2024),
        ),
        "办公" => {
            // Tallest at the Civic Center, falling off over a kilometre or two.
            let base = 12.0 + 48.0 * (-d_cbd / 1500.0).exp();
            let floors = (base * rng.gen_range(0.6..1.1)).round() as i64;
            let from = if d_cbd < 1500.0 { 2000 } else { 1988 };
            (floors, rng.gen_range(3.8..4.2), date_in(rng, from, 2024))
        }
        "商业" => {
            if rng.gen_bool(0.15) {
                (
                    rng.gen_range(10..=30),
                    rng.gen_range(4.0..4.2),
                    date_in(rng, 1995, 2024),
                )
            } else {
                (
                    rng.gen_range(2..=8),
                    rng.gen_range(4.0..4.2),
                    date_in(rng, 1985, 2024),
                )
            }
        }
        "酒店" => (
            rng.gen_range(8..=40),
            rng.gen_range(3.3..3.8),
            date_in(rng, 1988, 2024),
        ),
        "工业" => (
            rng.gen_range(3..=8),
            rng.gen_range(3.8..4.2),
            date_in(rng, 1982, 2010),
        ),
        "教育" => (
            rng.gen_range(3..=6),
            rng.gen_range(3.6..4.0),
            date_in(rng, 1985, 2024),
        ),
        "医疗" => (
            rng.gen_range(4..=20),
            rng.gen_range(3.6..4.0),
            date_in(rng, 1985, 2024),
        ),
        _ => (
            rng.gen_range(2..=8),
            rng.gen_range(3.3..4.0),
            date_in(rng, 1985, 2024),
        ),
    };
    (use_, floors.clamp(2, 60), factor, completed)
}

/// Gives each chosen lot its building; ids run from 1 in lot order.
pub(crate) fn buildings(
    lots: &[Lot],
    part: &Partition,
    roads: &Roads,
    frame: &Frame,
    rng: &mut impl Rng,
) -> Vec<Building> {
    let mut estates: BTreeMap<u32, (String, u32)> = BTreeMap::new();
    lots.iter()
        .enumerate()
        .map(|(i, lot)| {
            let fp = lot.footprint;
            let (use_, floors, factor, completed) = describe(rng, frame, &fp);
            let street = &part.streets[part.grid_street[lot.grid as usize]].name;
            let community = &part.communities[part.grid_community[lot.grid as usize]].name;
            let place = community.trim_end_matches("社区");
            let name = if use_ == "住宅" || use_ == "商住混合" {
                if (floors <= 9 && rng.gen_bool(0.6)) || rng.gen_bool(0.05) {
                    None
                } else {
                    let (estate, n) = estates
                        .entry(lot.block)
                        .or_insert_with(|| (estate_name(rng), 0));
                    *n += 1;
                    Some(format!("{estate}{n}栋"))
                }
            } else if rng.gen_bool(0.08) {
                None
            } else {
                Some(building_name(rng, use_, place))
            };
            let address = match lot.road {
                Some((line, along, left)) => {
                    let l = &roads.lines[line as usize];
                    let start = l.spans.first().map_or(0.0, |s| s.0);
                    let n = ((along - start).max(0.0) / 12.0).floor() as i64;
                    let number = 2 * n + if left { 1 } else { 2 };
                    format!("深圳市福田区{street}{}{number}号", l.name_at(along))
                }
                None => format!("深圳市福田区{street}{community}{}号", i + 1),
            };
            Building {
                id: i as i64 + 1,
                grid: lot.grid,
                fp,
                use_,
                floors,
                height_m: (floors as f64 * factor * 10.0).round() / 10.0,
                completed,
                name,
                address,
            }
        })
        .collect()
}
