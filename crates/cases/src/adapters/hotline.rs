//! Hotline transcripts (12345 and the other lines), imported in batches.
//!
//! A call centre exports its calls as JSON Lines or CSV (with a header row), one call
//! per line: `call_id` (the call's own id, so importing a file twice files each call
//! once), `description`, `lon`, `lat`, and optionally `title`, `service_code`,
//! `address`, `crs` (`wgs84`, `gcj02` or `bd09`; Chinese maps give GCJ-02), `urgency`,
//! `name`, `phone`. Every line is read and checked before anything is filed; the
//! errors name their lines.

use std::collections::BTreeMap;

use citymirror_core::datum::Datum;
use serde::Deserialize;

use crate::{
    catalog::{service, Urgency},
    channel::Channel,
    intake::Submission,
    service::Acting,
};

/// One call as the file has it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub call_id: String,
    #[serde(default)]
    pub title: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub crs: Option<String>,
    pub service_code: Option<String>,
    pub address: Option<String>,
    pub urgency: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// A line that could not be read or filed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub code: String,
    pub message: String,
}

impl LineError {
    pub fn new(line: usize, code: &str, message: impl Into<String>) -> LineError {
        LineError {
            line,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Reads a file's calls: JSON Lines, or CSV when `csv` is set. All lines are read;
/// every bad one is reported.
pub fn read(text: &str, csv: bool) -> Result<Vec<(usize, Call)>, Vec<LineError>> {
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    if csv {
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        for (i, row) in r.deserialize::<Call>().enumerate() {
            // The header is line 1.
            match row {
                Ok(c) => calls.push((i + 2, c)),
                Err(e) => errors.push(LineError::new(i + 2, "invalid_line", e.to_string())),
            }
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Call>(line) {
                Ok(c) => calls.push((i + 1, c)),
                Err(e) => errors.push(LineError::new(i + 1, "invalid_line", e.to_string())),
            }
        }
    }
    match errors.is_empty() {
        true => Ok(calls),
        false => Err(errors),
    }
}

impl Call {
    /// The submission of this call on `channel`, made by `by`.
    pub fn submission(
        self,
        line: usize,
        channel: &'static Channel,
        by: &Acting,
    ) -> Result<Submission, LineError> {
        if self.call_id.trim().is_empty() {
            return Err(LineError::new(
                line,
                "missing_call_id",
                "every call needs its `call_id`",
            ));
        }
        let datum: Datum = self
            .crs
            .as_deref()
            .unwrap_or("wgs84")
            .parse()
            .map_err(|_| {
                LineError::new(line, "invalid_crs", "`crs` must be wgs84, gcj02 or bd09")
            })?;
        let (lon, lat) = datum.to_wgs84(self.lon, self.lat);
        let svc = self
            .service_code
            .as_deref()
            .map(|c| {
                service(c).ok_or_else(|| {
                    LineError::new(line, "unknown_service", format!("no service `{c}`"))
                })
            })
            .transpose()?;
        let urgency = self
            .urgency
            .as_deref()
            .map(|u| {
                Urgency::parse(u).ok_or_else(|| {
                    LineError::new(
                        line,
                        "invalid_urgency",
                        "`urgency` must be urgent or normal",
                    )
                })
            })
            .transpose()?;
        Ok(Submission {
            channel,
            source_ref: Some(self.call_id.trim().to_owned()),
            service: svc,
            title: self.title,
            description: self.description,
            lon,
            lat,
            address: self.address,
            urgency,
            attributes: BTreeMap::new(),
            photos: Vec::new(),
            submitter: None,
            contact_name: self.name,
            contact_phone: self.phone,
            by: by.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::channel;

    #[test]
    fn both_formats_read_and_bad_lines_are_named() {
        let jsonl =
            "{\"call_id\":\"A1\",\"description\":\"路灯坏了\",\"lon\":114.05,\"lat\":22.54}\n\
                     \n{\"call_id\":\"A2\",\"description\":\"x\",\"lon\":\"east\",\"lat\":22.5}\n";
        let err = read(jsonl, false).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].line, 3);
        let csv =
            "call_id,description,lon,lat,crs,service_code\nA1,路灯坏了,114.05,22.54,gcj02,0101\n";
        let calls = read(csv, true).unwrap();
        assert_eq!(calls[0].0, 2);
        let sub = calls[0]
            .1
            .clone()
            .submission(2, channel("hotline-12345").unwrap(), &Acting::system())
            .unwrap();
        // GCJ-02 was converted to WGS84 at the door.
        assert!((sub.lon - 114.05).abs() > 1e-4);
        assert_eq!(sub.source_ref.as_deref(), Some("A1"));
        let bad = read(
            "call_id,description,lon,lat,service_code\nA3,x,114.05,22.54,9999\n",
            true,
        )
        .unwrap()
        .remove(0)
        .1
        .submission(2, channel("hotline-12345").unwrap(), &Acting::system())
        .unwrap_err();
        assert_eq!(bad.code, "unknown_service");
    }
}
