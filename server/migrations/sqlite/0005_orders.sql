-- Orders (工单): the core's Order as JSON plus the columns the conditional
-- updates and the queries use. `version` is the optimistic lock: every
-- transition is `UPDATE … WHERE id = $n AND version = $m`, so exactly one
-- of many concurrent grabs wins, whatever the number of server instances.

CREATE TABLE orders (
    id           TEXT PRIMARY KEY,
    need_id      BIGINT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,
    level        TEXT NOT NULL,
    area_code    TEXT NOT NULL,
    street_code  TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    assignee     TEXT,
    category     TEXT NOT NULL,
    deadline     BIGINT,
    version      BIGINT NOT NULL,
    data         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX orders_by_state ON orders (state, street_code);
CREATE INDEX orders_by_assignee ON orders (assignee);
CREATE INDEX orders_by_requester ON orders (requester_id);

-- One rating per order (一事一评).
CREATE TABLE ratings (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    score    BIGINT NOT NULL,
    data     TEXT NOT NULL,
    at       BIGINT NOT NULL
);

-- Early warnings (异常预警): the dedup key makes raising idempotent across
-- server instances (INSERT … ON CONFLICT DO NOTHING).
CREATE TABLE warnings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key   TEXT NOT NULL UNIQUE,
    rule_id     TEXT NOT NULL,
    street_code TEXT,
    state       TEXT NOT NULL,
    level       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    data        TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX warnings_by_state ON warnings (state, street_code);

-- Weekly spot checks (质量抽查) of resolved orders.
CREATE TABLE spot_checks (
    order_id   TEXT PRIMARY KEY REFERENCES orders (id),
    week       TEXT NOT NULL,
    drawn_at   BIGINT NOT NULL,
    data       TEXT
);

-- Imported hotline call records (12348/12345) for the indicators.
CREATE TABLE hotline_calls (
    call_id     TEXT PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    data        TEXT NOT NULL
);
