//! The bodies the platform sends: the Catalog, DeviceInfo and DeviceStatus queries and the
//! DeviceControl command carrying a PTZ command.
//!
//! Every field is an id, a number or hex digits, so the text is ASCII and the same bytes in
//! every character set; it declares GB2312, as devices expect from a platform. Lines end in
//! CRLF like the rest of a SIP message.

use std::fmt::Write;

use super::ptz::PtzCmd;
use crate::id::GbId;

/// The `Content-Type` of every MANSCDP body.
pub const CONTENT_TYPE: &str = "Application/MANSCDP+xml";

/// A query the platform asks a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryKind {
    /// The device's channels and directory nodes (answered in pages; see `CatalogAssembler`).
    Catalog,
    /// Name, manufacturer, model, firmware, channel count.
    DeviceInfo,
    /// Online, working, encoding, recording, alarms.
    DeviceStatus,
}

impl QueryKind {
    pub fn cmd_type(self) -> &'static str {
        match self {
            QueryKind::Catalog => "Catalog",
            QueryKind::DeviceInfo => "DeviceInfo",
            QueryKind::DeviceStatus => "DeviceStatus",
        }
    }
}

fn render(root: &str, cmd_type: &str, sn: u32, device: &GbId, extra: &str) -> String {
    let mut s = String::with_capacity(200);
    // Writing to a String cannot fail.
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<{root}>\r\n<CmdType>{cmd_type}</CmdType>\r\n\
         <SN>{sn}</SN>\r\n<DeviceID>{device}</DeviceID>\r\n{extra}</{root}>\r\n"
    );
    s
}

/// The body of a query with sequence number `sn` to `device`.
pub fn render_query(kind: QueryKind, sn: u32, device: &GbId) -> String {
    render("Query", kind.cmd_type(), sn, device, "")
}

/// The body of a DeviceControl that sends `cmd` to the channel `device`.
pub fn render_ptz(sn: u32, device: &GbId, cmd: &PtzCmd) -> String {
    render(
        "Control",
        "DeviceControl",
        sn,
        device,
        &format!("<PTZCmd>{cmd}</PTZCmd>\r\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manscdp::body::{parse_xml, Limits};
    use crate::manscdp::{Pan, PtzCmd};

    fn camera() -> GbId {
        "44030400001310000001".parse().unwrap()
    }

    #[test]
    fn a_catalog_query_reads_as_in_the_standard() {
        assert_eq!(
            render_query(QueryKind::Catalog, 17430, &camera()),
            "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Query>\r\n<CmdType>Catalog</CmdType>\r\n\
             <SN>17430</SN>\r\n<DeviceID>44030400001310000001</DeviceID>\r\n</Query>\r\n"
        );
    }

    #[test]
    fn every_query_is_well_formed_ascii() {
        for kind in [
            QueryKind::Catalog,
            QueryKind::DeviceInfo,
            QueryKind::DeviceStatus,
        ] {
            let body = render_query(kind, 1, &camera());
            assert!(body.is_ascii());
            let root = parse_xml(&body, &Limits::default()).unwrap();
            assert_eq!(root.name, "Query");
            assert_eq!(root.text_of("CmdType"), Some(kind.cmd_type()));
        }
    }

    #[test]
    fn a_ptz_control_carries_the_command_hex() {
        let body = render_ptz(
            11,
            &camera(),
            &PtzCmd::motion(Some((Pan::Left, 0x1F)), None, None),
        );
        let root = parse_xml(&body, &Limits::default()).unwrap();
        assert_eq!(root.name, "Control");
        assert_eq!(root.text_of("CmdType"), Some("DeviceControl"));
        assert_eq!(root.text_of("PTZCmd"), Some("A50F01021F0000D6"));
        assert_eq!(root.text_of("SN"), Some("11"));
    }
}
