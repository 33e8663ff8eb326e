package indicators

import (
	"fmt"
	"globaloffice/calendar"
	"strconv"
	"strings"
	"time"
)

// The global office's measures (issue 16): one user's path across
// channels and from the front office to the back office, followed through
// the pseudonymous user_ref, the motive and the links between contacts and
// cases (a contact's case_id, a case's origin_contact_id).

// FirstContactResolution is the percentage of the population's contacts
// (with a user reference and a motive) that no further contact of the same
// user on the same motive follows, on any channel, strictly later and at
// most WindowHours after it.
type FirstContactResolution struct{ WindowHours int }

// ChannelSwitch is the percentage of the population's contacts (with a user
// reference and a motive) followed by a contact of the same user on the
// same motive on one of the To channels, strictly later and at most
// WindowHours after it: users who started online and came to a desk.
type ChannelSwitch struct {
	WindowHours int
	To          []string
}

// ChasingShare is the percentage of the population's contacts that are
// about a case still open when they arrive (received, and neither
// completed nor cancelled yet): failure demand, users chasing their file.
type ChasingShare struct{}

// ChasingRate is the number of contacts about a case still open when they
// arrive, per 100 cases open at some time in the period, counted at the
// case's site (the back office whose delay they chase).
type ChasingRate struct{}

// JourneyShare is the percentage of the period's completed cases opened
// by a contact whose journey took at most Threshold calendar days: from the
// user's first contact on the motive of the opening contact (within
// journeyLookbackDays before it) to the case's completion.
type JourneyShare struct{ Threshold float64 }

// JourneyQuantile is the exact nearest-rank P-quantile of the journey time
// in calendar days (see JourneyShare).
type JourneyQuantile struct{ P float64 }

// JourneyHandOffs is the mean number of hand-offs of the period's
// completed cases opened by a contact: the distinct front-office channels
// the user went through on the journey's motive up to the opening contact
// (within journeyLookbackDays before it, the opening one included), each
// handing on to the next, the last to the back office.
type JourneyHandOffs struct{}

// journeyLookbackDays bounds how far before the contact that opened a case
// an earlier contact on the same motive still starts its journey.
const journeyLookbackDays = 30

func (FirstContactResolution) Name() string { return "first_contact_resolution" }
func (ChannelSwitch) Name() string          { return "channel_switch" }
func (ChasingShare) Name() string           { return "chasing_share" }
func (ChasingRate) Name() string            { return "chasing_per_100" }
func (JourneyShare) Name() string           { return "journey_share" }
func (JourneyQuantile) Name() string        { return "journey_quantile" }
func (JourneyHandOffs) Name() string        { return "journey_handoffs" }

func (FirstContactResolution) Proportion() bool { return true }
func (ChannelSwitch) Proportion() bool          { return true }
func (ChasingShare) Proportion() bool           { return true }
func (ChasingRate) Proportion() bool            { return false }
func (JourneyShare) Proportion() bool           { return true }
func (JourneyQuantile) Proportion() bool        { return false }
func (JourneyHandOffs) Proportion() bool        { return false }

func (FirstContactResolution) value(a agg) (v, num, den *float64) { return percent(a) }
func (ChannelSwitch) value(a agg) (v, num, den *float64)          { return percent(a) }
func (ChasingShare) value(a agg) (v, num, den *float64)           { return percent(a) }
func (ChasingRate) value(a agg) (v, num, den *float64)            { return percent(a) }
func (JourneyShare) value(a agg) (v, num, den *float64)           { return percent(a) }
func (JourneyQuantile) value(a agg) (v, num, den *float64)        { return ptr(a.q), nil, nil }
func (JourneyHandOffs) value(a agg) (v, num, den *float64)        { return mean(a) }

func (FirstContactResolution) pace() float64 { return 100 }
func (ChannelSwitch) pace() float64          { return 100 }
func (ChasingShare) pace() float64           { return 100 }
func (ChasingRate) pace() float64            { return 0 } // its cases are a stock over the period
func (JourneyShare) pace() float64           { return 100 }
func (JourneyQuantile) pace() float64        { return 0 }
func (JourneyHandOffs) pace() float64        { return 1 }

func (m FirstContactResolution) compile(b *builder, ps []Period) (Compiled, error) {
	return b.followed([]*Definition{b.d}, ps, false)
}
func (m ChannelSwitch) compile(b *builder, ps []Period) (Compiled, error) {
	return b.followed([]*Definition{b.d}, ps, false)
}
func (ChasingShare) compile(b *builder, ps []Period) (Compiled, error) { return b.chasingShare(ps) }
func (ChasingRate) compile(b *builder, ps []Period) (Compiled, error)  { return b.chasingRate(ps) }
func (m JourneyShare) compile(b *builder, ps []Period) (Compiled, error) {
	return b.journey(ps)
}
func (m JourneyQuantile) compile(b *builder, ps []Period) (Compiled, error) {
	return b.journey(ps)
}
func (JourneyHandOffs) compile(b *builder, ps []Period) (Compiled, error) {
	return b.journey(ps)
}

// The values of a journey (see journey): its time in calendar days, and
// its hand-offs (the opening contact's channel when no earlier contact is
// known).
const (
	journeyDays     = "cd - if(sd > 0, least(sd, od1), od1)"
	journeyHandOffs = "greatest(nch, 1)"
)

// closedNever is the closing time (Unix seconds) of a case still open:
// after any contact.
const closedNever = 4102444800 // 2100-01-01

// openCasesRead selects the cases open at some time between day numbers
// minD and maxD (local dates) with their id, site, received and closing
// days (r, c: day numbers, noDay while open) and times (ra, ca: Unix
// seconds, closedNever while open): each case's newest version, from the
// cases table (raw path) or case_completions (open entries and the
// completions from minD's month on, as the backlog reads them). filter is
// a condition on the cases ("" for none).
func (b *builder) openCasesRead(minD, maxD int64, filter []string) string {
	day := func(x int64) string {
		return "toDate(" + b.bind(calendar.Date(x).String()) + ")"
	}
	where := []string{"received_date <= " + day(maxD)}
	var sel []string
	if b.c.Raw {
		sel = []string{"id", "site", "toInt64(received_date) AS r", fmt.Sprintf("if(status = 'open', toInt64(%d), toInt64(assumeNotNull(completed_date))) AS c", noDay),
			"toInt64(received_at) AS ra", fmt.Sprintf("if(status = 'open', toInt64(%d), toInt64(assumeNotNull(completed_at))) AS ca", closedNever)}
		where = append(where, "(status = 'open' OR ifNull(completed_date >= "+day(minD)+", 0))")
		where = append(where, filter...)
		return "SELECT " + strings.Join(sel, ", ") + " FROM cases FINAL WHERE " + strings.Join(where, " AND ")
	}
	sel = []string{"id", "site", "toInt64(received_date) AS r", fmt.Sprintf("if(entry = 'open', toInt64(%d), toInt64(completed_date)) AS c", noDay),
		"toInt64(received_at) AS ra", fmt.Sprintf("if(entry = 'open', toInt64(%d), toInt64(completed_at)) AS ca", closedNever)}
	// From the 1st of minD's month: FINAL collapses only the parts the
	// condition selects (see ranges).
	first := calendar.Date(minD).Time()
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	where = append(where, "(completed_date = toDate(0) OR completed_date >= toDate("+b.bind(first.Format(time.DateOnly))+"))", "entry IN ('open', 'completion')")
	where = append(where, filter...)
	if b.d.Source != "cases" {
		return b.from("cases", func() string { return b.backlogRead(sel, where, minD) })
	}
	return b.backlogRead(sel, where, minD)
}

// span is the first and last day numbers of the periods.
func span(periods []Period) (minD, maxD int64) {
	minD, maxD = int64(noDay), 0
	for _, p := range periods {
		minD = min(minD, int64(calendar.DateFromTime(p.From)))
		maxD = max(maxD, int64(calendar.DateFromTime(p.To)))
	}
	return minD, maxD
}

// chasingShare compiles chasing_share: the population's contacts (read as
// any contact measure), each marked when its case_id names a case open at
// its arrival.
func (b *builder) chasingShare(periods []Period) (Compiled, error) {
	d := b.d
	minD, maxD := span(periods)
	rows := b.read([]string{"site", b.periodKey("arrived_date", periods) + " AS pk", "case_id", "toInt64(arrived_at) AS t"},
		b.ranges("arrived_date", periods, 0), b.filter(d.Filter))
	// Cases open at a contact's arrival are open at some time in the
	// periods, which the contacts fall in — a day either side, as the
	// case's local dates are its site's and the contact's its own (a call
	// in Cayenne at 20:30 on 31 May chases a case received in Paris at
	// 1:00 on 1 June); only those the contacts name (a set of a few
	// thousand ids rather than a join's table of every case open then:
	// June's 0.2 s of 1.3).
	cases := "SELECT id AS case_id, ra, ca FROM (" + b.openCasesRead(minD-1, maxD+1, []string{"id IN (SELECT case_id FROM (" + rows + ") WHERE case_id != '')"}) + ")"
	marked := "SELECT pk, site, toUInt8(case_id != '' AND ra > 0 AND ra <= t AND t < ca) AS isnum FROM (" + rows + ") ANY LEFT JOIN (" + cases + ") USING case_id"
	sql, err := rollup(marked, false, "", "toUInt64(count()) AS sample, "+Ratio{}.aggregate(b))
	return Compiled{SQL: sql, Args: b.args}, err
}

// chasingRate compiles chasing_per_100: for each period, the cases open at
// some time in it (its population, at the case's site), each with the
// number of contacts of the period about it that arrived while it was open.
func (b *builder) chasingRate(periods []Period) (Compiled, error) {
	d := b.d
	minD, maxD := span(periods)
	filter := b.filter(d.Filter)
	if ex := d.Exclude; ex != nil && len(ex.Filter) > 0 {
		filter = append(filter, "NOT ("+strings.Join(b.filter(ex.Filter), " AND ")+")")
	}
	// Each case once per period it was open in. Day numbers are computed
	// here, not read from the catalog: literal. No lambda names r, c, ra
	// or ca: ClickHouse 18.16 prunes a subquery's columns that a lambda
	// alone uses ("Unknown identifier").
	var in []string
	for i, p := range periods {
		in = append(in, fmt.Sprintf("if(r <= %d AND c >= %d, [toUInt8(%d)], emptyArrayUInt8())", calendar.DateFromTime(p.To), calendar.DateFromTime(p.From), i+1))
	}
	flat := fmt.Sprintf("SELECT pk, id, site, ra, ca FROM (%s) ARRAY JOIN arrayConcat(%s) AS pk",
		b.openCasesRead(minD, maxD, filter), strings.Join(in, ", "))
	rows := b.from("contacts", func() string {
		return b.read([]string{"toUInt8(" + b.periodKey("arrived_date", periods) + ") AS pk", "case_id AS id", "toInt64(arrived_at) AS t"},
			b.ranges("arrived_date", periods, 0), []string{"case_id != ''"})
	})
	// Each case's contacts with their periods, joined by id alone: a
	// (pk, id) key cost 0.15 s of CPU more on a month of the bench.
	contacts := "SELECT id, groupArray(t) AS ts, groupArray(pk) AS ks FROM (" + rows + ") GROUP BY id"
	joined := "SELECT pk, id, site, ra, ca, ts, ks FROM (" + flat + ") ANY LEFT JOIN (" + contacts + ") USING id"
	// Each case's contacts of the period while it was open, counted on its
	// row: ra, ca and pk reach the lambda as arrays, not by name (see
	// above). Grouping the cases' contacts by id instead took 0.6 s of 1.0
	// on a month of the bench. Two rows of one case id are now two cases, where they were
	// one with its contacts counted twice: two case sources sharing an id,
	// or an instant where a case's open entry and its completion are both
	// read (a merged month read while another gets the entry taking the
	// first out) — wrong either way, and rare.
	counted := "SELECT pk, site, toUInt64(arrayCount((t, k, a, c, p) -> k = p AND t >= a AND t < c, ts, ks, replicate(ra, ts), replicate(ca, ts), replicate(pk, ts))) AS n FROM (" + joined + ")"
	sql, err := rollup(counted, false, "", "toUInt64(count()) AS sample, toFloat64(sum(n)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q")
	return Compiled{SQL: sql, Args: b.args}, err
}

// journeyMeasure tells whether m is a measure of journeys (computed
// together by CompileJourneys).
func journeyMeasure(m Measure) bool {
	switch m.(type) {
	case JourneyShare, JourneyQuantile, JourneyHandOffs:
		return true
	}
	return false
}

// CompileJourneys compiles the journey measures of defs (journeyMeasure:
// journey_share, journey_quantile, journey_handoffs) together, over the
// same periods: the rows of every compiled query, each led by ix UInt8,
// the 1-based index of its definition in defs. Each journey measure finds
// the contacts that opened its cases and their users' earlier contacts in
// every month of contacts: once for all of them.
func (c *Compiler) CompileJourneys(defs []*Definition, periods []Period, merged Parts, today time.Time) (Compiled, error) {
	if len(defs) == 0 || len(defs) > maxPacked {
		return Compiled{}, fmt.Errorf("journey measures: %d definitions", len(defs))
	}
	for _, d := range defs {
		if !journeyMeasure(d.Measure) || d.Source != "cases" {
			return Compiled{}, fmt.Errorf("indicator %s: not a journey measure", d.ID)
		}
	}
	return c.CompileJourneysWith(defs, periods, merged, today, Pending{})
}

// CompileJourneysWith is CompileJourneys knowing what JourneyPending
// listed: the resolved journey starts are read where exact.
func (c *Compiler) CompileJourneysWith(defs []*Definition, periods []Period, merged Parts, today time.Time, p Pending) (Compiled, error) {
	if len(defs) == 0 || len(defs) > maxPacked {
		return Compiled{}, fmt.Errorf("journey measures: %d definitions", len(defs))
	}
	b, err := c.builder(defs[0], periods, merged, today)
	if err != nil {
		return Compiled{}, err
	}
	b.pending = &p
	// The engine reads the definition's index when there are several.
	return b.journeys(defs, periods, len(defs) > 1)
}

// journey compiles one journey measure (see journeys).
func (b *builder) journey(periods []Period) (Compiled, error) {
	return b.journeys([]*Definition{b.d}, periods, false)
}

// journeys compiles journey_share, journey_quantile and journey_handoffs:
// the period's completed cases that name the contact that opened them,
// each with its journey time (journeyDays) and hand-offs
// (journeyHandOffs), then one row per definition whose population the
// case is in (its period keys packed a byte per definition, as in
// followed) with the definition's value, aggregated by definition (the
// leading ix column when withIx), period and scope.
func (b *builder) journeys(defs []*Definition, periods []Period, withIx bool) (Compiled, error) {
	col := b.dateColumn()
	where := []string{"status = 'completed'", "origin_contact_id != ''"}
	if b.c.Raw {
		where = append(where, "isNotNull(completed_date)")
	} else {
		where = append(where, "entry = 'completion'")
	}
	var keys, unpack, values, nums, qs []string
	for i, d := range defs {
		b.d = d
		cond := append([]string{"1"}, b.filter(d.Filter)...)
		if ex := d.Exclude; ex != nil && len(ex.Filter) > 0 {
			cond = append(cond, "NOT ("+strings.Join(b.filter(ex.Filter), " AND ")+")")
		}
		keys = append(keys, fmt.Sprintf("bitShiftLeft(toUInt64(if(%s, pk0, 0)), %d)", strings.Join(cond, " AND "), 8*i))
		unpack = append(unpack, fmt.Sprintf("toUInt8(bitAnd(bitShiftRight(kv, %d), 255))", 8*i))
		ix := strconv.Itoa(i + 1)
		switch m := d.Measure.(type) {
		case JourneyShare:
			values = append(values, "toFloat64("+journeyDays+")")
			nums = append(nums, "ix = "+ix+", toFloat64(countIf(v <= "+b.bind(m.Threshold)+"))")
		case JourneyQuantile:
			values = append(values, "toFloat64("+journeyDays+")")
			qs = append(qs, "ix = "+ix+", "+quantileSQL(m.P, "v", "ix = "+ix))
		case JourneyHandOffs:
			values = append(values, "toFloat64("+journeyHandOffs+")")
			nums = append(nums, "ix = "+ix+", toFloat64(sum(v))")
		}
	}
	cases := b.read([]string{"site", b.periodKey(col, periods) + " AS pk0", "origin_contact_id AS oc", "toInt64(" + col + ") AS cd", strings.Join(keys, " + ") + " AS kv"},
		b.ranges(col, periods, 0), where)
	// The opening contacts (one per id: ids are unique across sources
	// in practice; any() picks one otherwise), then the first contact of
	// the same user on the same motive in the lookback before it: resolved
	// beforehand where it can be (journeyStarts).
	_, join := b.journeyStarts(cases, periods)
	timed := fmt.Sprintf("SELECT site, [%s] AS ks, [%s] AS vs FROM (%s) %s",
		strings.Join(unpack, ", "), strings.Join(values, ", "), cases, join)
	flat := "SELECT ix, k AS pk, site, v FROM (" + timed + ") ARRAY JOIN arrayEnumerate(ks) AS ix, ks AS k, vs AS v WHERE k > 0"
	num, q := "toFloat64(0)", "toFloat64(0)"
	if len(nums) > 0 {
		num = "multiIf(" + strings.Join(nums, ", ") + ", toFloat64(0))"
	}
	if len(qs) > 0 {
		q = "multiIf(" + strings.Join(qs, ", ") + ", toFloat64(0))"
	}
	// Grouped by ix even alone: num and q choose their definition by it.
	lead := "toUInt8(ix) AS ix, "
	if !withIx {
		lead = ""
	}
	sql, err := rollup(flat, true, lead, "toUInt64(count()) AS sample, "+num+" AS num, toFloat64(count()) AS den, "+q+" AS q")
	return Compiled{SQL: sql, Args: b.args}, err
}

// userMotive is one string for a contact's motive and user: a key of one
// column groups and joins faster on 18.16 than the pair (0.88 s → 0.62 s
// for a month's followed measures, 3.1 s → 2.6 s for the journeys). The
// motive's length leads, so that no two pairs give one key.
const userMotive = "concat(toString(length(motive)), ':', toString(motive), user_ref)"

// openingContacts selects the contacts that opened cases, named by the
// IN operand ids (a subquery or a bound set of their ids): their id oc,
// user ou, motive om, both as um (userMotive), arrival oa (Unix seconds),
// and the columns more. One per id, the one ingested last (as a merge of
// a contact sent twice keeps it; ids are unique across sources in
// practice). The id is in the primary key (source, id), behind a source
// of a few values: a few ids are read cheaply, many touch every granule.
func openingContacts(ids string, more ...string) string {
	cols := append([]string{"id AS oc", "argMax(user_ref, ingested_at) AS ou", "argMax(motive, ingested_at) AS om", "argMax(" + userMotive + ", ingested_at) AS um", "argMax(toInt64(arrived_at), ingested_at) AS oa"}, more...)
	return "SELECT " + strings.Join(cols, ", ") + " FROM contacts WHERE id IN " + ids + " GROUP BY id"
}

// userContacts selects every contact (that meets where, "" for all) of
// the users of the opening contacts named by ids (see openingContacts):
// user and motive um (userMotive), arrival a (Unix seconds), and the
// columns more. Joined with openingContacts on um, inLookback keeps those
// on the journey's motive before the opening one.
func userContacts(ids, where string, more ...string) string {
	cols := append([]string{userMotive + " AS um", "toInt64(arrived_at) AS a"}, more...)
	if where != "" {
		where = " AND " + where
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM contacts WHERE user_ref != '' AND user_ref IN (SELECT user_ref FROM contacts WHERE id IN " + ids + ")" + where
}

// inLookback keeps a user's contact a within the lookback before the
// opening contact oa, the opening one included.
var inLookback = fmt.Sprintf("a >= oa - %d AND a <= oa", journeyLookbackDays*86400)

// Definitions in words (see describe.go).

func (m FirstContactResolution) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s (d'un usager identifié, avec un motif) qu'aucun autre contact du même usager sur le même motif ne suit, sur tout canal, dans les %d heures : la demande a été réglée au premier contact.", pop, m.WindowHours)
	}
	return fmt.Sprintf("Share of %s (of a known user, with a motive) that no other contact of the same user on the same motive follows, on any channel, within %d hours: the request was settled at the first contact.", pop, m.WindowHours)
}

func (m ChannelSwitch) describe(lang, pop string) string {
	to := strings.Join(m.To, ", ")
	if lang == FR {
		return fmt.Sprintf("Part des %s (d'un usager identifié, avec un motif) suivis, dans les %d heures, d'un contact du même usager sur le même motif par le canal %s : l'usager a changé de canal pour la même demande.", pop, m.WindowHours, to)
	}
	return fmt.Sprintf("Share of %s (of a known user, with a motive) followed within %d hours by a contact of the same user on the same motive on channel %s: the user switched channels for the same request.", pop, m.WindowHours, to)
}

func (ChasingShare) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s qui portent sur un dossier encore en cours à leur arrivée (reçu, ni terminé ni annulé) : des usagers qui relancent leur dossier, une demande évitable.", pop)
	}
	return fmt.Sprintf("Share of %s about a case still open when they arrive (received, neither completed nor cancelled): users chasing their file, avoidable demand.", pop)
}

func (ChasingRate) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Contacts de la période portant sur un dossier encore en cours à leur arrivée, pour 100 %s en cours à un moment de la période, comptés au site du dossier.", pop)
	}
	return fmt.Sprintf("Contacts of the period about a case still open when they arrive, per 100 %s open at some time in the period, counted at the case's site.", pop)
}

func (ChasingRate) place(lang string) string {
	if lang == FR {
		return "Chaque dossier compte dans chaque période où il a été en cours (reçu avant la fin de la période, ni terminé ni annulé avant son début)"
	}
	return "Each case counts in every period in which it was open (received before the period's end, neither completed nor cancelled before its start)"
}

func journeyText(lang string) string {
	if lang == FR {
		return fmt.Sprintf("du premier contact de l'usager sur le motif du contact qui a ouvert le dossier (dans les %d jours qui le précèdent) à la clôture du dossier, en jours calendaires ; seuls les dossiers qui nomment le contact qui les a ouverts comptent", journeyLookbackDays)
	}
	return fmt.Sprintf("from the user's first contact on the motive of the contact that opened the case (within the %d days before it) to the case's completion, in calendar days; only cases naming the contact that opened them count", journeyLookbackDays)
}

func (m JourneyShare) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s dont le parcours a duré au plus %s jours : %s.", pop, num(m.Threshold), journeyText(lang))
	}
	return fmt.Sprintf("Share of %s whose journey took at most %s days: %s.", pop, num(m.Threshold), journeyText(lang))
}

func (JourneyHandOffs) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Nombre moyen de passages de relais des %s : les canaux distincts par lesquels l'usager est passé sur le motif du contact qui a ouvert le dossier (dans les %d jours qui le précèdent, ce contact compris), chacun passant la main au suivant, le dernier au back office ; seuls les dossiers qui nomment le contact qui les a ouverts comptent.", pop, journeyLookbackDays)
	}
	return fmt.Sprintf("Mean number of hand-offs of %s: the distinct channels the user went through on the motive of the contact that opened the case (within the %d days before it, that contact included), each handing on to the next, the last to the back office; only cases naming the contact that opened them count.", pop, journeyLookbackDays)
}

func (m JourneyQuantile) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("%s centile exact (rang le plus proche) de la durée du parcours des %s : %s.", num(m.P*100), pop, journeyText(lang))
	}
	return fmt.Sprintf("Exact nearest-rank %s percentile of the journey time of %s: %s.", num(m.P*100), pop, journeyText(lang))
}
