-- Lookups that every grab, offer, filing or warning makes, by index
-- instead of through rows that grow with the district.

-- A volunteer's punches received since a time (what deciding whether they
-- may take orders reads, at every grab and offer): through their own rows,
-- not every volunteer's recent punches filtered down to theirs.
CREATE INDEX punches_by_volunteer_received ON punches (volunteer_id, received_at);

-- The resident whose verified mobile a need names (read at every filing,
-- to link the rating request): not a scan of every account.
CREATE INDEX accounts_by_phone ON accounts (phone);

-- The staff of a street, or the district admins (told of every warning).
CREATE INDEX accounts_by_role_street ON accounts (role, street_code);
