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
