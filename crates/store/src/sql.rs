//! SQL text and value conversion shared by both backends.
//!
//! The column layout of every table is derived here, from the `citymirror_core`
//! schemas, and nowhere else: a layer table is `id, geom, minx, miny, maxx, maxy,
//! updated_at` followed by the layer's properties in schema order, and a record table
//! is exactly its schema's fields. The backends differ only in placeholders (`?` or
//! `$n`) and in how they bind a [`Cell`]; the migrations must create the same columns,
//! which `tests/schema.rs` checks against a live database of each kind.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use citymirror_core::{records::RecordSchema, LayerId, PropType, PropertyDef, Value};
use citymirror_twin::{Feature, RepoError};
use geo::BoundingRect;
use geozero::{wkb::Wkb, CoordDimensions, ToGeo, ToWkb};

/// The columns every layer table starts with, before its properties.
pub(crate) const FEATURE_FIXED: [&str; 7] =
    ["id", "geom", "minx", "miny", "maxx", "maxy", "updated_at"];

/// How placeholders are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`-th (1-based) bind parameter.
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${n}"),
        }
    }
}

/// Quotes an identifier. Names come from the static schemas, never from requests,
/// but some of them (`use`) are SQL keywords.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{name}\"")
}

/// The columns of a layer table, in table order.
pub(crate) fn layer_columns(layer: LayerId) -> Vec<&'static str> {
    FEATURE_FIXED
        .iter()
        .copied()
        .chain(layer.schema().properties.iter().map(|p| p.name))
        .collect()
}

/// The columns of a record table, in table order.
pub(crate) fn record_columns(schema: &RecordSchema) -> Vec<&'static str> {
    schema.fields.iter().map(|f| f.name).collect()
}

pub(crate) fn column_list(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT` of everything a [`Feature`] is rebuilt from. The bbox columns are left
/// out: they are derived from `geom` and recomputed by whoever needs them.
pub(crate) fn select_layer(layer: LayerId) -> String {
    let cols: Vec<&str> = ["id", "geom", "updated_at"]
        .into_iter()
        .chain(layer.schema().properties.iter().map(|p| p.name))
        .collect();
    format!(
        "SELECT {} FROM {}",
        column_list(&cols),
        ident(layer.as_str())
    )
}

/// Number of leading columns in [`select_layer`] before the properties.
pub(crate) const SELECT_LAYER_FIXED: usize = 3;

/// A multi-row `INSERT … VALUES (…), (…)` for `rows` rows of `columns`.
pub(crate) fn insert_values(
    dialect: Dialect,
    table: &str,
    columns: &[&str],
    rows: usize,
) -> String {
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        ident(table),
        column_list(columns)
    );
    sql.reserve(rows * (columns.len() * 3 + 4));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            sql.push_str(&dialect.param(n));
        }
        sql.push(')');
    }
    sql
}

/// `UPDATE` of every column but `id`, which is the last parameter.
pub(crate) fn update_feature(dialect: Dialect, layer: LayerId) -> String {
    let cols = layer_columns(layer);
    let sets: Vec<String> = cols[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = {}", ident(c), dialect.param(i + 1)))
        .collect();
    format!(
        "UPDATE {} SET {} WHERE id = {}",
        ident(layer.as_str()),
        sets.join(", "),
        dialect.param(cols.len())
    )
}

pub(crate) fn delete_feature(dialect: Dialect, layer: LayerId) -> String {
    format!(
        "DELETE FROM {} WHERE id = {}",
        ident(layer.as_str()),
        dialect.param(1)
    )
}

pub(crate) fn max_id(table: &str) -> String {
    format!("SELECT COALESCE(MAX(id), 0) FROM {}", ident(table))
}

pub(crate) fn count(table: &str) -> String {
    format!("SELECT COUNT(*) FROM {}", ident(table))
}

pub(crate) fn set_meta(dialect: Dialect) -> String {
    format!(
        "INSERT INTO meta (key, value) VALUES ({}, {}) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        dialect.param(1),
        dialect.param(2)
    )
}

pub(crate) fn get_meta(dialect: Dialect) -> String {
    format!("SELECT value FROM meta WHERE key = {}", dialect.param(1))
}

/// Rows of `schema` whose `field` equals the first parameter (or, with `null`, is
/// NULL), ordered by id, at most the last parameter.
pub(crate) fn find_records(
    dialect: Dialect,
    schema: &RecordSchema,
    field: &str,
    null: bool,
) -> String {
    let (cond, limit) = if null {
        (format!("{} IS NULL", ident(field)), dialect.param(1))
    } else {
        (
            format!("{} = {}", ident(field), dialect.param(1)),
            dialect.param(2),
        )
    };
    format!(
        "SELECT {} FROM {} WHERE {cond} ORDER BY id LIMIT {limit}",
        column_list(&record_columns(schema)),
        ident(schema.name)
    )
}

/// One property value, checked against its declared type and ready to bind.
/// Each variant carries its type even when NULL, because PostgreSQL needs typed NULLs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Date(Option<NaiveDate>),
}

impl<'a> Cell<'a> {
    /// `value` as a cell of `def`'s type. Integers widen to floats and `YYYY-MM-DD`
    /// text becomes a date (as [`Value::coerce`] does); anything else is refused, so
    /// that SQLite's loose typing never stores a value the schema does not allow.
    pub(crate) fn new(def: &PropertyDef, value: &'a Value) -> Result<Cell<'a>, RepoError> {
        let cell = match (def.ty, value) {
            (PropType::Text, Value::Null) => Cell::Text(None),
            (PropType::Int, Value::Null) => Cell::Int(None),
            (PropType::Float, Value::Null) => Cell::Float(None),
            (PropType::Bool, Value::Null) => Cell::Bool(None),
            (PropType::Date, Value::Null) => Cell::Date(None),
            (PropType::Text, Value::Text(s)) => Cell::Text(Some(s)),
            (PropType::Int, Value::Int(i)) => Cell::Int(Some(*i)),
            (PropType::Float, Value::Float(f)) => Cell::Float(Some(*f)),
            (PropType::Float, Value::Int(i)) => Cell::Float(Some(*i as f64)),
            (PropType::Bool, Value::Bool(b)) => Cell::Bool(Some(*b)),
            (PropType::Date, Value::Date(d)) => Cell::Date(Some(*d)),
            (PropType::Date, Value::Text(s)) => match Value::parse(def.name, PropType::Date, s) {
                Ok(Value::Date(d)) => Cell::Date(Some(d)),
                _ => return Err(type_error(def, value)),
            },
            _ => return Err(type_error(def, value)),
        };
        Ok(cell)
    }
}

fn type_error(def: &PropertyDef, value: &Value) -> RepoError {
    RepoError::Backend(format!(
        "`{}` expects {}, got {value:?}",
        def.name,
        def.ty.expected()
    ))
}

/// The cells of one record row, which must have one value per field.
pub(crate) fn record_cells<'a>(
    schema: &RecordSchema,
    row: &'a [Value],
) -> Result<Vec<Cell<'a>>, RepoError> {
    if row.len() != schema.fields.len() {
        return Err(RepoError::Backend(format!(
            "a `{}` row has {} values but the schema has {} fields",
            schema.name,
            row.len(),
            schema.fields.len()
        )));
    }
    schema
        .fields
        .iter()
        .zip(row)
        .map(|(def, v)| Cell::new(def, v))
        .collect()
}

/// A feature turned into column values.
#[derive(Debug)]
pub(crate) struct FeatureRow<'a> {
    pub id: i64,
    pub wkb: Vec<u8>,
    /// minx, miny, maxx, maxy
    pub bbox: [f64; 4],
    pub updated_at: DateTime<Utc>,
    pub props: Vec<Cell<'a>>,
}

impl<'a> FeatureRow<'a> {
    pub(crate) fn new(layer: LayerId, f: &'a Feature) -> Result<FeatureRow<'a>, RepoError> {
        let schema = layer.schema();
        if f.props.len() != schema.properties.len() {
            return Err(RepoError::Backend(format!(
                "feature {} has {} property values but layer `{layer}` has {} properties",
                f.id,
                f.props.len(),
                schema.properties.len()
            )));
        }
        let rect = f
            .geometry
            .bounding_rect()
            .ok_or_else(|| RepoError::Backend(format!("feature {} has an empty geometry", f.id)))?;
        let wkb = f
            .geometry
            .to_wkb(CoordDimensions::xy())
            .map_err(|e| RepoError::Backend(format!("cannot encode feature {}: {e}", f.id)))?;
        let props = schema
            .properties
            .iter()
            .zip(&f.props)
            .map(|(def, v)| Cell::new(def, v))
            .collect::<Result<_, _>>()?;
        Ok(FeatureRow {
            id: f.id,
            wkb,
            bbox: [rect.min().x, rect.min().y, rect.max().x, rect.max().y],
            updated_at: truncate_millis(f.updated_at),
            props,
        })
    }
}

/// Both stores keep timestamps to the millisecond (see `citymirror_twin::now`), so
/// a feature reads back the same from either.
pub(crate) fn truncate_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    t - chrono::Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos() % 1_000_000))
}

/// The text form of `updated_at` on SQLite: fixed width, so it sorts as time.
pub(crate) fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, RepoError> {
    // Every row of a layer is read at start-up, so the form this store writes
    // (`YYYY-MM-DDTHH:MM:SS.mmmZ`) is parsed directly; anything else goes the long way.
    let b = s.as_bytes();
    if b.len() == 24 && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z' {
        if let (Some(date), Some(h), Some(m), Some(sec), Some(ms)) = (
            fast_date(&b[..10]),
            digits(&b[11..13]),
            digits(&b[14..16]),
            digits(&b[17..19]),
            digits(&b[20..23]),
        ) {
            if b[13] == b':' && b[16] == b':' {
                if let Some(t) = date.and_hms_milli_opt(h, m, sec, ms) {
                    return Ok(t.and_utc());
                }
            }
        }
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| RepoError::Corrupt(format!("updated_at `{s}` is not RFC 3339: {e}")))
}

pub(crate) fn parse_date(field: &str, s: &str) -> Result<NaiveDate, RepoError> {
    if let Some(d) = fast_date(s.as_bytes()) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| RepoError::Corrupt(format!("`{field}` value `{s}` is not a date: {e}")))
}

/// `YYYY-MM-DD`, or `None` to fall back to chrono's parser.
fn fast_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i32::try_from(digits(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(y, digits(&b[5..7])?, digits(&b[8..10])?)
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

pub(crate) fn decode_geometry(id: i64, wkb: &[u8]) -> Result<geo::Geometry<f64>, RepoError> {
    Wkb(wkb)
        .to_geo()
        .map_err(|e| RepoError::Corrupt(format!("geometry of feature {id} is not WKB: {e}")))
}

/// The value to look for in `find_records`, as the field's type. Text is parsed, so
/// a query-string value such as `"1024"` finds an integer field.
pub(crate) fn search_value(def: &PropertyDef, value: &Value) -> Result<Value, RepoError> {
    let v = match (def.ty, value) {
        (PropType::Text, _) | (_, Value::Null) => value.clone(),
        (ty, Value::Text(s)) => Value::parse(def.name, ty, s)
            .map_err(|e| RepoError::Backend(format!("cannot search `{}`: {e}", def.name)))?,
        _ => value.clone(),
    };
    Cell::new(def, &v)?;
    Ok(v)
}

/// Maps a driver error to the twin's error, saying what was being done.
pub(crate) fn backend(what: impl std::fmt::Display) -> impl FnOnce(sqlx::Error) -> RepoError {
    move |e| RepoError::Backend(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_dialect() {
        let s = insert_values(Dialect::Postgres, "meta", &["key", "value"], 2);
        assert_eq!(
            s,
            "INSERT INTO \"meta\" (\"key\", \"value\") VALUES ($1,$2), ($3,$4)"
        );
        let s = insert_values(Dialect::Sqlite, "meta", &["key", "value"], 1);
        assert_eq!(s, "INSERT INTO \"meta\" (\"key\", \"value\") VALUES (?,?)");
        let u = update_feature(Dialect::Postgres, LayerId::District);
        assert!(u.ends_with("\"area_km2\" = $10 WHERE id = $11"), "{u}");
    }

    #[test]
    fn timestamps_and_dates_read_back_as_written() {
        let t = DateTime::parse_from_rfc3339("2024-02-29T23:59:58.123Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format_timestamp(t), "2024-02-29T23:59:58.123Z");
        assert_eq!(parse_timestamp("2024-02-29T23:59:58.123Z").unwrap(), t);
        assert_eq!(parse_timestamp("2024-03-01T07:59:58.123+08:00").unwrap(), t);
        assert!(parse_timestamp("2024-02-30T23:59:58.123Z").is_err());
        assert_eq!(
            parse_date("d", "2023-12-31").unwrap(),
            NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()
        );
        assert!(parse_date("d", "2023-02-29").is_err());
        assert!(parse_date("d", "2023-1x-01").is_err());
    }

    #[test]
    fn cells_refuse_values_of_the_wrong_type() {
        let def = PropertyDef::new("floors", "层数", PropType::Int);
        assert_eq!(Cell::new(&def, &Value::Int(3)).unwrap(), Cell::Int(Some(3)));
        assert!(Cell::new(&def, &Value::Text("3".into())).is_err());
        let def = PropertyDef::new("completed", "竣工日期", PropType::Date);
        assert_eq!(
            Cell::new(&def, &Value::Text("2020-01-02".into())).unwrap(),
            Cell::Date(NaiveDate::from_ymd_opt(2020, 1, 2))
        );
        assert_eq!(
            search_value(
                &PropertyDef::new("floor", "楼层", PropType::Int),
                &"12".into()
            )
            .unwrap(),
            Value::Int(12)
        );
    }
}
