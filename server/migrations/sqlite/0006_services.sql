-- Application types (办事事项, issue 11): every published version of every
-- type, as the core's ServiceDefinition JSON. Published versions never
-- change; staff change a type by publishing the next version, and retire
-- it by publishing one with active = 0. Times are milliseconds since the
-- Unix epoch.

CREATE TABLE service_definitions (
    code         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    definition   TEXT NOT NULL,
    -- 0 or 1 (an integer: sqlx's Any driver cannot decode SQLite booleans).
    active       BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    -- NULL for the shipped defaults seeded at first start.
    published_by BIGINT REFERENCES accounts (id),
    PRIMARY KEY (code, version)
);

-- A need filed as an online application names its type and version (the
-- answers are in needs.data with the rest of the record).
ALTER TABLE needs ADD COLUMN service_code TEXT;
ALTER TABLE needs ADD COLUMN service_version BIGINT;
CREATE INDEX needs_by_service ON needs (service_code, created_at);

-- API keys of Open311 client apps, stored only as their sha256. Requests
-- filed with a key are entered by the key's own account (a disabled
-- account that cannot log in), so they keep an author like every need.
CREATE TABLE open311_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash   TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
