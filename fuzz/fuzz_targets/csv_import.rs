//! `citymirror_twin::import::read_csv` on arbitrary bytes.
//!
//! Input: the first byte picks the layer (`b % 4`: components, cameras, devices — the
//! point layers CSV can fill — or buildings, which CSV must refuse) and the datum
//! (`(b / 4) % 3`: WGS84, GCJ-02, BD-09); the rest is the file.
#![no_main]

use citymirror_core::{datum::Datum, GeomKind, LayerId};
use citymirror_twin::import::read_csv;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const LAYERS: [LayerId; 4] = [
    LayerId::Components,
    LayerId::Cameras,
    LayerId::Devices,
    LayerId::Buildings,
];
const DATUMS: [Datum; 3] = [Datum::Wgs84, Datum::Gcj02, Datum::Bd09];

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let layer = LAYERS[b as usize % LAYERS.len()];
    let datum = DATUMS[(b as usize / 4) % 3];
    let schema = layer.schema();
    let mut last = None;
    let result = read_csv(schema, rest, datum, |n| last = Some(n));
    match result {
        Ok(features) => {
            assert_eq!(
                schema.geometry,
                GeomKind::Point,
                "CSV filled a non-point layer"
            );
            for f in &features {
                common::assert_revalidates(schema, f);
                assert!(matches!(f.geometry, geo::Geometry::Point(_)));
            }
            assert_eq!(
                last,
                Some(features.len()),
                "final progress is the row count"
            );
        }
        Err(e) => common::assert_located(&e, &["line"]),
    }
});
