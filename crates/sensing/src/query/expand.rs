//! `$expand`: `Datastreams($select=name;$top=2;$expand=Observations($orderby=phenomenonTime desc)),Locations`
//! and the path form `Datastreams/Observations`, which is shorthand for expanding
//! Observations inside Datastreams.

use crate::entity::EntityType;

use super::error::QueryError;
use super::options::{parse_level, Expand, QueryOptions};

/// Deepest chain of expanded navigations. The specification sets none; each level can
/// multiply the rows a request touches, so anonymous callers get a bound.
pub const MAX_EXPAND_DEPTH: usize = 8;

/// Parses an `$expand` value for `entity`, itself `depth` navigations below the request.
pub(crate) fn parse_expand(
    text: &str,
    entity: EntityType,
    depth: usize,
) -> Result<Vec<Expand>, QueryError> {
    let mut out: Vec<Expand> = Vec::new();
    for item in split_top_level(text, ',').map_err(QueryError::BadExpand)? {
        let item = item.trim();
        if item.is_empty() {
            return Err(QueryError::BadExpand(format!("empty item in '{text}'")));
        }
        let (path, inner) = match item.find('(') {
            Some(open) if item.ends_with(')') => {
                (item[..open].trim(), Some(&item[open + 1..item.len() - 1]))
            }
            Some(_) => return Err(QueryError::BadExpand(format!("text after ')' in '{item}'"))),
            None => (item, None),
        };

        // Walk the path's navigations, checking each against the entity it leaves from.
        let mut current = entity;
        let mut chain = Vec::new();
        for seg in path.split('/').map(str::trim) {
            let nav = current.nav(seg).ok_or_else(|| {
                QueryError::BadExpand(format!("{} has no navigation '{seg}'", current.singular()))
            })?;
            chain.push(nav.name);
            current = nav.target;
        }
        let depth_here = depth + chain.len();
        if depth_here > MAX_EXPAND_DEPTH {
            return Err(QueryError::BadExpand(format!(
                "expands more than {MAX_EXPAND_DEPTH} levels deep"
            )));
        }

        let options = match inner {
            Some(inner) => parse_nested(inner, current, depth_here)
                .map_err(|e| e.within(&format!("$expand={path}")))?,
            None => QueryOptions::default(),
        };
        // `A/B(opts)` is `A($expand=B(opts))`: build it from the inside out.
        let (mut node, mut options) = (None, Some(options));
        for name in chain.into_iter().rev() {
            let options = match node.take() {
                None => options.take().unwrap_or_default(),
                Some(child) => QueryOptions {
                    expand: vec![child],
                    ..QueryOptions::default()
                },
            };
            node = Some(Expand {
                nav: name.to_string(),
                options,
            });
        }
        if let Some(node) = node {
            merge_into(&mut out, node)?;
        }
    }
    Ok(out)
}

/// The `$a=…;$b=…` inside an item's parentheses.
fn parse_nested(inner: &str, entity: EntityType, depth: usize) -> Result<QueryOptions, QueryError> {
    let mut pairs = Vec::new();
    for part in split_top_level(inner, ';').map_err(QueryError::BadExpand)? {
        let part = part.trim();
        let (k, v) = part.split_once('=').ok_or_else(|| {
            QueryError::BadExpand(format!("expected $option=value, found '{part}'"))
        })?;
        pairs.push((k.trim(), v.trim()));
    }
    parse_level(pairs, entity, depth)
}

/// `Datastreams/Observations,Datastreams($select=name)` names Datastreams twice: one
/// entry, with both its nested expand and its select. Two different values for the same
/// option (`$top=1` and `$top=2`) cannot both hold and are refused.
fn merge_into(list: &mut Vec<Expand>, new: Expand) -> Result<(), QueryError> {
    let Some(existing) = list.iter_mut().find(|e| e.nav == new.nav) else {
        list.push(new);
        return Ok(());
    };
    let (a, b) = (&mut existing.options, new.options);
    let conflict =
        |what: &str| QueryError::BadExpand(format!("conflicting {what} for {}", new.nav));
    macro_rules! take {
        ($field:ident, $default:expr, $name:literal) => {
            if b.$field != $default {
                if a.$field != $default && a.$field != b.$field {
                    return Err(conflict($name));
                }
                a.$field = b.$field;
            }
        };
    }
    take!(filter, None, "$filter");
    take!(select, None, "$select");
    take!(orderby, Vec::new(), "$orderby");
    take!(top, None, "$top");
    take!(skip, 0, "$skip");
    take!(count, false, "$count");
    take!(result_format, None, "$resultFormat");
    for child in b.expand {
        merge_into(&mut a.expand, child)?;
    }
    Ok(())
}

/// Splits at `sep` where it is outside parentheses and quoted strings (`''` escapes fall
/// out naturally: the quote closes and at once reopens).
pub(crate) fn split_top_level(text: &str, sep: char) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    for (i, c) in text.char_indices() {
        if quoted {
            quoted = c != '\'';
            continue;
        }
        match c {
            '\'' => quoted = true,
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    format!(
                        "unbalanced ')' at character {} of '{text}'",
                        text[..i].chars().count()
                    )
                })?
            }
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted {
        return Err(format!("unterminated string in '{text}'"));
    }
    if depth > 0 {
        return Err(format!("unbalanced '(' in '{text}'"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}
