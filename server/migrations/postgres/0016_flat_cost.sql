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
