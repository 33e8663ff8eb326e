package exports

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"globaloffice/store"
)

// Raw data: the stored records of a kind between two local dates, streamed
// from ClickHouse row by row into a CSV or an xlsx written with excelize's
// StreamWriter (a new sheet at Excel's row limit), so that memory stays
// bounded whatever the size. User references are stored pseudonymised at
// ingest and written as they are; survey comments only for callers who
// may read the site.

// RawQuery selects raw records: contacts by arrival date, cases by
// reception date, survey responses by answer date (local dates, both
// included), of the given sites (none: every site).
type RawQuery struct {
	Kind     string // contacts, cases or surveys
	From, To time.Time
	Sites    []string
	// Comments tells whether survey comments of a site may be written.
	Comments func(site string) bool
	// Progress is called every progressEvery rows with the count so far.
	Progress func(rows int64)
}

const progressEvery = 10_000

// rawSpec is a kind's query: its columns (header), its SQL and which
// column holds the site and, for surveys, the comment.
type rawSpec struct {
	header        []string
	sql           string
	dateCol       string
	site, comment int
	times         []int // columns scanned as time.Time (nullable ones as *time.Time)
	nullableTimes []int
}

var rawSpecs = map[string]rawSpec{
	"contacts": {
		header:  []string{"source", "id", "site", "channel", "arrived_at", "answered_at", "ended_at", "outcome", "motive", "team", "user_ref", "asked_agent"},
		sql:     "SELECT source, id, site, toString(channel), arrived_at, answered_at, ended_at, toString(outcome), motive, team, user_ref, if(asked_agent = 1, 'true', 'false') FROM contacts FINAL",
		dateCol: "arrived_date", site: 2, comment: -1, times: []int{4}, nullableTimes: []int{5, 6},
	},
	"cases": {
		header: []string{"source", "id", "site", "kind", "channel", "received_at", "completed_at", "status", "updated_at", "user_ref",
			"acknowledged_at", "announced_days", "paused_seconds"},
		// Announced days empty when none was announced (0 is a delay).
		sql: "SELECT source, id, site, toString(kind), toString(channel), received_at, completed_at, toString(status), updated_at, user_ref, " +
			"acknowledged_at, ifNull(toString(announced_days), ''), toString(paused_seconds) FROM cases FINAL",
		dateCol: "received_date", site: 2, comment: -1, times: []int{5, 8}, nullableTimes: []int{6, 10},
	},
	"surveys": {
		header: []string{"source", "id", "site", "channel", "survey", "mode", "answered_at", "contact_id", "scale", "scores", "comment"},
		sql: "SELECT source, id, site, toString(channel), survey, toString(mode), answered_at, contact_id, toString(scale), " +
			"arrayStringConcat(arrayMap((d, s, c) -> concat(d, '=', toString(s), if(c = scale, '', concat(' (', toString(c), ')'))), dimensions, scores, scales), '; '), comment FROM survey_responses FINAL",
		dateCol: "answered_date", site: 2, comment: 10, times: []int{6},
	},
}

// RawKinds are the kinds of raw data.
var RawKinds = []string{"contacts", "cases", "surveys"}

func (q RawQuery) spec() (rawSpec, error) {
	s, ok := rawSpecs[q.Kind]
	if !ok {
		return s, fmt.Errorf("raw data: unknown kind %q: want contacts, cases or surveys", q.Kind)
	}
	return s, nil
}

func (q RawQuery) where(s rawSpec) (string, []any) {
	w := fmt.Sprintf(" WHERE %s >= toDate(?) AND %s <= toDate(?)", s.dateCol, s.dateCol)
	args := []any{q.From.Format(time.DateOnly), q.To.Format(time.DateOnly)}
	if len(q.Sites) > 0 {
		w += " AND has(?, site)"
		args = append(args, q.Sites)
	}
	return w, args
}

// CountRaw counts the records a query selects (for a progress bar).
func CountRaw(ctx context.Context, db *store.DB, q RawQuery) (int64, error) {
	s, err := q.spec()
	if err != nil {
		return 0, err
	}
	w, args := q.where(s)
	var n uint64
	if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM "+map[string]string{"contacts": "contacts", "cases": "cases", "surveys": "survey_responses"}[q.Kind]+" FINAL"+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", q.Kind, err)
	}
	return int64(n), nil
}

// eachRaw streams the selected rows, in a stable order, to fn: strings,
// time.Time, or nil for a missing time. vals is reused between calls.
func eachRaw(ctx context.Context, db *store.DB, q RawQuery, fn func(vals []any) error) error {
	s, err := q.spec()
	if err != nil {
		return err
	}
	w, args := q.where(s)
	rows, err := db.Conn().Query(ctx, s.sql+w+" ORDER BY "+s.dateCol+", site, source, id", args...)
	if err != nil {
		return fmt.Errorf("raw %s: %w", q.Kind, err)
	}
	defer rows.Close()
	n := len(s.header)
	strs := make([]string, n)
	times := make([]time.Time, n)
	ntimes := make([]*time.Time, n)
	dest := make([]any, n)
	kind := make([]byte, n) // s string, t time, n nullable time
	for i := range dest {
		dest[i], kind[i] = &strs[i], 's'
	}
	for _, i := range s.times {
		dest[i], kind[i] = &times[i], 't'
	}
	for _, i := range s.nullableTimes {
		dest[i], kind[i] = &ntimes[i], 'n'
	}
	vals := make([]any, n)
	var count int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("raw %s: %w", q.Kind, err)
		}
		for i := range vals {
			switch kind[i] {
			case 's':
				vals[i] = strs[i]
			case 't':
				vals[i] = times[i]
			default:
				if ntimes[i] == nil {
					vals[i] = nil
				} else {
					vals[i] = *ntimes[i]
				}
			}
		}
		if s.comment >= 0 && (q.Comments == nil || !q.Comments(strs[s.site])) {
			vals[s.comment] = ""
		}
		if err := fn(vals); err != nil {
			return err
		}
		if count++; q.Progress != nil && count%progressEvery == 0 {
			q.Progress(count)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("raw %s: %w", q.Kind, err)
	}
	if q.Progress != nil {
		q.Progress(count)
	}
	return nil
}

// WriteRawCSV streams the rows as CSV, times in UTC as RFC 3339.
func WriteRawCSV(ctx context.Context, db *store.DB, q RawQuery, w io.Writer) error {
	s, err := q.spec()
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(s.header); err != nil {
		return err
	}
	rec := make([]string, len(s.header))
	err = eachRaw(ctx, db, q, func(vals []any) error {
		for i, v := range vals {
			switch x := v.(type) {
			case string:
				rec[i] = x
			case time.Time:
				rec[i] = x.UTC().Format(time.RFC3339)
			default:
				rec[i] = ""
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// MaxSheetRows is the data rows of a sheet: Excel's limit less the header.
var MaxSheetRows = excelize.TotalRows - 1

// WriteRawXLSX streams the rows into an xlsx, a new sheet (contacts,
// contacts 2…) every MaxSheetRows rows; times are dates in UTC. The
// archive is written straight to w, never held whole in memory.
func WriteRawXLSX(ctx context.Context, db *store.DB, q RawQuery, w io.Writer) error {
	s, err := q.spec()
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	dt, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	header := make([]any, len(s.header))
	for i, h := range s.header {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	var sw *excelize.StreamWriter
	sheets, row := 0, 0
	next := func() error {
		if sw != nil {
			if err := sw.Flush(); err != nil {
				return err
			}
		}
		sheets++
		name := q.Kind
		if sheets > 1 {
			name = q.Kind + " " + strconv.Itoa(sheets)
			if _, err := f.NewSheet(name); err != nil {
				return err
			}
		} else if err := f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		row = 1
		return sw.SetRow("A1", header)
	}
	if err := next(); err != nil {
		return err
	}
	cells := make([]excelize.Cell, len(s.header))
	out := make([]any, len(s.header))
	err = eachRaw(ctx, db, q, func(vals []any) error {
		if row > MaxSheetRows {
			if err := next(); err != nil {
				return err
			}
		}
		row++
		for i, v := range vals {
			if t, ok := v.(time.Time); ok {
				cells[i] = excelize.Cell{StyleID: dt, Value: t.UTC()}
				out[i] = &cells[i]
			} else {
				out[i] = v
			}
		}
		return sw.SetRow("A"+strconv.Itoa(row), out)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// excelize's WriteTo builds the archive in a buffer first; its zip
	// writer, given w, writes it out as it goes instead.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return f.Write(io.Discard)
}
