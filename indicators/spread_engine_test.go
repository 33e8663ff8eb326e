package indicators_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

// TestSpreadWithASiteUnderTheMinimumSample works the spread of
// reception.wait_20min (share within 20 minutes, min_sample 10) across the
// sites of department 75 in May 2026, by hand:
//
//	PAR-11  9 of 10 → 90 %   PAR-12  8 of 10 → 80 %, its own target 85: missed
//	PAR-13 10 of 10 → 100 %  PAR-14  6 of 10 → 60 %   PAR-15  7 of 10 → 70 %
//	PAR-18  0 of 5  → 0 %, under the minimum sample: left out
//
// with a national target of 75. Counted: 60 70 80 90 100 (5 sites); nearest
// rank p10 ⌈0.5⌉ = 1st = 60, median ⌈2.5⌉ = 3rd = 80, p90 ⌈4.5⌉ = 5th =
// 100; missed: 60 and 70 (under 75), 80 (under its 85) = 3. Were PAR-18
// counted, the minimum would be 0 and 4 would have missed. Region 11 has
// the same sites. The nation adds STR-67, 12 of 12 → 100 %, and CAY-973
// with no visit: 60 70 80 90 100 100, p10 ⌈0.6⌉ = 1st = 60, median ⌈3⌉ =
// 3rd = 80, p90 ⌈5.4⌉ = 6th = 100, 6 sites, 3 missed. Department 973 has
// no site with enough sample; a site has no spread.
func TestSpreadWithASiteUnderTheMinimumSample(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var more []model.Site
	for _, id := range []string{"PAR-12", "PAR-13", "PAR-14", "PAR-15"} {
		more = append(more, model.Site{ID: id, Name: id, Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"})
	}
	if err := f.db.UpsertSites(ctx, more); err != nil {
		t.Fatal(err)
	}
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 9, 1)+reception("PAR-12", 8, 2)+reception("PAR-13", 10, 0)+
		reception("PAR-14", 6, 4)+reception("PAR-15", 7, 3)+reception("PAR-18", 0, 5)+reception("STR-67", 12, 0))
	cat, _ := indicators.DefaultCatalog()
	sites, _ := f.db.Sites(ctx)
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,75\nreception.wait_20min,site:PAR-12,2026,85\n"), cat, sites, "dg", time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
		t.Fatal(err)
	}
	v := func(x float64) *float64 { return &x }
	dept := &indicators.Spread{Sites: 5, Min: v(60), P10: v(60), Median: v(80), P90: v(100), Max: v(100), Missed: 3}
	nation := &indicators.Spread{Sites: 6, Min: v(60), P10: v(60), Median: v(80), P90: v(100), Max: v(100), Missed: 3}
	want := map[string]*indicators.Spread{
		"national:": nation, "region:11": dept, "department:75": dept,
		"region:44":      {Sites: 1, Min: v(100), P10: v(100), Median: v(100), P90: v(100), Max: v(100)},
		"department:973": {}, "site:PAR-11": nil, "site:PAR-18": nil,
	}
	checkSpreads := func(what string, rs []indicators.Result, want map[string]*indicators.Spread) {
		t.Helper()
		got := map[string]*indicators.Spread{}
		for _, r := range rs {
			got[string(r.Scope)+":"+r.ScopeID] = r.Spread
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Errorf("%s %s: no result", what, k)
			} else if !reflect.DeepEqual(g, w) {
				t.Errorf("%s %s: spread %s, want %s", what, k, show(g), show(w))
			}
		}
	}
	may, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	sel := indicators.Selection{Indicators: []string{"reception.wait_20min"}}
	live, err := f.eng.Results(ctx, indicators.Query{Period: may, Selection: sel, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSpreads("live", live.Results, want)
	// The department's value pools all its sites (40 of 55), and so does
	// its spread, even when the selection keeps one site.
	one, err := f.eng.Results(ctx, indicators.Query{Period: may, Selection: indicators.Selection{Indicators: sel.Indicators, Sites: []string{"PAR-11"}}, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSpreads("one site selected", one.Results, map[string]*indicators.Spread{"department:75": dept, "national:": nation, "site:PAR-11": nil})
	for _, r := range one.Results {
		if r.Scope == model.ScopeDepartment && (r.Sample != 55 || r.Value == nil || *r.Value != 40.0/55*100) {
			t.Errorf("department 75: %v of %d, want 40 of 55", deref(r.Value), r.Sample)
		}
	}
	// Closed, the revision keeps its spreads.
	if _, err := f.eng.Close(ctx, may, "test"); err != nil {
		t.Fatal(err)
	}
	closed, err := f.eng.Results(ctx, indicators.Query{Period: may, Selection: sel})
	if err != nil {
		t.Fatal(err)
	}
	if !closed.Provenance.Closed {
		t.Fatal("May not closed")
	}
	checkSpreads("closed", closed.Results, want)
}

func show(s *indicators.Spread) string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%d sites, %v %v %v %v %v, %d missed", s.Sites, deref(s.Min), deref(s.P10), deref(s.Median), deref(s.P90), deref(s.Max), s.Missed)
}
