-- The volunteer pool (志愿者库): one row per application, the full record
-- (profile, state, history of transitions, loans) as the core's JSON, plus
-- the columns queries filter on. `version` guards concurrent changes.

CREATE TABLE volunteers (
    id          TEXT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    home_street TEXT NOT NULL,
    state       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX volunteers_by_account ON volunteers (account_id);
CREATE INDEX volunteers_by_street ON volunteers (home_street, state);
