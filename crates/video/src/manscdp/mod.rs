//! MANSCDP (`Application/MANSCDP+xml`), the XML bodies of GB/T 28181 MESSAGEs: what devices
//! send (Keepalive, the answers to Catalog, DeviceInfo and DeviceStatus), what the platform
//! sends (those queries, and DeviceControl with a PTZ command), and the assembly of a
//! catalog that arrives in pages.
//!
//! ```text
//!  bytes ─► body: size limit, charset (GB2312/GB18030/UTF-8), well-formed XML ─► Element
//!        ─► message: root + CmdType ─► Keepalive | CatalogResponse | DeviceInfo | DeviceStatus
//!        ─► catalog: pages per (device, SN) until SumNum ─► Catalog
//!  query: render_query / render_ptz (ptz: the 8-byte command with its checks)
//! ```

mod body;
mod catalog;
mod message;
mod ptz;
mod query;

pub use body::{decode, Charset, Limits, ManscdpError};
pub use catalog::{
    AssemblyLimits, Catalog, CatalogAssembler, CatalogId, CatalogItem, CatalogResponse,
    RejectedItem,
};
pub use message::{
    AlarmState, DeviceInfo, DeviceStatus, DutyStatus, Header, Keepalive, Message, Outcome, Root,
};
pub use ptz::{Focus, Iris, Pan, PresetAction, PtzCmd, PtzError, Tilt, Zoom};
pub use query::{render_ptz, render_query, QueryKind, CONTENT_TYPE};
