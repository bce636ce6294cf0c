-- The background job's cost follows the work that changed, not what the
-- database holds, and a restart does not read the history again.

-- Up to when the job read what arrives with a time (ratings by `at`,
-- punches by `received_at`, deadlines passing): milliseconds, by mark
-- name; written at the end of each successful run, read at the start of
-- the next, in this process or after a restart.
CREATE TABLE job_marks (
    name     TEXT PRIMARY KEY,
    until_ms BIGINT NOT NULL
);

-- Open consultations by the time they were filed: the grab window's
-- candidates are the open ones filed before the window (an order opens
-- when filed or later, so this holds every order whose window ran out).
CREATE INDEX orders_by_state_kind_created ON orders (state, kind, created_at);

-- Whether a punch may still hold its exact location (1) or had it erased
-- or never had one (0): the retention step reads only punches past the
-- period that still hold one, a batch per run.
ALTER TABLE punches ADD COLUMN located BIGINT NOT NULL DEFAULT 1;
CREATE INDEX punches_by_located ON punches (located, received_at);
