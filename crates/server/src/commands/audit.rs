//! `citymirror audit verify`.

use anyhow::{bail, Context};
use citymirror_trust::{audit, AuditRepo};

use super::{open_store, trust};
use crate::cli::{AuditCommand, AuditVerifyArgs};

/// Rows read per query while verifying.
const PAGE: u32 = 10_000;

pub async fn run(cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify(a) => verify(a).await,
    }
}

async fn verify(a: AuditVerifyArgs) -> anyhow::Result<()> {
    let verifier = match &a.vkey {
        Some(vkey) => audit::Verifier::from_vkey(vkey).context("--vkey")?,
        None => {
            let path = trust::key_path(&a.store, &a.audit);
            if !path.exists() {
                bail!(
                    "no audit signing key at {}; pass --audit-key or --vkey",
                    path.display()
                );
            }
            trust::signer(&a.store, &a.audit)?.verifier()
        }
    };
    let store = open_store(&a.store).await?;
    let checkpoints = store.checkpoints().await?;
    // Page through the rows, so a log of any length is checked in constant memory.
    let mut check = audit::LogCheck::new(&checkpoints, &verifier);
    let mut from = i64::MIN;
    loop {
        let page = store.audit_rows(from, PAGE).await?;
        for row in &page {
            check.row(row);
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => from = last.seq + 1,
            _ => break,
        }
    }
    let report = check.finish();
    println!(
        "{} entries, {} signed checkpoints checked",
        report.entries, report.checkpoints
    );
    if report.is_ok() {
        println!("audit log OK: every entry matches the tree and every checkpoint signature");
        return Ok(());
    }
    for p in &report.problems {
        println!("{p}");
    }
    bail!(
        "the audit log does not verify: {} problem(s)",
        report.problems.len()
    )
}
