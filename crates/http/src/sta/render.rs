//! Entities as SensorThings JSON (OGC 18-088 §9.2): `@iot.id`, `@iot.selfLink`, the
//! own properties (text masked to the reader), a navigation link per navigation
//! property, `$select`, and `$expand` with its own options at each level.

use std::{future::Future, pin::Pin};

use citymirror_sensing::{
    observation::Stream,
    query::{Expand, QueryOptions},
    registry::Related,
    EntityType,
};
use citymirror_trust::mask::mask_text;
use serde_json::{Map, Value};

use super::{
    list::{list, Item, Source},
    Ctx,
};
use crate::ApiError;

pub fn self_link(ctx: &Ctx<'_>, kind: EntityType, id: i64) -> String {
    format!("{}/{}({id})", ctx.base, kind.collection())
}

/// Strings masked to the reader, however deep (names and descriptions are free text a
/// client wrote; a phone number in one is masked like anywhere else).
fn masked(ctx: &Ctx<'_>, v: &Value) -> Value {
    masked_to(ctx.entitlement, v)
}

pub fn masked_to(entitlement: citymirror_core::DataGrade, v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(mask_text(s, entitlement).into_owned()),
        Value::Array(a) => Value::Array(a.iter().map(|v| masked_to(entitlement, v)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), masked_to(entitlement, v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn selected(select: Option<&Vec<String>>, name: &str) -> bool {
    select.is_none_or(|s| s.iter().any(|x| x == name))
}

/// The entity's own JSON, before expansion.
pub fn entity_json(ctx: &Ctx<'_>, item: &Item, select: Option<&Vec<String>>) -> Map<String, Value> {
    let kind = item.kind();
    let id = item.id();
    let link = self_link(ctx, kind, id);
    let mut m = Map::new();
    if selected(select, "id") || select.is_some_and(|s| s.iter().any(|x| x == "@iot.id")) {
        m.insert("@iot.id".into(), Value::from(id));
    }
    if select.is_none() || select.is_some_and(|s| s.iter().any(|x| x == "@iot.selfLink")) {
        m.insert("@iot.selfLink".into(), Value::String(link.clone()));
    }
    let props = match item {
        Item::Entity(e) => e.props.clone(),
        Item::Observation(o) => o.props(),
    };
    for name in kind.properties() {
        if !selected(select, name) {
            continue;
        }
        if let Some(v) = props.get(*name) {
            m.insert((*name).to_owned(), masked(ctx, v));
        } else if select.is_some() {
            m.insert((*name).to_owned(), Value::Null);
        }
    }
    for nav in kind.navs() {
        // An Observation links to one of Datastream and MultiDatastream.
        if let Item::Observation(o) = item {
            let skip = match (nav.name, o.stream) {
                ("Datastream", Stream::Multi(_)) | ("MultiDatastream", Stream::Datastream(_)) => {
                    true
                }
                ("FeatureOfInterest", _) => o.foi.is_none(),
                _ => false,
            };
            if skip {
                continue;
            }
        }
        if selected(select, nav.name) {
            m.insert(
                format!("{}@iot.navigationLink", nav.name),
                Value::String(format!("{link}/{}", nav.name)),
            );
        }
    }
    m
}

/// Where an item's navigation property leads.
pub fn related(ctx: &Ctx<'_>, item: &Item, nav: &str) -> Result<Related, ApiError> {
    match item {
        Item::Entity(e) => ctx.svc.registry.related(e.kind, e.id, nav).ok_or_else(|| {
            ApiError::NotFound(format!(
                "{} has no navigation property `{nav}`",
                e.kind.singular()
            ))
        }),
        Item::Observation(o) => Ok(match (nav, o.stream) {
            ("Datastream", Stream::Datastream(d)) => Related::One(Some(d)),
            ("MultiDatastream", Stream::Multi(m)) => Related::One(Some(m)),
            ("Datastream", _) | ("MultiDatastream", _) => Related::One(None),
            ("FeatureOfInterest", _) => Related::One(o.foi),
            _ => {
                return Err(ApiError::NotFound(format!(
                    "an Observation has no navigation property `{nav}`"
                )))
            }
        }),
    }
}

/// The members of a many-valued navigation, as a list source.
pub fn source(kind: EntityType, related: Related) -> Option<Source> {
    match related {
        Related::Many(ids) => Some(Source::Ids(kind, ids)),
        Related::Observations(of) => Some(Source::Observations(Some(of))),
        Related::One(_) => None,
    }
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// The item as JSON with what `opts` selects and expands.
pub fn render<'a>(
    ctx: &'a Ctx<'a>,
    item: &'a Item,
    opts: &'a QueryOptions,
) -> Boxed<'a, Map<String, Value>> {
    Box::pin(async move {
        let mut m = entity_json(ctx, item, opts.select.as_ref());
        for ex in &opts.expand {
            expand(ctx, item, ex, &mut m).await?;
        }
        Ok(m)
    })
}

async fn expand(
    ctx: &Ctx<'_>,
    item: &Item,
    ex: &Expand,
    out: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let kind = item.kind();
    let nav = kind.nav(&ex.nav).ok_or_else(|| {
        ApiError::InvalidParameter(format!(
            "{} has no navigation property `{}`",
            kind.singular(),
            ex.nav
        ))
    })?;
    let rel = related(ctx, item, &ex.nav)?;
    match rel {
        Related::One(id) => {
            let target = id.and_then(|id| fetch_one(ctx, nav.target, id));
            let v = match target {
                Some(t) => Value::Object(render(ctx, &t, &ex.options).await?),
                None => Value::Null,
            };
            out.insert(ex.nav.clone(), v);
        }
        rel => {
            let Some(src) = source(nav.target, rel) else {
                return Ok(());
            };
            let page = list(ctx, src, &ex.options).await?;
            let mut values = Vec::with_capacity(page.items.len());
            for it in &page.items {
                values.push(Value::Object(render(ctx, it, &ex.options).await?));
            }
            out.insert(ex.nav.clone(), Value::Array(values));
            if let Some(n) = page.count {
                out.insert(format!("{}@iot.count", ex.nav), Value::from(n));
            }
            if page.more {
                let next = format!(
                    "{}/{}?$top={}&$skip={}",
                    self_link(ctx, kind, item.id()),
                    ex.nav,
                    page.top,
                    ex.options.skip + page.top
                );
                out.insert(format!("{}@iot.nextLink", ex.nav), Value::String(next));
            }
        }
    }
    Ok(())
}

/// One registry entity (not an Observation: those are the store's).
pub fn fetch_one(ctx: &Ctx<'_>, kind: EntityType, id: i64) -> Option<Item> {
    ctx.svc
        .registry
        .get(kind, id, ctx.reveal_serial)
        .map(Item::Entity)
}

/// One entity of any kind.
pub async fn fetch(ctx: &Ctx<'_>, kind: EntityType, id: i64) -> Result<Item, ApiError> {
    if kind == EntityType::Observation {
        return ctx
            .svc
            .observation(id)
            .await
            .map(Item::Observation)
            .map_err(super::sensing_error);
    }
    fetch_one(ctx, kind, id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no {} with id {id}", kind.singular())))
}

/// The observations of a stream, for `dataArray`: grouped by stream.
pub fn data_array(ctx: &Ctx<'_>, items: &[Item], select: Option<&Vec<String>>) -> Value {
    let components: Vec<String> = match select {
        Some(s) => s
            .iter()
            .filter(|c| !c.starts_with("@iot"))
            .cloned()
            .collect(),
        None => ["id", "phenomenonTime", "resultTime", "result"]
            .map(String::from)
            .to_vec(),
    };
    let mut groups: Vec<(Stream, Vec<Value>)> = Vec::new();
    for it in items {
        let Item::Observation(o) = it else { continue };
        let props = o.props();
        let row: Vec<Value> = components
            .iter()
            .map(|c| match c.as_str() {
                "id" => Value::from(o.id),
                name => props
                    .get(name)
                    .map(|v| masked(ctx, v))
                    .unwrap_or(Value::Null),
            })
            .collect();
        match groups.iter_mut().find(|(s, _)| *s == o.stream) {
            Some((_, rows)) => rows.push(Value::Array(row)),
            None => groups.push((o.stream, vec![Value::Array(row)])),
        }
    }
    let value: Vec<Value> = groups
        .into_iter()
        .map(|(s, rows)| {
            let (nav, kind) = match s {
                Stream::Datastream(_) => ("Datastream", EntityType::Datastream),
                Stream::Multi(_) => ("MultiDatastream", EntityType::MultiDatastream),
            };
            let mut m = Map::new();
            m.insert(
                format!("{nav}@iot.navigationLink"),
                Value::String(self_link(ctx, kind, s.id())),
            );
            m.insert("components".into(), Value::from(components.clone()));
            m.insert("dataArray@iot.count".into(), Value::from(rows.len()));
            m.insert("dataArray".into(), Value::Array(rows));
            Value::Object(m)
        })
        .collect();
    Value::Array(value)
}
