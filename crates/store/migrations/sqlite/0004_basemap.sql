-- The basemap layers: roads, water, parks and landmarks (what a reader orients by).
-- Same layout as every feature table in 0001: WKB geometry, its bounding box, the
-- schema's properties in order, and the grid the feature lies in.

CREATE TABLE roads (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "name" TEXT,
    "class" TEXT,
    "width_m" REAL,
    "grid_code" TEXT
);
CREATE INDEX roads_grid_code ON roads (grid_code);

CREATE TABLE water (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "name" TEXT,
    "kind" TEXT,
    "grid_code" TEXT
);
CREATE INDEX water_grid_code ON water (grid_code);

CREATE TABLE parks (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "name" TEXT,
    "kind" TEXT,
    "grid_code" TEXT
);
CREATE INDEX parks_grid_code ON parks (grid_code);

CREATE TABLE landmarks (
    id INTEGER PRIMARY KEY,
    geom BLOB NOT NULL,
    minx REAL NOT NULL,
    miny REAL NOT NULL,
    maxx REAL NOT NULL,
    maxy REAL NOT NULL,
    updated_at TEXT NOT NULL,
    "name" TEXT,
    "kind" TEXT,
    "address" TEXT,
    "grid_code" TEXT
);
CREATE INDEX landmarks_grid_code ON landmarks (grid_code);
