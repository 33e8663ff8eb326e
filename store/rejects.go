package store

import (
	"context"
	"fmt"
	"time"
)

// Reject is a refused record kept for operators.
type Reject struct {
	RejectedAt time.Time
	Kind       string // contacts, cases, surveys
	Source     string
	Origin     string // file name or request id
	Line       uint32 // line, or 1-based position in a JSON array
	Field      string
	Reason     string
	Raw        string
}

// InsertRejects writes rejects as one insert. Rejects are few and rare, so
// they take clickhouse-go's Append rather than the native encoder.
func (db *DB) InsertRejects(ctx context.Context, rows []Reject) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(db.KeepRepeats(ctx), `INSERT INTO ingest_rejects (rejected_at, kind, source, origin, line, field, reason, raw)`)
	if err != nil {
		return fmt.Errorf("insert rejects: %w", err)
	}
	for _, r := range rows {
		if err := b.Append(r.RejectedAt, r.Kind, r.Source, r.Origin, r.Line, r.Field, r.Reason, r.Raw); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert rejects: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert rejects: %w", err)
	}
	return nil
}

// RejectFilter narrows ListRejects.
type RejectFilter struct {
	Kind   string
	Source string
	// OriginPrefix keeps the rejects whose origin starts with it (a
	// collector token's rejects: their origin starts with its id).
	OriginPrefix string
	Since        time.Time
	Limit        int // 1 to 10,000; anything else means 100
}

// ListRejects returns the newest rejects first.
func (db *DB) ListRejects(ctx context.Context, f RejectFilter) ([]Reject, error) {
	q, args := rejectsQuery(f)
	rows, err := db.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list rejects: %w", err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.RejectedAt, &r.Kind, &r.Source, &r.Origin, &r.Line, &r.Field, &r.Reason, &r.Raw); err != nil {
			return nil, fmt.Errorf("list rejects: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rejects: %w", err)
	}
	return out, nil
}

// rejectsQuery is ListRejects' query and its arguments.
func rejectsQuery(f RejectFilter) (string, []any) {
	q := `SELECT rejected_at, toString(kind), source, origin, line, field, reason, raw FROM ingest_rejects WHERE rejected_at >= ?`
	args := []any{f.Since.UTC()}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Source != "" {
		q += ` AND source = ?`
		args = append(args, f.Source)
	}
	if f.OriginPrefix != "" {
		q += ` AND startsWith(origin, ?)`
		args = append(args, f.OriginPrefix)
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 100
	}
	return q + fmt.Sprintf(` ORDER BY rejected_at DESC, origin, line LIMIT %d`, f.Limit), args
}

// PurgeRejects deletes the rejects refused before before: their raw text
// may hold personal data, kept only as long as operators need it. ClickHouse
// 18.16 has no TTL, so the server calls this on a schedule. The delete is a
// mutation, asynchronous: it returns the rows it asked to delete, once the
// mutation is issued (none is issued when there is nothing to delete).
func (db *DB) PurgeRejects(ctx context.Context, before time.Time) (uint64, error) {
	cutoff := fmt.Sprintf("toDateTime('%s', 'UTC')", before.UTC().Format("2006-01-02 15:04:05"))
	var n uint64
	if err := db.conn.QueryRow(ctx, "SELECT toUInt64(count()) FROM ingest_rejects WHERE rejected_at < "+cutoff).Scan(&n); err != nil {
		return 0, fmt.Errorf("purge rejects: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := db.conn.Exec(ctx, "ALTER TABLE ingest_rejects DELETE WHERE rejected_at < "+cutoff); err != nil {
		return 0, fmt.Errorf("purge rejects: %w", err)
	}
	return n, nil
}
