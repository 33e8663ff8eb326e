package indicators

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/store"
)

// The background pass of the journey starts (see starts.go): each month's
// opening contacts resolved from the contacts and written with the
// month's watermark.

// ResolveJourneyStarts resolves, in each month with completed cases naming
// the contact that opened them, the opening contacts without an exact row
// in journey_starts (every one with all: a rebuild), and writes them with
// a marker of the month's new watermark, now less margin: a margin longer
// than any insert under way (store.CatchUpMargin), so that every contact
// ingested up to the watermark has been read; 0 only when nothing is being
// ingested (tests, benchmarks). On a cluster the replica first catches up
// with the contacts and case completions the others have. A month where
// nothing was ingested since its watermark is left as it is.
func ResolveJourneyStarts(ctx context.Context, db *store.DB, margin time.Duration, all bool) (StartsStats, error) {
	seen := time.Now().UTC().Add(-margin).Truncate(time.Second).Add(-time.Second)
	st := StartsStats{Seen: seen}
	if db.Cluster() != "" {
		for _, table := range []string{"contacts", "case_completions"} {
			if err := db.Conn().Exec(ctx, "SYSTEM SYNC REPLICA "+table); err != nil {
				return st, fmt.Errorf("journey starts: sync replica %s: %w", table, err)
			}
		}
	}
	marks, err := JourneyWatermarks(ctx, db)
	if err != nil {
		return st, err
	}
	months, err := completionMonths(ctx, db)
	if err != nil {
		return st, err
	}
	var lastContact int64
	if err := db.Conn().QueryRow(ctx, `SELECT toInt64(max(ingested_at)) FROM contacts`).Scan(&lastContact); err != nil {
		return st, fmt.Errorf("journey starts: last contact: %w", err)
	}
	for _, m := range months {
		if w, ok := marks[m.month]; ok && !all && lastContact <= w && m.last <= w {
			continue // nothing ingested since: every row still exact
		}
		n, err := resolveMonth(ctx, db, m.month, marks, seen, all)
		if err != nil {
			return st, err
		}
		st.Months++
		st.Resolved += n
	}
	return st, nil
}

// completionMonth is a month (toYYYYMM) with completed cases naming the
// contact that opened them, and when its last entry was ingested (Unix
// seconds).
type completionMonth struct {
	month int
	last  int64
}

// completionMonths lists the months with a completed case naming the
// contact that opened it.
func completionMonths(ctx context.Context, db *store.DB) ([]completionMonth, error) {
	rows, err := db.Conn().Query(ctx, `SELECT toUInt32(toYYYYMM(completed_date)) AS m, toInt64(max(ingested_at)) FROM case_completions
  WHERE entry = 'completion' AND status = 'completed' AND origin_contact_id != '' GROUP BY m ORDER BY m`)
	if err != nil {
		return nil, fmt.Errorf("journey starts: months: %w", err)
	}
	defer rows.Close()
	var out []completionMonth
	for rows.Next() {
		var m uint32
		var last int64
		if err := rows.Scan(&m, &last); err != nil {
			return nil, fmt.Errorf("journey starts: months: %w", err)
		}
		out = append(out, completionMonth{int(m), last})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journey starts: months: %w", err)
	}
	return out, nil
}

// startsOfMonth selects the opening contacts (oc) of month m (toYYYYMM):
// those its completed cases name, and those it has a row of (a case may
// come back into the month: its row must stay exact).
func startsOfMonth(m int) string {
	return fmt.Sprintf("SELECT DISTINCT oc FROM (SELECT origin_contact_id AS oc FROM case_completions WHERE %s AND entry = 'completion' AND status = 'completed' AND origin_contact_id != ''"+
		" UNION ALL SELECT oc FROM journey_starts WHERE month = %d AND oc != '')", completedIn(m), m)
}

// pendingStarts lists the opening contacts of month m (startsOfMonth)
// with no exact row as of the month's watermark w, at most
// maxLiveStarts + 1 of them.
func pendingStarts(ctx context.Context, db *store.DB, m int, w int64) ([]string, error) {
	q := fmt.Sprintf("SELECT oc FROM (%s) WHERE oc NOT IN (SELECT oc FROM (%s)) LIMIT %d", startsOfMonth(m), freshStarts(fmt.Sprint(w), fmt.Sprintf("month = %d", m)), maxLiveStarts+1)
	rest, err := lookup(ctx, db, Compiled{SQL: q})
	if err != nil {
		return nil, fmt.Errorf("journey starts: pending in %d: %w", m, err)
	}
	return rest, nil
}

// PendingJourneyStarts lists the opening contacts of month m's (toYYYYMM)
// completed cases and rows that the engine would compute from the
// contacts (at most maxLiveStarts + 1): without a row in journey_starts,
// or with one that a contact ingested since the month's watermark may
// change. All of them before a pass.
func PendingJourneyStarts(ctx context.Context, db *store.DB, m int) ([]string, error) {
	marks, err := JourneyWatermarks(ctx, db)
	if err != nil {
		return nil, err
	}
	if w, ok := marks[m]; ok {
		return pendingStarts(ctx, db, m, w)
	}
	all, err := lookup(ctx, db, Compiled{SQL: startsOfMonth(m)})
	if err != nil {
		return nil, fmt.Errorf("journey starts: pending in %d: %w", m, err)
	}
	return all, nil
}

// resolveMonth resolves the opening contacts of month m (startsOfMonth)
// without an exact row — every one with all, or when they are too many
// to name in a query — and writes them, with the month's marker, in one
// insert: one part, so that no read sees the new watermark without the
// rows it covers.
func resolveMonth(ctx context.Context, db *store.DB, m int, marks map[int]int64, seen time.Time, all bool) (int, error) {
	named, ids, days := startsOfMonth(m), "(SELECT oc FROM ("+startsOfMonth(m)+"))", ""
	var args []any
	if w, ok := marks[m]; ok && !all {
		rest, err := pendingStarts(ctx, db, m, w)
		if err != nil {
			return 0, err
		}
		switch {
		case len(rest) == 0:
			named = "" // the marker alone
		case fewIDs(rest):
			from, to, err := lookbackDays(ctx, db, rest)
			if err != nil {
				return 0, err
			}
			named, ids = "SELECT arrayJoin(@list) AS oc", "@ids"
			days = fmt.Sprintf("arrived_date >= toDate('%s') AND arrived_date <= toDate('%s')", from.Format(time.DateOnly), to.Format(time.DateOnly))
			args = []any{clickhouse.Named("list", rest), clickhouse.Named("ids", groupSet(rest))}
		}
	}
	type row struct {
		oc, um string
		found  uint8
		od, sd int64
		nch    uint64
	}
	var out []row
	if named != "" {
		q := "SELECT oc, found, od1, sd, nch, umk FROM (" + named + ") ANY LEFT JOIN (SELECT oc, od1, sd, nch, umk, toUInt8(1) AS found FROM (" +
			liveStarts(ids, days, false) + ")) USING oc"
		rows, err := db.Conn().Query(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("journey starts: resolve %d: %w", m, err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.oc, &r.found, &r.od, &r.sd, &r.nch, &r.um); err != nil {
				rows.Close()
				return 0, fmt.Errorf("journey starts: resolve %d: %w", m, err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("journey starts: resolve %d: %w", m, err)
		}
	}
	batch, err := db.Conn().PrepareBatch(ctx, `INSERT INTO journey_starts (month, oc, found, opened_day, first_day, channels, um, seen)`)
	if err != nil {
		return 0, fmt.Errorf("journey starts: write %d: %w", m, err)
	}
	for _, r := range append(out, row{}) { // the marker last: oc ''
		if err := batch.Append(uint32(m), r.oc, r.found, r.od, r.sd, r.nch, r.um, seen); err != nil {
			_ = batch.Abort()
			return 0, fmt.Errorf("journey starts: write %d: %w", m, err)
		}
	}
	if err := batch.Send(); err != nil {
		return 0, fmt.Errorf("journey starts: write %d: %w", m, err)
	}
	return len(out), nil
}
