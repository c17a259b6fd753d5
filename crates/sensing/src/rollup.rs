//! Roll-ups: per stream, the min, max, sum and count of its numeric results in each
//! minute and each hour, kept as data arrives.
//!
//! Observations are folded into deltas in memory as they are stored; the deltas are
//! merged into the stored buckets every few seconds, in one transaction that also
//! records the highest observation id folded (the watermark). After a crash, the
//! observations above the watermark are folded again, so every stored observation is
//! counted in its buckets exactly once, however the process ended.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::observation::Observation;

/// The resolutions kept, in seconds.
pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const RESOLUTIONS: [i64; 2] = [MINUTE, HOUR];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RollupKey {
    pub stream: i64,
    pub resolution: i64,
    pub start: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub count: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Bucket {
    pub fn of(v: f64) -> Bucket {
        Bucket {
            count: 1,
            sum: v,
            min: v,
            max: v,
        }
    }

    pub fn merge(self, o: Bucket) -> Bucket {
        Bucket {
            count: self.count + o.count,
            sum: self.sum + o.sum,
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }

    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            self.sum / self.count as f64
        }
    }
}

/// The start of the bucket of `resolution` seconds holding `t`.
pub fn bucket_start(t: DateTime<Utc>, resolution: i64) -> DateTime<Utc> {
    let s = t.timestamp().div_euclid(resolution) * resolution;
    Utc.timestamp_opt(s, 0).single().unwrap_or(t)
}

/// Deltas not yet merged into the store.
#[derive(Debug, Default)]
pub struct Pending {
    deltas: HashMap<RollupKey, Bucket>,
    watermark: i64,
}

impl Pending {
    pub fn new(watermark: i64) -> Pending {
        Pending {
            deltas: HashMap::new(),
            watermark,
        }
    }

    /// Folds one stored observation in (those without a numeric result count only
    /// towards the watermark).
    pub fn fold(&mut self, o: &Observation) {
        self.watermark = self.watermark.max(o.id);
        let Some(v) = o.number() else { return };
        let t = o.phenomenon_time.start;
        for resolution in RESOLUTIONS {
            let key = RollupKey {
                stream: o.stream.id(),
                resolution,
                start: bucket_start(t, resolution),
            };
            self.deltas
                .entry(key)
                .and_modify(|b| *b = b.merge(Bucket::of(v)))
                .or_insert(Bucket::of(v));
        }
    }

    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    pub fn len(&self) -> usize {
        self.deltas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deltas.is_empty()
    }

    /// The pending delta of one bucket (what a query adds to the stored one).
    pub fn get(&self, key: &RollupKey) -> Option<Bucket> {
        self.deltas.get(key).copied()
    }

    /// Takes the deltas to merge, sorted (so concurrent merges lock rows in one order).
    pub fn take(&mut self) -> (Vec<(RollupKey, Bucket)>, i64) {
        let mut d: Vec<_> = self.deltas.drain().collect();
        d.sort_by_key(|(k, _)| *k);
        (d, self.watermark)
    }

    /// Puts deltas back after a failed merge.
    pub fn restore(&mut self, deltas: Vec<(RollupKey, Bucket)>) {
        for (k, b) in deltas {
            self.deltas
                .entry(k)
                .and_modify(|x| *x = x.merge(b))
                .or_insert(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{observation::Stream, time::TimeValue};

    fn obs(id: i64, at: &str, v: f64) -> Observation {
        Observation {
            id,
            stream: Stream::Datastream(9),
            phenomenon_time: TimeValue::parse(at).unwrap(),
            result_time: None,
            result: v.into(),
            result_quality: None,
            valid_time: None,
            parameters: None,
            foi: None,
        }
    }

    #[test]
    fn readings_fold_into_their_minute_and_hour() {
        let mut p = Pending::new(0);
        p.fold(&obs(1, "2026-12-07T08:00:10Z", 2.0));
        p.fold(&obs(2, "2026-12-07T08:00:50Z", 4.0));
        p.fold(&obs(3, "2026-12-07T08:01:00Z", 9.0));
        let m0 = RollupKey {
            stream: 9,
            resolution: MINUTE,
            start: "2026-12-07T08:00:00Z".parse().unwrap(),
        };
        assert_eq!(
            p.get(&m0),
            Some(Bucket {
                count: 2,
                sum: 6.0,
                min: 2.0,
                max: 4.0
            })
        );
        let h = RollupKey {
            resolution: HOUR,
            ..m0
        };
        assert_eq!(p.get(&h).unwrap().count, 3);
        assert_eq!(p.get(&h).unwrap().mean(), 5.0);
        let (d, w) = p.take();
        assert_eq!((d.len(), w), (3, 3));
        assert!(p.is_empty());
    }

    #[test]
    fn text_results_move_the_watermark_only() {
        let mut p = Pending::new(5);
        let mut o = obs(7, "2026-12-07T08:00:10Z", 0.0);
        o.result = "open".into();
        p.fold(&o);
        assert_eq!((p.len(), p.watermark()), (0, 7));
    }

    #[test]
    fn buckets_start_on_their_boundary_before_1970_too() {
        let t: DateTime<Utc> = "1969-12-31T23:59:30Z".parse().unwrap();
        assert_eq!(
            bucket_start(t, MINUTE).to_rfc3339(),
            "1969-12-31T23:59:00+00:00"
        );
    }
}
