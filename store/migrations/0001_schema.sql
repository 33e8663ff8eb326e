-- The first schema: reference sites, the three raw event tables, targets and
-- ingest rejects. Only types and engines that ClickHouse 18.16 has (see
-- shared CLICKHOUSE.md): DateTime with seconds, Enum8 for closed lists,
-- LowCardinality(String) for configured lists, no TTL, CODEC or skip index.
-- Every statement is idempotent. Each event table carries the civil date of
-- its event in the site's time zone (arrived_date, received_date,
-- completed_date, answered_date), computed at ingest: 18.16 takes only a
-- constant time zone in toDate(t, tz), and periods are cut in each site's
-- local time; contacts and survey responses are partitioned by that local
-- month.

-- Sites are reference data; a re-import of a site replaces it (latest
-- updated_at wins, read with FINAL).
CREATE TABLE IF NOT EXISTS sites (
    id String,
    name String,
    kind LowCardinality(String),
    region LowCardinality(String),
    department LowCardinality(String),
    zone Enum8('metropole' = 1, 'alsace_moselle' = 2, 'guadeloupe' = 3, 'martinique' = 4, 'guyane' = 5, 'reunion' = 6, 'mayotte' = 7),
    timezone LowCardinality(String),
    updated_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id;

-- Front-office contacts. The key is (source, id): the sorting key is the
-- identity so that a retried insert collapses on merge and under FINAL.
CREATE TABLE IF NOT EXISTS contacts (
    source LowCardinality(String),
    id String,
    site LowCardinality(String),
    channel LowCardinality(String),
    arrived_at DateTime('UTC'),
    arrived_date Date,
    answered_at Nullable(DateTime('UTC')),
    ended_at Nullable(DateTime('UTC')),
    outcome Enum8('served' = 1, 'abandoned' = 2, 'no_show' = 3, 'redirected' = 4, 'overflow' = 5),
    motive LowCardinality(String),
    user_ref String,
    team LowCardinality(String),
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(arrived_date)
ORDER BY (source, id);

-- Back-office cases: the newest updated_at of a (source, id) wins. Versions
-- of one case must share a partition for FINAL to collapse them, and any of
-- a case's dates may change from one version to the next, so the partition
-- is a hash of the id (16 partitions), not a month.
CREATE TABLE IF NOT EXISTS cases (
    source LowCardinality(String),
    id String,
    site LowCardinality(String),
    kind LowCardinality(String),
    channel LowCardinality(String),
    received_at DateTime('UTC'),
    received_date Date,
    completed_at Nullable(DateTime('UTC')),
    completed_date Nullable(Date),
    status Enum8('open' = 1, 'completed' = 2, 'cancelled' = 3),
    user_ref String,
    updated_at DateTime('UTC'),
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY cityHash64(id) % 16
ORDER BY (source, id);

-- Survey responses: one row per response, its scores as two parallel arrays
-- (dimension names and values), so that the response keeps one identity for
-- dedup and its comment is stored once.
CREATE TABLE IF NOT EXISTS survey_responses (
    source LowCardinality(String),
    id String,
    site LowCardinality(String),
    channel LowCardinality(String),
    survey LowCardinality(String),
    mode Enum8('email' = 1, 'sms' = 2, 'kiosk' = 3, 'web' = 4, 'phone' = 5, 'mystery_shopper' = 6),
    answered_at DateTime('UTC'),
    answered_date Date,
    contact_id String,
    scale Enum8('1-4' = 1, '1-5' = 2, '0-10' = 3),
    dimensions Array(String),
    scores Array(UInt8),
    comment String,
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(answered_date)
ORDER BY (source, id);

-- Targets keep their history: every change is a new row, the current value
-- is the one with the latest set_at.
CREATE TABLE IF NOT EXISTS targets (
    indicator LowCardinality(String),
    scope Enum8('site' = 1, 'department' = 2, 'region' = 3, 'national' = 4),
    scope_id String,
    year UInt16,
    target Float64,
    set_by String,
    set_at DateTime('UTC')
) ENGINE = MergeTree
ORDER BY (indicator, scope, scope_id, year, set_at);

-- Records the collectors refused, with their raw text, for operators.
CREATE TABLE IF NOT EXISTS ingest_rejects (
    rejected_at DateTime('UTC'),
    kind Enum8('contacts' = 1, 'cases' = 2, 'surveys' = 3),
    source LowCardinality(String),
    origin String,
    line UInt32,
    field String,
    reason String,
    raw String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(rejected_at)
ORDER BY (rejected_at, kind);
