package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The states of a part of a pending call (pending_calls.state).
const (
	PartOpen     = "open"     // waiting for the rest of its call
	PartResolved = "resolved" // its call was whole: its contact is stored
	PartClosed   = "closed"   // its call waited too long: closed as not answered
)

// PendingPart is one part of a call whose events are split across
// exports: the lines of the call one body brought (see migration 0009).
type PendingPart struct {
	Source, CallID string
	Part           uint64 // hash of Lines: the same part sent twice is one row
	Lines          string // queue_log lines, caller id pseudonymised
	Mapping        string // the mapping the body was sent with, for closing
	Origin         string
	ReceivedAt     time.Time
	State          string
	Reason         string    // why a closed call was closed
	ClosedAt       time.Time // when it was resolved or closed
}

// partVersion is the row's version: the state first, then the earliest
// receipt (inverted), so that a state never goes back and an open part
// sent again keeps its first receipt.
func partVersion(p PendingPart) uint64 {
	var state uint64
	switch p.State {
	case PartResolved:
		state = 1
	case PartClosed:
		state = 2
	}
	sec := p.ReceivedAt.Unix()
	if sec < 0 {
		sec = 0
	}
	return state<<32 | uint64(math.MaxUint32-uint32(min(sec, math.MaxUint32)))
}

// InsertPendingParts writes parts, new ones or the same ones in a new
// state, as one insert.
func (db *DB) InsertPendingParts(ctx context.Context, parts []PendingPart) error {
	if len(parts) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO pending_calls (source, callid, part, lines, mapping, origin, received_at, state, reason, closed_at, version)`)
	if err != nil {
		return fmt.Errorf("insert pending calls: %w", err)
	}
	for _, p := range parts {
		state := p.State
		if state == "" {
			state = PartOpen
		}
		p.State = state
		if err := b.Append(p.Source, p.CallID, p.Part, p.Lines, p.Mapping, p.Origin, p.ReceivedAt.UTC(), state, p.Reason, p.ClosedAt.UTC(), partVersion(p)); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert pending calls: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert pending calls: %w", err)
	}
	return nil
}

const partColumns = `source, callid, part, lines, mapping, origin, received_at, toString(state), reason, closed_at`

func scanPart(rows driver.Rows) (PendingPart, error) {
	var p PendingPart
	err := rows.Scan(&p.Source, &p.CallID, &p.Part, &p.Lines, &p.Mapping, &p.Origin, &p.ReceivedAt, &p.State, &p.Reason, &p.ClosedAt)
	return p, err
}

func scanParts(rows driver.Rows) ([]PendingPart, error) {
	defer rows.Close()
	var out []PendingPart
	for rows.Next() {
		p, err := scanPart(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PendingParts returns every part, in any state, of the given calls of one
// source, in the order received.
func (db *DB) PendingParts(ctx context.Context, source string, callids []string) ([]PendingPart, error) {
	var out []PendingPart
	q := `SELECT ` + partColumns + ` FROM pending_calls FINAL WHERE source = ? AND callid IN ? ORDER BY callid, received_at, part`
	err := db.lookupIDs(ctx, q, source, callids, func(rows driver.Rows) error {
		p, err := scanPart(rows)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending calls of %s: %w", source, err)
	}
	return out, nil
}

// ExpiredPendingParts returns the parts of at most limit calls (of source,
// or of every source when empty) all of whose parts are open and whose
// first part was received before before: the calls to close.
func (db *DB) ExpiredPendingParts(ctx context.Context, source string, before time.Time, limit int) ([]PendingPart, error) {
	where, args := "", []any{}
	if source != "" {
		where, args = "WHERE source = ?", append(args, source)
	}
	args = append(args, before.UTC())
	// The calls first, grouped: one row per call, then their parts (the
	// part lists are small; a tuple IN on 18.16 is avoided).
	q := fmt.Sprintf(`SELECT source, callid FROM pending_calls FINAL %s GROUP BY source, callid
		HAVING max(version) < 4294967296 AND min(received_at) < ? ORDER BY min(received_at), source, callid LIMIT %d`, where, max(limit, 1))
	rows, err := db.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("expired pending calls: %w", err)
	}
	calls := map[string][]string{}
	var sources []string
	for rows.Next() {
		var s, c string
		if err := rows.Scan(&s, &c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("expired pending calls: %w", err)
		}
		if calls[s] == nil {
			sources = append(sources, s)
		}
		calls[s] = append(calls[s], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expired pending calls: %w", err)
	}
	var out []PendingPart
	for _, s := range sources {
		parts, err := db.PendingParts(ctx, s, calls[s])
		if err != nil {
			return nil, err
		}
		out = append(out, parts...)
	}
	return out, nil
}

// PendingFilter narrows ListPendingParts.
type PendingFilter struct {
	Source string
	State  string // open, resolved, closed; "" for all
	Limit  int    // 1 to 10,000; anything else means 100
}

// ListPendingParts returns parts, the newest first.
func (db *DB) ListPendingParts(ctx context.Context, f PendingFilter) ([]PendingPart, error) {
	q := `SELECT ` + partColumns + ` FROM pending_calls FINAL WHERE 1`
	var args []any
	if f.Source != "" {
		q += ` AND source = ?`
		args = append(args, f.Source)
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 100
	}
	rows, err := db.conn.Query(ctx, q+fmt.Sprintf(` ORDER BY received_at DESC, source, callid LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list pending calls: %w", err)
	}
	out, err := scanParts(rows)
	if err != nil {
		return nil, fmt.Errorf("list pending calls: %w", err)
	}
	return out, nil
}

// OpenPendingCalls counts the calls waiting for their other part.
func (db *DB) OpenPendingCalls(ctx context.Context) (uint64, error) {
	var n uint64
	if err := db.conn.QueryRow(ctx, `SELECT toUInt64(uniqExact(source, callid)) FROM pending_calls FINAL WHERE state = 'open'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending calls: %w", err)
	}
	return n, nil
}
