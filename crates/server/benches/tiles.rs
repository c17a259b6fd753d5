//! Rendering vector tiles of a generated twin, uncached: the time a cache miss costs.
//!
//! `CITYMIRROR_BENCH_DATA=DIR cargo bench -p citymirror --bench tiles` loads every layer
//! from the SQLite store in DIR (e.g. a full-scale twin: `citymirror generate --scale 1.0`)
//! and renders, encodes and gzips the 5×5 tiles around the CBD (114.0553, 22.5405) at
//! z14, z15 and z16, for every tileset, five rounds each,
//! with the same text filter the server uses. It reports the median, p99 and worst time
//! per tile and the size of the largest. `CITYMIRROR_BENCH_TILESET=basemap` runs one only.

mod common;

use std::time::Instant;

use citymirror_core::LayerId;
use citymirror_tiles::{Encoding, TileCoord, TileService, Tileset};
use citymirror_trust::{mask, ANONYMOUS_ENTITLEMENT};

const CBD: (f64, f64) = (114.0553, 22.5405);

fn public_text(s: &str) -> std::borrow::Cow<'_, str> {
    mask::mask_text(s, ANONYMOUS_ENTITLEMENT)
}

#[tokio::main]
async fn main() {
    let Some(dir) = common::data_dir() else {
        return;
    };
    let store = common::open(&dir).await;
    let started = Instant::now();
    let twin = common::load(&store, &LayerId::ALL).await;
    eprintln!("twin loaded in {:.1}s", started.elapsed().as_secs_f64());
    let only = std::env::var("CITYMIRROR_BENCH_TILESET").ok();
    let tiles = TileService::new(0, public_text);
    for tileset in Tileset::ALL {
        if only.as_ref().is_some_and(|id| id != tileset.id()) {
            continue;
        }
        for z in [14, 15, 16] {
            let centre = TileCoord::containing(z, CBD.0, CBD.1);
            let mut times = Vec::new();
            let (mut largest, mut features) = (0, 0);
            for _round in 0..5 {
                for dy in -2_i64..=2 {
                    for dx in -2_i64..=2 {
                        let x = (i64::from(centre.x()) + dx) as u32;
                        let y = (i64::from(centre.y()) + dy) as u32;
                        let at = TileCoord::new(u32::from(z), x, y).expect("a tile");
                        let key = tiles.key(&twin, tileset, at, Encoding::Gzip);
                        let t = Instant::now();
                        let tile = tiles.tile(&twin, &key).expect("render");
                        times.push(t.elapsed().as_secs_f64() * 1000.0);
                        largest = largest.max(tile.body().len());
                        if (dx, dy) == (0, 0) {
                            features = tiles
                                .render(&twin, tileset, at)
                                .expect("render")
                                .layers
                                .iter()
                                .map(|l| l.features.len())
                                .sum();
                        }
                    }
                }
            }
            times.sort_by(f64::total_cmp);
            let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
            println!(
                "{tileset:>9} z{z}: median {:6.2} ms, p99 {:6.2} ms, max {:6.2} ms per tile over {} renders; CBD tile {features} features; largest {:.0} KiB gzip",
                pct(0.5),
                pct(0.99),
                times[times.len() - 1],
                times.len(),
                largest as f64 / 1024.0,
            );
        }
    }
}
