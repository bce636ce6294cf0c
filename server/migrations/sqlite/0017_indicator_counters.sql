-- Indicators that do not grow with history: per street, how many orders
-- it holds, how many were claimed and resolved with the sum of their
-- times (milliseconds), and how many ratings gave each score. Kept exact:
-- every order insert, order change and rating adds its difference in the
-- same transaction (`name`: 'orders', 'claim', 'resolution', 'rating_1'
-- … 'rating_5'; `sum_ms` is 0 for counts without a time).
CREATE TABLE indicator_counters (
    street_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    n           BIGINT NOT NULL,
    sum_ms      BIGINT NOT NULL,
    PRIMARY KEY (street_code, name)
);

-- Backfilled from the rows already there. Orders whose timing columns
-- are not filled yet (`timings_known = 0`) count nothing here; the server
-- adds them when it fills those columns at start.
INSERT INTO indicator_counters (street_code, name, n, sum_ms)
SELECT street_code, 'orders', COUNT(*), 0 FROM orders GROUP BY street_code;
INSERT INTO indicator_counters (street_code, name, n, sum_ms)
SELECT street_code, 'claim', COUNT(claim_ms), CAST(COALESCE(SUM(claim_ms), 0) AS BIGINT)
FROM orders WHERE claim_ms IS NOT NULL GROUP BY street_code;
INSERT INTO indicator_counters (street_code, name, n, sum_ms)
SELECT street_code, 'resolution', COUNT(resolution_ms), CAST(COALESCE(SUM(resolution_ms), 0) AS BIGINT)
FROM orders WHERE resolution_ms IS NOT NULL GROUP BY street_code;
INSERT INTO indicator_counters (street_code, name, n, sum_ms)
SELECT o.street_code, 'rating_' || CAST(r.score AS TEXT), COUNT(*), 0
FROM ratings r JOIN orders o ON o.id = r.order_id
GROUP BY o.street_code, r.score;
