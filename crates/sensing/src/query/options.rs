//! The system query options of OGC 18-088 §9.3 (`$filter`, `$expand`, `$select`,
//! `$orderby`, `$top`, `$skip`, `$count`, `$resultFormat`), read from the query string.

use crate::entity::EntityType;

use super::ast::Expr;
use super::error::QueryError;
use super::expand;
use super::parser;

/// Longest value accepted for any option, in characters (the `$filter` limit, applied to
/// all so that `$expand`'s nested options are bounded the same way).
pub const MAX_OPTION_LEN: usize = parser::MAX_EXPRESSION_LEN;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOptions {
    pub filter: Option<Expr>,
    pub expand: Vec<Expand>,
    /// Property names (may include navigation names such as "Datastreams" and "id").
    pub select: Option<Vec<String>>,
    pub orderby: Vec<OrderBy>,
    pub top: Option<usize>,
    pub skip: usize,
    pub count: bool,
    pub result_format: Option<ResultFormat>,
}

/// One navigation to expand inline, with the options that apply to the expanded entities.
#[derive(Debug, Clone, PartialEq)]
pub struct Expand {
    pub nav: String,
    pub options: QueryOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultFormat {
    /// `$resultFormat=dataArray` (OGC 18-088 §14.3): Observations as compact arrays.
    DataArray,
}

/// Reads the query options for a request on `entity`'s collection.
///
/// `params` are already percent-decoded (key, value) pairs from the query string. Keys
/// without `$` belong to someone else and are ignored; an unknown `$xxx`, or one given
/// twice, is an error (silently ignoring a misspelt `$fliter` would return everything).
/// Option names match case-insensitively, as OData 4.01 allows. `$top` is not capped
/// here: the caller applies its own limit.
pub fn parse_options(
    params: &[(String, String)],
    entity: EntityType,
) -> Result<QueryOptions, QueryError> {
    parse_level(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        entity,
        0,
    )
}

/// One level of options: the query string itself (`depth` 0), or the `(…)` of an
/// `$expand` item `depth` navigations below it.
pub(crate) fn parse_level<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    entity: EntityType,
    depth: usize,
) -> Result<QueryOptions, QueryError> {
    let nested = depth > 0;
    let mut opts = QueryOptions::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in pairs {
        let Some(name) = key.strip_prefix('$') else {
            if nested {
                return Err(QueryError::BadExpand(format!(
                    "nested option '{key}' must start with '$'"
                )));
            }
            continue;
        };
        let name = name.to_ascii_lowercase();
        if seen.contains(&name) {
            return Err(QueryError::BadOption(format!(
                "'{key}' given more than once"
            )));
        }
        seen.push(name.clone());
        let too_long = value.chars().count() > MAX_OPTION_LEN;
        let long_msg = || format!("longer than {MAX_OPTION_LEN} characters");
        match name.as_str() {
            "filter" => opts.filter = Some(parser::parse_filter(value, entity)?),
            "orderby" => opts.orderby = parser::parse_orderby(value, entity)?,
            "expand" if too_long => return Err(QueryError::BadExpand(long_msg())),
            "expand" => opts.expand = expand::parse_expand(value, entity, depth)?,
            "select" if too_long => return Err(QueryError::BadSelect(long_msg())),
            "select" => opts.select = Some(parse_select(value, entity)?),
            "top" => opts.top = Some(parse_count_of(value).map_err(QueryError::BadTop)?),
            "skip" => opts.skip = parse_count_of(value).map_err(QueryError::BadSkip)?,
            "count" => {
                opts.count = match value {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(QueryError::BadCount(format!(
                            "'{other}' is not true or false"
                        )))
                    }
                }
            }
            "resultformat" if nested => {
                return Err(QueryError::BadOption(
                    "$resultFormat applies to the whole response, not inside $expand".into(),
                ))
            }
            "resultformat" => {
                opts.result_format = if value.eq_ignore_ascii_case("dataArray") {
                    Some(ResultFormat::DataArray)
                } else {
                    return Err(QueryError::BadOption(format!(
                        "unsupported $resultFormat '{value}' (supported: dataArray)"
                    )));
                }
            }
            _ => {
                return Err(QueryError::BadOption(format!(
                    "unknown query option '{key}'"
                )))
            }
        }
    }
    Ok(opts)
}

/// `$top` / `$skip`: digits only (no sign, no spaces), fitting a usize.
fn parse_count_of(value: &str) -> Result<usize, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{value}' is not a non-negative integer"));
    }
    value
        .parse::<usize>()
        .map_err(|_| format!("'{value}' is too large"))
}

/// `name,id,Datastreams`: the entity's properties, its navigations, `id`, `@iot.id`,
/// `@iot.selfLink`. Repeats are dropped; order is kept.
fn parse_select(value: &str, entity: EntityType) -> Result<Vec<String>, QueryError> {
    let mut out: Vec<String> = Vec::new();
    for raw in value.split(',') {
        let name = raw.trim();
        if name.is_empty() {
            return Err(QueryError::BadSelect(format!("empty name in '{value}'")));
        }
        let known = matches!(name, "id" | "@iot.id" | "@iot.selfLink")
            || entity.properties().contains(&name)
            || entity.nav(name).is_some();
        if !known {
            return Err(QueryError::BadSelect(format!(
                "{} has no property or navigation '{name}'",
                entity.singular()
            )));
        }
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}
