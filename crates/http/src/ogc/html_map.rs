//! A small map of features for the OGC HTML pages, drawn on the server as inline SVG.
//!
//! pygeoapi shows each page of items on a Leaflet map over OpenStreetMap; we have no
//! outside basemap to draw on (the server reaches nothing outside, and the CSP allows no
//! remote scripts), and a page that needs a script to show a few shapes would break for
//! the scripts and readers these pages are for. So the shapes themselves are the map:
//! each feature a link to its own page, with its id as the tooltip, over a faint
//! graticule, at an equirectangular scale true at the page's mid-latitude (the district is
//! 15 km across, where that is as good as Web Mercator).

use std::fmt::Write;

use geo::{BoundingRect, Coord, Geometry, LineString, Polygon, Rect};

use super::html::escape;
use crate::negotiate::Lang;

/// The map's width in SVG units (CSS pixels at 100 %); the height follows the shapes'
/// aspect, within bounds.
const WIDTH: f64 = 720.0;
const MAX_HEIGHT: f64 = 480.0;
const MIN_HEIGHT: f64 = 160.0;
/// The smallest span shown, in degrees (~50 m): a lone point or a tiny building still
/// gets some surroundings.
const MIN_SPAN: f64 = 0.0005;
/// More vertices than this in one page are simplified away by skipping (the map is a
/// thumbnail; the table and the GeoJSON hold the real geometry).
const MAX_VERTICES_PER_RING: usize = 400;

/// One feature on the map: its geometry (WGS84), where it links to, and its label.
pub struct MapItem<'a> {
    pub geometry: &'a Geometry<f64>,
    pub href: String,
    pub label: String,
}

/// The inline `<figure>` with the map of `items`, or nothing when there is nothing to
/// draw.
pub fn figure(lang: Lang, items: &[MapItem<'_>]) -> String {
    let Some(bounds) = bounds(items) else {
        return String::new();
    };
    let frame = Frame::new(bounds);
    let mut svg = format!(
        "<figure class=\"map\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         viewBox=\"0 0 {w:.0} {h:.0}\" width=\"100%\" style=\"max-width:{w:.0}px;\
         background:#0b1426;border-radius:4px\" aria-label=\"{label}\">\
         <g fill=\"#3b82f6\" fill-opacity=\".35\" stroke=\"#93c5fd\" stroke-width=\"1.2\" \
         vector-effect=\"non-scaling-stroke\">",
        w = frame.width,
        h = frame.height,
        label = escape(lang.pick("要素位置图", "Map of the features")),
    );
    for item in items {
        let mut shape = String::new();
        frame.draw(item.geometry, &mut shape);
        if shape.is_empty() {
            continue;
        }
        let _ = write!(
            svg,
            "<a href=\"{}\"><title>{}</title>{shape}</a>",
            escape(&item.href),
            escape(&item.label),
        );
    }
    let _ = writeln!(
        svg,
        "</g></svg><figcaption>{}</figcaption></figure>",
        escape(&scale_caption(lang, &frame))
    );
    svg
}

fn bounds(items: &[MapItem<'_>]) -> Option<Rect<f64>> {
    let all = items
        .iter()
        .filter_map(|i| i.geometry.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })?;
    let (min, max) = (all.min(), all.max());
    // A margin of 5 %, and at least the smallest span around the centre.
    let centre = Coord {
        x: (min.x + max.x) / 2.0,
        y: (min.y + max.y) / 2.0,
    };
    let half_w = ((max.x - min.x) * 1.05).max(MIN_SPAN) / 2.0;
    let half_h = ((max.y - min.y) * 1.05).max(MIN_SPAN) / 2.0;
    Some(Rect::new(
        Coord {
            x: centre.x - half_w,
            y: centre.y - half_h,
        },
        Coord {
            x: centre.x + half_w,
            y: centre.y + half_h,
        },
    ))
}

/// Degrees to SVG units: x east, y down, one scale for both axes.
struct Frame {
    west: f64,
    north: f64,
    /// SVG units per degree of latitude; longitude is shrunk by `cos_lat`.
    scale: f64,
    cos_lat: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn new(b: Rect<f64>) -> Frame {
        let cos_lat = ((b.min().y + b.max().y) / 2.0).to_radians().cos();
        let span_x = b.width() * cos_lat;
        let span_y = b.height();
        // Fit the width, unless that makes the map too tall; then fit the height.
        let mut scale = WIDTH / span_x;
        if span_y * scale > MAX_HEIGHT {
            scale = MAX_HEIGHT / span_y;
        }
        let height = (span_y * scale).clamp(MIN_HEIGHT, MAX_HEIGHT);
        // Centre the shapes in the frame when the height was raised to the minimum or
        // the width is not filled.
        let used_w = span_x * scale;
        let west = b.min().x - (WIDTH - used_w) / 2.0 / scale / cos_lat;
        let north = b.max().y + (height - span_y * scale) / 2.0 / scale;
        Frame {
            west,
            north,
            scale,
            cos_lat,
            width: WIDTH,
            height,
        }
    }

    fn xy(&self, c: Coord<f64>) -> (f64, f64) {
        (
            (c.x - self.west) * self.cos_lat * self.scale,
            (self.north - c.y) * self.scale,
        )
    }

    fn draw(&self, g: &Geometry<f64>, out: &mut String) {
        match g {
            Geometry::Point(p) => self.point(p.0, out),
            Geometry::MultiPoint(ps) => ps.iter().for_each(|p| self.point(p.0, out)),
            Geometry::LineString(l) => self.path(&[l], false, out),
            Geometry::MultiLineString(ls) => {
                self.path(&ls.0.iter().collect::<Vec<_>>(), false, out)
            }
            Geometry::Polygon(p) => self.polygon(p, out),
            Geometry::MultiPolygon(ps) => ps.iter().for_each(|p| self.polygon(p, out)),
            Geometry::GeometryCollection(gs) => gs.iter().for_each(|g| self.draw(g, out)),
            Geometry::Rect(r) => self.polygon(&r.to_polygon(), out),
            Geometry::Triangle(t) => self.polygon(&t.to_polygon(), out),
            Geometry::Line(l) => self.path(&[&LineString::from(vec![l.start, l.end])], false, out),
        }
    }

    fn point(&self, c: Coord<f64>, out: &mut String) {
        let (x, y) = self.xy(c);
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\"/>");
    }

    fn polygon(&self, p: &Polygon<f64>, out: &mut String) {
        let rings: Vec<&LineString<f64>> =
            std::iter::once(p.exterior()).chain(p.interiors()).collect();
        self.path(&rings, true, out);
    }

    fn path(&self, parts: &[&LineString<f64>], closed: bool, out: &mut String) {
        let mut d = String::new();
        for part in parts {
            let step = part.0.len().div_ceil(MAX_VERTICES_PER_RING).max(1);
            for (i, c) in part.0.iter().step_by(step).enumerate() {
                let (x, y) = self.xy(*c);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            if closed {
                d.push('Z');
            }
        }
        if d.is_empty() {
            return;
        }
        if closed {
            let _ = write!(out, "<path fill-rule=\"evenodd\" d=\"{d}\"/>");
        } else {
            let _ = write!(out, "<path fill=\"none\" d=\"{d}\"/>");
        }
    }
}

/// "The frame is 1.2 km across": a scale a reader can use without a scale bar.
fn scale_caption(lang: Lang, f: &Frame) -> String {
    // One degree of latitude is 111.32 km everywhere to the precision shown.
    let km = f.width / f.scale * 111.32;
    let across = if km >= 1.0 {
        format!("{km:.1} km")
    } else {
        format!("{:.0} m", km * 1000.0)
    };
    match lang {
        Lang::Zh => format!("图宽约 {across}（WGS84，以本页要素为范围）"),
        Lang::En => format!("About {across} across (WGS84, framed on this page's features)"),
    }
}

#[cfg(test)]
mod tests {
    use geo::{point, polygon};

    use super::*;

    fn item(g: &Geometry<f64>, id: i64) -> MapItem<'_> {
        MapItem {
            geometry: g,
            href: format!("/ogc/collections/buildings/items/{id}?f=html"),
            label: format!("<{id}>"),
        }
    }

    #[test]
    fn every_feature_is_drawn_as_a_link_inside_the_frame() {
        let a: Geometry<f64> = polygon![(x: 114.05, y: 22.53), (x: 114.06, y: 22.53),
            (x: 114.06, y: 22.54), (x: 114.05, y: 22.54)]
        .into();
        let b: Geometry<f64> = point!(x: 114.07, y: 22.55).into();
        let svg = figure(Lang::En, &[item(&a, 1), item(&b, 2)]);
        assert_eq!(svg.matches("<a href=").count(), 2);
        assert!(svg.contains("items/1?f=html") && svg.contains("<circle"));
        assert!(svg.contains("&lt;2&gt;"), "labels are escaped: {svg}");
        // Every drawn coordinate lies inside the view box.
        let (w, h) = (WIDTH, MAX_HEIGHT);
        for n in svg
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| s.contains('.'))
            .filter_map(|s| s.parse::<f64>().ok())
        {
            assert!(
                (-0.5..=w.max(h) + 0.5).contains(&n),
                "{n} outside the frame"
            );
        }
    }

    #[test]
    fn nothing_to_draw_draws_nothing() {
        assert_eq!(figure(Lang::Zh, &[]), "");
    }

    #[test]
    fn a_lone_point_gets_surroundings_and_a_scale() {
        let p: Geometry<f64> = point!(x: 114.0553, y: 22.5405).into();
        let svg = figure(Lang::Zh, &[item(&p, 7)]);
        assert!(svg.contains("cx=\"360.0\""), "centred: {svg}");
        assert!(svg.contains("图宽约"), "{svg}");
    }
}
