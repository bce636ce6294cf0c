-- Accounts, bearer tokens, login throttling and the audit log of reads of
-- personal data. Times are milliseconds since the Unix epoch.

CREATE TABLE accounts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    -- The street a station_staff account is scoped to; home street otherwise.
    street_code   TEXT,
    -- Personal data: shown masked in lists, in full only through audited reads.
    phone         TEXT,
    id_number     TEXT,
    password_hash TEXT NOT NULL,
    -- 0 or 1 (an integer: sqlx's Any driver cannot decode SQLite booleans).
    disabled      BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Opaque bearer tokens, stored only as their sha256.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX tokens_by_account ON tokens (account_id);

-- Failed logins, for rate limiting that holds across server instances.
CREATE TABLE login_failures (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_by_username ON login_failures (username, at);

-- Who read which personal data, when and why.
CREATE TABLE audit_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_id     BIGINT NOT NULL,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    fields       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    request_id   TEXT
);
CREATE INDEX audit_log_by_subject ON audit_log (subject_type, subject_id);
