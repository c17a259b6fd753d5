//! `GET /api/v1/areas` (the district) and `GET /api/v1/areas/{code}`: one administrative
//! area with its headline figures and its children's, for the map's drill-down
//! 区 → 街道 → 社区 → 网格.
//!
//! Feature counts are public, like the layers they count. The number of people is block
//! data: it is given only for areas inside the reader's jurisdiction for person records,
//! and is `null` elsewhere, so the same page shows a grid worker their own grid's
//! population and nobody else's.

use axum::{
    extract::{Path, State},
    response::Response,
};
use citymirror_core::{records::PERSONS, GridCode, GridLevel, LayerId, Value};
use citymirror_trust::{mask, Action, Principal, Target};
use citymirror_twin::{CountTable, Twin};
use geo::Rect;
use serde_json::{json, Value as Json};

use crate::{media, security::Caller, ApiError, AppState};

/// One administrative unit as the twin's layers describe it.
struct Unit {
    code: GridCode,
    name: String,
    bbox: Option<Rect<f64>>,
}

pub async fn district(state: State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let code = state
        .service
        .twin()
        .grids()
        .district()
        .cloned()
        .ok_or_else(|| ApiError::NotFound("the twin has no district yet".into()))?;
    respond(&state, &caller.0, code).await
}

pub async fn one(
    state: State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let code: GridCode = raw
        .parse()
        .map_err(|e: citymirror_core::ValueError| ApiError::InvalidParameter(e.to_string()))?;
    respond(&state, &caller.0, code).await
}

async fn respond(state: &AppState, who: &Principal, code: GridCode) -> Result<Response, ApiError> {
    let twin = state.service.twin().clone();
    let (area, parent, children, table) = {
        let code = code.clone();
        tokio::task::spawn_blocking(move || {
            let area = unit(&twin, &code);
            let parent = code.parent().and_then(|p| unit(&twin, &p));
            (area, parent, children(&twin, &code), twin.count_by_grid())
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let area = area.ok_or_else(|| ApiError::NotFound(format!("no area with code {code}")))?;
    // Unit names are written by administrators, and are masked like any other text.
    let name = |n: &str| mask::mask_text(n, who.entitlement()).into_owned();
    let mut kids = Vec::with_capacity(children.len());
    for c in &children {
        kids.push(json!({
            "code": c.code.as_str(),
            "name": name(&c.name),
            "level": c.code.level().as_str(),
            "bbox": c.bbox.map(bbox),
            "counts": counts(state, who, &table, &c.code).await?,
        }));
    }
    Ok(media::json(
        media::JSON,
        &json!({
            "code": area.code.as_str(),
            "name": name(&area.name),
            "level": area.code.level().as_str(),
            "level_name": area.code.level().name_zh(),
            "parent": parent.map(|p| json!({
                "code": p.code.as_str(),
                "name": name(&p.name),
                "level": p.code.level().as_str(),
            })),
            "bbox": area.bbox.map(bbox),
            "center": area.bbox.map(|r| [r.center().x, r.center().y]),
            "counts": counts(state, who, &table, &area.code).await?,
            "children": kids,
        }),
    ))
}

/// The feature counts of an area, and its number of people if `who` may read person
/// records there.
async fn counts(
    state: &AppState,
    who: &Principal,
    table: &CountTable,
    code: &GridCode,
) -> Result<Json, ApiError> {
    let mut v =
        serde_json::to_value(table.within(code)).map_err(|e| ApiError::Internal(e.to_string()))?;
    let people = match who.authorize(Action::RecordsRead, Target::InGrid(code.as_str())) {
        Ok(()) => Some(
            state
                .security
                .records
                .count_records_in(&PERSONS, code.as_str())
                .await?,
        ),
        Err(_) => None,
    };
    v["people"] = json!(people);
    Ok(v)
}

fn bbox(r: Rect<f64>) -> [f64; 4] {
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

fn text(twin_layer: &citymirror_twin::Layer, f: &citymirror_twin::Feature, name: &str) -> String {
    f.prop(twin_layer.schema(), name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn unit(twin: &Twin, code: &GridCode) -> Option<Unit> {
    let layer = twin.layer(LayerId::for_level(code.level()));
    let found = layer
        .iter()
        .find(|f| text(&layer, f, "code") == code.as_str())
        .map(|f| Unit {
            code: code.clone(),
            name: text(&layer, f, "name"),
            bbox: f.bbox(),
        });
    found
}

/// The units one level down whose codes extend `code`, in code order.
fn children(twin: &Twin, code: &GridCode) -> Vec<Unit> {
    let level = match code.level() {
        GridLevel::District => GridLevel::Street,
        GridLevel::Street => GridLevel::Community,
        GridLevel::Community => GridLevel::Grid,
        GridLevel::Grid => return Vec::new(),
    };
    let layer = twin.layer(LayerId::for_level(level));
    let mut out: Vec<Unit> = layer
        .iter()
        .filter_map(|f| {
            let c: GridCode = text(&layer, f, "code").parse().ok()?;
            (code.contains(&c) && c.level() == level).then(|| Unit {
                code: c,
                name: text(&layer, f, "name"),
                bbox: f.bbox(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}
