//! Multinomial logistic regression over sparse TF-IDF vectors, trained by stochastic
//! gradient descent.
//!
//! Written here rather than taken from linfa: linfa's logistic regression is dense
//! (an `ndarray` of documents × features would be 8,733 × 500,000 floats) and its
//! sparse SVM gives no probabilities. This is the textbook algorithm, as scikit-learn's
//! `SGDClassifier(loss="log_loss")` runs it: the "optimal" step size `1 / (α (t + t₀))`,
//! L2 regularisation applied lazily through one scale factor (so a step touches only
//! the message's own features), a slowly learned intercept, and classes weighted by
//! the inverse of their frequency so that a small category is not drowned by a large
//! one (the acceptance measures macro-F1). Its probabilities are a softmax of the
//! scores, which is what the confidence threshold for manual triage reads.

use rand::{seq::SliceRandom as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::features::SparseVec;

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Passes over the training messages.
    pub epochs: usize,
    /// L2 regularisation strength.
    pub alpha: f32,
    /// Weight each class by `n / (classes · n_class)`.
    pub balanced: bool,
    /// The shuffling seed: the same data and seed train the same model.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            epochs: 20,
            alpha: 1e-5,
            balanced: true,
            seed: 1,
        }
    }
}

/// A linear model: one weight per feature and class, one intercept per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    classes: usize,
    /// Feature-major: the weights of feature `f` are `weights[f * classes..][..classes]`.
    weights: Vec<f32>,
    intercepts: Vec<f32>,
}

/// The intercepts learn at a hundredth of the weights' rate (as scikit-learn does for
/// sparse data): every message touches them, and they would swing otherwise.
const INTERCEPT_RATE: f32 = 0.01;

impl Linear {
    /// Trains on `xs` labelled `ys` (class indices below `classes`), with `features`
    /// the vocabulary's size.
    pub fn train(
        xs: &[SparseVec],
        ys: &[usize],
        classes: usize,
        features: usize,
        opts: &TrainOptions,
    ) -> Linear {
        assert_eq!(xs.len(), ys.len(), "one label per message");
        let mut v = vec![0f32; features * classes];
        let mut intercepts = vec![0f32; classes];
        let mut scale = 1f32;
        let alpha = opts.alpha;
        let class_weight: Vec<f32> = {
            let mut counts = vec![0usize; classes];
            ys.iter().for_each(|&y| counts[y] += 1);
            counts
                .iter()
                .map(|&c| match (opts.balanced, c) {
                    (true, c) if c > 0 => xs.len() as f32 / (classes as f32 * c as f32),
                    _ => 1.0,
                })
                .collect()
        };
        // scikit-learn's "optimal" schedule: t₀ makes the first step the size of a
        // typical weight, 1/√α^½.
        let typical = (1.0 / alpha.sqrt()).sqrt();
        let t0 = 1.0 / (typical * alpha);
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut t = 0f32;
        let mut p = vec![0f32; classes];
        // The average of the weights at the end of each epoch of the second half: with
        // the large steps of this schedule the last step decides too much, above all
        // on a small training set.
        let averaged_from = opts.epochs / 2;
        let mut avg_w = vec![0f32; features * classes];
        let mut avg_b = vec![0f32; classes];
        let mut snapshots = 0f32;
        for epoch in 0..opts.epochs {
            order.shuffle(&mut rng);
            for &i in &order {
                let eta = 1.0 / (alpha * (t0 + t));
                t += 1.0;
                let x = &xs[i];
                scores_into(&v, scale, &intercepts, classes, x, &mut p);
                softmax(&mut p);
                let w = class_weight[ys[i]];
                // The gradient of the log loss for class k is (p_k − [k = y]) · x.
                for (k, pk) in p.iter_mut().enumerate() {
                    *pk = w * (*pk - if k == ys[i] { 1.0 } else { 0.0 });
                }
                scale *= 1.0 - eta * alpha;
                let step = eta / scale;
                for (&f, &xf) in x.idx.iter().zip(&x.val) {
                    let row = &mut v[f as usize * classes..][..classes];
                    for (vk, gk) in row.iter_mut().zip(&p) {
                        *vk -= step * gk * xf;
                    }
                }
                for (b, gk) in intercepts.iter_mut().zip(&p) {
                    *b -= eta * INTERCEPT_RATE * gk;
                }
                if scale < 1e-6 {
                    v.iter_mut().for_each(|vk| *vk *= scale);
                    scale = 1.0;
                }
            }
            if epoch >= averaged_from {
                avg_w
                    .iter_mut()
                    .zip(&v)
                    .for_each(|(a, vk)| *a += vk * scale);
                avg_b.iter_mut().zip(&intercepts).for_each(|(a, b)| *a += b);
                snapshots += 1.0;
            }
        }
        avg_w.iter_mut().for_each(|a| *a /= snapshots);
        avg_b.iter_mut().for_each(|a| *a /= snapshots);
        Linear {
            classes,
            weights: avg_w,
            intercepts: avg_b,
        }
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The probability of each class for `x`.
    pub fn probabilities(&self, x: &SparseVec) -> Vec<f32> {
        let mut p = vec![0f32; self.classes];
        scores_into(
            &self.weights,
            1.0,
            &self.intercepts,
            self.classes,
            x,
            &mut p,
        );
        softmax(&mut p);
        p
    }
}

fn scores_into(
    v: &[f32],
    scale: f32,
    intercepts: &[f32],
    classes: usize,
    x: &SparseVec,
    out: &mut [f32],
) {
    out.fill(0.0);
    for (&f, &xf) in x.idx.iter().zip(&x.val) {
        for (o, vk) in out.iter_mut().zip(&v[f as usize * classes..][..classes]) {
            *o += vk * xf;
        }
    }
    for (o, b) in out.iter_mut().zip(intercepts) {
        *o = *o * scale + b;
    }
}

fn softmax(s: &mut [f32]) {
    let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    s.iter_mut().for_each(|v| *v /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(pairs: &[(u32, f32)]) -> SparseVec {
        SparseVec {
            idx: pairs.iter().map(|p| p.0).collect(),
            val: pairs.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn separable_classes_are_learned_with_confidence() {
        // Feature 0 means class 0, feature 1 class 1, feature 2 class 2; 3 is noise.
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..60 {
            let c = i % 3;
            xs.push(x(&[(c as u32, 0.9), (3, 0.43)]));
            ys.push(c);
        }
        // Separable and tiny: only regularisation keeps the noise feature's weights
        // small, so this test asks for more of it than 8,000 messages need.
        let opts = TrainOptions {
            alpha: 1e-3,
            ..TrainOptions::default()
        };
        let m = Linear::train(&xs, &ys, 3, 4, &opts);
        for c in 0..3 {
            let p = m.probabilities(&x(&[(c as u32, 1.0)]));
            let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            assert_eq!(best, c, "{p:?}");
            assert!(p[c] > 0.8, "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        // Only the noise feature: no class is sure.
        let p = m.probabilities(&x(&[(3, 1.0)]));
        assert!(p.iter().all(|&v| v < 0.6), "{p:?}");
    }
}
