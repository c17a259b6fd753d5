//! Whether a whole geometry lies inside an area: a writer's jurisdiction holds all of
//! what they write, not only the point the twin locates it by.
//!
//! Boundaries of grids run along roads and walls, and outlines are drawn by hand or by
//! GPS, so a little overhang is tolerated: a point within [`TOLERANCE_M`] of the area, a
//! line with at most that many metres outside it, a polygon with at most
//! [`TOLERANCE_M2`] square metres outside (a sliver a few decimetres wide along a wall of
//! a large building). Anything more is outside.

use geo::{
    BooleanOps, ChamberlainDuquetteArea, Contains, Distance, Euclidean, Geodesic, Geometry, Length,
    MultiLineString, MultiPolygon,
};

/// How far a point, or how much of a line, may lie outside the area.
pub const TOLERANCE_M: f64 = 5.0;
/// How much of a polygon may lie outside the area.
pub const TOLERANCE_M2: f64 = 25.0;

/// Metres per degree of latitude; longitude degrees are shorter, so a distance in
/// degrees read this way errs on the strict side.
const M_PER_DEG: f64 = 111_320.0;

/// `Ok` if `g` lies inside `area` (a polygon or multipolygon) within the tolerances;
/// `Err` says how much of it is outside.
pub fn lies_within(area: &Geometry<f64>, g: &Geometry<f64>) -> Result<(), String> {
    let area: MultiPolygon<f64> = match area {
        Geometry::Polygon(p) => p.clone().into(),
        Geometry::MultiPolygon(m) => m.clone(),
        _ => return Err("the area is not a polygon".into()),
    };
    let contained = match g {
        Geometry::Point(p) => area.contains(p),
        Geometry::LineString(l) => area.contains(l),
        Geometry::Polygon(p) => area.contains(p),
        Geometry::MultiPolygon(m) => area.contains(m),
        _ => false,
    };
    if contained {
        return Ok(());
    }
    match g {
        Geometry::Point(p) => {
            let m = Euclidean.distance(p, &area) * M_PER_DEG;
            if m <= TOLERANCE_M {
                Ok(())
            } else {
                Err(format!("it lies {m:.0} m outside"))
            }
        }
        Geometry::LineString(l) => {
            let outside = area.clip(&MultiLineString::new(vec![l.clone()]), true);
            let m: f64 = outside.0.iter().map(|part| Geodesic.length(part)).sum();
            if m <= TOLERANCE_M {
                Ok(())
            } else {
                Err(format!("{m:.0} m of it run outside"))
            }
        }
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            let shape: MultiPolygon<f64> = match g {
                Geometry::Polygon(p) => p.clone().into(),
                Geometry::MultiPolygon(m) => m.clone(),
                _ => unreachable!(),
            };
            let m2 = shape.difference(&area).chamberlain_duquette_unsigned_area();
            if m2 <= TOLERANCE_M2 {
                Ok(())
            } else {
                Err(format!("{m2:.0} m² of it lie outside"))
            }
        }
        _ => Err("this kind of geometry cannot be placed".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, Rect};

    fn grid() -> Geometry<f64> {
        Rect::new((114.00, 22.50), (114.05, 22.55))
            .to_polygon()
            .into()
    }

    fn square(x: f64, y: f64, side: f64) -> Geometry<f64> {
        Rect::new((x, y), (x + side, y + side)).to_polygon().into()
    }

    #[test]
    fn what_lies_inside_or_overhangs_a_little_is_within() {
        assert_eq!(
            lies_within(&grid(), &point!(x: 114.01, y: 22.51).into()),
            Ok(())
        );
        // Two metres past the edge.
        assert_eq!(
            lies_within(
                &grid(),
                &point!(x: 114.05 + 2.0 / M_PER_DEG, y: 22.51).into()
            ),
            Ok(())
        );
        assert_eq!(lies_within(&grid(), &square(114.01, 22.51, 0.001)), Ok(()));
        // A 100 m building whose wall is drawn 10 cm over the boundary: 10 m² outside.
        let over = 0.1 / M_PER_DEG;
        assert_eq!(
            lies_within(&grid(), &square(114.049 + over, 22.51, 0.001)),
            Ok(())
        );
    }

    #[test]
    fn what_reaches_out_of_the_area_is_not() {
        // The finding: a 0.12° building centred on the grid, and a pipe across the district.
        let big = square(114.025 - 0.06, 22.525 - 0.06, 0.12);
        assert!(lies_within(&grid(), &big)
            .unwrap_err()
            .contains("m² of it lie outside"));
        let pipe: Geometry<f64> = line_string![(x: 114.01, y: 22.51), (x: 114.2, y: 22.51)].into();
        assert!(lies_within(&grid(), &pipe)
            .unwrap_err()
            .contains("run outside"));
        let far: Geometry<f64> = point!(x: 114.06, y: 22.51).into();
        assert!(lies_within(&grid(), &far).unwrap_err().contains("outside"));
    }
}
