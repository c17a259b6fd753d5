//! The generator's output: batches of features and records, and progress, passed from
//! the thread that generates them to the task that writes them.
//!
//! Generation runs on a blocking thread and storage writes run on the async side, joined
//! by a small bounded channel: the next batch is computed while the last one is written,
//! and at most a few batches are ever in memory, however large the scale.

use chrono::{DateTime, Utc};
use citymirror_core::{records::RecordSchema, LayerId, Value};
use citymirror_twin::Feature;
use geo::Geometry;
use tokio::sync::mpsc::Sender;

use crate::{Progress, SimError};

/// Features per `insert_features` call.
pub(crate) const FEATURE_BATCH: usize = 20_000;
/// Rows per `insert_records` call.
pub(crate) const RECORD_BATCH: usize = 25_000;

#[derive(Debug)]
pub(crate) enum Msg {
    Features(LayerId, Vec<Feature>),
    Records(&'static RecordSchema, Vec<Vec<Value>>),
    Progress(Progress),
}

/// The sending end, held by the generating thread.
#[derive(Debug)]
pub(crate) struct Out {
    tx: Sender<Msg>,
    /// The `updated_at` of every generated feature: the moment generation began.
    pub at: DateTime<Utc>,
}

impl Out {
    pub fn new(tx: Sender<Msg>, at: DateTime<Utc>) -> Out {
        Out { tx, at }
    }

    fn send(&self, msg: Msg) -> Result<(), SimError> {
        // The receiver is gone only if writing failed; that error is reported there.
        self.tx.blocking_send(msg).map_err(|_| SimError::Cancelled)
    }

    pub fn progress(&self, stage: &'static str, done: u64, total: u64) -> Result<(), SimError> {
        self.send(Msg::Progress(Progress { stage, done, total }))
    }

    /// A sink for one layer whose progress counts features, `total` in all.
    pub fn features(&self, layer: LayerId, stage: &'static str, total: u64) -> FeatureSink<'_> {
        self.features_in(layer, stage, Tally::Count { base: 0, total })
    }

    /// A sink for one layer with progress counted as `tally` says.
    pub fn features_in(
        &self,
        layer: LayerId,
        stage: &'static str,
        tally: Tally,
    ) -> FeatureSink<'_> {
        FeatureSink {
            out: self,
            layer,
            stage,
            tally,
            buf: Vec::with_capacity(match tally {
                Tally::Count { total, .. } => FEATURE_BATCH.min(total as usize),
                Tally::Measure { .. } => FEATURE_BATCH,
            }),
            next_id: 1,
            sent: 0,
        }
    }

    pub fn records(
        &self,
        schema: &'static RecordSchema,
        stage: &'static str,
        total: u64,
    ) -> RecordSink<'_> {
        RecordSink {
            out: self,
            schema,
            stage,
            total,
            buf: Vec::with_capacity(RECORD_BATCH.min(total as usize)),
            sent: 0,
        }
    }
}

/// How a feature sink reports progress.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tally {
    /// Features written, after `base` written earlier in the same stage, of `total`.
    Count { base: u64, total: u64 },
    /// A measure advanced by the writer (metres of pipe), of `total`.
    Measure { done: f64, total: f64 },
}

/// Collects one layer's features, numbering them from 1, and sends them in batches.
#[derive(Debug)]
pub(crate) struct FeatureSink<'a> {
    out: &'a Out,
    layer: LayerId,
    stage: &'static str,
    tally: Tally,
    buf: Vec<Feature>,
    next_id: i64,
    sent: u64,
}

impl FeatureSink<'_> {
    /// Adds a feature; `props` are in the layer's schema order.
    pub fn push(&mut self, geometry: Geometry<f64>, props: Vec<Value>) -> Result<i64, SimError> {
        debug_assert_eq!(
            props.len(),
            self.layer.schema().properties.len(),
            "{}",
            self.layer
        );
        let id = self.next_id;
        self.next_id += 1;
        self.buf.push(Feature {
            id,
            geometry,
            props,
            updated_at: self.out.at,
        });
        if self.buf.len() >= FEATURE_BATCH {
            self.flush()?;
        }
        Ok(id)
    }

    fn flush(&mut self) -> Result<(), SimError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.buf, Vec::with_capacity(FEATURE_BATCH));
        self.sent += batch.len() as u64;
        self.out.send(Msg::Features(self.layer, batch))?;
        let (done, total) = match self.tally {
            Tally::Count { base, total } => (base + self.sent, total.max(base + self.sent)),
            Tally::Measure { done, total } => (done.round() as u64, total.round() as u64),
        };
        self.out.progress(self.stage, done.min(total), total)
    }

    /// Moves a measured tally on.
    pub fn advance(&mut self, by: f64) {
        if let Tally::Measure { done, .. } = &mut self.tally {
            *done += by;
        }
    }

    /// Sends what is left; returns how many features were written.
    pub fn finish(mut self) -> Result<u64, SimError> {
        if let Tally::Measure { done, total } = &mut self.tally {
            *done = *total; // what rounding left off the last piece
        }
        self.flush()?;
        Ok(self.sent)
    }
}

/// Collects rows of one record kind and sends them in batches.
#[derive(Debug)]
pub(crate) struct RecordSink<'a> {
    out: &'a Out,
    schema: &'static RecordSchema,
    stage: &'static str,
    total: u64,
    buf: Vec<Vec<Value>>,
    sent: u64,
}

impl RecordSink<'_> {
    /// Adds a row: one value per field of the schema, in order.
    pub fn push(&mut self, row: Vec<Value>) -> Result<(), SimError> {
        debug_assert_eq!(row.len(), self.schema.fields.len(), "{}", self.schema.name);
        self.buf.push(row);
        if self.buf.len() >= RECORD_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SimError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.buf, Vec::with_capacity(RECORD_BATCH));
        self.sent += batch.len() as u64;
        self.out.send(Msg::Records(self.schema, batch))?;
        self.out
            .progress(self.stage, self.sent, self.total.max(self.sent))
    }

    pub fn finish(mut self) -> Result<u64, SimError> {
        self.flush()?;
        Ok(self.sent)
    }
}
