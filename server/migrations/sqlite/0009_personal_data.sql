-- Personal data under PIPL: server-made request ids in the audit log,
-- consent recorded per need, anonymisation and erasure marks.

-- The x-request-id the caller sent, if any: kept only to correlate with
-- the caller's own logs. `request_id` is always made by the server.
ALTER TABLE audit_log ADD COLUMN client_request_id TEXT;
CREATE INDEX audit_log_by_time ON audit_log (at);

-- The notice the requester agreed to and when (also inside `data`; these
-- columns outlive the anonymisation of `data`, as the proof of consent).
ALTER TABLE needs ADD COLUMN consent_notice_version TEXT;
ALTER TABLE needs ADD COLUMN consent_at BIGINT;
-- When the personal data of the need was removed (on request or by
-- retention); what stays is listed in docs/security.md.
ALTER TABLE needs ADD COLUMN anonymised_at BIGINT;
CREATE INDEX needs_by_created ON needs (created_at);

UPDATE needs SET
    consent_notice_version = json_extract(data, '$.consent.notice_version'),
    consent_at = CAST(ROUND((julianday(json_extract(data, '$.consent.at')) - 2440587.5) * 86400000) AS INTEGER);

-- When the bytes of an attachment were erased (retention or request):
-- the hash and type stay, `data` is emptied.
ALTER TABLE attachments ADD COLUMN erased_at BIGINT;
-- The retention job finds old files by this index, without reading the
-- files themselves.
CREATE INDEX attachments_by_created ON attachments (created_at);
