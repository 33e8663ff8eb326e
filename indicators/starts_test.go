package indicators_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"globaloffice/calendar"
	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// The journey measures read the journey starts resolved by a background
// pass (journey_starts) where no contact ingested since can change them.
// TestCasePathsAgree runs a pass on the demo data and compares both paths
// from then on (cases moved, months merged and written again, a rebuild);
// checkJourneyStarts, at its end, follows hand-made journeys through late
// contacts.

// journeyIDs are the journey measures of the default catalog.
var journeyIDs = []string{"journey.time_median", "journey.within_30d", "journey.handoffs"}

// resolveStarts runs a pass once every insert is over: its watermark is
// now less a second, and contacts carry the second their insert began.
// Then no opening contact of a month with completions is left to compute
// from the contacts.
func resolveStarts(t *testing.T, db *store.DB, all bool) indicators.StartsStats {
	t.Helper()
	ctx := context.Background()
	time.Sleep(1100 * time.Millisecond)
	st, err := indicators.ResolveJourneyStarts(ctx, db, 0, all)
	if err != nil {
		t.Fatal(err)
	}
	if st.Months == 0 {
		t.Fatalf("pass: %+v, no month with journeys", st)
	}
	for m := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		rest, err := indicators.PendingJourneyStarts(ctx, db, store.Month(m))
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) > 0 {
			t.Errorf("after a pass (%+v), %d: %d opening contacts left to compute (%v…)", st, store.Month(m), len(rest), rest[0])
		}
	}
	return st
}

// compareJourneys compares the journey measures of both paths over
// periods around February 2026, and returns the structured path's results
// at site PAR-11 for February.
func compareJourneys(t *testing.T, db *store.DB, when string) map[string]indicators.Result {
	t.Helper()
	ctx := context.Background()
	_, structured, raw := bothPaths(t, db)
	today := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	out := map[string]indicators.Result{}
	for _, ps := range []string{"2026-02", "2026-W06", "2026-Q1", "2026-01-20..2026-02-19"} {
		p, err := indicators.ParsePeriod(ps, today)
		if err != nil {
			t.Fatal(err)
		}
		q := indicators.Query{Period: p, Live: true, Selection: indicators.Selection{Indicators: journeyIDs}}
		want, err := raw.Results(ctx, q)
		if err != nil {
			t.Fatalf("%s raw: %v", ps, err)
		}
		got, err := structured.Results(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", ps, err)
		}
		if len(got.Results) != len(want.Results) || len(want.Results) == 0 {
			t.Fatalf("%s %s: %d results, raw path %d", when, ps, len(got.Results), len(want.Results))
		}
		for i := range want.Results {
			w, g := want.Results[i], got.Results[i]
			if !reflect.DeepEqual(w, g) {
				t.Errorf("%s %s: %s %s %s differs:\n got %+v\nwant %+v", when, ps, w.Indicator, w.Scope, w.ScopeID, g, w)
			}
			if ps == "2026-02" && g.Scope == model.ScopeSite && g.ScopeID == pathsSite {
				out[g.Indicator] = g
			}
		}
	}
	if out["journey.handoffs"].Sample == 0 {
		t.Fatalf("%s: no journey at %s in February 2026: the comparison proves nothing", when, pathsSite)
	}
	return out
}

// checkJourneyStarts follows hand-made journeys at PAR-11 through a pass,
// a resolved row made wrong on purpose, and late contacts: an earlier
// contact of a journey's user on its motive (its start moves), and the
// contact that opened a case arriving after it.
func checkJourneyStarts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	send := sender(t, db, "journeys")
	const head = "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n"
	journeyCase := func(id, origin, user string) string {
		return `{"id":"` + id + `","source":"hand","site":"` + pathsSite + `","kind":"reimbursement","channel":"mail","received_at":"2026-02-05T09:00:00Z","completed_at":"2026-02-20T10:00:00Z","status":"completed","user_ref":"` + user + `","updated_at":"2026-02-20T10:00:00Z","origin_contact_id":"` + origin + `"}` + "\n"
	}
	send(ingest.KindContacts, ingest.FormatCSV, head+"jo-open,hand,"+pathsSite+",reception,2026-02-03T09:00:00Z,2026-02-03T09:05:00Z,2026-02-03T09:15:00Z,served,other,u-jo,front\n")
	send(ingest.KindCases, ingest.FormatNDJSON, journeyCase("jo-case", "jo-open", "u-jo")+journeyCase("jo-case2", "jo-open2", "u-jo2"))
	if st := resolveStarts(t, db, false); st.Resolved == 0 {
		t.Fatalf("pass %+v: the new cases' opening contacts not resolved", st)
	}
	before := compareJourneys(t, db, "hand journeys resolved")

	// A wrong row, newer than the pass's: the engine reads it.
	marks, err := indicators.JourneyWatermarks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) int64 { d, _ := calendar.ParseDate(s); return int64(d) }
	if err := db.Conn().Exec(ctx, `INSERT INTO journey_starts (month, oc, found, opened_day, first_day, channels, um, seen) SELECT 202602, 'jo-open', 1, ?, ?, 40, 'x', toDateTime(?)`,
		day("2026-02-03"), day("2026-01-04"), marks[202602]+1); err != nil {
		t.Fatal(err)
	}
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, err := indicators.ParsePeriod("2026-02", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := indicators.NewEngine(db, cat, false).Results(ctx, indicators.Query{Period: p, Live: true, Selection: indicators.Selection{Indicators: []string{"journey.handoffs"}, Sites: []string{pathsSite}}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rep.Results, func(r indicators.Result) bool { return r.Scope == model.ScopeSite })
	if i < 0 || reflect.DeepEqual(rep.Results[i].Numerator, before["journey.handoffs"].Numerator) {
		t.Fatalf("a wrong resolved row changed nothing: %+v, before %+v", rep.Results, before["journey.handoffs"])
	}
	// A rebuild's pass writes every row again, newer.
	time.Sleep(time.Second)
	resolveStarts(t, db, true)
	if again := compareJourneys(t, db, "rebuilt"); !reflect.DeepEqual(again, before) {
		t.Fatalf("after a rebuild's pass: %+v, want %+v", again, before)
	}

	// Late contacts: an earlier one of u-jo on the motive (its journey
	// starts 9 days earlier, through two channels), and the contact that
	// opened jo-case2 (counted from now on).
	send(ingest.KindContacts, ingest.FormatCSV, head+
		"jo-early,hand,"+pathsSite+",phone,2026-01-25T09:00:00Z,2026-01-25T09:01:00Z,2026-01-25T09:06:00Z,served,other,u-jo,front\n"+
		"jo-open2,hand,"+pathsSite+",reception,2026-02-04T09:00:00Z,2026-02-04T09:05:00Z,2026-02-04T09:15:00Z,served,other,u-jo2,front\n")
	rest, err := indicators.PendingJourneyStarts(ctx, db, 202602)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rest, "jo-open") || !slices.Contains(rest, "jo-open2") {
		t.Fatalf("pending after late contacts: %v, want jo-open and jo-open2", rest)
	}
	late := compareJourneys(t, db, "late contacts")
	// jo-case: 1 hand-off → 2; jo-case2: 1.
	lh, bh := late["journey.handoffs"], before["journey.handoffs"]
	if lh.Sample != bh.Sample+1 || lh.Numerator == nil || bh.Numerator == nil || *lh.Numerator != *bh.Numerator+2 {
		t.Fatalf("late contacts: handoffs %+v, want one journey more and 2 hand-offs more than %+v", lh, bh)
	}
	resolveStarts(t, db, false)
	if again := compareJourneys(t, db, "late contacts resolved"); !reflect.DeepEqual(again, late) {
		t.Fatalf("after a pass: %+v, want %+v", again, late)
	}
}

// startsDB is a database with the demo sites and a sender of records
// through the collectors.
func startsDB(t *testing.T) (*store.DB, func(ingest.Kind, ingest.Format, string)) {
	t.Helper()
	ctx := context.Background()
	db := chtest.New(t)
	sites, err := demo.Sites()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	return db, sender(t, db, "starts")
}

// sender sends a body of records through the collectors, each body its
// own writer closed once it is stored; a reject or nothing accepted
// fails the test.
func sender(t *testing.T, db *store.DB, origin string) func(ingest.Kind, ingest.Format, string) {
	return func(kind ingest.Kind, format ingest.Format, body string) {
		t.Helper()
		w := ingest.NewWriter(db, mustSpool(t), ingest.WriterOptions{}, nil, nil)
		res, err := pathsService(db, w).Ingest(context.Background(), kind, format, strings.NewReader(body), ingest.Options{Origin: origin})
		w.Close()
		if err != nil || len(res.Rejects) > 0 || res.Accepted == 0 {
			t.Fatalf("%+v %v", res, err)
		}
	}
}

// startsCase is a completed case of PAR-11 opened by contact origin.
func startsCase(id, origin, completed, updated string) string {
	return `{"id":"` + id + `","source":"hand","site":"` + pathsSite + `","kind":"reimbursement","channel":"mail","received_at":"2026-02-05T09:00:00Z","completed_at":"` + completed + `","status":"completed","user_ref":"u","updated_at":"` + updated + `","origin_contact_id":"` + origin + `"}` + "\n"
}

// startsContact is a contact of PAR-11 on motive "other", its CSV line.
func startsContact(id, channel, day, user string) string {
	return id + ",hand," + pathsSite + "," + channel + "," + day + "T09:00:00Z," + day + "T09:05:00Z," + day + "T09:15:00Z,served,other," + user + ",front\n"
}

const contactsHead = "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n"

// siteJourneys compares the journey measures of February 2026 at PAR-11
// on both paths and returns the structured path's.
func siteJourneys(t *testing.T, db *store.DB, when string) []indicators.Result {
	t.Helper()
	_, structured, raw := bothPaths(t, db)
	p, err := indicators.ParsePeriod("2026-02", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var both [2][]indicators.Result
	for i, e := range []*indicators.Engine{raw, structured} {
		rep, err := e.Results(context.Background(), indicators.Query{Period: p, Live: true, Selection: indicators.Selection{Indicators: journeyIDs, Sites: []string{pathsSite}}})
		if err != nil {
			t.Fatalf("%s (raw %v): %v", when, i == 0, err)
		}
		for _, r := range rep.Results {
			if r.Scope == model.ScopeSite {
				both[i] = append(both[i], r)
			}
		}
	}
	if !reflect.DeepEqual(both[0], both[1]) || len(both[0]) != len(journeyIDs) {
		t.Fatalf("%s: got %+v, raw path %+v", when, both[1], both[0])
	}
	return both[1]
}

// A case leaves a resolved month, a late contact changes its journey
// while it is away (the month's next pass must still check its row), and
// it comes back (found by the review).
func TestJourneyStartsCaseComesBack(t *testing.T) {
	ctx := context.Background()
	db, send := startsDB(t)
	send(ingest.KindContacts, ingest.FormatCSV, contactsHead+startsContact("cb-open", "reception", "2026-02-03", "u-cb")+startsContact("cb-other", "reception", "2026-02-03", "u-other"))
	send(ingest.KindCases, ingest.FormatNDJSON, startsCase("cb-case", "cb-open", "2026-02-20T10:00:00Z", "2026-02-20T10:00:00Z")+startsCase("cb-case-other", "cb-other", "2026-02-20T10:00:00Z", "2026-02-20T10:00:00Z"))
	resolveStarts(t, db, false)
	before := siteJourneys(t, db, "resolved")
	send(ingest.KindCases, ingest.FormatNDJSON, startsCase("cb-case", "cb-open", "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z"))
	if _, err := db.Compact(ctx, "case_completions", 0); err != nil {
		t.Fatal(err)
	}
	send(ingest.KindContacts, ingest.FormatCSV, contactsHead+startsContact("cb-early", "phone", "2026-01-25", "u-cb"))
	resolveStarts(t, db, false)
	send(ingest.KindCases, ingest.FormatNDJSON, startsCase("cb-case", "cb-open", "2026-02-21T10:00:00Z", "2026-03-06T10:00:00Z"))
	after := siteJourneys(t, db, "back in February")
	// Two journeys, the one back with a hand-off more (phone, reception).
	if after[2].Sample != 2 || *after[2].Numerator != *before[2].Numerator+1 {
		t.Fatalf("hand-offs %+v, want 2 journeys and one hand-off more than %+v", after[2], before[2])
	}
}

// More opening contacts left to compute than a query can name: the engine
// and the pass compute them all from the contacts (found by the review:
// the query was over ClickHouse's max_query_size).
func TestJourneyStartsManyPending(t *testing.T) {
	db, send := startsDB(t)
	send(ingest.KindContacts, ingest.FormatCSV, contactsHead+startsContact("mp-open", "reception", "2026-02-03", "u-mp"))
	send(ingest.KindCases, ingest.FormatNDJSON, startsCase("mp-case", "mp-open", "2026-02-20T10:00:00Z", "2026-02-20T10:00:00Z"))
	resolveStarts(t, db, false)
	var cs, ks strings.Builder
	cs.WriteString(contactsHead)
	for i := range 3000 {
		id := fmt.Sprintf("many-pending-contact-%05d", i)
		cs.WriteString(startsContact(id, "reception", "2026-02-03", fmt.Sprintf("u-%d", i)))
		ks.WriteString(startsCase(fmt.Sprintf("mp-case-%05d", i), id, "2026-02-20T10:00:00Z", "2026-02-20T10:00:00Z"))
	}
	send(ingest.KindContacts, ingest.FormatCSV, cs.String())
	send(ingest.KindCases, ingest.FormatNDJSON, ks.String())
	if r := siteJourneys(t, db, "3001 journeys, 3000 pending"); r[2].Sample != 3001 {
		t.Fatalf("hand-offs %+v, want 3001 journeys", r[2])
	}
	resolveStarts(t, db, false)
	siteJourneys(t, db, "3001 journeys resolved")
}

// A contact ingested between the listing of the opening contacts to
// compute and the query changes a resolved journey: the query stops
// rather than drop the case (found by the review), and the engine, which
// lists them again, gives the raw path's figures.
func TestJourneyStartsMovedMeanwhile(t *testing.T) {
	ctx := context.Background()
	db, send := startsDB(t)
	send(ingest.KindContacts, ingest.FormatCSV, contactsHead+startsContact("mm-open", "reception", "2026-02-03", "u-mm"))
	send(ingest.KindCases, ingest.FormatNDJSON, startsCase("mm-case", "mm-open", "2026-02-20T10:00:00Z", "2026-02-20T10:00:00Z"))
	resolveStarts(t, db, false)
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := cat.Get("journey.handoffs")
	today := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	p, err := indicators.ParsePeriod("2026-02", today)
	if err != nil {
		t.Fatal(err)
	}
	c := *indicators.NewEngine(db, cat, false).Compiler
	if c.Starts, err = indicators.JourneyWatermarks(ctx, db); err != nil {
		t.Fatal(err)
	}
	q, ok, err := c.JourneyPending([]*indicators.Definition{d}, []indicators.Period{p}, nil, today)
	if err != nil || !ok {
		t.Fatalf("pending: %v %v", ok, err)
	}
	var rest []string
	rows, err := db.Conn().Query(ctx, q.SQL, q.Args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		rest = append(rest, s)
	}
	rows.Close()
	if len(rest) != 0 {
		t.Fatalf("pending after a pass: %v", rest)
	}
	// The user comes back on the motive in March.
	send(ingest.KindContacts, ingest.FormatCSV, contactsHead+startsContact("mm-later", "phone", "2026-03-10", "u-mm"))
	q, err = c.CompileJourneysWith([]*indicators.Definition{d}, []indicators.Period{p}, nil, today, indicators.Pending{Known: true})
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	err = db.Conn().QueryRow(ctx, "SELECT toUInt64(max(sample)) FROM ("+q.SQL+")", q.Args...).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "throwIf") {
		t.Fatalf("query after the listing: %d journeys, %v; want it stopped by throwIf", n, err)
	}
	// Read as quiet (nothing ingested since the watermark when the engine
	// looked), the query stops too: a contact came since.
	q, err = c.CompileJourneysWith([]*indicators.Definition{d}, []indicators.Period{p}, nil, today, indicators.Pending{Known: true, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Conn().QueryRow(ctx, "SELECT toUInt64(max(sample)) FROM ("+q.SQL+")", q.Args...).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "throwIf") {
		t.Fatalf("quiet query after an ingest: %d journeys, %v; want it stopped by throwIf", n, err)
	}
	if r := siteJourneys(t, db, "listed again"); r[2].Sample != 1 {
		t.Fatalf("hand-offs %+v, want 1 journey", r[2])
	}
	// After a pass, the quiet query reads the resolved rows alone.
	resolveStarts(t, db, false)
	if c.Starts, err = indicators.JourneyWatermarks(ctx, db); err != nil {
		t.Fatal(err)
	}
	q, err = c.CompileJourneysWith([]*indicators.Definition{d}, []indicators.Period{p}, nil, today, indicators.Pending{Known: true, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if err = db.Conn().QueryRow(ctx, "SELECT toUInt64(max(sample)) FROM ("+q.SQL+")", q.Args...).Scan(&n); err != nil || n != 1 {
		t.Fatalf("quiet query after a pass: %d journeys, %v; want 1", n, err)
	}
}
