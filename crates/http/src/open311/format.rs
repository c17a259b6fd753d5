//! Open311's two formats and its error shape.
//!
//! Every resource is asked for as `name.json` or `name.xml`. JSON answers are arrays
//! (one element for a single request, as clients expect); XML wraps them in the
//! spec's collection element (`<services><service>…`). Errors are Open311's own:
//! `[{"code": 400, "description": "…"}]` or `<errors><error><code>…`, never the
//! `/api/v1` shape, so Open311 clients read them as they read any city's.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use quick_xml::{
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
    Writer,
};
use serde_json::Value;

use crate::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// Splits `name.json` / `name.xml` (JSON when there is no extension).
pub fn split(file: &str) -> Result<(&str, Format), Open311Error> {
    match file.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        Some((_, other)) => Err(Open311Error::new(
            StatusCode::BAD_REQUEST,
            format!("`.{other}` is not a format of this endpoint; use .json or .xml"),
        )),
        None => Ok((file, Format::Json)),
    }
}

/// The singular of a collection's element name, for XML lists.
fn item_name(plural: &str) -> &str {
    match plural {
        "service_requests" => "request",
        "servicerequestupdates" | "service_request_updates" => "request_update",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "errors" => "error",
        "services" => "service",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

fn write_value(w: &mut Writer<Vec<u8>>, name: &str, v: &Value) -> std::io::Result<()> {
    match v {
        Value::Null => {
            w.write_event(Event::Empty(BytesStart::new(name)))?;
        }
        Value::Array(items) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            let item = item_name(name);
            for i in items {
                write_value(w, item, i)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        Value::Object(map) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for (k, v) in map {
                write_value(w, k, v)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        scalar => {
            let text = match scalar {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            w.write_event(Event::Start(BytesStart::new(name)))?;
            w.write_event(Event::Text(BytesText::new(&text)))?;
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
    }
    Ok(())
}

/// `value` as an XML document whose root element is `root`.
pub fn xml(root: &str, value: &Value) -> String {
    let mut w = Writer::new(Vec::new());
    let written = w
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .and_then(|()| write_value(&mut w, root, value));
    match written {
        Ok(()) => String::from_utf8(w.into_inner()).unwrap_or_default(),
        // Writing into memory cannot fail.
        Err(_) => String::new(),
    }
}

/// An answer: `value` as JSON, or as XML under `root`.
pub fn answer(format: Format, root: &str, status: StatusCode, value: &Value) -> Response {
    match format {
        Format::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            value.to_string(),
        )
            .into_response(),
        Format::Xml => (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            xml(root, value),
        )
            .into_response(),
    }
}

/// An error in Open311's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub status: StatusCode,
    pub description: String,
    pub format: Format,
}

impl Open311Error {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Open311Error {
        Open311Error {
            status,
            description: description.into(),
            format: Format::Json,
        }
    }

    pub fn bad(description: impl Into<String>) -> Open311Error {
        Open311Error::new(StatusCode::BAD_REQUEST, description)
    }

    pub fn in_format(mut self, format: Format) -> Open311Error {
        self.format = format;
        self
    }
}

impl From<ApiError> for Open311Error {
    fn from(e: ApiError) -> Open311Error {
        if let ApiError::Internal(detail) = &e {
            tracing::error!(%detail, "internal error answering an Open311 request");
        }
        Open311Error::new(e.status(), e.message().to_owned())
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!([{ "code": self.status.as_u16(), "description": self.description }]);
        answer(self.format, "errors", self.status, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_become_collections_of_their_items() {
        let x = xml(
            "services",
            &json!([{ "service_code": "0101", "service_name": "路灯 & <灯杆>", "group": null }]),
        );
        assert_eq!(
            x,
            // Fields come in the map's (alphabetical) order; clients read them by name.
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><group/><service_code>0101</service_code>\
             <service_name>路灯 &amp; &lt;灯杆&gt;</service_name></service></services>"
        );
        assert_eq!(split("requests.xml").unwrap(), ("requests", Format::Xml));
        assert_eq!(split("discovery").unwrap(), ("discovery", Format::Json));
        assert!(split("requests.csv").is_err());
    }
}
