-- Every list is read a page at a time through an index (keyset, never
-- OFFSET).

-- The punch review queue: each punch's review status (`accepted`,
-- `rejected`, `pending_review`), written with every insert and review.
-- NULL for punches written before this column; the server fills those
-- once at start.
ALTER TABLE punches ADD COLUMN status TEXT;
-- Pages in chain order (volunteer, seq), of one status, optionally of one
-- street.
CREATE INDEX punches_by_status ON punches (status, volunteer_id, seq);
CREATE INDEX punches_by_street_status ON punches (street_code, status, volunteer_id, seq);
-- Every punch of a street in chain order (the review queue without the
-- pending filter).
CREATE INDEX punches_by_street ON punches (street_code, volunteer_id, seq);

-- A week's spot checks (by order) and draws (oldest first), a page at a
-- time.
CREATE INDEX spot_checks_by_week_order ON spot_checks (week, order_id);
CREATE INDEX spot_checks_by_week_street_order ON spot_checks (week, street_code, order_id);
CREATE INDEX spot_check_draws_by_week_time ON spot_check_draws (week, drawn_at, id);

-- An account's devices by id; dead letters of each queue newest first.
CREATE INDEX push_devices_by_account_id ON push_devices (account_id, id);
CREATE INDEX notification_deliveries_dead ON notification_deliveries (state, updated_at, id);
CREATE INDEX phone_notifications_dead_by_id ON phone_notifications (state, updated_at, id);
