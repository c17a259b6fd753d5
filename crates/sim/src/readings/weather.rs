//! The weather the devices see: dry, or a rainstorm (once or repeated), measured from
//! the model's origin.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{delta, secs};

/// A rainstorm, relative to the model's start.
#[derive(Clone, Debug, PartialEq)]
pub struct Storm {
    /// When it begins.
    pub after: Duration,
    /// How long it rains (intensity rises, peaks half way, and falls: sin²).
    pub duration: Duration,
    /// The intensity at its peak (50 mm/h is a heavy rainstorm, 暴雨红色预警 level).
    pub peak_mm_per_h: f64,
    /// How slowly the streets answer: water collects and drains through two linear
    /// reservoirs of this time constant, so levels peak about two of them after the
    /// rain does, and recede over a few more.
    pub response: Duration,
    /// Rains again this long after each start (a demo that runs for hours).
    pub every: Option<Duration>,
}

impl Storm {
    /// A storm of this length and peak, beginning at the start: the streets answer in
    /// a quarter of its length, between two and ten minutes (a short, compressed storm
    /// in a demo still fills the drains at a pace an ordinary gauge's rate-of-rise rule
    /// lets pass at 60 mm/h).
    pub fn lasting(duration: Duration, peak_mm_per_h: f64) -> Storm {
        Storm {
            after: Duration::ZERO,
            duration,
            peak_mm_per_h,
            response: (duration / 4).clamp(Duration::from_secs(120), Duration::from_secs(600)),
            every: None,
        }
    }
}

impl Default for Storm {
    fn default() -> Self {
        Storm {
            after: Duration::ZERO,
            duration: Duration::from_secs(40 * 60),
            peak_mm_per_h: 60.0,
            response: Duration::from_secs(10 * 60),
            every: None,
        }
    }
}

/// One rain episode, at absolute times.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rain {
    pub start: DateTime<Utc>,
    pub duration: TimeDelta,
    pub peak_mm_per_h: f64,
}

impl Rain {
    /// The intensity at `at` (mm/h).
    pub fn intensity(&self, at: DateTime<Utc>) -> f64 {
        let x = secs(at - self.start) / secs(self.duration);
        if (0.0..1.0).contains(&x) {
            self.peak_mm_per_h * (std::f64::consts::PI * x).sin().powi(2)
        } else {
            0.0
        }
    }
}

/// The weather the district's devices see: dry, or a rain episode (repeated or not).
#[derive(Clone, Debug, PartialEq)]
pub struct Weather {
    rain: Option<Rain>,
    every: Option<TimeDelta>,
    response: TimeDelta,
}

/// The weather at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WeatherNow {
    /// Falling rain (mm/h).
    pub rain_mm_per_h: f64,
    /// What reaches the drains, lagged and smoothed (mm/h): water levels follow it.
    pub runoff_mm_per_h: f64,
    /// How wet it is, 0 (dry) to 1 (soaked): washes out dust, raises humidity.
    pub wetness: f64,
}

impl Weather {
    pub fn dry() -> Weather {
        Weather {
            rain: None,
            every: None,
            response: TimeDelta::minutes(10),
        }
    }

    /// One rain episode, the streets answering with time constant `response`.
    pub fn rain(rain: Rain, response: TimeDelta) -> Weather {
        Weather {
            rain: Some(rain),
            every: None,
            response: response.max(TimeDelta::seconds(1)),
        }
    }

    /// The episode again every `every` after its start.
    pub fn repeating(mut self, every: TimeDelta) -> Weather {
        self.every = Some(every).filter(|e| *e > TimeDelta::zero());
        self
    }

    /// A [`Storm`] that begins `storm.after` after `origin`.
    pub fn storm(origin: DateTime<Utc>, storm: &Storm) -> Weather {
        let w = Weather::rain(
            Rain {
                start: origin + delta(storm.after),
                duration: delta(storm.duration).max(TimeDelta::seconds(1)),
                peak_mm_per_h: storm.peak_mm_per_h,
            },
            delta(storm.response),
        );
        match storm.every {
            Some(e) => w.repeating(delta(e)),
            None => w,
        }
    }

    /// The episodes that may still matter at `at`.
    fn episodes(&self, at: DateTime<Utc>) -> Vec<Rain> {
        let Some(rain) = self.rain else {
            return Vec::new();
        };
        let Some(every) = self.every else {
            return vec![rain];
        };
        if at < rain.start {
            return Vec::new();
        }
        let n = ((at - rain.start).num_milliseconds() / every.num_milliseconds().max(1)) as i32;
        // Runoff fades within about 15 time constants of an episode's end.
        let reach = rain.duration + self.response * 15;
        let back = (reach.num_milliseconds() / every.num_milliseconds().max(1)) as i32 + 1;
        ((n - back.min(50)).max(0)..=n)
            .map(|k| Rain {
                start: rain.start + every * k,
                ..rain
            })
            .collect()
    }

    /// The weather at `at`.
    pub fn at(&self, at: DateTime<Utc>) -> WeatherNow {
        let k = secs(self.response);
        let mut now = WeatherNow::default();
        let mut first = 0.0;
        for e in self.episodes(at) {
            now.rain_mm_per_h += e.intensity(at);
            let end = e.start + e.duration;
            if at <= e.start || secs(at - end) > 15.0 * k {
                continue;
            }
            // Two linear reservoirs in a row: the first's outflow (impulse response
            // e^(-τ/k)/k) wets the ground, the second's (τ e^(-τ/k)/k²) fills the drains.
            let (a, b) = (0.0, secs(at.min(end) - e.start));
            let steps = ((b - a) / (k / 8.0)).ceil().clamp(16.0, 2000.0);
            let ds = (b - a) / steps;
            let t_at = secs(at - e.start);
            for i in 0..steps as usize {
                let s = a + (i as f64 + 0.5) * ds;
                let x = s / secs(e.duration);
                let intensity = e.peak_mm_per_h * (std::f64::consts::PI * x).sin().powi(2);
                let tau = t_at - s;
                let decay = (-tau / k).exp();
                first += intensity * decay / k * ds;
                now.runoff_mm_per_h += intensity * tau * decay / (k * k) * ds;
            }
        }
        now.wetness = (first / 10.0).clamp(0.0, 1.0);
        now
    }
}
