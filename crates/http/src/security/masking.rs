//! Masking to entitlement (GB/T 43697 grades): every value leaves the server at most as
//! sensitive as the reader is entitled to. Structured fields are masked by their
//! declared grade; free text in any field is also scanned for personal identifiers
//! (a phone number typed into a note), which are masked by the identifier's own grade.

use citymirror_core::{records::RecordSchema, DataGrade, LayerSchema, PropertyDef, Value};
use citymirror_trust::mask;
use citymirror_twin::{FeatureQuery, FilterView};

use crate::ApiError;

/// The grade from which reading a field is audited (一般-3 and above).
pub const AUDITED_FROM: DataGrade = DataGrade::General(3);

/// The highest identifier grade: a reader entitled to it sees free text unchanged.
const ALL_IDENTIFIERS: DataGrade = DataGrade::General(4);

fn needs_masking(defs: &[PropertyDef], entitlement: DataGrade) -> bool {
    entitlement < ALL_IDENTIFIERS || defs.iter().any(|d| d.grade > entitlement)
}

/// Makes a query's equality filters compare what the reader may read, not what is
/// stored: a filter on a field graded above the reader's entitlement is refused (its
/// values are masked in what they read, so a match would confirm a guess), and filters
/// on text see the text masked, as the reader sees it.
pub fn restrict_filters(
    schema: &LayerSchema,
    query: &mut FeatureQuery,
    entitlement: DataGrade,
) -> Result<(), ApiError> {
    for (i, _) in &query.filters {
        let def = &schema.properties[*i];
        if def.grade > entitlement {
            return Err(ApiError::InvalidParameter(format!(
                "`{}` is graded {} and shown to you masked; you may filter only on what you may read in full",
                def.name,
                def.grade.label_zh()
            )));
        }
    }
    if entitlement < ALL_IDENTIFIERS && !query.filters.is_empty() {
        query.text_view = Some(FilterView::new(move |s| mask::mask_text(s, entitlement)));
    }
    Ok(())
}

/// Masks one value of a field declared with `def`'s grade.
pub fn value(def: &PropertyDef, v: Value, entitlement: DataGrade) -> Value {
    match v {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Date(_)
            if def.grade <= entitlement =>
        {
            v
        }
        v => mask::mask_value(&v, def.grade, entitlement),
    }
}

/// Masks a feature's properties in place.
pub fn feature_props(schema: &LayerSchema, props: &mut [Value], entitlement: DataGrade) {
    if !needs_masking(schema.properties, entitlement) {
        return;
    }
    for (def, v) in schema.properties.iter().zip(props.iter_mut()) {
        *v = value(def, std::mem::replace(v, Value::Null), entitlement);
    }
}

/// A masked record row, and the names of the fields of grade 一般-3 or above that it
/// revealed unmasked (what the audit log must record).
pub fn record(
    schema: &RecordSchema,
    row: Vec<Value>,
    entitlement: DataGrade,
) -> (Vec<Value>, Vec<&'static str>) {
    let mut revealed = Vec::new();
    let masked = schema
        .fields
        .iter()
        .zip(row)
        .map(|(def, v)| {
            if def.grade >= AUDITED_FROM && def.grade <= entitlement && !v.is_null() {
                revealed.push(def.name);
            }
            value(def, v, entitlement)
        })
        .collect();
    (masked, revealed)
}

/// A value serialized as JSON without building a `serde_json::Value` first (dates as
/// `YYYY-MM-DD`), for answers of many records.
pub struct JsonValue<'a>(pub &'a Value);

impl serde::Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_none(),
            Value::Text(t) => s.serialize_str(t),
            Value::Int(i) => s.serialize_i64(*i),
            // As `serde_json::Number::from_f64`: what is not finite has no JSON number.
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(_) => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Date(d) => {
                use chrono::Datelike as _;
                let text = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
                s.serialize_str(&text)
            }
        }
    }
}

/// A value as JSON (dates as `YYYY-MM-DD`).
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Text(s) => s.clone().into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Bool(b) => (*b).into(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string().into(),
    }
}
