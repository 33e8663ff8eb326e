package indicators

import (
	"context"
	"errors"
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
// Exactness: each pass writes, for a month, the rows it resolves and a
// marker of its watermark in one insert, after checking every other row
// of the month (and every opening contact its cases name) against the
// contacts ingested since the previous watermark: all the month's rows
// are then what the live computation gives from the contacts ingested up
// to the new watermark. Only a contact ingested later can change a row,
// and only if it has the same id (the opening contact, late or sent
// again) or the same user and motive (an earlier contact of the journey,
// late): the engine leaves out every row one of those matches, whatever
// its time — cruder than needed, never wrong.

// StartsStats tells what a pass of ResolveJourneyStarts did.
type StartsStats struct {
	Months   int       // completion months checked
	Resolved int       // opening contacts resolved (again)
	Seen     time.Time // the watermark written
}

// Pending is what the engine learnt of a batch's journey starts before
// compiling it (Compiler.JourneyPending): with Known, the resolved rows
// are read and Rest, the opening contacts without an exact row, are
// computed from the contacts by id, their users' contacts read between
// From and To; without, every journey start is computed from the contacts.
type Pending struct {
	Known    bool
	Rest     []string
	From, To time.Time
}

// maxLiveStarts and maxLiveBytes bound the opening contacts computed from
// the contacts by their ids, bound in the query (three times: ClickHouse's
// max_query_size is 256 KiB). With more (no pass has run yet), every
// journey start is computed from the contacts, reading the whole id and
// user columns once, as before the resolved rows.
const (
	maxLiveStarts = 5000
	maxLiveBytes  = 48 << 10
)

// journeysMoved tells whether err is that of a journey query that met an
// opening contact neither resolved nor listed by its Pending (throwIf in
// journeyStarts, ClickHouse's code 395): a contact or a case ingested
// between the listing and the query; the engine lists them again.
func journeysMoved(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == 395
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

// startsSince splits the periods' months into those with a watermark
// (Compiler.Starts) and the others, and gives the oldest watermark.
func (c *Compiler) startsSince(periods []Period) (marked, unmarked []int, since int64) {
	for _, m := range startsMonths(periods) {
		w, ok := c.Starts[m]
		if !ok {
			unmarked = append(unmarked, m)
			continue
		}
		marked = append(marked, m)
		if since == 0 || w < since {
			since = w
		}
	}
	return marked, unmarked, since
}

// freshIn selects the fresh resolved rows (freshStarts) of the periods'
// months with a watermark (Compiler.Starts), checked against the contacts
// ingested after the oldest of them; "" when none has one.
func (b *builder) freshIn(periods []Period) string {
	marked, _, since := b.c.startsSince(periods)
	if len(marked) == 0 || b.c.Raw {
		return ""
	}
	months := make([]string, len(marked))
	for i, m := range marked {
		months[i] = fmt.Sprint(m)
	}
	return freshStarts(b.bind(since), "month IN ("+strings.Join(months, ", ")+")")
}

// startsQuiet tells whether nothing was ingested since the oldest
// watermark of the periods' months: no contact, no case entry in their
// months with one, no completed case naming its opening contact in the
// others. Every opening contact of the periods then has a fresh resolved
// row (a pass resolved all those named by the entries ingested up to its
// watermark, and no contact came since), and the engine need not list
// the others first; the query still stops if one has none (journeyStarts).
func startsQuiet(ctx context.Context, db *store.DB, c *Compiler, periods []Period) (bool, error) {
	marked, unmarked, since := c.startsSince(periods)
	if len(marked) == 0 {
		return false, nil
	}
	in := func(months []int) string {
		var parts []string
		for _, m := range months {
			first := time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
			parts = append(parts, fmt.Sprintf("(completed_date >= toDate('%s') AND completed_date <= toDate('%s'))", first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly)))
		}
		if len(parts) == 0 {
			return "0"
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	q := fmt.Sprintf(`SELECT (SELECT toInt64(max(ingested_at)) FROM contacts) <= %[1]d
  AND (SELECT toInt64(max(ingested_at)) FROM case_completions WHERE %[2]s) <= %[1]d
  AND (SELECT count() FROM case_completions WHERE %[3]s AND entry = 'completion' AND status = 'completed' AND origin_contact_id != '') = 0`,
		since, in(marked), in(unmarked))
	var quiet uint8
	if err := db.Conn().QueryRow(ctx, q).Scan(&quiet); err != nil {
		return false, fmt.Errorf("journey starts: anything new: %w", err)
	}
	return quiet == 1, nil
}

// journeyStarts selects the journey start of each opening contact named
// by the query cases (its column oc): oc, od1 (the opening contact's
// arrival day), sd (the user's first contact on its motive in the
// lookback, 0 for none) and nch (their distinct channels), and the join
// of the cases with it, ending with the condition on the joined rows. With
// the builder's Pending known, the fresh resolved rows and Rest computed
// from the contacts, f telling the resolved rows of a contact not stored;
// a case whose opening contact is in neither (a contact or a case
// ingested since the listing) stops the query (journeysMoved).
func (b *builder) journeyStarts(cases string, periods []Period) (starts, join string) {
	p := b.pending
	fresh := b.freshIn(periods)
	if p == nil || !p.Known || fresh == "" {
		starts = liveStarts("(SELECT oc FROM ("+cases+"))", "", true)
		return starts, "ANY INNER JOIN (" + starts + ") USING oc WHERE kv > 0"
	}
	starts = "SELECT oc, f, od1, sd, nch FROM (" + fresh + ")"
	missed := "hit = 0"
	if len(p.Rest) > 0 {
		set := b.set(p.Rest)
		days := fmt.Sprintf("arrived_date >= toDate(%s) AND arrived_date <= toDate(%s)", b.bind(p.From.Format(time.DateOnly)), b.bind(p.To.Format(time.DateOnly)))
		starts += " UNION ALL SELECT oc, toUInt8(1) AS f, od1, sd, nch FROM (" + liveStarts(set, days, false) + ")"
		missed += " AND oc NOT IN " + set
	}
	return starts, fmt.Sprintf("ANY LEFT JOIN (SELECT oc, f, od1, sd, nch, toUInt8(1) AS hit FROM (%s)) USING oc WHERE kv > 0 AND throwIf(%s) = 0 AND f = 1", starts, missed)
}

// JourneyPending compiles the listing of the opening contacts named by the
// completed cases of defs' periods (journey measures, see CompileJourneys)
// without a fresh resolved row, at most maxLiveStarts + 1 of them; false
// when the periods' months have no watermark (Compiler.Starts) or on the
// raw path: every journey start is then computed from the contacts.
func (c *Compiler) JourneyPending(defs []*Definition, periods []Period, merged Parts, today time.Time) (Compiled, bool, error) {
	b, err := c.builder(defs[0], periods, merged, today)
	if err != nil {
		return Compiled{}, false, err
	}
	fresh := b.freshIn(periods)
	if fresh == "" {
		return Compiled{}, false, nil
	}
	cases := b.read([]string{"origin_contact_id AS oc"}, b.ranges(b.dateColumn(), periods, 0), []string{"status = 'completed'", "origin_contact_id != ''", "entry = 'completion'"})
	sql := fmt.Sprintf("SELECT DISTINCT oc FROM (%s) WHERE oc NOT IN (SELECT oc FROM (%s)) LIMIT %d", cases, fresh, maxLiveStarts+1)
	return Compiled{SQL: sql, Args: b.args}, true, nil
}

// freshStarts selects the newest resolved row of each opening contact in
// each month of journey_starts meeting where (FINAL: a month's rows
// collapse by seen), unless a contact ingested after since (a Unix time,
// at most every read month's watermark) has its id or its user and
// motive: oc, f (found), od1, sd, nch. An opening contact with rows in two
// months (two cases, or a case moved) is read twice: each row is exact as
// of its month's watermark and no contact that could change it came
// since, so both are what the contacts give now (FINAL is 0.07 s cheaper
// than grouping by oc for argMax on June's two months).
func freshStarts(since, where string) string {
	tail := "SELECT id, user_ref, " + userMotive + " AS um FROM contacts WHERE ingested_at > toDateTime(" + since + ")"
	return "SELECT oc, found AS f, opened_day AS od1, first_day AS sd, channels AS nch FROM journey_starts FINAL WHERE " + where +
		" AND oc != '' AND oc NOT IN (SELECT id FROM (" + tail + ")) AND um NOT IN (SELECT um FROM (" + tail + ") WHERE user_ref != '')"
}

// liveStarts computes from the contacts the journey start of each opening
// contact named by the IN operand ids (see openingContacts): oc, od1, sd,
// nch (see journeyStarts), and umk (its um) unless bare; its users'
// contacts those that meet days ("" for all: the partition pruning reads
// only the months of a few opening contacts' lookbacks).
func liveStarts(ids, days string, bare bool) string {
	origins := openingContacts(ids, "argMax(toInt64(arrived_date), ingested_at) AS od")
	earlier := userContacts(ids, days, "toInt64(arrived_date) AS ad", "channel AS ch")
	within := "ou != '' AND " + inLookback
	cols := fmt.Sprintf("oc, any(od) AS od1, minIf(ad, %s) AS sd, uniqExactIf(ch, %s) AS nch", within, within)
	if !bare {
		cols += ", any(um) AS umk"
	}
	return "SELECT " + cols + " FROM (" + origins + ") ALL LEFT JOIN (" + earlier + ") USING um GROUP BY oc"
}

// fewIDs tells whether ids are few enough to be bound in a query
// (maxLiveStarts, maxLiveBytes).
func fewIDs(ids []string) bool {
	if len(ids) > maxLiveStarts {
		return false
	}
	n := 0
	for _, id := range ids {
		n += len(id) + 4 // quotes, comma, space
	}
	return n <= maxLiveBytes
}

// lookbackDays are the days on which the users' contacts in the lookback
// before the opening contacts ids may have arrived, in their own site's
// time zone: from 32 days before the earliest opening contact's local day
// to 2 days after the latest (zones are within a day of UTC). Read by id
// (the primary key); no contact: an empty range.
func lookbackDays(ctx context.Context, db *store.DB, ids []string) (from, to time.Time, err error) {
	set := make([]any, len(ids))
	for i, id := range ids {
		set[i] = id
	}
	var n uint64
	if err := db.Conn().QueryRow(ctx, `SELECT count(), min(arrived_date), max(arrived_date) FROM contacts WHERE id IN @ids`,
		clickhouse.Named("ids", clickhouse.GroupSet{Value: set})).Scan(&n, &from, &to); err != nil {
		return from, to, fmt.Errorf("journey starts: lookback of %d opening contacts: %w", len(ids), err)
	}
	if n == 0 {
		return time.Unix(0, 0).UTC(), time.Unix(0, 0).UTC(), nil
	}
	return from.AddDate(0, 0, -(journeyLookbackDays + 2)), to.AddDate(0, 0, 2), nil
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journey starts: watermarks: %w", err)
	}
	return out, nil
}

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
	first := time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	return fmt.Sprintf("SELECT DISTINCT oc FROM (SELECT origin_contact_id AS oc FROM case_completions WHERE completed_date >= toDate('%s') AND completed_date <= toDate('%s') AND entry = 'completion' AND status = 'completed' AND origin_contact_id != ''"+
		" UNION ALL SELECT oc FROM journey_starts WHERE month = %d AND oc != '')", first.Format(time.DateOnly), last.Format(time.DateOnly), m)
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
			set := make([]any, len(rest))
			for i, id := range rest {
				set[i] = id
			}
			named, ids = "SELECT arrayJoin(@list) AS oc", "@ids"
			days = fmt.Sprintf("arrived_date >= toDate('%s') AND arrived_date <= toDate('%s')", from.Format(time.DateOnly), to.Format(time.DateOnly))
			args = []any{clickhouse.Named("list", rest), clickhouse.Named("ids", clickhouse.GroupSet{Value: set})}
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
