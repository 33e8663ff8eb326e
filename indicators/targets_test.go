package indicators_test

import (
	"context"
	"errors"
	"math"
	"strconv"
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
	_, err := indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "x", time.Now(), false)
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
		_, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,"+scope+",2026,80\n"), cat, sites, "x", time.Now(), false)
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
		ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,"+v+"\n"), cat, fixtureSites, "dg", at, false)
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
	ts, err := indicators.ReadTargets(strings.NewReader("\ufeff\"indicator\",\"scope\",\"year\",\"target\"\r\nreception.wait_20min,national,2026,\"85,5\"\r\n"), cat, fixtureSites, "x", time.Now(), false)
	if err != nil || len(ts) != 1 || ts[0].Value != 85.5 {
		t.Fatalf("%+v %v", ts, err)
	}
}

func TestRequiredRestOfYear(t *testing.T) {
	f := newFixture(t) // today is 27 November 2026
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 8, 2))
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,90\n"), cat, fixtureSites, "dg", time.Now(), false)
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
		ts, err := indicators.ReadTargets(strings.NewReader(b.String()), cat, fixtureSites, "x", time.Now(), false)
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

// rangeCatalog has one indicator of each unit whose range differs: a
// percentage, minutes, an NPS in points, a mean score on 1–5, a score on
// any scale and a count.
const rangeCatalog = `indicators:
  - id: pct
    title: {fr: a, en: a}
    source: contacts
    measure: share
    value: wait_minutes
    threshold: 20
    unit: percent
    direction: higher
  - id: wait
    title: {fr: a, en: a}
    source: contacts
    measure: quantile
    value: wait_minutes
    quantile: 0.9
    unit: minutes
    direction: lower
  - id: nps
    title: {fr: a, en: a}
    source: surveys
    filter: {scale: ["0-10"]}
    measure: nps
    dimension: recommend
    unit: points
    direction: higher
  - id: mean15
    title: {fr: a, en: a}
    source: surveys
    filter: {scale: ["1-5"]}
    measure: mean_score
    dimension: overall
    unit: score
    direction: higher
  - id: score
    title: {fr: a, en: a}
    source: surveys
    measure: top_box
    dimension: overall
    unit: score
    direction: higher
  - id: visits
    title: {fr: a, en: a}
    source: contacts
    measure: count
    unit: count
    direction: higher
`

// TestReadTargetsRange: a target must mean something in its indicator's
// unit. Boundaries are taken (0 and 100 %, −100 and 100 points, 1 and 5 on
// a 1–5 scale, 0 minutes); beyond them, and a fraction on a percentage, are
// refused with the row, the field and a hint, unless forced.
func TestReadTargetsRange(t *testing.T) {
	cat, err := indicators.ParseCatalog("range.yaml", []byte(rangeCatalog))
	if err != nil {
		t.Fatal(err)
	}
	f := func(indicator, target, refusal string) {
		t.Helper()
		csv := "indicator,scope,year,target\n" + indicator + ",national,2026,\"" + target + "\"\n"
		ts, err := indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "dg", time.Now(), false)
		switch {
		case refusal == "" && err != nil:
			t.Errorf("%s %s: refused: %v", indicator, target, err)
		case refusal != "" && (err == nil || err.Error() != "line 2: target: "+refusal):
			t.Errorf("%s %s: error %v, want line 2: target: %s", indicator, target, err, refusal)
		case refusal != "" && !errors.Is(err, indicators.ErrTargetRange):
			t.Errorf("%s %s: not a range refusal: %v", indicator, target, err)
		case refusal == "" && len(ts) != 1:
			t.Errorf("%s %s: %+v", indicator, target, ts)
		}
		// Forced, every number is taken as given.
		ts, err = indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "dg", time.Now(), true)
		want, _ := strconv.ParseFloat(strings.Replace(target, ",", ".", 1), 64)
		if err != nil || len(ts) != 1 || ts[0].Value != want || ts[0].SetBy != "dg" {
			t.Errorf("%s %s forced: %+v %v", indicator, target, ts, err)
		}
	}
	f("pct", "0", "")
	f("pct", "0.8", "0.8 looks like a fraction, but pct is in percent (0 to 100): did you mean 80?")
	f("pct", "0,8", "0.8 looks like a fraction, but pct is in percent (0 to 100): did you mean 80?")
	f("pct", "0.07", "0.07 looks like a fraction, but pct is in percent (0 to 100): did you mean 7?")
	f("pct", "1", "1 looks like a fraction, but pct is in percent (0 to 100): did you mean 100?")
	f("pct", "1.5", "")
	f("pct", "100", "")
	f("pct", "100.1", "100.1 is outside 0 to 100, the range of a percentage")
	f("pct", "-0.5", "-0.5 is outside 0 to 100, the range of a percentage")
	f("wait", "0", "")
	f("wait", "0.5", "") // half a minute: no fraction rule outside percentages
	f("wait", "1000000", "")
	f("wait", "-1", "-1 is below 0: minutes cannot be negative")
	f("nps", "-100", "")
	f("nps", "100", "")
	f("nps", "0.5", "")
	f("nps", "101", "101 is outside -100 to 100, the range of an NPS in points")
	f("nps", "-101", "-101 is outside -100 to 100, the range of an NPS in points")
	f("mean15", "1", "")
	f("mean15", "5", "")
	f("mean15", "0.9", "0.9 is outside 1 to 5, the range of the answers' scale")
	f("mean15", "5.5", "5.5 is outside 1 to 5, the range of the answers' scale")
	// No scale filtered on: any of 1–4, 1–5 and 0–10.
	f("score", "0", "")
	f("score", "10", "")
	f("score", "10.5", "10.5 is outside 0 to 10, the range of the answers' scale")
	f("visits", "0", "")
	f("visits", "-3", "-3 is below 0: a count cannot be negative")

	// Every bad row named; a row that is not a number is not a range
	// refusal (forcing does not take it).
	csv := "indicator,scope,year,target\npct,national,2026,0.8\nnps,national,2026,101\npct,region:11,2026,high\n"
	_, err = indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "dg", time.Now(), true)
	if err == nil || err.Error() != `line 4: target: "high" is not a number` || errors.Is(err, indicators.ErrTargetRange) {
		t.Errorf("forced file with a bad number: %v", err)
	}
	_, err = indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "dg", time.Now(), false)
	for _, want := range []string{"line 2: target: 0.8 looks like a fraction", "line 3: target: 101 is outside", `line 4: target: "high" is not a number`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// TestForcedTargetHistory: a forced target is stored and shows in the
// history with who set it, like any other.
func TestForcedTargetHistory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,0.8\n"), cat, fixtureSites, "dg", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
		t.Fatal(err)
	}
	hist, err := indicators.TargetHistory(ctx, f.db, "reception.wait_20min")
	if err != nil || len(hist) != 1 || hist[0].Value != 0.8 || hist[0].SetBy != "dg" || !hist[0].SetAt.Equal(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("history %+v %v", hist, err)
	}
}
