//! The 20-digit GB/T 28181 code (编码规则 A, GB/T 28181-2016 Appendix D) that names every
//! device, channel, platform, business group and virtual organisation.
//!
//! ```text
//!  44 03 04 00 | 00 | 132 | 0 | 000042
//!  centre code  industry type  network serial
//!  (province, city, district, base unit)
//! ```
//!
//! The centre code is the administrative division (GB/T 2260) of the monitoring centre the
//! device belongs to, with unused trailing digits 0. Digits 1–10 are also the SIP domain by
//! convention (`sip:34020000001320000001@3402000000`), which is why the realm of a GB/T 28181
//! platform is usually its own first ten digits.
//!
//! `crates/core/src/ids.rs` builds ids for the generator (`gb28181_id`, whose 7-digit "serial"
//! is this module's network flag followed by the 6-digit serial) and checks device ids in
//! recognisers (`is_valid_gb28181_id`, types 111–199). `GbId` is the platform's parsed form
//! of any assigned type: devices, but also the platform itself (200), business groups (215)
//! and virtual organisations (216) that appear in catalogs.

use std::fmt;
use std::str::FromStr;

/// A parsed GB/T 28181 code: 20 ASCII digits whose type code (digits 11–13) is assigned.
///
/// `Copy` and ordered, so it serves as a map key without allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GbId([u8; GbId::LEN]);

/// Why a string is not a GB/T 28181 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GbIdError {
    #[error("a GB/T 28181 id has 20 digits; this one has {len} characters")]
    Length { len: usize },
    #[error("a GB/T 28181 id has only the digits 0-9; character {position} is not one")]
    NotDigit { position: usize },
    #[error("type code {code} (digits 11-13) is not assigned by GB/T 28181 Appendix D, which starts at 111")]
    UnassignedType { code: u16 },
    #[error("the {part} of a GB/T 28181 id is out of range")]
    PartOutOfRange { part: &'static str },
}

impl GbIdError {
    /// A stable code for logs, counters and API errors.
    pub const fn code(&self) -> &'static str {
        match self {
            GbIdError::Length { .. } => "gb_id_length",
            GbIdError::NotDigit { .. } => "gb_id_not_digits",
            GbIdError::UnassignedType { .. } => "gb_id_unassigned_type",
            GbIdError::PartOutOfRange { .. } => "gb_id_part_out_of_range",
        }
    }
}

impl GbId {
    /// Every GB/T 28181 code has exactly this many digits.
    pub const LEN: usize = 20;

    /// Parses a code, refusing anything but 20 digits with an assigned type code.
    pub fn parse(s: &str) -> Result<GbId, GbIdError> {
        // Errors count characters, as the person who typed the id would.
        let len = s.chars().count();
        if len != Self::LEN {
            return Err(GbIdError::Length { len });
        }
        if let Some(i) = s.chars().position(|c| !c.is_ascii_digit()) {
            return Err(GbIdError::NotDigit { position: i + 1 });
        }
        let mut digits = [0u8; Self::LEN];
        digits.copy_from_slice(s.as_bytes());
        let id = GbId(digits);
        let code = id.type_code().0;
        if code < TypeCode::FIRST_ASSIGNED {
            return Err(GbIdError::UnassignedType { code });
        }
        Ok(id)
    }

    /// Builds a code from its parts: an 8-digit centre code, the industry (0–99), the type,
    /// the network flag (0–9) and the serial (0–999,999).
    pub fn new(
        centre: &str,
        industry: u8,
        type_code: TypeCode,
        network: u8,
        serial: u32,
    ) -> Result<GbId, GbIdError> {
        if centre.len() != 8 || !centre.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GbIdError::PartOutOfRange {
                part: "centre code",
            });
        }
        let parts = [
            ("industry", u32::from(industry), 99),
            ("type code", u32::from(type_code.0), 999),
            ("network flag", u32::from(network), 9),
            ("serial", serial, 999_999),
        ];
        if let Some((part, _, _)) = parts.iter().find(|(_, v, max)| v > max) {
            return Err(GbIdError::PartOutOfRange { part });
        }
        GbId::parse(&format!(
            "{centre}{industry:02}{:03}{network}{serial:06}",
            type_code.0
        ))
    }

    /// The code as its 20 digits.
    pub fn as_str(&self) -> &str {
        // The constructor admits ASCII digits only.
        std::str::from_utf8(&self.0).expect("a GbId holds ASCII digits")
    }

    fn digits(&self, from: usize, to: usize) -> u32 {
        self.0[from..to]
            .iter()
            .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    }

    /// 中心编码, digits 1–8: the monitoring centre's administrative division and base unit.
    pub fn centre(&self) -> &str {
        &self.as_str()[..8]
    }

    /// Digits 1–2: the province (省级) of the centre code.
    pub fn province(&self) -> &str {
        &self.as_str()[..2]
    }

    /// Digits 3–4: the city (市级) of the centre code; `00` above city level.
    pub fn city(&self) -> &str {
        &self.as_str()[2..4]
    }

    /// Digits 5–6: the district or county (区县级) of the centre code.
    pub fn district(&self) -> &str {
        &self.as_str()[4..6]
    }

    /// Digits 7–8: the base access unit (基层接入单位) of the centre code.
    pub fn base_unit(&self) -> &str {
        &self.as_str()[6..8]
    }

    /// Digits 1–10, the SIP domain by GB/T 28181 convention (and usually the realm).
    pub fn domain(&self) -> &str {
        &self.as_str()[..10]
    }

    /// 行业编码, digits 9–10 (Table D.3: 00 社会治安路面接入, 08 城市管理接入, …).
    pub fn industry(&self) -> u8 {
        self.digits(8, 10) as u8
    }

    /// 类型编码, digits 11–13.
    pub fn type_code(&self) -> TypeCode {
        TypeCode(self.digits(10, 13) as u16)
    }

    /// 网络标识, digit 14.
    pub fn network(&self) -> Network {
        Network::from_digit(self.0[13] - b'0')
    }

    /// 设备、用户序号, digits 15–20.
    pub fn serial(&self) -> u32 {
        self.digits(14, 20)
    }
}

impl FromStr for GbId {
    type Err = GbIdError;

    fn from_str(s: &str) -> Result<GbId, GbIdError> {
        GbId::parse(s)
    }
}

impl fmt::Display for GbId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for GbId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GbId({})", self.as_str())
    }
}

/// 类型编码: digits 11–13 of a code (Table D.1). Named constants for the codes the platform
/// treats specially; any assigned code (111–999) is a valid `TypeCode`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct TypeCode(pub u16);

impl TypeCode {
    const FIRST_ASSIGNED: u16 = 111;

    /// 111 DVR (数字视频录像机).
    pub const DVR: TypeCode = TypeCode(111);
    /// 112 视频服务器.
    pub const VIDEO_SERVER: TypeCode = TypeCode(112);
    /// 113 编码器.
    pub const ENCODER: TypeCode = TypeCode(113);
    /// 114 解码器.
    pub const DECODER: TypeCode = TypeCode(114);
    /// 115 视频切换矩阵.
    pub const VIDEO_MATRIX: TypeCode = TypeCode(115);
    /// 116 音频切换矩阵.
    pub const AUDIO_MATRIX: TypeCode = TypeCode(116);
    /// 117 报警控制器.
    pub const ALARM_CONTROLLER: TypeCode = TypeCode(117);
    /// 118 网络视频录像机 (NVR).
    pub const NVR: TypeCode = TypeCode(118);
    /// 130 混合硬盘录像机 (HVR).
    pub const HVR: TypeCode = TypeCode(130);
    /// 131 摄像机: a camera channel behind an encoder, DVR or NVR.
    pub const CAMERA: TypeCode = TypeCode(131);
    /// 132 网络摄像机 (IPC).
    pub const IPC: TypeCode = TypeCode(132);
    /// 133 显示器.
    pub const DISPLAY: TypeCode = TypeCode(133);
    /// 134 报警输入设备 (infrared, smoke, door sensors).
    pub const ALARM_INPUT: TypeCode = TypeCode(134);
    /// 135 报警输出设备 (warning lights, bells).
    pub const ALARM_OUTPUT: TypeCode = TypeCode(135);
    /// 136 语音输入设备.
    pub const AUDIO_INPUT: TypeCode = TypeCode(136);
    /// 137 语音输出设备.
    pub const AUDIO_OUTPUT: TypeCode = TypeCode(137);
    /// 138 移动传输设备.
    pub const MOBILE_TRANSMISSION: TypeCode = TypeCode(138);
    /// 139 其他外围设备.
    pub const OTHER_PERIPHERAL: TypeCode = TypeCode(139);
    /// 200 中心信令控制服务器: a SIP server, i.e. a platform (ours, or a cascaded one).
    pub const SIP_SERVER: TypeCode = TypeCode(200);
    /// 202 媒体分发服务器.
    pub const MEDIA_SERVER: TypeCode = TypeCode(202);
    /// 215 业务分组: the root of a virtual-organisation tree in a catalog.
    pub const BUSINESS_GROUP: TypeCode = TypeCode(215);
    /// 216 虚拟组织: a directory node under a business group (here: street, community, grid).
    pub const VIRTUAL_ORGANISATION: TypeCode = TypeCode(216);
    /// 300 中心用户.
    pub const CENTRE_USER: TypeCode = TypeCode(300);
    /// 400 终端用户.
    pub const TERMINAL_USER: TypeCode = TypeCode(400);

    /// The range of Table D.1 the code falls in.
    pub fn class(self) -> TypeClass {
        match self.0 {
            111..=130 => TypeClass::MainDevice,
            131..=199 => TypeClass::Peripheral,
            200..=299 => TypeClass::Platform,
            300..=399 => TypeClass::CentreUser,
            400..=499 => TypeClass::TerminalUser,
            500..=599 => TypeClass::ExternalServer,
            600..=999 => TypeClass::Extension,
            _ => TypeClass::Unassigned,
        }
    }

    /// True for front-end equipment (111–199): what registers as a device or is listed as
    /// a channel. The same range as `citymirror_core::ids::is_valid_gb28181_id`.
    pub fn is_front_end(self) -> bool {
        matches!(self.class(), TypeClass::MainDevice | TypeClass::Peripheral)
    }

    /// True for the catalog's directory nodes that are not equipment (215, 216).
    pub fn is_directory(self) -> bool {
        self == Self::BUSINESS_GROUP || self == Self::VIRTUAL_ORGANISATION
    }

    /// The name Table D.1 gives the code, where it names one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            111 => "DVR",
            112 => "视频服务器",
            113 => "编码器",
            114 => "解码器",
            115 => "视频切换矩阵",
            116 => "音频切换矩阵",
            117 => "报警控制器",
            118 => "网络视频录像机(NVR)",
            130 => "混合硬盘录像机(HVR)",
            131 => "摄像机",
            132 => "网络摄像机(IPC)",
            133 => "显示器",
            134 => "报警输入设备",
            135 => "报警输出设备",
            136 => "语音输入设备",
            137 => "语音输出设备",
            138 => "移动传输设备",
            139 => "其他外围设备",
            200 => "中心信令控制服务器",
            201 => "Web应用服务器",
            202 => "媒体分发服务器",
            203 => "代理服务器",
            204 => "安全服务器",
            205 => "报警服务器",
            206 => "数据库服务器",
            207 => "GIS服务器",
            208 => "管理服务器",
            209 => "接入网关",
            210 => "媒体存储服务器",
            211 => "信令安全路由网关",
            215 => "业务分组",
            216 => "虚拟组织",
            300 => "中心用户",
            400 => "终端用户",
            500 => "视频图像信息综合应用平台信令服务器",
            501 => "视频图像信息运维管理平台信令服务器",
            _ => return None,
        })
    }
}

/// The ranges of Table D.1.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeClass {
    /// 111–130 前端主设备 (DVR, encoder, NVR, …).
    MainDevice,
    /// 131–199 前端外围设备 (cameras, IPCs, alarm inputs, …).
    Peripheral,
    /// 200–299 平台设备 (SIP servers, media servers, business groups, virtual organisations).
    Platform,
    /// 300–399 中心用户.
    CentreUser,
    /// 400–499 终端用户.
    TerminalUser,
    /// 500–599 平台外接服务器.
    ExternalServer,
    /// 600–999 拓展类型.
    Extension,
    /// 000–110: not assigned; `GbId::parse` refuses these.
    Unassigned,
}

/// 网络标识, digit 14: the network the device sits on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Network {
    /// 0–4: 监控报警专网 (the digit is kept).
    SurveillancePrivate(u8),
    /// 5: 公安信息网.
    PublicSecurity,
    /// 6: 政务网.
    GovernmentAffairs,
    /// 7: Internet.
    Internet,
    /// 8: 社会资源接入网.
    SocialResources,
    /// 9: 预留.
    Reserved,
}

impl Network {
    fn from_digit(d: u8) -> Network {
        match d {
            0..=4 => Network::SurveillancePrivate(d),
            5 => Network::PublicSecurity,
            6 => Network::GovernmentAffairs,
            7 => Network::Internet,
            8 => Network::SocialResources,
            _ => Network::Reserved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> GbId {
        s.parse().unwrap()
    }

    fn refused(s: &str) -> &'static str {
        GbId::parse(s).unwrap_err().code()
    }

    #[test]
    fn the_code_splits_into_the_parts_of_appendix_d() {
        let ipc = id("44030400081326000042");
        assert_eq!(ipc.centre(), "44030400");
        assert_eq!(
            (ipc.province(), ipc.city(), ipc.district(), ipc.base_unit()),
            ("44", "03", "04", "00")
        );
        assert_eq!(ipc.industry(), 8, "城市管理接入");
        assert_eq!(ipc.type_code(), TypeCode::IPC);
        assert_eq!(ipc.network(), Network::GovernmentAffairs);
        assert_eq!(ipc.serial(), 42);
        assert_eq!(ipc.domain(), "4403040008");
        assert_eq!(ipc.to_string(), "44030400081326000042");
    }

    #[test]
    fn type_classes_follow_table_d1() {
        let class = |s| id(s).type_code().class();
        assert_eq!(class("34020000001110000001"), TypeClass::MainDevice); // DVR
        assert_eq!(class("34020000001180000001"), TypeClass::MainDevice); // NVR
        assert_eq!(class("34020000001310000001"), TypeClass::Peripheral); // camera
        assert_eq!(class("34020000001320000001"), TypeClass::Peripheral); // IPC
        assert_eq!(class("34020000002000000001"), TypeClass::Platform); // SIP server
        assert_eq!(class("34020000002150000001"), TypeClass::Platform); // business group
        assert_eq!(class("34020000002160000001"), TypeClass::Platform); // virtual organisation
        assert_eq!(class("34020000003000000001"), TypeClass::CentreUser);
        assert_eq!(class("34020000004000000001"), TypeClass::TerminalUser);
        assert_eq!(class("34020000005000000001"), TypeClass::ExternalServer);
        assert_eq!(class("34020000006000000001"), TypeClass::Extension);

        assert!(TypeCode::NVR.is_front_end() && TypeCode::CAMERA.is_front_end());
        assert!(!TypeCode::SIP_SERVER.is_front_end());
        assert!(TypeCode::VIRTUAL_ORGANISATION.is_directory());
        assert!(!TypeCode::IPC.is_directory());
        assert_eq!(TypeCode::NVR.name(), Some("网络视频录像机(NVR)"));
        assert_eq!(TypeCode(150).name(), None, "an extension code has no name");
    }

    #[test]
    fn ill_formed_ids_are_refused_with_a_stable_code() {
        assert_eq!(refused(""), "gb_id_length");
        assert_eq!(refused("3402000000132000000"), "gb_id_length");
        assert_eq!(refused("340200000013200000011"), "gb_id_length");
        assert_eq!(refused("3402000000132000000x"), "gb_id_not_digits");
        assert_eq!(refused(" 4020000001320000001"), "gb_id_not_digits");
        assert_eq!(refused("34020000000000000001"), "gb_id_unassigned_type");
        assert_eq!(refused("34020000001100000001"), "gb_id_unassigned_type");
    }

    #[test]
    fn errors_speak_of_characters_not_bytes() {
        // 18 ASCII digits and one two-byte character: 20 bytes, 19 characters.
        let e = GbId::parse("340200000013200000é").unwrap_err();
        assert_eq!(e, GbIdError::Length { len: 19 });
        assert!(e.to_string().contains("has 19 characters"));
        // Full-width digits are not digits here.
        let e = GbId::parse("3402000000132000000１").unwrap_err();
        assert_eq!(e, GbIdError::NotDigit { position: 20 });
        let e = GbId::parse("340200000013200000é1").unwrap_err();
        assert_eq!(e, GbIdError::NotDigit { position: 19 });
    }

    #[test]
    fn built_from_parts() {
        let v = GbId::new("44030400", 8, TypeCode::VIRTUAL_ORGANISATION, 6, 1).unwrap();
        assert_eq!(v.as_str(), "44030400082166000001");
        assert_eq!(
            GbId::new("440304", 8, TypeCode::IPC, 0, 1)
                .unwrap_err()
                .code(),
            "gb_id_part_out_of_range"
        );
        assert!(GbId::new("44030400", 8, TypeCode::IPC, 10, 1).is_err());
        assert!(GbId::new("44030400", 8, TypeCode::IPC, 0, 1_000_000).is_err());
        assert!(GbId::new("44030400", 8, TypeCode(42), 0, 1).is_err());
    }

    #[test]
    fn ids_the_generator_makes_parse_here() {
        use citymirror_core::ids::{gb28181_id, is_valid_gb28181_id, GB28181_TYPE_IPC};
        for (type_code, serial) in [(GB28181_TYPE_IPC, 42), (118, 6_000_001), (200, 1)] {
            let s = gb28181_id("440304", 0, 8, type_code, serial);
            let parsed = id(&s);
            assert_eq!(parsed.type_code(), TypeCode(type_code));
            // core's 7-digit serial is our network flag followed by our serial.
            assert_eq!(
                u32::from(parsed.network_digit()) * 1_000_000 + parsed.serial(),
                serial
            );
            assert_eq!(
                is_valid_gb28181_id(&s),
                parsed.type_code().is_front_end(),
                "core's device check and ours agree on {s}"
            );
        }
    }

    impl GbId {
        fn network_digit(&self) -> u8 {
            self.0[13] - b'0'
        }
    }
}
