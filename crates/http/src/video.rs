//! 智眼 as the HTTP edge sees it: the device and channel registry (seeded from the twin's
//! cameras) and, when the SIP edge runs, its address and counters.

use std::collections::HashMap;
use std::sync::Arc;

use citymirror_core::{LayerId, Value as V};
use citymirror_twin::TwinService;
use citymirror_video::media::MediaCounts;
use citymirror_video::registry::{CameraSeed, Registry};
use citymirror_video::GbId;
use geo::Geometry;

/// The store's `meta` key of the devices' own SIP passwords (one JSON document: few, read
/// whole at start).
pub const PASSWORDS_KEY: &str = "video_device_passwords";

/// What handlers read of the video network.
#[derive(Debug, Clone)]
pub struct VideoState {
    pub registry: Arc<Registry>,
    /// The running SIP edge, if `--sip-listen` opened one.
    pub edge: Option<citymirror_gb28181::Edge>,
    /// The streams started over HTTP, with their counts, by channel.
    pub watching: Arc<std::sync::Mutex<HashMap<GbId, Watch>>>,
}

/// A stream an operator started: its SSRC, media port and counts.
#[derive(Debug, Clone)]
pub struct Watch {
    pub ssrc: u32,
    pub port: u16,
    pub transport: &'static str,
    pub counts: Arc<std::sync::Mutex<MediaCounts>>,
}

impl VideoState {
    pub fn new(registry: Arc<Registry>, edge: Option<citymirror_gb28181::Edge>) -> VideoState {
        VideoState {
            registry,
            edge,
            watching: Arc::default(),
        }
    }

    /// A registry with no SIP edge (the cameras show, none ever registers).
    pub fn offline(registry: Arc<Registry>) -> VideoState {
        VideoState::new(registry, None)
    }
}

/// The registry of the twin's cameras: each camera whose `gb_id` is a device id is an IPC
/// that is its own channel. (A camera with an id that does not parse is skipped: the twin
/// checks ids on write, so that is a store edited by hand.)
pub fn open_video_registry(twin: &TwinService) -> Registry {
    let layer = twin.twin().layer(LayerId::Cameras);
    let schema = layer.schema();
    let seeds = layer.iter().filter_map(|f| {
        let text = |name: &str| match f.prop(schema, name) {
            Some(V::Text(s)) => Some(s.clone()),
            _ => None,
        };
        let Geometry::Point(p) = &f.geometry else {
            return None;
        };
        Some(CameraSeed {
            id: GbId::parse(&text("gb_id")?).ok()?,
            name: text("name").unwrap_or_default(),
            feature: f.id,
            position: (p.x(), p.y()),
            grid_code: text("grid_code").unwrap_or_default(),
        })
    });
    Registry::from_cameras(seeds.collect::<Vec<_>>())
}
