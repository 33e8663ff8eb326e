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
//
// Quiet is that nothing was ingested since the periods' oldest watermark
// when the engine looked (startsQuiet): the resolved rows are then read
// without looking for the contacts ingested since, the query stopping
// (journeysMoved) if any contact was ingested after the watermark by then
// — one max(ingested_at) instead of two scans of every contact's
// ingested_at and key (June's journey query 0.56 → 0.30 s of CPU).
type Pending struct {
	Known    bool
	Quiet    bool
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
// ingested after the oldest of them unless the builder's Pending is Quiet;
// "" when none has one.
func (b *builder) freshIn(periods []Period) string {
	marked, _, since := b.c.startsSince(periods)
	if len(marked) == 0 || b.c.Raw {
		return ""
	}
	months := make([]string, len(marked))
	for i, m := range marked {
		months[i] = fmt.Sprint(m)
	}
	where := "month IN (" + strings.Join(months, ", ") + ")"
	if b.pending != nil && b.pending.Quiet {
		// A contact ingested since the look may change a row: stop.
		return resolvedStarts(where + " AND throwIf((SELECT toInt64(max(ingested_at)) FROM contacts) > " + b.bind(since) + ") = 0")
	}
	return freshStarts(b.bind(since), where)
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
			parts = append(parts, completedIn(m))
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
	return resolvedStarts(where) + " AND oc NOT IN (SELECT id FROM (" + tail + ")) AND um NOT IN (SELECT um FROM (" + tail + ") WHERE user_ref != '')"
}

// resolvedStarts selects every resolved row of the months of
// journey_starts meeting where, as freshStarts without its check.
func resolvedStarts(where string) string {
	return "SELECT oc, found AS f, opened_day AS od1, first_day AS sd, channels AS nch FROM journey_starts FINAL WHERE " + where + " AND oc != ''"
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
	var n uint64
	if err := db.Conn().QueryRow(ctx, `SELECT count(), min(arrived_date), max(arrived_date) FROM contacts WHERE id IN @ids`,
		clickhouse.Named("ids", groupSet(ids))).Scan(&n, &from, &to); err != nil {
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

// journeyWatermarks reads the watermarks of journey_starts when defs
// hold a journey measure, except on the raw path. Like mergedMonths, for
// every computation: a pass may have run since.
func (e *Engine) journeyWatermarks(ctx context.Context, defs []*Definition) (map[int]int64, error) {
	if e.Compiler.Raw || !slices.ContainsFunc(defs, func(d *Definition) bool { return journeyMeasure(d.Measure) }) {
		return nil, nil
	}
	return JourneyWatermarks(ctx, e.DB)
}

// journeys runs the query of a batch of journey measures: first the
// opening contacts without a fresh resolved start (JourneyPending), then
// the query reading the resolved ones and computing those. When a contact
// or a case ingested between the two makes the query stop
// (journeysMoved), it lists them again, and after three tries computes
// every journey start from the contacts.
func (e *Engine) journeys(ctx context.Context, comp *Compiler, defs []*Definition, ps []Period, merged Parts) ([][]map[scopeKey]agg, error) {
	for range 3 {
		p, err := e.pending(ctx, comp, defs, ps, merged)
		if err != nil {
			return nil, err
		}
		res, err := e.chunked(ctx, defs, [][]Period{ps}, merged, func(defs []*Definition, ps []Period, merged Parts, today time.Time) (Compiled, error) {
			return comp.CompileJourneysWith(defs, ps, merged, today, p)
		})
		if !journeysMoved(err) {
			return res, err
		}
	}
	return e.chunked(ctx, defs, [][]Period{ps}, merged, comp.CompileJourneys)
}

// pending lists what JourneyPending compiles, with the days the users'
// contacts of the rest are read in; not Known when the rest are too many
// to bind in a query.
func (e *Engine) pending(ctx context.Context, comp *Compiler, defs []*Definition, ps []Period, merged Parts) (Pending, error) {
	q, ok, err := comp.JourneyPending(defs, ps, merged, e.Now())
	if err != nil || !ok {
		return Pending{}, err
	}
	switch quiet, err := startsQuiet(ctx, e.DB, comp, ps); {
	case err != nil:
		return Pending{}, err
	case quiet:
		return Pending{Known: true, Quiet: true}, nil
	}
	rest, err := lookup(ctx, e.DB, q)
	if err != nil {
		return Pending{}, fmt.Errorf("indicators %s: journey starts: %w", ids(defs), err)
	}
	if !fewIDs(rest) {
		return Pending{}, nil
	}
	p := Pending{Known: true, Rest: rest}
	if len(rest) > 0 {
		if p.From, p.To, err = lookbackDays(ctx, e.DB, rest); err != nil {
			return Pending{}, err
		}
	}
	return p, nil
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

// groupSet is vals as a bound IN operand: ('a', 'b', …).
func groupSet(vals []string) clickhouse.GroupSet {
	set := make([]any, len(vals))
	for i, v := range vals {
		set[i] = v
	}
	return clickhouse.GroupSet{Value: set}
}

// completedIn is the condition placing a case completion in month m
// (toYYYYMM): a range of completed_date the partition pruning sees.
func completedIn(m int) string {
	first := time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("(completed_date >= toDate('%s') AND completed_date <= toDate('%s'))", first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly))
}
