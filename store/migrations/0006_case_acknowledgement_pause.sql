-- Issue 14 items 3 and 4: a case version's acknowledgement of receipt, the
-- delay announced to the user, and the time it waited on the user or a
-- third party. Every field is optional: rows stored before read as not
-- acknowledged, no delay announced (NULL, which is not 0) and never
-- paused. case_completions carries them too, since the case indicators
-- read it (the values of each entry's version). One column per statement:
-- the migrator skips a column that exists, so a migration stopped halfway
-- is applied again (18.16 has no ADD COLUMN IF NOT EXISTS).
ALTER TABLE cases ADD COLUMN acknowledged_at Nullable(DateTime('UTC'));
ALTER TABLE cases ADD COLUMN acknowledged_date Nullable(Date);
ALTER TABLE cases ADD COLUMN announced_days Nullable(UInt32);
ALTER TABLE cases ADD COLUMN paused_seconds UInt32 DEFAULT 0;
ALTER TABLE case_completions ADD COLUMN acknowledged_at Nullable(DateTime('UTC'));
ALTER TABLE case_completions ADD COLUMN acknowledged_date Nullable(Date);
ALTER TABLE case_completions ADD COLUMN announced_days Nullable(UInt32);
ALTER TABLE case_completions ADD COLUMN paused_seconds UInt32 DEFAULT 0;
