package indicators_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

func TestReadTargetsRejects(t *testing.T) {
	cat, _ := indicators.DefaultCatalog()
	csv := "indicator,scope,year,target\n" +
		"reception.wait_20min,national,2026,80\n" +
		"nope,national,2026,80\n" +
		"reception.wait_20min,region:99,2026,80\n" +
		"reception.wait_20min,town:x,2026,80\n" +
		"reception.wait_20min,national,20x6,80\n" +
		"reception.wait_20min,national,2026,high\n" +
		"reception.wait_20min,national,2026,85\n"
	_, err := indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "x", time.Now())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`line 3: indicator: unknown indicator "nope"`, `line 4: scope: unknown region "99"`, `line 5: scope: "town:x" is not`, `line 6: year`, `line 7: target`, "line 8: row: the same indicator, scope and year as line 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestReadTargetsEmptyCode(t *testing.T) {
	cat, _ := indicators.DefaultCatalog()
	sites := append([]model.Site{{ID: "NAT-1", Region: "", Department: ""}}, fixtureSites...)
	for _, scope := range []string{"department:", "region:", "site:"} {
		_, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,"+scope+",2026,80\n"), cat, sites, "x", time.Now())
		if err == nil || !strings.Contains(err.Error(), "line 2: scope") {
			t.Errorf("%s: error %v, want line 2: scope", scope, err)
		}
	}
}

// TestQuantileSmallP: nearest rank is ⌈p·n⌉, at least 1 for any p > 0. With
// p = 0.0000001 (valid: 0 < p < 1) and waits 10 s and 20 s, ⌈2·10⁻⁷⌉ = 1:
// the 1st value, 10 s — not 0, which is not even one of the values (p
// rounded to 0 millionths made the rank 0, and arrayElement(…, 0) is 0).

func TestTargetsSameSecondAndUnknownSite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, _ := indicators.DefaultCatalog()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, v := range []string{"80", "85"} { // two imports in the same second: the second wins
		ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,"+v+"\n"), cat, fixtureSites, "dg", at)
		if err != nil {
			t.Fatal(err)
		}
		if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
			t.Fatal(err)
		}
	}
	got := f.compute(t, "2026-05", "reception.wait_20min")
	if r := got["reception.wait_20min national:"]; r.Target == nil || *r.Target != 85 {
		t.Errorf("target %v, want 85 (the later import)", deref(r.Target))
	}
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	if _, err := f.eng.Results(ctx, indicators.Query{Period: p, Selection: indicators.Selection{Sites: []string{"NOPE"}}, Live: true}); err == nil || !strings.Contains(err.Error(), `unknown site "NOPE"`) {
		t.Errorf("unknown site: %v", err)
	}
}

func TestTargetsFileWithBOMAndQuotedHeader(t *testing.T) {
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("\ufeff\"indicator\",\"scope\",\"year\",\"target\"\r\nreception.wait_20min,national,2026,\"85,5\"\r\n"), cat, fixtureSites, "x", time.Now())
	if err != nil || len(ts) != 1 || ts[0].Value != 85.5 {
		t.Fatalf("%+v %v", ts, err)
	}
}

func TestRequiredRestOfYear(t *testing.T) {
	f := newFixture(t) // today is 27 November 2026
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 8, 2))
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,90\n"), cat, fixtureSites, "dg", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
		t.Fatal(err)
	}
	got := f.compute(t, "2026-ytd", "reception.wait_20min")
	r := got["reception.wait_20min national:"]
	// Year to date: 8 of 10 within (80%) over 1 January–27 November, 331
	// days; 34 days left. The rest of the year's population at this pace:
	// R = 10 × 34/331. Needed: (90 × (10 + R) − 100 × 8) / R.
	R := 10.0 * 34 / 331
	want := (90*(10+R) - 800) / R
	if r.Required == nil || math.Abs(*r.Required-want) > 1e-9 {
		t.Errorf("required %v, want %v", deref(r.Required), want)
	}
	if r.Status != indicators.StatusInsufficientData && r.Status != indicators.StatusMissed {
		t.Errorf("status %s", r.Status)
	}
	// A month has no "rest of the year" figure.
	if m := f.compute(t, "2026-05", "reception.wait_20min")["reception.wait_20min national:"]; m.Required != nil {
		t.Errorf("required for a month: %v", *m.Required)
	}
}

// TestRollupEmptyRegionOrDepartment: a site may have no department (a
// regional platform) or no region. GROUP BY … WITH ROLLUP fills rolled-up
// columns with the empty string, so without a marker the department-level
// row of (region 11, no department) looked like region 11's row, and the
// region-level row of "no region" like the national one; and empty codes
// made phantom department and region scopes. Such a site's events belong
// to its region (if any) and the nation only.

// FuzzReadTargetsScope: any scope text is refused or names a scope that
// exists (national, or a known region, department or site); nothing
// panics.
func FuzzReadTargetsScope(f *testing.F) {
	for _, s := range []string{"national", "region:11", "department:75", "site:PAR-11", "region:", ":11", "region:11:x", "town:x", "' OR 1=1 --", "site:../../etc/passwd", "national:", "region:\x00"} {
		f.Add(s)
	}
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		f.Fatal(err)
	}
	known := map[model.ScopeKind]map[string]bool{model.ScopeRegion: {}, model.ScopeDepartment: {}, model.ScopeSite: {}}
	for _, s := range fixtureSites {
		known[model.ScopeRegion][s.Region] = true
		known[model.ScopeDepartment][s.Department] = true
		known[model.ScopeSite][s.ID] = true
	}
	f.Fuzz(func(t *testing.T, scope string) {
		var b strings.Builder
		b.WriteString("indicator,scope,year,target\n")
		b.WriteString("reception.wait_20min,\"" + strings.ReplaceAll(scope, `"`, `""`) + "\",2026,80\n")
		ts, err := indicators.ReadTargets(strings.NewReader(b.String()), cat, fixtureSites, "x", time.Now())
		if err != nil {
			return
		}
		for _, tg := range ts {
			if tg.Scope == model.ScopeNational && tg.ScopeID == "" {
				continue
			}
			if !known[tg.Scope][tg.ScopeID] {
				t.Fatalf("scope %q accepted as %s %q", scope, tg.Scope, tg.ScopeID)
			}
		}
	})
}
