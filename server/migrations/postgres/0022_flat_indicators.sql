-- The indicators' medians without walking half of every timing index:
-- per street and timing ('claim', 'resolution'), how many orders have a
-- time in each bucket (exact below 128 ms, then 64 buckets per power of
-- two, in the order of the times). Kept with every change, in the same
-- transaction as `indicator_counters`; the median is then found in its
-- bucket through the timing index, reading a bucket's rows at most.
-- Filled from the orders already there when the server starts.
CREATE TABLE timing_buckets (
    street_code TEXT NOT NULL,
    timing      TEXT NOT NULL,
    bucket      BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (timing, street_code, bucket)
);

-- Why each resolved order is or is not rated, kept per order with every
-- change of its inputs (its resolution, rating, call-backs, rating
-- request and links): `verdict` is the verdict once any wait is over
-- ('rated:<channel>', 'declined', 'not_reached', 'no_request',
-- 'app_expired', 'awaiting_call_back', 'no_contact', 'link_expired');
-- until `awaiting_until` the order counts as 'awaiting' instead. Counted
-- per street in `indicator_counters` ('verdict:<verdict>'), so the rating
-- figures read the counters and the few orders still awaiting, not every
-- resolved order. Filled from the orders already there when the server
-- starts.
CREATE TABLE rating_verdicts (
    order_id       TEXT PRIMARY KEY,
    street_code    TEXT NOT NULL,
    verdict        TEXT NOT NULL,
    awaiting_until BIGINT
);
CREATE INDEX rating_verdicts_awaiting ON rating_verdicts (awaiting_until)
    WHERE awaiting_until IS NOT NULL;
