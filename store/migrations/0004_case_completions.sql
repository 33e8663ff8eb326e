-- Case completions, partitioned by the local month of completion, so that
-- a period's case indicators read that period's partitions only instead
-- of every case version with FINAL (cases are partitioned by a hash of the
-- id, since any of a case's dates may move between versions).
--
-- Written at ingest, before the versions themselves (store.InsertCases):
-- the newest version of a case in each batch adds a 'completion' entry in
-- the month it was completed in, and a 'superseded' entry, with its own
-- updated_at, in every other month where an older version of the case was
-- completed. The highest version of a (source, id) wins: 2 × updated_at,
-- plus 1 for a completion. FINAL collapses a case across every partition
-- it reads (not only within one), so a later version that reopens a case
-- or moves its completion takes the old completion back out, and of one
-- version, its completion wins over its superseded entries. A superseded
-- entry carries the first day of its month as completion date, to place
-- it.
--
-- Open cases are placed in partition 197001 (completion date 1970-01-01,
-- a month no period reaches): the newest version of a case that is open
-- adds an 'open' entry there, versioned like a completion, and a later
-- version takes it out with a superseded entry there. The backlog at a
-- date D is then the 'open' entries received by D plus the completions
-- after D of cases received by D: partition 197001 and the months after
-- D. Superseded entries pile up in 197001 (every case is open once):
-- store.Compact deletes those already merged over.
--
-- `globaloffice rebuild` (store.RebuildCaseCompletions) builds the table
-- again from the cases table; migration 0004 runs it once on a database
-- that already holds cases.
CREATE TABLE IF NOT EXISTS case_completions (
    source LowCardinality(String),
    id String,
    site LowCardinality(String),
    kind LowCardinality(String),
    channel LowCardinality(String),
    received_at DateTime('UTC'),
    received_date Date,
    completed_at DateTime('UTC'),
    completed_date Date,
    status Enum8('open' = 1, 'completed' = 2, 'cancelled' = 3),
    user_ref String,
    updated_at DateTime('UTC'),
    entry Enum8('completion' = 1, 'superseded' = 2, 'open' = 3),
    version UInt64,
    ingested_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(completed_date)
ORDER BY (source, id);
