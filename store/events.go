package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/model"
)

// Inserts go through PrepareBatch with an explicit column list: the only
// insert path that works on 18.16 and current servers alike. Each call is
// one INSERT; callers keep it to at most 100 partitions (months).

// InsertContacts writes contacts as one insert, column by column (a row
// Append costs reflection per value).
func (db *DB) InsertContacts(ctx context.Context, rows []model.Contact, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO contacts (source, id, site, channel, arrived_at, arrived_date, answered_at, ended_at, outcome, motive, user_ref, team, ingested_at)`)
	if err != nil {
		return fmt.Errorf("insert contacts: %w", err)
	}
	n := len(rows)
	source, id, site, channel := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	arrived, arrivedDate, answered, ended := make([]time.Time, n), make([]time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	outcome, motive, user, team := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ingested := make([]time.Time, n)
	for i, r := range rows {
		source[i], id[i], site[i], channel[i] = r.Source, r.ID, r.Site, string(r.Channel)
		arrived[i], arrivedDate[i], answered[i], ended[i] = r.ArrivedAt, r.ArrivedDate, r.AnsweredAt, r.EndedAt
		outcome[i], motive[i], user[i], team[i] = string(r.Outcome), r.Motive, r.UserRef, r.Team
		ingested[i] = ingestedAt
	}
	for i, col := range []any{source, id, site, channel, arrived, arrivedDate, answered, ended, outcome, motive, user, team, ingested} {
		if err := b.Column(i).Append(col); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert contacts: column %d: %w", i+1, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert contacts: %w", err)
	}
	return nil
}

// InsertCases writes case versions as one insert.
func (db *DB) InsertCases(ctx context.Context, rows []model.Case, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO cases (source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, ingested_at)`)
	if err != nil {
		return fmt.Errorf("insert cases: %w", err)
	}
	for _, r := range rows {
		if err := b.Append(r.Source, r.ID, r.Site, string(r.Kind), string(r.Channel), r.ReceivedAt, r.ReceivedDate, r.CompletedAt, r.CompletedDate, string(r.Status), r.UserRef, r.UpdatedAt, ingestedAt); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert cases: %s/%s: %w", r.Source, r.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert cases: %w", err)
	}
	return nil
}

// InsertSurveys writes survey responses as one insert.
func (db *DB) InsertSurveys(ctx context.Context, rows []model.SurveyResponse, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO survey_responses (source, id, site, channel, survey, mode, answered_at, answered_date, contact_id, scale, dimensions, scores, comment, ingested_at)`)
	if err != nil {
		return fmt.Errorf("insert surveys: %w", err)
	}
	for _, r := range rows {
		dims := make([]string, 0, len(r.Scores))
		for d := range r.Scores {
			dims = append(dims, d)
		}
		sort.Strings(dims)
		scores := make([]uint8, len(dims))
		for i, d := range dims {
			scores[i] = uint8(r.Scores[d])
		}
		if err := b.Append(r.Source, r.ID, r.Site, string(r.Channel), r.Survey, string(r.Mode), r.AnsweredAt, r.AnsweredDate, r.ContactID, string(r.Scale), dims, scores, r.Comment, ingestedAt); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert surveys: %s/%s: %w", r.Source, r.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert surveys: %w", err)
	}
	return nil
}

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

// InsertRejects writes rejects as one insert.
func (db *DB) InsertRejects(ctx context.Context, rows []Reject) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := db.conn.PrepareBatch(ctx, `INSERT INTO ingest_rejects (rejected_at, kind, source, origin, line, field, reason, raw)`)
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
	Since  time.Time
	Limit  int
}

// ListRejects returns the newest rejects first.
func (db *DB) ListRejects(ctx context.Context, f RejectFilter) ([]Reject, error) {
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
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 100
	}
	q += fmt.Sprintf(` ORDER BY rejected_at DESC, origin, line LIMIT %d`, f.Limit)
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
	return out, rows.Err()
}

// lookupChunk bounds the ids in one IN list, and lookupBytes their quoted
// size, so that the query stays under max_query_size (256 KiB): long ids
// (4,000 of 64 characters) would exceed it.
const (
	lookupChunk = 4000
	lookupBytes = 200_000
)

// ExistingKeys returns, for the given ids of one source, the ones already
// stored in table (contacts or survey_responses) mapped to their newest
// version (updated_at for cases, zero time otherwise).
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
	out := make(map[string]time.Time)
	for start, end := 0, 0; start < len(ids); start = end {
		// Quoting escapes at most every byte: 2 bytes each, quotes and ", ".
		for size := 0; end < len(ids) && end-start < lookupChunk; end++ {
			size += 2*len(ids[end]) + 4
			if size > lookupBytes && end > start {
				break
			}
		}
		set := make([]any, 0, end-start)
		for _, id := range ids[start:end] {
			set = append(set, id)
		}
		rows, err := db.conn.Query(ctx, fmt.Sprintf(`SELECT id, %s FROM %s WHERE source = ? AND id IN ? GROUP BY id`, version, table), source, clickhouse.GroupSet{Value: set})
		if err != nil {
			return nil, fmt.Errorf("existing %s keys: %w", table, err)
		}
		for rows.Next() {
			var id string
			var v time.Time
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("existing %s keys: %w", table, err)
			}
			out[id] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("existing %s keys: %w", table, err)
		}
	}
	return out, nil
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
	return n, rows.Err()
}

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
