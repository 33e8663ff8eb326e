package commands

import (
	"bytes"
	"strings"
	"testing"

	"globaloffice/indicators"
	"globaloffice/model"
)

func num(v float64) *float64 { return &v }

func TestPrintResults(t *testing.T) {
	// LYO-03: 9 of 12 within 20 minutes, target 80, missed.
	r := indicators.Result{
		Indicator: "reception.wait_20min", Scope: model.ScopeSite, ScopeID: "LYO-03", Period: "2026-05",
		Value: num(75), Numerator: num(9), Denominator: num(12), Sample: 12, CILow: num(46.77), CIHigh: num(91.11),
		Target: num(80), Status: indicators.StatusMissed, Unit: "percent",
	}
	closed := r
	closed.Revision = 2
	// Department 75 under version 2 since 2026-01-01, last year a break:
	// 3 sites counted, 1 missed.
	dept := r
	dept.Scope, dept.ScopeID, dept.Version, dept.VersionSince, dept.LastYearBreak = model.ScopeDepartment, "75", 2, "2026-01-01", true
	dept.Spread = &indicators.Spread{Sites: 3, Min: num(60), P10: num(60), Median: num(75), P90: num(90), Max: num(90), Missed: 1}
	r.Version, closed.Version = 1, 1
	f := func(format string, rs []indicators.Result, want string) {
		t.Helper()
		var b bytes.Buffer
		if err := printResults(&b, format, rs); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if b.String() != want {
			t.Errorf("%s:\n%s\nwant:\n%s", format, b.String(), want)
		}
	}
	header := "indicator,scope,scope_id,period,value,unit,numerator,denominator,sample,ci_low,ci_high,target,status,previous,last_year,required_rest_of_year,revision," +
		"version,version_since,previous_break,last_year_break,spread_sites,spread_min,spread_p10,spread_median,spread_p90,spread_max,spread_missed\n"
	f("csv", []indicators.Result{r, closed, dept}, header+
		"reception.wait_20min,site,LYO-03,2026-05,75.000000,percent,9.000000,12.000000,12,46.770000,91.110000,80.000000,missed,,,,,1,,false,false,,,,,,,\n"+
		"reception.wait_20min,site,LYO-03,2026-05,75.000000,percent,9.000000,12.000000,12,46.770000,91.110000,80.000000,missed,,,,2,1,,false,false,,,,,,,\n"+
		"reception.wait_20min,department,75,2026-05,75.000000,percent,9.000000,12.000000,12,46.770000,91.110000,80.000000,missed,,,,,2,2026-01-01,false,true,3,60.000000,60.000000,75.000000,90.000000,90.000000,1\n")
	f("csv", nil, header)
	f("json", nil, "[]\n")
	f("table", []indicators.Result{r}, strings.Join([]string{
		"INDICATOR             SCOPE  ID      VALUE  UNIT     SAMPLE  95% CI     TARGET  STATUS  PREVIOUS  LAST YEAR  ",
		"reception.wait_20min  site   LYO-03  75.0   percent  12      46.8–91.1  80.0    missed                       ",
		""}, "\n"))

	if err := printResults(&bytes.Buffer{}, "xml", nil); err == nil || err.Error() != `--format "xml": want table, json or csv` {
		t.Errorf("unknown format: %v", err)
	}
}

func TestPrintMatrix(t *testing.T) {
	cat := &indicators.Catalog{Indicators: []*indicators.Definition{
		{ID: "a", Published: true}, {ID: "b"}, {ID: "c", Published: true},
	}}
	rs := []indicators.Result{
		{Indicator: "a", ScopeID: "84", Value: num(75), Status: indicators.StatusMissed},
		{Indicator: "b", ScopeID: "84", Value: num(1), Status: indicators.StatusMet}, // not published: no column
		{Indicator: "c", ScopeID: "84", Value: num(90), Status: indicators.StatusMet},
		{Indicator: "a", ScopeID: "11", Value: num(3), Status: indicators.StatusInsufficientData},
		{Indicator: "c", ScopeID: "11", Value: num(50), Status: indicators.StatusNoTarget},
	}
	var b bytes.Buffer
	if err := printMatrix(&b, cat, rs); err != nil {
		t.Fatal(err)
	}
	// Rows sorted by region; a value too thin to show is "–"; no target, no mark.
	want := "REGION  a       c\n" +
		"11      – ·     50.0  \n" +
		"84      75.0 ✗  90.0 ✓\n"
	if b.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}
}
