//! From the bytes of a MESSAGE body to a small element tree: the size limit, the character
//! set, and well-formed XML. Everything past this file reads `Element`s.
//!
//! Devices declare GB2312 (most), GB18030, GBK or UTF-8 in the XML declaration, and some
//! declare one and send the other. The declared set is tried first; when the bytes are not
//! valid in it, the other family is tried (GB18030 covers GB2312 and GBK). What cannot be
//! decoded strictly in either is refused rather than turned into replacement characters.
//!
//! quick-xml's reader is used rather than its serde mapping: device bodies vary in element
//! case, order and extra fields, and a tree of owned strings lets the messages be read with
//! one forgiving lookup while the XML itself is checked strictly (closing tags must match,
//! one root, no DOCTYPE).

use encoding_rs::{Encoding, GB18030, UTF_8};
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::id::GbIdError;

/// Bounds on what a body may cost to read.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest body accepted, in bytes. A UDP datagram carries at most 64 KiB; over TCP
    /// a catalog page of a few hundred items stays far below the default of 256 KiB.
    pub max_body_bytes: usize,
    /// The deepest element nesting accepted (MANSCDP bodies nest 4 levels).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 256 * 1024,
            max_depth: 16,
        }
    }
}

/// The character set a body was decoded from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    /// GB18030, and its subsets GB2312 and GBK.
    Gb18030,
}

/// Why a MANSCDP body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManscdpError {
    #[error("the body has {len} bytes; at most {limit} are accepted")]
    TooLarge { len: usize, limit: usize },
    #[error("the body is empty")]
    Empty,
    #[error("the declared encoding `{0}` is not supported; use GB2312, GB18030, GBK or UTF-8")]
    UnsupportedEncoding(String),
    #[error("the body is not valid text in UTF-8 or GB18030")]
    Undecodable,
    #[error("the body is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the XML nests deeper than {limit} elements")]
    TooDeep { limit: usize },
    #[error("`{0}` is not a MANSCDP root element (Query, Control, Notify or Response)")]
    UnknownRoot(String),
    #[error("the required element <{0}> is missing or empty")]
    MissingField(&'static str),
    #[error("<{field}> holds `{value}`, which is not {expected}")]
    BadField {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("<{field}> is not a GB/T 28181 id: {error}")]
    BadId {
        field: &'static str,
        error: GbIdError,
    },
}

impl ManscdpError {
    /// A stable code for logs, counters and API errors.
    pub const fn code(&self) -> &'static str {
        match self {
            ManscdpError::TooLarge { .. } => "manscdp_too_large",
            ManscdpError::Empty => "manscdp_empty",
            ManscdpError::UnsupportedEncoding(_) => "manscdp_unsupported_encoding",
            ManscdpError::Undecodable => "manscdp_undecodable",
            ManscdpError::Malformed(_) => "manscdp_malformed_xml",
            ManscdpError::TooDeep { .. } => "manscdp_too_deep",
            ManscdpError::UnknownRoot(_) => "manscdp_unknown_root",
            ManscdpError::MissingField(_) => "manscdp_missing_field",
            ManscdpError::BadField { .. } => "manscdp_bad_field",
            ManscdpError::BadId { .. } => "manscdp_bad_id",
        }
    }
}

/// Untrusted text quoted in an error, cut short.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The body as text, and the character set it was read in.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<(String, Charset), ManscdpError> {
    if bytes.len() > limits.max_body_bytes {
        return Err(ManscdpError::TooLarge {
            len: bytes.len(),
            limit: limits.max_body_bytes,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ManscdpError::Empty);
    }
    let declared = match declared_encoding(bytes) {
        None => Charset::Utf8,
        Some(label) => match Encoding::for_label(label.as_bytes()) {
            Some(e) if e == UTF_8 => Charset::Utf8,
            Some(e) if e == GB18030 || e.name() == "GBK" => Charset::Gb18030,
            _ => return Err(ManscdpError::UnsupportedEncoding(excerpt(&label))),
        },
    };
    let text = match declared {
        Charset::Utf8 => std::str::from_utf8(bytes)
            .ok()
            .map(|t| (t.to_owned(), Charset::Utf8))
            .or_else(|| strict_gb18030(bytes).map(|t| (t, Charset::Gb18030))),
        Charset::Gb18030 => {
            // Nearly any UTF-8 Chinese also decodes as GB18030 (into other characters), so
            // a body declared GB that is valid UTF-8 is read as UTF-8 unless every
            // double-byte pair in it lies in GB2312's range, which UTF-8 continuation
            // bytes (0x80-0xBF) rarely all do. Real GB2312 text is never re-read.
            let utf8 = std::str::from_utf8(bytes).ok().filter(|t| !t.is_ascii());
            match (strict_gb18030(bytes), utf8) {
                (Some(gb), Some(_)) if within_gb2312(bytes) => Some((gb, Charset::Gb18030)),
                (_, Some(utf8)) => Some((utf8.to_owned(), Charset::Utf8)),
                (Some(gb), None) => Some((gb, Charset::Gb18030)),
                (None, None) => None,
            }
        }
    };
    text.ok_or(ManscdpError::Undecodable)
}

/// True when every non-ASCII byte belongs to a GB2312 double-byte pair (both bytes in
/// 0xA1-0xFE, the first at most 0xF7).
fn within_gb2312(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b if b.is_ascii() => i += 1,
            0xA1..=0xF7 if matches!(bytes.get(i + 1), Some(0xA1..=0xFE)) => i += 2,
            _ => return false,
        }
    }
    true
}

fn strict_gb18030(bytes: &[u8]) -> Option<String> {
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
}

/// The `encoding` pseudo-attribute of a leading `<?xml …?>` declaration. The declaration is
/// ASCII in every encoding accepted here, so it is read from the raw bytes.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = bytes[start..].strip_prefix(b"<?xml")?;
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    let at = decl.find("encoding")?;
    let after = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let after = after.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].trim().to_owned())
}

/// One XML element: its local name, text (trimmed, CDATA included) and children. Attributes
/// are read as children that come first: some devices (and the 2022 edition's examples)
/// write `<Notify CmdType="Keepalive" SN="7">`, which then reads like the child form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    fn new(name: String) -> Element {
        Element {
            name,
            text: String::new(),
            children: Vec::new(),
        }
    }

    /// The first child named `name` (ASCII case ignored: devices write `DeviceId` too).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The children named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// The text of the child `name`, when present and not blank.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }
}

fn malformed(e: impl std::fmt::Display) -> ManscdpError {
    ManscdpError::Malformed(excerpt(&e.to_string()))
}

/// Reads well-formed XML with one root element into a tree.
pub(crate) fn parse_xml(text: &str, limits: &Limits) -> Result<Element, ManscdpError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(ManscdpError::Malformed("more than one root element".into()));
            }
            Event::Start(e) => {
                if stack.len() >= limits.max_depth {
                    return Err(ManscdpError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                stack.push(element(&e)?);
            }
            Event::Empty(e) => {
                let el = element(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                let el = stack
                    .pop()
                    .ok_or_else(|| malformed("an end tag closes nothing"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let Some(open) = stack.last_mut() else {
                    return Err(malformed("text outside the root element"));
                };
                open.text.push_str(t.unescape().map_err(malformed)?.trim());
            }
            Event::CData(c) => {
                let Some(open) = stack.last_mut() else {
                    return Err(malformed("CDATA outside the root element"));
                };
                let bytes = c.into_inner();
                open.text
                    .push_str(std::str::from_utf8(&bytes).map_err(malformed)?.trim());
            }
            Event::DocType(_) => return Err(malformed("a DOCTYPE is not allowed")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("the body ends inside an element"));
    }
    root.ok_or_else(|| malformed("there is no root element"))
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Result<Element, ManscdpError> {
    let mut el = Element::new(utf8(e.local_name().as_ref())?);
    for a in e.attributes() {
        let a = a.map_err(malformed)?;
        let mut attr = Element::new(utf8(a.key.local_name().as_ref())?);
        attr.text = a.unescape_value().map_err(malformed)?.trim().to_owned();
        el.children.push(attr);
    }
    Ok(el)
}

fn utf8(bytes: &[u8]) -> Result<String, ManscdpError> {
    // The reader runs over a `&str`, so names are UTF-8; the check keeps this total.
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    fn text(bytes: &[u8]) -> Result<(String, Charset), ManscdpError> {
        decode(bytes, &Limits::default())
    }

    #[test]
    fn the_declared_encoding_decides_and_the_other_family_is_the_fallback() {
        let body =
            "<?xml version=\"1.0\" encoding=\"GB2312\"?>\n<Notify><Name>福田路口</Name></Notify>";
        assert_eq!(
            text(&gb(body)).unwrap(),
            (body.to_owned(), Charset::Gb18030)
        );
        // Declared GB2312, sent in UTF-8 (which would also decode as GB18030, wrongly).
        assert_eq!(
            text(body.as_bytes()).unwrap(),
            (body.to_owned(), Charset::Utf8)
        );
        // GB2312 that happens to be valid UTF-8 (学校 is D1A7 D0A3, "ѧУ" in UTF-8) stays GB.
        let school =
            "<?xml version=\"1.0\" encoding=\"GB2312\"?><Notify><Name>学校</Name></Notify>";
        assert!(std::str::from_utf8(&gb(school)).is_ok());
        assert_eq!(
            text(&gb(school)).unwrap(),
            (school.to_owned(), Charset::Gb18030)
        );
        // No declaration: UTF-8 first, GB18030 when the bytes are not UTF-8.
        let bare = "<Notify><Name>福田</Name></Notify>";
        assert_eq!(text(bare.as_bytes()).unwrap().1, Charset::Utf8);
        assert_eq!(
            text(&gb(bare)).unwrap(),
            (bare.to_owned(), Charset::Gb18030)
        );
        // The labels devices use.
        for label in ["gb2312", "GBK", "GB18030", "utf-8", "UTF8"] {
            let b = format!("<?xml version='1.0' encoding='{label}' ?><Notify/>");
            assert!(text(b.as_bytes()).is_ok(), "{label}");
        }
        // A UTF-8 byte order mark is dropped.
        assert_eq!(text(b"\xEF\xBB\xBF<a/>").unwrap().0, "<a/>");
    }

    #[test]
    fn bodies_that_cannot_be_read_are_refused() {
        let limits = Limits {
            max_body_bytes: 10,
            ..Limits::default()
        };
        let e = decode(b"<Notify></Notify>", &limits).unwrap_err();
        assert_eq!(e.code(), "manscdp_too_large");
        assert_eq!(text(b"  \r\n").unwrap_err().code(), "manscdp_empty");
        let latin = b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>";
        assert_eq!(
            text(latin).unwrap_err().code(),
            "manscdp_unsupported_encoding"
        );
        // 0xFF is valid in neither UTF-8 nor GB18030.
        assert_eq!(
            text(b"<a>\xFF</a>").unwrap_err().code(),
            "manscdp_undecodable"
        );
    }

    fn xml(s: &str) -> Result<Element, ManscdpError> {
        parse_xml(s, &Limits::default())
    }

    #[test]
    fn the_tree_keeps_names_and_trimmed_text() {
        let root = xml(
            "<Response>\r\n <DeviceList Num=\"2\">\r\n  <Item><Name> A &amp; B </Name></Item>\r\n  <Item><Name><![CDATA[<C>]]></Name></Item>\r\n </DeviceList>\r\n</Response>",
        )
        .unwrap();
        let list = root.child("devicelist").unwrap();
        let names: Vec<_> = list
            .children_named("Item")
            .map(|i| i.text_of("Name").unwrap())
            .collect();
        assert_eq!(names, ["A & B", "<C>"]);
    }

    #[test]
    fn malformed_xml_is_refused() {
        for bad in [
            "<Notify><SN>1</Notify>",
            "<Notify><SN>1</SN>",
            "<Notify/><Notify/>",
            "text<Notify/>",
            "<Notify a=1/>",
            "<Notify>&bogus;</Notify>",
            "<!DOCTYPE x [<!ENTITY e \"e\">]><Notify>&e;</Notify>",
            "",
        ] {
            let e = xml(bad).unwrap_err();
            assert_eq!(e.code(), "manscdp_malformed_xml", "{bad}: {e}");
        }
        let deep = format!("{}{}", "<a>".repeat(17), "</a>".repeat(17));
        assert_eq!(xml(&deep).unwrap_err().code(), "manscdp_too_deep");
    }

    #[test]
    fn errors_quote_little_of_what_they_were_sent() {
        let long = "x".repeat(1000);
        assert!(excerpt(&long).chars().count() <= 65);
        assert_eq!(excerpt("福田"), "福田");
    }
}
