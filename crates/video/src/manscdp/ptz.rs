//! The PTZ command (GB/T 28181-2016 A.3): 8 bytes, sent as 16 hex digits in `<PTZCmd>`.
//!
//! ```text
//!  byte 1   A5                      leader
//!  byte 2   version ◂4▸ check ◂4▸   check = (A + 5 + version) mod 16; version 0 → 0F
//!  byte 3   address, low 8 bits
//!  byte 4   instruction             00xx_xxxx PTZ, 0100_xxxx focus/iris, 1000_xxxx presets…
//!  byte 5   data 1                  pan speed | focus speed | 00
//!  byte 6   data 2                  tilt speed | iris speed | preset number
//!  byte 7   data 3 ◂4▸ address ◂4▸  zoom speed, high 4 bits of the address
//!  byte 8   check                   (bytes 1..7) mod 256
//! ```
//!
//! PTZ instruction bits, high to low: zoom out, zoom in, up, down, left, right. Focus/iris
//! bits: iris close, iris open, focus near, focus far.

use std::fmt;

const LEADER: u8 = 0xA5;
const VERSION: u8 = 0;

/// Which way to pan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pan {
    Left,
    Right,
}

/// Which way to tilt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tilt {
    Up,
    Down,
}

/// Which way to zoom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    /// 放大: narrower view.
    In,
    /// 缩小: wider view.
    Out,
}

/// Which way to focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Near,
    Far,
}

/// Which way to move the iris.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Iris {
    Open,
    Close,
}

/// What to do with a preset position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetAction {
    Set,
    Call,
    Delete,
}

/// Why a PTZ command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PtzError {
    #[error("a PTZ command is 16 hexadecimal digits")]
    Length,
    #[error("a PTZ command is hexadecimal digits only")]
    NotHex,
    #[error("a PTZ command starts with A5")]
    Leader,
    #[error("the PTZ command's check digits are wrong")]
    Checksum,
    #[error("a PTZ address has 12 bits (0 to 4095)")]
    Address,
    #[error("a preset number is 1 to 255")]
    Preset,
}

impl PtzError {
    /// A stable code for logs and API errors.
    pub const fn code(&self) -> &'static str {
        match self {
            PtzError::Length => "ptz_length",
            PtzError::NotHex => "ptz_not_hex",
            PtzError::Leader => "ptz_leader",
            PtzError::Checksum => "ptz_checksum",
            PtzError::Address => "ptz_address",
            PtzError::Preset => "ptz_preset",
        }
    }
}

/// One PTZ command: the 5 fields between the leader and the check bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PtzCmd {
    /// 12 bits. Devices ignore it in practice; 1 is what platforms send (`A50F01…`).
    pub address: u16,
    pub instruction: u8,
    pub data1: u8,
    pub data2: u8,
    /// 4 bits.
    pub data3: u8,
}

impl PtzCmd {
    const DEFAULT_ADDRESS: u16 = 1;

    fn with(instruction: u8, data1: u8, data2: u8, data3: u8) -> PtzCmd {
        PtzCmd {
            address: Self::DEFAULT_ADDRESS,
            instruction,
            data1,
            data2,
            data3: data3.min(0x0F),
        }
    }

    /// Stop every motion.
    pub fn stop() -> PtzCmd {
        PtzCmd::with(0, 0, 0, 0)
    }

    /// Pan, tilt and zoom at once, each at its speed (pan and tilt 0–255, zoom 0–15; a
    /// larger zoom speed is taken as 15). `None` leaves an axis still.
    pub fn motion(
        pan: Option<(Pan, u8)>,
        tilt: Option<(Tilt, u8)>,
        zoom: Option<(Zoom, u8)>,
    ) -> PtzCmd {
        let mut code = 0;
        let (mut pan_speed, mut tilt_speed, mut zoom_speed) = (0, 0, 0);
        if let Some((dir, speed)) = pan {
            code |= match dir {
                Pan::Right => 0x01,
                Pan::Left => 0x02,
            };
            pan_speed = speed;
        }
        if let Some((dir, speed)) = tilt {
            code |= match dir {
                Tilt::Down => 0x04,
                Tilt::Up => 0x08,
            };
            tilt_speed = speed;
        }
        if let Some((dir, speed)) = zoom {
            code |= match dir {
                Zoom::In => 0x10,
                Zoom::Out => 0x20,
            };
            zoom_speed = speed;
        }
        PtzCmd::with(code, pan_speed, tilt_speed, zoom_speed)
    }

    /// Focus and iris (FI) at their speeds; `None` leaves one still.
    pub fn focus_iris(focus: Option<(Focus, u8)>, iris: Option<(Iris, u8)>) -> PtzCmd {
        let mut code = 0x40;
        let (mut focus_speed, mut iris_speed) = (0, 0);
        if let Some((dir, speed)) = focus {
            code |= match dir {
                Focus::Far => 0x01,
                Focus::Near => 0x02,
            };
            focus_speed = speed;
        }
        if let Some((dir, speed)) = iris {
            code |= match dir {
                Iris::Open => 0x04,
                Iris::Close => 0x08,
            };
            iris_speed = speed;
        }
        PtzCmd::with(code, focus_speed, iris_speed, 0)
    }

    /// Set, call or delete preset `number` (1–255).
    pub fn preset(action: PresetAction, number: u8) -> Result<PtzCmd, PtzError> {
        if number == 0 {
            return Err(PtzError::Preset);
        }
        let code = match action {
            PresetAction::Set => 0x81,
            PresetAction::Call => 0x82,
            PresetAction::Delete => 0x83,
        };
        Ok(PtzCmd::with(code, 0, number, 0))
    }

    /// The same command for another address.
    pub fn at_address(self, address: u16) -> Result<PtzCmd, PtzError> {
        if address > 0x0FFF {
            return Err(PtzError::Address);
        }
        Ok(PtzCmd { address, ..self })
    }

    /// The 8 bytes, check bytes included.
    pub fn to_bytes(&self) -> [u8; 8] {
        let b1 = LEADER;
        let b2 = (VERSION << 4) | (((b1 >> 4) + (b1 & 0x0F) + VERSION) & 0x0F);
        let b3 = (self.address & 0xFF) as u8;
        let b7 = ((self.data3 & 0x0F) << 4) | ((self.address >> 8) as u8 & 0x0F);
        let mut bytes = [b1, b2, b3, self.instruction, self.data1, self.data2, b7, 0];
        bytes[7] = bytes[..7].iter().fold(0u8, |s, b| s.wrapping_add(*b));
        bytes
    }

    /// Reads the 16 hex digits of a `<PTZCmd>`, checking the leader and both checks.
    pub fn parse_hex(s: &str) -> Result<PtzCmd, PtzError> {
        let s = s.trim();
        if s.len() != 16 {
            return Err(PtzError::Length);
        }
        let mut bytes = [0u8; 8];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| PtzError::NotHex)?;
        if bytes[0] != LEADER {
            return Err(PtzError::Leader);
        }
        let cmd = PtzCmd {
            address: u16::from(bytes[2]) | (u16::from(bytes[6] & 0x0F) << 8),
            instruction: bytes[3],
            data1: bytes[4],
            data2: bytes[5],
            data3: bytes[6] >> 4,
        };
        // Rebuilding with our version must give the same bytes; a device sending another
        // version would fail here, and none does.
        if cmd.to_bytes() != bytes {
            return Err(PtzError::Checksum);
        }
        Ok(cmd)
    }
}

impl fmt::Display for PtzCmd {
    /// The 16 uppercase hex digits, as platforms send them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cmd: PtzCmd, hex: &str) {
        assert_eq!(cmd.to_string(), hex);
        assert_eq!(PtzCmd::parse_hex(hex), Ok(cmd), "{hex} reads back");
    }

    #[test]
    fn stop() {
        check(PtzCmd::stop(), "A50F0100000000B5");
    }

    #[test]
    fn pan_and_tilt_carry_their_speeds() {
        check(
            PtzCmd::motion(Some((Pan::Right, 0x1F)), None, None),
            "A50F01011F0000D5",
        );
        check(
            PtzCmd::motion(Some((Pan::Left, 0x1F)), None, None),
            "A50F01021F0000D6",
        );
        check(
            PtzCmd::motion(None, Some((Tilt::Up, 0xFA)), None),
            "A50F010800FA00B7",
        );
        check(
            PtzCmd::motion(None, Some((Tilt::Down, 0x80)), None),
            "A50F010400800039",
        );
        // Up and to the left at once.
        check(
            PtzCmd::motion(Some((Pan::Left, 0x40)), Some((Tilt::Up, 0x40)), None),
            "A50F010A4040003F",
        );
    }

    #[test]
    fn zoom_speed_sits_in_the_high_nibble_of_byte_7() {
        check(
            PtzCmd::motion(None, None, Some((Zoom::In, 0x0A))),
            "A50F01100000A065",
        );
        check(
            PtzCmd::motion(None, None, Some((Zoom::Out, 0x0A))),
            "A50F01200000A075",
        );
        // Zoom speed has 4 bits.
        assert_eq!(
            PtzCmd::motion(None, None, Some((Zoom::In, 0xFF))).data3,
            0x0F
        );
    }

    #[test]
    fn focus_iris_and_presets() {
        check(
            PtzCmd::focus_iris(Some((Focus::Far, 0x10)), None),
            "A50F014110000006",
        );
        check(
            PtzCmd::focus_iris(Some((Focus::Near, 0x10)), None),
            "A50F014210000007",
        );
        check(
            PtzCmd::focus_iris(None, Some((Iris::Open, 0x10))),
            "A50F014400100009",
        );
        check(
            PtzCmd::focus_iris(None, Some((Iris::Close, 0x10))),
            "A50F01480010000D",
        );
        check(
            PtzCmd::preset(PresetAction::Set, 1).unwrap(),
            "A50F018100010037",
        );
        check(
            PtzCmd::preset(PresetAction::Call, 1).unwrap(),
            "A50F018200010038",
        );
        check(
            PtzCmd::preset(PresetAction::Delete, 255).unwrap(),
            "A50F018300FF0037",
        );
        assert_eq!(PtzCmd::preset(PresetAction::Call, 0), Err(PtzError::Preset));
    }

    #[test]
    fn the_address_spans_byte_3_and_the_low_nibble_of_byte_7() {
        let cmd = PtzCmd::stop().at_address(0x234).unwrap();
        check(cmd, "A50F3400000002EA");
        assert_eq!(PtzCmd::stop().at_address(0x1000), Err(PtzError::Address));
    }

    #[test]
    fn bad_commands_are_refused() {
        let refused = |s| PtzCmd::parse_hex(s).unwrap_err().code();
        assert_eq!(refused("A50F0100000000"), "ptz_length");
        assert_eq!(refused("A50F01000000ZZB5"), "ptz_not_hex");
        assert_eq!(refused("A40F0100000000B4"), "ptz_leader");
        assert_eq!(refused("A50F0100000000B6"), "ptz_checksum");
        assert_eq!(
            refused("A50E0100000000B4"),
            "ptz_checksum",
            "byte 2's check"
        );
        assert_eq!(PtzCmd::parse_hex("a50f0100000000b5"), Ok(PtzCmd::stop()));
    }
}
