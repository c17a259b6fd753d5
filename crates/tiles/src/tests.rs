//! The tile service as a map client sees it: tiles decoded back from their bytes.

use std::borrow::Cow;

use chrono::Utc;
use citymirror_core::{LayerId, Value};
use citymirror_twin::{Feature, Layer, Twin};
use geo::{polygon, BoundingRect, Geometry, Point};
use geozero::{
    mvt::{tile, Message, Tile},
    ToGeo,
};

use crate::{text_as_is, Encoding, TileCoord, TileError, TileJson, TileService, Tileset};

const CBD: (f64, f64) = (114.0553, 22.5405);

fn feature(layer: LayerId, id: i64, geometry: Geometry<f64>, props: &[(&str, Value)]) -> Feature {
    let schema = layer.schema();
    let mut values = vec![Value::Null; schema.properties.len()];
    for (name, v) in props {
        values[schema.property(name).unwrap().0] = v.clone();
    }
    Feature {
        id,
        geometry,
        props: values,
        updated_at: Utc::now(),
    }
}

/// A square building of `size` degrees with its south-west corner at (lon, lat).
fn building(id: i64, lon: f64, lat: f64, size: f64) -> Feature {
    let footprint = polygon![
        (x: lon, y: lat),
        (x: lon + size, y: lat),
        (x: lon + size, y: lat + size),
        (x: lon, y: lat + size),
    ];
    feature(
        LayerId::Buildings,
        id,
        footprint.into(),
        &[
            ("name", "平安金融中心".into()),
            ("use", "商业".into()),
            ("height_m", Value::Float(599.1)),
            ("floors", Value::Int(118)),
        ],
    )
}

fn device(id: i64, lon: f64, lat: f64) -> Feature {
    feature(
        LayerId::Devices,
        id,
        Point::new(lon, lat).into(),
        &[
            ("device_type", "烟感".into()),
            ("serial", "SN-0001".into()),
            ("status", "在线".into()),
        ],
    )
}

fn twin_with(layer: LayerId, features: Vec<Feature>) -> Twin {
    let twin = Twin::new();
    twin.set_layer(Layer::from_features(layer.schema(), features));
    twin
}

fn service() -> TileService {
    TileService::new(16 << 20, text_as_is)
}

/// Renders, encodes and decodes one tile, as a client would receive it.
fn fetch(twin: &Twin, tileset: Tileset, at: TileCoord) -> Tile {
    let tiles = service();
    let key = tiles.key(twin, tileset, at, Encoding::Gzip);
    let bytes = tiles.tile(twin, &key).unwrap().mvt().unwrap();
    Tile::decode(&bytes[..]).unwrap()
}

fn layer<'a>(tile: &'a Tile, name: &str) -> Option<&'a tile::Layer> {
    tile.layers.iter().find(|l| l.name == name)
}

fn ids(layer: Option<&tile::Layer>) -> Vec<u64> {
    layer.map_or_else(Vec::new, |l| {
        l.features.iter().filter_map(|f| f.id).collect()
    })
}

/// A feature's properties, decoded from the layer's key and value tables.
fn props(layer: &tile::Layer, f: &tile::Feature) -> Vec<(String, tile::Value)> {
    f.tags
        .chunks(2)
        .map(|kv| {
            (
                layer.keys[kv[0] as usize].clone(),
                layer.values[kv[1] as usize].clone(),
            )
        })
        .collect()
}

fn buildings_at_z15() -> TileCoord {
    TileCoord::containing(15, CBD.0, CBD.1)
}

#[test]
fn a_building_appears_in_the_tile_that_contains_it_with_its_id_height_and_outline() {
    let twin = twin_with(LayerId::Buildings, vec![building(7, CBD.0, CBD.1, 0.0003)]);
    let tile = fetch(
        &twin,
        Tileset::Layer(LayerId::Buildings),
        buildings_at_z15(),
    );
    let l = layer(&tile, "buildings").expect("a buildings layer");
    assert_eq!((l.version, l.extent), (2, Some(4096)));
    assert_eq!(ids(Some(l)), vec![7]);

    let f = &l.features[0];
    assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
    let p = props(l, f);
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("height_m").and_then(|v| v.double_value), Some(599.1));
    assert_eq!(get("floors").and_then(|v| v.int_value), Some(118));
    assert_eq!(
        get("name").and_then(|v| v.string_value).as_deref(),
        Some("平安金融中心")
    );
    assert_eq!(get("address"), None, "nulls are left out");

    let outline = f.to_geo().unwrap().bounding_rect().unwrap();
    assert!(
        outline.min().x >= 0.0 && outline.max().x <= 4096.0,
        "{outline:?}"
    );
    assert!(
        outline.min().y >= 0.0 && outline.max().y <= 4096.0,
        "{outline:?}"
    );
    assert!(
        outline.width() > 10.0,
        "0.0003° is ~30 m, ~100 units at z15"
    );
}

#[test]
fn a_feature_beyond_the_buffer_is_absent_and_one_in_the_buffer_is_present() {
    let at = buildings_at_z15();
    let east = at.bounds(0).max().x;
    let unit = at.bounds(0).width() / 4096.0;
    let twin = twin_with(
        LayerId::Buildings,
        vec![
            // Just past the east edge, inside the 64-unit buffer.
            building(1, east + 10.0 * unit, CBD.1, 20.0 * unit),
            // Well past the buffer.
            building(2, east + 200.0 * unit, CBD.1, 20.0 * unit),
        ],
    );
    let tile = fetch(&twin, Tileset::Layer(LayerId::Buildings), at);
    assert_eq!(ids(layer(&tile, "buildings")), vec![1]);
}

#[test]
fn a_polygon_larger_than_the_tile_is_clipped_to_the_buffer() {
    let district = feature(
        LayerId::District,
        1,
        polygon![(x: 113.9, y: 22.4), (x: 114.2, y: 22.4), (x: 114.2, y: 22.7), (x: 113.9, y: 22.7)]
            .into(),
        &[("code", "440304".into()), ("name", "福田区".into())],
    );
    let twin = twin_with(LayerId::District, vec![district]);
    let tile = fetch(&twin, Tileset::Basemap, buildings_at_z15());
    let l = layer(&tile, "district").expect("the district covers the tile");
    let r = l.features[0].to_geo().unwrap().bounding_rect().unwrap();
    assert_eq!(
        (r.min().x, r.min().y, r.max().x, r.max().y),
        (-64.0, -64.0, 4160.0, 4160.0)
    );
    let p = props(l, &l.features[0]);
    assert!(p
        .iter()
        .any(|(k, v)| k == "code" && v.string_value.as_deref() == Some("440304")));
}

#[test]
fn below_a_layers_deepest_zoom_points_are_thinned() {
    // 400 devices a metre apart: a few tile units at z16, a speck at z14.
    let devices = (0..400)
        .map(|i| {
            device(
                i + 1,
                CBD.0 + (i % 20) as f64 * 1e-5,
                CBD.1 + (i / 20) as f64 * 1e-5,
            )
        })
        .collect();
    let twin = twin_with(LayerId::Devices, devices);
    let count = |z| {
        let tile = fetch(
            &twin,
            Tileset::Layer(LayerId::Devices),
            TileCoord::containing(z, CBD.0, CBD.1),
        );
        ids(layer(&tile, "devices")).len()
    };
    assert_eq!(count(16), 400, "the deepest zoom shows every point");
    let (z15, z14) = (count(15), count(14));
    assert!(z15 < 400 && z14 < z15 && z14 >= 1, "z15 {z15}, z14 {z14}");
    assert_eq!(count(13), 0, "devices start at z14");
}

#[test]
fn properties_above_public_grade_never_reach_a_tile() {
    let twin = twin_with(LayerId::Devices, vec![device(1, CBD.0, CBD.1)]);
    let tile = fetch(
        &twin,
        Tileset::Basemap,
        TileCoord::containing(16, CBD.0, CBD.1),
    );
    let l = layer(&tile, "devices").unwrap();
    assert!(!l.keys.contains(&"serial".to_owned()), "{:?}", l.keys);
    assert!(!l
        .values
        .iter()
        .any(|v| v.string_value.as_deref() == Some("SN-0001")));
    assert!(l.keys.contains(&"device_type".to_owned()) && l.keys.contains(&"status".to_owned()));
}

#[test]
fn public_text_passes_the_text_filter() {
    let twin = twin_with(LayerId::Buildings, vec![building(1, CBD.0, CBD.1, 0.0003)]);
    let tiles = TileService::new(0, |s| Cow::Owned(s.replace("平安", "**")));
    let tile = tiles
        .render(&twin, Tileset::Basemap, buildings_at_z15())
        .unwrap();
    let l = layer(&tile, "buildings").unwrap();
    assert!(l
        .values
        .iter()
        .any(|v| v.string_value.as_deref() == Some("**金融中心")));
}

#[test]
fn a_change_to_a_layer_changes_the_key_and_the_tag_so_the_old_tile_is_never_served() {
    let at = buildings_at_z15();
    let set = Tileset::Layer(LayerId::Buildings);
    let twin = twin_with(LayerId::Buildings, vec![building(1, CBD.0, CBD.1, 0.0003)]);
    let tiles = service();
    let before = tiles.key(&twin, set, at, Encoding::Gzip);
    tiles.tile(&twin, &before).unwrap();
    assert_eq!(
        tiles.key(&twin, set, at, Encoding::Gzip),
        before,
        "no change, same key"
    );

    let mut layer = Layer::from_features(
        LayerId::Buildings.schema(),
        vec![building(1, CBD.0, CBD.1, 0.0003)],
    );
    layer.upsert(building(2, CBD.0 + 0.0005, CBD.1, 0.0003));
    twin.set_layer(layer);
    let after = tiles.key(&twin, set, at, Encoding::Gzip);
    assert_ne!(after, before);
    assert_ne!(tiles.etag(&after), tiles.etag(&before));
    assert!(tiles.cached(&after).is_none());
    let bytes = tiles.tile(&twin, &after).unwrap().mvt().unwrap();
    let tile = Tile::decode(&bytes[..]).unwrap();
    assert_eq!(ids(layer_of(&tile)), vec![1, 2]);

    // Layers the tile does not draw from do not change its key.
    twin.set_layer(Layer::new(LayerId::Devices.schema()));
    assert_eq!(tiles.key(&twin, set, at, Encoding::Gzip), after);
}

fn layer_of(tile: &Tile) -> Option<&tile::Layer> {
    layer(tile, "buildings")
}

#[test]
fn empty_tiles_are_cached_too_and_a_zero_sized_cache_keeps_nothing() {
    let twin = Twin::new();
    let at = buildings_at_z15();
    let tiles = service();
    let key = tiles.key(&twin, Tileset::Basemap, at, Encoding::Gzip);
    assert!(tiles.tile(&twin, &key).unwrap().is_empty());
    assert!(tiles.cached(&key).is_some());
    assert_eq!(tiles.cache().weighed_size().0, 1);

    let uncached = TileService::new(0, text_as_is);
    let key = uncached.key(&twin, Tileset::Basemap, at, Encoding::Gzip);
    uncached.tile(&twin, &key).unwrap();
    assert!(uncached.cached(&key).is_none());
}

#[test]
fn the_cache_is_bounded_in_bytes() {
    let twin = twin_with(
        LayerId::Devices,
        (0..2000)
            .map(|i| {
                device(
                    i + 1,
                    CBD.0 + (i % 50) as f64 * 2e-5,
                    CBD.1 + (i / 50) as f64 * 2e-5,
                )
            })
            .collect(),
    );
    let tiles = TileService::new(4 << 10, text_as_is);
    let big = tiles.key(
        &twin,
        Tileset::Basemap,
        TileCoord::containing(16, CBD.0, CBD.1),
        Encoding::Gzip,
    );
    assert!(tiles.tile(&twin, &big).unwrap().body().len() > 4 << 10);
    let empty = tiles.key(
        &twin,
        Tileset::Basemap,
        TileCoord::containing(16, 0.0, 0.0),
        Encoding::Gzip,
    );
    tiles.tile(&twin, &empty).unwrap();
    let (entries, bytes) = tiles.cache().weighed_size();
    assert!(bytes <= 4 << 10, "{entries} entries, {bytes} bytes");
    assert!(tiles.cached(&empty).is_some() && tiles.cached(&big).is_none());
}

#[test]
fn gzip_and_identity_bodies_hold_the_same_tile() {
    let twin = twin_with(LayerId::Buildings, vec![building(1, CBD.0, CBD.1, 0.0003)]);
    let tiles = service();
    let key = tiles.key(&twin, Tileset::Basemap, buildings_at_z15(), Encoding::Gzip);
    let t = tiles.tile(&twin, &key).unwrap();
    assert_eq!(&t.body()[..2], &[0x1f, 0x8b]);
    let decoded = Tile::decode(&t.mvt().unwrap()[..]).unwrap();
    assert_eq!(
        decoded,
        tiles
            .render(&twin, Tileset::Basemap, buildings_at_z15())
            .unwrap()
    );
    assert!(t.etag().starts_with("W/\""));

    // The plain tile is its own cache entry, with the same tag, so a client without gzip
    // is served from the cache without inflating anything.
    let plain = tiles.key(
        &twin,
        Tileset::Basemap,
        buildings_at_z15(),
        Encoding::Identity,
    );
    assert_ne!(plain, key);
    assert_eq!(tiles.etag(&plain), tiles.etag(&key));
    assert!(tiles.cached(&plain).is_none());
    let p = tiles.tile(&twin, &plain).unwrap();
    assert_eq!(p.encoding(), Encoding::Identity);
    assert_eq!(p.body(), t.mvt().unwrap());
    assert!(tiles.cached(&plain).is_some());
}

#[test]
fn coordinates_off_the_grid_and_unknown_tilesets_are_errors() {
    assert!(matches!(
        TileCoord::new(15, 1 << 15, 0),
        Err(TileError::OutsideGrid { .. })
    ));
    assert!(matches!(
        TileCoord::new(30, 0, 0),
        Err(TileError::ZoomOutOfRange { .. })
    ));
    let err = "rivers".parse::<Tileset>().unwrap_err();
    assert!(err.to_string().contains("basemap"), "{err}");
}

#[test]
fn tilejson_describes_urls_zooms_bounds_and_public_fields() {
    let twin = twin_with(
        LayerId::Devices,
        vec![device(1, CBD.0, CBD.1), device(2, 114.1, 22.6)],
    );
    let doc = TileJson::new(&twin, Tileset::Layer(LayerId::Devices), "http://x");
    let json = serde_json::to_value(&doc).unwrap();
    assert_eq!(json["tilejson"], "3.0.0");
    assert_eq!(json["tiles"][0], "http://x/tiles/devices/{z}/{x}/{y}.mvt");
    assert_eq!(
        (json["minzoom"].as_u64(), json["maxzoom"].as_u64()),
        (Some(14), Some(16))
    );
    assert_eq!(
        json["bounds"],
        serde_json::json!([CBD.0, CBD.1, 114.1, 22.6])
    );
    let layer = &json["vector_layers"][0];
    assert_eq!(layer["id"], "devices");
    assert_eq!(layer["fields"]["device_type"], "设备类型");
    assert!(layer["fields"].get("serial").is_none());
    let text = serde_json::to_string(&doc).unwrap();
    assert!(
        text.contains(r#""fields":{"device_type":"#),
        "fields in schema order"
    );

    let basemap = TileJson::new(&twin, Tileset::Basemap, "http://x");
    assert_eq!(basemap.vector_layers.len(), LayerId::ALL.len());
    assert_eq!(basemap.center[2], 12.0);
}
