package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
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

// MergedMonths returns the months (toYYYYMM) of table (contacts or
// survey_responses) that hold rows, true for those whose rows are all in a
// single merged part: no two of them share a key.
func (db *DB) MergedMonths(ctx context.Context, table string) (map[int]bool, error) {
	if !monthTables[table] {
		return nil, fmt.Errorf("merged months: %s is not partitioned by month", table)
	}
	rows, err := db.conn.Query(ctx, `SELECT partition, toUInt64(count()), toUInt32(min(level))
  FROM system.parts WHERE database = currentDatabase() AND table = ? AND active GROUP BY partition`, table)
	if err != nil {
		return nil, fmt.Errorf("merged months of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var partition string
		var parts uint64
		var level uint32
		if err := rows.Scan(&partition, &parts, &level); err != nil {
			return nil, fmt.Errorf("merged months of %s: %w", table, err)
		}
		m, err := strconv.Atoi(partition)
		if err != nil {
			continue // not a month
		}
		out[m] = parts == 1 && level > 0
	}
	return out, rows.Err()
}

// Compact merges into one part each month of table (contacts or
// survey_responses) not written to for settle and not merged yet
// (OPTIMIZE … PARTITION … FINAL), and returns the months merged. Merging
// a month rewrites it: a month's worth of rows takes about a second.
func (db *DB) Compact(ctx context.Context, table string, settle time.Duration) ([]int, error) {
	if !monthTables[table] {
		return nil, fmt.Errorf("compact: %s is not partitioned by month", table)
	}
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
		// The partition is a number: no quoting (a toYYYYMM key refuses a string).
		if err := db.conn.Exec(ctx, fmt.Sprintf("OPTIMIZE TABLE %s PARTITION %d FINAL", table, m)); err != nil {
			return done, fmt.Errorf("compact %s month %d: %w", table, m, err)
		}
		done = append(done, m)
	}
	return done, nil
}
