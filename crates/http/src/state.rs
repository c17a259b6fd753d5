use std::{path::PathBuf, sync::Arc};

use citymirror_cases::service::CaseService;
use citymirror_sensing::SensingService;
use citymirror_twin::TwinService;

use crate::security::Security;

/// What every handler shares: the twin's service (reads and the one write path), the
/// request loop, trust (who is calling, the audit log) and the HTTP configuration.
#[derive(Debug, Clone)]
pub struct AppState {
    pub service: Arc<TwinService>,
    pub cases: Arc<CaseService>,
    /// The sensing network (SensorThings, MQTT ingest, roll-ups).
    pub sensing: Arc<SensingService>,
    /// The video network (智眼): the device registry and the SIP edge, if one runs.
    pub video: crate::video::VideoState,
    pub security: Security,
    pub config: HttpConfig,
}

/// How the HTTP edge presents itself.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The absolute URL clients reach this server at (`https://twin.example.org`, or with a
    /// path prefix behind a proxy). Every link in every response starts with it. When
    /// `None`, links are built from the request's `Host` header with scheme `http`.
    pub public_url: Option<String>,
    /// Host names (besides IP addresses, `localhost` and the machine's own name) that
    /// requests may name in `Host` when `public_url` is not set.
    pub allowed_hosts: Vec<String>,
    /// The most bytes of encoded (gzip) vector tiles kept in memory; 0 turns the cache
    /// off, so every tile is rendered when asked for.
    pub tile_cache_bytes: u64,
    /// The built browser twin (`web/dist`) served at `/`; without one, `/` explains how
    /// to build it and the APIs work as ever.
    pub web_dir: Option<PathBuf>,
    /// The MQTT broker SensorThings clients publish to and subscribe at
    /// (`mqtt://host:1883`), advertised on `/sta/v1.1`; `None` when there is none.
    pub mqtt_url: Option<String>,
}

impl HttpConfig {
    /// The tile cache's size unless configured: 256 MiB.
    pub const DEFAULT_TILE_CACHE_BYTES: u64 = 256 << 20;
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            public_url: None,
            allowed_hosts: Vec::new(),
            tile_cache_bytes: HttpConfig::DEFAULT_TILE_CACHE_BYTES,
            web_dir: None,
            mqtt_url: None,
        }
    }
}
