package indicators

import (
	"math"
	"testing"
)

func TestValue(t *testing.T) {
	f := func(m Measure, a agg, v, num, den float64) {
		t.Helper()
		d := &Definition{ID: "x", Measure: m}
		gv, gnum, gden := value(d, a)
		same := func(p *float64, want float64) bool {
			if math.IsNaN(want) {
				return p == nil
			}
			return p != nil && math.Abs(*p-want) < 1e-12
		}
		if !same(gv, v) || !same(gnum, num) || !same(gden, den) {
			t.Errorf("%s of %+v = %v %v %v, want %v %v %v", m.Name(), a, deref(gv), deref(gnum), deref(gden), v, num, den)
		}
	}
	none := math.NaN()
	// Shares are percentages: 9 of 12 = 75%.
	f(Share{Value: "wait_minutes", Threshold: 20}, agg{sample: 12, num: 9, den: 12}, 75, 9, 12)
	f(Ratio{Numerator: Filter{"outcome": {"served"}}}, agg{sample: 8, num: 2, den: 8}, 25, 2, 8)
	f(TopBox{Dimension: "overall"}, agg{sample: 4, num: 3, den: 4}, 75, 3, 4)
	f(RepeatContact{WindowHours: 168}, agg{sample: 5, num: 1, den: 5}, 20, 1, 5)
	// NPS: 5 promoters − 2 detractors of 10 = 30 points.
	f(NPS{Dimension: "recommend"}, agg{sample: 10, num: 3, den: 10}, 30, 3, 10)
	// Means: 45 minutes over 6 = 7.5.
	f(Mean{Value: "wait_minutes"}, agg{sample: 6, num: 45, den: 6}, 7.5, 45, 6)
	f(MeanScore{Dimension: "overall"}, agg{sample: 4, num: 14, den: 4}, 3.5, 14, 4)
	// A quantile is its q; a count its population; neither has a ratio.
	f(Quantile{Value: "wait_minutes", P: 0.9}, agg{sample: 40, den: 40, q: 17.5}, 17.5, none, none)
	f(Count{}, agg{sample: 42, num: 42, den: 42}, 42, none, none)
	// An empty population has no value at all.
	f(Share{Value: "wait_minutes", Threshold: 20}, agg{}, none, none, none)
	f(Quantile{Value: "wait_minutes", P: 0.5}, agg{}, none, none, none)
}

func TestStatus(t *testing.T) {
	f := func(direction string, minSample int, value *float64, sample uint64, target *float64, want string) {
		t.Helper()
		d := &Definition{Direction: direction, MinSample: minSample, Measure: Share{}}
		if got := status(d, Result{Value: value, Sample: sample, Target: target}); got != want {
			t.Errorf("%s, min %d: value %v sample %d target %v = %s, want %s", direction, minSample, deref(value), sample, deref(target), got, want)
		}
	}
	v := func(x float64) *float64 { return &x }
	f("higher", 10, v(80), 10, v(80), StatusMet) // equal to the target meets it
	f("higher", 10, v(79.99), 10, v(80), StatusMissed)
	f("lower", 10, v(20), 10, v(20), StatusMet)
	f("lower", 10, v(20.01), 10, v(20), StatusMissed)
	f("higher", 10, v(100), 9, v(80), StatusInsufficientData) // below the minimum sample
	f("higher", 0, nil, 0, v(80), StatusInsufficientData)     // no value
	f("higher", 10, v(90), 10, nil, StatusNoTarget)
	f("higher", 10, v(90), 9, nil, StatusInsufficientData) // the sample comes first
}

func TestRequired(t *testing.T) {
	// 2024 is a leap year: 1 January–1 July is 183 days, 2 July–31
	// December 183 more, so the rest of the year's population at this pace
	// is R = D and the value needed is (t·2D − N·scale)/D = 2t − N·scale/D.
	half := Period{Name: "2024-ytd", Kind: "ytd", From: date(2024, 1, 1), To: date(2024, 7, 1)}
	f := func(m Measure, a agg, target float64, p Period, want float64) {
		t.Helper()
		got := required(&Definition{Measure: m}, a, target, p)
		switch {
		case math.IsNaN(want) && got != nil:
			t.Errorf("%s %+v target %v: required %v, want none", m.Name(), a, target, *got)
		case !math.IsNaN(want) && (got == nil || math.Abs(*got-want) > 1e-9):
			t.Errorf("%s %+v target %v: required %v, want %v", m.Name(), a, target, deref(got), want)
		}
	}
	share := Share{Value: "wait_minutes", Threshold: 20}
	// 80 of 100 so far, target 90%: 2·90 − 80 = 100% for the rest.
	f(share, agg{num: 80, den: 100}, 90, half, 100)
	f(Ratio{}, agg{num: 95, den: 100}, 90, half, 85)
	// A mean of 15 (1500 over 100), target 12: 2·12 − 15 = 9.
	f(Mean{Value: "wait_minutes"}, agg{num: 1500, den: 100}, 12, half, 9)
	// 2026-ytd on 27 November: 331 days elapsed, 34 left, R = 10·34/331;
	// 8 of 10 so far, target 90: (90·(10 + R) − 800)/R.
	R := 10.0 * 34 / 331
	f(share, agg{num: 8, den: 10}, 90, Period{Kind: "ytd", From: date(2026, 1, 1), To: date(2026, 11, 27)}, (90*(10+R)-800)/R)
	none := math.NaN()
	f(share, agg{num: 80, den: 100}, 90, Period{Kind: "ytd", From: date(2025, 1, 1), To: date(2025, 12, 31)}, none) // the year is over
	f(share, agg{}, 90, half, none)                                                                                 // nothing yet
	f(Quantile{Value: "wait_minutes", P: 0.9}, agg{den: 100, q: 30}, 20, half, none)                                // not a pooled ratio
	f(Count{}, agg{num: 100, den: 100}, 200, half, none)
	f(NPS{Dimension: "recommend"}, agg{num: 30, den: 100}, 40, half, none)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
