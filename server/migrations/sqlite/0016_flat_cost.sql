-- Work that does not grow with history: the background job, the offers
-- and the lists read only the rows they need, through these indexes.

-- Open consultations (offers, the grab window) by state, kind and street.
CREATE INDEX orders_by_state_kind ON orders (state, kind, street_code);
-- Orders in progress past their deadline (the overdue rule), per state.
CREATE INDEX orders_by_state_deadline ON orders (state, deadline);
-- Ratings given since the job's last run (the low-rating rule).
CREATE INDEX ratings_by_time ON ratings (at);
-- Punches received since the job's last run (clock-in anomalies and
-- out-of-fence attempts) and open clock-ins.
CREATE INDEX punches_by_received ON punches (received_at);

-- The indicators aggregate in the database: each order's time to claim
-- and time to resolution (milliseconds, none until it happened), written
-- with every change of the order. `timings_known` is 0 for rows written
-- before these columns (filled once by the server at start).
ALTER TABLE orders ADD COLUMN claim_ms BIGINT;
ALTER TABLE orders ADD COLUMN resolution_ms BIGINT;
ALTER TABLE orders ADD COLUMN timings_known BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_by_street_claim ON orders (street_code, claim_ms);
CREATE INDEX orders_by_street_resolution ON orders (street_code, resolution_ms);
CREATE INDEX orders_by_claim ON orders (claim_ms);
CREATE INDEX orders_by_resolution ON orders (resolution_ms);
CREATE INDEX orders_by_timings_known ON orders (timings_known);

-- Retention: needs and attachments not yet removed, by age (the job no
-- longer walks every old row that was removed before).
CREATE INDEX needs_by_retention ON needs (anonymised_at, created_at);
CREATE INDEX attachments_by_retention ON attachments (erased_at, created_at);

-- When an open warning next goes up a level (milliseconds; the largest
-- BIGINT: never), so the job reads only warnings whose time came. Filled
-- by the server at start for warnings written before.
ALTER TABLE warnings ADD COLUMN escalate_at BIGINT;
CREATE INDEX warnings_by_escalation ON warnings (state, escalate_at);
