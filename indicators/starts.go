package indicators

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/store"
)

// Journey starts (issue 13, table journey_starts, migration 0011). A
// journey measure needs, for each completed case, the contact that opened
// it (named by id only) and its user's earlier contacts on the motive:
// anywhere in the history of contacts, found by scanning the id and user
// columns of every month (most of a month's journey query). A background
// pass (ResolveJourneyStarts) resolves each opening contact once per
// completion month and keeps the result; the engine reads the resolved
// rows that no contact ingested since can change and computes the others
// from the contacts as before (journeyStarts).
//
// Exactness: a resolved row is what the live computation gave when every
// contact ingested up to its month's watermark (seen) had been read. Only
// a contact ingested later can change it, and only if it carries the same
// id (the opening contact itself, late or sent again) or the same user and
// motive (an earlier contact of the journey, late): the engine leaves out
// every row one of those matches, whatever its time — cruder than needed,
// never wrong.

// StartsStats tells what a pass of ResolveJourneyStarts did.
type StartsStats struct {
	Months   int       // completion months visited
	Resolved int       // opening contacts resolved (again)
	Seen     time.Time // the watermark written
}

// startsMonths are the months (toYYYYMM) of the periods' ranges, in order:
// the partitions of case_completions (and journey_starts) the journey
// measures read.
func startsMonths(periods []Period) []int {
	var out []int
	for _, p := range periods {
		for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(p.To); m = m.AddDate(0, 1, 0) {
			if k := store.Month(m); !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// maxLiveStarts is the most opening contacts journeyStarts computes from
// the contacts by their ids, bound in the query; with more (no pass has
// run yet), it computes every one of them, reading the whole id and user
// columns of contacts once as before the resolved rows.
const maxLiveStarts = 10000

// journeyStarts selects the journey start of each opening contact named
// by the query cases (its column oc): oc, od1 (the opening contact's
// arrival day), sd (the user's first contact on its motive in the
// lookback, 0 for none) and nch (their distinct channels). From the
// resolved rows of journey_starts in the months the compiler knows a
// watermark of (Compiler.Starts) that no contact ingested since changes,
// and from the contacts for the other cases, which Compiler.Lookup lists
// first; from the contacts only on the raw path, with no watermark or with
// more than maxLiveStarts others.
func (b *builder) journeyStarts(cases string, periods []Period) (string, error) {
	all := liveStarts("(SELECT oc FROM ("+cases+"))", false, false)
	var months []string
	var since int64
	for _, m := range startsMonths(periods) {
		if w, ok := b.c.Starts[m]; ok {
			months = append(months, fmt.Sprint(m))
			if since == 0 || w < since {
				since = w
			}
		}
	}
	if len(months) == 0 || b.c.Raw || b.c.Lookup == nil {
		return all, nil
	}
	fresh := freshStarts(b.bind(since), "month IN ("+strings.Join(months, ", ")+")")
	rest, err := b.c.Lookup(Compiled{SQL: "SELECT DISTINCT oc FROM (" + cases + ") WHERE oc NOT IN (SELECT oc FROM (" + fresh + "))", Args: b.args})
	switch {
	case err != nil:
		return "", fmt.Errorf("journey starts: %w", err)
	case len(rest) > maxLiveStarts:
		return all, nil
	}
	resolved := "SELECT oc, od1, sd, nch FROM (" + fresh + ") WHERE f = 1"
	if len(rest) == 0 {
		return resolved, nil
	}
	return resolved + " UNION ALL " + liveStarts(b.set(rest), true, false), nil
}

// freshStarts selects the newest resolved row of each opening contact in
// the rows of journey_starts meeting where, unless a contact ingested
// after since (a Unix time, at most every read month's watermark) has its
// id or its user and motive: oc, f (found), od1, sd, nch.
func freshStarts(since, where string) string {
	tail := "SELECT id, user_ref, " + userMotive + " AS um FROM contacts WHERE ingested_at > toDateTime(" + since + ")"
	return "SELECT oc, f, od1, sd, nch FROM (SELECT oc, argMax(found, seen) AS f, argMax(opened_day, seen) AS od1, argMax(first_day, seen) AS sd, argMax(channels, seen) AS nch, argMax(um, seen) AS u" +
		" FROM journey_starts WHERE " + where + " AND oc != '' AND oc NOT IN (SELECT id FROM (" + tail + "))" +
		" GROUP BY oc HAVING u NOT IN (SELECT um FROM (" + tail + ") WHERE user_ref != ''))"
}

// liveStarts computes from the contacts the journey start of each opening
// contact named by the IN operand ids (see openingContacts): oc, od1, sd,
// nch (see journeyStarts), and umk (its um) with withKey. With days, a
// few ids, their users' contacts are read only in the days that can hold
// the lookback before one of them (bounds the partition pruning sees:
// scalar subqueries, run before the read).
func liveStarts(ids string, days, withKey bool) string {
	origins := openingContacts(ids, "any(toInt64(arrived_date)) AS od")
	where := ""
	if days {
		// A contact within the lookback before the opening one arrived, in
		// its own site's time zone, at most 32 days before the opening
		// contact's local day and at most 2 after (zones are within a day
		// of UTC).
		where = fmt.Sprintf("arrived_date >= (SELECT subtractDays(min(arrived_date), %d) FROM contacts WHERE id IN %s) AND arrived_date <= (SELECT addDays(max(arrived_date), 2) FROM contacts WHERE id IN %s)",
			journeyLookbackDays+2, ids, ids)
	}
	earlier := userContacts(ids, where, "toInt64(arrived_date) AS ad", "channel AS ch")
	within := "ou != '' AND " + inLookback
	cols := fmt.Sprintf("oc, any(od) AS od1, minIf(ad, %s) AS sd, uniqExactIf(ch, %s) AS nch", within, within)
	if withKey {
		cols += ", any(um) AS umk"
	}
	return "SELECT " + cols + " FROM (" + origins + ") ALL LEFT JOIN (" + earlier + ") USING um GROUP BY oc"
}

// JourneyWatermarks reads each completion month's watermark in
// journey_starts (Unix seconds): its rows are exact as of then.
func JourneyWatermarks(ctx context.Context, db *store.DB) (map[int]int64, error) {
	rows, err := db.Conn().Query(ctx, `SELECT month, toInt64(max(seen)) FROM journey_starts GROUP BY month`)
	if err != nil {
		return nil, fmt.Errorf("journey starts: watermarks: %w", err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var m uint32
		var w int64
		if err := rows.Scan(&m, &w); err != nil {
			return nil, fmt.Errorf("journey starts: watermarks: %w", err)
		}
		out[int(m)] = w
	}
	return out, rows.Err()
}

// ResolveJourneyStarts resolves the opening contacts named by each month's
// completed cases that have no exact row in journey_starts (every one
// with all: a rebuild), and writes them with a marker of the month's new
// watermark, now less margin: a margin longer than any insert under way
// (store.CatchUpMargin), so that every contact ingested up to the
// watermark has been read; 0 only when nothing is being ingested (tests,
// benchmarks).
func ResolveJourneyStarts(ctx context.Context, db *store.DB, margin time.Duration, all bool) (StartsStats, error) {
	seen := time.Now().UTC().Add(-margin).Truncate(time.Second).Add(-time.Second)
	st := StartsStats{Seen: seen}
	marks, err := JourneyWatermarks(ctx, db)
	if err != nil {
		return st, err
	}
	months, err := completionMonths(ctx, db)
	if err != nil {
		return st, err
	}
	for _, m := range months {
		n, err := resolveMonth(ctx, db, m, marks, seen, all)
		if err != nil {
			return st, err
		}
		st.Months++
		st.Resolved += n
	}
	return st, nil
}

// completionMonths lists the months with a completed case naming the
// contact that opened it.
func completionMonths(ctx context.Context, db *store.DB) ([]int, error) {
	rows, err := db.Conn().Query(ctx, `SELECT DISTINCT toUInt32(toYYYYMM(completed_date)) AS m FROM case_completions
  WHERE entry = 'completion' AND status = 'completed' AND origin_contact_id != '' ORDER BY m`)
	if err != nil {
		return nil, fmt.Errorf("journey starts: months: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var m uint32
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("journey starts: months: %w", err)
		}
		out = append(out, int(m))
	}
	return out, rows.Err()
}

// resolveMonth resolves the opening contacts of month m's completions
// without an exact row (all of them with all) and writes them, with the
// month's marker, in one insert: one part, so that no read sees the new
// watermark without the rows it covers.
func resolveMonth(ctx context.Context, db *store.DB, m int, marks map[int]int64, seen time.Time, all bool) (int, error) {
	named := namedIn(m)
	ids, few := "(SELECT oc FROM ("+named+"))", false
	var args []any
	if w, ok := marks[m]; ok && !all {
		rest, err := pendingStarts(ctx, db, m, w)
		if err != nil {
			return 0, err
		}
		if len(rest) <= maxLiveStarts {
			set := make([]any, len(rest))
			for i, id := range rest {
				set[i] = id
			}
			named, ids, few = "SELECT arrayJoin(@list) AS oc", "@ids", true
			args = []any{clickhouse.Named("list", rest), clickhouse.Named("ids", clickhouse.GroupSet{Value: set})}
		}
		if len(rest) == 0 {
			named = "" // the marker alone
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
			liveStarts(ids, few, true) + ")) USING oc"
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

// namedIn selects the opening contacts (oc) named by the completed cases
// of month m (toYYYYMM).
func namedIn(m int) string {
	first := time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	return fmt.Sprintf("SELECT DISTINCT origin_contact_id AS oc FROM case_completions WHERE completed_date >= toDate('%s') AND completed_date <= toDate('%s') AND entry = 'completion' AND status = 'completed' AND origin_contact_id != ''",
		first.Format(time.DateOnly), last.Format(time.DateOnly))
}

// pendingStarts lists the opening contacts named by month m's completed
// cases with no exact row as of the month's watermark w.
func pendingStarts(ctx context.Context, db *store.DB, m int, w int64) ([]string, error) {
	rest, err := lookup(ctx, db, Compiled{SQL: namedIn(m) + fmt.Sprintf(" AND oc NOT IN (SELECT oc FROM (%s))", freshStarts(fmt.Sprint(w), fmt.Sprintf("month = %d", m)))})
	if err != nil {
		return nil, fmt.Errorf("journey starts: pending in %d: %w", m, err)
	}
	return rest, nil
}

// PendingJourneyStarts lists the opening contacts named by month m's
// (toYYYYMM) completed cases that the engine computes from the contacts:
// without a row in journey_starts, or with one that a contact ingested
// since the month's watermark may change. All of them before a pass.
func PendingJourneyStarts(ctx context.Context, db *store.DB, m int) ([]string, error) {
	marks, err := JourneyWatermarks(ctx, db)
	if err != nil {
		return nil, err
	}
	if w, ok := marks[m]; ok {
		return pendingStarts(ctx, db, m, w)
	}
	all, err := lookup(ctx, db, Compiled{SQL: namedIn(m)})
	if err != nil {
		return nil, fmt.Errorf("journey starts: pending in %d: %w", m, err)
	}
	return all, nil
}

// lookup runs q, a query of one string column, and returns its values.
func lookup(ctx context.Context, db *store.DB, q Compiled) ([]string, error) {
	rows, err := db.Conn().Query(ctx, q.SQL, q.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
