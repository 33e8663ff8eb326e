package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The ingest writer drops duplicates by their key (source, id): it asks
// which keys of a batch are stored already (ExistingKeys), and it fills its
// key filter from the hashes of every stored key (KeyHashes).

// lookupChunk bounds the ids in one IN list, and lookupBytes their quoted
// size, so that the query stays under max_query_size (256 KiB): long ids
// (4,000 of 64 characters) would exceed it.
const (
	lookupChunk = 4000
	lookupBytes = 200_000
)

// ExistingKeys returns, for the given ids of one source, the ones already
// stored in table (contacts, cases or survey_responses) mapped to their
// newest version (updated_at for cases, zero time otherwise).
func (db *DB) ExistingKeys(ctx context.Context, table, source string, ids []string) (map[string]time.Time, error) {
	var version string
	switch table {
	case "contacts", "survey_responses":
		version = "toDateTime(0, 'UTC')"
	case "cases":
		version = "max(updated_at)"
	default:
		return nil, fmt.Errorf("existing keys: unknown table %q", table)
	}
	q := fmt.Sprintf(`SELECT id, %s FROM %s WHERE source = ? AND id IN ? GROUP BY id`, version, table)
	out := make(map[string]time.Time)
	err := db.lookupIDs(ctx, q, source, ids, func(rows driver.Rows) error {
		var id string
		var v time.Time
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		out[id] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("existing %s keys: %w", table, err)
	}
	return out, nil
}

// lookupIDs runs q, whose arguments are a source and a set of ids
// (`source = ? AND id IN ?`), over ids in chunks (see lookupEnd), and
// scans each row with scan.
func (db *DB) lookupIDs(ctx context.Context, q, source string, ids []string, scan func(driver.Rows) error) error {
	for start, end := 0, 0; start < len(ids); start = end {
		end = lookupEnd(ids, start)
		set := make([]any, end-start)
		for i, id := range ids[start:end] {
			set[i] = id
		}
		rows, err := db.conn.Query(ctx, q, source, clickhouse.GroupSet{Value: set})
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// lookupEnd is the end of the chunk of ids that starts at start: at most
// lookupChunk ids and lookupBytes of quoted text, but at least one id.
func lookupEnd(ids []string, start int) int {
	end := start
	// Quoting escapes at most every byte: 2 bytes each, quotes and ", ".
	for size := 0; end < len(ids) && end-start < lookupChunk; end++ {
		size += 2*len(ids[end]) + 4
		if size > lookupBytes && end > start {
			break
		}
	}
	return end
}

// KeyHashes streams cityHash64(source || 0x00 || id) of every row of table
// (contacts, cases or survey_responses) and returns how many there were.
func (db *DB) KeyHashes(ctx context.Context, table string, fn func(uint64)) (int, error) {
	switch table {
	case "contacts", "cases", "survey_responses":
	default:
		return 0, fmt.Errorf("key hashes: unknown table %q", table)
	}
	rows, err := db.conn.Query(ctx, fmt.Sprintf(`SELECT cityHash64(concat(toString(source), '\0', id)) FROM %s`, table))
	if err != nil {
		return 0, fmt.Errorf("key hashes of %s: %w", table, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var h uint64
		if err := rows.Scan(&h); err != nil {
			return n, fmt.Errorf("key hashes of %s: %w", table, err)
		}
		fn(h)
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("key hashes of %s: %w", table, err)
	}
	return n, nil
}
