//! Balanced k-means: groups of neighbouring cells of chosen sizes.
//!
//! Plain Lloyd iterations give compact groups but let their sizes drift apart; here each
//! centre also carries an additive bias (the assignment is a power diagram), and each
//! round the bias of an undersized group grows and that of an oversized group shrinks,
//! until the groups have about the sizes asked for. Ties break by index, so the result
//! depends on the input alone.

/// Assigns each point to one of `seeds.len()` groups, the groups' total weights in
/// proportion to `shares` (equal if `None`); returns the group of each point.
pub(crate) fn balanced_kmeans(
    points: &[(f64, f64)],
    weights: &[f64],
    seeds: &[(f64, f64)],
    shares: Option<&[f64]>,
    rounds: usize,
) -> Vec<usize> {
    let k = seeds.len();
    let n = points.len();
    if k <= 1 || n == 0 {
        return vec![0; n];
    }
    let total: f64 = weights.iter().sum();
    let share_sum: f64 = shares.map_or(k as f64, |s| s.iter().sum());
    let targets: Vec<f64> = (0..k)
        .map(|c| total * shares.map_or(1.0, |s| s[c]) / share_sum)
        .collect();
    // The bias is in squared metres; scale its steps by the area one group covers.
    let (minx, maxx, miny, maxy) = points.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
    );
    let spread = ((maxx - minx).max(1.0) * (maxy - miny).max(1.0)) / k as f64;
    let mut centres = seeds.to_vec();
    let mut bias = vec![0.0; k];
    let mut assign = vec![0usize; n];
    for round in 0..rounds {
        for (p, a) in points.iter().zip(assign.iter_mut()) {
            let mut best = (f64::INFINITY, 0);
            for (c, (centre, b)) in centres.iter().zip(&bias).enumerate() {
                let cost = (p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2) - b;
                if cost < best.0 {
                    best = (cost, c);
                }
            }
            *a = best.1;
        }
        let mut sums = vec![(0.0, 0.0, 0.0); k];
        for ((p, w), &a) in points.iter().zip(weights).zip(&assign) {
            sums[a].0 += p.0 * w;
            sums[a].1 += p.1 * w;
            sums[a].2 += w;
        }
        // Let the centres settle first, then move them less as the sizes are balanced.
        let step = if round < rounds / 4 { 0.1 } else { 0.4 };
        for (((centre, b), &(sx, sy, sw)), target) in
            centres.iter_mut().zip(&mut bias).zip(&sums).zip(&targets)
        {
            if sw > 0.0 {
                *centre = (sx / sw, sy / sw);
            }
            *b += step * spread * (target - sw) / target;
        }
    }
    // An empty group would leave a unit without cells: give it the point nearest its centre.
    for (c, centre) in centres.iter().enumerate() {
        if !assign.contains(&c) {
            let mut counts = vec![0usize; k];
            for &a in &assign {
                counts[a] += 1;
            }
            let nearest = (0..n).filter(|&i| counts[assign[i]] > 1).min_by(|&i, &j| {
                let d = |p: (f64, f64)| (p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2);
                d(points[i]).total_cmp(&d(points[j])).then(i.cmp(&j))
            });
            if let Some(i) = nearest {
                assign[i] = c;
            }
        }
    }
    assign
}

/// Assigns each point to the nearest of `sites` (which stay put), each site's pull
/// weighted by a bias that balances the groups' total weights toward `shares`, as far as
/// geography allows: the biases of two sites may differ by at most `slack` times their
/// squared distance. With `slack < 1` every site keeps the ground around itself (a site
/// lies in its own group), and the groups are convex cells of a power diagram, so each is
/// one piece wherever the region the points cover is. Shares are thus soft targets: a
/// group whose site is crowded by its neighbours stays smaller than asked.
pub(crate) fn anchored_power_diagram(
    points: &[(f64, f64)],
    weights: &[f64],
    sites: &[(f64, f64)],
    shares: &[f64],
    slack: f64,
    rounds: usize,
) -> Vec<usize> {
    let k = sites.len();
    let n = points.len();
    if k <= 1 || n == 0 {
        return vec![0; n];
    }
    let total: f64 = weights.iter().sum();
    let share_sum: f64 = shares.iter().sum();
    let targets: Vec<f64> = shares.iter().map(|s| total * s / share_sum).collect();
    let d2 = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2);
    // The most each pair's biases may differ.
    let caps: Vec<Vec<f64>> = sites
        .iter()
        .map(|&a| sites.iter().map(|&b| slack * d2(a, b)).collect())
        .collect();
    let nearest = caps
        .iter()
        .enumerate()
        .flat_map(|(i, row)| row.iter().enumerate().filter(move |&(j, _)| j != i))
        .map(|(_, &c)| c)
        .fold(f64::INFINITY, f64::min);
    let assign_all = |bias: &[f64], assign: &mut [usize]| {
        for (p, a) in points.iter().zip(assign.iter_mut()) {
            let mut best = (f64::INFINITY, 0);
            for (c, (&site, b)) in sites.iter().zip(bias).enumerate() {
                let cost = d2(*p, site) - b;
                if cost < best.0 {
                    best = (cost, c);
                }
            }
            *a = best.1;
        }
    };
    let mut bias = vec![0.0; k];
    let mut assign = vec![0usize; n];
    for round in 0..rounds {
        assign_all(&bias, &mut assign);
        let mut sums = vec![0.0; k];
        for (w, &a) in weights.iter().zip(&assign) {
            sums[a] += w;
        }
        // Steps shrink as the rounds go, so the biases settle.
        let step = nearest * (1.0 - round as f64 / rounds as f64);
        for ((b, &sw), &target) in bias.iter_mut().zip(&sums).zip(&targets) {
            *b += step * ((target - sw) / target).clamp(-1.0, 1.0);
        }
        // Keep every pair within its cap: pull the two ends of a stretched pair together.
        for _ in 0..20 {
            let mut moved = false;
            for i in 0..k {
                for j in 0..k {
                    let excess = bias[i] - bias[j] - caps[i][j];
                    if excess > 0.0 {
                        bias[i] -= excess / 2.0;
                        bias[j] += excess / 2.0;
                        moved = true;
                    }
                }
            }
            if !moved {
                break;
            }
        }
        // Only differences matter; keep the biases centred so they do not drift.
        let mean = bias.iter().sum::<f64>() / k as f64;
        for b in &mut bias {
            *b -= mean;
        }
    }
    assign_all(&bias, &mut assign);
    assign
}

/// `k` seeds spread over the points: the point farthest from their centroid, then each
/// next the point farthest from the seeds so far.
pub(crate) fn spread_seeds(points: &[(f64, f64)], k: usize) -> Vec<(f64, f64)> {
    if points.is_empty() || k == 0 {
        return Vec::new();
    }
    let n = points.len() as f64;
    let c = points
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let d2 = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2);
    let farthest = |from: &dyn Fn((f64, f64)) -> f64| {
        let mut best = (f64::MIN, 0);
        for (i, &p) in points.iter().enumerate() {
            let d = from(p);
            if d > best.0 {
                best = (d, i);
            }
        }
        points[best.1]
    };
    let mut seeds = vec![farthest(&|p| d2(p, c))];
    while seeds.len() < k.min(points.len()) {
        let s = seeds.clone();
        seeds.push(farthest(&|p| {
            s.iter().map(|&q| d2(p, q)).fold(f64::INFINITY, f64::min)
        }));
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_about_equal_even_from_crowded_seeds() {
        let points: Vec<(f64, f64)> = (0..400)
            .map(|i| ((i % 20) as f64 * 100.0, (i / 20) as f64 * 100.0))
            .collect();
        let weights = vec![1.0; points.len()];
        let seeds = [(0.0, 0.0), (100.0, 0.0), (0.0, 100.0), (1900.0, 1900.0)];
        let assign = balanced_kmeans(&points, &weights, &seeds, None, 80);
        let mut sizes = [0; 4];
        for a in assign {
            sizes[a] += 1;
        }
        for s in sizes {
            assert!((70..=130).contains(&s), "{sizes:?}");
        }
        let assign = balanced_kmeans(&points, &weights, &seeds, Some(&[1.0, 1.0, 1.0, 5.0]), 80);
        let big = assign.iter().filter(|&&a| a == 3).count();
        assert!((200..=300).contains(&big), "{big}");
    }

    #[test]
    fn anchored_groups_keep_their_sites_and_lean_toward_their_shares() {
        let points: Vec<(f64, f64)> = (0..400)
            .map(|i| {
                (
                    (i % 20) as f64 * 100.0 + 50.0,
                    (i / 20) as f64 * 100.0 + 50.0,
                )
            })
            .collect();
        let weights = vec![1.0; points.len()];
        let sites = [
            (500.0, 500.0),
            (1500.0, 500.0),
            (500.0, 1500.0),
            (1500.0, 1500.0),
        ];
        let shares = [1.0, 1.0, 1.0, 3.0];
        let assign = anchored_power_diagram(&points, &weights, &sites, &shares, 0.5, 100);
        let mut sizes = [0; 4];
        for &a in &assign {
            sizes[a] += 1;
        }
        assert!(sizes[3] > 100 && sizes.iter().all(|&s| s > 0), "{sizes:?}");
        for (c, site) in sites.iter().enumerate() {
            let nearest = (0..points.len())
                .min_by(|&i, &j| {
                    let d = |p: (f64, f64)| (p.0 - site.0).powi(2) + (p.1 - site.1).powi(2);
                    d(points[i]).total_cmp(&d(points[j]))
                })
                .unwrap();
            assert_eq!(assign[nearest], c, "site {c} keeps its own ground");
        }
        assert_eq!(
            assign,
            anchored_power_diagram(&points, &weights, &sites, &shares, 0.5, 100)
        );
    }
}
