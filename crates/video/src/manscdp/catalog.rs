//! The Catalog answer (A.2.6.4) and its assembly. A device answers one Catalog query with
//! several MESSAGEs, each a `DeviceList` page of a few items, all with the query's `SN` and
//! the total in `SumNum`; the [`CatalogAssembler`] collects the pages per (device, SN) until
//! `SumNum` items have arrived, or until the device falls silent.
//!
//! Items are channels (cameras), but also the directory nodes of the tree: administrative
//! regions named by a 2-, 4-, 6- or 8-digit civil code, business groups (215) and virtual
//! organisations (216). `ParentID` links them; with virtual organisations it may be a path
//! of ids separated by `/`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};

use super::body::{Element, ManscdpError};
use super::message::{lenient, number, on_off, text, Header};
use crate::id::GbId;

/// The id of a catalog item: a GB/T 28181 code, or a civil (administrative region) code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CatalogId {
    Code(GbId),
    /// A GB/T 2260 region code of 2, 4, 6 or 8 digits (province … base unit).
    Civil(String),
}

impl CatalogId {
    pub fn parse(s: &str) -> Result<CatalogId, ManscdpError> {
        let s = s.trim();
        if matches!(s.len(), 2 | 4 | 6 | 8) && s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(CatalogId::Civil(s.to_owned()));
        }
        GbId::parse(s)
            .map(CatalogId::Code)
            .map_err(|error| ManscdpError::BadId {
                field: "DeviceID",
                error,
            })
    }

    pub fn as_str(&self) -> &str {
        match self {
            CatalogId::Code(id) => id.as_str(),
            CatalogId::Civil(code) => code,
        }
    }
}

/// One `Item` of a `DeviceList` (A.2.1.9 itemType), as far as the platform uses it.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogItem {
    pub id: CatalogId,
    pub name: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub owner: Option<String>,
    /// 行政区域: the civil code of the region the item is in.
    pub civil_code: Option<String>,
    /// 警区.
    pub block: Option<String>,
    /// Where it is installed.
    pub address: Option<String>,
    /// Whether it has children (`Parental` 1/0).
    pub parental: Option<bool>,
    /// `ParentID` as sent: an id, or ids separated by `/`; see [`CatalogItem::parents`].
    pub parent_id: Option<String>,
    /// The business group a virtual organisation belongs to (`BusinessGroupID`).
    pub business_group_id: Option<String>,
    /// 1: per RFC 3261 (default), 2: by password, 3: by certificate.
    pub register_way: Option<u8>,
    /// 0 not secret, 1 secret.
    pub secrecy: Option<u8>,
    pub ip_address: Option<String>,
    pub port: Option<u16>,
    /// `ON`/`OFF`: whether the channel works.
    pub online: Option<bool>,
    /// WGS84, as the device says; `None` when missing, unreadable or out of range.
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// `Info/PTZType`: 1 dome, 2 half-dome, 3 fixed box camera, 4 remote-controlled fixed.
    pub ptz_type: Option<u8>,
}

impl CatalogItem {
    fn read(item: &Element) -> Result<CatalogItem, ManscdpError> {
        let id = CatalogId::parse(
            item.text_of("DeviceID")
                .ok_or(ManscdpError::MissingField("DeviceID"))?,
        )?;
        let coordinate = |name, limit: f64| {
            lenient::<f64>(item, name).filter(|v| v.is_finite() && v.abs() <= limit)
        };
        Ok(CatalogItem {
            id,
            name: text(item, "Name"),
            manufacturer: text(item, "Manufacturer"),
            model: text(item, "Model"),
            owner: text(item, "Owner"),
            civil_code: text(item, "CivilCode"),
            block: text(item, "Block"),
            address: text(item, "Address"),
            parental: lenient::<u8>(item, "Parental").map(|p| p != 0),
            parent_id: text(item, "ParentID"),
            business_group_id: text(item, "BusinessGroupID"),
            register_way: lenient(item, "RegisterWay"),
            secrecy: lenient(item, "Secrecy"),
            ip_address: text(item, "IPAddress"),
            port: lenient(item, "Port"),
            online: on_off(item, "Status"),
            longitude: coordinate("Longitude", 180.0),
            latitude: coordinate("Latitude", 90.0),
            ptz_type: item.child("Info").and_then(|i| lenient(i, "PTZType")),
        })
    }

    /// The parents named by `ParentID`, nearest last; parts that are not ids are skipped.
    pub fn parents(&self) -> Vec<CatalogId> {
        self.parent_id
            .as_deref()
            .unwrap_or("")
            .split('/')
            .filter_map(|p| CatalogId::parse(p).ok())
            .collect()
    }
}

/// An item the platform could not read (its `DeviceID` is missing or not an id).
#[derive(Clone, Debug, PartialEq)]
pub struct RejectedItem {
    /// Its position in the page, from 0.
    pub index: usize,
    pub error: ManscdpError,
}

/// One page of a Catalog answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogResponse {
    pub header: Header,
    /// How many items the whole answer has.
    pub sum_num: u32,
    pub items: Vec<CatalogItem>,
    pub rejected: Vec<RejectedItem>,
}

impl CatalogResponse {
    pub(crate) fn read(header: Header, root: &Element) -> Result<CatalogResponse, ManscdpError> {
        let sum_num =
            number(root, "SumNum", "a count")?.ok_or(ManscdpError::MissingField("SumNum"))?;
        let mut items = Vec::new();
        let mut rejected = Vec::new();
        let pages = root.children_named("DeviceList");
        for (index, item) in pages.flat_map(|l| l.children_named("Item")).enumerate() {
            match CatalogItem::read(item) {
                Ok(i) => items.push(i),
                Err(error) => rejected.push(RejectedItem { index, error }),
            }
        }
        Ok(CatalogResponse {
            header,
            sum_num,
            items,
            rejected,
        })
    }
}

/// Bounds on catalog assembly.
#[derive(Clone, Debug)]
pub struct AssemblyLimits {
    /// Catalogs being collected at once; beyond, the one idle longest is dropped.
    pub max_pending: usize,
    /// Items kept per catalog; beyond, items are counted but not kept.
    pub max_items: usize,
    /// A catalog whose device sent nothing for this long is given up (returned incomplete).
    pub idle_timeout: TimeDelta,
}

impl Default for AssemblyLimits {
    fn default() -> AssemblyLimits {
        AssemblyLimits {
            max_pending: 1024,
            max_items: 200_000,
            idle_timeout: TimeDelta::seconds(30),
        }
    }
}

/// A whole Catalog answer (or as much as arrived).
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    pub device: GbId,
    pub sn: u32,
    pub sum_num: u32,
    /// The items, first arrival of each id kept, in arrival order.
    pub items: Vec<CatalogItem>,
    /// Items that could not be read.
    pub rejected: usize,
    /// Items beyond `max_items`, counted and not kept.
    pub dropped: usize,
    /// All `SumNum` items arrived.
    pub complete: bool,
}

struct Pending {
    sum_num: u32,
    items: Vec<CatalogItem>,
    seen: HashSet<CatalogId>,
    rejected: usize,
    dropped: usize,
    last_heard: DateTime<Utc>,
}

impl Pending {
    fn received(&self) -> usize {
        self.items.len() + self.rejected + self.dropped
    }

    fn finish(self, (device, sn): (GbId, u32), complete: bool) -> Catalog {
        Catalog {
            device,
            sn,
            sum_num: self.sum_num,
            items: self.items,
            rejected: self.rejected,
            dropped: self.dropped,
            complete,
        }
    }
}

/// Collects Catalog pages into catalogs, per (device, SN).
pub struct CatalogAssembler {
    limits: AssemblyLimits,
    pending: HashMap<(GbId, u32), Pending>,
    evicted: u64,
}

impl std::fmt::Debug for CatalogAssembler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogAssembler")
            .field("limits", &self.limits)
            .field("pending", &self.pending.len())
            .field("evicted", &self.evicted)
            .finish()
    }
}

impl CatalogAssembler {
    pub fn new(limits: AssemblyLimits) -> CatalogAssembler {
        CatalogAssembler {
            limits,
            pending: HashMap::new(),
            evicted: 0,
        }
    }

    /// Adds a page; returns the catalog when this page completes it. A page repeated (a UDP
    /// retransmission) adds nothing: items are kept by id, first arrival wins.
    pub fn add(&mut self, page: CatalogResponse, now: DateTime<Utc>) -> Option<Catalog> {
        let key = (page.header.device_id, page.header.sn);
        if !self.pending.contains_key(&key) && self.pending.len() >= self.limits.max_pending.max(1)
        {
            self.evict_idlest();
        }
        let p = self.pending.entry(key).or_insert_with(|| Pending {
            sum_num: page.sum_num,
            items: Vec::new(),
            seen: HashSet::new(),
            rejected: 0,
            dropped: 0,
            last_heard: now,
        });
        p.last_heard = now;
        p.rejected += page.rejected.len();
        for item in page.items {
            if p.seen.contains(&item.id) {
                continue;
            }
            if p.items.len() >= self.limits.max_items {
                p.dropped += 1;
                continue;
            }
            p.seen.insert(item.id.clone());
            p.items.push(item);
        }
        if p.received() < p.sum_num as usize {
            return None;
        }
        let done = self.pending.remove(&key).expect("just used");
        Some(done.finish(key, true))
    }

    /// Gives up the catalogs whose device has been silent for `idle_timeout`, returning
    /// what arrived of them.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Catalog> {
        let timeout = self.limits.idle_timeout;
        let stale: Vec<_> = self
            .pending
            .iter()
            .filter(|(_, p)| now - p.last_heard >= timeout)
            .map(|(k, _)| *k)
            .collect();
        let mut out: Vec<Catalog> = stale
            .into_iter()
            .filter_map(|k| self.pending.remove(&k).map(|p| p.finish(k, false)))
            .collect();
        out.sort_by_key(|c| (c.device, c.sn));
        out
    }

    /// Catalogs being collected.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Catalogs dropped unfinished because too many were being collected.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    fn evict_idlest(&mut self) {
        let idlest = self
            .pending
            .iter()
            .min_by_key(|(k, p)| (p.last_heard, **k))
            .map(|(k, _)| *k);
        if let Some(k) = idlest {
            self.pending.remove(&k);
            self.evicted += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manscdp::Message;
    use chrono::TimeZone;
    use encoding_rs::GB18030;

    const NVR: &str = "44030400001180000001";

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn item(id: &str, name: &str) -> String {
        format!(
            "<Item>\r\n<DeviceID>{id}</DeviceID>\r\n<Name>{name}</Name>\r\n<Manufacturer>Hikvision</Manufacturer>\r\n\
             <Model>IP Camera</Model>\r\n<Owner>Owner</Owner>\r\n<CivilCode>440304</CivilCode>\r\n<Address>福田区</Address>\r\n\
             <Parental>0</Parental>\r\n<ParentID>{NVR}</ParentID>\r\n<SafetyWay>0</SafetyWay>\r\n<RegisterWay>1</RegisterWay>\r\n\
             <Secrecy>0</Secrecy>\r\n<Status>ON</Status>\r\n<Longitude>114.0579</Longitude>\r\n<Latitude>22.5431</Latitude>\r\n\
             <Info>\r\n<PTZType>1</PTZType>\r\n</Info>\r\n</Item>\r\n"
        )
    }

    /// A page as an NVR sends it, GB2312-declared and encoded.
    fn page(sn: u32, sum: u32, items: &[String]) -> Vec<u8> {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>\r\n<SN>{sn}</SN>\r\n\
             <DeviceID>{NVR}</DeviceID>\r\n<SumNum>{sum}</SumNum>\r\n<DeviceList Num=\"{}\">\r\n{}</DeviceList>\r\n</Response>\r\n",
            items.len(),
            items.concat()
        );
        GB18030.encode(&body).0.into_owned()
    }

    fn response(bytes: &[u8]) -> CatalogResponse {
        match Message::parse(bytes).unwrap() {
            Message::Catalog(c) => c,
            other => panic!("{other:?}"),
        }
    }

    fn channel(n: u32) -> String {
        format!("4403040000131000{n:04}")
    }

    #[test]
    fn a_catalog_page_reads_every_field_the_platform_uses() {
        let c = response(&page(17430, 1, &[item(&channel(1), "福田路口东")]));
        assert_eq!(c.header.sn, 17430);
        assert_eq!(c.sum_num, 1);
        let i = &c.items[0];
        assert_eq!(i.id.as_str(), channel(1));
        assert_eq!(i.name.as_deref(), Some("福田路口东"));
        assert_eq!(i.address.as_deref(), Some("福田区"));
        assert_eq!(i.civil_code.as_deref(), Some("440304"));
        assert_eq!(i.parental, Some(false));
        assert_eq!(i.parents(), [CatalogId::Code(NVR.parse().unwrap())]);
        assert_eq!(i.online, Some(true));
        assert_eq!((i.longitude, i.latitude), (Some(114.0579), Some(22.5431)));
        assert_eq!(
            (i.register_way, i.secrecy, i.ptz_type),
            (Some(1), Some(0), Some(1))
        );
    }

    #[test]
    fn directory_items_carry_civil_codes_and_paths() {
        let items = [
            "<Item><DeviceID>440304</DeviceID><Name>福田区</Name></Item>".to_owned(),
            "<Item><DeviceID>44030400002160000001</DeviceID><Name>华富街道</Name><ParentID>44030400002150000001/44030400002160000000</ParentID>\
             <BusinessGroupID>44030400002150000001</BusinessGroupID></Item>"
                .to_owned(),
            "<Item><DeviceID>44030400001310000009</DeviceID><Status>OFF</Status><Longitude>abc</Longitude><Latitude>91</Latitude></Item>"
                .to_owned(),
            "<Item><DeviceID>4403040</DeviceID></Item>".to_owned(),
            "<Item><Name>no id</Name></Item>".to_owned(),
        ];
        let c = response(&page(1, 5, &items));
        assert_eq!(c.items[0].id, CatalogId::Civil("440304".into()));
        assert_eq!(c.items[1].parents().len(), 2);
        assert_eq!(
            c.items[1].business_group_id.as_deref(),
            Some("44030400002150000001")
        );
        // Unreadable optional fields are absent, not fatal.
        assert_eq!(c.items[2].online, Some(false));
        assert_eq!((c.items[2].longitude, c.items[2].latitude), (None, None));
        // Items without a usable id are counted, with where and why.
        assert_eq!(c.rejected.len(), 2);
        assert_eq!(c.rejected[0].index, 3);
        assert_eq!(c.rejected[1].error, ManscdpError::MissingField("DeviceID"));
    }

    #[test]
    fn a_catalog_without_sumnum_is_refused() {
        let body = format!(
            "<Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>{NVR}</DeviceID><DeviceList Num=\"0\"></DeviceList></Response>"
        );
        assert_eq!(
            Message::parse(body.as_bytes()).unwrap_err().code(),
            "manscdp_missing_field"
        );
    }

    #[test]
    fn pages_are_assembled_until_sumnum_items_arrived() {
        let mut a = CatalogAssembler::new(AssemblyLimits::default());
        let items: Vec<String> = (1..=5)
            .map(|n| item(&channel(n), &format!("通道{n}")))
            .collect();
        assert_eq!(a.add(response(&page(9, 5, &items[..2])), t(0)), None);
        // A retransmitted page adds nothing.
        assert_eq!(a.add(response(&page(9, 5, &items[..2])), t(1)), None);
        assert_eq!(a.add(response(&page(9, 5, &items[2..4])), t(1)), None);
        // A page of another query (SN) is kept apart.
        assert_eq!(a.add(response(&page(10, 5, &items[..1])), t(1)), None);
        assert_eq!(a.pending(), 2);
        let done = a.add(response(&page(9, 5, &items[4..])), t(2)).unwrap();
        assert!(done.complete);
        assert_eq!((done.sn, done.sum_num, done.items.len()), (9, 5, 5));
        let names: Vec<_> = done.items.iter().map(|i| i.name.clone().unwrap()).collect();
        assert_eq!(names, ["通道1", "通道2", "通道3", "通道4", "通道5"]);
        assert_eq!(a.pending(), 1);
    }

    #[test]
    fn an_empty_catalog_is_complete_at_once() {
        let mut a = CatalogAssembler::new(AssemblyLimits::default());
        let done = a.add(response(&page(1, 0, &[])), t(0)).unwrap();
        assert!(done.complete && done.items.is_empty());
    }

    #[test]
    fn a_device_that_falls_silent_yields_what_arrived() {
        let mut a = CatalogAssembler::new(AssemblyLimits::default());
        a.add(response(&page(9, 3, &[item(&channel(1), "a")])), t(0));
        assert_eq!(a.expire(t(29)), vec![]);
        let partial = a.expire(t(30));
        assert_eq!(partial.len(), 1);
        assert!(!partial[0].complete);
        assert_eq!(partial[0].items.len(), 1);
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn assembly_is_bounded() {
        let mut a = CatalogAssembler::new(AssemblyLimits {
            max_pending: 2,
            max_items: 2,
            idle_timeout: TimeDelta::seconds(30),
        });
        // A page claiming a billion items keeps at most two.
        let items: Vec<String> = (1..=3).map(|n| item(&channel(n), "x")).collect();
        a.add(response(&page(1, 1_000_000_000, &items)), t(0));
        a.add(response(&page(2, 9, &items[..1])), t(1));
        a.add(response(&page(3, 9, &items[..1])), t(2));
        assert_eq!((a.pending(), a.evicted()), (2, 1), "the idlest (SN 1) went");
        let left = a.expire(t(100));
        assert_eq!(left.iter().map(|c| c.sn).collect::<Vec<_>>(), [2, 3]);

        let done = CatalogAssembler::new(AssemblyLimits {
            max_items: 2,
            ..AssemblyLimits::default()
        })
        .add(response(&page(4, 3, &items)), t(0))
        .unwrap();
        assert_eq!(
            (done.items.len(), done.dropped, done.complete),
            (2, 1, true)
        );
    }
}
