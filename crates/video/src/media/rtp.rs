//! RTP packets of one stream back into PS frames: a frame is the payloads of one timestamp,
//! ended by the marker bit (or by the next timestamp, when the marked packet was lost). A
//! frame with a sequence gap is dropped whole: half a frame decodes to garbage.

use rtp_rs::RtpReader;

use super::ps::{demux, AccessUnit, Codec, PsError};

/// The largest PS frame assembled (a 4K keyframe is well under this); past it the frame is
/// dropped, so a stream that never sets the marker cannot grow memory without end.
pub const MAX_FRAME: usize = 8 << 20;

/// What a stream delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MediaCounts {
    pub packets: u64,
    pub bytes: u64,
    pub frames: u64,
    pub keyframes: u64,
    /// Packets missing by sequence number.
    pub lost: u64,
    /// Frames dropped for a gap or for their size.
    pub dropped_frames: u64,
    /// Packets that were not RTP, and frames that were not PS.
    pub corrupt: u64,
    /// Packets of another SSRC than the one the session expects.
    pub foreign: u64,
}

/// Reassembles one RTP stream.
#[derive(Debug)]
pub struct Reassembler {
    ssrc: Option<u32>,
    timestamp: Option<u32>,
    next_seq: Option<u16>,
    frame: Vec<u8>,
    broken: bool,
    codec: Option<Codec>,
    pub counts: MediaCounts,
}

impl Reassembler {
    /// A stream whose packets must carry `ssrc` (the `y=` of the INVITE); `None` takes the
    /// first packet's.
    pub fn new(ssrc: Option<u32>) -> Reassembler {
        Reassembler {
            ssrc,
            timestamp: None,
            next_seq: None,
            frame: Vec::new(),
            broken: false,
            codec: None,
            counts: MediaCounts::default(),
        }
    }

    /// Takes one RTP packet; returns the access units it completed (none, one, or two
    /// when it both ended the previous frame and, marked, its own).
    pub fn push(&mut self, packet: &[u8]) -> Vec<AccessUnit> {
        let mut done = Vec::new();
        let Ok(rtp) = RtpReader::new(packet) else {
            self.counts.corrupt += 1;
            return done;
        };
        let ssrc = *self.ssrc.get_or_insert(rtp.ssrc());
        if rtp.ssrc() != ssrc {
            self.counts.foreign += 1;
            return done;
        }
        self.counts.packets += 1;
        self.counts.bytes += packet.len() as u64;
        let seq: u16 = rtp.sequence_number().into();
        if let Some(expected) = self.next_seq {
            let gap = seq.wrapping_sub(expected);
            if gap >= 0x8000 {
                // Late or duplicated: its frame was already given up or completed.
                return done;
            }
            if gap > 0 {
                self.counts.lost += u64::from(gap);
                self.broken = true;
            }
        }
        self.next_seq = Some(seq.wrapping_add(1));
        if self.timestamp.is_some_and(|t| t != rtp.timestamp()) && !self.frame.is_empty() {
            self.flush(&mut done);
        }
        if self.timestamp != Some(rtp.timestamp()) {
            // A frame whose start went missing is already broken.
            self.timestamp = Some(rtp.timestamp());
        }
        if self.frame.len() + rtp.payload().len() > MAX_FRAME {
            self.broken = true;
        } else {
            self.frame.extend_from_slice(rtp.payload());
        }
        if rtp.mark() {
            self.flush(&mut done);
        }
        done
    }

    fn flush(&mut self, out: &mut Vec<AccessUnit>) {
        let frame = std::mem::take(&mut self.frame);
        if std::mem::take(&mut self.broken) {
            self.counts.dropped_frames += 1;
            return;
        }
        match demux(&frame, self.codec) {
            Ok(au) => {
                self.codec = Some(au.codec);
                self.counts.frames += 1;
                if au.is_keyframe() {
                    self.counts.keyframes += 1;
                }
                out.push(au);
            }
            Err(PsError::NoVideo) if frame.is_empty() => {}
            Err(_) => self.counts.corrupt += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ps::tests::ps_frame;
    use super::*;

    fn rtp(seq: u16, ts: u32, ssrc: u32, marker: bool, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0x80, 96 | if marker { 0x80 } else { 0 }];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&ts.to_be_bytes());
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(payload);
        p
    }

    /// The packets of one PS frame, cut at `mtu`.
    fn packets(seq: &mut u16, ts: u32, ps: &[u8], mtu: usize) -> Vec<Vec<u8>> {
        let parts: Vec<&[u8]> = ps.chunks(mtu).collect();
        let n = parts.len();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                *seq = seq.wrapping_add(1);
                rtp(*seq, ts, 777, i + 1 == n, part)
            })
            .collect()
    }

    fn idr() -> Vec<Vec<u8>> {
        vec![vec![0x67, 1, 2, 3], vec![0x68, 4], vec![0x65; 4000]]
    }

    #[test]
    fn frames_come_back_whole_across_packets_and_sequence_wrap() {
        let mut r = Reassembler::new(Some(777));
        let mut seq = u16::MAX - 3;
        let mut got = Vec::new();
        for (k, ts) in [0u32, 3600, 7200].into_iter().enumerate() {
            let nals = if k == 0 {
                idr()
            } else {
                vec![vec![0x41; 1500]]
            };
            for p in packets(&mut seq, ts, &ps_frame(&nals, k == 0, 0x1b, 1400), 1000) {
                got.extend(r.push(&p));
            }
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].nal_types(), vec![7, 8, 5]);
        assert_eq!(got[1].nal_types(), vec![1]);
        assert_eq!(
            (r.counts.frames, r.counts.keyframes, r.counts.lost),
            (3, 1, 0)
        );
    }

    #[test]
    fn a_frame_with_a_lost_packet_is_dropped_and_the_next_one_is_whole() {
        let mut r = Reassembler::new(None);
        let mut seq = 10;
        let mut first = packets(&mut seq, 0, &ps_frame(&idr(), true, 0x1b, 1400), 900);
        first.remove(2);
        let second = packets(
            &mut seq,
            3600,
            &ps_frame(&[vec![0x41; 800]], false, 0x1b, 1400),
            900,
        );
        let got: Vec<_> = first
            .iter()
            .chain(&second)
            .flat_map(|p| r.push(p))
            .collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].nal_types(), vec![1]);
        assert_eq!((r.counts.lost, r.counts.dropped_frames), (1, 1));
    }

    #[test]
    fn garbage_and_strangers_are_counted_not_taken() {
        let mut r = Reassembler::new(Some(777));
        assert!(r.push(b"\x01\x02").is_empty());
        assert!(r.push(&rtp(1, 0, 999, true, b"x")).is_empty());
        // RTP carrying bytes that are not PS.
        assert!(r.push(&rtp(2, 0, 777, true, &[7u8; 300])).is_empty());
        assert_eq!((r.counts.corrupt, r.counts.foreign), (2, 1));
    }
}
