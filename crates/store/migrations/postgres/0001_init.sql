-- CityMirror storage, PostgreSQL dialect. One table per twin layer and per record
-- schema; the columns mirror `citymirror_core` schemas in order (the store's
-- `schema_matches_migrations` test fails if they drift apart).
--
-- Geometries are WKB in `geom` (PostGIS can read it with ST_GeomFromWKB(geom, 4326));
-- `minx..maxy` repeat their bounding box so SQL users can filter by area without it.

CREATE TABLE district (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" DOUBLE PRECISION
);

CREATE TABLE streets (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" DOUBLE PRECISION
);

CREATE TABLE communities (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" DOUBLE PRECISION
);

CREATE TABLE grids (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "code" TEXT,
    "name" TEXT,
    "parent_code" TEXT,
    "area_km2" DOUBLE PRECISION
);

CREATE TABLE buildings (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "name" TEXT,
    "address" TEXT,
    "use" TEXT,
    "height_m" DOUBLE PRECISION,
    "floors" BIGINT,
    "completed" DATE,
    "grid_code" TEXT
);
CREATE INDEX buildings_grid_code ON buildings (grid_code);

CREATE TABLE components (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "category" TEXT,
    "category_name" TEXT,
    "class_name" TEXT,
    "owner_unit" TEXT,
    "status" TEXT,
    "installed" DATE,
    "grid_code" TEXT
);
CREATE INDEX components_grid_code ON components (grid_code);

CREATE TABLE pipes (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "network" TEXT,
    "diameter_mm" BIGINT,
    "material" TEXT,
    "length_m" DOUBLE PRECISION,
    "depth_m" DOUBLE PRECISION,
    "laid" DATE,
    "owner_unit" TEXT,
    "grid_code" TEXT
);
CREATE INDEX pipes_grid_code ON pipes (grid_code);

CREATE TABLE cameras (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "gb_id" TEXT,
    "name" TEXT,
    "kind" TEXT,
    "resolution" TEXT,
    "status" TEXT,
    "installed" DATE,
    "grid_code" TEXT
);
CREATE INDEX cameras_grid_code ON cameras (grid_code);

CREATE TABLE devices (
    id BIGINT PRIMARY KEY,
    geom BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    "device_type" TEXT,
    "vendor" TEXT,
    "model" TEXT,
    "serial" TEXT,
    "status" TEXT,
    "installed" DATE,
    "grid_code" TEXT
);
CREATE INDEX devices_grid_code ON devices (grid_code);

CREATE TABLE persons (
    id BIGINT PRIMARY KEY,
    "name" TEXT,
    "id_number" TEXT,
    "gender" TEXT,
    "birth_date" DATE,
    "mobile" TEXT,
    "residence_type" TEXT,
    "house_id" BIGINT,
    "building_id" BIGINT,
    "grid_code" TEXT
);
CREATE INDEX persons_grid_code ON persons (grid_code);
CREATE INDEX persons_building_id ON persons (building_id);

CREATE TABLE houses (
    id BIGINT PRIMARY KEY,
    "building_id" BIGINT,
    "address" TEXT,
    "floor" BIGINT,
    "room" TEXT,
    "area_m2" DOUBLE PRECISION,
    "use" TEXT,
    "tenure" TEXT,
    "owner_id_number" TEXT,
    "grid_code" TEXT
);
CREATE INDEX houses_grid_code ON houses (grid_code);
CREATE INDEX houses_building_id ON houses (building_id);

CREATE TABLE entities (
    id BIGINT PRIMARY KEY,
    "name" TEXT,
    "uscc" TEXT,
    "legal_person" TEXT,
    "legal_person_id_number" TEXT,
    "contact_mobile" TEXT,
    "industry" TEXT,
    "registered_capital_wan" DOUBLE PRECISION,
    "established" DATE,
    "employees" BIGINT,
    "building_id" BIGINT,
    "grid_code" TEXT
);
CREATE INDEX entities_grid_code ON entities (grid_code);
CREATE INDEX entities_building_id ON entities (building_id);

-- Facts about the data set: seed, scale, generation time.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
