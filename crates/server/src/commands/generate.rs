use std::{sync::Arc, time::Instant};

use anyhow::{bail, Context};
use citymirror_core::LayerId;
use citymirror_sim::{GenerateConfig, Outline};

use super::{describe, open_store, repos};
use crate::{
    cli::{AuditKeyArgs, DistrictArgs, GenerateArgs, StoreArgs},
    progress::Bars,
};

pub async fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let _lock = crate::local::exclusive(&args.store, "stop it before generating")?;
    let store = open_store(&args.store).await?;
    generate_into(&store, &args.district).await?;
    provision(&store, &args.store, &args.audit).await?;
    history_into(&store, &args.district).await?;
    eprintln!("generated into {}", describe(&args.store));
    Ok(())
}

/// Creates the organisation and its accounts, and opens the audit log with its first
/// entry and signed checkpoint.
pub async fn provision(
    store: &citymirror_store::Store,
    args: &StoreArgs,
    audit: &AuditKeyArgs,
) -> anyhow::Result<()> {
    let (twin_repo, _) = repos(store);
    let org = citymirror_sim::org::provision(twin_repo.as_ref(), store).await?;
    let log = super::trust::open_log(store, args, audit).await?;
    super::trust::record(
        &log,
        "generate",
        "twin.generate",
        "district".into(),
        serde_json::json!({ "units": org.units, "users": org.users }),
    )
    .await?;
    eprintln!(
        "organisation: {} units, {} accounts; demo logins (password {}):",
        org.units,
        org.users,
        citymirror_sim::org::DEMO_PASSWORD
    );
    for d in &org.demo_logins {
        eprintln!(
            "  {:<12} {} ({})",
            d.username,
            d.role.name_zh(),
            d.unit_id.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

/// Reads the outline file if it is there; otherwise falls back to the built-in coarse outline.
pub fn outline(path: &std::path::Path) -> anyhow::Result<Outline> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Outline::GeoJsonGcj02(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(
                "no outline at {}; using the built-in coarse Futian outline",
                path.display()
            );
            Ok(Outline::Builtin)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub async fn generate_into(
    store: &citymirror_store::Store,
    district: &DistrictArgs,
) -> anyhow::Result<()> {
    let (twin_repo, record_repo) = repos(store);
    for layer in LayerId::ALL {
        if twin_repo.count_features(layer).await? > 0 {
            bail!("the store already holds a twin (layer `{layer}` is not empty); generate needs an empty data dir or database");
        }
    }
    let cfg = GenerateConfig {
        scale: district.scale,
        seed: district.seed,
        outline: outline(&district.outline)?,
    };
    let bars = Bars::new();
    let started = Instant::now();
    let summary = citymirror_sim::generate(&cfg, twin_repo.as_ref(), record_repo.as_ref(), &|p| {
        bars.update(p.stage, p.done, p.total)
    })
    .await?;
    eprintln!(
        "generated in {:.1}s: {summary:?}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Two years of requests before today (530,000 at full scale), routed to the units
/// `provision` created, unless the store already holds tickets.
pub async fn history_into(
    store: &citymirror_store::Store,
    district: &DistrictArgs,
) -> anyhow::Result<()> {
    use citymirror_cases::{
        calendar::WorkCalendar, dispatch::Matrix, org::OrgDirectory, org::TrustDirectory,
        repo::TicketRepo,
    };
    use citymirror_sim::history::{generate_history, HistoryConfig};

    if TicketRepo::count_tickets(store).await? > 0 {
        return Ok(());
    }
    let (twin_repo, _) = repos(store);
    let units = TrustDirectory::new(Arc::new(store.clone()), std::time::Duration::ZERO)
        .units()
        .await?;
    let cfg = HistoryConfig {
        scale: district.scale,
        seed: district.seed,
        until: chrono::Utc::now(),
    };
    let bars = Bars::new();
    let started = Instant::now();
    let summary = generate_history(
        &cfg,
        twin_repo.as_ref(),
        store,
        &units,
        &Matrix::futian(),
        &WorkCalendar::new(),
        &|p| bars.update(p.stage, p.done, p.total),
    )
    .await?;
    eprintln!(
        "request history: {} tickets ({} open) and {} steps over two years, reform on {}, in {:.1}s",
        summary.tickets,
        summary.open,
        summary.steps,
        cfg.reform().format("%Y-%m-%d"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
