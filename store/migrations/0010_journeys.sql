-- The global office (issue 16): links between the front office and the
-- back office, and the user's coarse segment. A contact may name the case
-- it is about (case_id: a user chasing their file), a case the contact
-- that opened it (origin_contact_id); both may carry a segment from the
-- configured list. Rows written before read '' (no link, no segment).
-- case_completions carries them so that journeys and segments read only
-- the period's months. One column per statement (the migrator skips a
-- column that exists).
ALTER TABLE contacts ADD COLUMN case_id String DEFAULT '';
ALTER TABLE contacts ADD COLUMN segment LowCardinality(String) DEFAULT '';
ALTER TABLE cases ADD COLUMN origin_contact_id String DEFAULT '';
ALTER TABLE cases ADD COLUMN segment LowCardinality(String) DEFAULT '';
ALTER TABLE case_completions ADD COLUMN origin_contact_id String DEFAULT '';
ALTER TABLE case_completions ADD COLUMN segment LowCardinality(String) DEFAULT '';
