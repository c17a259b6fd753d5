//! SensorThings resource paths (OGC 18-088 §9.2): `Things`, `Things(1)`,
//! `Things(1)/Datastreams`, `Datastreams(5)/Observations`, `Observations(9)/Datastream`,
//! `Things(1)/name`, `Things(1)/name/$value`, `Things/$ref`, `Things(1)/Locations/$ref`.
//! axum routes by fixed segments, and these carry ids in parentheses, so the edge reads
//! the path after `/sta/v1.1/` itself.

use citymirror_sensing::EntityType;

use crate::ApiError;

/// One step of a path, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A set or navigation name, with an id when one entity of it is meant.
    Name(String, Option<i64>),
    /// `$value` after a property.
    Value,
    /// `$ref` after a set or an entity.
    Ref,
}

/// The steps of a path; the first must name an entity set.
pub fn parse(path: &str) -> Result<(EntityType, Option<i64>, Vec<Step>), ApiError> {
    let mut steps = Vec::new();
    for seg in path.trim_matches('/').split('/') {
        steps.push(match seg {
            "" => return Err(ApiError::NotFound("an empty path segment".into())),
            "$value" => Step::Value,
            "$ref" => Step::Ref,
            s => match s.split_once('(') {
                None => Step::Name(s.to_owned(), None),
                Some((name, rest)) => {
                    let id = rest
                        .strip_suffix(')')
                        .and_then(|id| id.trim_matches('\'').parse::<i64>().ok())
                        .ok_or_else(|| {
                            ApiError::NotFound(format!(
                                "`{s}`: an id is an integer, as in Things(1)"
                            ))
                        })?;
                    Step::Name(name.to_owned(), Some(id))
                }
            },
        });
    }
    let mut it = steps.into_iter();
    let Some(Step::Name(first, id)) = it.next() else {
        return Err(ApiError::NotFound(
            "a path starts with an entity set, such as Things".into(),
        ));
    };
    let kind = EntityType::from_collection(&first).ok_or_else(|| {
        ApiError::NotFound(format!(
            "there is no entity set `{first}`; the sets are {}",
            EntityType::ALL.map(|k| k.collection()).join(", ")
        ))
    })?;
    Ok((kind, id, it.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_the_specification_writes_them() {
        let (k, id, rest) = parse("Things(1)/Datastreams(5)/Observations/$ref").unwrap();
        assert_eq!((k, id), (EntityType::Thing, Some(1)));
        assert_eq!(
            rest,
            vec![
                Step::Name("Datastreams".into(), Some(5)),
                Step::Name("Observations".into(), None),
                Step::Ref
            ]
        );
        assert!(parse("Thingz").is_err());
        assert!(parse("Things(x)").is_err());
        assert!(parse("Things//Locations").is_err());
    }
}
