-- Parts of Asterisk calls whose events are split across exports (issue
-- 14, item 10): a queue_log rotated daily, or exported while calls were in
-- progress, holds the first events of a call in one file and its end in the
-- next. Each part a body brings is kept here, keyed by (source, callid,
-- part), part being a hash of its lines, so that the same file sent twice
-- is one row; its lines are the raw queue_log lines with the caller id
-- already pseudonymised (the raw identifier is never stored).
--
-- A call is resolved when its parts together make a whole call (its
-- contact is then stored), or closed, as not answered and with a reason,
-- when its first part has waited longer than ingest.pending_call_timeout.
-- The version puts the state in its high 32 bits, so a resolved or closed
-- row always wins over an open one sent again later (states never go
-- back), and the time a part was first received in its low bits, inverted,
-- so that among open copies of one part the first receipt is kept: the
-- timeout counts from it.
CREATE TABLE IF NOT EXISTS pending_calls (
    source String,
    callid String,
    part UInt64,
    lines String,
    mapping String,
    origin String,
    received_at DateTime('UTC'),
    state Enum8('open' = 0, 'resolved' = 1, 'closed' = 2),
    reason String,
    closed_at DateTime('UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (source, callid, part);
