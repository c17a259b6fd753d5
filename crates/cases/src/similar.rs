//! Duplicates: a new request near an open ticket (100 m by default) and saying much the
//! same, or about the same twin feature, is offered to the citizen to follow instead of
//! filing another (FixMyStreet's `suggest_duplicates`), and to operators to link.
//!
//! Text is compared as sets of character bigrams (Jaccard): robust to word order and
//! to segmentation, and cheap enough to run against every open ticket nearby.

use std::collections::HashSet;

use serde::Serialize;

use crate::ticket::{PlaceRef, Ticket};

/// How near an open ticket must be to be offered, in metres.
pub const DEFAULT_RADIUS_M: f64 = 100.0;
/// How alike two texts must be (Jaccard over character bigrams).
pub const MIN_SIMILARITY: f64 = 0.25;

/// The character bigrams of a text, ignoring spaces and punctuation.
pub fn bigrams(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

pub fn jaccard(a: &HashSet<(char, char)>, b: &HashSet<(char, char)>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count() as f64;
    common / (a.len() + b.len()) as f64 / (1.0 - common / (a.len() + b.len()) as f64)
}

/// A ticket offered as a duplicate, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub ticket_id: i64,
    pub distance_m: f64,
    pub similarity: f64,
    pub same_place: bool,
    pub same_family: bool,
}

/// Metres between two WGS84 points (equirectangular: exact enough within a district).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat = ((a.1 + b.1) / 2.0).to_radians();
    let dx = (a.0 - b.0) * lat.cos() * 111_320.0;
    let dy = (a.1 - b.1) * 110_574.0;
    (dx * dx + dy * dy).sqrt()
}

/// The open tickets among `nearby` that look like the same request, best first.
pub fn candidates(
    point: (f64, f64),
    text: &str,
    family: Option<&str>,
    place: Option<&PlaceRef>,
    nearby: &[Ticket],
    radius_m: f64,
) -> Vec<Candidate> {
    let mine = bigrams(text);
    let mut out: Vec<Candidate> = nearby
        .iter()
        .filter(|t| t.status.is_open())
        .filter_map(|t| {
            let distance_m = distance_m(point, (t.lon, t.lat));
            if distance_m > radius_m {
                return None;
            }
            let similarity = jaccard(&mine, &bigrams(&format!("{} {}", t.title, t.description)));
            let same_place = matches!((place, &t.place), (Some(a), Some(b)) if a.layer == b.layer && a.id == b.id);
            let same_family = family.is_some_and(|f| f == t.family);
            let alike = similarity >= MIN_SIMILARITY && family.is_none_or(|_| same_family);
            (alike || (same_place && same_family)).then_some(Candidate {
                ticket_id: t.id,
                distance_m,
                similarity,
                same_place,
                same_family,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.distance_m.total_cmp(&b.distance_m))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alike_texts_score_high_and_unlike_low() {
        let a = bigrams("莲花路口的路灯晚上不亮了");
        let b = bigrams("莲花路口路灯坏了，晚上不亮");
        let c = bigrams("公司拖欠工资三个月");
        assert!(jaccard(&a, &b) > 0.4, "{}", jaccard(&a, &b));
        assert!(jaccard(&a, &c) < 0.1, "{}", jaccard(&a, &c));
        assert_eq!(jaccard(&a, &a), 1.0);
        assert!(distance_m((114.05, 22.54), (114.05, 22.5409)) - 99.5 < 1.0);
    }
}
