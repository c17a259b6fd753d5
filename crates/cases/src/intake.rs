//! One intake call for every channel: a [`Submission`] is checked once, here, and then
//! trusted by everything after it.
//!
//! Adapters (Open311, the H5 pages, the hotline import, the API, and later sensors,
//! cameras and inspections) turn their own input into a `Submission` and hand it to
//! [`crate::CaseService::submit`]; what they cannot express (a location outside the
//! district, an oversized description, a file that is not a photo) is refused here with
//! a stable code, before anything is stored.

use std::collections::BTreeMap;

use crate::{
    catalog::{Service, Urgency},
    channel::Channel,
    service::Acting,
};

/// The longest description accepted (Open311's limit).
pub const MAX_DESCRIPTION: usize = 4000;
/// The longest title accepted.
pub const MAX_TITLE: usize = 200;
/// How many photos one request may carry, and how large each may be.
pub const MAX_MEDIA: usize = 6;
pub const MAX_MEDIA_BYTES: usize = 5 * 1024 * 1024;

/// A photo as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub bytes: Vec<u8>,
}

/// A request, as an intake adapter hands it over.
#[derive(Debug, Clone)]
pub struct Submission {
    pub channel: &'static Channel,
    /// The source's own id of the request: submitting it again returns the same ticket.
    pub source_ref: Option<String>,
    /// The service, where the source chose one; `None` lets the classifier decide.
    pub service: Option<&'static Service>,
    pub title: String,
    pub description: String,
    /// WGS84 (adapters convert GCJ-02 and BD-09 at their door).
    pub lon: f64,
    pub lat: f64,
    pub address: Option<String>,
    pub urgency: Option<Urgency>,
    pub attributes: BTreeMap<String, String>,
    pub photos: Vec<Photo>,
    /// The citizen's account, when signed in.
    pub submitter: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Who hands it in (a citizen, an Open311 client's token, a system).
    pub by: Acting,
}

/// Why a submission was refused. [`IntakeError::code`] is stable for clients.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntakeError {
    #[error("the location ({lon}, {lat}) is not a valid WGS84 longitude and latitude")]
    BadLocation { lon: f64, lat: f64 },
    #[error("the location ({lon}, {lat}) is outside the district; requests are taken for places inside it")]
    OutsideDistrict { lon: f64, lat: f64 },
    #[error("the request says nothing: give a description (or a title)")]
    Empty,
    #[error("the description has {len} characters; at most {MAX_DESCRIPTION} are accepted")]
    DescriptionTooLong { len: usize },
    #[error("the title has {len} characters; at most {MAX_TITLE} are accepted")]
    TitleTooLong { len: usize },
    #[error("`{code}` is not a question of this service; it asks: {expected}")]
    UnknownAttribute { code: String, expected: String },
    #[error("the service asks `{code}`, which was not answered")]
    MissingAttribute { code: String },
    #[error("`{value}` is not an answer to `{code}`; expected one of: {expected}")]
    BadAttribute {
        code: String,
        value: String,
        expected: String,
    },
    #[error("at most {MAX_MEDIA} photos may be attached, not {count}")]
    TooManyPhotos { count: usize },
    #[error("photo {index} has {bytes} bytes; at most {MAX_MEDIA_BYTES} are accepted")]
    PhotoTooLarge { index: usize, bytes: usize },
    #[error("photo {index} is not a JPEG, PNG, GIF or WebP image")]
    NotAPhoto { index: usize },
    #[error("`{0}` is not a mobile or telephone number")]
    BadPhone(String),
}

impl IntakeError {
    pub const fn code(&self) -> &'static str {
        match self {
            IntakeError::BadLocation { .. } => "invalid_location",
            IntakeError::OutsideDistrict { .. } => "outside_district",
            IntakeError::Empty => "empty_request",
            IntakeError::DescriptionTooLong { .. } => "description_too_long",
            IntakeError::TitleTooLong { .. } => "title_too_long",
            IntakeError::UnknownAttribute { .. } => "unknown_attribute",
            IntakeError::MissingAttribute { .. } => "missing_attribute",
            IntakeError::BadAttribute { .. } => "invalid_attribute",
            IntakeError::TooManyPhotos { .. } => "too_many_media",
            IntakeError::PhotoTooLarge { .. } => "media_too_large",
            IntakeError::NotAPhoto { .. } => "invalid_media",
            IntakeError::BadPhone(_) => "invalid_phone",
        }
    }
}

/// The content type of an image, by its first bytes; `None` for anything else.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl Submission {
    /// Checks everything that needs no lookup (the location is checked against the
    /// grid when the ticket is located).
    pub fn validate(&mut self) -> Result<(), IntakeError> {
        let (lon, lat) = (self.lon, self.lat);
        if !(lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lon)
            && (-90.0..=90.0).contains(&lat))
        {
            return Err(IntakeError::BadLocation { lon, lat });
        }
        self.title = self.title.trim().to_owned();
        self.description = self.description.trim().to_owned();
        if self.title.is_empty() && self.description.is_empty() {
            return Err(IntakeError::Empty);
        }
        if chars(&self.description) > MAX_DESCRIPTION {
            return Err(IntakeError::DescriptionTooLong {
                len: chars(&self.description),
            });
        }
        if chars(&self.title) > MAX_TITLE {
            return Err(IntakeError::TitleTooLong {
                len: chars(&self.title),
            });
        }
        if let Some(service) = self.service {
            check_attributes(service, &self.attributes)?;
        } else if let Some(code) = self.attributes.keys().next() {
            return Err(IntakeError::UnknownAttribute {
                code: code.clone(),
                expected: "nothing (no service was chosen)".into(),
            });
        }
        if self.photos.len() > MAX_MEDIA {
            return Err(IntakeError::TooManyPhotos {
                count: self.photos.len(),
            });
        }
        for (index, p) in self.photos.iter().enumerate() {
            if p.bytes.len() > MAX_MEDIA_BYTES {
                return Err(IntakeError::PhotoTooLarge {
                    index,
                    bytes: p.bytes.len(),
                });
            }
            if image_type(&p.bytes).is_none() {
                return Err(IntakeError::NotAPhoto { index });
            }
        }
        if let Some(phone) = &self.contact_phone {
            let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            let ok = (7..=15).contains(&digits.len())
                && digits
                    .char_indices()
                    .all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == '+'));
            if !ok {
                return Err(IntakeError::BadPhone(phone.clone()));
            }
            self.contact_phone = Some(digits);
        }
        self.address = self
            .address
            .take()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        self.contact_name = self
            .contact_name
            .take()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        Ok(())
    }

    /// The text a classifier and a duplicate search read.
    pub fn text(&self) -> String {
        format!("{} {}", self.title, self.description)
    }
}

fn check_attributes(
    service: &Service,
    given: &BTreeMap<String, String>,
) -> Result<(), IntakeError> {
    let expected = || {
        let codes: Vec<&str> = service.attributes.iter().map(|a| a.code).collect();
        if codes.is_empty() {
            "nothing".to_owned()
        } else {
            codes.join(", ")
        }
    };
    for code in given.keys() {
        if !service.attributes.iter().any(|a| a.code == code) {
            return Err(IntakeError::UnknownAttribute {
                code: code.clone(),
                expected: expected(),
            });
        }
    }
    for a in service.attributes {
        match given
            .get(a.code)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            None if a.required => {
                return Err(IntakeError::MissingAttribute {
                    code: a.code.into(),
                })
            }
            Some(v) if !a.values.is_empty() && !a.values.iter().any(|(key, _)| *key == v) => {
                let keys: Vec<&str> = a.values.iter().map(|(k, _)| *k).collect();
                return Err(IntakeError::BadAttribute {
                    code: a.code.into(),
                    value: v.into(),
                    expected: keys.join(", "),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{catalog::service, channel::channel};

    fn submission() -> Submission {
        Submission {
            channel: channel("h5").unwrap(),
            source_ref: None,
            service: service("0104"),
            title: " 占道经营 ".into(),
            description: "人行道上有人摆卖".into(),
            lon: 114.05,
            lat: 22.54,
            address: Some("  ".into()),
            urgency: None,
            attributes: [("when".to_owned(), "night".to_owned())].into(),
            photos: vec![Photo {
                bytes: b"\xFF\xD8\xFF\xE0rest".to_vec(),
            }],
            submitter: None,
            contact_name: None,
            contact_phone: Some("139 1234 5678".into()),
            by: Acting::system(),
        }
    }

    fn refused(change: impl FnOnce(&mut Submission)) -> &'static str {
        let mut s = submission();
        change(&mut s);
        s.validate().unwrap_err().code()
    }

    #[test]
    fn a_good_submission_is_tidied() {
        let mut s = submission();
        s.validate().unwrap();
        assert_eq!(s.title, "占道经营");
        assert_eq!(s.address, None);
        assert_eq!(s.contact_phone.as_deref(), Some("13912345678"));
    }

    #[test]
    fn bad_input_is_refused_with_its_own_code() {
        assert_eq!(refused(|s| s.lat = 91.0), "invalid_location");
        assert_eq!(refused(|s| s.lon = f64::NAN), "invalid_location");
        assert_eq!(
            refused(|s| {
                s.title.clear();
                s.description = "   ".into()
            }),
            "empty_request"
        );
        assert_eq!(
            refused(|s| s.description = "路".repeat(4001)),
            "description_too_long"
        );
        assert_eq!(refused(|s| s.attributes.clear()), "missing_attribute");
        assert_eq!(
            refused(|s| {
                s.attributes.insert("when".into(), "noon".into());
            }),
            "invalid_attribute"
        );
        assert_eq!(
            refused(|s| {
                s.attributes.insert("colour".into(), "red".into());
            }),
            "unknown_attribute"
        );
        assert_eq!(
            refused(|s| s.photos[0].bytes = b"GIF7".to_vec()),
            "invalid_media"
        );
        assert_eq!(
            refused(|s| s.photos[0].bytes = b"%PDF-1.4".to_vec()),
            "invalid_media"
        );
        assert_eq!(
            refused(|s| s.photos = vec![
                Photo {
                    bytes: b"\xFF\xD8\xFF".to_vec()
                };
                7
            ]),
            "too_many_media"
        );
        assert_eq!(
            refused(|s| {
                let mut big = b"\xFF\xD8\xFF".to_vec();
                big.resize(MAX_MEDIA_BYTES + 1, 0);
                s.photos = vec![Photo { bytes: big }];
            }),
            "media_too_large"
        );
        assert_eq!(
            refused(|s| s.contact_phone = Some("call me".into())),
            "invalid_phone"
        );
        // Exactly 4,000 characters is fine.
        let mut s = submission();
        s.description = "路".repeat(4000);
        s.validate().unwrap();
    }

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(
            image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(image_type(b"GIF89a"), Some("image/gif"));
        assert_eq!(image_type(b"<svg"), None);
    }
}
