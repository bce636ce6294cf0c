-- Spot-check draws (质量抽查): each draw is kept whole (seed from the OS
-- random source, population, selection, who and when) so anyone can
-- re-check it, and nobody can predict the next one. Sampled orders carry
-- the draw that picked them and the street whose week it was.

CREATE TABLE spot_check_draws (
    id          TEXT PRIMARY KEY,
    week        TEXT NOT NULL,
    street_code TEXT,
    drawn_by    TEXT NOT NULL,
    drawn_at    BIGINT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX spot_check_draws_by_week ON spot_check_draws (week, street_code);

ALTER TABLE spot_checks ADD COLUMN draw_id TEXT;
ALTER TABLE spot_checks ADD COLUMN street_code TEXT;
UPDATE spot_checks
   SET street_code = (SELECT o.street_code FROM orders o WHERE o.id = spot_checks.order_id);
CREATE INDEX spot_checks_by_week ON spot_checks (week, street_code);
