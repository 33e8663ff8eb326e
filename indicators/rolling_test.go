package indicators_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

// visit is a reception visit at site, arriving at arrived (local time
// unless it ends in Z), waited on for wait minutes.
func visit(id, site, arrived string, wait int) string {
	layout := "2006-01-02T15:04:05"
	if strings.HasSuffix(arrived, "Z") {
		layout = time.RFC3339
	}
	a, err := time.Parse(layout, arrived)
	if err != nil {
		panic(err)
	}
	ans := a.Add(time.Duration(wait) * time.Minute).Format(layout)
	end := a.Add(time.Duration(wait+10) * time.Minute).Format(layout)
	return id + "," + site + ",reception," + arrived + "," + ans + "," + end + ",served,\n"
}

// TestRollingPeriodAcrossYearEnd: 2026-02-r12 is 1 March 2025 to 28
// February 2026; its previous point, 2026-01-r12, is 1 February 2025 to 31
// January 2026, and last year, 2025-02-r12, 1 March 2024 to 28 February
// 2025. The engine computes the three on ClickHouse (the previous overlaps
// both others: a query of its own) with events on either side of each
// boundary, cut in each site's local time.
func TestRollingPeriodAcrossYearEnd(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Within 20 minutes: w (5 min); beyond: b (30 min).
	const w, b = 5, 30
	f.send(t, ingest.KindContacts, contactsHeader+
		visit("A", "PAR-11", "2024-02-29T09:00:00", w)+ // before last year (29 February 2024)
		visit("B", "PAR-11", "2024-03-01T09:00:00", w)+ // last year's first day
		visit("C", "PAR-11", "2025-02-01T09:00:00", b)+ // last year; the previous' first day
		visit("D", "PAR-11", "2025-02-28T09:00:00", b)+ // last year's last day; previous
		visit("E", "PAR-11", "2025-03-01T09:00:00", w)+ // the period's first day; previous
		visit("F", "PAR-11", "2026-01-31T09:00:00", b)+ // the previous' last day; the period
		visit("G", "PAR-11", "2026-02-01T09:00:00", b)+ // the period only
		visit("H", "PAR-11", "2026-02-28T09:00:00", w)+ // the period's last day
		visit("I", "PAR-11", "2026-02-28T23:30:00Z", w)+ // 00:30 on 1 March in Paris: none
		visit("J", "PAR-11", "2026-03-01T09:00:00", w)+ // none
		visit("K", "CAY-973", "2026-03-01T01:00:00Z", w)+ // 22:00 on 28 February in Cayenne: the period
		visit("L", "CAY-973", "2025-03-01T02:00:00Z", b)) // 23:00 on 28 February 2025 in Cayenne: last year, previous

	// The year the period ends in sets its target: 2026's 60, not 2025's 90.
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2025,90\nreception.wait_20min,national,2026,60\n"), cat, fixtureSites, "dg", time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
		t.Fatal(err)
	}

	type fig struct {
		key                         string
		value, num, den, prev, last float64
		sample                      uint64
	}
	// PAR-11: the period E w, F b, G b, H w = 2/4 = 50%; previous C b, D b,
	// E w, F b = 1/4 = 25%; last year B w, C b, D b = 1/3. CAY-973: K (w) in
	// the period, 1/1; L (b) in the previous and last year, 0/1 each.
	// Nationally K joins the period: 3/5 = 60%, and L the previous, 1/5 =
	// 20%, and last year, 1/4 = 25%.
	want := []fig{
		{"reception.wait_20min site:PAR-11", 50, 2, 4, 25, 100.0 / 3, 4},
		{"reception.wait_20min site:CAY-973", 100, 1, 1, 0, 0, 1},
		{"reception.wait_20min national:", 60, 3, 5, 20, 25, 5},
	}
	checkFigs := func(what string, got map[string]indicators.Result) {
		t.Helper()
		for _, w := range want {
			r := got[w.key]
			near := func(p *float64, v float64) bool { return p != nil && math.Abs(*p-v) < 1e-9 }
			if !near(r.Value, w.value) || !near(r.Numerator, w.num) || !near(r.Denominator, w.den) || r.Sample != w.sample ||
				!near(r.Previous, w.prev) || !near(r.LastYear, w.last) || !near(r.Target, 60) || r.Required != nil {
				t.Errorf("%s %s: value %v (%v/%v, sample %d), previous %v, last year %v, target %v, required %v; want %v (%v/%v, %d), %v, %v, 60, none",
					what, w.key, deref(r.Value), deref(r.Numerator), deref(r.Denominator), r.Sample, deref(r.Previous), deref(r.LastYear), deref(r.Target), deref(r.Required),
					w.value, w.num, w.den, w.sample, w.prev, w.last)
			}
		}
	}
	checkFigs("live", f.compute(t, "2026-02-r12", "reception.wait_20min"))

	// The previous point and last year, computed as periods of their own,
	// agree with the figures above.
	if r := f.compute(t, "2026-01-r12", "reception.wait_20min")["reception.wait_20min site:PAR-11"]; r.Value == nil || *r.Value != 25 || r.Sample != 4 {
		t.Errorf("2026-01-r12 PAR-11: %v (sample %d), want 25 (4)", deref(r.Value), r.Sample)
	}
	if r := f.compute(t, "2025-02-r12", "reception.wait_20min")["reception.wait_20min national:"]; r.Value == nil || *r.Value != 25 || r.Sample != 4 || !(r.Target != nil && *r.Target == 90) {
		t.Errorf("2025-02-r12 national: %v (sample %d), target %v; want 25 (4), 90", deref(r.Value), r.Sample, deref(r.Target))
	}

	// Closed like any period: its frozen figures, previous and last year
	// included, stay when late data arrives.
	p, err := indicators.ParsePeriod("2026-02-r12", f.eng.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Close(ctx, p, "dg"); err != nil {
		t.Fatal(err)
	}
	f.send(t, ingest.KindContacts, contactsHeader+visit("M", "PAR-11", "2025-12-31T09:00:00", w))
	rep, err := f.eng.Results(ctx, indicators.Query{Period: p, Selection: indicators.Selection{Indicators: []string{"reception.wait_20min"}}})
	if err != nil {
		t.Fatal(err)
	}
	closed := map[string]indicators.Result{}
	for _, r := range rep.Results {
		closed[r.Indicator+" "+string(r.Scope)+":"+r.ScopeID] = r
	}
	if !rep.Provenance.Closed || rep.Provenance.Revision != 1 {
		t.Errorf("provenance %+v", rep.Provenance)
	}
	checkFigs("closed", closed)
	// Live, M (31 December 2025, within) joins the period and its previous
	// point: PAR-11 3/5 = 60%, previous 2/5 = 40%.
	live := f.compute(t, "2026-02-r12", "reception.wait_20min")["reception.wait_20min site:PAR-11"]
	if live.Value == nil || *live.Value != 60 || live.Previous == nil || *live.Previous != 40 {
		t.Errorf("live after late data: %v, previous %v; want 60, 40", deref(live.Value), deref(live.Previous))
	}
}
