-- Closed results keep the definition they were computed with and the
-- spread across sites (issue 14). Revisions closed before read as version
-- 1 from the beginning, no break flagged, and no spread (spread_sites
-- NULL). One column per statement: the migrator skips a column that
-- exists, so a migration stopped halfway is applied again (18.16 has no
-- ADD COLUMN IF NOT EXISTS).
ALTER TABLE results ADD COLUMN version UInt32 DEFAULT 1;
ALTER TABLE results ADD COLUMN version_since Nullable(Date);
ALTER TABLE results ADD COLUMN previous_break UInt8 DEFAULT 0;
ALTER TABLE results ADD COLUMN last_year_break UInt8 DEFAULT 0;
ALTER TABLE results ADD COLUMN spread_sites Nullable(UInt32);
ALTER TABLE results ADD COLUMN spread_min Nullable(Float64);
ALTER TABLE results ADD COLUMN spread_p10 Nullable(Float64);
ALTER TABLE results ADD COLUMN spread_median Nullable(Float64);
ALTER TABLE results ADD COLUMN spread_p90 Nullable(Float64);
ALTER TABLE results ADD COLUMN spread_max Nullable(Float64);
ALTER TABLE results ADD COLUMN spread_missed Nullable(UInt32);
