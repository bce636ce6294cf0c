-- Several server instances on one database behave as one.
-- Times are milliseconds since the Unix epoch.

-- The live order changes every instance streams to its subscribers (the
-- console's board, `GET /api/v1/events`). An instance writes each change
-- it makes here and wakes the others (PostgreSQL `NOTIFY`); each instance
-- tails the table by `id`. The id is the server-sent event id a client
-- resumes after with `Last-Event-ID`, on any instance. Writers take one
-- transaction-level advisory lock, so ids become visible in order and a
-- reader that has seen id n has seen every id below it. `body` is the
-- change as JSON (order id, state, version, street, assignee and the
-- requester and entry ids access decisions need; never a need's
-- description or anyone's contact). Rows older than a day are removed by
-- the background job. Unused on embedded SQLite (one instance: changes
-- stay in the process).
CREATE TABLE live_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX live_events_by_time ON live_events (created_at);

-- Who runs the background job (escalations, warnings, retention): the
-- instance holding the unexpired lease of that name. The holder renews it
-- well before `expires_at` (the database's clock, so instances' clocks
-- need not agree); when it dies another instance takes it after expiry.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
