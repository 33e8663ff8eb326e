package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
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
	for start, end := 0, 0; start < len(ids); start = end {
		end = lookupEnd(ids, start)
		if err := db.existingKeys(ctx, q, source, ids[start:end], out); err != nil {
			return nil, fmt.Errorf("existing %s keys: %w", table, err)
		}
	}
	return out, nil
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

// existingKeys runs q for one chunk of ids and adds what it finds to out.
func (db *DB) existingKeys(ctx context.Context, q, source string, ids []string, out map[string]time.Time) error {
	set := make([]any, len(ids))
	for i, id := range ids {
		set[i] = id
	}
	rows, err := db.conn.Query(ctx, q, source, clickhouse.GroupSet{Value: set})
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var v time.Time
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		out[id] = v
	}
	return rows.Err()
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
