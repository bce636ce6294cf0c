-- Text messages to a mobile number rather than to an account, through the
-- notification queue: SMS verification codes (the number may have no
-- account yet) and one-time rating links to requesters without one.
-- Times are milliseconds since the Unix epoch.

-- One message to one number, which is also its one delivery (a number has
-- one channel, SMS). Written in the same transaction as the change that
-- causes it (the stored code and its per-number count; the rating
-- request). state: pending (due at next_attempt_at; a worker that claims
-- it moves that forward by a lease and counts the attempt), delivered, or
-- dead (given up, the reason in last_error).
-- phone_hash is the sha256 the SMS limits count the number under;
-- phone_masked (138****5678) is what staff see; phone and params (the
-- template's parameters: the code, the link) are needed only to send, and
-- are erased once the message is delivered or given up. A message still
-- pending at expires_at (a code past its validity) is given up unsent.
-- event: sms_code, rating_link (see notifications::rules).
CREATE TABLE phone_notifications (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    event           TEXT NOT NULL,
    phone_hash      TEXT NOT NULL,
    phone_masked    TEXT NOT NULL,
    phone           TEXT,
    params          TEXT,
    order_id        TEXT,
    street_code     TEXT,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX phone_notifications_due ON phone_notifications (state, next_attempt_at);
CREATE INDEX phone_notifications_dead ON phone_notifications (state, updated_at);
