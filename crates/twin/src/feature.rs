use chrono::{DateTime, Utc};
use citymirror_core::{GeomKind, LayerSchema, Value, ValueError};
use geo::{BoundingRect, Geometry, Rect};

pub type FeatureId = i64;

/// A stored feature: its id, WGS84 geometry, and property values in the order of its
/// layer's [`LayerSchema::properties`].
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub id: FeatureId,
    pub geometry: Geometry<f64>,
    pub props: Vec<Value>,
    pub updated_at: DateTime<Utc>,
}

impl Feature {
    pub fn bbox(&self) -> Option<Rect<f64>> {
        self.geometry.bounding_rect()
    }

    /// The value of property `name` under `schema`, if the layer has it.
    pub fn prop<'a>(&'a self, schema: &LayerSchema, name: &str) -> Option<&'a Value> {
        schema.property(name).and_then(|(i, _)| self.props.get(i))
    }
}

/// A feature as a writer submits it, already validated against its layer's schema.
/// Only [`NewFeature::validate`] builds one, so holding one means the input was good.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeature {
    pub geometry: Geometry<f64>,
    pub props: Vec<Value>,
}

/// A partial update (OGC API Features Part 4 PATCH): what is given replaces what is there.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub geometry: Option<Geometry<f64>>,
    pub props: Vec<(String, Value)>,
}

impl NewFeature {
    /// Checks geometry kind, coordinates, size and validity, every property's name, type
    /// and size, and the codes the catalogue knows ([`crate::rules`]); then sets the
    /// fields the twin derives. `grid_code` may be omitted: the write path derives it
    /// from the geometry.
    pub fn validate(
        schema: &LayerSchema,
        geometry: Geometry<f64>,
        props: impl IntoIterator<Item = (String, Value)>,
    ) -> Result<NewFeature, ValueError> {
        validate_geometry(schema, &geometry)?;
        let mut values = vec![Value::Null; schema.properties.len()];
        for (name, value) in props {
            let (i, def) = schema
                .property(&name)
                .ok_or_else(|| ValueError::UnknownProperty {
                    field: name.clone(),
                })?;
            values[i] = value.coerce(&name, def.ty)?;
        }
        for (def, v) in schema.properties.iter().zip(&values) {
            if def.required && v.is_null() {
                return Err(ValueError::Missing {
                    field: def.name.to_owned(),
                });
            }
        }
        crate::rules::check_values(schema, &values)?;
        crate::rules::derive(schema, &geometry, &mut values);
        Ok(NewFeature {
            geometry,
            props: values,
        })
    }
}

fn validate_geometry(schema: &LayerSchema, g: &Geometry<f64>) -> Result<(), ValueError> {
    let ok = matches!(
        (schema.geometry, g),
        (GeomKind::Point, Geometry::Point(_))
            | (GeomKind::LineString, Geometry::LineString(_))
            | (GeomKind::Polygon, Geometry::Polygon(_))
            | (
                GeomKind::Areal,
                Geometry::Polygon(_) | Geometry::MultiPolygon(_)
            )
    );
    if !ok {
        return Err(ValueError::Invalid {
            what: "geometry",
            reason: format!(
                "layer `{}` takes {} geometries",
                schema.id,
                schema.geometry.as_str()
            ),
        });
    }
    use geo::CoordsIter;
    if g.coords_count() == 0 {
        return Err(ValueError::Invalid {
            what: "geometry",
            reason: "it has no coordinates".into(),
        });
    }
    if let Some(c) = g.coords_iter().find(|c| {
        !(c.x.is_finite()
            && c.y.is_finite()
            && (-180.0..=180.0).contains(&c.x)
            && (-90.0..=90.0).contains(&c.y))
    }) {
        return Err(ValueError::Invalid {
            what: "geometry",
            reason: format!(
                "coordinate ({}, {}) is not a WGS84 longitude/latitude",
                c.x, c.y
            ),
        });
    }
    crate::rules::check_geometry(schema, g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use citymirror_core::LayerId;
    use geo::point;

    fn props(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn accepts_a_valid_component_and_orders_its_props() {
        let s = LayerId::Components.schema();
        let f = NewFeature::validate(
            s,
            point!(x: 114.05, y: 22.54).into(),
            props(&[("status", "完好".into()), ("category", "0120".into())]),
        )
        .unwrap();
        assert_eq!(f.props[0], Value::from("0120"));
        assert_eq!(f.prop_index_of(s, "status"), Some(&Value::from("完好")));
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        let s = LayerId::Components.schema();
        let p: Geometry<f64> = point!(x: 114.05, y: 22.54).into();
        let err = |g: Geometry<f64>, pr| NewFeature::validate(s, g, pr).unwrap_err().to_string();
        assert!(err(p.clone(), props(&[])).contains("`category` is required"));
        assert!(err(
            p.clone(),
            props(&[("category", "0120".into()), ("colour", "red".into())])
        )
        .contains("unknown property `colour`"));
        assert!(err(p.clone(), props(&[("category", Value::Int(7))])).contains("expects a string"));
        assert!(err(
            point!(x: 214.0, y: 22.0).into(),
            props(&[("category", "0120".into())])
        )
        .contains("not a WGS84"));
        let line: Geometry<f64> = geo::LineString::from(vec![(114.0, 22.5), (114.1, 22.6)]).into();
        assert!(err(line, props(&[("category", "0120".into())])).contains("takes Point"));
    }

    impl NewFeature {
        fn prop_index_of<'a>(&'a self, s: &LayerSchema, name: &str) -> Option<&'a Value> {
            s.property(name).map(|(i, _)| &self.props[i])
        }
    }
}
