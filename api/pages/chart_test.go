package pages

import (
	"reflect"
	"testing"
)

func ptr(v float64) *float64 { return &v }

// TestDrawChart: bars from the zero line, targets as segments, the value
// above its bar, on 0–100 for percentages and from the data otherwise.
func TestDrawChart(t *testing.T) {
	f := func(unit string, pts []chartPoint, baseline string, want []chartBar) {
		t.Helper()
		c := drawChart("label", unit, pts)
		if c.Baseline != baseline || c.Width != 200 || c.Height != 94 || c.Label != "label" {
			t.Errorf("%s: baseline %s, %d×%d, %q", unit, c.Baseline, c.Width, c.Height, c.Label)
		}
		if !reflect.DeepEqual(c.Bars, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", unit, c.Bars, want)
		}
	}
	// Percent, two slots of 100: 50% → y 62 − 0.5 × 44 = 40, bar 60 wide
	// from 20; the target 80 → y 26.8 from 8 to 92; nothing in the second.
	f("percent", []chartPoint{
		{Label: "T1 2026", Value: ptr(50), Text: "50,0", Target: ptr(80), Status: "missed"},
		{Label: "T2 2026"},
	}, "62", []chartBar{
		{X: "20", Y: "40", W: "60", H: "22", HasValue: true, Text: "50,0", TextY: "37", Class: "missed",
			TX1: "8", TX2: "92", TY: "26.8", HasTarget: true, LabelX: "50", LabelY: "77", Label: "T1", Year: "2026", YearY: "91", EmptyY: "59"},
		{Class: "none", LabelX: "150", LabelY: "77", Label: "T2", Year: "2026", YearY: "91", EmptyY: "59"},
	})
	// Points from −20 to 40: the scale runs from −20 to 40 × 1.15 = 46,
	// 66 points over 44 units; zero at 62 − 20/66 × 44 = 48.7 (48.67);
	// 40 → 62 − 60/66 × 44 = 22 (22.0); −20 → a bar down to 62.
	f("points", []chartPoint{
		{Label: "T1 2026", Value: ptr(40), Text: "40,0", Status: "no_target"},
		{Label: "T2 2026", Value: ptr(-20), Text: "-20,0", Status: "no_target"},
	}, "48.7", []chartBar{
		{X: "20", Y: "22", W: "60", H: "26.7", HasValue: true, Text: "40,0", TextY: "19", Class: "none", LabelX: "50", LabelY: "77", Label: "T1", Year: "2026", YearY: "91", EmptyY: "45.7"},
		{X: "120", Y: "48.7", W: "60", H: "13.3", HasValue: true, Text: "-20,0", TextY: "45.7", Class: "none", LabelX: "150", LabelY: "77", Label: "T2", Year: "2026", YearY: "91", EmptyY: "45.7"},
	})
	// A zero still shows, one unit tall.
	f("minutes", []chartPoint{{Label: "T1 2026", Value: ptr(0), Text: "0,0", Status: "met"}}, "62", []chartBar{
		{X: "40", Y: "61", W: "120", H: "1", HasValue: true, Text: "0,0", TextY: "58", Class: "met", LabelX: "100", LabelY: "77", Label: "T1", Year: "2026", YearY: "91", EmptyY: "59"},
	})
}
