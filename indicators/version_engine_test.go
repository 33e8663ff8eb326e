package indicators_test

import (
	"context"
	"strings"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

// TestSeriesBreakAcrossAYear: reception.wait_20min gets version 2 from 1
// January 2026. PAR-11's visits within 20 minutes, by hand:
//
//	January 2025  8 of 10 → 80 %    February 2025  5 of 10 → 50 %
//	December 2025 9 of 10 → 90 %
//	January 2026 10 of 10 → 100 %   February 2026  7 of 10 → 70 %
//
// January 2026 against December 2025 and January 2025: both breaks.
// February 2026 against January 2026 (100): comparable; against February
// 2025 (50): a break. 2026 (17 of 20 → 85 %) against 2025 (22 of 30 →
// 73.3 %): a break. December 2025 against November: both under version 1.
// December 2025 closed under version 1 still says version 1 once the
// catalog says 2; a series from November 2025 to February 2026 breaks at
// January 2026 only.
func TestSeriesBreakAcrossAYear(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+visits("PAR-11", "2025-01-15", 8, 2)+visits("PAR-11", "2025-02-10", 5, 5)+
		visits("PAR-11", "2025-12-10", 9, 1)+visits("PAR-11", "2026-01-14", 10, 0)+visits("PAR-11", "2026-02-11", 7, 3))
	period := func(s string) indicators.Period {
		p, err := indicators.ParsePeriod(s, f.eng.Now())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	dec := period("2025-12")
	if _, err := f.eng.Close(ctx, dec, "test"); err != nil { // under the default catalog: version 1
		t.Fatal(err)
	}
	v2, err := indicators.ParseCatalog("v2.yaml", []byte(strings.Replace(string(indicators.DefaultCatalogYAML()),
		"  - id: reception.wait_20min\n", "  - id: reception.wait_20min\n    version: 2\n    since: 2026-01-01\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = v2
	const id = "reception.wait_20min"
	type want struct {
		value, previous, lastYear    any // nil: none
		previousBreak, lastYearBreak bool
		version                      int
		since                        string
	}
	check := func(what string, r indicators.Result, w want) {
		t.Helper()
		round := func(p *float64) any {
			if p == nil {
				return nil
			}
			return float64(int(*p*10+0.5)) / 10
		}
		if got := (want{round(r.Value), round(r.Previous), round(r.LastYear), r.PreviousBreak, r.LastYearBreak, r.Version, r.VersionSince}); got != w {
			t.Errorf("%s: %+v, want %+v", what, got, w)
		}
	}
	site := func(rs []indicators.Result) indicators.Result {
		t.Helper()
		for _, r := range rs {
			if r.Indicator == id && r.Scope == model.ScopeSite && r.ScopeID == "PAR-11" {
				return r
			}
		}
		t.Fatal("no PAR-11 result")
		return indicators.Result{}
	}
	live := func(p string) indicators.Result {
		t.Helper()
		rep, err := f.eng.Results(ctx, indicators.Query{Period: period(p), Selection: indicators.Selection{Indicators: []string{id}}, Live: true})
		if err != nil {
			t.Fatal(err)
		}
		return site(rep.Results)
	}
	check("2026-01", live("2026-01"), want{100.0, 90.0, 80.0, true, true, 2, "2026-01-01"})
	check("2026-02", live("2026-02"), want{70.0, 100.0, 50.0, false, true, 2, "2026-01-01"})
	check("2026", live("2026"), want{85.0, 73.3, 73.3, true, true, 2, "2026-01-01"})
	check("2025-12 live", live("2025-12"), want{90.0, nil, nil, false, false, 2, "2026-01-01"})
	closed, err := f.eng.Results(ctx, indicators.Query{Period: dec, Selection: indicators.Selection{Indicators: []string{id}}})
	if err != nil {
		t.Fatal(err)
	}
	check("2025-12 closed under version 1", site(closed.Results), want{90.0, nil, nil, false, false, 1, ""})
	// Closing January 2026 stores version 2 and its breaks.
	jan := period("2026-01")
	if _, err := f.eng.Close(ctx, jan, "test"); err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.Results(ctx, indicators.Query{Period: jan, Selection: indicators.Selection{Indicators: []string{id}}})
	if err != nil || !rep.Provenance.Closed {
		t.Fatalf("January closed: %v %v", rep.Provenance, err)
	}
	check("2026-01 closed", site(rep.Results), want{100.0, 90.0, 80.0, true, true, 2, "2026-01-01"})

	// The series: November (live), December (closed, version 1), January
	// (closed, version 2), February (live).
	months := period("2026-02").Months(4)
	series, err := f.eng.Series(ctx, months, indicators.Selection{Indicators: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	for i, wantBreak := range []bool{false, false, true, false} {
		for _, r := range series[i].Results {
			if (r.Scope == model.ScopeSite && r.ScopeID == "PAR-11" || r.Scope == model.ScopeNational) && r.SeriesBreak != wantBreak {
				t.Errorf("series %s %s:%s: break %v, want %v", months[i], r.Scope, r.ScopeID, r.SeriesBreak, wantBreak)
			}
		}
	}
	if r := site(series[1].Results); r.Version != 1 || !series[1].Provenance.Closed {
		t.Errorf("series December: version %d, closed %v; want 1, closed", r.Version, series[1].Provenance.Closed)
	}

	// A revision closed before the columns existed (its rows written with
	// the old ones only) reads as version 1, no break, no spread.
	if err := f.db.Conn().Exec(ctx, `INSERT INTO results (period, period_from, period_to, revision, closed_at, closed_by, indicator, scope, scope_id, unit, value, numerator, denominator, sample, ci_low, ci_high, target, status, previous, last_year, required)
SELECT period, period_from, period_to, toUInt32(3), closed_at, closed_by, indicator, scope, scope_id, unit, value, numerator, denominator, sample, ci_low, ci_high, target, status, previous, last_year, required
FROM results WHERE period = '2026-01' AND revision = 1`); err != nil {
		t.Fatal(err)
	}
	old, err := f.eng.Results(ctx, indicators.Query{Period: jan, Selection: indicators.Selection{Indicators: []string{id}}, Revision: 3})
	if err != nil {
		t.Fatal(err)
	}
	check("2026-01 old revision", site(old.Results), want{100.0, 90.0, 80.0, false, false, 1, ""})
	for _, r := range old.Results {
		if r.Spread != nil {
			t.Errorf("old revision %s:%s: spread %s, want none", r.Scope, r.ScopeID, show(r.Spread))
		}
	}
}
