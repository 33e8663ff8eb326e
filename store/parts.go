package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Months of contacts and survey responses merged into one part need no
// FINAL to be read (see indicators.Compiler.CompileMerged): a merge of a
// ReplacingMergeTree keeps one row per key, while a part written by an
// insert and never merged may hold a key twice (a load that bypassed the
// collectors' dedupe, say). Compact merges the months that are no longer
// written to.

// monthTables are the tables partitioned by toYYYYMM of a local date whose
// records never get a second version.
var monthTables = map[string]bool{"contacts": true, "survey_responses": true}

// MergedMonths returns the months (toYYYYMM) of table (contacts,
// survey_responses or case_completions) that hold rows, true for those
// whose rows are all in a single merged part: no two of them share a key.
func (db *DB) MergedMonths(ctx context.Context, table string) (map[int]bool, error) {
	parts, err := db.MergedParts(ctx, table)
	if err != nil {
		return nil, err
	}
	out := make(map[int]bool, len(parts))
	for m, name := range parts {
		out[m] = name != ""
	}
	return out, nil
}

// MergedParts returns the months of table that hold rows, each with the
// name of its part when all its rows are in a single merged part ("" when
// not): a query reads such a month from that part alone.
func (db *DB) MergedParts(ctx context.Context, table string) (map[int]string, error) {
	if !monthTables[table] && table != "case_completions" {
		return nil, fmt.Errorf("merged months: %s is not partitioned by month", table)
	}
	// On a cluster the answering server is read in the same query: a part
	// name is only good on the replica that listed it (another may not have
	// fetched or merged it yet, and would read nothing there), and the
	// queries that use it run on this DB's server.
	server := `''`
	if db.cluster != "" {
		server = serverSQL
	}
	rows, err := db.conn.Query(ctx, `SELECT partition, toUInt64(count()), toUInt32(min(level)), any(name), `+server+`
  FROM system.parts WHERE database = currentDatabase() AND table = ? AND active GROUP BY partition`, table)
	if err != nil {
		return nil, fmt.Errorf("merged months of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var partition, name, answered string
		var parts uint64
		var level uint32
		if err := rows.Scan(&partition, &parts, &level, &name, &answered); err != nil {
			return nil, fmt.Errorf("merged months of %s: %w", table, err)
		}
		if answered != db.server {
			return nil, fmt.Errorf("merged months of %s: opened on %s, answered by %s: %w", table, db.server, answered, ErrOtherServer)
		}
		m, err := strconv.Atoi(partition)
		if err != nil {
			continue // not a month
		}
		if parts == 1 && level > 0 {
			out[m] = name
		} else {
			out[m] = ""
		}
	}
	return out, rows.Err()
}

// Compact merges into one part each month of table (contacts or
// survey_responses) not written to for settle and not merged yet
// (OPTIMIZE … PARTITION … FINAL), and returns the months merged. Merging
// a month rewrites it: a month's worth of rows takes about a second. For
// case_completions it clears the open cases' partition instead (see
// compactOpen), and returns OpenMonth when it did.
func (db *DB) Compact(ctx context.Context, table string, settle time.Duration) ([]int, error) {
	if table == "case_completions" {
		open, err := db.compactOpen(ctx, settle)
		if err != nil {
			return open, err
		}
		months, err := db.compactMonths(ctx, table, settle)
		return append(open, months...), err
	}
	if !monthTables[table] {
		return nil, fmt.Errorf("compact: %s is not partitioned by month nor case_completions", table)
	}
	return db.compactMonths(ctx, table, settle)
}

// compactMonths merges the settled months of table not merged yet.
func (db *DB) compactMonths(ctx context.Context, table string, settle time.Duration) ([]int, error) {
	rows, err := db.conn.Query(ctx, `SELECT partition FROM system.parts
  WHERE database = currentDatabase() AND table = ? AND active
  GROUP BY partition
  HAVING (count() > 1 OR min(level) = 0) AND max(modification_time) <= now() - ?
  ORDER BY partition`, table, uint32(settle.Seconds()))
	if err != nil {
		return nil, fmt.Errorf("compact %s: %w", table, err)
	}
	var months []int
	for rows.Next() {
		var partition string
		if err := rows.Scan(&partition); err != nil {
			rows.Close()
			return nil, fmt.Errorf("compact %s: %w", table, err)
		}
		if m, err := strconv.Atoi(partition); err == nil {
			months = append(months, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compact %s: %w", table, err)
	}
	var done []int
	for _, m := range months {
		if err := db.optimize(ctx, table, m); err != nil {
			return done, fmt.Errorf("compact %s month %d: %w", table, m, err)
		}
		done = append(done, m)
	}
	return done, nil
}

// compactOpen clears the superseded entries of case_completions' open
// partition (OpenMonth): every case is open once, so every case that has
// been closed leaves one there, and the backlog reads that partition
// whole. A superseded entry is only needed while an older entry of its
// case remains in the partition (it hides it from FINAL); once a merge has
// collapsed the case's rows into it, it may go. So: OPTIMIZE the partition
// FINAL (one row per case: the newest), then delete the superseded
// entries ingested before the start less settle. That margin, longer than
// an insert takes (ingest's insert timeout, a minute by default; serve and
// rebuild pass 15 minutes), makes every entry the delete may touch one
// that was stored before the OPTIMIZE began, hence merged. An OPTIMIZE
// may also do nothing (a merge of the same parts under way): before the
// delete, a check finds any such superseded entry with an older entry of
// its case still beside it, and then deletes nothing this time (the next
// run merges again). What no check covers is an older version's entry
// written after the check: ingest drops a version older than the stored
// one, so only two processes writing the same case at the same second
// (the limit stated in the README) could, and a rebuild repairs it. The
// delete is a mutation (18.16 has no lightweight delete), waited for in
// system.mutations.
func (db *DB) compactOpen(ctx context.Context, settle time.Duration) ([]int, error) {
	var start time.Time
	if err := db.conn.QueryRow(ctx, `SELECT now()`).Scan(&start); err != nil {
		return nil, fmt.Errorf("compact open cases: %w", err)
	}
	cutoff := start.Add(-settle).UTC()
	const open = `completed_date = toDate(0)`
	const old = open + ` AND entry = 'superseded' AND ingested_at < ?`
	var n uint64
	if err := db.conn.QueryRow(ctx, `SELECT toUInt64(count()) FROM case_completions WHERE `+old, cutoff).Scan(&n); err != nil {
		return nil, fmt.Errorf("compact open cases: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	if err := db.optimize(ctx, "case_completions", OpenMonth); err != nil {
		return nil, fmt.Errorf("compact open cases: %w", err)
	}
	var unsafe uint64
	if err := db.conn.QueryRow(ctx, `SELECT toUInt64(count()) FROM (
  SELECT max(if(entry = 'superseded' AND ingested_at < ?, version, 0)) AS sv, min(version) AS mv
  FROM case_completions WHERE `+open+` GROUP BY source, id)
  WHERE sv > 0 AND mv < sv`, cutoff).Scan(&unsafe); err != nil {
		return nil, fmt.Errorf("compact open cases: check: %w", err)
	}
	if unsafe > 0 {
		return nil, nil // not merged over yet: the next run merges again
	}
	if err := db.conn.Exec(ctx, `ALTER TABLE case_completions DELETE WHERE `+old, cutoff); err != nil {
		return nil, fmt.Errorf("compact open cases: delete: %w", err)
	}
	if err := db.waitMutations(ctx, "case_completions"); err != nil {
		return nil, fmt.Errorf("compact open cases: %w", err)
	}
	return []int{OpenMonth}, nil
}

// waitMutations waits until table has no mutation under way.
func (db *DB) waitMutations(ctx context.Context, table string) error {
	for {
		var n uint64
		if err := db.conn.QueryRow(ctx, `SELECT toUInt64(count()) FROM system.mutations WHERE database = currentDatabase() AND table = ? AND is_done = 0`, table).Scan(&n); err != nil {
			return fmt.Errorf("mutations of %s: %w", table, err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mutations of %s: %w", table, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// optimize merges a partition of table into one part (OPTIMIZE … FINAL).
// On a replicated table, ClickHouse 18.16 makes OPTIMIZE wait until every
// replica has merged, forever when one is down
// (replication_alter_partitions_sync 1 and 2 alike): there it is asked not
// to wait, and this replica's merge is waited for instead, while its queue
// holds it, within mergeWait. As on a single server, OPTIMIZE may merge
// nothing (a merge of some of the parts under way): the next compaction
// does. Nothing relies on it (compactOpen checks the merge before it
// deletes).
func (db *DB) optimize(ctx context.Context, table string, partition int) error {
	// The partition is a number: no quoting (a toYYYYMM key refuses a string).
	q := fmt.Sprintf("OPTIMIZE TABLE %s PARTITION %d FINAL", table, partition)
	if db.cluster == "" {
		return db.conn.Exec(ctx, q)
	}
	if err := db.conn.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"replication_alter_partitions_sync": 0})), q); err != nil {
		return err
	}
	start := time.Now()
	for {
		// The merge is this replica's once its queue holds it: a second
		// covers the fetch of the leader's log entry.
		var parts, queued uint64
		var level uint32
		if err := db.conn.QueryRow(ctx, `SELECT toUInt64(count()), toUInt32(min(level)),
    (SELECT toUInt64(count()) FROM system.replication_queue WHERE database = currentDatabase() AND table = ? AND type = 'MERGE_PARTS' AND startsWith(new_part_name, ?))
  FROM system.parts WHERE database = currentDatabase() AND table = ? AND partition = ? AND active`,
			table, strconv.Itoa(partition)+"_", table, strconv.Itoa(partition)).Scan(&parts, &level, &queued); err != nil {
			return fmt.Errorf("merge of %s partition %d: %w", table, partition, err)
		}
		waited := time.Since(start)
		if parts <= 1 && level > 0 || queued == 0 && waited > time.Second || waited > mergeWait {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("merge of %s partition %d: %w", table, partition, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// mergeWait bounds the wait for a replica's own merge after OPTIMIZE.
const mergeWait = 30 * time.Second
