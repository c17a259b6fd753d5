use std::{path::Path, time::Instant};

use anyhow::{anyhow, Context};
use citymirror_core::{datum::Datum, LayerId};
use citymirror_twin::{import, TwinService};

use super::{open_store, repos};
use crate::{cli::ImportArgs, progress::Bars};

/// Imports a file into a layer: validates every row first, then writes them all in one
/// transaction, so a bad row changes nothing.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let layer: LayerId = args.layer.parse().map_err(|e| anyhow!("--layer: {e}"))?;
    let datum: Datum = args.crs.parse().map_err(|e| anyhow!("--crs: {e}"))?;
    let started = Instant::now();
    let bars = Bars::new();
    let features = read(&args.file, layer, datum, &bars)?;
    let store = open_store(&args.store).await?;
    let (repo, _) = repos(&store);
    let service = TwinService::open(repo).await.context("loading the twin")?;
    let n = features.len();
    service
        .import(layer, features)
        .await
        .context("writing the features")?;
    eprintln!(
        "imported {n} features into `{layer}` in {:.1}s",
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
