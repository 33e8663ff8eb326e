package indicators_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

func TestTargetsStatusAndClosing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+
		// PAR-11: 10 reception visits, 9 within 20 min → 90%, sample 10 (= min).
		strings.Repeat("", 0)+reception("PAR-11", 9, 1)+
		// PAR-18: 10 visits, 7 within → 70%.
		reception("PAR-18", 7, 3))
	cat, _ := indicators.DefaultCatalog()
	sites, _ := f.db.Sites(ctx)
	read := func(csv string, by string, at time.Time) {
		t.Helper()
		ts, err := indicators.ReadTargets(strings.NewReader(csv), cat, sites, by, at, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	read("indicator,scope,year,target\nreception.wait_20min,national,2026,80\nreception.wait_20min,region:11,2026,85\nreception.wait_20min,site:PAR-18,2026,60\n", "dg", t0)
	got := f.compute(t, "2026-05", "reception.wait_20min")
	tv := func(k string) float64 {
		if r := got[k]; r.Target != nil {
			return *r.Target
		}
		return math.NaN()
	}
	// PAR-11 inherits the region's 85 (no site or department target), and
	// meets it; PAR-18 has its own 60; department 75 inherits 85 and its
	// pooled 16/20 = 80% misses it; Strasbourg's region has none: national 80.
	for _, c := range []struct {
		key    string
		target float64
		status string
	}{
		{"reception.wait_20min site:PAR-11", 85, indicators.StatusMet},
		{"reception.wait_20min site:PAR-18", 60, indicators.StatusMet},
		{"reception.wait_20min department:75", 85, indicators.StatusMissed},
		{"reception.wait_20min region:11", 85, indicators.StatusMissed},
		{"reception.wait_20min national:", 80, indicators.StatusMet},
		{"reception.wait_20min site:STR-67", 80, indicators.StatusInsufficientData},
	} {
		if tv(c.key) != c.target || got[c.key].Status != c.status {
			t.Errorf("%s: target %v status %s, want %v %s", c.key, tv(c.key), got[c.key].Status, c.target, c.status)
		}
	}
	// Changing a target keeps the old value in the history.
	read("indicator,scope,year,target\nreception.wait_20min,region:11,2026,75\n", "dr-idf", t0.Add(24*time.Hour))
	got = f.compute(t, "2026-05", "reception.wait_20min")
	if tv("reception.wait_20min site:PAR-11") != 75 || got["reception.wait_20min department:75"].Status != indicators.StatusMet {
		t.Errorf("after the change: target %v, department %s", tv("reception.wait_20min site:PAR-11"), got["reception.wait_20min department:75"].Status)
	}
	hist, err := indicators.TargetHistory(ctx, f.db, "reception.wait_20min")
	if err != nil {
		t.Fatal(err)
	}
	var region []float64
	for _, h := range hist {
		if h.ScopeID == "11" {
			region = append(region, h.Value)
		}
	}
	if len(region) != 2 || region[0] != 75 || region[1] != 85 {
		t.Errorf("region 11 history %v, want [75 85] newest first", region)
	}
	current, err := indicators.CurrentTargets(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	var cur []string
	for _, c := range current {
		cur = append(cur, fmt.Sprintf("%s %s:%s %d %g %s %s", c.Indicator, c.Scope, c.ScopeID, c.Year, c.Value, c.SetBy, c.SetAt.UTC().Format(time.DateOnly)))
	}
	// Ordered by indicator, then scope kind as declared (site, department,
	// region, national), then id.
	wantCur := []string{
		"reception.wait_20min site:PAR-18 2026 60 dg 2026-01-10",
		"reception.wait_20min region:11 2026 75 dr-idf 2026-01-11",
		"reception.wait_20min national: 2026 80 dg 2026-01-10",
	}
	if strings.Join(cur, "\n") != strings.Join(wantCur, "\n") {
		t.Errorf("current targets:\n%s\nwant\n%s", strings.Join(cur, "\n"), strings.Join(wantCur, "\n"))
	}

	// Closing freezes the figures; late data changes nothing until the
	// period is closed again, which makes revision 2 and keeps revision 1.
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	rep, err := f.eng.Close(ctx, p, "dg")
	if err != nil || rep.Provenance.Revision != 1 || len(rep.Results) == 0 {
		t.Fatalf("close: %+v %v", rep.Provenance, err)
	}
	f.send(t, ingest.KindContacts, contactsHeader+"LATE,PAR-11,reception,2026-05-20T09:00:00,2026-05-20T10:00:00,2026-05-20T10:10:00,served,\n")
	sel := indicators.Selection{Indicators: []string{"reception.wait_20min"}, Scope: "site", Sites: []string{"PAR-11"}}
	results := func(q indicators.Query) indicators.Report {
		t.Helper()
		q.Period, q.Selection = p, sel
		rep, err := f.eng.Results(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	closed := results(indicators.Query{})
	want := indicators.Provenance{Closed: true, Revision: 1, Revisions: 1, ClosedAt: f.eng.Now().UTC(), ClosedBy: "dg"}
	if len(closed.Results) != 1 || *closed.Results[0].Value != 90 || closed.Results[0].Revision != 1 || closed.Provenance != want {
		t.Fatalf("closed revision 1 after late data: %+v %+v", closed.Results, closed.Provenance)
	}
	live := results(indicators.Query{Live: true})
	if len(live.Results) != 1 || math.Abs(*live.Results[0].Value-100*9.0/11) > 1e-9 {
		t.Fatalf("live after late data: %+v", live.Results)
	}
	if pv := live.Provenance; pv.Closed || pv.Revisions != 1 || pv.Revision != 0 || !pv.ComputedAt.Equal(f.eng.Now()) || live.Results[0].Revision != 0 {
		t.Errorf("live provenance: %+v", pv)
	}
	if rep, err := f.eng.Close(ctx, p, "dr-idf"); err != nil || rep.Provenance.Revision != 2 {
		t.Fatalf("second close: %+v %v", rep.Provenance, err)
	}
	closed = results(indicators.Query{})
	if closed.Results[0].Revision != 2 || math.Abs(*closed.Results[0].Value-100*9.0/11) > 1e-9 || closed.Provenance.ClosedBy != "dr-idf" {
		t.Errorf("latest revision: %+v %+v", closed.Results[0], closed.Provenance)
	}
	ytd, _ := indicators.ParsePeriod("2026-ytd", f.eng.Now())
	if _, err := f.eng.Close(ctx, ytd, "dg"); err == nil {
		t.Error("a ytd period was closed")
	}
	first := results(indicators.Query{Revision: 1})
	if len(first.Results) != 1 || *first.Results[0].Value != 90 || first.Provenance.ClosedBy != "dg" || first.Provenance.Revisions != 2 {
		t.Errorf("revision 1 not kept: %+v %+v", first.Results, first.Provenance)
	}
	if _, err := f.eng.Results(ctx, indicators.Query{Period: p, Revision: 3}); err == nil || !strings.Contains(err.Error(), "no revision 3") {
		t.Errorf("revision 3 of a period closed twice: %v", err)
	}
	june, _ := indicators.ParsePeriod("2026-06", f.eng.Now())
	if _, err := f.eng.Close(ctx, june, "dg"); err != nil {
		t.Fatal(err)
	}
	ps, err := f.eng.ClosedPeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// June first (it starts later), then May's two revisions in order.
	if len(ps) != 2 || ps[0].Period != "2026-06" || ps[0].From != "2026-06-01" || ps[0].To != "2026-06-30" || len(ps[0].Revisions) != 1 ||
		ps[1].Period != "2026-05" || len(ps[1].Revisions) != 2 || ps[1].Revisions[0].Revision != 1 || ps[1].Revisions[0].ClosedBy != "dg" ||
		ps[1].Revisions[1].ClosedBy != "dr-idf" || ps[1].Revisions[1].Results != len(rep.Results) || !ps[1].Revisions[1].ClosedAt.Equal(f.eng.Now()) {
		t.Errorf("closed periods: %+v", ps)
	}
}

// reception writes within visits waiting 10 min and beyond visits waiting
// 30 min at site on 12 May 2026.

func TestClosedUnknownIndicator(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 9, 1))
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	if _, err := f.eng.Close(ctx, p, "dg"); err != nil {
		t.Fatal(err)
	}
	sel := indicators.Selection{Indicators: []string{"reception.wait_20min", "reception.wait_20mn"}}
	if _, err := f.eng.Results(ctx, indicators.Query{Period: p, Selection: sel, Live: true}); err == nil {
		t.Errorf("compute: no error for an unknown indicator")
	}
	if rep, err := f.eng.Results(ctx, indicators.Query{Period: p, Selection: sel}); err == nil || !strings.Contains(err.Error(), "reception.wait_20mn") {
		t.Errorf("closed: %d results, error %v; want unknown indicator", len(rep.Results), err)
	}
}

// TestResultsCache: a server's engine keeps revision numbers for CacheFor
// and closed results for good; its own closing shows at once, another
// process's after CacheFor.
func TestResultsCache(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 9, 1))
	server := indicators.NewEngine(f.db, f.eng.Catalog, false)
	server.Now, server.CacheFor = f.eng.Now, time.Hour
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	q := indicators.Query{Period: p, Selection: indicators.Selection{Indicators: []string{"reception.wait_20min"}, Sites: []string{"PAR-11"}, Scope: "site"}}
	value := func(e *indicators.Engine) (float64, indicators.Provenance) {
		t.Helper()
		rep, err := e.Results(ctx, q)
		if err != nil || len(rep.Results) != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
		return *rep.Results[0].Value, rep.Provenance
	}
	if v, pv := value(server); v != 90 || pv.Closed {
		t.Fatalf("live before closing: %v %+v", v, pv)
	}
	if _, err := server.Close(ctx, p, "dg"); err != nil {
		t.Fatal(err)
	}
	if v, pv := value(server); v != 90 || pv.Revision != 1 {
		t.Fatalf("closed by the server: %v %+v", v, pv)
	}
	if ps, err := server.ClosedPeriods(ctx); err != nil || len(ps) != 1 || len(ps[0].Revisions) != 1 {
		t.Fatalf("closed periods: %+v %v", ps, err)
	}
	// Late data, closed again by another process: the server keeps
	// revision 1 until its cache expires.
	f.send(t, ingest.KindContacts, contactsHeader+"LATE,PAR-11,reception,2026-05-20T09:00:00,2026-05-20T10:00:00,2026-05-20T10:10:00,served,\n")
	if _, err := f.eng.Close(ctx, p, "other"); err != nil {
		t.Fatal(err)
	}
	if v, pv := value(server); v != 90 || pv.Revision != 1 {
		t.Errorf("within CacheFor: %v %+v", v, pv)
	}
	if ps, err := server.ClosedPeriods(ctx); err != nil || len(ps) != 1 || len(ps[0].Revisions) != 1 {
		t.Errorf("closed periods within CacheFor: %+v %v", ps, err)
	}
	if v, pv := value(f.eng); math.Abs(v-100*9.0/11) > 1e-9 || pv.Revision != 2 {
		t.Errorf("uncached engine: %v %+v", v, pv)
	}
	server.CacheFor = time.Nanosecond
	if v, pv := value(server); math.Abs(v-100*9.0/11) > 1e-9 || pv.Revision != 2 || pv.ClosedBy != "other" {
		t.Errorf("after CacheFor: %v %+v", v, pv)
	}
	if ps, err := server.ClosedPeriods(ctx); err != nil || len(ps) != 1 || len(ps[0].Revisions) != 2 {
		t.Errorf("closed periods after CacheFor: %+v %v", ps, err)
	}
}

// TestSelectionOfSites: several sites select themselves and the
// departments, regions and nation they are in, nothing else.
func TestSelectionOfSites(t *testing.T) {
	f := newFixture(t)
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	rep, err := f.eng.Results(context.Background(), indicators.Query{Period: p, Live: true,
		Selection: indicators.Selection{Indicators: []string{"reception.wait_20min"}, Sites: []string{"STR-67", "PAR-11"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, string(r.Scope)+":"+r.ScopeID)
	}
	want := "national: region:11 region:44 department:67 department:75 site:PAR-11 site:STR-67"
	if strings.Join(got, " ") != want {
		t.Errorf("scopes %v, want %s", got, want)
	}
}

// TestReportKeep: Keep asks seen of each result with its indicator's
// publication, the period's closing and the sample, and keeps the order.
func TestReportKeep(t *testing.T) {
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	rep := indicators.Report{Provenance: indicators.Provenance{Closed: true}, Results: []indicators.Result{
		{Indicator: "reception.wait_20min", Scope: "national", Status: indicators.StatusMet},    // published, enough
		{Indicator: "reception.wait_p90", Scope: "national", Status: indicators.StatusNoTarget}, // not published
		{Indicator: "phone.pickup_rate", Scope: "site", ScopeID: "PAR-11", Status: indicators.StatusInsufficientData},
		{Indicator: "email.reply_2wd", Scope: "region", ScopeID: "11", Status: indicators.StatusMissed}, // published, enough
		{Indicator: "nope", Scope: "national", Status: indicators.StatusMet},                            // not in the catalog
	}}
	var asked []string
	rep.Keep(cat, func(scope model.ScopeKind, id string, published, closed, enough bool) bool {
		asked = append(asked, fmt.Sprintf("%s:%s %v %v %v", scope, id, published, closed, enough))
		return published && closed && enough
	})
	var kept []string
	for _, r := range rep.Results {
		kept = append(kept, r.Indicator)
	}
	if got := strings.Join(kept, " "); got != "reception.wait_20min email.reply_2wd" {
		t.Errorf("kept %s", got)
	}
	want := "national: true true true|national: false true true|site:PAR-11 true true false|region:11 true true true"
	if got := strings.Join(asked, "|"); got != want {
		t.Errorf("asked\n%s\nwant\n%s", got, want)
	}
}
