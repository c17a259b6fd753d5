//! The device and channel registry: every GB/T 28181 device the platform admits, the
//! channels under it, and where each stands (online, last Keepalive, stream state).
//!
//! It starts from the twin's cameras (each generated camera is an IPC: a device that is its
//! own channel, placed where the camera is) and learns the rest from the devices: their
//! presence from the SIP edge, their channels from Catalog, their make from DeviceInfo. The
//! edge writes it; the HTTP API and the map read it. Readers get copies ([`DeviceView`],
//! [`ChannelView`]), so a slow reader never holds the edge up for more than one copy.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use chrono::{DateTime, Utc};

use crate::id::GbId;
use crate::manscdp::{Catalog, CatalogId, DeviceInfo};
use crate::presence::DevicePresence;

/// A camera of the twin, as the registry is seeded with it.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraSeed {
    pub id: GbId,
    pub name: String,
    /// The twin feature it is (its id in the cameras layer).
    pub feature: i64,
    /// WGS84 longitude and latitude.
    pub position: (f64, f64),
    /// The grid it is in: the key jurisdictions are checked by.
    pub grid_code: String,
}

/// Whether a channel's video is flowing to the platform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StreamState {
    #[default]
    Idle,
    /// INVITE sent, no answer yet.
    Inviting,
    /// Media is arriving.
    Live,
}

impl StreamState {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamState::Idle => "idle",
            StreamState::Inviting => "inviting",
            StreamState::Live => "live",
        }
    }
}

/// A device, as the API shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceView {
    pub id: GbId,
    pub name: String,
    pub grid_code: Option<String>,
    pub position: Option<(f64, f64)>,
    /// `None` until the device first registers.
    pub presence: Option<DevicePresence>,
    /// Where its signalling comes from (`udp:1.2.3.4:5060`, `tcp:…`).
    pub transport: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub channels: usize,
    pub catalog_at: Option<DateTime<Utc>>,
}

impl DeviceView {
    pub fn online(&self) -> bool {
        self.presence.is_some_and(|p| p.online)
    }
}

/// A channel (a video source under a device), as the API shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelView {
    pub id: GbId,
    pub device: GbId,
    pub name: String,
    /// The twin camera it is, when it is one.
    pub feature: Option<i64>,
    pub position: Option<(f64, f64)>,
    pub grid_code: Option<String>,
    /// What the device last said of it in its catalog (`Status` ON/OFF).
    pub reported_on: Option<bool>,
    /// Its directory in the device's catalog (`ParentID`, first id).
    pub parent: Option<String>,
    pub stream: StreamState,
}

/// Counts for the overview.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub devices: usize,
    pub registered: usize,
    pub online: usize,
    pub channels: usize,
    pub live: usize,
}

#[derive(Default)]
struct Inner {
    devices: HashMap<GbId, DeviceView>,
    /// Channel id → channel; the channels of one device are found through `by_device`.
    channels: HashMap<GbId, ChannelView>,
    by_device: HashMap<GbId, Vec<GbId>>,
}

/// The registry, shared between the edge (writes) and the API (reads).
#[derive(Default)]
pub struct Registry {
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("counts", &self.counts())
            .finish()
    }
}

impl Registry {
    /// A registry of the twin's cameras, each an IPC that is its own channel.
    pub fn from_cameras(cameras: impl IntoIterator<Item = CameraSeed>) -> Registry {
        let r = Registry::default();
        {
            let mut g = r.write();
            for c in cameras {
                g.devices.insert(
                    c.id,
                    DeviceView {
                        id: c.id,
                        name: c.name.clone(),
                        grid_code: Some(c.grid_code.clone()),
                        position: Some(c.position),
                        presence: None,
                        transport: None,
                        manufacturer: None,
                        model: None,
                        firmware: None,
                        channels: 1,
                        catalog_at: None,
                    },
                );
                g.by_device.insert(c.id, vec![c.id]);
                g.channels.insert(
                    c.id,
                    ChannelView {
                        id: c.id,
                        device: c.id,
                        name: c.name,
                        feature: Some(c.feature),
                        position: Some(c.position),
                        grid_code: Some(c.grid_code),
                        reported_on: None,
                        parent: None,
                        stream: StreamState::Idle,
                    },
                );
            }
        }
        r
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Is this a device the platform knows?
    pub fn knows(&self, device: &GbId) -> bool {
        self.read().devices.contains_key(device)
    }

    /// Admits a device that is not a twin camera (an NVR, or any device when the edge
    /// admits every id of its domain). Does nothing for a known one.
    pub fn admit(&self, device: GbId) {
        let mut g = self.write();
        g.devices.entry(device).or_insert_with(|| DeviceView {
            id: device,
            name: device.as_str().to_owned(),
            grid_code: None,
            position: None,
            presence: None,
            transport: None,
            manufacturer: None,
            model: None,
            firmware: None,
            channels: 0,
            catalog_at: None,
        });
    }

    /// Records where a device stands and where it signals from.
    pub fn set_presence(&self, device: &GbId, presence: DevicePresence, transport: Option<String>) {
        let mut g = self.write();
        if let Some(d) = g.devices.get_mut(device) {
            d.presence = Some(presence);
            if transport.is_some() {
                d.transport = transport;
            }
        }
    }

    /// Takes in a whole (or given-up) catalog: its items that are channels are added under
    /// the device or updated; directories are not channels and are skipped.
    pub fn apply_catalog(&self, catalog: &Catalog, now: DateTime<Utc>) -> usize {
        let mut g = self.write();
        let Some(parent_grid) = g.devices.get(&catalog.device).map(|d| d.grid_code.clone()) else {
            return 0;
        };
        let mut added = 0;
        for item in &catalog.items {
            let CatalogId::Code(id) = &item.id else {
                continue;
            };
            if !id.type_code().is_front_end() && *id != catalog.device {
                continue;
            }
            let parent = item.parents().first().map(|p| p.as_str().to_owned());
            match g.channels.get_mut(id) {
                Some(c) => {
                    c.reported_on = item.online;
                    if let Some(n) = &item.name {
                        if c.feature.is_none() {
                            c.name.clone_from(n);
                        }
                    }
                    c.parent = parent;
                }
                None => {
                    g.channels.insert(
                        *id,
                        ChannelView {
                            id: *id,
                            device: catalog.device,
                            name: item.name.clone().unwrap_or_else(|| id.as_str().to_owned()),
                            feature: None,
                            position: None,
                            grid_code: parent_grid.clone(),
                            reported_on: item.online,
                            parent,
                            stream: StreamState::Idle,
                        },
                    );
                    g.by_device.entry(catalog.device).or_default().push(*id);
                    added += 1;
                }
            }
        }
        let n = g.by_device.get(&catalog.device).map_or(0, Vec::len);
        if let Some(d) = g.devices.get_mut(&catalog.device) {
            d.channels = n;
            d.catalog_at = Some(now);
        }
        added
    }

    /// Takes in a DeviceInfo answer.
    pub fn apply_device_info(&self, info: &DeviceInfo) {
        let mut g = self.write();
        if let Some(d) = g.devices.get_mut(&info.header.device_id) {
            d.manufacturer.clone_from(&info.manufacturer);
            d.model.clone_from(&info.model);
            d.firmware.clone_from(&info.firmware);
            if let (Some(name), None) = (&info.device_name, &d.position) {
                d.name.clone_from(name);
            }
        }
    }

    /// Sets a channel's stream state; false when there is no such channel.
    pub fn set_stream(&self, channel: &GbId, state: StreamState) -> bool {
        match self.write().channels.get_mut(channel) {
            Some(c) => {
                c.stream = state;
                true
            }
            None => false,
        }
    }

    pub fn device(&self, id: &GbId) -> Option<DeviceView> {
        self.read().devices.get(id).cloned()
    }

    pub fn channel(&self, id: &GbId) -> Option<ChannelView> {
        self.read().channels.get(id).cloned()
    }

    /// The channels under a device, in catalog order.
    pub fn channels_of(&self, device: &GbId) -> Vec<ChannelView> {
        let g = self.read();
        g.by_device
            .get(device)
            .map(|ids| {
                ids.iter()
                    .filter_map(|i| g.channels.get(i).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every device `keep` accepts, ordered by id.
    pub fn devices(&self, mut keep: impl FnMut(&DeviceView) -> bool) -> Vec<DeviceView> {
        let g = self.read();
        let sorted: BTreeMap<&GbId, &DeviceView> =
            g.devices.iter().filter(|(_, d)| keep(d)).collect();
        sorted.into_values().cloned().collect()
    }

    pub fn counts(&self) -> Counts {
        let g = self.read();
        Counts {
            devices: g.devices.len(),
            registered: g.devices.values().filter(|d| d.presence.is_some()).count(),
            online: g.devices.values().filter(|d| d.online()).count(),
            channels: g.channels.len(),
            live: g
                .channels
                .values()
                .filter(|c| c.stream == StreamState::Live)
                .count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::manscdp::{AssemblyLimits, CatalogAssembler, Message};

    fn camera(serial: u32) -> CameraSeed {
        CameraSeed {
            id: format!("440304010013200{serial:05}").parse().unwrap(),
            name: format!("福华路{serial}号"),
            feature: i64::from(serial),
            position: (114.05, 22.53),
            grid_code: "440304001001001".into(),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap()
    }

    fn catalog(device: &str, items: &[(&str, &str)]) -> Catalog {
        let list: String = items
            .iter()
            .map(|(id, status)| {
                format!("<Item><DeviceID>{id}</DeviceID><Name>通道{id}</Name><Status>{status}</Status></Item>")
            })
            .collect();
        let body = format!(
            "<Response><CmdType>Catalog</CmdType><SN>3</SN><DeviceID>{device}</DeviceID>\
             <SumNum>{}</SumNum><DeviceList Num=\"{}\">{list}</DeviceList></Response>",
            items.len(),
            items.len()
        );
        let Message::Catalog(page) = Message::parse(body.as_bytes()).unwrap() else {
            panic!("not a catalog")
        };
        CatalogAssembler::new(AssemblyLimits::default())
            .add(page, now())
            .expect("one page is the whole catalog")
    }

    #[test]
    fn twin_cameras_are_known_devices_that_are_their_own_channel() {
        let r = Registry::from_cameras([camera(1), camera(2)]);
        let id = camera(1).id;
        assert!(r.knows(&id));
        assert!(!r.knows(&"44030401001320099999".parse().unwrap()));
        let chans = r.channels_of(&id);
        assert_eq!(chans.len(), 1);
        assert_eq!(chans[0].feature, Some(1));
        assert_eq!(r.counts().channels, 2);
        assert_eq!(r.counts().online, 0);
    }

    #[test]
    fn a_catalog_adds_the_channels_of_an_admitted_nvr_and_skips_its_directories() {
        let r = Registry::default();
        let nvr: GbId = "44030401001180000001".parse().unwrap();
        r.admit(nvr);
        let c = catalog(
            nvr.as_str(),
            &[
                ("44030401001310000001", "ON"),
                ("44030401001310000002", "OFF"),
                ("44030401002160000001", "ON"), // a virtual organisation
            ],
        );
        assert_eq!(r.apply_catalog(&c, now()), 2);
        let chans = r.channels_of(&nvr);
        assert_eq!(chans.len(), 2);
        assert_eq!(chans[1].reported_on, Some(false));
        assert_eq!(r.device(&nvr).unwrap().channels, 2);
        // The same catalog again adds nothing.
        assert_eq!(r.apply_catalog(&c, now()), 0);
        // A catalog from a device we do not know is ignored.
        let stranger = catalog("44030401001180000009", &[("44030401001310000009", "ON")]);
        assert_eq!(r.apply_catalog(&stranger, now()), 0);
    }

    #[test]
    fn presence_and_streams_show_in_the_counts() {
        let r = Registry::from_cameras([camera(1)]);
        let id = camera(1).id;
        let p = DevicePresence {
            online: true,
            registered_until: Some(now()),
            last_seen: now(),
            last_keepalive: None,
            reregister_due: false,
        };
        r.set_presence(&id, p, Some("udp:127.0.0.1:5060".into()));
        assert!(r.set_stream(&id, StreamState::Live));
        let c = r.counts();
        assert_eq!((c.registered, c.online, c.live), (1, 1, 1));
        assert_eq!(
            r.device(&id).unwrap().transport.as_deref(),
            Some("udp:127.0.0.1:5060")
        );
    }
}
