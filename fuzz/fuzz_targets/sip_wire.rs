//! SIP as it arrives at the GB/T 28181 edge: a UDP datagram read as one message, and the
//! same bytes as a TCP stream cut into frames. Neither ever panics, whatever the bytes, and
//! a request that parses can always be answered.
#![no_main]

use citymirror_gb28181::transport::Framer;
use citymirror_gb28181::wire::{self, Inbound};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Inbound::Request(req)) = wire::parse(data) {
        let _ = wire::register_expires(&req.raw);
        let _ = wire::response(&req.raw, 401, Vec::new(), Vec::new());
    }
    let mut f = Framer::default();
    for chunk in data.chunks(97) {
        f.push(chunk);
        while let Ok(Some(frame)) = f.next_frame() {
            let _ = wire::parse(&frame);
        }
    }
});
