//! The acceptance's figures, taken on the shared messages (`../shared/data/
//! citizen-messages`, or `CITYMIRROR_MESSAGES`) when they are there:
//!
//! ```sh
//! cargo test --release -p citymirror-cases --lib classify::measure -- --ignored --nocapture
//! ```
//!
//! The honest split: train on the history export less every message whose title is
//! one of the 495 raw labelled messages' (the same messages, exported), measure on the
//! 495. Then the training time on all 8,733 shared messages and the time to classify
//! one. `CM_C`, `CM_EPOCHS`, `CM_TOLERANCE`, `CM_FOLDS` and `CM_RAW_WEIGHT` override the
//! training options; `CM_FOLDS_495=1` also measures five folds of the 495 with the
//! other four learned from beside the history (raw messages weighing `raw_weight`).

use std::{collections::HashSet, path::PathBuf, time::Instant};

use super::{evaluate, read_labelled, Classifier, Example, Metrics, TrainOptions};

fn messages() -> Option<PathBuf> {
    let dir = std::env::var_os("CITYMIRROR_MESSAGES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/citizen-messages"),
        PathBuf::from,
    );
    dir.join("history-8238.jsonl").is_file().then_some(dir)
}

fn options() -> TrainOptions {
    let var = |name: &str| std::env::var(name).ok();
    let mut o = TrainOptions::default();
    if let Some(v) = var("CM_C") {
        o.c = v.parse().unwrap();
    }
    if let Some(v) = var("CM_EPOCHS") {
        o.epochs = v.parse().unwrap();
    }
    if let Some(v) = var("CM_TOLERANCE") {
        o.tolerance = v.parse().unwrap();
    }
    if let Some(v) = var("CM_FOLDS") {
        o.calibration_folds = v.parse().unwrap();
    }
    if let Some(v) = var("CM_RAW_WEIGHT") {
        o.raw_weight = v.parse().unwrap();
    }
    o
}

fn show(what: &str, m: &Metrics, model: &Classifier) {
    println!(
        "{what}: n {} accuracy {:.4} macro-F1 {:.4} calibration error {:.4} \
         threshold {} coverage {:.3} confident accuracy {:.4} temperature {:.4} boost {:.3} features {}",
        m.n,
        m.accuracy,
        m.macro_f1,
        m.calibration_error,
        m.threshold,
        m.coverage,
        m.confident_accuracy,
        model.model.temperature(),
        model.model.boost(),
        model.features()
    );
}

/// Accuracy, macro-F1 and calibration error of predictions made by several models.
fn show_pooled(what: &str, pooled: &[(&Example, super::Prediction)]) {
    let n = pooled.len() as f64;
    let right = pooled
        .iter()
        .filter(|(e, p)| p.category == e.category)
        .count();
    let mut classes: Vec<&str> = pooled.iter().map(|(e, _)| e.category.as_str()).collect();
    classes.sort_unstable();
    classes.dedup();
    let f1: f64 = classes
        .iter()
        .map(|&c| {
            let tp = pooled
                .iter()
                .filter(|(e, p)| e.category == c && p.category == c)
                .count() as f64;
            let predicted = pooled.iter().filter(|(_, p)| p.category == c).count() as f64;
            let actual = pooled.iter().filter(|(e, _)| e.category == c).count() as f64;
            if tp == 0.0 {
                0.0
            } else {
                2.0 * tp / (predicted + actual)
            }
        })
        .sum::<f64>()
        / classes.len() as f64;
    let mut bins = [(0usize, 0f64, 0usize); 10];
    for (e, p) in pooled {
        let b = &mut bins[((p.confidence * 10.0) as usize).min(9)];
        b.0 += 1;
        b.1 += f64::from(p.confidence);
        b.2 += usize::from(p.category == e.category);
    }
    let ece: f64 = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|&(c, conf, ok)| c as f64 / n * (conf / c as f64 - ok as f64 / c as f64).abs())
        .sum();
    let confident: Vec<_> = pooled.iter().filter(|(_, p)| p.confident).collect();
    println!(
        "{what}: accuracy {:.4} macro-F1 {f1:.4} calibration error {ece:.4} coverage {:.3} \
         confident accuracy {:.4}",
        right as f64 / n,
        confident.len() as f64 / n,
        confident
            .iter()
            .filter(|(e, p)| p.category == e.category)
            .count() as f64
            / confident.len().max(1) as f64
    );
}

/// Messages, mean confidence and accuracy by tenth of confidence, and what a few
/// thresholds would dispatch.
fn reliability(model: &Classifier, examples: &[Example]) {
    let predictions: Vec<_> = examples
        .iter()
        .map(|e| (model.predict(&e.message()), e))
        .collect();
    for t in [0.5, 0.6, 0.7, 0.8, 0.9] {
        let over: Vec<_> = predictions
            .iter()
            .filter(|(p, _)| p.confidence >= t)
            .collect();
        let right = over
            .iter()
            .filter(|(p, e)| p.category == e.category)
            .count();
        println!(
            "  at {t}: {:.1} % dispatched, {:.1} % of those right",
            100.0 * over.len() as f64 / examples.len() as f64,
            100.0 * right as f64 / over.len().max(1) as f64
        );
    }
    let mut bins = [(0usize, 0f64, 0usize); 10];
    for (p, e) in &predictions {
        let b = &mut bins[((p.confidence * 10.0) as usize).min(9)];
        b.0 += 1;
        b.1 += f64::from(p.confidence);
        b.2 += usize::from(p.category == e.category);
    }
    for (i, (n, conf, ok)) in bins.iter().enumerate().filter(|b| b.1 .0 > 0) {
        println!(
            "  {:.1}–{:.1}: {n:4} messages, mean confidence {:.3}, right {:.3}",
            i as f64 / 10.0,
            (i + 1) as f64 / 10.0,
            conf / *n as f64,
            *ok as f64 / *n as f64
        );
    }
}

#[test]
#[ignore = "needs the shared messages; slow unoptimised"]
fn on_the_shared_messages() {
    let Some(dir) = messages() else {
        println!("no shared messages: nothing measured");
        return;
    };
    let opts = options();
    println!("{opts:?}");
    let history = read_labelled(&dir.join("history-8238.jsonl")).unwrap();
    let labelled = read_labelled(&dir.join("labelled-495.jsonl")).unwrap();
    let titles: HashSet<&str> = labelled.iter().map(|e| e.title.as_str()).collect();
    let train: Vec<Example> = history
        .iter()
        .filter(|e| !titles.contains(e.title.as_str()))
        .cloned()
        .collect();

    let started = Instant::now();
    let model = Classifier::train(&train, &opts).unwrap();
    println!(
        "honest split: trained on {} in {:.1} s",
        train.len(),
        started.elapsed().as_secs_f64()
    );
    show("honest split", &evaluate(&model, &labelled), &model);
    reliability(&model, &labelled);
    let per = model.to_bytes().len();
    println!("stored model: {:.1} MB", per as f64 / 1e6);

    if std::env::var("CM_FOLDS_495").is_ok() {
        // Each fifth of the 495 measured by a model that learned from the history and
        // the other four fifths; the five fifths' predictions pooled.
        let mut pooled = Vec::new();
        for f in 0..5 {
            let mut set = train.clone();
            set.extend(
                labelled
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 5 != f)
                    .map(|(_, e)| e.clone()),
            );
            let m = Classifier::train(&set, &opts).unwrap();
            pooled.extend(
                labelled
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 5 == f)
                    .map(|(_, e)| (e, m.predict(&e.message()))),
            );
        }
        show_pooled("five folds of the 495 beside the history", &pooled);
    }

    let mut all = history;
    all.extend(labelled.iter().cloned());
    let started = Instant::now();
    let model = Classifier::train(&all, &opts).unwrap();
    println!(
        "all shared messages: trained on {} in {:.1} s",
        all.len(),
        started.elapsed().as_secs_f64()
    );
    let mut times: Vec<f64> = labelled
        .iter()
        .map(|e| {
            let t = Instant::now();
            std::hint::black_box(model.predict(&e.message()));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "classifying one message: mean {:.3} ms, median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.iter().sum::<f64>() / times.len() as f64,
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1]
    );
}
