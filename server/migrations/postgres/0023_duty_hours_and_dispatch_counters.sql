-- Staff reads that do not grow with history.

-- Accepted duty time (paired clock-in/out sessions, split at month ends,
-- China time) per volunteer, post, street and month, in milliseconds.
-- A volunteer's rows are recomputed from their own punches in the same
-- transaction as every punch of theirs written or reviewed.
CREATE TABLE duty_hours (
    volunteer_id TEXT NOT NULL,
    post_id      TEXT NOT NULL,
    street_code  TEXT NOT NULL,
    month        TEXT NOT NULL,
    duty_ms      BIGINT NOT NULL,
    PRIMARY KEY (volunteer_id, post_id, street_code, month)
);
CREATE INDEX duty_hours_by_street ON duty_hours (street_code);

-- Volunteers whose `duty_hours` rows are computed (`filled` = 1). The row
-- is also what a recomputation locks first, so two writes of one
-- volunteer's punches recompute one after the other. Volunteers with
-- punches from before this table are filled by the server at start.
CREATE TABLE duty_hours_volunteers (
    volunteer_id TEXT PRIMARY KEY,
    filled       BIGINT NOT NULL
);
CREATE INDEX duty_hours_volunteers_by_filled ON duty_hours_volunteers (filled);
INSERT INTO duty_hours_volunteers (volunteer_id, filled)
SELECT DISTINCT volunteer_id, 0 FROM punches;

-- Ratings of the orders each assignee held when rated (a rating is given
-- once an order is resolved, after which its assignee no longer changes):
-- how many and the sum of their scores, added with every rating recorded.
CREATE TABLE assignee_ratings (
    assignee  TEXT PRIMARY KEY,
    n         BIGINT NOT NULL,
    score_sum BIGINT NOT NULL
);
INSERT INTO assignee_ratings (assignee, n, score_sum)
SELECT o.assignee, COUNT(*), CAST(SUM(r.score) AS BIGINT)
FROM ratings r JOIN orders o ON o.id = r.order_id
WHERE o.assignee IS NOT NULL
GROUP BY o.assignee;

-- Each assignee's active orders (their current load) by state.
CREATE INDEX orders_by_state_assignee ON orders (state, assignee);

-- Orders by when they were first resolved (creation plus time to
-- resolution, milliseconds): a week's resolved orders for spot checks.
CREATE INDEX orders_by_resolved_at ON orders ((created_at + resolution_ms));
CREATE INDEX orders_by_street_resolved_at ON orders (street_code, (created_at + resolution_ms));
