package indicators

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Compiled is compiled SQL with its bound values. Identifiers in SQL come
// only from the compiler's fixed vocabulary; every value from the catalog or
// the period is a bound argument.
type Compiled struct {
	SQL  string
	Args []any
}

// The rows of every compiled query:
//
//	pk UInt8 (1-based index into the periods; 0 on the grand-total row),
//	region, department ('+' then the code; '' where rolled up), site
//	String ('' where rolled up),
//	sample UInt64, num Float64, den Float64, q Float64
//
// GROUP BY pk, region, department, site WITH ROLLUP gives every scope in one
// pass: sites, departments, regions and the nation, each pooling its
// events (never averaging its parts). Region and department carry a '+'
// before their code so that a site with no department (or region) is not
// mistaken for a rolled-up row: ROLLUP fills rolled-up columns with ''.

// firstHolidayYear is the first year of the holiday lists: ingest refuses
// times before 2000, so no delay starts earlier.
const firstHolidayYear = 2000

// Compiler turns definitions into SQL; it needs the holidays of each zone
// for working days.
type Compiler struct {
	Calendar *calendar.Calendar
	// Raw reads cases from the cases table (every version, FINAL) instead
	// of case_completions (the period's months only): the path before the
	// completions table, kept to check that both give the same figures
	// and to measure what the table saves.
	Raw bool
	// Timezones are the sites' time zones, which opening hours are read
	// in (see openHours): ClickHouse takes only a constant time zone, so
	// each is a branch of the query. The engine sets them from the sites.
	Timezones []string
	// Merged are the merged months of every source (see CompileMerged),
	// for the measures that read another source than their own (chasing
	// reads contacts and cases); a source missing reads with FINAL. The
	// engine sets them.
	Merged map[string]Parts
	// Starts are the watermarks of journey_starts by completion month
	// (JourneyWatermarks): the journey measures read the resolved rows of
	// those months. The engine sets them; nil computes every journey
	// start from the contacts.
	Starts map[int]int64
}

// Compile builds the query of d over the given periods, which must not
// overlap, reading every partition with FINAL.
func (c *Compiler) Compile(d *Definition, periods []Period) (Compiled, error) {
	return c.CompileMerged(d, periods, nil)
}

// Parts are the months (toYYYYMM) of a table that hold rows, each with the
// name of its one part when all its rows are in a single merged part, ""
// otherwise (store.DB.MergedParts).
type Parts map[int]string

// CompileMerged is Compile knowing the parts of the source's table: no two
// rows of a merged part share a key, so merged months are read without
// FINAL, which on ClickHouse 18.16 collapses versions in one thread and
// costs about ten times the plain read. Each is read from its part only
// (_part IN …): a part written into the month since it was checked is not
// read at all, as if the query had run just before — for case completions
// such a part may hold the superseded entry of a completion in the merged
// part, which only FINAL would apply. Within a month the newest entry of a
// case tells its state there (a version writes a superseded entry into
// every month of its older ones), so merged months and the others may be
// read apart.
func (c *Compiler) CompileMerged(d *Definition, periods []Period, merged Parts) (Compiled, error) {
	return c.CompileAsOf(d, periods, merged, time.Now())
}

// CompileAsOf is CompileMerged on day today (its civil date), which only
// the backlog measures read: a period still running is measured up to
// today (see measuringDate).
func (c *Compiler) CompileAsOf(d *Definition, periods []Period, merged Parts, today time.Time) (Compiled, error) {
	b, err := c.builder(d, periods, merged, today)
	if err != nil {
		return Compiled{}, err
	}
	return d.Measure.compile(b, periods)
}

// builder checks the periods of d and starts its query.
func (c *Compiler) builder(d *Definition, periods []Period, merged Parts, today time.Time) (*builder, error) {
	if len(periods) == 0 || len(periods) > 250 {
		return nil, fmt.Errorf("indicator %s: %d periods", d.ID, len(periods))
	}
	for i := range periods {
		for j := i + 1; j < len(periods); j++ {
			if !periods[i].To.Before(periods[j].From) && !periods[j].To.Before(periods[i].From) {
				return nil, fmt.Errorf("indicator %s: periods %s and %s overlap", d.ID, periods[i], periods[j])
			}
		}
	}
	b := &builder{c: c, d: d, today: today}
	if !c.Raw {
		b.merged = merged
	}
	for _, p := range periods {
		b.maxYear = max(b.maxYear, p.To.Year())
	}
	return b, nil
}

type builder struct {
	c       *Compiler
	d       *Definition
	args    []any
	maxYear int
	merged  Parts     // months read without FINAL, from their part
	today   time.Time // the backlog's running periods end here
	pending *Pending  // the journey starts known (CompileJourneysWith)
}

// bind adds an argument and returns its placeholder. Placeholders are
// named (@p1, @p2…) because the SQL text is assembled inside out.
func (b *builder) bind(v any) string {
	name := fmt.Sprintf("p%d", len(b.args)+1)
	b.args = append(b.args, clickhouse.Named(name, v))
	return "@" + name
}

func (b *builder) set(vals []string) string { return b.bind(groupSet(vals)) }

// filter renders a Filter as a conjunction of IN clauses, fields in a stable
// order.
func (b *builder) filter(f Filter) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		field := filterFields[b.d.Source][k]
		if m, ok := b.d.Measure.(scored); ok && k == "scale" {
			// A satisfaction measure filters on its score's own scale:
			// "recommend" on 0–10 in a response on 1–5 is a 0–10 answer.
			field = scoreScale(b, m.dimension())
		}
		out = append(out, fmt.Sprintf("%s IN %s", field, b.set(f[k])))
	}
	return out
}

// dateColumn is the local date that places an event in a period.
func (b *builder) dateColumn() string {
	switch b.d.Source {
	case "contacts":
		return "arrived_date"
	case "cases":
		if b.c.Raw {
			return "assumeNotNull(completed_date)"
		}
		// Not Nullable there, and bare: the partition pruning sees it.
		return "completed_date"
	}
	return "answered_date"
}

// table is the table a source is read from.
func (b *builder) table() string {
	switch b.d.Source {
	case "surveys":
		return "survey_responses"
	case "cases":
		if !b.c.Raw {
			return "case_completions"
		}
	}
	return b.d.Source
}

// periodKey renders the pk expression: the 1-based index of the period the
// date column falls in, 0 for none.
func (b *builder) periodKey(col string, periods []Period) (pk string) {
	var parts []string
	for i, p := range periods {
		parts = append(parts, fmt.Sprintf("%s >= toDate(%s) AND %s <= toDate(%s), %d", col, b.bind(p.From.Format(time.DateOnly)), col, b.bind(p.To.Format(time.DateOnly)), i+1))
	}
	return "multiIf(" + strings.Join(parts, ", ") + ", 0)"
}

// Value expressions of the fixed vocabulary, over the source's columns.
var valueSQL = map[string]string{
	"wait_seconds":     "toInt64(answered_at) - toInt64(arrived_at)",
	"wait_minutes":     "(toInt64(answered_at) - toInt64(arrived_at)) / 60",
	"abandon_seconds":  "if(isNull(answered_at), toInt64(ended_at) - toInt64(arrived_at), NULL)",
	"handling_seconds": "toInt64(ended_at) - toInt64(answered_at)",
	"calendar_days":    "toInt64(assumeNotNull(completed_date)) - toInt64(received_date)",
	// working_days is computed after the join with sites (it needs the zone).
	// The values of issue 14 (see followup.go for their definitions).
	"calendar_days_net":   "greatest(toInt64(assumeNotNull(completed_date)) - toInt64(received_date) - intDiv(toInt64(paused_seconds), 86400), 0)",
	"ack_days":            "least(toInt64(ifNull(acknowledged_date, assumeNotNull(completed_date))), toInt64(assumeNotNull(completed_date))) - toInt64(received_date)",
	"days_over_announced": "toInt64(assumeNotNull(completed_date)) - toInt64(received_date) - toInt64(announced_days)",
}

// scopeCols are the middle query's scope columns (see the rows above).
const scopeCols = "pk, site, concat('+', region) AS rg, concat('+', department) AS dp"

const sitesJoin = `ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site`

// sitesHoursJoin is sitesJoin with the sites' time zones and opening hours.
const sitesHoursJoin = `ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone, timezone AS tz, open_from, open_to FROM sites FINAL) USING site`

// simple compiles a pooled measure: the population with the columns its
// value and measure need, aggregated by site and then by scope (rollup);
// or, when the value needs the site's zone or hours, joined with the sites
// first (its rows grouped and weighted where it can: see weighted), then
// aggregated by scope.
func (b *builder) simple(periods []Period, m pooled) (Compiled, error) {
	d := b.d
	// Inner: the population, with the columns the value needs.
	sel, rng, where, exMiddle := b.population(periods, m)
	inner := b.read(sel, rng, where)
	reads := m.reads()

	aggs := "toUInt64(count()) AS sample, " + m.aggregate(b)
	if poolable(d) {
		// Nothing below needs the site's zone or hours.
		sql, err := rollup(inner, false, "", aggs)
		return Compiled{SQL: sql, Args: b.args}, err
	}

	// Middle: joined with the sites, the value computed; the rows grouped
	// first where every aggregate can be weighted (see weighted) and no
	// column is the row's own (its arrival time, for opening hours).
	middleCols := scopeCols
	names, named := columnNames(sel)
	if w, ok := weighted(aggs); ok && named && !d.OpeningHours {
		inner = groupedRows(inner, names)
		middleCols += ", " + weightColumn
		aggs = w
	}
	switch {
	case reads == "working_days":
		middleCols += ", (" + b.workingDays() + ") AS v"
	case reads != "":
		middleCols += ", v"
	}
	if c := m.carried(); c != "" {
		middleCols += ", " + c
	}
	join, outerWhere := sitesJoin, ""
	if d.OpeningHours {
		// Computed in the middle query, kept in the outer one: a filter
		// of the middle query on the sites' columns fails on 18.16.
		join, outerWhere = sitesHoursJoin, " WHERE open"
		middleCols += ", " + b.weekSecond() + " AS w, " + b.openHours(periods) + " AS open"
	}
	middle := "SELECT " + middleCols + " FROM (" + inner + ") " + join + exMiddle

	// Outer: the measure, by scope.
	sql := "SELECT pk, rg, dp, site, " + aggs + " FROM (" + middle + ")" + outerWhere + " GROUP BY pk, rg, dp, site WITH ROLLUP"
	return Compiled{SQL: sql, Args: b.args}, nil
}

// poolable tells whether d is a pooled measure whose value needs nothing of
// its site but the scopes — not working days (the zone), not opening
// hours: simple aggregates it by site before the join with the sites, and
// several such definitions of one source can share a query
// (CompilePooled).
func poolable(d *Definition) bool {
	m, ok := d.Measure.(pooled)
	return ok && m.reads() != "working_days" && !d.OpeningHours && (d.Exclude == nil || d.Exclude.Value != "working_days")
}

// population is the inner query of simple: the columns (site and pk
// first, then those the value and the measure read), months and conditions
// of the population of b.d over periods, and the middle query's condition
// when an exclusion needs the site's zone.
func (b *builder) population(periods []Period, m pooled) (sel []string, rng rangeCond, where []string, exMiddle string) {
	sel, rng = b.sitePeriod(periods)
	own, where, exMiddle := b.members(m)
	return append(sel, own...), rng, where, exMiddle
}

// sitePeriod are the first columns of a source's rows, site and pk, and
// the months the periods read.
func (b *builder) sitePeriod(periods []Period) ([]string, rangeCond) {
	col := b.dateColumn()
	return []string{"site", b.periodKey(col, periods) + " AS pk"}, b.ranges(col, periods, 0)
}

// members are the columns and conditions of the population of b.d beyond
// its site and period (see population; CompilePooled reads several
// definitions' members over one source's rows).
func (b *builder) members(m pooled) (sel, where []string, exMiddle string) {
	d := b.d
	switch {
	case d.Source == "cases" && b.c.Raw:
		where = append(where, "status = 'completed'", "isNotNull(completed_date)")
	case d.Source == "cases":
		// Each case's newest entry in its completion month (FINAL): a
		// completion not taken out by a later version.
		where = append(where, "status = 'completed'", "entry = 'completion'")
	}
	where = append(where, b.filter(d.Filter)...)
	// An exclusion on working days needs the site's zone: the inner query
	// marks the records its filter matches, the middle one drops them.
	exWorking := d.Exclude != nil && d.Exclude.Value == "working_days"
	if ex := d.Exclude; ex != nil {
		cond := b.filter(ex.Filter)
		switch {
		case exWorking:
			mark := "1"
			if len(cond) > 0 {
				mark = strings.Join(cond, " AND ")
			}
			sel = append(sel, "toUInt8("+mark+") AS exf")
			exMiddle = fmt.Sprintf(" WHERE NOT (exf AND (%s) < %s)", b.workingDays(), b.bind(ex.Below))
			cond = nil
		case ex.Value != "":
			cond = append(cond, fmt.Sprintf("ifNull((%s) < %s, 0)", valueSQL[ex.Value], b.bind(ex.Below)))
		}
		if len(cond) > 0 {
			where = append(where, "NOT ("+strings.Join(cond, " AND ")+")")
		}
	}
	reads := m.reads()
	if reads == "working_days" || exWorking {
		sel = append(sel, "toInt64(received_date) AS r", "toInt64(assumeNotNull(completed_date)) AS c")
	}
	if d.OpeningHours {
		sel = append(sel, "arrived_at AS ta", "arrived_date AS ad")
	}
	if reads != "" && reads != "working_days" {
		sel = append(sel, "("+valueSQL[reads]+") AS v")
		where = append(where, "isNotNull("+valueSQL[reads]+")")
	}
	msel, mwhere := m.columns(b)
	return append(sel, msel...), append(where, mwhere...), exMiddle
}

// workingDays is the number of working days d with r < d ≤ c (local
// dates as day numbers): weekdays in (r, c] minus the zone's holidays that
// fall on a weekday in (r, c]. Days are counted from Monday 1969-12-29
// (day −3), so day k is a weekday when k mod 7 < 5, and the weekdays in
// [0, n] number 5·⌊(n+1)/7⌋ + min((n+1) mod 7, 5).
func (b *builder) workingDays() string { return b.workingDaysBetween("r", "c") }

// workingDaysBetween is workingDays between the day-number columns r and c.
func (b *builder) workingDaysBetween(r, c string) string {
	wk := func(x string) string {
		return fmt.Sprintf("(5 * intDiv(%[1]s + 4, 7) + least(modulo(%[1]s + 4, 7), 5))", x)
	}
	return fmt.Sprintf("%s - %s - arrayCount(h -> h > %s AND h <= %s, %s)", wk(c), wk(r), r, c, b.holidayArrays())
}

// holidayArrays renders multiIf(zone = …, [day numbers], …) of the weekday
// holidays of each zone, from 2000 to the year after the last period.
func (b *builder) holidayArrays() string {
	to := b.maxYear + 1
	return byZone(func(_ int, z model.Zone) string {
		var days []string
		for _, h := range b.c.Calendar.HolidayDates(z, firstHolidayYear, to) {
			if wd := h.Weekday(); wd != time.Saturday && wd != time.Sunday {
				days = append(days, strconv.Itoa(int(h)))
			}
		}
		return "[" + strings.Join(days, ",") + "]"
	})
}

// byZone renders multiIf(zone = …, value, …, metropole's value): value(i,
// z) for each zone z = model.Zones[i], the metropole's as the default.
func byZone(value func(i int, z model.Zone) string) string {
	var parts []string
	national := ""
	for i, z := range model.Zones {
		v := value(i, z)
		if z == model.ZoneMetropole {
			national = v
			continue
		}
		parts = append(parts, fmt.Sprintf("zone = '%s', %s", z, v))
	}
	return "multiIf(" + strings.Join(parts, ", ") + ", " + national + ")"
}
