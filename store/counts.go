package store

import (
	"context"
	"fmt"
)

// RowCount is the number of rows of a table (before merges collapse
// replaced versions).
func (db *DB) RowCount(ctx context.Context, table string) (uint64, error) {
	var n uint64
	if !ValidIdentifier(table) {
		return 0, fmt.Errorf("row count: bad table name %q", table)
	}
	if err := db.conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("row count of %s: %w", table, err)
	}
	return n, nil
}

// TableRows counts the rows of the main tables (FINAL: one per record).
func (db *DB) TableRows(ctx context.Context) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, q := range []struct{ name, sql string }{
		{"sites", "SELECT count() FROM sites FINAL"},
		{"contacts", "SELECT count() FROM contacts FINAL"},
		{"cases", "SELECT count() FROM cases FINAL"},
		{"survey_responses", "SELECT count() FROM survey_responses FINAL"},
		{"targets", "SELECT count() FROM targets"},
		{"ingest_rejects", "SELECT count() FROM ingest_rejects"},
	} {
		var n uint64
		if err := db.conn.QueryRow(ctx, q.sql).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", q.name, err)
		}
		out[q.name] = n
	}
	return out, nil
}
