//! 智眼 — video networking. This crate is the pure core of the GB/T 28181 platform side:
//! the rules a SIP video platform applies to what devices send it, with no sockets, no
//! clocks (every function that needs the time takes `now`), no HTTP and no SQL.
//!
//! - [`id`]: the 20-digit GB/T 28181 code, parsed into its parts (centre, industry, type,
//!   network, serial) and checked at the door.
//! - [`digest`]: SIP digest authentication of REGISTER (MD5, SHA-256), and the nonces.
//! - [`presence`]: online and offline per device, from REGISTER, Keepalive, any other
//!   message and the passing of time, tolerant of how real devices misbehave.
//! - [`manscdp`]: the XML bodies (GB2312/GB18030/UTF-8): Keepalive, Catalog (assembled
//!   from its pages), DeviceInfo, DeviceStatus; the platform's queries and PTZ control.
//!
//! # Layering
//!
//! ```text
//!  UDP/TCP socket ─► SIP edge (binary/http side, later: rsip parsing, transactions, dialogs)
//!     REGISTER ─► digest::Credentials::parse ─► digest::authenticate (NonceBook) ─► presence
//!     MESSAGE  ─► manscdp::Message::parse ─► presence (sign of life), CatalogAssembler
//!     ◄── manscdp::render_query / render_ptz ── the registry and the operators
//!  RTP/PS media (later, at the edge) ─► H.264/H.265 access units ─► analysis
//! ```
//!
//! The SIP transport and message parsing (`rsip`), INVITE/SDP, RTP receiving and PS
//! demultiplexing, the device and channel registry on the twin, alarm subscription, stream
//! tasks, the analysis scheduler and the algorithm library are not built yet; they will sit
//! on this crate, the transport and media parts in the binary's edge.
//!
//! # Example
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use citymirror_video::digest::{self, Challenge, Credentials, NonceBook, NoncePolicy};
//! use citymirror_video::id::{GbId, TypeCode};
//! use citymirror_video::manscdp::Message;
//! use citymirror_video::presence::{Heard, PresencePolicy, PresenceTracker};
//!
//! let now = Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap();
//! let camera: GbId = "44030400001320000001".parse().unwrap();
//! assert_eq!(camera.type_code(), TypeCode::IPC);
//!
//! // REGISTER: challenge, answer, check.
//! let mut nonces = NonceBook::new(NoncePolicy::default());
//! let nonce = nonces.issue(now, [42; 16]).unwrap();
//! let challenge = Challenge::new("4403040000", nonce);
//! let uri = "sip:44030400002000000001@4403040000";
//! let answer = Credentials::answer(&challenge, camera.as_str(), "pw", "REGISTER", uri, "c1", 1);
//! let creds = Credentials::parse(&answer.to_header_value()).unwrap();
//! digest::authenticate(&creds, "REGISTER", "4403040000", "pw", &mut nonces, now).unwrap();
//!
//! // The device is online; its Keepalive keeps it so.
//! let mut presence = PresenceTracker::new(PresencePolicy::default());
//! presence.heard(camera, Heard::Register { expires: 3600 }, now);
//! let body = b"<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n\
//!     <SN>1</SN>\r\n<DeviceID>44030400001320000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>";
//! let Message::Keepalive(k) = Message::parse(body).unwrap() else { unreachable!() };
//! presence.heard(k.header.device_id, Heard::Keepalive, now);
//! assert_eq!(presence.online_count(), 1);
//! ```

pub mod digest;
pub mod id;
pub mod manscdp;
pub mod media;
pub mod presence;
pub mod registry;

pub use id::{GbId, GbIdError, TypeCode};
