//! The MANSCDP messages a device sends the platform (GB/T 28181-2016 Appendix A): the
//! Keepalive notify and the answers to Catalog, DeviceInfo and DeviceStatus queries. Any
//! other well-formed body is kept as its header, which is enough to count it as a sign of
//! life and to match it to a request.
//!
//! The header fields (`CmdType`, `SN`, `DeviceID`) are required and checked; optional fields
//! that do not parse are read as absent, because one device's odd `Longitude` must not cost
//! the platform the rest of its catalog.

use std::str::FromStr;

use chrono::NaiveDateTime;

use super::body::{decode, excerpt, parse_xml, Element, Limits, ManscdpError};
use super::catalog::CatalogResponse;
use crate::id::GbId;

/// The root element, which says what kind of message the body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Query,
    Control,
    Notify,
    Response,
}

impl Root {
    pub fn name(self) -> &'static str {
        match self {
            Root::Query => "Query",
            Root::Control => "Control",
            Root::Notify => "Notify",
            Root::Response => "Response",
        }
    }
}

/// The fields every MANSCDP body has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub root: Root,
    /// `Keepalive`, `Catalog`, `DeviceInfo`, …, as sent.
    pub cmd_type: String,
    /// The sequence number that pairs a response with its query.
    pub sn: u32,
    /// The device (or channel) the message is from or about.
    pub device_id: GbId,
}

/// `OK` or `ERROR`, as in `Status`, `Result` and `Keepalive`'s status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
}

/// A parsed MANSCDP body.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Keepalive(Keepalive),
    Catalog(CatalogResponse),
    DeviceInfo(DeviceInfo),
    DeviceStatus(DeviceStatus),
    /// Any other well-formed message (alarm notifies, record info, control answers, …).
    Other(Header),
}

impl Message {
    /// Reads a body with the default [`Limits`].
    pub fn parse(body: &[u8]) -> Result<Message, ManscdpError> {
        Message::parse_with(body, &Limits::default())
    }

    /// Reads a body: size, character set, XML, then the message its root and `CmdType` name.
    pub fn parse_with(body: &[u8], limits: &Limits) -> Result<Message, ManscdpError> {
        let (text, _charset) = decode(body, limits)?;
        let root = parse_xml(&text, limits)?;
        let header = header(&root)?;
        let cmd = header.cmd_type.to_ascii_lowercase();
        Ok(match (header.root, cmd.as_str()) {
            (Root::Notify, "keepalive") => Message::Keepalive(Keepalive::read(header, &root)),
            (Root::Response, "catalog") => Message::Catalog(CatalogResponse::read(header, &root)?),
            (Root::Response, "deviceinfo") => Message::DeviceInfo(DeviceInfo::read(header, &root)),
            (Root::Response, "devicestatus") => {
                Message::DeviceStatus(DeviceStatus::read(header, &root))
            }
            _ => Message::Other(header),
        })
    }

    pub fn header(&self) -> &Header {
        match self {
            Message::Keepalive(m) => &m.header,
            Message::Catalog(m) => &m.header,
            Message::DeviceInfo(m) => &m.header,
            Message::DeviceStatus(m) => &m.header,
            Message::Other(h) => h,
        }
    }
}

fn header(root: &Element) -> Result<Header, ManscdpError> {
    let kind = match root.name.as_str() {
        n if n.eq_ignore_ascii_case("Query") => Root::Query,
        n if n.eq_ignore_ascii_case("Control") => Root::Control,
        n if n.eq_ignore_ascii_case("Notify") => Root::Notify,
        n if n.eq_ignore_ascii_case("Response") => Root::Response,
        other => return Err(ManscdpError::UnknownRoot(excerpt(other))),
    };
    Ok(Header {
        root: kind,
        cmd_type: required(root, "CmdType")?.to_owned(),
        sn: number(root, "SN", "a sequence number")?.ok_or(ManscdpError::MissingField("SN"))?,
        device_id: gb_id(root, "DeviceID")?,
    })
}

/// The text of a required child.
pub(crate) fn required<'a>(el: &'a Element, name: &'static str) -> Result<&'a str, ManscdpError> {
    el.text_of(name).ok_or(ManscdpError::MissingField(name))
}

/// A required child holding a GB/T 28181 id.
pub(crate) fn gb_id(el: &Element, name: &'static str) -> Result<GbId, ManscdpError> {
    GbId::parse(required(el, name)?).map_err(|error| ManscdpError::BadId { field: name, error })
}

/// An optional child that must parse when present.
pub(crate) fn number<T: FromStr>(
    el: &Element,
    name: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ManscdpError> {
    el.text_of(name)
        .map(|t| {
            t.parse().map_err(|_| ManscdpError::BadField {
                field: name,
                value: excerpt(t),
                expected,
            })
        })
        .transpose()
}

/// An optional child read leniently: absent when it does not parse.
pub(crate) fn lenient<T: FromStr>(el: &Element, name: &str) -> Option<T> {
    el.text_of(name).and_then(|t| t.parse().ok())
}

/// An optional child's text, owned.
pub(crate) fn text(el: &Element, name: &str) -> Option<String> {
    el.text_of(name).map(str::to_owned)
}

pub(crate) fn outcome(el: &Element, name: &str) -> Option<Outcome> {
    match el.text_of(name)?.to_ascii_uppercase().as_str() {
        "OK" => Some(Outcome::Ok),
        "ERROR" => Some(Outcome::Error),
        _ => None,
    }
}

/// `ON`/`OFF` (and the `ONLINE`/`OFFLINE` some devices write) as a switch.
pub(crate) fn on_off(el: &Element, name: &str) -> Option<bool> {
    match el.text_of(name)?.to_ascii_uppercase().as_str() {
        "ON" | "ONLINE" => Some(true),
        "OFF" | "OFFLINE" => Some(false),
        _ => None,
    }
}

/// The Keepalive notify (A.2.5): the device is alive; `Info` may list faulty channels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keepalive {
    pub header: Header,
    /// `OK` or `ERROR`; `None` when missing or unreadable.
    pub status: Option<Outcome>,
    /// Channels the device reports in fault (`<Info><DeviceID>…`).
    pub faulty: Vec<GbId>,
}

impl Keepalive {
    fn read(header: Header, root: &Element) -> Keepalive {
        let faulty = root
            .children_named("Info")
            .flat_map(|info| info.children_named("DeviceID"))
            .filter_map(|d| GbId::parse(&d.text).ok())
            .collect();
        Keepalive {
            header,
            status: outcome(root, "Status"),
            faulty,
        }
    }
}

/// The answer to a DeviceInfo query (A.2.6.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub header: Header,
    pub result: Option<Outcome>,
    pub device_name: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    /// How many channels the device has (`Channel`).
    pub channels: Option<u32>,
}

impl DeviceInfo {
    fn read(header: Header, root: &Element) -> DeviceInfo {
        DeviceInfo {
            header,
            result: outcome(root, "Result"),
            device_name: text(root, "DeviceName"),
            manufacturer: text(root, "Manufacturer"),
            model: text(root, "Model"),
            firmware: text(root, "Firmware"),
            channels: lenient(root, "Channel"),
        }
    }
}

/// A channel's alarm duty in a DeviceStatus answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DutyStatus {
    OnDuty,
    OffDuty,
    Alarm,
}

/// One `Alarmstatus` item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlarmState {
    pub device_id: GbId,
    pub duty: DutyStatus,
}

/// The answer to a DeviceStatus query (A.2.6.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceStatus {
    pub header: Header,
    pub result: Option<Outcome>,
    /// `ONLINE`/`OFFLINE`.
    pub online: Option<bool>,
    /// Whether the device works normally (`Status` OK/ERROR).
    pub status: Option<Outcome>,
    /// Why it does not, when it says.
    pub reason: Option<String>,
    /// Whether it is encoding (`Encode` ON/OFF).
    pub encoding: Option<bool>,
    /// Whether it is recording (`Record` ON/OFF).
    pub recording: Option<bool>,
    /// The device's clock, without zone as the standard writes it.
    pub device_time: Option<NaiveDateTime>,
    pub alarms: Vec<AlarmState>,
}

impl DeviceStatus {
    fn read(header: Header, root: &Element) -> DeviceStatus {
        let alarms = root
            .children_named("Alarmstatus")
            .flat_map(|list| list.children_named("Item"))
            .filter_map(|item| {
                let device_id = GbId::parse(item.text_of("DeviceID")?).ok()?;
                let duty = match item.text_of("DutyStatus")?.to_ascii_uppercase().as_str() {
                    "ONDUTY" => DutyStatus::OnDuty,
                    "OFFDUTY" => DutyStatus::OffDuty,
                    "ALARM" => DutyStatus::Alarm,
                    _ => return None,
                };
                Some(AlarmState { device_id, duty })
            })
            .collect();
        DeviceStatus {
            result: outcome(root, "Result"),
            online: on_off(root, "Online"),
            status: outcome(root, "Status"),
            reason: text(root, "Reason"),
            encoding: on_off(root, "Encode"),
            recording: on_off(root, "Record"),
            device_time: root
                .text_of("DeviceTime")
                .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok()),
            alarms,
            header,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::GB18030;

    fn parse(body: &str) -> Message {
        Message::parse(body.as_bytes()).unwrap()
    }

    fn refused(body: &str) -> &'static str {
        Message::parse(body.as_bytes()).unwrap_err().code()
    }

    #[test]
    fn the_header_may_come_as_attributes_of_the_root() {
        // As gb28181-rs and some vendors send it.
        let m = parse(
            "<Notify CmdType=\"Keepalive\" SN=\"9\"><DeviceID>34020000001320000001</DeviceID>\
             <Status>OK</Status></Notify>",
        );
        let Message::Keepalive(k) = m else {
            panic!("not a keepalive: {m:?}")
        };
        assert_eq!(k.header.sn, 9);
        assert_eq!(k.header.device_id.as_str(), "34020000001320000001");
        assert_eq!(
            refused(
                "<Notify CmdType=\"Keepalive\"><DeviceID>34020000001320000001</DeviceID></Notify>"
            ),
            "manscdp_missing_field"
        );
    }

    #[test]
    fn a_keepalive_as_cameras_send_it() {
        let m = parse(
            "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>43</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n",
        );
        let Message::Keepalive(k) = m else {
            panic!("{m:?}")
        };
        assert_eq!(k.header.sn, 43);
        assert_eq!(k.header.device_id.as_str(), "34020000001320000001");
        assert_eq!(k.status, Some(Outcome::Ok));
        assert!(k.faulty.is_empty());
    }

    #[test]
    fn a_keepalive_may_name_faulty_channels() {
        let m = parse(
            "<Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>34020000001180000001</DeviceID><Status>OK</Status>\
             <Info><DeviceID>34020000001310000003</DeviceID><DeviceID>34020000001310000004</DeviceID><DeviceID>bogus</DeviceID></Info></Notify>",
        );
        let Message::Keepalive(k) = m else {
            panic!("{m:?}")
        };
        let faulty: Vec<_> = k.faulty.iter().map(GbId::as_str).collect();
        assert_eq!(faulty, ["34020000001310000003", "34020000001310000004"]);
    }

    #[test]
    fn a_device_info_answer_in_gb18030() {
        let body = "<?xml version=\"1.0\" encoding=\"GB18030\"?>\r\n<Response>\r\n<CmdType>DeviceInfo</CmdType>\r\n<SN>17</SN>\r\n\
             <DeviceID>44030400001180000001</DeviceID>\r\n<DeviceName>福田街道 NVR</DeviceName>\r\n<Result>OK</Result>\r\n\
             <Manufacturer>Hikvision</Manufacturer>\r\n<Model>DS-7932N-R4</Model>\r\n<Firmware>V4.31.000</Firmware>\r\n<Channel>32</Channel>\r\n</Response>";
        let bytes = GB18030.encode(body).0;
        let Message::DeviceInfo(info) = Message::parse(&bytes).unwrap() else {
            panic!()
        };
        assert_eq!(info.device_name.as_deref(), Some("福田街道 NVR"));
        assert_eq!(info.result, Some(Outcome::Ok));
        assert_eq!(info.model.as_deref(), Some("DS-7932N-R4"));
        assert_eq!(info.channels, Some(32));
    }

    #[test]
    fn a_device_status_answer() {
        let m = parse(
            "<?xml version=\"1.0\"?><Response><CmdType>DeviceStatus</CmdType><SN>9</SN><DeviceID>34020000001320000001</DeviceID>\
             <Result>OK</Result><Online>ONLINE</Online><Status>OK</Status><Encode>ON</Encode><Record>OFF</Record>\
             <DeviceTime>2024-05-01T08:30:00</DeviceTime>\
             <Alarmstatus Num=\"1\"><Item><DeviceID>34020000001340000001</DeviceID><DutyStatus>ALARM</DutyStatus></Item></Alarmstatus></Response>",
        );
        let Message::DeviceStatus(s) = m else {
            panic!("{m:?}")
        };
        assert_eq!(s.online, Some(true));
        assert_eq!(s.status, Some(Outcome::Ok));
        assert_eq!((s.encoding, s.recording), (Some(true), Some(false)));
        assert_eq!(s.device_time.unwrap().to_string(), "2024-05-01 08:30:00",);
        assert_eq!(s.alarms.len(), 1);
        assert_eq!(s.alarms[0].duty, DutyStatus::Alarm);
    }

    #[test]
    fn other_messages_keep_their_header() {
        let m = parse(
            "<Notify><CmdType>Alarm</CmdType><SN>3</SN><DeviceID>34020000001340000001</DeviceID><AlarmPriority>1</AlarmPriority></Notify>",
        );
        assert_eq!(
            m,
            Message::Other(Header {
                root: Root::Notify,
                cmd_type: "Alarm".into(),
                sn: 3,
                device_id: "34020000001340000001".parse().unwrap(),
            })
        );
    }

    #[test]
    fn element_case_is_forgiven() {
        let m = parse("<Notify><cmdtype>Keepalive</cmdtype><SN>1</SN><DeviceId>34020000001320000001</DeviceId></Notify>");
        assert!(matches!(m, Message::Keepalive(_)));
    }

    #[test]
    fn bodies_without_a_valid_header_are_refused() {
        let id = "<DeviceID>34020000001320000001</DeviceID>";
        assert_eq!(
            refused(&format!(
                "<Hello><CmdType>Keepalive</CmdType><SN>1</SN>{id}</Hello>"
            )),
            "manscdp_unknown_root"
        );
        assert_eq!(
            refused(&format!("<Notify><SN>1</SN>{id}</Notify>")),
            "manscdp_missing_field"
        );
        assert_eq!(
            refused(&format!(
                "<Notify><CmdType>Keepalive</CmdType>{id}</Notify>"
            )),
            "manscdp_missing_field"
        );
        assert_eq!(
            refused(&format!(
                "<Notify><CmdType>Keepalive</CmdType><SN>-1</SN>{id}</Notify>"
            )),
            "manscdp_bad_field"
        );
        assert_eq!(
            refused(
                "<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>3402</DeviceID></Notify>"
            ),
            "manscdp_bad_id"
        );
        assert_eq!(
            refused("<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID></DeviceID></Notify>"),
            "manscdp_missing_field"
        );
        assert_eq!(
            refused("<Notify><CmdType>Keepalive</CmdType>"),
            "manscdp_malformed_xml"
        );
    }
}
