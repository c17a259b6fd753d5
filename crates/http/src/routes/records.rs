//! Block data (persons, houses, entities): `GET /api/v1/records/{kind}` and
//! `GET /api/v1/records/{kind}/{id}`. A reader sees only records in their jurisdiction,
//! masked to their entitlement; every response that reveals a field of grade 一般-3 or
//! above is written to the audit log before it is sent.

use axum::{
    extract::{Path, RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_core::{
    records::{RecordSchema, RECORD_SCHEMAS},
    GridCode, Value,
};
use citymirror_trust::{Action, Principal, Target};
use serde::{ser::SerializeMap as _, Deserialize, Serialize, Serializer};
use serde_json::json;

use super::query::query;
use crate::{
    security::{masking, trail, Caller},
    ApiError, AppState,
};

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// A grid code (of any level) inside the reader's jurisdiction; default: all of it.
    grid: Option<String>,
    /// Keyset pagination: the records after this one (the previous page's
    /// `next_after`), in the listing's order: by grid code, then id.
    after: Option<i64>,
    limit: Option<u32>,
}

fn schema(kind: &str) -> Result<&'static RecordSchema, ApiError> {
    RECORD_SCHEMAS
        .iter()
        .copied()
        .find(|s| s.name == kind)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no record kind `{kind}`; expected persons, houses or entities"
            ))
        })
}

fn grid_of(schema: &RecordSchema, row: &[Value]) -> Option<String> {
    let i = schema.fields.iter().position(|f| f.name == "grid_code")?;
    row[i].as_str().map(str::to_owned)
}

/// A masked record as a JSON object, its fields in schema order. Serialized straight
/// from the values: a page holds a thousand of them, and building a `serde_json::Map`
/// first would allocate every field's name and value again.
pub(crate) struct RecordJson {
    schema: &'static RecordSchema,
    values: Vec<Value>,
}

impl Serialize for RecordJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values.len()))?;
        for (def, v) in self.schema.fields.iter().zip(&self.values) {
            map.serialize_entry(def.name, &masking::JsonValue(v))?;
        }
        map.end()
    }
}

/// Masks rows for `who`, and audits them if they reveal sensitive fields.
async fn present(
    state: &AppState,
    who: &Principal,
    schema: &'static RecordSchema,
    rows: Vec<Vec<Value>>,
    target: String,
) -> Result<Vec<RecordJson>, ApiError> {
    let entitlement = who.entitlement();
    let mut revealed: Vec<&'static str> = Vec::new();
    let mut ids = Vec::new();
    let out = rows
        .into_iter()
        .map(|row| {
            let (values, fields) = masking::record(schema, row, entitlement);
            if !fields.is_empty() {
                ids.push(values.first().and_then(Value::as_i64).unwrap_or_default());
            }
            for f in fields {
                if !revealed.contains(&f) {
                    revealed.push(f);
                }
            }
            RecordJson { schema, values }
        })
        .collect();
    if !revealed.is_empty() {
        let detail = json!({ "fields": revealed, "records": ids.len(), "ids": ids });
        trail::record(state, who, "records.read", target, detail).await?;
    }
    Ok(out)
}

/// One page of records, as `GET /api/v1/records/{kind}` answers it.
#[derive(Serialize)]
struct Page {
    kind: &'static str,
    title: &'static str,
    grid: String,
    records: Vec<RecordJson>,
    next_after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(kind): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::RecordsRead, Target::Any)?;
    let schema = schema(&kind)?;
    let q: ListQuery = query(raw.as_deref())?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidParameter(format!(
            "`limit` must be 1 to {MAX_LIMIT}"
        )));
    }
    let grid = match q.grid {
        Some(g) => {
            let code: GridCode = g
                .parse()
                .map_err(|e| ApiError::InvalidParameter(format!("`grid`: {e}")))?;
            who.authorize(Action::RecordsRead, Target::InGrid(code.as_str()))?;
            code.to_string()
        }
        None => who
            .jurisdiction
            .as_ref()
            .map(|j| j.code().to_string())
            .ok_or_else(|| {
                ApiError::Forbidden(
                    "records are read within a jurisdiction, and this caller has none".into(),
                )
            })?,
    };
    let after = q.after.unwrap_or(0);
    let rows = state
        .security
        .records
        .list_records(schema, Some(&grid), after, limit)
        .await?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().and_then(|r| r[0].as_i64()))
        .flatten();
    let target = format!("{kind}?grid={grid}&after={after}");
    let records = present(&state, &who, schema, rows, target).await?;
    Ok(Json(Page {
        kind: schema.name,
        title: schema.title_zh,
        grid,
        records,
        next_after: next,
    })
    .into_response())
}

pub async fn one(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((kind, raw_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    who.authorize(Action::RecordsRead, Target::Any)?;
    let schema = schema(&kind)?;
    let not_found = || ApiError::NotFound(format!("no {kind} record `{raw_id}`"));
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let row = state
        .security
        .records
        .get_record(schema, id)
        .await?
        .ok_or_else(not_found)?;
    // Out of jurisdiction reads exactly like a missing id, so ids cannot be probed.
    let grid = grid_of(schema, &row).ok_or_else(not_found)?;
    who.authorize(Action::RecordsRead, Target::InGrid(&grid))
        .map_err(|_| not_found())?;
    let mut records = present(&state, &who, schema, vec![row], format!("{kind}/{id}")).await?;
    Ok(Json(records.remove(0)).into_response())
}
