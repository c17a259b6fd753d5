//! SIP on the wire: one message read from bytes (with `rsip`), checked for what the
//! platform needs, and the messages the platform sends, built from their parts.
//!
//! The parse is total: any byte string gives a [`Inbound`] or a [`WireError`] with a stable
//! code, and nothing here panics (the fuzz target `sip_wire` holds it to that).

use rsip::prelude::{HeadersExt, ToTypedHeader, UntypedHeader};
use rsip::{Header, Headers, Method, StatusCode};

/// The largest SIP message taken (a UDP datagram's payload; a TCP frame the same).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// Why bytes were not taken as a SIP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the message is larger than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("not a SIP message: {0}")]
    Malformed(String),
    #[error("the `{0}` header is missing or unreadable")]
    MissingHeader(&'static str),
}

impl WireError {
    pub const fn code(&self) -> &'static str {
        match self {
            WireError::TooLarge => "sip_too_large",
            WireError::Malformed(_) => "sip_malformed",
            WireError::MissingHeader(_) => "sip_missing_header",
        }
    }
}

/// A request, with the headers every transaction needs already read.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The user part of `From` (a GB/T 28181 device sends its own id there), unchecked.
    pub from_user: String,
    pub call_id: String,
    pub cseq: u32,
    pub raw: rsip::Request,
}

/// A response to something the platform sent.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub call_id: String,
    pub cseq_method: Method,
    /// The user part of `To`: the device the request went to.
    pub to_user: String,
    pub raw: rsip::Response,
}

/// A message as it came in.
#[derive(Debug, Clone)]
pub enum Inbound {
    Request(Request),
    Response(Response),
}

fn missing(name: &'static str) -> impl Fn(rsip::Error) -> WireError {
    move |_| WireError::MissingHeader(name)
}

fn user_of(uri: &rsip::Uri) -> String {
    uri.auth
        .as_ref()
        .map(|a| a.user.clone())
        .unwrap_or_default()
}

/// Reads one message.
pub fn parse(bytes: &[u8]) -> Result<Inbound, WireError> {
    if bytes.len() > MAX_MESSAGE {
        return Err(WireError::TooLarge);
    }
    let msg = rsip::SipMessage::try_from(bytes)
        .map_err(|e| WireError::Malformed(excerpt(&e.to_string())))?;
    match msg {
        rsip::SipMessage::Request(req) => {
            let from = req
                .from_header()
                .and_then(|h| h.typed())
                .map_err(missing("From"))?;
            let call_id = req.call_id_header().map_err(missing("Call-ID"))?;
            let cseq = req
                .cseq_header()
                .and_then(|h| h.typed())
                .map_err(missing("CSeq"))?;
            req.via_header().map_err(missing("Via"))?;
            Ok(Inbound::Request(Request {
                method: req.method,
                from_user: user_of(&from.uri),
                call_id: call_id.value().to_owned(),
                cseq: cseq.seq,
                raw: req,
            }))
        }
        rsip::SipMessage::Response(res) => {
            let to = res
                .to_header()
                .and_then(|h| h.typed())
                .map_err(missing("To"))?;
            let call_id = res.call_id_header().map_err(missing("Call-ID"))?;
            let cseq = res
                .cseq_header()
                .and_then(|h| h.typed())
                .map_err(missing("CSeq"))?;
            Ok(Inbound::Response(Response {
                status: res.status_code.code(),
                call_id: call_id.value().to_owned(),
                cseq_method: cseq.method,
                to_user: user_of(&to.uri),
                raw: res,
            }))
        }
    }
}

/// At most 120 characters of something a peer sent, for logs and error messages.
pub fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(120).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The `Expires` of a REGISTER: the header, else the Contact's `expires` parameter, else
/// the RFC 3261 default of one hour.
pub fn register_expires(req: &rsip::Request) -> Option<u32> {
    if let Some(e) = req.expires_header() {
        return e.seconds().ok();
    }
    let contact = req.contact_header().ok()?.typed().ok()?;
    contact
        .expires()
        .map(|e| e.seconds().ok())
        .unwrap_or(Some(3600))
}

/// The tag of a response's `To` (the device's side of a dialog).
pub fn to_tag(res: &rsip::Response) -> Option<String> {
    let to = res.to_header().ok()?.value().to_owned();
    let at = to.find(";tag=")? + 5;
    let tag: String = to[at..]
        .chars()
        .take_while(|c| *c != ';' && !c.is_whitespace())
        .collect();
    (!tag.is_empty()).then_some(tag)
}

/// The value of a header rsip does not type (`Authorization` is read by our digest code,
/// which also knows SHA-256).
pub fn authorization(req: &rsip::Request) -> Option<&str> {
    req.authorization_header().map(|h| h.value())
}

/// A response to `req`: its Via, From, Call-ID and CSeq copied, a tag added to To (the
/// platform's, stable per Call-ID so that retransmissions get the same), and `extra`.
pub fn response(req: &rsip::Request, status: u16, extra: Vec<Header>, body: Vec<u8>) -> Vec<u8> {
    let mut headers = Headers::default();
    for h in req.headers.iter() {
        match h {
            Header::Via(_) | Header::From(_) | Header::CallId(_) | Header::CSeq(_) => {
                headers.push(h.clone())
            }
            Header::To(to) => {
                let value = to.value();
                if value.contains(";tag=") {
                    headers.push(h.clone());
                } else {
                    let tag = tag_for(req);
                    headers.push(Header::To(rsip::headers::To::new(format!(
                        "{value};tag={tag}"
                    ))));
                }
            }
            _ => {}
        }
    }
    headers.push(Header::UserAgent(rsip::headers::UserAgent::new(
        "CityMirror",
    )));
    headers.extend(extra);
    headers.push(Header::ContentLength(rsip::headers::ContentLength::from(
        body.len() as u32,
    )));
    rsip::Response {
        status_code: StatusCode::Other(status, reason(status).into()),
        version: rsip::Version::V2,
        headers,
        body,
    }
    .into()
}

/// The RFC 3261 reason phrase (rsip's own display writes `BadRequest`).
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        488 => "Not Acceptable Here",
        500 => "Server Internal Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn tag_for(req: &rsip::Request) -> String {
    // FNV-1a of the Call-ID: the same dialog gets the same tag without keeping state.
    let id = req
        .call_id_header()
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:x}", h & 0xffff_ffff)
}

/// What the platform needs to address a request to a device.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub method: Method,
    /// `sip:DEVICE@DOMAIN`-style request target's user and host part.
    pub to_user: &'a str,
    pub to_host: &'a str,
    pub from_user: &'a str,
    pub from_host: &'a str,
    /// How our Via names us: `UDP 1.2.3.4:5060`.
    pub via: &'a str,
    pub call_id: &'a str,
    pub cseq: u32,
    /// The device's tag, inside a dialog (ACK, BYE).
    pub to_tag: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub extra: Vec<Header>,
    pub body: Vec<u8>,
}

/// Builds a request the platform sends (MESSAGE queries, INVITE, BYE).
pub fn request(o: Outgoing<'_>, branch: &str, tag: &str) -> Vec<u8> {
    let mut headers = Headers::default();
    headers.push(Header::Via(rsip::headers::Via::new(format!(
        "SIP/2.0/{};rport;branch=z9hG4bK{branch}",
        o.via
    ))));
    headers.push(Header::From(rsip::headers::From::new(format!(
        "<sip:{}@{}>;tag={tag}",
        o.from_user, o.from_host
    ))));
    let to_tag = o.to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
    headers.push(Header::To(rsip::headers::To::new(format!(
        "<sip:{}@{}>{to_tag}",
        o.to_user, o.to_host
    ))));
    headers.push(Header::CallId(rsip::headers::CallId::new(o.call_id)));
    headers.push(Header::CSeq(rsip::headers::CSeq::new(format!(
        "{} {}",
        o.cseq, o.method
    ))));
    headers.push(Header::MaxForwards(rsip::headers::MaxForwards::from(70u32)));
    headers.push(Header::UserAgent(rsip::headers::UserAgent::new(
        "CityMirror",
    )));
    headers.extend(o.extra);
    if let Some(ct) = o.content_type {
        headers.push(Header::ContentType(rsip::headers::ContentType::new(ct)));
    }
    headers.push(Header::ContentLength(rsip::headers::ContentLength::from(
        o.body.len() as u32,
    )));
    let uri = rsip::Uri::try_from(format!("sip:{}@{}", o.to_user, o.to_host).as_str())
        .unwrap_or_default();
    rsip::Request {
        method: o.method,
        uri,
        version: rsip::Version::V2,
        headers,
        body: o.body,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTER: &str = "REGISTER sip:44030400002000000001@4403040000 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.168.1.64:5060;rport;branch=z9hG4bK1\r\n\
        From: <sip:44030401001320000001@4403040000>;tag=abc\r\n\
        To: <sip:44030401001320000001@4403040000>\r\n\
        Call-ID: reg-1\r\n\
        CSeq: 1 REGISTER\r\n\
        Contact: <sip:44030401001320000001@192.168.1.64:5060>\r\n\
        Max-Forwards: 70\r\n\
        Expires: 3600\r\n\
        Content-Length: 0\r\n\r\n";

    #[test]
    fn a_register_reads_with_its_device_and_expiry() {
        let Inbound::Request(r) = parse(REGISTER.as_bytes()).unwrap() else {
            panic!("a request")
        };
        assert_eq!(r.method, Method::Register);
        assert_eq!(r.from_user, "44030401001320000001");
        assert_eq!((r.call_id.as_str(), r.cseq), ("reg-1", 1));
        assert_eq!(register_expires(&r.raw), Some(3600));
        assert_eq!(authorization(&r.raw), None);
    }

    #[test]
    fn the_answer_copies_the_transaction_and_tags_the_dialog() {
        let Inbound::Request(r) = parse(REGISTER.as_bytes()).unwrap() else {
            panic!("a request")
        };
        let out = response(&r.raw, 200, vec![], vec![]);
        let Inbound::Response(res) = parse(&out).unwrap() else {
            panic!("a response")
        };
        assert_eq!(res.status, 200);
        assert_eq!(res.call_id, "reg-1");
        assert_eq!(res.cseq_method, Method::Register);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("branch=z9hG4bK1"), "{text}");
        assert!(text.contains(";tag="), "{text}");
        // A retransmission gets the same tag.
        assert_eq!(out, response(&r.raw, 200, vec![], vec![]));
    }

    #[test]
    fn what_is_not_sip_is_refused_with_a_code() {
        assert_eq!(parse(b"hello").unwrap_err().code(), "sip_malformed");
        assert_eq!(
            parse(&vec![b'x'; MAX_MESSAGE + 1]).unwrap_err().code(),
            "sip_too_large"
        );
        let no_from = REGISTER.replace(
            "From: <sip:44030401001320000001@4403040000>;tag=abc\r\n",
            "",
        );
        assert_eq!(
            parse(no_from.as_bytes()).unwrap_err().code(),
            "sip_missing_header"
        );
    }

    #[test]
    fn a_request_built_here_reads_back() {
        let bytes = request(
            Outgoing {
                method: Method::Message,
                to_user: "44030401001320000001",
                to_host: "4403040000",
                from_user: "44030400002000000001",
                from_host: "4403040000",
                via: "UDP 127.0.0.1:5060",
                call_id: "q-1",
                cseq: 20,
                to_tag: None,
                content_type: Some("Application/MANSCDP+xml"),
                extra: vec![],
                body: b"<Query/>".to_vec(),
            },
            "b1",
            "t1",
        );
        let Inbound::Request(r) = parse(&bytes).unwrap() else {
            panic!("a request")
        };
        assert_eq!(r.method, Method::Message);
        assert_eq!(r.from_user, "44030400002000000001");
        assert_eq!(r.cseq, 20);
        assert_eq!(r.raw.body, b"<Query/>");
    }
}
