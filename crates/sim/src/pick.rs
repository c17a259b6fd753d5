//! Random choice helpers shared by the stages: weighted picks, exact allocations and
//! seeded streams.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// An independent random stream per stage, so changing one stage leaves the others as they were.
pub(crate) fn stream(seed: u64, stage: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stage);
    rng
}

/// Splits `total` into parts proportional to `weights`, by largest remainder, so the
/// parts add up to `total` exactly. Ties go to the earlier index.
pub(crate) fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order
        .iter()
        .cycle()
        .take(total.saturating_sub(given) as usize)
    {
        parts[i] += 1;
    }
    parts
}

/// Picks indices in proportion to weights, by binary search on the cumulative sum.
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut acc = 0.0;
        Weighted {
            cumulative: weights
                .into_iter()
                .map(|w| {
                    acc += w.max(0.0);
                    acc
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cumulative.last().is_none_or(|&t| t <= 0.0)
    }

    pub fn pick(&self, rng: &mut impl Rng) -> usize {
        let total = *self.cumulative.last().expect("non-empty weights");
        let r = rng.gen::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= r)
            .min(self.cumulative.len() - 1)
    }
}

/// Picks from a static table of (item, weight).
pub(crate) fn pick_table<T: Copy>(rng: &mut impl Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for &(item, w) in table {
        if r < w {
            return item;
        }
        r -= w;
    }
    table[table.len() - 1].0
}

/// A bijection on `0..modulus` that scatters consecutive numbers, used to make serial
/// numbers unique without looking random-but-sequential. `modulus` must be a power of ten
/// of at least 10 (the multiplier is coprime with 2 and 5).
pub(crate) fn scatter(i: u64, modulus: u64) -> u64 {
    const A: u64 = 2_654_435_761; // odd and not a multiple of 5
    const B: u64 = 40_503;
    ((i % modulus) as u128 * A as u128 + B as u128) as u64 % modulus
}

/// A 64-bit mix of a few numbers (splitmix64), for values that must depend on a key
/// rather than on the order things are drawn in.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn largest_remainder_is_exact() {
        let parts = largest_remainder(10, &[1.0, 1.0, 1.0]);
        assert_eq!(parts.iter().sum::<u64>(), 10);
        assert_eq!(parts, vec![4, 3, 3]);
        assert_eq!(largest_remainder(7, &[0.0, 2.0]), vec![0, 7]);
    }

    #[test]
    fn scatter_is_a_bijection() {
        let seen: BTreeSet<u64> = (0..1000).map(|i| scatter(i, 1000)).collect();
        assert_eq!(seen.len(), 1000);
    }

    #[test]
    fn weighted_picks_follow_weights() {
        let w = Weighted::new([0.0, 1.0, 3.0]);
        let mut rng = stream(1, 1);
        let mut counts = [0; 3];
        for _ in 0..4000 {
            counts[w.pick(&mut rng)] += 1;
        }
        assert_eq!(counts[0], 0);
        assert!((2700..3300).contains(&counts[2]), "{counts:?}");
    }
}
