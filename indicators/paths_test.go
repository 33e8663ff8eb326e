package indicators_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// The case indicators read case_completions (written at ingest, one
// partition a month) instead of every case version with FINAL. These tests
// load demo data and hand-made version histories through the collectors,
// and check that both paths give the same figures for every indicator,
// scope and kind of period, and again after a rebuild.

// pathsSite is the demo site the hand-made cases are filed at (Paris time).
const pathsSite = "PAR-11"

// caseLine is one case version as a collector sends it.
func caseLine(id, received, completed, status, updated string) string {
	return kindLine("reimbursement", id, received, completed, status, updated)
}

// kindLine is caseLine for a case of another kind.
func kindLine(kind, id, received, completed, status, updated string) string {
	c := ""
	if completed != "" {
		c = fmt.Sprintf(`,"completed_at":%q`, completed)
	}
	return fmt.Sprintf(`{"id":%q,"source":"hand","site":%q,"kind":%q,"channel":"mail","received_at":%q%s,"status":%q,"user_ref":"u-%s","updated_at":%q}`,
		id, pathsSite, kind, received, c, status, id, updated) + "\n"
}

// allowance is an allowance payment's version: the kind of the default
// catalog's backlog indicators.
func allowance(id, received, completed, status, updated string) string {
	return kindLine("allowance_payment", id, received, completed, status, updated)
}

// histories are hand-made version histories, each sent as a sequence of
// requests (one string each, possibly several versions in one).
var histories = []struct {
	name string
	sent []string
	// months where the case counts as completed (toYYYYMM), as worked by
	// hand from the newest version
	want []int
}{
	{"reopened then completed later", []string{
		caseLine("reopen", "2026-01-05T09:00:00Z", "2026-01-20T10:00:00Z", "completed", "2026-01-20T10:00:00Z"),
		caseLine("reopen", "2026-01-05T09:00:00Z", "", "open", "2026-02-02T10:00:00Z"),
		caseLine("reopen", "2026-01-05T09:00:00Z", "2026-02-10T10:00:00Z", "completed", "2026-02-10T10:00:00Z"),
	}, []int{202602}},
	{"reopened and left open", []string{
		caseLine("reopen-open", "2026-01-05T09:00:00Z", "2026-01-20T10:00:00Z", "completed", "2026-01-20T10:00:00Z"),
		caseLine("reopen-open", "2026-01-05T09:00:00Z", "", "open", "2026-02-02T10:00:00Z"),
	}, nil},
	{"out of order: the newest first, an older one late", []string{
		caseLine("late", "2026-01-02T09:00:00Z", "2026-02-03T10:00:00Z", "completed", "2026-02-03T10:00:00Z"),
		caseLine("late", "2026-01-02T09:00:00Z", "2026-01-25T10:00:00Z", "completed", "2026-01-25T10:00:00Z"),
	}, []int{202602}},
	{"completion corrected to the month before", []string{
		caseLine("moved-back", "2026-01-10T09:00:00Z", "2026-02-05T10:00:00Z", "completed", "2026-02-05T10:00:00Z"),
		caseLine("moved-back", "2026-01-10T09:00:00Z", "2026-01-28T10:00:00Z", "completed", "2026-02-06T10:00:00Z"),
	}, []int{202601}},
	{"received date moves to another month", []string{
		caseLine("received-moves", "2026-01-30T09:00:00Z", "2026-02-03T10:00:00Z", "completed", "2026-02-03T10:00:00Z"),
		caseLine("received-moves", "2026-02-01T09:00:00Z", "2026-02-03T10:00:00Z", "completed", "2026-02-04T10:00:00Z"),
	}, []int{202602}},
	{"re-sent", []string{
		caseLine("resent", "2026-01-12T09:00:00Z", "2026-01-19T10:00:00Z", "completed", "2026-01-19T10:00:00Z"),
		caseLine("resent", "2026-01-12T09:00:00Z", "2026-01-19T10:00:00Z", "completed", "2026-01-19T10:00:00Z"),
	}, []int{202601}},
	{"three versions in one request, out of order", []string{
		caseLine("one-request", "2026-01-12T09:00:00Z", "2026-01-19T10:00:00Z", "completed", "2026-01-19T10:00:00Z") +
			caseLine("one-request", "2026-01-12T09:00:00Z", "2026-03-02T10:00:00Z", "completed", "2026-03-02T10:00:00Z") +
			caseLine("one-request", "2026-01-12T09:00:00Z", "2026-02-16T10:00:00Z", "completed", "2026-02-20T10:00:00Z"),
	}, []int{202603}},
	{"cancelled after completion", []string{
		caseLine("cancelled", "2026-01-12T09:00:00Z", "2026-01-19T10:00:00Z", "completed", "2026-01-19T10:00:00Z"),
		caseLine("cancelled", "2026-01-12T09:00:00Z", "2026-01-19T10:00:00Z", "cancelled", "2026-01-21T10:00:00Z"),
	}, nil},
	// Backlogs, around the compared periods' measuring days: Friday 30
	// January, Friday 6 February (2026-W06), Tuesday 10 February,
	// Thursday 19 February (the range), Friday 27 February, Friday 13
	// March (2026-ytd as of 14 March), Tuesday 31 March (2026-Q1).
	{"backlog: open across a month's end, completed after", []string{
		allowance("bl-across", "2026-01-26T09:00:00Z", "", "open", "2026-01-26T09:00:00Z"),
		allowance("bl-across", "2026-01-26T09:00:00Z", "2026-02-02T10:00:00Z", "completed", "2026-02-02T10:00:00Z"),
	}, []int{202602}},
	{"backlog: completed on the measuring day", []string{
		allowance("bl-on-day", "2026-02-20T09:00:00Z", "", "open", "2026-02-20T09:00:00Z"),
		allowance("bl-on-day", "2026-02-20T09:00:00Z", "2026-02-27T10:00:00Z", "completed", "2026-02-27T10:00:00Z"),
	}, []int{202602}},
	{"backlog: reopened after the measuring day", []string{
		allowance("bl-reopened", "2026-02-02T09:00:00Z", "2026-02-25T10:00:00Z", "completed", "2026-02-25T10:00:00Z"),
		allowance("bl-reopened", "2026-02-02T09:00:00Z", "", "open", "2026-03-02T10:00:00Z"),
	}, nil},
	{"backlog: open, then cancelled without a date", []string{
		allowance("bl-cancelled", "2026-02-03T09:00:00Z", "", "open", "2026-02-03T09:00:00Z"),
		allowance("bl-cancelled", "2026-02-03T09:00:00Z", "", "cancelled", "2026-02-16T10:00:00Z"),
	}, nil},
	{"backlog: cancelled with a date after the measuring day", []string{
		allowance("bl-cancelled-late", "2026-02-16T09:00:00Z", "", "open", "2026-02-16T09:00:00Z"),
		allowance("bl-cancelled-late", "2026-02-16T09:00:00Z", "2026-03-03T10:00:00Z", "cancelled", "2026-03-03T10:00:00Z"),
	}, nil},
	{"backlog: two open versions, the received date moving", []string{
		allowance("bl-open-twice", "2026-02-09T09:00:00Z", "", "open", "2026-02-09T09:00:00Z") +
			allowance("bl-open-twice", "2026-02-05T09:00:00Z", "", "open", "2026-02-12T10:00:00Z"),
	}, nil},
	{"backlog: completion moved past the measuring day", []string{
		allowance("bl-moved", "2026-02-10T09:00:00Z", "2026-02-26T10:00:00Z", "completed", "2026-02-26T10:00:00Z"),
		allowance("bl-moved", "2026-02-10T09:00:00Z", "2026-03-03T10:00:00Z", "completed", "2026-03-03T10:00:00Z"),
	}, []int{202603}},
	{"completed across a year", []string{
		caseLine("year", "2025-02-03T09:00:00Z", "2025-02-10T10:00:00Z", "completed", "2025-02-10T10:00:00Z"),
		caseLine("year", "2025-02-03T09:00:00Z", "2026-02-09T10:00:00Z", "completed", "2026-02-09T10:00:00Z"),
	}, []int{202602}},
}

// loadPaths loads fourteen months of demo data (with its re-sent records and
// its case versions) and the hand-made histories through the collectors.
func loadPaths(t *testing.T, db *store.DB) *ingest.Writer {
	t.Helper()
	ctx := context.Background()
	sites, err := demo.Sites()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := demo.Generate(ctx, filepath.Join(dir, "demo"), demo.Options{Seed: 13, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), Scale: 0.02, Sites: sites, BadRate: -1}); err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, mustSpool(t), ingest.WriterOptions{}, nil, nil)
	svc := pathsService(db, w)
	for _, k := range []struct {
		kind   ingest.Kind
		format ingest.Format
		glob   string
	}{{ingest.KindContacts, ingest.FormatCSV, "contacts/*.csv"}, {ingest.KindCases, ingest.FormatNDJSON, "cases/*.ndjson"}, {ingest.KindSurveys, ingest.FormatCSV, "surveys/*.csv"}} {
		files, _ := filepath.Glob(filepath.Join(dir, "demo", k.glob))
		if len(files) == 0 {
			t.Fatalf("no demo files %s", k.glob)
		}
		sort.Strings(files)
		for _, p := range files {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			// Small submissions: a case's versions land in different
			// inserts, found stored or in flight.
			_, err = svc.Ingest(ctx, k.kind, k.format, f, ingest.Options{Origin: "file:" + p, Chunk: 700})
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
	}
	send := func(body string) {
		res, err := svc.Ingest(ctx, ingest.KindCases, ingest.FormatNDJSON, strings.NewReader(body), ingest.Options{Origin: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rejects) > 0 {
			t.Fatalf("rejects: %+v", res.Rejects)
		}
	}
	for _, h := range histories {
		for _, body := range h.sent {
			send(body)
		}
	}
	// Concurrent versions of the same cases: a version arrives while an
	// older one is being inserted.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				id := fmt.Sprintf("race-%d", i)
				day := 3 + (i+g)%20
				month := 1 + (g % 2)
				completed := fmt.Sprintf("2026-%02d-%02dT10:00:00Z", month, day)
				updated := fmt.Sprintf("2026-03-%02dT%02d:00:00Z", 1+g, 8+i%10)
				send(caseLine(id, "2026-01-02T09:00:00Z", completed, "completed", updated))
			}
		}()
	}
	wg.Wait()
	return w
}

func TestCasePathsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("loads demo data")
	}
	ctx := context.Background()
	db := chtest.New(t)
	w := loadPaths(t, db)
	w.Close() // inserts what it answered from the spool

	checkHistories(t, db)
	compareCases(t, db, "after ingest")
	comparePaths(t, db, "after ingest")

	// From here on, the journey measures read resolved journey starts
	// where no later contact can change them.
	resolveStarts(t, db, false)
	comparePaths(t, db, "journey starts resolved")

	// A case completed in January, to be moved once January is merged.
	w1 := ingest.NewWriter(db, mustSpool(t), ingest.WriterOptions{}, nil, nil)
	sendCase := func(svc *ingest.Service, line string) {
		t.Helper()
		res, err := svc.Ingest(ctx, ingest.KindCases, ingest.FormatNDJSON, strings.NewReader(line), ingest.Options{Origin: "test"})
		if err != nil || res.Accepted != 1 {
			t.Fatalf("%+v %v", res, err)
		}
	}
	sendCase(pathsService(db, w1), caseLine("post-merge", "2026-01-05T09:00:00Z", "2026-01-15T10:00:00Z", "completed", "2026-01-15T10:00:00Z"))
	w1.Close()

	// Every month merged into one part: contacts and responses are read
	// without FINAL.
	for _, table := range []string{"contacts", "survey_responses"} {
		if months, err := db.Compact(ctx, table, 0); err != nil || len(months) < 12 {
			t.Fatalf("compact %s: %v, %v", table, months, err)
		}
	}
	comparePaths(t, db, "merged")

	// The open cases' partition cleared of the superseded entries merged
	// over (every demo case was open once), and every month of
	// case_completions merged.
	if months, err := db.Compact(ctx, "case_completions", 0); err != nil || len(months) < 12 || months[0] != store.OpenMonth {
		t.Fatalf("compact case_completions: %v, %v", months, err)
	}
	compareCases(t, db, "case completions compacted")
	comparePaths(t, db, "case completions compacted")

	// A later version moves a completion out of merged January into
	// February: January gets a superseded entry in a new part.
	w3 := ingest.NewWriter(db, mustSpool(t), ingest.WriterOptions{}, nil, nil)
	sendCase(pathsService(db, w3), caseLine("post-merge", "2026-01-05T09:00:00Z", "2026-02-16T10:00:00Z", "completed", "2026-02-16T10:00:00Z"))
	w3.Close()
	cm, err := db.MergedMonths(ctx, "case_completions")
	if err != nil {
		t.Fatal(err)
	}
	if cm[202601] || !cm[202512] {
		t.Fatalf("case_completions merged months %v: want December 2025 merged and January 2026 not", cm)
	}
	compareCases(t, db, "a merged month written again")
	comparePaths(t, db, "a merged month written again")

	// New contacts in February 2026 (and a re-sent one): February is read
	// with FINAL again, the other months without.
	w2 := ingest.NewWriter(db, mustSpool(t), ingest.WriterOptions{}, nil, nil)
	svc := pathsService(db, w2)
	body := "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n" +
		"late-1,hand," + pathsSite + ",reception,2026-02-10T09:00:00Z,2026-02-10T09:05:00Z,2026-02-10T09:15:00Z,served,other,u-late,front\n" +
		"late-2,hand," + pathsSite + ",reception,2026-02-12T09:00:00Z,2026-02-12T09:45:00Z,2026-02-12T09:55:00Z,served,other,u-late,front\n"
	for range 2 {
		if _, err := svc.Ingest(ctx, ingest.KindContacts, ingest.FormatCSV, strings.NewReader(body), ingest.Options{Origin: "late"}); err != nil {
			t.Fatal(err)
		}
	}
	w2.Close()
	merged, err := db.MergedMonths(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if merged[202602] || !merged[202601] {
		t.Fatalf("merged months %v: want January 2026 merged and February not", merged)
	}
	comparePaths(t, db, "February written again")

	// No catch-up margin: every entry comes from the rebuild's own fill.
	st, err := db.RebuildCaseCompletions(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Completions == 0 || st.CaughtUp != 0 {
		t.Fatalf("rebuild: %+v, want completions and nothing caught up", st)
	}
	checkHistories(t, db)
	compareCases(t, db, "after rebuild")
	comparePaths(t, db, "after rebuild")

	checkJourneyStarts(t, db)
}

// checkHistories compares where each hand-made case counts as completed
// with the months worked by hand.
func checkHistories(t *testing.T, db *store.DB) {
	t.Helper()
	for _, h := range histories {
		id := strings.SplitN(strings.SplitN(h.sent[0], `"id":"`, 2)[1], `"`, 2)[0]
		rows, err := db.Conn().Query(context.Background(), `SELECT toUInt32(toYYYYMM(completed_date)) AS m FROM case_completions FINAL WHERE source = 'hand' AND id = ? AND entry = 'completion' AND status = 'completed' ORDER BY m`, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var m uint32
			if err := rows.Scan(&m); err != nil {
				t.Fatal(err)
			}
			got = append(got, int(m))
		}
		rows.Close()
		if !reflect.DeepEqual(got, h.want) {
			t.Errorf("%s (%s): completed in %v, want %v", h.name, id, got, h.want)
		}
	}
}

// compareCases compares, case by case, the completions and open cases of
// the newest versions (cases FINAL) with those of case_completions.
func compareCases(t *testing.T, db *store.DB, when string) {
	t.Helper()
	read := func(q string) map[string]string {
		rows, err := db.Conn().Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		return out
	}
	// Completed cases by their completion, open cases (in no month) by
	// their receipt.
	want := read(`SELECT concat(source, '/', id), concat(if(status = 'open', 'open', toString(assumeNotNull(completed_date))), ' ', toString(received_date), ' ', site, ' ', kind) FROM cases FINAL
  WHERE status = 'open' OR (status = 'completed' AND isNotNull(completed_date))`)
	got := read(`SELECT concat(source, '/', id), concat(if(entry = 'open', 'open', toString(completed_date)), ' ', toString(received_date), ' ', site, ' ', kind) FROM case_completions FINAL
  WHERE entry = 'open' OR (status = 'completed' AND entry = 'completion')`)
	bad := 0
	for k, w := range want {
		if g := got[k]; g != w && bad < 10 {
			t.Errorf("%s: case %s completed %q in case_completions, %q by its newest version", when, k, g, w)
			bad++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && bad < 10 {
			t.Errorf("%s: case %s completed %q in case_completions, not by its newest version", when, k, g)
			bad++
		}
	}
	open := 0
	for _, w := range want {
		if strings.HasPrefix(w, "open ") {
			open++
		}
	}
	if len(want)-open < 1000 || open < 30 {
		t.Errorf("%s: only %d completed and %d open cases: the comparison proves little", when, len(want)-open, open)
	}
}

// bothPaths is the default catalog and an engine of each path over db:
// the structured one and the raw one (Compiler.Raw).
func bothPaths(t *testing.T, db *store.DB) (cat *indicators.Catalog, structured, raw *indicators.Engine) {
	t.Helper()
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	structured, raw = indicators.NewEngine(db, cat, false), indicators.NewEngine(db, cat, false)
	raw.Compiler.Raw = true
	return cat, structured, raw
}

// comparePaths computes the whole catalog, live, at every scope, on both
// paths, for a period of each kind, and requires the same results.
func comparePaths(t *testing.T, db *store.DB, when string) {
	t.Helper()
	ctx := context.Background()
	cat, structured, raw := bothPaths(t, db)
	today := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	for _, ps := range []string{"2026-02-10", "2026-W06", "2026-02", "2026-01", "2026-Q1", "2025", "2026-ytd", "2026-01-20..2026-02-19"} {
		p, err := indicators.ParsePeriod(ps, today)
		if err != nil {
			t.Fatal(err)
		}
		q := indicators.Query{Period: p, Live: true}
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
		cases, backlogs, journeys := 0, 0, 0
		for i := range want.Results {
			w, g := want.Results[i], got.Results[i]
			if !reflect.DeepEqual(w, g) {
				t.Errorf("%s %s: %s %s %s differs:\n got %+v\nwant %+v", when, ps, w.Indicator, w.Scope, w.ScopeID, g, w)
			}
			if def, ok := cat.Get(w.Indicator); ok && def.Source == "cases" && w.Sample > 0 {
				cases++
				if strings.HasPrefix(w.Indicator, "backlog.") {
					backlogs++
				}
				if strings.HasPrefix(w.Indicator, "journey.") {
					journeys++
				}
			}
		}
		if cases == 0 || backlogs == 0 || journeys == 0 {
			t.Errorf("%s %s: %d case results with a sample, %d of a backlog, %d of a journey: the comparison proves nothing", when, ps, cases, backlogs, journeys)
		}
	}
}

func mustSpool(t *testing.T) *ingest.Spool {
	t.Helper()
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// pathsService is the collectors with the demo's vocabularies.
func pathsService(db *store.DB, w *ingest.Writer) *ingest.Service {
	return ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("paths")), ingest.Lists{
		Channels:   []string{"reception", "appointment", "phone", "video", "email", "mail", "online", "proximity"},
		CaseKinds:  []string{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"},
		Dimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend", "information", "accessibility"},
		Segments:   model.DefaultSegments,
	}, ingest.DefaultLimits, nil)
}
