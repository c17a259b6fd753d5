//! One-vs-rest linear support vector machines over sparse TF-IDF vectors, and a
//! calibrated confidence.
//!
//! Each class has a linear SVM against all the others (squared hinge loss, L2
//! regularisation, an intercept learned as the weight of a constant feature), trained
//! by dual coordinate descent as liblinear does it (Hsieh et al., "A Dual Coordinate
//! Descent Method for Large-scale Linear SVM", ICML 2008; liblinear's solver 1, with
//! its shrinking). Written here rather than taken from a crate: no well-kept Rust crate
//! has a sparse linear SVM (linfa-svm is a kernel SMO solver, dense and slow on
//! 8,000 × 500,000 features), and the solver is fifty lines. Classes are weighted by
//! `n / (classes · n_class)` so that a small category is not drowned by a large one (the
//! acceptance measures macro-F1), and each message by its own weight (raw messages,
//! which look like what the model will read, count more than a segmented export).
//!
//! An SVM's scores are not probabilities. The confidence that the manual-triage
//! threshold reads is a softmax of the scores at a temperature, with the top class's
//! term raised by a boost, both fitted (by log loss) on held-out folds: each fifth of
//! the training messages scored by the SVMs trained on the other four, so that the
//! scores are those of messages the model did not learn from, which are less sure than
//! its own training messages'. The boost lets the fit say "the top class is right more
//! often than a flat softmax of close scores says, and less often than a steep one of
//! far scores says" — what the raw messages showed. The folds' SVMs run in the same
//! pool of threads as the model's, one class a job.

use rand::{seq::SliceRandom as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::features::SparseVec;

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The most passes the solver makes over the training messages for each class; it
    /// stops sooner when the optimality conditions hold within `tolerance` (on the
    /// shared messages after 20 to 80 passes).
    pub epochs: usize,
    /// The SVM's C: the cost of a margin violation against the weights' length.
    pub c: f32,
    /// Weight each class by `n / (classes · n_class)`.
    pub balanced: bool,
    /// The weight of a raw message (one with a `body`) against a segmented one.
    pub raw_weight: f32,
    /// The solver's stopping tolerance on the projected gradient.
    pub tolerance: f32,
    /// Folds of cross-validation to fit the confidence's temperature on (below 2: no
    /// fitting, temperature 1).
    pub calibration_folds: usize,
    /// The shuffling seed: the same data and seed train the same model.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            epochs: 200,
            c: 1.0,
            balanced: true,
            raw_weight: 3.0,
            tolerance: 0.01,
            calibration_folds: 5,
            seed: 1,
        }
    }
}

/// A linear model: one weight per feature and class, one intercept per class, and the
/// temperature of its scores' softmax.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    classes: usize,
    /// Feature-major: the weights of feature `f` are `weights[f * classes..][..classes]`.
    weights: Vec<f32>,
    intercepts: Vec<f32>,
    /// The confidence is `softmax(scores / temperature + boost · [the top class])`.
    temperature: f32,
    boost: f32,
}

/// The top class's boost stays within this.
const MAX_BOOST: f32 = 5.0;

/// The calibrated temperature stays within these (a tiny, separable training set
/// would push it to zero: every answer certain).
const TEMPERATURE: (f32, f32) = (0.02, 100.0);

impl Linear {
    /// Trains on `xs` labelled `ys` (class indices below `classes`), each message
    /// weighing `weights[i]` in training and `calibration[i]` in the temperature's fit,
    /// with `features` the vocabulary's size.
    pub fn train(
        xs: &[SparseVec],
        ys: &[usize],
        weights: &[f32],
        calibration: &[f32],
        classes: usize,
        features: usize,
        opts: &TrainOptions,
    ) -> Linear {
        assert_eq!(xs.len(), ys.len(), "one label per message");
        assert_eq!(xs.len(), weights.len(), "one weight per message");
        assert_eq!(xs.len(), calibration.len(), "one weight per message");
        let n = xs.len();
        let folds = if opts.calibration_folds >= 2 && n >= 2 * opts.calibration_folds {
            opts.calibration_folds
        } else {
            0
        };
        let fold = stratified_folds(ys, folds, opts.seed);
        // The sets of messages to learn from: all of them (the model), then all but
        // each fold (to score the fold for the calibration).
        let sets: Vec<Vec<usize>> = std::iter::once((0..n).collect())
            .chain((0..folds).map(|f| (0..n).filter(|&i| fold[i] != f).collect()))
            .collect();
        let held_out = |set: usize, i: usize| set > 0 && fold[i] == set - 1 && calibration[i] > 0.0;
        // One job a set and class, shared between threads, the model's first (the
        // folds' are only scored, so their weights are not kept).
        let jobs: Vec<(usize, usize)> = (0..sets.len())
            .flat_map(|set| (0..classes).map(move |k| (set, k)))
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, jobs.len().max(1));
        let done: Vec<Solved> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut out = Vec::new();
                        while let Some(&(set, k)) =
                            jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                        {
                            let rows = &sets[set];
                            let seed = opts.seed.wrapping_add((set * classes + k) as u64);
                            let (w, b) = one_vs_rest(
                                xs, ys, weights, rows, k, classes, features, opts, seed,
                            );
                            out.push(if set == 0 {
                                Solved::Model(k, w, b)
                            } else {
                                let scores = (0..n)
                                    .filter(|&i| held_out(set, i))
                                    .map(|i| (i, dot(&w, b, &xs[i])))
                                    .collect();
                                Solved::Scores(k, scores)
                            });
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a solver thread panicked"))
                .collect()
        });
        let mut model = Linear {
            classes,
            weights: vec![0f32; features * classes],
            intercepts: vec![0f32; classes],
            temperature: 1.0,
            boost: 0.0,
        };
        let mut scores: Vec<Vec<f32>> = vec![Vec::new(); if folds > 0 { n } else { 0 }];
        for solved in done {
            match solved {
                Solved::Model(k, w, b) => {
                    for (f, wf) in w.into_iter().enumerate() {
                        model.weights[f * classes + k] = wf as f32;
                    }
                    model.intercepts[k] = b as f32;
                }
                Solved::Scores(k, held) => {
                    for (i, s) in held {
                        scores[i].resize(classes, 0.0);
                        scores[i][k] = s;
                    }
                }
            }
        }
        let held_out: Vec<(Vec<f32>, usize, f32)> = scores
            .into_iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(i, s)| (s, ys[i], calibration[i]))
            .collect();
        if !held_out.is_empty() {
            (model.temperature, model.boost) = fit_calibration(&held_out);
        }
        model
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// How many weights it has.
    pub fn weights(&self) -> usize {
        self.weights.len()
    }

    /// Whether it has a weight for each class of each of `features` features, and an
    /// intercept for each class.
    pub fn fits(&self, features: usize) -> bool {
        self.weights.len() == features * self.classes && self.intercepts.len() == self.classes
    }

    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    pub fn boost(&self) -> f32 {
        self.boost
    }

    /// Each class's SVM score for `x`.
    pub fn scores(&self, x: &SparseVec) -> Vec<f32> {
        let mut out = self.intercepts.clone();
        for (&f, &xf) in x.idx.iter().zip(&x.val) {
            let Some(row) = self.weights.get(f as usize * self.classes..) else {
                continue;
            };
            for (o, w) in out.iter_mut().zip(&row[..self.classes]) {
                *o += w * xf;
            }
        }
        out
    }

    /// The probability of each class for `x`.
    pub fn probabilities(&self, x: &SparseVec) -> Vec<f32> {
        let mut p = self.scores(x);
        softmax(&mut p, 1.0 / self.temperature, self.boost);
        p
    }
}

/// What a training job gives back: a class's weights and intercept for the model,
/// or a class's scores of a held-out fold (message, score).
enum Solved {
    Model(usize, Vec<f64>, f64),
    Scores(usize, Vec<(usize, f32)>),
}

/// `w · x + b`.
fn dot(w: &[f64], b: f64, x: &SparseVec) -> f32 {
    x.idx
        .iter()
        .zip(&x.val)
        .fold(b, |acc, (&f, &v)| acc + w[f as usize] * f64::from(v)) as f32
}

/// Class `k` against the rest on the messages `rows`, each costing `C` times its
/// weight times its class's weight.
#[allow(clippy::too_many_arguments)]
fn one_vs_rest(
    xs: &[SparseVec],
    ys: &[usize],
    weights: &[f32],
    rows: &[usize],
    k: usize,
    classes: usize,
    features: usize,
    opts: &TrainOptions,
    seed: u64,
) -> (Vec<f64>, f64) {
    let mut counts = vec![0usize; classes];
    rows.iter().for_each(|&i| counts[ys[i]] += 1);
    let class_weight: Vec<f64> = counts
        .iter()
        .map(|&c| match (opts.balanced, c) {
            (true, c) if c > 0 => rows.len() as f64 / (classes as f64 * c as f64),
            _ => 1.0,
        })
        .collect();
    let cost: Vec<f64> = rows
        .iter()
        .map(|&i| f64::from(opts.c) * f64::from(weights[i]) * class_weight[ys[i]])
        .collect();
    let positive: Vec<bool> = rows.iter().map(|&i| ys[i] == k).collect();
    solve(xs, rows, &positive, &cost, features, opts, seed)
}

/// One class against the rest: dual coordinate descent for the L2-regularised,
/// squared-hinge-loss SVM, `min ½‖w‖² + Σ Cᵢ max(0, 1 − yᵢ w·xᵢ)²` (liblinear's
/// `solve_l2r_l1l2_svc` for the L2 loss: no upper bound on the dual variables, and a
/// diagonal `1 / (2 Cᵢ)` added to the Hessian). The intercept is the weight of a
/// constant feature 1 (regularised with the others, as liblinear's). Returns the weights
/// and the intercept.
fn solve(
    xs: &[SparseVec],
    rows: &[usize],
    positive: &[bool],
    cost: &[f64],
    features: usize,
    opts: &TrainOptions,
    seed: u64,
) -> (Vec<f64>, f64) {
    let l = rows.len();
    let mut w = vec![0f64; features];
    let mut b = 0f64;
    let mut alpha = vec![0f64; l];
    let diag: Vec<f64> = cost.iter().map(|c| 0.5 / c.max(1e-12)).collect();
    let qd: Vec<f64> = rows
        .iter()
        .zip(&diag)
        .map(|(&i, d)| f64::from(xs[i].norm2()) + 1.0 + d)
        .collect();
    let y = |j: usize| if positive[j] { 1.0 } else { -1.0 };
    let eps = f64::from(opts.tolerance);
    let mut index: Vec<usize> = (0..l).collect();
    let mut active = l;
    // Shrinking: a variable at its bound (0: the L2 loss has no upper one) whose
    // gradient points out of the feasible set by more than last pass's largest
    // violation is set aside until the rest converge.
    let mut pg_max_old = f64::INFINITY;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..opts.epochs.max(1) {
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        index[..active].shuffle(&mut rng);
        let mut s = 0;
        while s < active {
            let j = index[s];
            let x = &xs[rows[j]];
            let yj = y(j);
            let dot = x
                .idx
                .iter()
                .zip(&x.val)
                .fold(b, |acc, (&f, &v)| acc + w[f as usize] * f64::from(v));
            let g = yj * dot - 1.0 + alpha[j] * diag[j];
            let pg = if alpha[j] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[j];
                alpha[j] = (old - g / qd[j]).max(0.0);
                let d = (alpha[j] - old) * yj;
                for (&f, &v) in x.idx.iter().zip(&x.val) {
                    w[f as usize] += d * f64::from(v);
                }
                b += d;
            }
            s += 1;
        }
        if pg_max - pg_min <= eps {
            if active == l {
                break;
            }
            // Converged on the active set: check every variable again.
            active = l;
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    (w, b)
}

/// Each message's fold, `0..folds`, stratified: shuffled, then each class's messages
/// dealt round the folds.
fn stratified_folds(ys: &[usize], folds: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0usize; ys.len()];
    if folds == 0 {
        return fold;
    }
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x5EED));
    order.sort_by_key(|&i| ys[i]);
    for (n, &i) in order.iter().enumerate() {
        fold[i] = n % folds;
    }
    fold
}

/// The calibration minimising the weighted log loss of `(scores, class, weight)`:
/// the temperature and the top class's boost. The loss is convex in the inverse
/// temperature and the boost together, so golden-section searches (over the boost,
/// and for each boost over the inverse temperature's logarithm) find the minimum
/// within the bounds.
fn fit_calibration(held_out: &[(Vec<f32>, usize, f32)]) -> (f32, f32) {
    let loss = |log_beta: f64, boost: f64| -> f64 {
        let beta = log_beta.exp();
        held_out
            .iter()
            .map(|(s, y, w)| {
                let top = argmax(s);
                let z =
                    |k: usize| beta * f64::from(s[k] - s[top]) + if k == top { boost } else { 0.0 };
                let sum: f64 = (0..s.len()).map(|k| z(k).exp()).sum();
                f64::from(*w) * (sum.ln() - z(*y))
            })
            .sum()
    };
    let (lo, hi) = (
        (1.0 / f64::from(TEMPERATURE.1)).ln(),
        (1.0 / f64::from(TEMPERATURE.0)).ln(),
    );
    let log_beta = |boost: f64| golden(|lb| loss(lb, boost), lo, hi, 40);
    let boost = golden(|g| loss(log_beta(g), g), 0.0, f64::from(MAX_BOOST), 30);
    ((1.0 / log_beta(boost).exp()) as f32, boost as f32)
}

/// The minimum of a unimodal `f` between `lo` and `hi`, to within `(hi − lo) · 0.618ⁿ`.
fn golden(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, iterations: usize) -> f64 {
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - phi * (hi - lo);
    let mut b = lo + phi * (hi - lo);
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..iterations {
        if fa <= fb {
            hi = b;
            (b, fb) = (a, fa);
            a = hi - phi * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            (a, fa) = (b, fb);
            b = lo + phi * (hi - lo);
            fb = f(b);
        }
    }
    (lo + hi) / 2.0
}

/// The index of the largest of `s` (the first of equals).
fn argmax(s: &[f32]) -> usize {
    s.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (k, &v)| {
            if v > best.1 {
                (k, v)
            } else {
                best
            }
        })
        .0
}

/// `s` scaled by `beta`, the largest raised by `boost`, then normalised to
/// probabilities.
fn softmax(s: &mut [f32], beta: f32, boost: f32) {
    let top = argmax(s);
    let max = s[top];
    let mut sum = 0.0;
    for (k, v) in s.iter_mut().enumerate() {
        *v = ((*v - max) * beta + if k == top { boost } else { 0.0 }).exp();
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
        let weights = vec![1.0; xs.len()];
        let m = Linear::train(&xs, &ys, &weights, &weights, 3, 4, &TrainOptions::default());
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

    #[test]
    fn the_solver_reaches_the_svm_margin() {
        // Two points, one a class: w·x + b = ±1 at the optimum (up to the regulariser).
        let xs = [x(&[(0, 1.0)]), x(&[(1, 1.0)])];
        let rows = [0, 1];
        let opts = TrainOptions {
            epochs: 1000,
            tolerance: 1e-6,
            c: 100.0,
            ..TrainOptions::default()
        };
        let (w, b) = solve(&xs, &rows, &[true, false], &[100.0, 100.0], 2, &opts, 1);
        let s0 = w[0] + b;
        let s1 = w[1] + b;
        assert!(
            (s0 - 1.0).abs() < 0.02 && (s1 + 1.0).abs() < 0.02,
            "{w:?} {b}"
        );
    }

    #[test]
    fn the_confidence_follows_how_often_the_top_score_is_right() {
        // The top score is right three times in four whatever the margin: the fitted
        // confidence is about 75 % at every margin (the boost carries it, and the
        // temperature flattens the margins' differences).
        let held_out: Vec<(Vec<f32>, usize, f32)> = (0..800)
            .map(|i| {
                let margin = if i % 8 < 4 { 2.0 } else { 0.2 };
                (vec![margin, -margin], usize::from(i % 4 == 0), 1.0)
            })
            .collect();
        let (t, boost) = fit_calibration(&held_out);
        for margin in [2.0, 0.2] {
            let mut p = vec![margin, -margin];
            softmax(&mut p, 1.0 / t, boost);
            assert!((p[0] - 0.75).abs() < 0.02, "{t} {boost} {p:?}");
        }
        assert!(boost > 0.5, "{boost}");
    }
}
