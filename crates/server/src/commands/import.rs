use std::{path::Path, time::Instant};

use anyhow::{anyhow, Context};
use citymirror_core::{datum::Datum, LayerId};
use citymirror_twin::{import, TwinService};

use super::{open_store, repos};
use crate::local::{self, control, Access};
use crate::{cli::ImportArgs, progress::Bars};

/// Imports a file into a layer: validates every row first, then writes them all in one
/// transaction, so a bad row changes nothing.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let layer: LayerId = args.layer.parse().map_err(|e| anyhow!("--layer: {e}"))?;
    let datum: Datum = args.crs.parse().map_err(|e| anyhow!("--crs: {e}"))?;
    let started = Instant::now();
    let bars = Bars::new();
    let _lock = match local::for_writing(&args.store)? {
        Access::ThroughServer(dir) => return through_server(&dir, &args, layer).await,
        Access::Direct(lock) => Some(lock),
        Access::Database => None,
    };
    let features = read(&args.file, layer, datum, &bars)?;
    let store = open_store(&args.store).await?;
    let (repo, _) = repos(&store);
    let log = super::trust::open_log(&store, &args.store, &args.audit).await?;
    let service = TwinService::open(repo).await.context("loading the twin")?;
    // On PostgreSQL, servers may be running on the same database: the write tells them.
    let service = match store
        .change_feed()
        .await
        .context("opening the change feed")?
    {
        Some(feed) => service.with_feed(feed),
        None => service,
    };
    let n = features.len();
    let written = service
        .import(layer, features)
        .await
        .context("writing the features")?;
    // Audited as the server's import route audits it.
    let ids: Vec<i64> = written.iter().map(|f| f.id).collect();
    super::trust::record(
        &log,
        "cli",
        "twin.import",
        layer.to_string(),
        serde_json::json!({ "features": ids.len(), "first": ids.first(), "last": ids.last() }),
    )
    .await?;
    eprintln!(
        "imported {n} features into `{layer}` in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Sends the file to the running server, which imports it into the live twin, all or
/// nothing, the same way.
async fn through_server(dir: &Path, args: &ImportArgs, layer: LayerId) -> anyhow::Result<()> {
    let started = Instant::now();
    let body =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let is_csv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let media = if is_csv {
        "text/csv"
    } else {
        "application/geo+json"
    };
    let path = format!("/api/v1/import/{layer}?crs={}", args.crs);
    let answer = control::request(dir, hyper::Method::POST, &path, media, body)
        .await?
        .json()
        .map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
    eprintln!(
        "imported {} features into `{layer}` through the running server in {:.1}s",
        answer["imported"],
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn read(
    path: &Path,
    layer: LayerId,
    datum: Datum,
    bars: &Bars,
) -> anyhow::Result<Vec<citymirror_twin::NewFeature>> {
    let schema = layer.schema();
    let name = path.display().to_string();
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let result = if is_csv {
        let file = std::fs::File::open(path).with_context(|| format!("opening {name}"))?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        import::read_csv(schema, std::io::BufReader::new(file), datum, |n| {
            bars.update("rows", n as u64, total.max(n as u64))
        })
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
        import::read_geojson(schema, &text, datum, |done, total| {
            bars.update("features", done as u64, total as u64)
        })
    };
    result.map_err(|e| anyhow!("{name}: {e}; nothing was imported"))
}
