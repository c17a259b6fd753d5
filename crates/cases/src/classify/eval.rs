//! Measuring a classifier: accuracy, macro-F1, per-class precision and recall, the
//! confusion matrix, and what the confidence threshold does (how many messages it
//! dispatches at once, how often those are right, how well the confidence is
//! calibrated).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{data::Example, Classifier};

/// Precision, recall and F1 of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Rows are the true categories, columns the predicted, both in `labels` order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    pub labels: Vec<String>,
    pub matrix: Vec<Vec<usize>>,
}

/// What `cases eval` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: BTreeMap<String, ClassMetrics>,
    pub confusion: Confusion,
    /// The confidence threshold below which a ticket goes to manual triage.
    pub threshold: f32,
    /// The share of messages at or above the threshold (dispatched at once).
    pub coverage: f64,
    /// The accuracy on those messages.
    pub confident_accuracy: f64,
    /// Expected calibration error over ten confidence bins: how far "90 % sure" is
    /// from being right nine times in ten.
    pub calibration_error: f64,
    /// Categories in the data that the model does not know (always wrong).
    pub unknown_categories: Vec<String>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

pub fn evaluate(model: &Classifier, examples: &[Example]) -> Metrics {
    let mut labels: Vec<String> = model.classes().to_vec();
    let mut unknown: Vec<String> = examples
        .iter()
        .map(|e| e.category.clone())
        .filter(|c| !labels.contains(c))
        .collect();
    unknown.sort();
    unknown.dedup();
    labels.extend(unknown.iter().cloned());
    let index = |c: &str| labels.iter().position(|l| l == c).unwrap_or_default();
    let k = labels.len();
    let mut matrix = vec![vec![0usize; k]; k];
    let (mut right, mut confident, mut confident_right) = (0, 0, 0);
    let mut bins = [(0usize, 0f64, 0usize); 10];
    for e in examples {
        let p = model.predict(&e.message());
        let ok = p.category == e.category;
        matrix[index(&e.category)][index(&p.category)] += 1;
        right += usize::from(ok);
        if p.confident {
            confident += 1;
            confident_right += usize::from(ok);
        }
        let bin = &mut bins[((p.confidence * 10.0) as usize).min(9)];
        bin.0 += 1;
        bin.1 += f64::from(p.confidence);
        bin.2 += usize::from(ok);
    }
    let n = examples.len();
    let mut per_class = BTreeMap::new();
    let mut f1_sum = 0.0;
    for (i, label) in labels.iter().enumerate() {
        let tp = matrix[i][i];
        let predicted: usize = matrix.iter().map(|row| row[i]).sum();
        let support: usize = matrix[i].iter().sum();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        if support > 0 || predicted > 0 {
            f1_sum += f1;
            per_class.insert(
                label.clone(),
                ClassMetrics {
                    precision,
                    recall,
                    f1,
                    support,
                },
            );
        }
    }
    let calibration_error = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|&(count, conf, ok)| {
            (count as f64 / n.max(1) as f64)
                * (conf / count as f64 - ok as f64 / count as f64).abs()
        })
        .sum();
    Metrics {
        n,
        accuracy: ratio(right, n),
        macro_f1: if per_class.is_empty() {
            0.0
        } else {
            f1_sum / per_class.len() as f64
        },
        per_class,
        confusion: Confusion { labels, matrix },
        threshold: model.threshold(),
        coverage: ratio(confident, n),
        confident_accuracy: ratio(confident_right, confident),
        calibration_error,
        unknown_categories: unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::TrainOptions;

    #[test]
    fn the_figures_follow_the_confusion_matrix() {
        let mut train = Vec::new();
        for i in 0..10 {
            train.push(Example::raw("", &format!("路灯 井盖 {i}"), "城乡建设"));
            train.push(Example::raw(
                "",
                &format!("社保 工资 {i}"),
                "劳动和社会保障",
            ));
        }
        let model = Classifier::train(&train, &TrainOptions::default()).unwrap();
        let test = vec![
            Example::raw("", "路灯坏了", "城乡建设"),
            Example::raw("", "社保断缴", "劳动和社会保障"),
            // Labelled as something the model never saw: always wrong.
            Example::raw("", "路灯", "交通运输"),
        ];
        let m = evaluate(&model, &test);
        assert_eq!(m.n, 3);
        assert!((m.accuracy - 2.0 / 3.0).abs() < 1e-9, "{m:?}");
        assert_eq!(m.unknown_categories, ["交通运输"]);
        assert_eq!(m.confusion.labels.len(), 3);
        let total: usize = m.confusion.matrix.iter().flatten().sum();
        assert_eq!(total, 3);
        let unseen = &m.per_class["交通运输"];
        assert_eq!((unseen.recall, unseen.support), (0.0, 1));
        // 城乡建设 is predicted twice, right once.
        assert!((m.per_class["城乡建设"].precision - 0.5).abs() < 1e-9);
    }
}
