//! Well-Known Text for `geography'…'` literals. A small hand parser rather than the `wkt`
//! crate: the subset OData needs is tiny, and owning it lets errors say where the text went
//! wrong and lets us refuse NaN/∞ (which `geo`'s relate must never see).

use geo::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo::{MultiPolygon, Point, Polygon};

/// Collections inside collections are legal WKT; bound them so input cannot recurse deeply.
const MAX_NESTING: usize = 8;

/// `POINT(114.05 22.54)`, `LINESTRING(…)`, `POLYGON((…),(…))`, their MULTI forms and
/// GEOMETRYCOLLECTION, case-insensitive, with an optional `SRID=4326;` prefix (coordinates
/// are taken as WGS 84 longitude/latitude whatever it says). Z and M ordinates are dropped.
pub(crate) fn parse_wkt(text: &str) -> Result<Geometry<f64>, String> {
    let mut body = text.trim();
    if body.len() > 5 && body[..5].eq_ignore_ascii_case("SRID=") {
        body = body
            .split_once(';')
            .map(|(_, rest)| rest)
            .ok_or("SRID= without ';'")?;
    }
    let mut p = WktParser {
        s: body.as_bytes(),
        i: 0,
    };
    let g = p.geometry(0)?;
    p.skip_ws();
    if p.i != p.s.len() {
        return Err(format!(
            "unexpected text after the geometry at character {}",
            p.i
        ));
    }
    Ok(g)
}

struct WktParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl WktParser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at character {}", c as char, self.i))
        }
    }

    fn word(&mut self) -> String {
        self.skip_ws();
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).to_ascii_uppercase()
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, String> {
        if depth > MAX_NESTING {
            return Err("geometry collections nested too deeply".into());
        }
        let tag = self.word();
        // `POINT Z (…)`, `POINT ZM (…)`: the extra ordinates are read and dropped.
        let modifier = if self.peek() != Some(b'(') {
            self.word()
        } else {
            String::new()
        };
        if !matches!(modifier.as_str(), "" | "Z" | "M" | "ZM") {
            if modifier == "EMPTY" {
                return Err(format!("{tag} EMPTY is not supported"));
            }
            return Err(format!("unexpected '{modifier}' after {tag}"));
        }
        Ok(match tag.as_str() {
            "POINT" => {
                self.expect(b'(')?;
                let c = self.coord()?;
                self.expect(b')')?;
                Geometry::Point(Point(c))
            }
            "LINESTRING" => Geometry::LineString(self.line_string()?),
            "POLYGON" => Geometry::Polygon(self.polygon()?),
            "MULTIPOINT" => {
                // Both `MULTIPOINT(1 2, 3 4)` and `MULTIPOINT((1 2), (3 4))` occur in the wild.
                let points = self.list(|p| {
                    if p.peek() == Some(b'(') {
                        p.expect(b'(')?;
                        let c = p.coord()?;
                        p.expect(b')')?;
                        Ok(Point(c))
                    } else {
                        p.coord().map(Point)
                    }
                })?;
                Geometry::MultiPoint(MultiPoint(points))
            }
            "MULTILINESTRING" => {
                Geometry::MultiLineString(MultiLineString(self.list(|p| p.line_string())?))
            }
            "MULTIPOLYGON" => Geometry::MultiPolygon(MultiPolygon(self.list(|p| p.polygon())?)),
            "GEOMETRYCOLLECTION" => Geometry::GeometryCollection(GeometryCollection(
                self.list(|p| p.geometry(depth + 1))?,
            )),
            "" => return Err(format!("expected a geometry type at character {}", self.i)),
            other => return Err(format!("unknown geometry type {other}")),
        })
    }

    /// `( item , item … )`
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.expect(b'(')?;
        let mut out = vec![item(self)?];
        while self.peek() == Some(b',') {
            self.i += 1;
            out.push(item(self)?);
        }
        self.expect(b')')?;
        Ok(out)
    }

    fn line_string(&mut self) -> Result<LineString<f64>, String> {
        self.list(|p| p.coord()).map(LineString)
    }

    fn polygon(&mut self) -> Result<Polygon<f64>, String> {
        let mut rings = self.list(|p| p.line_string())?.into_iter();
        let exterior = rings.next().ok_or("a polygon needs a ring")?;
        if exterior.0.len() < 3 {
            return Err("a polygon ring needs at least 3 points".into());
        }
        Ok(Polygon::new(exterior, rings.collect()))
    }

    fn coord(&mut self) -> Result<Coord<f64>, String> {
        let x = self.number()?;
        let y = self.number()?;
        // Z / M ordinates, if any.
        while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.')) {
            self.number()?;
        }
        Ok(Coord { x, y })
    }

    fn number(&mut self) -> Result<f64, String> {
        self.skip_ws();
        let start = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
            )
        {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("expected a number at character {start}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_odata_uses() {
        assert_eq!(
            parse_wkt("POINT(114.05 22.54)"),
            Ok(Geometry::Point(Point::new(114.05, 22.54)))
        );
        assert!(matches!(parse_wkt("point (1 2 3)"), Ok(Geometry::Point(_))));
        assert!(matches!(
            parse_wkt("LINESTRING(0 0, 1 1)"),
            Ok(Geometry::LineString(_))
        ));
        assert!(matches!(
            parse_wkt("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0), (0.2 0.2, 0.3 0.2, 0.3 0.3, 0.2 0.2))"),
            Ok(Geometry::Polygon(p)) if p.interiors().len() == 1
        ));
        assert!(
            matches!(parse_wkt("MULTIPOINT((1 2), (3 4))"), Ok(Geometry::MultiPoint(m)) if m.0.len() == 2)
        );
        assert!(
            matches!(parse_wkt("MULTIPOINT(1 2, 3 4)"), Ok(Geometry::MultiPoint(m)) if m.0.len() == 2)
        );
        assert!(matches!(
            parse_wkt("MULTILINESTRING((0 0, 1 1), (2 2, 3 3))"),
            Ok(Geometry::MultiLineString(_))
        ));
        assert!(matches!(
            parse_wkt("MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))"),
            Ok(Geometry::MultiPolygon(_))
        ));
        assert!(matches!(
            parse_wkt("GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))"),
            Ok(Geometry::GeometryCollection(c)) if c.0.len() == 2
        ));
        assert!(matches!(
            parse_wkt("SRID=4326;POINT(1 2)"),
            Ok(Geometry::Point(_))
        ));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "",
            "POINT",
            "POINT(1)",
            "POINT(1 2",
            "POINT(1 2) x",
            "CIRCLE(1 2)",
            "POINT(NaN 1)",
            "POINT EMPTY",
            "POLYGON((0 0, 1 1))",
        ] {
            assert!(parse_wkt(bad).is_err(), "{bad} should be refused");
        }
        let deep = format!(
            "{}POINT(1 2){}",
            "GEOMETRYCOLLECTION(".repeat(20),
            ")".repeat(20)
        );
        assert!(parse_wkt(&deep).is_err());
    }
}
