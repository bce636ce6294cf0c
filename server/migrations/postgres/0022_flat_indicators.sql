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
-- resolved order.
CREATE TABLE rating_verdicts (
    order_id       TEXT PRIMARY KEY,
    street_code    TEXT NOT NULL,
    verdict        TEXT NOT NULL,
    awaiting_until BIGINT
);
CREATE INDEX rating_verdicts_awaiting ON rating_verdicts (awaiting_until)
    WHERE awaiting_until IS NOT NULL;

INSERT INTO rating_verdicts (order_id, street_code, verdict, awaiting_until)
SELECT id, street_code, verdict,
       CASE verdict WHEN 'app_expired' THEN request_expires
                    WHEN 'link_expired' THEN link_expires END
FROM (SELECT o.id, o.street_code,
             CASE WHEN r.channel IS NOT NULL THEN 'rated:' || r.channel
             ELSE CASE (SELECT c.outcome FROM call_backs c WHERE c.order_id = o.id
                        ORDER BY c.at DESC, c.id DESC LIMIT 1)
                  WHEN 'refused' THEN 'declined'
                  WHEN 'not_reached' THEN 'not_reached'
                  ELSE CASE
                       WHEN q.order_id IS NULL THEN 'no_request'
                       WHEN q.channel = 'app' THEN 'app_expired'
                       WHEN q.channel = 'call_back' THEN 'awaiting_call_back'
                       WHEN COALESCE(q.sms_status, '') NOT IN ('sent', 'not_sent')
                            AND NOT EXISTS (SELECT 1 FROM rating_links l
                                            WHERE l.order_id = o.id AND l.via = 'qr')
                            THEN 'no_contact'
                       ELSE 'link_expired'
                       END
                  END
             END AS verdict,
             q.expires_at AS request_expires,
             (SELECT MAX(l.expires_at) FROM rating_links l WHERE l.order_id = o.id) AS link_expires
      FROM orders o
      LEFT JOIN ratings r ON r.order_id = o.id
      LEFT JOIN rating_requests q ON q.order_id = o.id
      WHERE o.resolution_ms IS NOT NULL) v;

INSERT INTO indicator_counters (street_code, name, n, sum_ms)
SELECT street_code, 'verdict:' || verdict, COUNT(*), 0
FROM rating_verdicts GROUP BY street_code, verdict;
