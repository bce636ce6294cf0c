-- A volunteer's punches received since a time (what deciding whether they
-- may take orders reads, at every grab and offer): through their own rows,
-- not every volunteer's recent punches filtered down to theirs.
CREATE INDEX punches_by_volunteer_received ON punches (volunteer_id, received_at);
