-- The catalogue: administrative areas, facilities and duty posts.
-- Each row keeps the full record as JSON (the core's serde shape) plus the
-- columns queries filter on. Coordinates in the columns are WGS-84; times
-- are milliseconds since the Unix epoch.

CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL,
    parent_code TEXT,
    name        TEXT NOT NULL,
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE facilities (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lng        DOUBLE PRECISION NOT NULL,
    retired    BOOLEAN NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX facilities_by_version ON facilities (version);

CREATE TABLE duty_posts (
    id          TEXT PRIMARY KEY,
    street_code TEXT NOT NULL,
    retired     BOOLEAN NOT NULL,
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The highest facility version handed out: phones pull deltas since a version.
CREATE TABLE catalogue_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 0);

-- What each import did, for the audit of data changes.
CREATE TABLE import_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file        TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    unchanged   BIGINT NOT NULL,
    skipped     TEXT NOT NULL,
    at          BIGINT NOT NULL
);
