-- Mixed scales in one questionnaire (issue 14): each score keeps its own
-- scale, parallel to dimensions and scores; the responses stored before
-- read the response's scale for every score (the DEFAULT, computed on
-- read for old parts). Closed satisfaction results keep the respondents
-- counted and the distribution of answers per level, as parallel arrays
-- (scale, level, count); revisions closed before have none (respondents
-- NULL, empty arrays). One column per statement: the migrator skips a
-- column that exists, so a migration stopped halfway is applied again.
ALTER TABLE survey_responses ADD COLUMN scales Array(Enum8('1-4' = 1, '1-5' = 2, '0-10' = 3)) DEFAULT arrayMap(d -> scale, dimensions);
ALTER TABLE results ADD COLUMN respondents Nullable(UInt64);
ALTER TABLE results ADD COLUMN distribution_scale Array(String);
ALTER TABLE results ADD COLUMN distribution_level Array(Int8);
ALTER TABLE results ADD COLUMN distribution_count Array(UInt64);
