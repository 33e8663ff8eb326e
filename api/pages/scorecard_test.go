package pages

import (
	"strings"
	"testing"

	"globaloffice/indicators"
)

// TestCellAcrossABreak: a previous value measured under another definition
// is shown, with no arrow nor better or worse.
func TestCellAcrossABreak(t *testing.T) {
	d := &indicators.Definition{ID: "x", Unit: "percent", Direction: "higher"}
	v := func(x float64) *float64 { return &x }
	r := indicators.Result{Indicator: "x", Value: v(90), Previous: v(80), Status: indicators.StatusNoTarget, Version: 2, VersionSince: "2026-01-01"}
	if got := cellOf("en", d, r, true).Trend; got != "↑ up (better) · before: 80.0%" {
		t.Errorf("comparable: %q", got)
	}
	r.PreviousBreak = true
	if got := cellOf("en", d, r, true).Trend; got != "⌇ Series break: definition v2 in force since 1 Jan 2026, not comparable · before: 80.0%" {
		t.Errorf("across a break: %q", got)
	}
	if got := cellOf("fr", d, r, true).Trend; !strings.HasPrefix(got, "⌇ Rupture de série : définition v2 en vigueur depuis le 01/01/2026") {
		t.Errorf("across a break, in French: %q", got)
	}
}

func TestSpreadText(t *testing.T) {
	d := &indicators.Definition{Unit: "percent"}
	v := func(x float64) *float64 { return &x }
	f := func(s indicators.Spread, want string) {
		t.Helper()
		if got := spreadText("en", d, &s); got != want {
			t.Errorf("%+v: %q, want %q", s, got, want)
		}
	}
	f(indicators.Spread{Sites: 5, Min: v(60), P10: v(60), Median: v(80), P90: v(100), Max: v(100), Missed: 2},
		"Sites with enough sample: 5 — min 60.0% · 10th percentile 60.0% · median 80.0% · 90th percentile 100.0% · max 100.0%; 2 missed their target")
	f(indicators.Spread{Sites: 1, Min: v(75), P10: v(75), Median: v(75), P90: v(75), Max: v(75), Missed: 1},
		"Sites with enough sample: 1 — min 75.0% · 10th percentile 75.0% · median 75.0% · 90th percentile 75.0% · max 75.0%; 1 missed its target")
	f(indicators.Spread{}, "No site with enough sample")
}
