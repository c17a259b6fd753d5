//! Shared set-up of the trust side: the audit log's signing key and the log itself.

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use citymirror_store::Store;
use citymirror_trust::{
    audit::{AuditConfig, AuditLog, NewEntry, Signer},
    Actor,
};

use crate::cli::{AuditKeyArgs, StoreArgs};

/// The name in the log's signed checkpoints (and its verifier key).
pub const LOG_NAME: &str = "citymirror.futian/audit";

pub fn key_path(store: &StoreArgs, audit: &AuditKeyArgs) -> PathBuf {
    audit
        .audit_key
        .clone()
        .unwrap_or_else(|| store.data_dir.join("audit-signing.key"))
}

pub fn signer(store: &StoreArgs, audit: &AuditKeyArgs) -> anyhow::Result<Signer> {
    let path = key_path(store, audit);
    Signer::load_or_create(&path, LOG_NAME)
        .with_context(|| format!("audit signing key {}", path.display()))
}

pub async fn open_log(
    store: &Store,
    args: &StoreArgs,
    audit: &AuditKeyArgs,
) -> anyhow::Result<AuditLog> {
    AuditLog::open(
        Arc::new(store.clone()),
        signer(args, audit)?,
        AuditConfig::default(),
    )
    .await
    .context(
        "opening the audit log (if it reports a broken sequence, run `citymirror audit verify`)",
    )
}

/// Records what a command-line operator did, and signs a checkpoint covering it.
pub async fn record(
    log: &AuditLog,
    command: &str,
    action: &str,
    target: String,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    let actor = Actor::System {
        name: command.to_owned(),
    };
    log.append(NewEntry::new(&actor, action, target).with_detail(detail))
        .await
        .context("appending to the audit log")?;
    log.checkpoint_now()
        .await
        .context("signing an audit checkpoint")?;
    Ok(())
}
