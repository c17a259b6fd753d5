//! Pages of an entity set with `$filter`, `$orderby`, `$skip`, `$top` and `$count`.
//!
//! Sets other than Observations are in memory (the registry) and are filtered and
//! sorted there. Observations are in the store: the owner and the bounds a `$filter`
//! puts on `phenomenonTime` are pushed down, order by time or id is the store's, and
//! the rest of a filter is evaluated on rows read in chunks, up to a bound on the rows
//! one request may read (a filter that needs more is refused, saying to narrow it).

use citymirror_sensing::{
    model::Entity,
    observation::Observation,
    query::{compare_for_orderby, Expr, QueryOptions, Scope},
    registry::ObservationsOf,
    repo::{ObservationOrder, ObservationQuery},
    scope::{EntityScope, ObservationScope},
    EntityType,
};

use super::{sensing_error, Ctx};
use crate::ApiError;

/// Entities per page unless `$top` says otherwise, and the most `$top` may ask.
pub const DEFAULT_TOP: usize = 100;
pub const MAX_TOP: usize = 10_000;
/// The most observation rows one request reads to evaluate a filter or an order the
/// store cannot apply.
pub const MAX_SCANNED: u64 = 200_000;
const CHUNK: u64 = 5_000;

#[derive(Clone, Debug)]
pub enum Item {
    Entity(Entity),
    Observation(Observation),
}

impl Item {
    pub fn kind(&self) -> EntityType {
        match self {
            Item::Entity(e) => e.kind,
            Item::Observation(_) => EntityType::Observation,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Item::Entity(e) => e.id,
            Item::Observation(o) => o.id,
        }
    }
}

/// Where a set's members come from.
pub enum Source {
    Ids(EntityType, Vec<i64>),
    Observations(Option<ObservationsOf>),
}

pub struct Page {
    pub items: Vec<Item>,
    pub count: Option<u64>,
    /// Whether members follow this page (a next link is due).
    pub more: bool,
    pub top: usize,
}

pub fn top(opts: &QueryOptions) -> usize {
    opts.top.unwrap_or(DEFAULT_TOP).min(MAX_TOP)
}

fn scope_of<'a>(ctx: &'a Ctx<'_>, item: &'a Item) -> Box<dyn Scope + 'a> {
    let registry = &ctx.svc.registry;
    let mask = &ctx.mask;
    match item {
        Item::Entity(entity) => Box::new(EntityScope {
            registry,
            entity,
            reveal_serial: ctx.reveal_serial,
            mask,
        }),
        Item::Observation(observation) => Box::new(ObservationScope {
            registry,
            observation,
            reveal_serial: ctx.reveal_serial,
            mask,
        }),
    }
}

fn passes(ctx: &Ctx<'_>, filter: Option<&Expr>, item: &Item) -> bool {
    filter.is_none_or(|f| f.matches(scope_of(ctx, item).as_ref()))
}

/// Sorts by the `$orderby` keys, then by id (so pages are stable).
fn sort(ctx: &Ctx<'_>, items: &mut [Item], opts: &QueryOptions) {
    if opts.orderby.is_empty() {
        return;
    }
    let mut keyed: Vec<(Vec<serde_json::Value>, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let scope = scope_of(ctx, it);
            let keys = opts
                .orderby
                .iter()
                .map(|o| o.expr.eval(scope.as_ref()).unwrap_or_default())
                .collect();
            (keys, i)
        })
        .collect();
    keyed.sort_by(|(a, i), (b, j)| {
        for (n, o) in opts.orderby.iter().enumerate() {
            let c = compare_for_orderby(&a[n], &b[n]);
            let c = if o.descending { c.reverse() } else { c };
            if c.is_ne() {
                return c;
            }
        }
        items[*i].id().cmp(&items[*j].id())
    });
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let sorted: Vec<Item> = order.iter().map(|i| items[*i].clone()).collect();
    items.clone_from_slice(&sorted);
}

pub async fn list(ctx: &Ctx<'_>, source: Source, opts: &QueryOptions) -> Result<Page, ApiError> {
    let top = top(opts);
    match source {
        Source::Ids(kind, ids) => Ok(list_entities(ctx, kind, ids, opts, top)),
        Source::Observations(of) => list_observations(ctx, of, opts, top).await,
    }
}

fn list_entities(
    ctx: &Ctx<'_>,
    kind: EntityType,
    ids: Vec<i64>,
    opts: &QueryOptions,
    top: usize,
) -> Page {
    let filter = opts.filter.as_ref();
    let whole = opts.count || !opts.orderby.is_empty();
    let want = opts.skip.saturating_add(top).saturating_add(1);
    let mut hits = Vec::new();
    for id in ids {
        let Some(e) = ctx.svc.registry.get(kind, id, ctx.reveal_serial) else {
            continue;
        };
        let item = Item::Entity(e);
        if passes(ctx, filter, &item) {
            hits.push(item);
            if !whole && hits.len() >= want {
                break;
            }
        }
    }
    let count = opts.count.then_some(hits.len() as u64);
    sort(ctx, &mut hits, opts);
    page(hits, opts.skip, top, count)
}

fn page(mut hits: Vec<Item>, skip: usize, top: usize, count: Option<u64>) -> Page {
    let rest = hits.split_off(skip.min(hits.len()));
    let more = top > 0 && rest.len() > top;
    Page {
        items: rest.into_iter().take(top).collect(),
        count,
        more,
        top,
    }
}

/// The store's order for an `$orderby`, when it has one.
fn store_order(opts: &QueryOptions) -> Option<ObservationOrder> {
    use citymirror_sensing::query::Expr::Path;
    match opts.orderby.as_slice() {
        [] => Some(ObservationOrder::IdAsc),
        [o] => match (&o.expr, o.descending) {
            (Path(p), false) if p == &["phenomenonTime"] => Some(ObservationOrder::TimeAsc),
            (Path(p), true) if p == &["phenomenonTime"] => Some(ObservationOrder::TimeDesc),
            (Path(p), false) if p == &["id"] || p == &["@iot.id"] => Some(ObservationOrder::IdAsc),
            (Path(p), true) if p == &["id"] || p == &["@iot.id"] => Some(ObservationOrder::IdDesc),
            _ => None,
        },
        _ => None,
    }
}

async fn list_observations(
    ctx: &Ctx<'_>,
    of: Option<ObservationsOf>,
    opts: &QueryOptions,
    top: usize,
) -> Result<Page, ApiError> {
    let (from, to) = opts
        .filter
        .as_ref()
        .map_or((None, None), |f| f.time_bounds("phenomenonTime"));
    let order = store_order(opts);
    let base = ObservationQuery {
        of,
        from,
        to,
        order: order.unwrap_or(ObservationOrder::IdAsc),
        offset: 0,
        limit: 0,
    };
    // The plain case: the store pages and counts.
    if opts.filter.is_none() && order.is_some() {
        let q = ObservationQuery {
            offset: opts.skip as u64,
            limit: top as u64 + 1,
            ..base.clone()
        };
        let rows = ctx.svc.observations(&q).await.map_err(sensing_error)?;
        let count = match opts.count {
            true => Some(
                ctx.svc
                    .count_observations(&base)
                    .await
                    .map_err(sensing_error)?,
            ),
            false => None,
        };
        let more = top > 0 && rows.len() > top;
        let items = rows.into_iter().take(top).map(Item::Observation).collect();
        return Ok(Page {
            items,
            count,
            more,
            top,
        });
    }
    // Otherwise read in chunks and evaluate here.
    let whole = opts.count || order.is_none();
    let want = opts.skip.saturating_add(top).saturating_add(1);
    let mut hits = Vec::new();
    let mut offset = 0u64;
    loop {
        let q = ObservationQuery {
            offset,
            limit: CHUNK,
            ..base.clone()
        };
        let rows = ctx.svc.observations(&q).await.map_err(sensing_error)?;
        let n = rows.len() as u64;
        for o in rows {
            let item = Item::Observation(o);
            if passes(ctx, opts.filter.as_ref(), &item) {
                hits.push(item);
            }
        }
        offset += n;
        if n < CHUNK || (!whole && hits.len() >= want) {
            break;
        }
        if offset >= MAX_SCANNED {
            return Err(ApiError::Rejected {
                code: "query_too_broad",
                message: format!(
                    "this query would read more than {MAX_SCANNED} observations; narrow it, for \
                     example with `phenomenonTime ge …` in $filter, or ask for one Datastream's"
                ),
            });
        }
    }
    let count = opts.count.then_some(hits.len() as u64);
    sort(ctx, &mut hits, opts);
    Ok(page(hits, opts.skip, top, count))
}
