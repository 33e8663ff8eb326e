package indicators

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
	"globaloffice/store"
)

// Back-office backlog: a stock, not a flow. The backlog of a period is
// the set of cases open at its measuring date D (measuringDate): received
// by D (received_date ≤ D) and not closed by D. A case is closed by D when
// its newest version is completed or cancelled with a completion date on
// or before D, or cancelled without a date (closed, date unknown); an open
// case, or one completed or cancelled after D, is open at D. A case's age
// at D is the working days d with received_date < d ≤ D (the engine's
// working-day rule, with the site's zone holidays): a case received on D
// is 0 days old.
//
// The structured path reads case_completions' open entries (partition
// 197001, store.OpenMonth) and the completions after the earliest D: a
// period's backlog costs the open cases and what was completed since,
// not the history. The raw path reads cases FINAL.

// BacklogShare is the percentage of the backlog aged at most Threshold
// working days.
type BacklogShare struct {
	Threshold float64
	LeftOut   Seasons
}

// BacklogSize is the number of cases in the backlog.
type BacklogSize struct{ LeftOut Seasons }

// BacklogOldest is the age, in working days, of the backlog's oldest case.
type BacklogOldest struct{ LeftOut Seasons }

// backlog is a measure over the backlog's rows, each with its age v.
type backlog interface {
	Measure
	// seasons are the date ranges in which a measuring date leaves the
	// period out.
	seasons() Seasons
	// aggregate computes num, den and q (Float64) by scope.
	aggregate(b *builder) string
}

func (BacklogShare) Name() string  { return "backlog_share" }
func (BacklogSize) Name() string   { return "backlog_size" }
func (BacklogOldest) Name() string { return "backlog_oldest" }

func (BacklogShare) Proportion() bool  { return true }
func (BacklogSize) Proportion() bool   { return false }
func (BacklogOldest) Proportion() bool { return false }

func (BacklogShare) value(a agg) (v, num, den *float64)  { return percent(a) }
func (BacklogSize) value(a agg) (v, num, den *float64)   { return ptr(a.den), nil, nil }
func (BacklogOldest) value(a agg) (v, num, den *float64) { return ptr(a.q), nil, nil }

// A stock cannot be projected over the rest of the year.
func (BacklogShare) pace() float64  { return 0 }
func (BacklogSize) pace() float64   { return 0 }
func (BacklogOldest) pace() float64 { return 0 }

func (m BacklogShare) compile(b *builder, ps []Period) (Compiled, error)  { return b.backlog(ps, m) }
func (m BacklogSize) compile(b *builder, ps []Period) (Compiled, error)   { return b.backlog(ps, m) }
func (m BacklogOldest) compile(b *builder, ps []Period) (Compiled, error) { return b.backlog(ps, m) }

func (m BacklogShare) seasons() Seasons  { return m.LeftOut }
func (m BacklogSize) seasons() Seasons   { return m.LeftOut }
func (m BacklogOldest) seasons() Seasons { return m.LeftOut }

func (m BacklogShare) aggregate(b *builder) string {
	return fmt.Sprintf("toFloat64(countIf(v <= %s)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q", b.bind(m.Threshold))
}
func (BacklogSize) aggregate(*builder) string {
	return "toFloat64(count()) AS num, toFloat64(count()) AS den, toFloat64(0) AS q"
}
func (BacklogOldest) aggregate(*builder) string {
	return "toFloat64(0) AS num, toFloat64(count()) AS den, toFloat64(max(v)) AS q"
}

// Season is a range of days, both included: MM-DD..MM-DD every year (it
// may wrap over the new year: 12-15..01-15), or YYYY-MM-DD..YYYY-MM-DD once.
type Season struct {
	Text     string
	yearly   bool
	from, to time.Time // in year 2000 when yearly (a leap year: 02-29 exists)
}

// Seasons are the date ranges in which a backlog measuring date leaves its
// period out (seasonal campaigns, when a kind's backlog is high by design).
type Seasons []Season

// ParseSeason reads MM-DD..MM-DD or YYYY-MM-DD..YYYY-MM-DD.
func ParseSeason(s string) (Season, error) {
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return Season{}, fmt.Errorf("%q: want MM-DD..MM-DD (every year) or YYYY-MM-DD..YYYY-MM-DD", s)
	}
	if len(from) == 5 && len(to) == 5 {
		f, err1 := time.Parse(time.DateOnly, "2000-"+from)
		t, err2 := time.Parse(time.DateOnly, "2000-"+to)
		if err1 != nil || err2 != nil {
			return Season{}, fmt.Errorf("%q: not two days MM-DD", s)
		}
		return Season{Text: s, yearly: true, from: f, to: t}, nil
	}
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	switch {
	case err1 != nil || err2 != nil:
		return Season{}, fmt.Errorf("%q: not two dates YYYY-MM-DD (or MM-DD every year)", s)
	case t.Before(f):
		return Season{}, fmt.Errorf("%q: ends before it starts", s)
	}
	return Season{Text: s, from: f, to: t}, nil
}

// contains reports whether day d falls in the season.
func (s Season) contains(d time.Time) bool {
	if !s.yearly {
		return !d.Before(s.from) && !d.After(s.to)
	}
	md := func(t time.Time) int { return int(t.Month())*100 + t.Day() }
	x, f, t := md(d), md(s.from), md(s.to)
	if f <= t {
		return f <= x && x <= t
	}
	return x >= f || x <= t
}

// contain reports whether day d falls in one of the seasons.
func (ss Seasons) contain(d time.Time) bool {
	for _, s := range ss {
		if s.contains(d) {
			return true
		}
	}
	return false
}

// measuringDate is the day a backlog of period p is measured at in zone z:
// the period's last working day (a period ending on a Monday holiday is
// measured on the Friday before), or, for a period still running, the
// last working day up to today included (the backlog as it stands); false
// when the period has no working day by then (a Sunday, a holiday, a
// period to come).
func (c *Compiler) measuringDate(z model.Zone, p Period, today time.Time) (calendar.Date, bool) {
	last := calendar.DateFromTime(p.To)
	if t := calendar.DateOf(today.Year(), today.Month(), today.Day()); t < last {
		last = t
	}
	for d := last; d >= calendar.DateFromTime(p.From); d-- {
		if c.Calendar.IsWorkingDay(z, d) {
			return d, true
		}
	}
	return 0, false
}

// noDay is a day number after any Date (2149-06-06 is the last): an open
// case's closing day. lastDay bounds the dates bound in a query (periods
// end by 2100).
const (
	noDay   = 65536
	lastDay = 47846 // 2100-12-31
)

// backlog compiles a backlog measure: the cases open at each period's
// measuring date, by zone (the dates differ with the zones' holidays), in
// four levels. The read takes every case possibly open at one of the
// dates: received by the latest, and open or closed after the earliest
// (the structured path: partition 197001 and the months after the
// earliest date). Each row then goes to every period whose dates (their
// earliest and latest over the zones) it may be open at (ARRAY JOIN: a
// case open at several dates counts in several periods); joined with the
// sites, it is kept where it is open at its zone's date, and aged there.
func (b *builder) backlog(periods []Period, m backlog) (Compiled, error) {
	aged := b.backlogRows(periods, m.seasons())
	// The cases grouped by period, site and dates before the join (see
	// weighted); every backlog aggregate can be weighted.
	aggs, ok := weighted("toUInt64(count()) AS sample, " + m.aggregate(b))
	if !ok {
		return Compiled{}, fmt.Errorf("indicator %s: its aggregate cannot be weighted", b.d.ID)
	}
	sql := "SELECT pk, rg, dp, site, " + aggs + " FROM (" + aged + ") GROUP BY pk, rg, dp, site WITH ROLLUP"
	return Compiled{SQL: sql, Args: b.args}, nil
}

// backlogKey groups the backlog definitions that share their rows (source,
// population, seasons): computed together by CompileBacklogs.
func backlogKey(d *Definition) (string, bool) {
	m, ok := d.Measure.(backlog)
	if !ok {
		return "", false
	}
	var texts []string
	for _, s := range m.seasons() {
		texts = append(texts, s.Text)
	}
	ex := "none"
	if e := d.Exclude; e != nil {
		ex = fmt.Sprintf("%s %q %v", filterKey(e.Filter), e.Value, e.Below)
	}
	return fmt.Sprintf("%q %s %s %q", d.Source, filterKey(d.Filter), ex, texts), true
}

// filterKey writes f unambiguously (%v would print {kind: ["a b"]} and
// {kind: ["a", "b"]} alike): its fields in order, values quoted.
func filterKey(f Filter) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(f)) {
		fmt.Fprintf(&b, "%q:%q ", k, f[k])
	}
	return "{" + b.String() + "}"
}

// CompileBacklogs compiles backlog definitions of one backlogKey together
// over the same periods: the backlog's rows once, each definition's
// aggregates beside the others', and one row per definition, scope and
// period at the end, led by ix UInt8, the definition's 1-based index. The
// allowance backlog's share, size and oldest read the same open cases:
// three queries of about 0.2 s of CPU each on a month of the bench.
func (c *Compiler) CompileBacklogs(defs []*Definition, periods []Period, merged Parts, today time.Time) (Compiled, error) {
	if len(defs) == 0 || len(defs) > maxPooled {
		return Compiled{}, fmt.Errorf("backlog measures: %d definitions", len(defs))
	}
	k0, _ := backlogKey(defs[0])
	for _, d := range defs {
		if k, ok := backlogKey(d); !ok || k != k0 {
			return Compiled{}, fmt.Errorf("indicator %s: not a backlog computed with %s", d.ID, defs[0].ID)
		}
	}
	b, err := c.builder(defs[0], periods, merged, today)
	if err != nil {
		return Compiled{}, err
	}
	aged := b.backlogRows(periods, defs[0].Measure.(backlog).seasons())
	var cols sideBySide
	for i, d := range defs {
		b.d = d
		aggs, ok := weighted("toUInt64(count()) AS sample, " + d.Measure.(backlog).aggregate(b))
		if !ok {
			return Compiled{}, fmt.Errorf("indicator %s: its aggregate cannot be weighted", d.ID)
		}
		cols.add(i+1, aggs)
	}
	scoped := "SELECT pk, rg, dp, site, " + strings.Join(cols.wide, ", ") + " FROM (" + aged + ") GROUP BY pk, rg, dp, site WITH ROLLUP"
	sql, err := cols.unpivot(scoped, len(defs))
	if err != nil {
		return Compiled{}, fmt.Errorf("backlog measures %s: %w", ids(defs), err)
	}
	return Compiled{SQL: sql, Args: b.args}, nil
}

// backlogRows are the backlog's rows for the periods (see backlog): by
// period, scope and dates, each with its weight and age v.
func (b *builder) backlogRows(periods []Period, seasons Seasons) string {
	d := b.d
	n := len(periods)
	zoneDays := make([][]int64, len(model.Zones)) // day numbers, 0 for none
	for zi := range zoneDays {
		zoneDays[zi] = make([]int64, n)
	}
	lo, hi := make([]int64, n), make([]int64, n)
	minD, maxD := int64(noDay), int64(0)
	for i, p := range periods {
		left := false
		for zi, z := range model.Zones {
			if day, ok := b.c.measuringDate(z, p, b.today); ok {
				zoneDays[zi][i] = int64(day)
				left = left || seasons.contain(day.Time())
			}
		}
		// A period whose date falls in a season in any zone is left out
		// whole: a national figure pooling only some zones would mislead.
		lo[i], hi[i] = noDay, 0
		for zi := range zoneDays {
			if left {
				zoneDays[zi][i] = 0
			}
			if day := zoneDays[zi][i]; day > 0 {
				lo[i], hi[i] = min(lo[i], day), max(hi[i], day)
			}
		}
		if hi[i] > 0 {
			minD, maxD = min(minD, lo[i]), max(maxD, hi[i])
		}
	}
	// Day numbers are computed here, not read from the catalog: literal.
	ints := func(xs []int64) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = strconv.FormatInt(x, 10)
		}
		return "[" + strings.Join(s, ",") + "]"
	}
	day := func(x int64) string {
		return "toDate(" + b.bind(calendar.Date(min(x, lastDay)).String()) + ")"
	}
	where := []string{"received_date <= " + day(maxD)}
	var sel []string
	if b.c.Raw {
		sel = []string{"site", "toInt64(received_date) AS r", fmt.Sprintf("if(status = 'open', toInt64(%d), toInt64(assumeNotNull(completed_date))) AS c", noDay)}
		where = append(where, "(status = 'open' OR ifNull(completed_date > "+day(minD)+", 0))")
	} else {
		// completed_date bare, for the partition pruning.
		sel = []string{"site", "toInt64(received_date) AS r", fmt.Sprintf("if(entry = 'open', toInt64(%d), toInt64(completed_date)) AS c", noDay)}
		// From the 1st of minD's month, not the day after minD: a superseded
		// entry is dated the 1st of its month, and FINAL collapses only the
		// rows of the parts the condition selects (see ranges). The
		// measuring days (c > dd below) stay exact.
		first := calendar.Date(min(minD, lastDay)).Time()
		first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
		where = append(where, "(completed_date = toDate(0) OR completed_date >= toDate("+b.bind(first.Format(time.DateOnly))+"))", "entry IN ('open', 'completion')")
	}
	where = append(where, b.filter(d.Filter)...)
	if ex := d.Exclude; ex != nil && len(ex.Filter) > 0 {
		where = append(where, "NOT ("+strings.Join(b.filter(ex.Filter), " AND ")+")")
	}
	inner := b.backlogRead(sel, where, minD)

	ks := make([]int64, n)
	for i := range ks {
		ks[i] = int64(i + 1)
	}
	flat := fmt.Sprintf("SELECT toUInt8(k) AS pk, site, r, c FROM (%s) ARRAY JOIN arrayFilter(i -> r <= arrayElement(%s, i) AND c > arrayElement(%s, i), %s) AS k",
		inner, ints(hi), ints(lo), ints(ks))
	days := byZone(func(zi int, _ model.Zone) string { return ints(zoneDays[zi]) })
	flat = groupedRows(flat, []string{"pk", "site", "r", "c"})
	dated := "SELECT " + scopeCols + ", zone, r, c, " + weightColumn + ", arrayElement(" + days + ", pk) AS dd FROM (" + flat + ") " + sitesJoin
	return "SELECT pk, site, rg, dp, " + weightColumn + ", (" + b.workingDaysBetween("r", "dd") + ") AS v FROM (" + dated + ") WHERE dd > 0 AND r <= dd AND c > dd"
}

// stock is a measure over a stock at a date rather than events in the
// period: its definition places the records its own way.
type stock interface{ place(lang string) string }

func (BacklogShare) place(lang string) string  { return backlogPlace(lang) }
func (BacklogSize) place(lang string) string   { return backlogPlace(lang) }
func (BacklogOldest) place(lang string) string { return backlogPlace(lang) }

func backlogPlace(lang string) string {
	if lang == FR {
		return "Le stock est mesuré au dernier jour ouvré de la période dans la zone du site (jusqu'à aujourd'hui pour la période en cours) : dossiers reçus à cette date et ni terminés ni annulés à cette date (un dossier annulé sans date est clos)"
	}
	return "The backlog is measured on the period's last working day in the site's zone (up to today for the running period): cases received by that day and neither completed nor cancelled by it (a case cancelled without a date is closed)"
}

func (m BacklogShare) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s en stock âgés d'au plus %s jours ouvrés (hors week-ends et jours fériés de la zone du site), l'âge comptant les jours ouvrés après la réception jusqu'à la date de mesure.%s", pop, num(m.Threshold), seasonsText(lang, m.LeftOut))
	}
	return fmt.Sprintf("Share of the backlog of %s aged at most %s working days (weekends and the site's public holidays excluded), the age counting the working days after receipt up to the measuring day.%s", pop, num(m.Threshold), seasonsText(lang, m.LeftOut))
}

func (m BacklogSize) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Nombre de %s en stock.%s", pop, seasonsText(lang, m.LeftOut))
	}
	return fmt.Sprintf("Number of %s in the backlog.%s", pop, seasonsText(lang, m.LeftOut))
}

func (m BacklogOldest) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Âge du plus ancien des %s en stock, en jours ouvrés après la réception.%s", pop, seasonsText(lang, m.LeftOut))
	}
	return fmt.Sprintf("Age of the oldest of the backlog of %s, in working days after receipt.%s", pop, seasonsText(lang, m.LeftOut))
}

// seasonsText names the seasons that leave a period out.
func seasonsText(lang string, ss Seasons) string {
	if len(ss) == 0 {
		return ""
	}
	texts := make([]string, len(ss))
	for i, s := range ss {
		texts[i] = s.Text
		if s.yearly {
			texts[i] += map[bool]string{true: " chaque année", false: " every year"}[lang == FR]
		}
	}
	if lang == FR {
		return " Pas de résultat pour une période mesurée pendant une campagne (" + strings.Join(texts, ", ") + ")."
	}
	return " No result for a period measured during a campaign (" + strings.Join(texts, ", ") + ")."
}

// backlogRead renders the read of the open cases and the completions
// after minD: with FINAL, except the months merged into one part, read
// from that part without FINAL (see CompileMerged), the others with FINAL,
// by UNION ALL.
func (b *builder) backlogRead(sel, where []string, minD int64) string {
	table, merged := b.table(), b.merged
	all := "SELECT " + strings.Join(sel, ", ") + " FROM " + table + " FINAL WHERE " + strings.Join(where, " AND ")
	if merged == nil || minD == noDay {
		return all
	}
	from := calendar.Date(min(minD, lastDay)).Time()
	first := from.Year()*100 + int(from.Month())
	var clean []string
	var dirty []int
	for m, part := range merged {
		if m != store.OpenMonth && m < first {
			continue
		}
		if part != "" {
			clean = append(clean, part)
		} else {
			dirty = append(dirty, m)
		}
	}
	if len(clean) == 0 {
		return all
	}
	sort.Strings(clean)
	sort.Ints(dirty)
	read := "SELECT " + strings.Join(sel, ", ") + " FROM " + table + " WHERE _part IN " + b.set(clean) + " AND " + strings.Join(where, " AND ")
	if len(dirty) == 0 {
		return read
	}
	var months []string
	for _, m := range dirty {
		if m == store.OpenMonth {
			months = append(months, "completed_date = toDate(0)")
			continue
		}
		start := time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
		months = append(months, fmt.Sprintf("(completed_date >= toDate(%s) AND completed_date <= toDate(%s))", b.bind(start.Format(time.DateOnly)), b.bind(start.AddDate(0, 1, -1).Format(time.DateOnly))))
	}
	return read + " UNION ALL SELECT " + strings.Join(sel, ", ") + " FROM " + table + " FINAL WHERE (" + strings.Join(months, " OR ") + ") AND " + strings.Join(where, " AND ")
}
