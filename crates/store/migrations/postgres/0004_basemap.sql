-- The basemap layers: roads, water, parks and landmarks (what a reader orients by).
-- Same layout as every feature table in 0001: WKB geometry, its bounding box, the
-- schema's properties in order, and the grid the feature lies in.

CREATE TABLE roads (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "name" TEXT,
    "class" TEXT,
    "width_m" DOUBLE PRECISION,
    "grid_code" TEXT
);
CREATE INDEX roads_grid_code ON roads (grid_code);

CREATE TABLE water (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "name" TEXT,
    "kind" TEXT,
    "grid_code" TEXT
);
CREATE INDEX water_grid_code ON water (grid_code);

CREATE TABLE parks (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "name" TEXT,
    "kind" TEXT,
    "grid_code" TEXT
);
CREATE INDEX parks_grid_code ON parks (grid_code);

CREATE TABLE landmarks (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "name" TEXT,
    "kind" TEXT,
    "address" TEXT,
    "grid_code" TEXT
);
CREATE INDEX landmarks_grid_code ON landmarks (grid_code);
