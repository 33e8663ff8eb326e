// Package store is globaloffice's ClickHouse. It holds:
//
//   - the connection (Open, EnsureDatabase, DropDatabase), native protocol
//     only, because the HTTP protocol of clickhouse-go fails on ClickHouse
//     18.16; LZ4 except on the loopback (store.go);
//   - every difference between 18.16 and current servers (version.go);
//   - a replicated cluster (Options.Cluster, cluster.go): every DDL ON
//     CLUSTER, the migrations' engines rewritten to their Replicated
//     variants at apply time (ClusterDDL), the inserts whose repeated
//     blocks must be kept (KeepRepeats), the replica a DB was opened on,
//     which MergedParts checks (ErrOtherServer);
//   - the embedded schema migrations and their runner (migrate.go,
//     migrations/), which skips an ADD COLUMN whose column exists, since
//     18.16 has no IF NOT EXISTS there;
//   - the inserts of contacts, cases and survey responses (tables.go), one
//     column spec per table from which the INSERT statement and the column
//     kinds are derived (insert.go), encoded in ClickHouse's native format
//     rather than through clickhouse-go's Append (native.go);
//   - the refused records: InsertRejects, ListRejects (rejects.go);
//   - the parts of Asterisk calls split across exports, open, resolved or
//     closed: InsertPendingParts, PendingParts, ExpiredPendingParts,
//     ListPendingParts (pending.go);
//   - the key lookups the ingest writer dedupes with: ExistingKeys,
//     KeyHashes (keys.go);
//   - case_completions, each case's completion in the partition of its
//     month and each open case in partition 197001 (OpenMonth), written
//     with the versions (InsertCases) and rebuilt from them
//     (RebuildCaseCompletions), with CompletionMonths and EntryMonth for
//     the writer (completions.go); each entry carries its version's
//     acknowledgement, announced delay and paused time (migration 0006),
//     which the case indicators read;
//   - which months of contacts and survey responses are merged into one
//     part, and their merging, and the clearing of the superseded entries
//     of case_completions' open partition (MergedMonths, Compact:
//     parts.go);
//   - row counts (counts.go) and the sites, reference data (sites.go).
//
// The indicator queries are in package indicators, which uses Conn.
package store
