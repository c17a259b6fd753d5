//! `citymirror_twin::import::read_geojson` on arbitrary text.
//!
//! Input: the first byte picks the layer (`b % 9`, in `LayerId::ALL` order) and the datum
//! (`(b / 9) % 3`: WGS84, GCJ-02, BD-09); the rest is the file, read as UTF-8 (lossily,
//! as the CLI reads it after its own UTF-8 check).
#![no_main]

use citymirror_core::{datum::Datum, LayerId};
use citymirror_twin::import::read_geojson;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const DATUMS: [Datum; 3] = [Datum::Wgs84, Datum::Gcj02, Datum::Bd09];

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let layer = LayerId::ALL[b as usize % LayerId::ALL.len()];
    let datum = DATUMS[(b as usize / 9) % 3];
    let schema = layer.schema();
    let text = String::from_utf8_lossy(rest);
    let mut last = (0, 0);
    let result = read_geojson(schema, &text, datum, |done, total| {
        assert!(
            done <= total && done > last.0,
            "progress ({done}, {total}) after {last:?}"
        );
        last = (done, total);
    });
    match result {
        Ok(features) => {
            for f in &features {
                common::assert_revalidates(schema, f);
            }
            // Progress ends on (total, total) whenever there was anything to import.
            if !features.is_empty() {
                assert_eq!(last, (features.len(), features.len()));
            }
        }
        Err(e) => common::assert_located(&e, &["line", "feature"]),
    }
});
