use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// CityMirror: a digital twin and governance platform for a city district.
#[derive(Debug, Parser)]
#[command(name = "citymirror", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the synthetic Futian twin (S = 1.0 is full scale) into an empty store.
    Generate(GenerateArgs),
    /// Serve the twin: web UI, OGC API Features, locate, health.
    Serve(ServeArgs),
    /// Generate a demo-scale district if the data dir is empty, serve it, and run the live simulator.
    Demo(DemoArgs),
    /// Import a GeoJSON or CSV file into a layer, all or nothing.
    Import(ImportArgs),
    /// Print the twin's counts.
    Stats(StoreArgs),
    /// Mint, list or revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The request loop (民意速办): train and measure the classifier, import hotline calls.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// The sensing network (智网): publish the twin's devices' readings over MQTT.
    #[command(subcommand)]
    Sensing(SensingCommand),
}

#[derive(Debug, Subcommand)]
pub enum SensingCommand {
    /// Publish readings for the twin's devices at a set rate (QoS 1, the compact
    /// vendor form), and print what was published and acknowledged as JSON.
    Publish(SensingPublishArgs),
}

#[derive(Debug, Args)]
pub struct SensingPublishArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The broker.
    #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
    pub mqtt: String,
    /// The topic prefix the platform reads the compact form under.
    #[arg(long, default_value = "citymirror/up")]
    pub prefix: String,
    /// Device readings per second (each carries one value per quantity of its device).
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    /// For how long.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Readings per MQTT message (a gateway batches the devices behind it).
    #[arg(long, default_value_t = 1)]
    pub lines_per_message: u64,
    /// Alarms to inject over the run: manhole covers tilted to 22.5° (each cover once,
    /// chosen among the healthy ones).
    #[arg(long, default_value_t = 0)]
    pub alarms: u64,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Every device well: no silent, garbled, stuck or drifting device, no incident
    /// (the fault flags below are then ignored; `--rain` and `--alarms` still apply).
    #[arg(long)]
    pub no_faults: bool,
    /// The share of devices that never publish.
    #[arg(long, default_value_t = 0.02)]
    pub silent_fraction: f64,
    /// The share of devices that publish for a while, then stop for good (so the
    /// platform's silence rule alarms).
    #[arg(long, default_value_t = 0.005)]
    pub stopping_fraction: f64,
    /// Stopping devices stop, and stuck sensors freeze, within this many seconds of the start.
    #[arg(long, default_value_t = 600)]
    pub stop_within: u64,
    /// The share of devices that send malformed lines (half of their lines: bad
    /// numbers, missing values, bad timestamps, unknown serials, JSON).
    #[arg(long, default_value_t = 0.002)]
    pub malformed_fraction: f64,
    /// The share of devices whose sensor freezes.
    #[arg(long, default_value_t = 0.005)]
    pub stuck_fraction: f64,
    /// The share of devices whose sensor drifts (a quarter of its healthy span an hour).
    #[arg(long, default_value_t = 0.005)]
    pub drifting_fraction: f64,
    /// Incidents per device-hour (covers knocked askew, smoke, gas leaks, elevator
    /// faults), each crossing its alarm threshold for ten minutes.
    #[arg(long, default_value_t = 0.0005)]
    pub incident_rate: f64,
    /// Devices the twin marks offline (离线) publish too (by default they are silent).
    #[arg(long)]
    pub publish_offline: bool,
    /// A rainstorm of this many minutes: water levels rise with a lag (a quarter of
    /// the storm, 2 to 10 min) and recede after; low spots flood past the alarm.
    #[arg(long, value_name = "MINUTES")]
    pub rain: Option<f64>,
    /// The storm begins this many seconds into the run.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    pub rain_after: u64,
    /// The storm's peak intensity (mm/h).
    #[arg(long, default_value_t = 60.0)]
    pub rain_peak: f64,
    /// The storm comes again this many minutes after each start.
    #[arg(long, value_name = "MINUTES")]
    pub rain_every: Option<f64>,
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Train the request classifier from labelled messages (and the re-classifications
    /// operators made), and store it as the next version.
    Train(CasesTrainArgs),
    /// Measure the stored classifier on labelled messages; prints one JSON object
    /// (accuracy, macro_f1, per_class, confusion).
    Eval(CasesEvalArgs),
    /// File a batch of hotline calls (JSONL or CSV), all checked before any is filed.
    Import(CasesImportArgs),
}

#[derive(Debug, Args)]
pub struct CasesTrainArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// A JSONL file of labelled messages (`category`, and `body` or pre-segmented
    /// `tokens`, and optionally `title`); repeat for several.
    #[arg(long, required = true)]
    pub labelled: Vec<PathBuf>,
    /// The most passes of the solver over the training messages (it stops sooner when
    /// the fit converges, usually within 20 to 80).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=200))]
    pub epochs: u64,
    /// The confidence below which a ticket waits for an operator.
    #[arg(long, default_value_t = citymirror_cases::classify::DEFAULT_THRESHOLD as f64)]
    pub threshold: f64,
    /// Leave out what operators re-classified (by default it is learned from).
    #[arg(long)]
    pub no_corrections: bool,
}

#[derive(Debug, Args)]
pub struct CasesEvalArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// A JSONL file of labelled messages to measure the classifier on.
    #[arg(long)]
    pub labelled: PathBuf,
}

#[derive(Debug, Args)]
pub struct CasesImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
    /// Hotline calls, one per line (JSONL) or row (CSV with a header): `call_id`,
    /// `description`, `lon`, `lat`, and optionally `title`, `service_code`, `address`,
    /// `crs`, `urgency`, `name`, `phone`.
    #[arg(long)]
    pub file: PathBuf,
    /// The hotline the calls came in on.
    #[arg(long, default_value = "hotline-12345")]
    pub channel: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint a token; it is printed once, as the last line of output.
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List(StoreArgs),
    /// Revoke a token by id.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
    /// The token's role: district-admin, supervisor, data-analyst, external-consumer, …
    #[arg(long)]
    pub role: String,
    /// What the token is for.
    #[arg(long, default_value = "command line")]
    pub name: String,
    /// The unit it acts for (default: the whole district).
    #[arg(long)]
    pub unit: Option<String>,
    /// Days until it expires.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=366))]
    pub expires_in_days: i64,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
    pub id: i64,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the Merkle tree from the stored entries and check every entry and
    /// signed checkpoint; names any altered, removed or reordered entry.
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
    /// The log's public key as a note verifier key (`name+keyid+base64`), e.g. from
    /// GET /api/v1/audit/key kept elsewhere; default: derived from the signing key file.
    #[arg(long)]
    pub vkey: Option<String>,
}

/// The audit log's Ed25519 signing key.
#[derive(Debug, Clone, Args)]
pub struct AuditKeyArgs {
    /// The key file (32-byte seed, hex), created on first use; default:
    /// `<data-dir>/audit-signing.key`.
    #[arg(long, env = "CITYMIRROR_AUDIT_KEY")]
    pub audit_key: Option<PathBuf>,
}

/// Where the twin is stored.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory of the embedded SQLite store (citymirror.db).
    #[arg(long, default_value = "data", env = "CITYMIRROR_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://user@host:5432/db.
    #[arg(long, env = "CITYMIRROR_DATABASE")]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
    #[command(flatten)]
    pub district: DistrictArgs,
}

/// What synthetic district to generate.
#[derive(Debug, Clone, Args)]
pub struct DistrictArgs {
    /// Scale: 1.0 reaches the full Futian figures (20,000 buildings, 550,000 components, …).
    #[arg(long, default_value_t = 0.05, value_parser = parse_scale)]
    pub scale: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// District outline in GCJ-02 GeoJSON; without the file a coarse built-in outline is used.
    #[arg(
        long,
        env = "CITYMIRROR_OUTLINE",
        default_value = "../shared/data/futian/district-440304.gcj02.geojson"
    )]
    pub outline: PathBuf,
}

/// A scale is validated here, at the door, so the generator only sees sensible ones.
fn parse_scale(raw: &str) -> Result<f64, String> {
    let max = citymirror_sim::MAX_SCALE;
    match raw.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= max => Ok(s),
        _ => Err(format!(
            "expected a number greater than 0 and at most {max} (1.0 is full scale)"
        )),
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[arg(long, default_value = "127.0.0.1:8080", env = "CITYMIRROR_LISTEN")]
    pub listen: SocketAddr,
    /// The URL clients reach this server at (for links behind a proxy); default: from the
    /// request's Host header, which must then name this server (see --allowed-host).
    #[arg(long, env = "CITYMIRROR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A host name clients may reach this server by, besides IP addresses, `localhost`
    /// and the machine's own name (repeat for several; not needed with --public-url).
    #[arg(
        long = "allowed-host",
        value_name = "NAME",
        env = "CITYMIRROR_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Where sign-up codes go when no SMS gateway is set up: a JSON Lines file a gateway
    /// relay reads (one `{"to","text","at"}` per line); default: the server's log.
    #[arg(long, value_name = "FILE", env = "CITYMIRROR_SMS_OUTBOX")]
    pub sms_outbox: Option<PathBuf>,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
    /// Server work each anonymous client address may cause, in milliseconds of handling
    /// per second (1000: one core's worth), with half a minute's worth at once; signed-in
    /// callers get four times as much, each on their own (0: no limit, for benchmarks).
    #[arg(long, default_value_t = 1000, env = "CITYMIRROR_RATE_LIMIT")]
    pub rate_limit: u32,
    /// Seconds a client may take to send a request's headers (and an idle keep-alive
    /// connection stays open).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_read_timeout_s: u64,
    /// Memory for encoded vector tiles, in MiB (0: no cache, every tile is rendered when
    /// asked for).
    #[arg(long, default_value_t = 256, env = "CITYMIRROR_TILE_CACHE_MB",
          value_parser = clap::value_parser!(u64).range(0..=1 << 20))]
    pub tile_cache_mb: u64,
    #[command(flatten)]
    pub web: WebArgs,
    #[command(flatten)]
    pub cases: CasesServeArgs,
    #[command(flatten)]
    pub mqtt: MqttArgs,
    #[command(flatten)]
    pub sip: SipArgs,
    /// Send the session cookie without `Secure` (plain-HTTP deployments on a trusted
    /// network only; browsers accept secure cookies from localhost without it).
    #[arg(long)]
    pub insecure_cookies: bool,
}

/// The MQTT broker the sensing network reads devices from and announces changes on.
#[derive(Debug, Clone, Args)]
pub struct MqttArgs {
    /// The broker (`mqtt://host:1883`); without one, devices reach the platform only
    /// through SensorThings over HTTP.
    #[arg(long = "mqtt", value_name = "URL", env = "CITYMIRROR_MQTT")]
    pub url: Option<String>,
    /// The client id the ingest keeps its session under (QoS 1 messages that arrive
    /// while the server is down wait at the broker for it).
    #[arg(
        long = "mqtt-client-id",
        default_value = "citymirror-ingest",
        env = "CITYMIRROR_MQTT_CLIENT_ID"
    )]
    pub client_id: String,
    /// The topic prefix of the compact vendor form (`serial,time,values`), subscribed
    /// as `PREFIX/#`; SensorThings topics (`v1.1/…`) are always subscribed.
    #[arg(
        long = "mqtt-vendor-prefix",
        default_value = "citymirror/up",
        env = "CITYMIRROR_MQTT_VENDOR_PREFIX"
    )]
    pub vendor_prefix: String,
    /// The most messages stored in one transaction.
    #[arg(long = "mqtt-batch", default_value_t = 5000)]
    pub batch: usize,
}

/// The GB/T 28181 SIP edge (智眼): where video devices register and keep alive.
#[derive(Debug, Clone, Args)]
pub struct SipArgs {
    /// Open the SIP edge on this address, UDP and TCP (GB/T 28181's usual port is 5060);
    /// without it no device can register.
    #[arg(
        long = "sip-listen",
        value_name = "ADDR",
        env = "CITYMIRROR_SIP_LISTEN"
    )]
    pub sip_listen: Option<SocketAddr>,
    /// The password devices register with (each device may be given its own). Without
    /// one, the server makes a random one on first start and keeps it in
    /// `DATA_DIR/sip-password`.
    #[arg(
        long = "sip-password",
        env = "CITYMIRROR_SIP_PASSWORD",
        hide_env_values = true
    )]
    pub sip_password: Option<String>,
    /// Seconds between a device's Keepalives (GB/T 28181: 60); a device is offline after
    /// three missed.
    #[arg(long = "sip-keepalive-s", default_value_t = 60,
          value_parser = clap::value_parser!(i64).range(1..=3600))]
    pub sip_keepalive_s: i64,
    /// Also admit devices the twin does not list when their id starts with this (e.g. the
    /// district's `440304`); by default only the twin's cameras may register.
    #[arg(long = "sip-admit-prefix", value_name = "DIGITS")]
    pub sip_admit_prefix: Option<String>,
}

/// How the request loop runs inside `serve`.
#[derive(Debug, Clone, Args)]
pub struct CasesServeArgs {
    /// A State Council holiday notice for a year past the built-in table (JSON:
    /// `{"year", "source", "holidays": [dates], "workdays": [dates]}`); repeat per year.
    #[arg(
        long = "holiday-notice",
        value_name = "FILE",
        env = "CITYMIRROR_HOLIDAY_NOTICES",
        value_delimiter = ','
    )]
    pub holiday_notices: Vec<PathBuf>,
    /// Milliseconds between passes over due timers.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub timer_sweep_ms: u64,
}

impl Default for CasesServeArgs {
    fn default() -> CasesServeArgs {
        CasesServeArgs {
            holiday_notices: Vec::new(),
            timer_sweep_ms: 2000,
        }
    }
}

/// Where the browser twin's built files are.
#[derive(Debug, Clone, Args)]
pub struct WebArgs {
    /// The built web UI (`npm --prefix web run build` makes `web/dist`), served at `/`.
    #[arg(long, default_value = "web/dist", env = "CITYMIRROR_WEB_DIR")]
    pub web_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "data/demo", env = "CITYMIRROR_DATA_DIR")]
    pub data_dir: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8080", env = "CITYMIRROR_LISTEN")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub district: DistrictArgs,
    /// Seconds between simulator changes.
    #[arg(long, default_value_t = 2.0)]
    pub sim_interval: f64,
    /// The shared citizen messages the demo's first run trains its classifier on (when
    /// the folder is there; without it every request waits for an operator).
    #[arg(
        long,
        env = "CITYMIRROR_MESSAGES",
        default_value = "../shared/data/citizen-messages"
    )]
    pub messages: PathBuf,
    /// Where the demo's embedded MQTT broker listens: MQTT 3.1.1 here, MQTT 5 on the
    /// next port. Devices and SensorThings clients publish to it.
    #[arg(
        long,
        default_value = "127.0.0.1:1884",
        env = "CITYMIRROR_BROKER_LISTEN"
    )]
    pub broker_listen: SocketAddr,
    /// Use this external broker (mqtt://host:port, MQTT 5) instead of the embedded one.
    #[arg(long, env = "CITYMIRROR_MQTT")]
    pub mqtt: Option<String>,
    /// Readings per second the demo's devices publish over MQTT (0: none).
    #[arg(long, default_value_t = 200)]
    pub device_rate: u64,
    /// Where the demo's GB/T 28181 SIP edge listens, UDP and TCP (port 0: a free port,
    /// printed at start).
    #[arg(long, default_value = "127.0.0.1:0", env = "CITYMIRROR_SIP_LISTEN")]
    pub sip_listen: SocketAddr,
    #[command(flatten)]
    pub web: WebArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Target layer: buildings, components, pipes, cameras, devices, …
    #[arg(long)]
    pub layer: String,
    /// A .geojson/.json or .csv file (CSV needs lon and lat columns).
    #[arg(long)]
    pub file: PathBuf,
    /// The datum of the file's coordinates; converted to WGS84 on import.
    #[arg(long, default_value = "wgs84")]
    pub crs: String,
    #[command(flatten)]
    pub audit: AuditKeyArgs,
}
