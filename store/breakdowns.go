package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// breakdownColumns are the fields results may be broken down by, and the
// tables (with their date column; "" for all rows) that carry each.
var breakdownColumns = map[string]map[string]string{
	"segment": {"contacts": "arrived_date", "cases": ""},
	"motive":  {"contacts": "arrived_date"},
}

// DistinctValues lists the non-empty values of field (segment or motive)
// in the given sources (contacts: those that arrived from from to to, local
// dates; cases: all, a case's segment being its user's whatever its dates),
// sorted.
func (db *DB) DistinctValues(ctx context.Context, field string, sources []string, from, to time.Time) ([]string, error) {
	tables, ok := breakdownColumns[field]
	if !ok {
		return nil, fmt.Errorf("distinct values: unknown field %q", field)
	}
	seen := map[string]bool{}
	for _, src := range sources {
		dateCol, ok := tables[src]
		if !ok {
			return nil, fmt.Errorf("distinct values: %s has no field %q", src, field)
		}
		// The field and table come from the fixed lists above.
		q := `SELECT DISTINCT toString(` + field + `) FROM ` + src + ` WHERE ` + field + ` != ''`
		var args []any
		if dateCol != "" {
			q += ` AND ` + dateCol + ` >= toDate(?) AND ` + dateCol + ` <= toDate(?)`
			args = append(args, from.Format(time.DateOnly), to.Format(time.DateOnly))
		}
		rows, err := db.conn.Query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("distinct %s of %s: %w", field, src, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("distinct %s of %s: %w", field, src, err)
			}
			seen[v] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("distinct %s of %s: %w", field, src, err)
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out, nil
}
