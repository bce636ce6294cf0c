-- Notifications that reach people whose app is closed: a durable queue
-- written in the same transaction as the change that causes it, the push
-- devices phones registered, and each person's choices.
-- Times are milliseconds since the Unix epoch.

-- One message to one account. `id` is what phones deduplicate by (a
-- message may arrive twice: on the stream and by push, or again after a
-- crash); `seq` orders an account's stream (the event id a stream resumes
-- from with Last-Event-ID). `data` is the message as sent: what happened
-- and which order, never a need's description or anyone's contact.
-- event: offer, withdrawn, taken, assigned, accepted, transferred,
-- resolved, rating_requested, ... (see notifications::rules).
CREATE TABLE notifications (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    account_id   BIGINT NOT NULL REFERENCES accounts (id),
    event        TEXT NOT NULL,
    order_id     TEXT,
    data         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    -- Set when the message no longer holds (an offer someone else took).
    withdrawn_at BIGINT
);
CREATE INDEX notifications_by_account ON notifications (account_id, seq);
CREATE INDEX notifications_by_order ON notifications (order_id, event);

-- A push device: a UnifiedPush endpoint (with the RFC 8291 keys the phone
-- made) or an APNs device token. Removed when the service says it is gone.
CREATE TABLE push_devices (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     BIGINT NOT NULL REFERENCES accounts (id),
    kind           TEXT NOT NULL,
    address        TEXT NOT NULL,
    p256dh         TEXT,
    auth           TEXT,
    created_at     BIGINT NOT NULL,
    removed_at     BIGINT,
    removed_reason TEXT,
    UNIQUE (kind, address)
);
CREATE INDEX push_devices_by_account ON push_devices (account_id);

-- Delivering one message over one channel to one device: pending (due at
-- next_attempt_at; a worker that claims it moves that forward by a lease,
-- so a crashed worker's claim comes due again), delivered, withdrawn (the
-- message was withdrawn before it went out) or dead (given up, with the
-- reason in last_error).
CREATE TABLE notification_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    channel         TEXT NOT NULL,
    device_id       BIGINT REFERENCES push_devices (id),
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (state, next_attempt_at);
CREATE INDEX notification_deliveries_by_notification ON notification_deliveries (notification_id);

-- Each person's choices: push on or off, and quiet hours (minutes after
-- midnight, China time) during which messages other than duty offers
-- wait. No row: push on, no quiet hours.
CREATE TABLE notification_settings (
    account_id  BIGINT PRIMARY KEY REFERENCES accounts (id),
    push        BIGINT NOT NULL, -- 1 on, 0 off
    quiet_start BIGINT,
    quiet_end   BIGINT,
    updated_at  BIGINT NOT NULL
);

-- Keys of the server shared by every instance: the VAPID signing key of
-- UnifiedPush (a PKCS#8 document, base64), made on first start.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
