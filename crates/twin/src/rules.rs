//! What a written feature must satisfy beyond its schema's types, and what the twin
//! derives for it, the same way for every write path (OGC API Part 4, import, the
//! simulator) as the generator does for the features it lays out.
//!
//! - **Sizes**: a text value holds at most [`MAX_TEXT_CHARS`] characters, and a geometry
//!   at most [`max_vertices`] of its kind. A name of a megabyte or an outline of half a
//!   million vertices is a mistake or an attack, and every tile and page would carry it.
//! - **Codes**: a component's `category` is in the CJ/T 214 catalogue, a pipe's `network`
//!   is one of the six networks, a camera's `gb_id` is a valid GB/T 28181 id.
//! - **Derived fields**: a component's `category_name` and `class_name` come from its
//!   category, a pipe's `length_m` from its geometry (geodesic, to the centimetre).
//!   Whatever the writer sent for them is replaced. (`grid_code` is derived too, by the
//!   write path, which knows where the grids are.)

use citymirror_core::{catalogue, ids, GeomKind, LayerId, LayerSchema, Value, ValueError};
use geo::{CoordsIter, Geodesic, Geometry, Length};

/// The longest text value, in characters.
pub const MAX_TEXT_CHARS: usize = 500;

/// The most vertices a geometry of this kind may have: a detailed building outline has
/// hundreds, a street's boundary thousands; an administrative unit may need more.
pub const fn max_vertices(kind: GeomKind) -> usize {
    match kind {
        GeomKind::Point => 1,
        GeomKind::LineString => 10_000,
        GeomKind::Polygon => 20_000,
        GeomKind::Areal => 200_000,
    }
}

fn invalid(what: &'static str, reason: String) -> ValueError {
    ValueError::Invalid { what, reason }
}

/// Checks the sizes and codes of a feature's values (in schema order).
pub fn check_values(schema: &LayerSchema, values: &[Value]) -> Result<(), ValueError> {
    for (def, v) in schema.properties.iter().zip(values) {
        if let Value::Text(s) = v {
            let n = s.chars().count();
            if n > MAX_TEXT_CHARS {
                return Err(invalid(
                    "value",
                    format!(
                        "`{}` holds {n} characters; at most {MAX_TEXT_CHARS} are accepted",
                        def.name
                    ),
                ));
            }
        }
    }
    let text = |name: &str| schema.property(name).and_then(|(i, _)| values[i].as_str());
    match schema.id {
        LayerId::Components => {
            if let Some(code) = text("category") {
                if catalogue::component_category(code).is_none() {
                    return Err(invalid(
                        "category",
                        format!("`{code}` is not a component category of the catalogue (GET /ogc/collections/components/queryables lists the fields; the codes are CJ/T 214's, e.g. 0115 消防栓)"),
                    ));
                }
            }
        }
        LayerId::Pipes => {
            if let Some(network) = text("network") {
                if !catalogue::PIPE_NETWORKS
                    .iter()
                    .any(|n| n.name_zh == network)
                {
                    let known: Vec<&str> =
                        catalogue::PIPE_NETWORKS.iter().map(|n| n.name_zh).collect();
                    return Err(invalid(
                        "network",
                        format!(
                            "`{network}` is not a pipe network; expected one of {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        LayerId::Cameras => {
            if let Some(id) = text("gb_id") {
                if !ids::is_valid_gb28181_id(id) {
                    return Err(invalid(
                        "gb_id",
                        format!("`{id}` is not a GB/T 28181 device id (20 digits: region, unit, industry, type, serial)"),
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Sets the fields the twin derives from the others and from the geometry.
pub fn derive(schema: &LayerSchema, geometry: &Geometry<f64>, values: &mut [Value]) {
    let derived: Vec<(&str, Value)> = match schema.id {
        LayerId::Components => schema
            .property("category")
            .and_then(|(i, _)| values[i].as_str())
            .and_then(catalogue::component_category)
            .map(|c| {
                vec![
                    ("category_name", Value::from(c.name_zh)),
                    ("class_name", Value::from(c.class_zh())),
                ]
            })
            .unwrap_or_default(),
        LayerId::Pipes => match geometry {
            Geometry::LineString(l) => {
                let m = Geodesic.length(l);
                vec![("length_m", Value::Float((m * 100.0).round() / 100.0))]
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    for (name, v) in derived {
        if let Some((i, _)) = schema.property(name) {
            values[i] = v;
        }
    }
}

/// Checks a geometry's size and validity (OGC Simple Features: rings closed, at least
/// three distinct points, no self-intersection, holes inside the shell).
pub fn check_geometry(schema: &LayerSchema, g: &Geometry<f64>) -> Result<(), ValueError> {
    use geo::Validation;
    let n = g.coords_count();
    let max = max_vertices(schema.geometry);
    if n > max {
        return Err(invalid(
            "geometry",
            format!(
                "it has {n} vertices; a `{}` feature may have at most {max}",
                schema.id
            ),
        ));
    }
    if let Err(e) = g.check_validation() {
        return Err(invalid(
            "geometry",
            format!("it is not a valid geometry: {e}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};

    fn check(layer: LayerId, g: Geometry<f64>) -> Result<(), String> {
        check_geometry(layer.schema(), &g).map_err(|e| e.to_string())
    }

    #[test]
    fn invalid_and_oversized_geometries_are_refused_with_the_reason() {
        let bowtie = polygon![(x: 0., y: 0.), (x: 1., y: 1.), (x: 1., y: 0.), (x: 0., y: 1.), (x: 0., y: 0.)];
        assert!(check(LayerId::Buildings, bowtie.into())
            .unwrap_err()
            .contains("self-intersection"));
        let two_points = polygon![(x: 0., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)];
        assert!(check(LayerId::Buildings, two_points.into())
            .unwrap_err()
            .contains("at least 3 distinct points"));
        let square = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.), (x: 0., y: 0.)];
        assert_eq!(check(LayerId::Buildings, square.into()), Ok(()));
        let many: geo::LineString<f64> = (0..10_001).map(|i| (f64::from(i) * 1e-6, 0.0)).collect();
        assert!(check(LayerId::Pipes, many.into())
            .unwrap_err()
            .contains("at most 10000"));
        let stub = line_string![(x: 1., y: 1.), (x: 1., y: 1.)];
        assert!(check(LayerId::Pipes, stub.into())
            .unwrap_err()
            .contains("2 distinct points"));
    }

    #[test]
    fn codes_are_checked_and_derived_fields_set() {
        let schema = LayerId::Components.schema();
        let mut values = vec![Value::Null; schema.properties.len()];
        values[0] = "9999".into();
        assert!(check_values(schema, &values)
            .unwrap_err()
            .to_string()
            .contains("not a component category"));
        values[0] = "0115".into();
        values[1] = "made up".into();
        check_values(schema, &values).unwrap();
        let p: Geometry<f64> = geo::point!(x: 114.0, y: 22.5).into();
        derive(schema, &p, &mut values);
        assert_eq!(values[1], Value::from("消防栓"));
        assert_eq!(values[2], Value::from("公用设施"));

        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        values[3] = Value::Text(long);
        assert!(check_values(schema, &values)
            .unwrap_err()
            .to_string()
            .contains("at most 500"));
    }

    #[test]
    fn a_pipe_knows_its_length() {
        let schema = LayerId::Pipes.schema();
        let mut values = vec![Value::Null; schema.properties.len()];
        let l: Geometry<f64> = line_string![(x: 114.0, y: 22.5), (x: 114.001, y: 22.5)].into();
        derive(schema, &l, &mut values);
        let (i, _) = schema.property("length_m").unwrap();
        let m = values[i].as_f64().unwrap();
        assert!((m - 102.85).abs() < 0.2, "{m}");
    }
}
