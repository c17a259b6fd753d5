//! The `/tiles` paths: the tileset list, TileJSON and vector tiles.

use citymirror_tiles::Tileset;
use serde_json::{json, Map, Value as Json};

use super::schemas;

fn error(description: &str) -> Json {
    json!({ "description": description, "content": { "application/json": { "schema": schemas::reference("exception") } } })
}

fn path_param(name: &str, description: &str, schema: Json) -> Json {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

pub fn paths() -> Map<String, Json> {
    let ids: Vec<&str> = Tileset::ALL.iter().map(|t| t.id()).collect();
    let tileset = path_param(
        "tileset",
        "A layer id, or `basemap` for all layers",
        json!({ "type": "string", "enum": ids }),
    );
    let coordinate =
        |name: &str, d: &str| path_param(name, d, json!({ "type": "integer", "minimum": 0 }));
    let etag = json!({ "ETag": { "description": "A weak tag from the revisions of the layers the tile draws from", "schema": { "type": "string" } } });
    let paths = json!({
        "/tiles": { "get": {
            "operationId": "tilesets", "summary": "The vector tilesets: one per layer and `basemap`",
            "tags": ["Tiles"],
            "responses": { "200": { "description": "Each tileset's id, titles, zoom range, layers and TileJSON link", "content": { "application/json": { "schema": { "type": "object" } } } } },
        } },
        "/tiles/{tileset}": { "get": {
            "operationId": "tilejson", "summary": "A tileset's TileJSON 3.0.0",
            "tags": ["Tiles"], "parameters": [tileset],
            "responses": {
                "200": { "description": "TileJSON with absolute tile URLs", "content": { "application/json": { "schema": { "type": "object" } } } },
                "404": error("No such tileset"),
            },
        } },
        "/tiles/{tileset}/{z}/{x}/{y}": { "get": {
            "operationId": "tile", "summary": "One Mapbox Vector Tile (XYZ scheme, Web Mercator, extent 4096)",
            "description": "`y` may end in `.mvt` or `.pbf`. Only public properties. gzip-encoded when Accept-Encoding allows it. Always `Cache-Control: no-cache`: revalidate with If-None-Match. Query strings are ignored.",
            "tags": ["Tiles"],
            "parameters": [
                tileset,
                coordinate("z", "Zoom, 0 to 24 (layers are drawn up to 16; clients overzoom)"),
                coordinate("x", "Column, below 2^z"),
                coordinate("y", "Row from the north, below 2^z, optionally with `.mvt` or `.pbf`"),
            ],
            "responses": {
                "200": { "description": "The tile", "headers": etag, "content": { "application/vnd.mapbox-vector-tile": { "schema": { "type": "string", "format": "binary" } } } },
                "204": { "description": "The tile has no features", "headers": etag },
                "304": { "description": "The client's copy (If-None-Match) is current" },
                "400": error("z, x or y is not a tile (code `invalid_parameter`)"),
                "404": error("No such tileset"),
            },
        } },
    });
    match paths {
        Json::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    }
}
