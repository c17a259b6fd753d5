//! GeoJSON output, written straight into a byte buffer.
//!
//! Hand-written rather than built as a `serde_json::Value` or through geozero: a page of
//! a thousand buildings is mostly coordinates, and writing them directly (shortest
//! round-trip floats from `ryu`, in the requested CRS's axis order) avoids building a
//! tree of small allocations per coordinate. Strings still go through serde_json's
//! escaper, so the output is always valid JSON.

use citymirror_core::{LayerSchema, Value};
use citymirror_twin::Feature;
use geo::{Coord, Geometry, LineString, Polygon};

use super::{crs::Crs, link::Link};

/// The parts of a FeatureCollection response besides its features.
#[derive(Debug)]
pub struct CollectionMeta<'a> {
    pub number_matched: usize,
    pub time_stamp: &'a str,
    pub links: &'a [Link],
}

/// A FeatureCollection of `features` (all from the layer of `schema`).
pub fn feature_collection(
    features: &[Feature],
    schema: &LayerSchema,
    crs: Crs,
    meta: &CollectionMeta<'_>,
) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::with_capacity(256 + features.len() * 640),
        crs,
    };
    w.raw(b"{\"type\":\"FeatureCollection\",\"features\":[");
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            w.raw(b",");
        }
        w.feature(f, schema, None);
    }
    w.raw(b"],\"numberMatched\":");
    w.int(meta.number_matched as i64);
    w.raw(b",\"numberReturned\":");
    w.int(features.len() as i64);
    w.raw(b",\"timeStamp\":");
    w.string(meta.time_stamp);
    w.raw(b",\"links\":");
    w.links(meta.links);
    w.raw(b"}");
    w.out
}

/// A single Feature with its links.
pub fn feature(f: &Feature, schema: &LayerSchema, crs: Crs, links: &[Link]) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::with_capacity(1024),
        crs,
    };
    w.feature(f, schema, Some(links));
    w.out
}

/// A geometry alone, as GeoJSON text (for HTML pages).
pub fn geometry(g: &Geometry<f64>, crs: Crs) -> String {
    let mut w = Writer {
        out: Vec::with_capacity(256),
        crs,
    };
    w.geometry(g);
    String::from_utf8(w.out).expect("the writer writes UTF-8")
}

struct Writer {
    out: Vec<u8>,
    crs: Crs,
}

impl Writer {
    fn raw(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    fn string(&mut self, s: &str) {
        serde_json::to_writer(&mut self.out, s).expect("writing to a Vec cannot fail");
    }

    fn int(&mut self, i: i64) {
        self.raw(itoa::Buffer::new().format(i).as_bytes());
    }

    /// JSON has no NaN or infinity; they are written as null.
    fn float(&mut self, x: f64) {
        if x.is_finite() {
            self.raw(ryu::Buffer::new().format_finite(x).as_bytes());
        } else {
            self.raw(b"null");
        }
    }

    fn links(&mut self, links: &[Link]) {
        serde_json::to_writer(&mut self.out, links).expect("writing to a Vec cannot fail");
    }

    fn feature(&mut self, f: &Feature, schema: &LayerSchema, links: Option<&[Link]>) {
        self.raw(b"{\"type\":\"Feature\",\"id\":");
        self.int(f.id);
        self.raw(b",\"geometry\":");
        self.geometry(&f.geometry);
        // Every property of the schema is written, null when unset, so clients that infer
        // a schema from the first features (GDAL's OAPIF driver) see all fields.
        self.raw(b",\"properties\":{");
        for (i, (def, v)) in schema.properties.iter().zip(&f.props).enumerate() {
            if i > 0 {
                self.raw(b",");
            }
            self.string(def.name);
            self.raw(b":");
            self.value(v);
        }
        self.raw(b"}");
        if let Some(links) = links {
            self.raw(b",\"links\":");
            self.links(links);
        }
        self.raw(b"}");
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.raw(b"null"),
            Value::Text(s) => self.string(s),
            Value::Int(i) => self.int(*i),
            Value::Float(x) => self.float(*x),
            Value::Bool(true) => self.raw(b"true"),
            Value::Bool(false) => self.raw(b"false"),
            Value::Date(d) => {
                let s = d.format("%Y-%m-%d").to_string();
                self.string(&s)
            }
        }
    }

    fn geometry(&mut self, g: &Geometry<f64>) {
        match g {
            Geometry::Point(p) => {
                self.raw(b"{\"type\":\"Point\",\"coordinates\":");
                self.coord(p.0);
            }
            Geometry::Line(l) => {
                self.raw(b"{\"type\":\"LineString\",\"coordinates\":");
                self.coords([l.start, l.end].iter());
            }
            Geometry::LineString(ls) => {
                self.raw(b"{\"type\":\"LineString\",\"coordinates\":");
                self.line(ls);
            }
            Geometry::Polygon(p) => {
                self.raw(b"{\"type\":\"Polygon\",\"coordinates\":");
                self.polygon(p);
            }
            Geometry::MultiPoint(mp) => {
                self.raw(b"{\"type\":\"MultiPoint\",\"coordinates\":");
                self.coords(mp.0.iter().map(|p| &p.0));
            }
            Geometry::MultiLineString(mls) => {
                self.raw(b"{\"type\":\"MultiLineString\",\"coordinates\":[");
                for (i, ls) in mls.0.iter().enumerate() {
                    if i > 0 {
                        self.raw(b",");
                    }
                    self.line(ls);
                }
                self.raw(b"]");
            }
            Geometry::MultiPolygon(mp) => {
                self.raw(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
                for (i, p) in mp.0.iter().enumerate() {
                    if i > 0 {
                        self.raw(b",");
                    }
                    self.polygon(p);
                }
                self.raw(b"]");
            }
            Geometry::GeometryCollection(gc) => {
                self.raw(b"{\"type\":\"GeometryCollection\",\"geometries\":[");
                for (i, g) in gc.0.iter().enumerate() {
                    if i > 0 {
                        self.raw(b",");
                    }
                    self.geometry(g);
                }
                self.raw(b"]}");
                return;
            }
            Geometry::Rect(r) => return self.geometry(&Geometry::Polygon(r.to_polygon())),
            Geometry::Triangle(t) => return self.geometry(&Geometry::Polygon(t.to_polygon())),
        }
        self.raw(b"}");
    }

    fn coord(&mut self, c: Coord<f64>) {
        let (a, b) = self.crs.project(c.x, c.y);
        self.raw(b"[");
        self.float(a);
        self.raw(b",");
        self.float(b);
        self.raw(b"]");
    }

    fn coords<'c>(&mut self, cs: impl Iterator<Item = &'c Coord<f64>>) {
        self.raw(b"[");
        for (i, c) in cs.enumerate() {
            if i > 0 {
                self.raw(b",");
            }
            self.coord(*c);
        }
        self.raw(b"]");
    }

    fn line(&mut self, ls: &LineString<f64>) {
        self.coords(ls.0.iter());
    }

    fn polygon(&mut self, p: &Polygon<f64>) {
        self.raw(b"[");
        self.line(p.exterior());
        for ring in p.interiors() {
            self.raw(b",");
            self.line(ring);
        }
        self.raw(b"]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use citymirror_core::LayerId;
    use geo::{point, polygon};

    fn component(id: i64, g: Geometry<f64>) -> Feature {
        let schema = LayerId::Components.schema();
        let mut props = vec![Value::Null; schema.properties.len()];
        props[0] = "0120 \"井盖\"".into();
        props[schema.property("installed").unwrap().0] =
            Value::Date(chrono::NaiveDate::from_ymd_opt(2020, 1, 2).unwrap());
        Feature {
            id,
            geometry: g,
            props,
            updated_at: Utc::now(),
        }
    }

    fn parse(bytes: Vec<u8>) -> serde_json::Value {
        serde_json::from_slice(&bytes).expect("valid JSON")
    }

    #[test]
    fn writes_a_feature_with_escaped_properties_and_all_fields() {
        let schema = LayerId::Components.schema();
        let f = component(7, point!(x: 114.05, y: 22.5).into());
        let v = parse(feature(&f, schema, Crs::Crs84, &[]));
        assert_eq!(v["id"], 7);
        assert_eq!(
            v["geometry"]["coordinates"],
            serde_json::json!([114.05, 22.5])
        );
        assert_eq!(v["properties"]["category"], "0120 \"井盖\"");
        assert_eq!(v["properties"]["installed"], "2020-01-02");
        assert!(v["properties"]["status"].is_null());
        assert_eq!(
            v["properties"].as_object().unwrap().len(),
            schema.properties.len()
        );
    }

    #[test]
    fn writes_polygons_in_the_requested_axis_order() {
        let schema = LayerId::Components.schema();
        let g: Geometry<f64> =
            polygon![(x: 114.0, y: 22.5), (x: 114.1, y: 22.5), (x: 114.1, y: 22.6)].into();
        let fc = feature_collection(
            &[component(1, g)],
            schema,
            Crs::Epsg4326,
            &CollectionMeta {
                number_matched: 5,
                time_stamp: "2024-01-01T00:00:00Z",
                links: &[],
            },
        );
        let v = parse(fc);
        assert_eq!(v["numberMatched"], 5);
        assert_eq!(v["numberReturned"], 1);
        let ring = &v["features"][0]["geometry"]["coordinates"][0];
        assert_eq!(ring[0], serde_json::json!([22.5, 114.0]));
        assert_eq!(ring.as_array().unwrap().len(), 4, "closed ring");
    }
}
