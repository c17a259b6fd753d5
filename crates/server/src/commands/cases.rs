//! `citymirror cases train | eval | import`, and the demo's first training.

use std::{sync::Arc, time::Instant};

use anyhow::{anyhow, bail, Context};
use citymirror_cases::{
    classify::{evaluate, read_labelled, Classifier, Example, TrainOptions},
    repo::ModelRepo,
    service::{CaseService, ModelState},
};
use serde_json::json;

use super::open_store;
use crate::{
    cli::{CasesCommand, CasesEvalArgs, CasesImportArgs, CasesTrainArgs},
    local::{self, control, Access},
    progress::Bars,
};

pub async fn run(command: CasesCommand) -> anyhow::Result<()> {
    match command {
        CasesCommand::Train(a) => train(a).await,
        CasesCommand::Eval(a) => eval(a).await,
        CasesCommand::Import(a) => import(a).await,
    }
}

fn read_all(files: &[std::path::PathBuf]) -> anyhow::Result<Vec<Example>> {
    let mut out = Vec::new();
    for f in files {
        let e = read_labelled(f)?;
        eprintln!("{}: {} labelled messages", f.display(), e.len());
        out.extend(e);
    }
    Ok(out)
}

/// Trains on a blocking thread (it takes seconds of CPU).
async fn train_blocking(examples: Vec<Example>, opts: TrainOptions) -> anyhow::Result<Classifier> {
    tokio::task::spawn_blocking(move || Classifier::train(&examples, &opts))
        .await
        .context("the training thread failed")?
        .map_err(|e| anyhow!("{e}"))
}

async fn train(args: CasesTrainArgs) -> anyhow::Result<()> {
    let mut examples = read_all(&args.labelled)?;
    // Reading the store is safe beside a running server (it owns the writes).
    let store = open_store(&args.store).await?;
    let corrections = if args.no_corrections {
        0
    } else {
        let c = store.corrections().await?;
        let n = c.len();
        examples.extend(c);
        n
    };
    eprintln!(
        "training on {} messages ({corrections} of them operators' re-classifications) …",
        examples.len()
    );
    let started = Instant::now();
    let opts = TrainOptions {
        epochs: args.epochs as usize,
        ..TrainOptions::default()
    };
    let model = train_blocking(examples, opts)
        .await?
        .with_threshold(args.threshold as f32);
    let seconds = started.elapsed().as_secs_f64();
    let mut summary = json!({
        "trained_on": model.trained_on,
        "corrections": corrections,
        "classes": model.classes(),
        "features": model.features(),
        "threshold": model.threshold(),
        "train_seconds": (seconds * 10.0).round() / 10.0,
    });
    let version = match local::for_writing(&args.store)? {
        Access::ThroughServer(dir) => {
            let answer = control::request(
                &dir,
                hyper::Method::POST,
                "/api/v1/cases/models",
                "application/octet-stream",
                model.to_bytes(),
            )
            .await?
            .json()?;
            answer["version"].as_i64().unwrap_or_default()
        }
        Access::Direct(_lock) => store.put_model(&model.to_bytes(), &summary).await?,
        Access::Database => store.put_model(&model.to_bytes(), &summary).await?,
    };
    summary["version"] = json!(version);
    eprintln!("classifier version {version} stored, trained in {seconds:.1}s");
    println!("{summary}");
    Ok(())
}

async fn eval(args: CasesEvalArgs) -> anyhow::Result<()> {
    let store = open_store(&args.store).await?;
    let stored = store
        .latest_model()
        .await?
        .ok_or_else(|| anyhow!("no classifier is stored; run `citymirror cases train` first"))?;
    let model = Classifier::from_bytes(&stored.bytes).map_err(|e| anyhow!("{e}"))?;
    let examples = read_labelled(&args.labelled)?;
    let started = Instant::now();
    let metrics = tokio::task::spawn_blocking(move || evaluate(&model, &examples)).await?;
    let per_message_ms = started.elapsed().as_secs_f64() * 1000.0 / metrics.n.max(1) as f64;
    let mut out = serde_json::to_value(&metrics)?;
    out["model_version"] = json!(stored.version);
    out["ms_per_message"] = json!((per_message_ms * 1000.0).round() / 1000.0);
    println!("{out}");
    Ok(())
}

/// The demo trains a classifier on the shared messages when none is stored yet, in the
/// background: requests that come before it is ready wait for an operator.
pub async fn train_on_first_run(cases: Arc<CaseService>, messages: std::path::PathBuf) {
    if let ModelState::Ready { .. } = cases.model() {
        return;
    }
    let files: Vec<std::path::PathBuf> = ["history-8238.jsonl", "labelled-495.jsonl"]
        .iter()
        .map(|f| messages.join(f))
        .filter(|p| p.is_file())
        .collect();
    if files.is_empty() {
        tracing::warn!(
            "no classifier, and no labelled messages in {} to train one: every request waits for an operator",
            messages.display()
        );
        return;
    }
    let examples = match read_all(&files) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("cannot read the labelled messages: {e}");
            return;
        }
    };
    tracing::info!(
        messages = examples.len(),
        "training the request classifier for the demo"
    );
    let started = Instant::now();
    match train_blocking(examples, TrainOptions::default()).await {
        Ok(model) => match cases.install_model(model).await {
            Ok(v) => tracing::info!(
                version = v,
                "classifier trained in {:.1}s; requests are now classified",
                started.elapsed().as_secs_f64()
            ),
            Err(e) => tracing::warn!("cannot store the classifier: {e}"),
        },
        Err(e) => tracing::warn!("cannot train the classifier: {e}"),
    }
}

/// Lines per request to the server.
const CHUNK: usize = 2000;

async fn import(args: CasesImportArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let csv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // Read the whole file first: a malformed line fails it before anything is sent.
    if let Err(errors) = citymirror_cases::adapters::hotline::read(&text, csv) {
        for e in &errors {
            eprintln!("line {}: {} ({})", e.line, e.message, e.code);
        }
        bail!("{} lines are not right; nothing was filed", errors.len());
    }
    let dir = match local::for_writing(&args.store)? {
        Access::ThroughServer(dir) => dir,
        _ => bail!(
            "`cases import` files calls through the running server (it dispatches them): start `citymirror serve` on {} first",
            super::describe(&args.store)
        ),
    };
    let chunks = split(&text, csv);
    let bars = Bars::new();
    let total: u64 = chunks.iter().map(|(n, _)| *n as u64).sum();
    for dry_run in [true, false] {
        let stage = if dry_run { "checking" } else { "filing" };
        let mut done = 0;
        bars.update(stage, done, total);
        let mut created = 0;
        let mut existing = 0;
        for (n, body) in &chunks {
            let path = format!(
                "/api/v1/tickets/batch?channel={}&format={}&dry_run={dry_run}",
                args.channel,
                if csv { "csv" } else { "jsonl" }
            );
            let media = if csv {
                "text/csv"
            } else {
                "application/x-ndjson"
            };
            let answer = control::request(
                &dir,
                hyper::Method::POST,
                &path,
                media,
                body.clone().into_bytes(),
            )
            .await?;
            if answer.status == hyper::StatusCode::BAD_REQUEST {
                // The lines of this chunk that are not right. The chunk's lines count
                // from its first (a CSV chunk's header is its line 1, as the file's is),
                // so the file's line is the lines before the chunk plus the chunk's.
                let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
                for e in v["errors"].as_array().into_iter().flatten() {
                    let line = done as usize + e["line"].as_u64().unwrap_or(0) as usize;
                    eprintln!(
                        "line {line}: {} ({})",
                        e["message"].as_str().unwrap_or(""),
                        e["code"].as_str().unwrap_or("")
                    );
                }
                bail!(
                    "{}; nothing was filed",
                    v["message"].as_str().unwrap_or("the batch was refused")
                );
            }
            let answer = answer
                .json()
                .map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
            created += answer["created"].as_u64().unwrap_or(0);
            existing += answer["existing"].as_u64().unwrap_or(0);
            done += *n as u64;
            bars.update(stage, done, total);
        }
        if !dry_run {
            eprintln!(
                "filed {created} calls from {} ({existing} had been filed before)",
                args.file.display()
            );
        }
    }
    Ok(())
}

/// The file in chunks of [`CHUNK`] lines, each a file of its own (CSV chunks repeat the
/// header), with its number of lines. Line numbers in errors are the chunk's.
fn split(text: &str, csv: bool) -> Vec<(usize, String)> {
    let mut lines = text.lines();
    let header = if csv {
        lines.next().map(str::to_owned)
    } else {
        None
    };
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    rows.chunks(CHUNK)
        .map(|c| {
            let mut s = header.clone().map(|h| h + "\n").unwrap_or_default();
            s.push_str(&c.join("\n"));
            s.push('\n');
            (c.len(), s)
        })
        .collect()
}
