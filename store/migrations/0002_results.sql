-- Closed periods: the frozen results of each closing, by revision. Closing
-- a period again adds revision n+1 and keeps the earlier ones.
CREATE TABLE IF NOT EXISTS results (
    period String,
    period_from Date,
    period_to Date,
    revision UInt32,
    closed_at DateTime('UTC'),
    closed_by String,
    indicator LowCardinality(String),
    scope Enum8('site' = 1, 'department' = 2, 'region' = 3, 'national' = 4),
    scope_id String,
    unit LowCardinality(String),
    value Nullable(Float64),
    numerator Nullable(Float64),
    denominator Nullable(Float64),
    sample UInt64,
    ci_low Nullable(Float64),
    ci_high Nullable(Float64),
    target Nullable(Float64),
    status Enum8('met' = 1, 'missed' = 2, 'insufficient_data' = 3, 'no_target' = 4),
    previous Nullable(Float64),
    last_year Nullable(Float64),
    required Nullable(Float64)
) ENGINE = MergeTree
ORDER BY (period, revision, indicator, scope, scope_id);
