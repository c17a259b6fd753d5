//! Media as GB/T 28181 carries it: RTP packets (`rtp-rs` reads them) reassembled per
//! timestamp into PS frames, and PS demultiplexed into H.264/H.265 access units.
//!
//! ```text
//!  RTP (UDP datagram, or RFC 4571 frame over TCP) ─► Reassembler ─► PS frame ─► ps::demux ─► AccessUnit
//! ```

pub mod ps;
mod rtp;

pub use ps::{demux, AccessUnit, Codec, PsError};
pub use rtp::{MediaCounts, Reassembler, MAX_FRAME};
