//! Clipping to the buffered tile square, in tile units.
//!
//! Hand-written because the shapes are simple and the cut is always against an
//! axis-aligned square: Sutherland–Hodgman for rings and Liang–Barsky for line segments
//! are a few lines each and far cheaper than geo's general boolean operations. A concave
//! ring clipped this way may keep zero-width slivers along the square's edge; they lie in
//! the buffer, which is never drawn.

use geo::Coord;

/// The square `lo..=hi` on both axes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClipSquare {
    pub lo: f64,
    pub hi: f64,
}

#[derive(Debug, Clone, Copy)]
enum Edge {
    Left,
    Right,
    Top,
    Bottom,
}

impl ClipSquare {
    pub(crate) fn contains(&self, c: Coord<f64>) -> bool {
        (self.lo..=self.hi).contains(&c.x) && (self.lo..=self.hi).contains(&c.y)
    }

    fn inside(&self, edge: Edge, c: Coord<f64>) -> bool {
        match edge {
            Edge::Left => c.x >= self.lo,
            Edge::Right => c.x <= self.hi,
            Edge::Top => c.y >= self.lo,
            Edge::Bottom => c.y <= self.hi,
        }
    }

    /// Where the segment `a → b`, which crosses `edge`, meets it.
    fn crossing(&self, edge: Edge, a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
        let at_x = |x: f64| Coord {
            x,
            y: a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x),
        };
        let at_y = |y: f64| Coord {
            x: a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y),
            y,
        };
        match edge {
            Edge::Left => at_x(self.lo),
            Edge::Right => at_x(self.hi),
            Edge::Top => at_y(self.lo),
            Edge::Bottom => at_y(self.hi),
        }
    }

    /// Clips a closed ring; the result is closed, or empty when nothing is left.
    pub(crate) fn ring(&self, ring: &[Coord<f64>]) -> Vec<Coord<f64>> {
        let open = match ring {
            [first, .., last] if first == last => &ring[..ring.len() - 1],
            _ => ring,
        };
        let mut points = open.to_vec();
        for edge in [Edge::Left, Edge::Right, Edge::Top, Edge::Bottom] {
            let Some(&last) = points.last() else { break };
            let mut out = Vec::with_capacity(points.len() + 4);
            let mut prev = last;
            for &cur in &points {
                match (self.inside(edge, prev), self.inside(edge, cur)) {
                    (true, true) => out.push(cur),
                    (true, false) => out.push(self.crossing(edge, prev, cur)),
                    (false, true) => {
                        out.push(self.crossing(edge, prev, cur));
                        out.push(cur);
                    }
                    (false, false) => {}
                }
                prev = cur;
            }
            points = out;
        }
        if let Some(&first) = points.first() {
            points.push(first);
        }
        points
    }

    /// Clips a line; each part that lies in the square becomes one line of the result.
    pub(crate) fn line(&self, line: &[Coord<f64>]) -> Vec<Vec<Coord<f64>>> {
        let mut parts = Vec::new();
        let mut part: Vec<Coord<f64>> = Vec::new();
        for w in line.windows(2) {
            let Some((a, b)) = self.segment(w[0], w[1]) else {
                flush(&mut parts, &mut part);
                continue;
            };
            if part.last() != Some(&a) {
                flush(&mut parts, &mut part);
                part.push(a);
            }
            part.push(b);
            if b != w[1] {
                // The line leaves the square here.
                flush(&mut parts, &mut part);
            }
        }
        flush(&mut parts, &mut part);
        parts
    }

    /// Liang–Barsky: the part of `a → b` inside the square, if any. Ends that lie inside
    /// are returned exactly as given, so consecutive segments join up.
    fn segment(&self, a: Coord<f64>, b: Coord<f64>) -> Option<(Coord<f64>, Coord<f64>)> {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [
            (-dx, a.x - self.lo),
            (dx, self.hi - a.x),
            (-dy, a.y - self.lo),
            (dy, self.hi - a.y),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        if t0 > t1 {
            return None;
        }
        let at = |t: f64| Coord {
            x: a.x + t * dx,
            y: a.y + t * dy,
        };
        let start = if t0 > 0.0 { at(t0) } else { a };
        let end = if t1 < 1.0 { at(t1) } else { b };
        Some((start, end))
    }
}

fn flush(parts: &mut Vec<Vec<Coord<f64>>>, part: &mut Vec<Coord<f64>>) {
    if part.len() >= 2 {
        parts.push(std::mem::take(part));
    } else {
        part.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: ClipSquare = ClipSquare { lo: 0.0, hi: 10.0 };

    fn coords(pairs: &[(f64, f64)]) -> Vec<Coord<f64>> {
        pairs.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    #[test]
    fn a_ring_inside_is_kept_whole_and_one_outside_vanishes() {
        let inside = coords(&[(1.0, 1.0), (5.0, 1.0), (5.0, 5.0), (1.0, 1.0)]);
        assert_eq!(SQUARE.ring(&inside), inside);
        let outside = coords(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0), (20.0, 20.0)]);
        assert!(SQUARE.ring(&outside).is_empty());
    }

    #[test]
    fn a_ring_larger_than_the_square_becomes_the_square() {
        let big = coords(&[
            (-5.0, -5.0),
            (15.0, -5.0),
            (15.0, 15.0),
            (-5.0, 15.0),
            (-5.0, -5.0),
        ]);
        let clipped = SQUARE.ring(&big);
        assert_eq!(clipped.first(), clipped.last());
        assert!(clipped.iter().all(|c| SQUARE.contains(*c)));
        let area: f64 = clipped
            .windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            / 2.0;
        assert_eq!(area.abs(), 100.0);
    }

    #[test]
    fn a_line_that_leaves_and_comes_back_becomes_two_parts() {
        let line = coords(&[(1.0, 5.0), (5.0, 5.0), (15.0, 5.0), (15.0, 8.0), (5.0, 8.0)]);
        assert_eq!(
            SQUARE.line(&line),
            vec![
                coords(&[(1.0, 5.0), (5.0, 5.0), (10.0, 5.0)]),
                coords(&[(10.0, 8.0), (5.0, 8.0)]),
            ]
        );
        assert!(SQUARE.line(&coords(&[(11.0, 0.0), (20.0, 5.0)])).is_empty());
    }
}
