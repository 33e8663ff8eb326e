package indicators_test

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

// bl writes a case version at noon local time; completed "" leaves it
// without a completion date.
func bl(id, site, kind, received, completed, status, updated string) string {
	c := ""
	if completed != "" {
		c = completed + "T12:00:00"
	}
	return fmt.Sprintf("%s,%s,%s,email,%sT12:00:00,%s,%s,%sT12:00:00\n", id, site, kind, received, c, status, updated)
}

const backlogCatalog = `indicators:
  - id: b.share
    title: {fr: a, en: a}
    source: cases
    filter: {kind: [allowance_payment]}
    measure: backlog_share
    threshold: 3
    unit: percent
    direction: higher
  - id: b.size
    title: {fr: a, en: a}
    source: cases
    filter: {kind: [allowance_payment]}
    measure: backlog_size
    unit: count
    direction: lower
  - id: b.oldest
    title: {fr: a, en: a}
    source: cases
    filter: {kind: [allowance_payment]}
    measure: backlog_oldest
    unit: working_days
    direction: lower
  - id: b.season
    title: {fr: a, en: a}
    source: cases
    filter: {kind: [allowance_payment]}
    measure: backlog_size
    left_out: ["04-02..04-02"]
    unit: count
    direction: lower
`

// TestBacklog works the backlog by hand over a period ending on Easter
// Monday, 6 April 2026: it is measured on Friday 3 April in Paris and on
// Thursday 2 April in Strasbourg, where Good Friday is a holiday too.
func TestBacklog(t *testing.T) {
	f := newFixture(t)
	cat, err := indicators.ParseCatalog("backlog.yaml", []byte(backlogCatalog))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = cat
	const al = "allowance_payment"
	f.send(t, ingest.KindCases, casesHeader+
		// Paris, measured Friday 3 April. Age = working days after receipt
		// up to 3 April.
		bl("A1", "PAR-11", al, "2026-03-30", "", "open", "2026-03-30")+ // open: Tue 31–Fri 3 = 4
		bl("A2", "PAR-11", al, "2026-04-02", "2026-04-07", "completed", "2026-04-07")+ // completed after: 1
		bl("A3", "PAR-11", al, "2026-04-03", "2026-04-03", "completed", "2026-04-03")+ // completed on the day: out
		bl("A4", "PAR-11", al, "2026-04-03", "2026-04-06", "completed", "2026-04-06")+ // completed on the holiday after: 0
		bl("A5", "PAR-11", al, "2026-04-06", "", "open", "2026-04-06")+ // received after: out
		bl("A6", "PAR-11", al, "2026-03-20", "", "cancelled", "2026-03-25")+ // cancelled without a date: closed
		bl("A7", "PAR-11", al, "2026-03-20", "2026-04-08", "cancelled", "2026-04-08")+ // cancelled after: 5 + 5 = 10
		bl("A8", "PAR-11", al, "2026-03-16", "2026-04-02", "completed", "2026-04-02")+ // completed before: out
		bl("A9", "PAR-11", "registration", "2026-03-30", "", "open", "2026-03-30")+ // another kind
		bl("A10", "PAR-11", al, "2026-03-23", "2026-04-01", "completed", "2026-04-01")+ // reopened below
		// Strasbourg, measured Thursday 2 April.
		bl("S1", "STR-67", al, "2026-04-02", "2026-04-03", "completed", "2026-04-03")+ // completed on Good Friday, after: 0
		bl("S2", "STR-67", al, "2026-04-01", "", "open", "2026-04-01")+ // 1
		bl("S3", "STR-67", al, "2026-04-03", "", "open", "2026-04-03")+ // received after 2 April: out
		bl("S4", "STR-67", al, "2026-03-16", "2026-04-07", "completed", "2026-04-07")) // 4 + 5 + 4 = 13
	// A10 reopened on 8 April: its newest version is open, so it counts
	// (every figure reads each case's newest version): Tue 24 March–Fri 3
	// April = 4 + 5 = 9.
	f.send(t, ingest.KindCases, casesHeader+bl("A10", "PAR-11", al, "2026-03-23", "", "open", "2026-04-08"))
	// November, for the month still running (below).
	f.send(t, ingest.KindCases, casesHeader+
		bl("N1", "PAR-18", al, "2026-11-23", "", "open", "2026-11-23")+
		bl("N2", "PAR-18", al, "2026-11-26", "2026-11-28", "completed", "2026-11-28"))
	for _, raw := range []bool{false, true} {
		f.eng.Compiler.Raw = raw
		t.Run(map[bool]string{false: "case_completions", true: "raw"}[raw], func(t *testing.T) { checkBacklog(t, f) })
	}
}

func checkBacklog(t *testing.T, f *fixture) {

	// Paris: A1 4, A2 1, A4 0, A7 10, A10 9 → 5 cases, 2 within 3 days,
	// the oldest 10. Strasbourg: S1 0, S2 1, S4 13 → 3, 2 within, 13.
	// Nation: 8, 4 within, 13.
	easter := f.compute(t, "2026-03-23..2026-04-06", "b.share", "b.size", "b.oldest", "b.season")
	// Share, size and oldest share a query (CompileBacklogs), the season
	// its own: each figure as computed alone.
	alone := 0
	for _, id := range []string{"b.share", "b.size", "b.oldest", "b.season"} {
		for k, a := range f.compute(t, "2026-03-23..2026-04-06", id) {
			alone++
			if g, ok := easter[k]; !ok || !reflect.DeepEqual(g, a) {
				t.Errorf("%s: together %+v, alone %+v", k, g, a)
			}
		}
	}
	if alone != len(easter) {
		t.Errorf("%d results alone, %d together", alone, len(easter))
	}
	nan := math.NaN()
	check(t, easter, []want{
		{"b.share site:PAR-11", 40, 5, 2, 5, ""},
		{"b.size site:PAR-11", 5, 5, 0, 0, ""},
		{"b.oldest site:PAR-11", 10, 5, 0, 0, ""},
		{"b.share site:STR-67", 100 * 2.0 / 3, 3, 2, 3, ""},
		{"b.size site:STR-67", 3, 3, 0, 0, ""},
		{"b.oldest site:STR-67", 13, 3, 0, 0, ""},
		{"b.share department:75", 40, 5, 2, 5, ""},
		{"b.share national:", 50, 8, 4, 8, ""},
		{"b.size national:", 8, 8, 0, 0, ""},
		{"b.oldest national:", 13, 8, 0, 0, ""},
		// Measured on 2 April in Strasbourg, inside the season: no result
		// anywhere for the period.
		{"b.season national:", nan, 0, 0, 0, "insufficient_data"},
		{"b.season site:PAR-11", nan, 0, 0, 0, "insufficient_data"},
	})
	// The period before, 8–22 March, is measured on Friday 20 March
	// everywhere: Paris A7 (received that day) 0 and A8 4 (A6 cancelled
	// without a date is closed); Strasbourg S4 4. A7 and S4 count in both
	// periods.
	prev := func(key string, want float64) {
		t.Helper()
		r := easter[key]
		if r.Previous == nil || math.Abs(*r.Previous-want) > 1e-9 {
			t.Errorf("%s: previous %v, want %v", key, deref(r.Previous), want)
		}
	}
	prev("b.share site:PAR-11", 50)
	prev("b.size site:PAR-11", 2)
	prev("b.oldest national:", 4)
	prev("b.share national:", 100.0/3)
	prev("b.season national:", 3)
	if r := easter["b.share national:"]; r.LastYear != nil {
		t.Errorf("last year: %v, want none (no case in 2025)", *r.LastYear)
	}

	// Easter Monday alone has no working day: no backlog. Good Friday has
	// one in Paris only.
	check(t, f.compute(t, "2026-04-06", "b.size"), []want{{"b.size national:", nan, 0, 0, 0, ""}})
	check(t, f.compute(t, "2026-04-03", "b.size"), []want{
		{"b.size site:PAR-11", 5, 5, 0, 0, ""},
		{"b.size site:STR-67", nan, 0, 0, 0, ""},
		{"b.size national:", 5, 5, 0, 0, ""},
	})

	// The month still running (today is Friday 27 November 2026) is
	// measured today, not on Monday 30: N2, completed on Saturday 28, is
	// still open, and N1 is 4 days old, not 5 (at Paris 18, which has
	// no other case).
	check(t, f.compute(t, "2026-11", "b.size", "b.oldest"), []want{
		{"b.size site:PAR-18", 2, 2, 0, 0, ""},
		{"b.oldest site:PAR-18", 4, 2, 0, 0, ""},
		// Paris 11's cases still open: A1, A5, A10.
		{"b.size site:PAR-11", 3, 3, 0, 0, ""},
	})
}
