//! MPEG-2 Program Stream (ISO/IEC 13818-1 §2.5), as GB/T 28181 carries video in RTP:
//! pack headers, an optional system header and stream map, and PES packets whose payloads
//! concatenate into an H.264 or H.265 Annex B elementary stream.
//!
//! Hand-written: no maintained crate demultiplexes PS (the MPEG-TS crates do not read
//! pack headers or the PS stream map), and what GB/T 28181 needs of it is small. Every
//! length is checked against the buffer, so a corrupt stream is an error, never a panic
//! (the fuzz target `ps_demux` holds it to that).

/// The video codec a stream map names (`stream_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    H264,
    H265,
}

impl Codec {
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::H264 => "h264",
            Codec::H265 => "h265",
        }
    }
}

/// One video frame out of a PS frame: its NAL units (start codes removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessUnit {
    pub codec: Codec,
    pub nals: Vec<Vec<u8>>,
}

impl AccessUnit {
    /// The NAL unit types, in order.
    pub fn nal_types(&self) -> Vec<u8> {
        self.nals
            .iter()
            .filter_map(|n| n.first())
            .map(|b| match self.codec {
                Codec::H264 => b & 0x1f,
                Codec::H265 => (b >> 1) & 0x3f,
            })
            .collect()
    }

    /// An IDR (H.264 5; H.265 16–21, the IRAP types) is in it.
    pub fn is_keyframe(&self) -> bool {
        self.nal_types().iter().any(|t| match self.codec {
            Codec::H264 => *t == 5,
            Codec::H265 => (16..=21).contains(t),
        })
    }

    /// The frame as Annex B bytes (start code before each NAL), for a decoder.
    pub fn annex_b(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.nals.iter().map(|n| n.len() + 4).sum());
        for n in &self.nals {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(n);
        }
        out
    }
}

/// Why PS bytes could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PsError {
    #[error("PS data ends inside a {0}")]
    Truncated(&'static str),
    #[error("expected a start code at byte {0}")]
    NoStartCode(usize),
    #[error("a pack header that is not MPEG-2")]
    NotMpeg2,
    #[error("the PS frame holds no video")]
    NoVideo,
    #[error("a PES header that is neither MPEG-2 nor a known variant")]
    BadPesHeader,
}

impl PsError {
    pub const fn code(&self) -> &'static str {
        match self {
            PsError::Truncated(_) => "ps_truncated",
            PsError::NoStartCode(_) => "ps_no_start_code",
            PsError::NotMpeg2 => "ps_not_mpeg2",
            PsError::NoVideo => "ps_no_video",
            PsError::BadPesHeader => "ps_bad_pes_header",
        }
    }
}

const PACK: u8 = 0xba;
const SYSTEM: u8 = 0xbb;
const MAP: u8 = 0xbc;

fn u16_at(b: &[u8], i: usize, what: &'static str) -> Result<usize, PsError> {
    b.get(i..i + 2)
        .map(|s| usize::from(u16::from_be_bytes([s[0], s[1]])))
        .ok_or(PsError::Truncated(what))
}

/// Reads one PS frame (what the RTP packets of one timestamp carry) into its video access
/// unit. The codec comes from the stream map when the frame has one, else `known` (the
/// last map seen on the stream), else H.264, GB/T 28181's default.
pub fn demux(frame: &[u8], known: Option<Codec>) -> Result<AccessUnit, PsError> {
    let mut codec = known;
    let mut video = Vec::new();
    let mut i = 0;
    while i < frame.len() {
        if frame.len() - i < 4 {
            return Err(PsError::Truncated("start code"));
        }
        if frame[i..i + 3] != [0, 0, 1] {
            return Err(PsError::NoStartCode(i));
        }
        let id = frame[i + 3];
        match id {
            PACK => {
                // 14 bytes, then stuffing (the low 3 bits of the 14th).
                let b = frame.get(i + 4).ok_or(PsError::Truncated("pack header"))?;
                if b >> 6 != 0b01 {
                    return Err(PsError::NotMpeg2);
                }
                let stuffing = frame.get(i + 13).ok_or(PsError::Truncated("pack header"))? & 7;
                i += 14 + usize::from(stuffing);
            }
            MAP => {
                let len = u16_at(frame, i + 4, "stream map")?;
                let body = frame
                    .get(i + 6..i + 6 + len)
                    .ok_or(PsError::Truncated("stream map"))?;
                if let Some(c) = map_codec(body) {
                    codec = Some(c);
                }
                i += 6 + len;
            }
            0xe0..=0xef => {
                let len = u16_at(frame, i + 4, "PES packet")?;
                let pes = frame
                    .get(i + 6..i + 6 + len)
                    .ok_or(PsError::Truncated("PES packet"))?;
                let payload = pes
                    .get(pes_header_len(pes)?..)
                    .ok_or(PsError::Truncated("PES header"))?;
                video.extend_from_slice(payload);
                i += 6 + len;
            }
            // The system header, audio and private streams: skipped by their length.
            _ if id == SYSTEM || id >= 0xbd => {
                let len = u16_at(frame, i + 4, "packet")?;
                if frame.len() < i + 6 + len {
                    return Err(PsError::Truncated("packet"));
                }
                i += 6 + len;
            }
            _ => return Err(PsError::NoStartCode(i)),
        }
    }
    let nals = split_annex_b(&video);
    if nals.is_empty() {
        return Err(PsError::NoVideo);
    }
    Ok(AccessUnit {
        codec: codec.unwrap_or(Codec::H264),
        nals,
    })
}

/// How many bytes of a PES packet (after its length) are header: two flag bytes, the
/// header data length, and that many bytes.
///
/// Also read: a header without its first flag byte (`10xxxxxx`), starting at the
/// PTS/DTS flags, as gb28181-rs 0.14 writes it. The shape is unambiguous when the first
/// byte's top bits are not `10`: the PTS/DTS flags (`11`: both, `00`: none) with the
/// other bits clear, then the length those flags need.
fn pes_header_len(pes: &[u8]) -> Result<usize, PsError> {
    let first = *pes.first().ok_or(PsError::Truncated("PES header"))?;
    let len = usize::from(
        *pes.get(if first >> 6 == 0b10 { 2 } else { 1 })
            .ok_or(PsError::Truncated("PES header"))?,
    );
    if first >> 6 == 0b10 {
        return Ok(3 + len);
    }
    let needed = match first >> 6 {
        0b11 => 10,
        0b00 => 0,
        _ => return Err(PsError::BadPesHeader),
    };
    if first & 0x3f != 0 || len < needed {
        return Err(PsError::BadPesHeader);
    }
    Ok(2 + len)
}

/// The video codec the program stream map names (ISO/IEC 13818-1 §2.5.4).
fn map_codec(map: &[u8]) -> Option<Codec> {
    // current_next/version (1), marker (1), info length (2), info, ES map length (2), ES map.
    let info = usize::from(u16::from_be_bytes([*map.get(2)?, *map.get(3)?]));
    let es_at = 4 + info;
    let es_len = usize::from(u16::from_be_bytes([*map.get(es_at)?, *map.get(es_at + 1)?]));
    let es = map.get(es_at + 2..es_at + 2 + es_len)?;
    let mut j = 0;
    while j + 4 <= es.len() {
        let (stream_type, stream_id) = (es[j], es[j + 1]);
        let info_len = usize::from(u16::from_be_bytes([es[j + 2], es[j + 3]]));
        if (0xe0..=0xef).contains(&stream_id) {
            match stream_type {
                0x1b => return Some(Codec::H264),
                0x24 => return Some(Codec::H265),
                _ => {}
            }
        }
        j += 4 + info_len;
    }
    None
}

/// Splits an Annex B stream at its start codes (3 or 4 bytes), dropping empty units.
pub fn split_annex_b(es: &[u8]) -> Vec<Vec<u8>> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= es.len() {
        if es[i] == 0 && es[i + 1] == 0 && es[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(es.len(), |n| n - 3);
        // A 4-byte start code leaves its leading zero on the unit before.
        while end > s && es[end - 1] == 0 {
            end -= 1;
        }
        if end > s {
            out.push(es[s..end].to_vec());
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PS frame as GB/T 28181 devices send one: pack header, (for a keyframe) system
    /// header and stream map, then the video in PES packets of at most `chunk` bytes.
    pub(crate) fn ps_frame(
        nals: &[Vec<u8>],
        keyframe: bool,
        stream_type: u8,
        chunk: usize,
    ) -> Vec<u8> {
        let mut out = vec![0, 0, 1, PACK, 0x44, 0, 4, 0, 4, 1, 0x01, 0x89, 0xc3, 0xf8];
        if keyframe {
            out.extend_from_slice(&[0, 0, 1, SYSTEM, 0, 6, 0x80, 0, 1, 0x04, 0xe1, 0xff]);
            let es = [stream_type, 0xe0, 0, 0];
            let mut map = vec![0xe0, 0xff, 0, 0, 0, es.len() as u8];
            map.extend_from_slice(&es);
            map.extend_from_slice(&[0, 0, 0, 0]); // CRC (not checked)
            out.extend_from_slice(&[0, 0, 1, MAP, 0, map.len() as u8]);
            out.extend_from_slice(&map);
        }
        let mut es = Vec::new();
        for n in nals {
            es.extend_from_slice(&[0, 0, 0, 1]);
            es.extend_from_slice(n);
        }
        for part in es.chunks(chunk) {
            let header = [0x80, 0x80, 5, 0x21, 0, 1, 0, 1];
            let len = 3 + 5 + part.len();
            out.extend_from_slice(&[0, 0, 1, 0xe0]);
            out.extend_from_slice(&(len as u16).to_be_bytes());
            out.extend_from_slice(&header[..3]);
            out.extend_from_slice(&header[3..]);
            out.extend_from_slice(part);
        }
        out
    }

    fn nal(kind: u8, len: usize) -> Vec<u8> {
        let mut v = vec![kind];
        v.extend((1..len).map(|i| (i % 251) as u8 | 1));
        v
    }

    #[test]
    fn a_keyframe_reads_back_as_its_nal_units_across_pes_packets() {
        let nals = vec![nal(9, 2), nal(0x67, 20), nal(0x68, 6), nal(0x65, 5000)];
        let au = demux(&ps_frame(&nals, true, 0x1b, 1400), None).unwrap();
        assert_eq!(au.codec, Codec::H264);
        assert_eq!(au.nals, nals);
        assert_eq!(au.nal_types(), vec![9, 7, 8, 5]);
        assert!(au.is_keyframe());
    }

    #[test]
    fn the_stream_map_says_h265_and_later_frames_keep_it() {
        let vps = vec![0x40, 0x01, 0x0c];
        let idr = nal(0x26, 300); // type 19, IDR_W_RADL
        let au = demux(&ps_frame(&[vps, idr], true, 0x24, 1400), None).unwrap();
        assert_eq!(au.codec, Codec::H265);
        assert_eq!(au.nal_types(), vec![32, 19]);
        assert!(au.is_keyframe());
        let p = demux(
            &ps_frame(&[nal(0x02, 100)], false, 0x24, 1400),
            Some(Codec::H265),
        )
        .unwrap();
        assert_eq!(p.codec, Codec::H265);
        assert!(!p.is_keyframe());
    }

    #[test]
    fn corrupt_frames_are_errors_with_codes() {
        let good = ps_frame(&[nal(0x65, 3000)], true, 0x1b, 1000);
        assert_eq!(
            demux(&good[..good.len() - 10], None).unwrap_err().code(),
            "ps_truncated"
        );
        let mut shifted = good.clone();
        shifted.insert(14, 0x55);
        assert_eq!(
            demux(&shifted, None).unwrap_err().code(),
            "ps_no_start_code"
        );
        let mut mpeg1 = good.clone();
        mpeg1[4] = 0x21;
        assert_eq!(demux(&mpeg1, None).unwrap_err().code(), "ps_not_mpeg2");
        let header_only = &good[..14];
        assert_eq!(demux(header_only, None).unwrap_err().code(), "ps_no_video");
        assert_eq!(demux(&[0, 0, 1], None).unwrap_err().code(), "ps_truncated");
    }

    #[test]
    fn a_pes_header_missing_its_first_flag_byte_is_read_too() {
        // As gb28181-rs 0.14 muxes: PTS/DTS flags 0xc0, length 10, then PTS and DTS.
        let mut frame = vec![0, 0, 1, PACK, 0x44, 0, 4, 0, 4, 1, 0x01, 0x89, 0xc3, 0xf8];
        let es = [0, 0, 0, 1, 9, 8, 0, 0, 1, 1, 8, 9, 10];
        let header = [0xc0, 0x0a, 0x31, 0, 1, 0x17, 0x71, 0x11, 0, 1, 0x17, 0x71];
        frame.extend_from_slice(&[0, 0, 1, 0xe0, 0, (header.len() + es.len()) as u8]);
        frame.extend_from_slice(&header);
        frame.extend_from_slice(&es);
        // And a later chunk without timestamps: flags 0x00, length 0.
        frame.extend_from_slice(&[0, 0, 1, 0xe0, 0, 4, 0, 0, 0xaa, 0xbb]);
        let au = demux(&frame, None).unwrap();
        assert_eq!(au.nals, vec![vec![9, 8], vec![1, 8, 9, 10, 0xaa, 0xbb]]);
        // Anything else in that position is refused.
        let mut bad = frame.clone();
        bad[20] = 0x47;
        assert_eq!(demux(&bad, None).unwrap_err().code(), "ps_bad_pes_header");
    }

    #[test]
    fn annex_b_splits_on_three_and_four_byte_start_codes() {
        let es = [
            0, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x65, 7,
        ];
        assert_eq!(
            split_annex_b(&es),
            vec![vec![9, 0xf0], vec![0x67, 1, 2], vec![0x65, 7]]
        );
    }
}
