//! SQL text and value conversion for the repositories.
//!
//! The column layout of every table is derived here, from the `citymirror_core`
//! schemas, and nowhere else: a layer table is `id, geom, minx, miny, maxx, maxy,
//! updated_at` followed by the layer's properties in schema order, and a record table
//! is exactly its schema's fields. Statements use `$n` placeholders, which both
//! backends take; the migrations must create the same columns, which the store suite's
//! `tables_match_the_schemas` checks against a live database of each kind.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use citymirror_core::{records::RecordSchema, LayerId, PropType, PropertyDef, Value};
use citymirror_twin::{Feature, RepoError};
use geo::BoundingRect;
use geozero::{wkb::Wkb, CoordDimensions, ToGeo, ToWkb};

use crate::db::{Param, Row, SqlType};

/// The columns every layer table starts with, before its properties, and their types.
pub(crate) const FEATURE_FIXED: [(&str, SqlType); 7] = [
    ("id", SqlType::Int),
    ("geom", SqlType::Bytes),
    ("minx", SqlType::Float),
    ("miny", SqlType::Float),
    ("maxx", SqlType::Float),
    ("maxy", SqlType::Float),
    ("updated_at", SqlType::Time),
];

/// The `n`-th (1-based) bind parameter.
pub(crate) fn param(n: usize) -> String {
    format!("${n}")
}

/// Quotes an identifier. Names come from the static schemas, never from requests,
/// but some of them (`use`) are SQL keywords.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{name}\"")
}

/// The columns of a layer table, in table order, with their types.
pub(crate) fn layer_columns(layer: LayerId) -> Vec<(&'static str, SqlType)> {
    FEATURE_FIXED
        .iter()
        .copied()
        .chain(
            layer
                .schema()
                .properties
                .iter()
                .map(|p| (p.name, SqlType::from(p.ty))),
        )
        .collect()
}

/// The columns of a record table, in table order, with their types.
pub(crate) fn record_columns(schema: &RecordSchema) -> Vec<(&'static str, SqlType)> {
    schema
        .fields
        .iter()
        .map(|f| (f.name, SqlType::from(f.ty)))
        .collect()
}

fn names(columns: &[(&'static str, SqlType)]) -> Vec<&'static str> {
    columns.iter().map(|(n, _)| *n).collect()
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

/// [`select_layer`] for one id.
pub(crate) fn select_feature(layer: LayerId) -> String {
    format!("{} WHERE id = $1", select_layer(layer))
}

/// Number of leading columns in [`select_layer`] before the properties.
pub(crate) const SELECT_LAYER_FIXED: usize = 3;

/// `UPDATE` of every column but `id`, which is the last parameter.
pub(crate) fn update_feature(layer: LayerId) -> String {
    let cols = names(&layer_columns(layer));
    let sets: Vec<String> = cols[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = {}", ident(c), param(i + 1)))
        .collect();
    format!(
        "UPDATE {} SET {} WHERE id = {}",
        ident(layer.as_str()),
        sets.join(", "),
        param(cols.len())
    )
}

pub(crate) fn delete_feature(layer: LayerId) -> String {
    format!("DELETE FROM {} WHERE id = $1", ident(layer.as_str()))
}

pub(crate) fn max_id(table: &str) -> String {
    format!("SELECT COALESCE(MAX(id), 0) FROM {}", ident(table))
}

/// Reserves a block of ids for `table` in one statement (binds: the table's name, the
/// block's size; returns the block's first id). The block starts at the table's `next`,
/// or above its highest stored id if that is higher (rows written with explicit ids, by
/// the generator or an older release). One upsert is atomic on both backends: PostgreSQL
/// locks the conflicting row and evaluates `next` on its latest version; a SQLite
/// statement holds the write lock. The larger of the two starts is a `CASE`, which
/// both dialects spell alike (SQLite's `MAX` is PostgreSQL's `GREATEST`).
pub(crate) fn reserve_ids(table: &str) -> String {
    let above_stored = format!("(SELECT COALESCE(MAX(id), 0) + 1 FROM {})", ident(table));
    format!(
        "INSERT INTO id_blocks (name, next) VALUES ($1, {above_stored} + $2) \
         ON CONFLICT (name) DO UPDATE SET next = CASE \
         WHEN id_blocks.next > {above_stored} THEN id_blocks.next ELSE {above_stored} END + $2 \
         RETURNING next - $2"
    )
}

pub(crate) fn count(table: &str) -> String {
    format!("SELECT COUNT(*) FROM {}", ident(table))
}

pub(crate) const SET_META: &str = "INSERT INTO meta (key, value) VALUES ($1, $2) \
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

pub(crate) const GET_META: &str = "SELECT value FROM meta WHERE key = $1";

/// Rows of `schema` whose `field` equals the first parameter (or, with `null`, is
/// NULL), ordered by id, at most the last parameter.
pub(crate) fn find_records(schema: &RecordSchema, field: &str, null: bool) -> String {
    let (cond, limit) = if null {
        (format!("{} IS NULL", ident(field)), "$1")
    } else {
        (format!("{} = $1", ident(field)), "$2")
    };
    format!(
        "SELECT {} FROM {} WHERE {cond} ORDER BY id LIMIT {limit}",
        column_list(&names(&record_columns(schema))),
        ident(schema.name)
    )
}

/// The `grid_code` values that start with a prefix, as a range of text: `lo <=
/// grid_code < hi`. A range (rather than `LIKE 'prefix%'`) needs no escaping and
/// uses a b-tree on both backends, as long as the text sorts byte-wise (BINARY on
/// SQLite, the "C" collation on PostgreSQL; see migration 0003). UTF-8 sorts byte-wise
/// in code point order, so the strings with the prefix are exactly those from the
/// prefix up to its successor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrefixRange {
    pub lo: String,
    /// `None` when nothing sorts after every string with the prefix.
    pub hi: Option<String>,
}

impl PrefixRange {
    /// The range of `prefix`; `None` for the empty prefix, which takes every row.
    pub(crate) fn new(prefix: &str) -> Option<PrefixRange> {
        if prefix.is_empty() {
            return None;
        }
        // The successor: the last character that has a next one, incremented, with
        // everything after it (only U+10FFFF, in practice never) dropped.
        let mut hi = prefix.to_owned();
        let hi = loop {
            let Some(last) = hi.pop() else {
                break None;
            };
            let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
            if let Some(next) = next {
                hi.push(next);
                break Some(hi);
            }
        };
        Some(PrefixRange {
            lo: prefix.to_owned(),
            hi,
        })
    }

    /// Whether every code from `min` to `max` (the table's smallest and largest) has
    /// the prefix. Then a page needs no range: the codes with the prefix form one
    /// interval, so every coded row matches, and walking the primary key finds a page
    /// at once where the range would sort the whole table's index entries first.
    pub(crate) fn covers(&self, min: Option<&str>, max: Option<&str>) -> bool {
        let has = |code: Option<&str>| code.is_some_and(|c| c.starts_with(&self.lo));
        has(min) && has(max)
    }
}

/// Which rows of a record table a page is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordFilter<'a> {
    /// Every row.
    All,
    /// Rows with any grid code (the prefix covers them all; see [`PrefixRange::covers`]).
    Coded,
    /// Rows whose grid code lies in the range.
    Range(&'a PrefixRange),
}

impl<'a> RecordFilter<'a> {
    /// The range's bounds as parameters, in the order [`list_records`] and
    /// [`count_records_in`] number them.
    pub(crate) fn bounds(self) -> Vec<&'a str> {
        match self {
            RecordFilter::Range(r) => std::iter::once(r.lo.as_str())
                .chain(r.hi.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The condition on `grid_code` for `filter`, numbering parameters from 1.
fn grid_condition(filter: RecordFilter) -> Option<String> {
    match filter {
        RecordFilter::All => None,
        RecordFilter::Coded => Some("grid_code IS NOT NULL".to_owned()),
        RecordFilter::Range(r) => Some(match r.hi {
            Some(_) => "grid_code >= $1 AND grid_code < $2".to_owned(),
            None => "grid_code >= $1".to_owned(),
        }),
    }
}

/// The smallest and largest grid code of a record table: two index look-ups (written
/// as two subqueries because SQLite optimizes a lone `MIN` or `MAX`, not both).
pub(crate) fn grid_code_bounds(schema: &RecordSchema) -> String {
    let t = ident(schema.name);
    format!("SELECT (SELECT MIN(grid_code) FROM {t}), (SELECT MAX(grid_code) FROM {t})")
}

/// One page of a record table, in its listing order.
///
/// Without a range, every row in id order: `id >` the first parameter, at most the
/// second. With a range (a jurisdiction), the rows whose grid code lies in it, in
/// `(grid_code, id)` order: the order of the `(grid_code, id)` index, so a page is read
/// straight off the index, however many records the jurisdiction holds (in id order, a
/// street's first page would sort all its index entries first). The parameters are the
/// range's bounds, then, for a page `after` a record, that record's id, then the limit.
///
/// The page after a record continues from its `(grid_code, id)`: the rest of its grid,
/// then the grids after it, each an index range (a row-value comparison would read the
/// whole range on SQLite). Both halves stay inside the range, so an `after` from
/// another jurisdiction never reaches past it; one that names no record gives an empty
/// page.
pub(crate) fn list_records(
    schema: &RecordSchema,
    range: Option<&PrefixRange>,
    after: bool,
) -> String {
    let t = ident(schema.name);
    let cols = column_list(&names(&record_columns(schema)));
    let Some(range) = range else {
        return format!("SELECT {cols} FROM {t} WHERE id > $1 ORDER BY id LIMIT $2");
    };
    let n = RecordFilter::Range(range).bounds().len();
    let in_range = grid_condition(RecordFilter::Range(range)).unwrap_or_default();
    if !after {
        let limit = param(n + 1);
        return format!(
            "SELECT {cols} FROM {t} WHERE {in_range} ORDER BY grid_code, id LIMIT {limit}"
        );
    }
    let (after, limit) = (param(n + 1), param(n + 2));
    let its_grid = format!("(SELECT grid_code FROM {t} WHERE id = {after})");
    // The two halves read `(grid_code, id)` off the index alone; only the page's rows
    // are then read from the table.
    format!(
        "SELECT {cols} FROM {t} WHERE id IN (SELECT id FROM (\
         SELECT * FROM (SELECT grid_code, id FROM {t} WHERE {in_range} \
         AND grid_code = {its_grid} AND id > {after} ORDER BY id LIMIT {limit}) AS rest \
         UNION ALL \
         SELECT * FROM (SELECT grid_code, id FROM {t} WHERE {in_range} \
         AND grid_code > {its_grid} ORDER BY grid_code, id LIMIT {limit}) AS later\
         ) AS page ORDER BY grid_code, id LIMIT {limit}) \
         ORDER BY grid_code, id"
    )
}

/// How many rows of a record table match `filter`. The rows with any grid code are
/// counted as all rows less the uncoded ones: a table count is cheap on both backends
/// (SQLite counts b-tree pages), and the NULLs are one end of the grid-code index.
pub(crate) fn count_records_in(schema: &RecordSchema, filter: RecordFilter) -> String {
    let t = ident(schema.name);
    match (filter, grid_condition(filter)) {
        (RecordFilter::Coded, _) => format!(
            "SELECT (SELECT COUNT(*) FROM {t}) - (SELECT COUNT(*) FROM {t} WHERE grid_code IS NULL)"
        ),
        (_, Some(cond)) => format!("SELECT COUNT(*) FROM {t} WHERE {cond}"),
        (_, None) => count(schema.name),
    }
}

/// The record with the id given as the only parameter.
pub(crate) fn get_record(schema: &RecordSchema) -> String {
    format!(
        "SELECT {} FROM {} WHERE id = $1",
        column_list(&names(&record_columns(schema))),
        ident(schema.name)
    )
}

/// Column `i` of `row` as a value of `def`'s type.
pub(crate) fn read_value(row: &Row, i: usize, def: &PropertyDef) -> Result<Value, RepoError> {
    let value = match def.ty {
        PropType::Text => row.get::<Option<String>>(i).map(Value::from),
        PropType::Int => row.get::<Option<i64>>(i).map(Value::from),
        PropType::Float => row.get::<Option<f64>>(i).map(Value::from),
        PropType::Bool => row
            .get::<Option<bool>>(i)
            .map(|b| b.map_or(Value::Null, Value::Bool)),
        PropType::Date => row.get::<Option<NaiveDate>>(i).map(Value::from),
    };
    value.map_err(|e| RepoError::Corrupt(format!("`{}`: {e}", def.name)))
}

/// A record from a row of its table's columns in order.
pub(crate) fn read_record(schema: &RecordSchema, row: &Row) -> Result<Vec<Value>, RepoError> {
    schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, def)| read_value(row, i, def))
        .collect()
}

/// Refuses a grid prefix for a schema without a `grid_code` field.
pub(crate) fn check_grid_field(schema: &RecordSchema) -> Result<(), RepoError> {
    match schema.field("grid_code") {
        Some(_) => Ok(()),
        None => Err(RepoError::Backend(format!(
            "`{}` has no `grid_code` field to select a jurisdiction by",
            schema.name
        ))),
    }
}

/// `value` as a parameter of `def`'s type. Integers widen to floats and `YYYY-MM-DD`
/// text becomes a date (as [`Value::coerce`] does); anything else is refused, so that
/// SQLite's loose typing never stores a value the schema does not allow.
pub(crate) fn cell<'a>(def: &PropertyDef, value: &'a Value) -> Result<Param<'a>, RepoError> {
    let p = match (def.ty, value) {
        (ty, Value::Null) => Param::null(SqlType::from(ty)),
        (PropType::Text, Value::Text(s)) => Param::Text(Some(Cow::Borrowed(s))),
        (PropType::Int, Value::Int(i)) => Param::Int(Some(*i)),
        (PropType::Float, Value::Float(f)) => Param::Float(Some(*f)),
        (PropType::Float, Value::Int(i)) => Param::Float(Some(*i as f64)),
        (PropType::Bool, Value::Bool(b)) => Param::Bool(Some(*b)),
        (PropType::Date, Value::Date(d)) => Param::Date(Some(*d)),
        (PropType::Date, Value::Text(s)) => match Value::parse(def.name, PropType::Date, s) {
            Ok(Value::Date(d)) => Param::Date(Some(d)),
            _ => return Err(type_error(def, value)),
        },
        _ => return Err(type_error(def, value)),
    };
    Ok(p)
}

fn type_error(def: &PropertyDef, value: &Value) -> RepoError {
    RepoError::Backend(format!(
        "`{}` expects {}, got {value:?}",
        def.name,
        def.ty.expected()
    ))
}

/// Appends the parameters of one record row, which must have one value per field.
pub(crate) fn record_params<'a>(
    schema: &RecordSchema,
    row: &'a [Value],
    out: &mut Vec<Param<'a>>,
) -> Result<(), RepoError> {
    if row.len() != schema.fields.len() {
        return Err(RepoError::Backend(format!(
            "a `{}` row has {} values but the schema has {} fields",
            schema.name,
            row.len(),
            schema.fields.len()
        )));
    }
    for (def, v) in schema.fields.iter().zip(row) {
        out.push(cell(def, v)?);
    }
    Ok(())
}

/// Appends the parameters of a feature's row, in table order ([`layer_columns`]).
pub(crate) fn feature_params<'a>(
    layer: LayerId,
    f: &'a Feature,
    out: &mut Vec<Param<'a>>,
) -> Result<(), RepoError> {
    let row = FeatureRow::new(layer, f)?;
    let [minx, miny, maxx, maxy] = row.bbox;
    out.extend([
        Param::from(row.id),
        Param::from(row.wkb),
        minx.into(),
        miny.into(),
        maxx.into(),
        maxy.into(),
        row.updated_at.into(),
    ]);
    out.extend(row.props);
    Ok(())
}

/// A feature turned into column values.
#[derive(Debug)]
struct FeatureRow<'a> {
    id: i64,
    wkb: Vec<u8>,
    /// minx, miny, maxx, maxy
    bbox: [f64; 4],
    updated_at: DateTime<Utc>,
    props: Vec<Param<'a>>,
}

impl<'a> FeatureRow<'a> {
    fn new(layer: LayerId, f: &'a Feature) -> Result<FeatureRow<'a>, RepoError> {
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
            .map(|(def, v)| cell(def, v))
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

/// The text form of a timestamp on SQLite (`updated_at`, `created_at`…): fixed
/// width, so it sorts and compares as time.
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
        .map_err(|e| RepoError::Corrupt(format!("timestamp `{s}` is not RFC 3339: {e}")))
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
    cell(def, &v)?;
    Ok(v)
}

/// A stored slug or code (a role, a unit kind, a grid code) parsed back into its type;
/// one that does not parse means the row was written by something else.
pub(crate) fn parse_column<T>(column: &str, s: &str) -> Result<T, RepoError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e| RepoError::Corrupt(format!("`{column}` value `{s}`: {e}")))
}

/// Whether a driver error is a unique or primary key violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Maps a driver error to the twin's error, saying what was being done.
pub(crate) fn backend(what: impl std::fmt::Display) -> impl Fn(sqlx::Error) -> RepoError {
    move |e| RepoError::Backend(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use citymirror_core::records::PERSONS;

    use super::*;

    #[test]
    fn updates_number_every_column_and_then_the_id() {
        let u = update_feature(LayerId::District);
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
    fn a_prefix_is_the_range_up_to_its_successor() {
        let range = |p: &str| PrefixRange::new(p).map(|r| (r.lo, r.hi));
        let owned = |lo: &str, hi: Option<&str>| Some((lo.to_owned(), hi.map(str::to_owned)));
        assert_eq!(range("440304001"), owned("440304001", Some("440304002")));
        assert_eq!(range("4403049"), owned("4403049", Some("440304:")));
        assert_eq!(range("福田"), owned("福田", Some("福由")));
        // The successor of the last code point before the surrogates skips them.
        assert_eq!(range("a\u{d7ff}"), owned("a\u{d7ff}", Some("a\u{e000}")));
        assert_eq!(range("a\u{10ffff}"), owned("a\u{10ffff}", Some("b")));
        assert_eq!(range("\u{10ffff}"), owned("\u{10ffff}", None));
        assert_eq!(range(""), None);

        let street = PrefixRange::new("440304001").unwrap();
        assert!(street.covers(Some("44030400100101"), Some("44030400199999")));
        assert!(!street.covers(Some("44030400100101"), Some("44030400200101")));
        assert!(!street.covers(None, None));
        // Every code from min to max shares a prefix that both share.
        let (lo, hi) = (street.lo.as_str(), street.hi.as_deref().unwrap());
        for code in ["4403040010", "44030400100101", "440304001\u{10ffff}"] {
            assert!(lo <= code && code < hi, "{code}");
        }
        for code in ["44030400", "440304002", "4403040009"] {
            assert!(!(lo <= code && code < hi), "{code}");
        }
    }

    #[test]
    fn a_jurisdiction_is_paged_in_index_order() {
        let street = PrefixRange::new("440304001").unwrap();
        let s = list_records(&PERSONS, Some(&street), false);
        assert!(
            s.ends_with(
                "FROM \"persons\" WHERE grid_code >= $1 AND grid_code < $2 \
                 ORDER BY grid_code, id LIMIT $3"
            ),
            "{s}"
        );
        let s = list_records(&PERSONS, Some(&street), true);
        assert!(
            s.contains(
                "AND grid_code = (SELECT grid_code FROM \"persons\" WHERE id = $3) AND id > $3"
            ),
            "{s}"
        );
        assert!(s.contains("ORDER BY grid_code, id LIMIT $4)"), "{s}");
        let s = list_records(&PERSONS, None, true);
        assert!(s.ends_with("WHERE id > $1 ORDER BY id LIMIT $2"), "{s}");
        let s = count_records_in(&PERSONS, RecordFilter::Range(&street));
        assert_eq!(
            s,
            "SELECT COUNT(*) FROM \"persons\" WHERE grid_code >= $1 AND grid_code < $2"
        );
    }

    #[test]
    fn cells_refuse_values_of_the_wrong_type() {
        let def = PropertyDef::new("floors", "层数", PropType::Int);
        assert_eq!(cell(&def, &Value::Int(3)).unwrap(), Param::Int(Some(3)));
        assert!(cell(&def, &Value::Text("3".into())).is_err());
        let def = PropertyDef::new("completed", "竣工日期", PropType::Date);
        assert_eq!(
            cell(&def, &Value::Text("2020-01-02".into())).unwrap(),
            Param::Date(NaiveDate::from_ymd_opt(2020, 1, 2))
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
