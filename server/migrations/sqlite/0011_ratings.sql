-- A rating from every requester (一事一评), resident accounts verified by
-- SMS, and the SMS sender's per-number limits.
-- Times are milliseconds since the Unix epoch.

-- The requester (the person with the legal trouble) apart from the account
-- that entered the need: a resident account when the requester has one
-- (the resident filing, or the verified mobile of a resident account),
-- else none: the name and mobile inside `data` are then all there is.
ALTER TABLE needs ADD COLUMN requester_account BIGINT REFERENCES accounts (id);
CREATE INDEX needs_by_requester ON needs (requester_account, id);
-- The sha256 of the tracking code shown when a need was filed without an
-- account (the code itself is never stored).
ALTER TABLE needs ADD COLUMN tracking_hash TEXT;
CREATE UNIQUE INDEX needs_by_tracking ON needs (tracking_hash);

-- When the account's mobile number was verified by an SMS code.
ALTER TABLE accounts ADD COLUMN phone_verified_at BIGINT;

-- How a rating was given: app (the requester's account), link (the public
-- page of a one-time link), call_back (staff on the phone, 回访).
ALTER TABLE ratings ADD COLUMN channel TEXT NOT NULL DEFAULT 'app';

-- The rating request made when an order is resolved: one per order.
-- channel: app | link | call_back. sms_status (links only): sent, failed,
-- disabled (no SMS provider configured), not_sent (no attempt yet).
CREATE TABLE rating_requests (
    order_id    TEXT PRIMARY KEY REFERENCES orders (id),
    channel     TEXT NOT NULL,
    street_code TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    sms_status  TEXT,
    sms_detail  TEXT
);

-- One-time rating links: only the sha256 of the token is kept. via: sms
-- (sent to the requester) or qr (shown on the holder's phone).
CREATE TABLE rating_links (
    token_hash TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    via        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX rating_links_by_order ON rating_links (order_id);

-- Staff call-backs (回访) to requesters: outcome reached, not_reached or
-- refused; the score given on the phone when reached.
CREATE TABLE call_backs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    by_account BIGINT NOT NULL REFERENCES accounts (id),
    at         BIGINT NOT NULL,
    outcome    TEXT NOT NULL,
    score      BIGINT,
    note       TEXT NOT NULL
);
CREATE INDEX call_backs_by_order ON call_backs (order_id, at);

-- SMS verification codes: only a hash of the code; attempts counted.
-- phone_hash is the sha256 of the normalised mobile number.
CREATE TABLE sms_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_hash TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sms_codes_by_phone ON sms_codes (phone_hash, purpose, id);

-- Every SMS handed to the provider (or refused by a limit), for the
-- per-number and per-client limits that hold across server instances.
-- client is the caller's address for codes, '' for messages the server
-- sends by itself.
CREATE TABLE sms_sends (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_hash TEXT NOT NULL,
    client     TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX sms_sends_by_phone ON sms_sends (phone_hash, at);
CREATE INDEX sms_sends_by_client ON sms_sends (client, at);

-- Needs filed without an account (followed by a tracking code), by client
-- address: their per-client limit.
CREATE TABLE public_filings (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX public_filings_by_client ON public_filings (client, at);
