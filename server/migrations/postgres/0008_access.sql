-- The login throttle: one row per counter (a username from one client
-- address, a username from anywhere, a client address for any username).
-- An attempt is counted before its password is checked; beyond the free
-- failures each attempt waits an exponential back-off until
-- `blocked_until`. Times are milliseconds since the Unix epoch. It replaces
-- the per-username failure log, whose check-then-record was not atomic.

CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

DROP TABLE login_failures;
