package grafana

import (
	"context"
	"reflect"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/model"
	"globaloffice/store"
)

func newScanValue(t reflect.Type) any { return reflect.New(t).Interface() }

// deref reads a scanned Nullable(Float64) or Float64 cell.
func deref(v any) *float64 {
	switch x := v.(type) {
	case **float64:
		return *x
	case *float64:
		return x
	}
	return nil
}

func sameValue(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// checkFigures: the panels show what the engine computed and closed (the
// same figures as the API's), and the volumes count each stored event
// once.
func checkFigures(ctx context.Context, t *testing.T, db *store.DB, e *indicators.Engine, cat *indicators.Catalog) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC)
	all := vars{"region": "$__all", "site": "$__all", "channel": "$__all"}
	engine := map[string]map[[2]string]indicators.Result{}
	for _, name := range []string{"2026-01", "2026-02"} {
		p, err := indicators.ParsePeriod(name, to)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.Results(ctx, indicators.Query{Period: p})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Provenance.Revision == 0 {
			t.Fatalf("%s: not read from its closing: %+v", name, rep.Provenance)
		}
		engine[name] = map[[2]string]indicators.Result{}
		for _, r := range rep.Results {
			engine[name][[2]string{r.Indicator, string(r.Scope) + ":" + r.ScopeID}] = r
		}
	}

	// The national table: one row per published commitment, February (the
	// latest closed month in the range), the engine's national value.
	pub := published(cat)
	_, rows, err := run(ctx, db, nationalSQL(pub), all, from, to, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(pub) {
		t.Fatalf("national: %d rows, want %d (published commitments)", len(rows), len(pub))
	}
	byTitle := map[string]*indicators.Definition{}
	for _, d := range pub {
		byTitle[d.Title.In("en")] = d
	}
	valued := 0
	for _, r := range rows {
		if deref(r[2]) != nil {
			valued++
		}
		d := byTitle[*r[0].(*string)]
		if d == nil || *r[1].(*string) != "2026-02" {
			t.Errorf("national row %v %v: not a published commitment's February", *r[0].(*string), *r[1].(*string))
			continue
		}
		want := engine["2026-02"][[2]string{d.ID, string(model.ScopeNational) + ":"}]
		if !sameValue(deref(r[2]), want.Value) {
			t.Errorf("national %s: value %v, engine %v", d.ID, deref(r[2]), want.Value)
		}
	}

	if valued == 0 {
		t.Error("national: no commitment has a value: the comparison proves nothing")
	}

	// Regions of the first commitment.
	d := pub[0]
	_, rows, err = run(ctx, db, regionSQL(d), all, from, to, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	regions := 0
	for k := range engine["2026-02"] {
		if k[0] == d.ID && len(k[1]) > 7 && k[1][:7] == "region:" {
			regions++
		}
	}
	if len(rows) == 0 || len(rows) != regions {
		t.Errorf("%s by region: %d rows, engine %d regions", d.ID, len(rows), regions)
	}
	for _, r := range rows {
		want := engine["2026-02"][[2]string{d.ID, "region:" + *r[0].(*string)}]
		if !sameValue(deref(r[1]), want.Value) {
			t.Errorf("%s region %s: %v, engine %v", d.ID, *r[0].(*string), deref(r[1]), want.Value)
		}
	}

	// A site's history: January and February at midnight of their first
	// day (drawn in UTC: the local dates), the engine's site values; the
	// phone channel empties a reception indicator's panel.
	site := vars{"region": "11", "site": "PAR-11", "channel": "$__all"}
	rec, _ := cat.Get("reception.wait_20min")
	_, rows, err = run(ctx, db, historySQL(rec), site, from, to, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("history of %s at PAR-11: %d rows, want 2 (January, February)", rec.ID, len(rows))
	}
	for i, name := range []string{"2026-01", "2026-02"} {
		at := *rows[i][0].(*time.Time)
		if want := time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC); !at.Equal(want) {
			t.Errorf("history row %d at %s, want %s", i, at, want)
		}
		want := engine[name][[2]string{rec.ID, "site:PAR-11"}]
		if want.Value == nil {
			t.Errorf("%s at PAR-11 in %s has no value: the comparison proves nothing", rec.ID, name)
		}
		if !sameValue(deref(rows[i][1]), want.Value) {
			t.Errorf("history %s %s: %v, engine %v", rec.ID, name, deref(rows[i][1]), want.Value)
		}
	}
	// demo/sites.csv: PAR-11 is in region 11, department 75, Europe/Paris.
	if _, rows, err := run(ctx, db, siteListSQL, site, from, to, time.Hour); err != nil || len(rows) != 1 ||
		*rows[0][0].(*string) != "PAR-11" || *rows[0][3].(*string) != "75" || *rows[0][4].(*string) != "Europe/Paris" {
		t.Errorf("site list at PAR-11: %v, %v", rows, err)
	}
	site["channel"] = "phone"
	if _, rows, err = run(ctx, db, historySQL(rec), site, from, to, time.Hour); err != nil || len(rows) != 0 {
		t.Errorf("history of %s with channel phone: %d rows, %v; want none", rec.ID, len(rows), err)
	}

	// Volumes: every contact of January and February once, in daily
	// buckets (59 days) or 3-day buckets (at most 21: day numbers are cut
	// at multiples of 3 from 1970).
	var want uint64
	if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM contacts FINAL WHERE arrived_date BETWEEN '2026-01-01' AND '2026-02-28'").Scan(&want); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		interval time.Duration
		buckets  int
	}{{time.Hour, 59}, {3 * 24 * time.Hour, 21}} {
		_, rows, err := run(ctx, db, volumeSQL("contacts", "arrived_date"), all, from, to, c.interval)
		if err != nil {
			t.Fatal(err)
		}
		var sum uint64
		for _, r := range rows {
			sum += *r[1].(*uint64)
		}
		if want == 0 || sum != want || len(rows) > c.buckets {
			t.Errorf("contacts by %s: %d in %d buckets, want %d in at most %d", c.interval, sum, len(rows), want, c.buckets)
		}
	}
}
