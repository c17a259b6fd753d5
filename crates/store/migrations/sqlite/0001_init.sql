-- CityMirror storage, SQLite dialect. One table per twin layer and per record
-- schema; the columns mirror `citymirror_core` schemas in order (the store's
-- `schema_matches_migrations` test fails if they drift apart).
--
-- `id INTEGER PRIMARY KEY` (not BIGINT) makes the id the rowid: 64-bit all the
-- same, but rows need no separate primary-key index, which halves bulk-insert work.
-- Geometries are WKB in `geom`; `minx..maxy` repeat their bounding box so SQL users
-- can filter by area without decoding WKB. `updated_at` is RFC 3339 UTC with
-- milliseconds, and dates are 'YYYY-MM-DD' text, so both sort as text.

CREATE TABLE district (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" REAL
);

CREATE TABLE streets (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" REAL
);

CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" REAL
);

CREATE TABLE grids (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" REAL
);

CREATE TABLE buildings (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "name" TEXT,
    "address" TEXT,
    "use" TEXT,
    "height_m" REAL,
    "floors" INTEGER,
    "completed" TEXT,
    "grid_code" TEXT
);
CREATE INDEX buildings_grid_code ON buildings (grid_code);

CREATE TABLE components (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "category" TEXT,
    "category_name" TEXT,
    "class_name" TEXT,
    "owner_unit" TEXT,
    "status" TEXT,
    "installed" TEXT,
    "grid_code" TEXT
);
CREATE INDEX components_grid_code ON components (grid_code);

CREATE TABLE pipes (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "network" TEXT,
    "diameter_mm" INTEGER,
    "material" TEXT,
    "length_m" REAL,
    "depth_m" REAL,
    "laid" TEXT,
    "owner_unit" TEXT,
    "grid_code" TEXT
);
CREATE INDEX pipes_grid_code ON pipes (grid_code);

CREATE TABLE cameras (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "gb_id" TEXT,
    "name" TEXT,
    "kind" TEXT,
    "resolution" TEXT,
    "status" TEXT,
    "installed" TEXT,
    "grid_code" TEXT
);
CREATE INDEX cameras_grid_code ON cameras (grid_code);

CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "device_type" TEXT,
    "vendor" TEXT,
    "model" TEXT,
    "serial" TEXT,
    "status" TEXT,
    "installed" TEXT,
    "grid_code" TEXT
);
CREATE INDEX devices_grid_code ON devices (grid_code);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    "name" TEXT,
    "id_number" TEXT,
    "gender" TEXT,
    "birth_date" TEXT,
    "mobile" TEXT,
    "residence_type" TEXT,
    "house_id" INTEGER,
    "building_id" INTEGER,
    "grid_code" TEXT
);
CREATE INDEX persons_grid_code ON persons (grid_code);
CREATE INDEX persons_building_id ON persons (building_id);

CREATE TABLE houses (
    id INTEGER PRIMARY KEY,
    "building_id" INTEGER,
    "address" TEXT,
    "floor" INTEGER,
    "room" TEXT,
    "area_m2" REAL,
    "use" TEXT,
    "tenure" TEXT,
    "owner_id_number" TEXT,
    "grid_code" TEXT
);
CREATE INDEX houses_grid_code ON houses (grid_code);
CREATE INDEX houses_building_id ON houses (building_id);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    "name" TEXT,
    "uscc" TEXT,
    "legal_person" TEXT,
    "legal_person_id_number" TEXT,
    "contact_mobile" TEXT,
    "industry" TEXT,
    "registered_capital_wan" REAL,
    "established" TEXT,
    "employees" INTEGER,
    "building_id" INTEGER,
    "grid_code" TEXT
);
CREATE INDEX entities_grid_code ON entities (grid_code);
CREATE INDEX entities_building_id ON entities (building_id);

-- Facts about the data set: seed, scale, generation time.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
