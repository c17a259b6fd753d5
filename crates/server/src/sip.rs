//! Starts the GB/T 28181 SIP edge beside the HTTP server, when `--sip-listen` asks for it.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use citymirror_gb28181::{Admission, Edge, EdgeConfig, Passwords};
use citymirror_video::presence::PresencePolicy;
use citymirror_video::registry::Registry;
use rand::distributions::{Alphanumeric, DistString};
use tokio::sync::watch;

use crate::cli::SipArgs;

/// The file a generated device password is kept in, under the data directory.
const PASSWORD_FILE: &str = "sip-password";

/// The default device password: the flag's, else the one kept in the data directory, else a
/// new random one written there (readable by the owner only).
fn password(
    args: &SipArgs,
    data_dir: &Path,
) -> anyhow::Result<(String, Option<std::path::PathBuf>)> {
    if let Some(p) = &args.sip_password {
        anyhow::ensure!(!p.is_empty(), "--sip-password is empty");
        return Ok((p.clone(), None));
    }
    let path = data_dir.join(PASSWORD_FILE);
    if let Ok(p) = std::fs::read_to_string(&path) {
        let p = p.trim().to_owned();
        anyhow::ensure!(!p.is_empty(), "{} is empty", path.display());
        return Ok((p, Some(path)));
    }
    std::fs::create_dir_all(data_dir)?;
    let p = Alphanumeric.sample_string(&mut rand::thread_rng(), 16);
    write_private(&path, &p).with_context(|| format!("writing {}", path.display()))?;
    Ok((p, Some(path)))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{text}\n"))
}

/// Opens the edge if `--sip-listen` names an address, with the devices' own passwords
/// that operators set (kept in the store under `citymirror_http::video::PASSWORDS_KEY`).
pub async fn start(
    args: &SipArgs,
    data_dir: &Path,
    repo: &Arc<dyn citymirror_twin::TwinRepo>,
    registry: Arc<Registry>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Option<Edge>> {
    let Some(listen) = args.sip_listen else {
        return Ok(None);
    };
    let (pw, kept) = password(args, data_dir)?;
    let passwords = Arc::new(Passwords::new(pw));
    if let Some(json) = repo.get_meta(citymirror_http::VIDEO_PASSWORDS_KEY).await? {
        let n = passwords
            .load_json(&json)
            .context("reading the devices' own SIP passwords")?;
        tracing::info!(devices = n, "devices with their own SIP password");
    }
    let mut cfg = EdgeConfig::new(listen, passwords);
    cfg.presence = PresencePolicy {
        keepalive_interval: chrono::TimeDelta::seconds(args.sip_keepalive_s),
        ..PresencePolicy::default()
    };
    if let Some(prefix) = &args.sip_admit_prefix {
        anyhow::ensure!(
            !prefix.is_empty() && prefix.len() <= 20 && prefix.bytes().all(|b| b.is_ascii_digit()),
            "--sip-admit-prefix takes 1 to 20 digits"
        );
        cfg.admission = Admission::Prefix(prefix.clone());
    }
    let (domain, platform) = (cfg.domain.clone(), cfg.platform_id);
    let edge = citymirror_gb28181::start(cfg, registry, stop)
        .await
        .with_context(|| format!("opening the SIP edge on {listen}"))?;
    let where_pw = match kept {
        Some(p) => format!("password in {}", p.display()),
        None => "password from --sip-password".into(),
    };
    eprintln!(
        "GB/T 28181 SIP edge on udp+tcp {} (platform {platform}, domain {domain}, {where_pw})",
        edge.local_addr
    );
    Ok(Some(edge))
}
