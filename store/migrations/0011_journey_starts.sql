-- Journey starts (issue 13): the journey measures follow a case to the
-- contact that opened it (origin_contact_id) and to its user's earlier
-- contacts on the motive, which are anywhere in the history of contacts.
-- A background pass (indicators.ResolveJourneyStarts, run by the server
-- after each compaction and by `globaloffice rebuild`) resolves each
-- opening contact named by a month's completed cases once and keeps it
-- here, in the partition of the cases' completion month: found (whether a
-- contact of that id was stored), opened_day (its arrival, a day number),
-- first_day (the user's first contact on its motive in the 30 days before
-- it, a day number, 0 for none), channels (the distinct channels of those
-- contacts) and um (its user and motive, for the staleness check). seen is the pass's
-- watermark: every contact ingested at or before it had been read. Each
-- pass writes a month's rows together with a marker row (oc = '') in one
-- insert, so that a month's newest seen is the moment as of which all its
-- rows are exact; the indicator engine reads a row only if no contact
-- ingested after that moment has its id or its user and motive, and
-- computes the others from the contacts as before. The newest row of an
-- opening contact wins (seen).
CREATE TABLE IF NOT EXISTS journey_starts (
    month UInt32,
    oc String,
    found UInt8,
    opened_day Int64,
    first_day Int64,
    channels UInt64,
    um String,
    seen DateTime('UTC')
) ENGINE = ReplacingMergeTree(seen)
PARTITION BY month
ORDER BY oc;
