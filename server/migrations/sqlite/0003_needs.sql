-- Legal needs (法律服务需求) received from phones and the web, their
-- attachments, the idempotency records that make every write safe to
-- retry, and synced punches.
-- Times are milliseconds since the Unix epoch.

CREATE TABLE needs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The Idempotency-Key the phone made when it queued the need.
    client_key      TEXT NOT NULL UNIQUE,
    -- Who entered it (the caller), with their role at the time.
    entered_by      BIGINT NOT NULL REFERENCES accounts (id),
    entered_by_role TEXT NOT NULL,
    -- The street (街道) the need's area belongs to: the scope of station staff.
    street_code     TEXT,
    area_code       TEXT NOT NULL,
    category        TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    -- submitted (the orders issue moves it on).
    status          TEXT NOT NULL,
    -- The validated record as JSON. Personal data inside: the API masks it
    -- in lists and shows it in full only through the audited contact read.
    data            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX needs_by_enterer ON needs (entered_by, id);
CREATE INDEX needs_by_street ON needs (street_code, id);

-- Photos and documents, content-addressed by sha256, type told by content.
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    data        BLOB NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE need_attachments (
    need_id BIGINT NOT NULL REFERENCES needs (id),
    sha256  TEXT NOT NULL REFERENCES attachments (sha256),
    PRIMARY KEY (need_id, sha256)
);

-- One row per accepted idempotent write: a replay with the same content
-- gets the stored answer; the same key with other content is a conflict.
-- Refused requests (4xx) are not recorded, so a corrected retry with the
-- same key goes through.
CREATE TABLE idempotency_keys (
    endpoint     TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    account_id   BIGINT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (endpoint, idem_key)
);

-- Every accepted need becomes an order (工单): see 0005_orders.sql.

-- Punches synced from phones, with the device's and the server's verdicts,
-- chained per volunteer (seq, hash).
CREATE TABLE punches (
    id             TEXT PRIMARY KEY,
    volunteer_id   TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    post_id        TEXT NOT NULL,
    street_code    TEXT NOT NULL,
    device_verdict TEXT NOT NULL,
    server_verdict TEXT NOT NULL,
    data           TEXT NOT NULL,
    hash           TEXT NOT NULL,
    received_at    BIGINT NOT NULL,
    UNIQUE (volunteer_id, seq)
);
