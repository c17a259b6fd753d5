//! Media as it arrives from a GB/T 28181 device: the bytes read as a PS frame, and the same
//! bytes cut into RTP packets for the reassembler. Neither ever panics, and what the
//! demultiplexer returns is never empty.
#![no_main]

use citymirror_video::media::{demux, Reassembler};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(au) = demux(data, None) {
        assert!(!au.nals.is_empty() && au.nals.iter().all(|n| !n.is_empty()));
        let _ = au.annex_b();
    }
    let mut r = Reassembler::new(None);
    for packet in data.chunks(1412) {
        for au in r.push(packet) {
            assert!(!au.nals.is_empty());
        }
    }
});
