package indicators

import (
	"fmt"
	"testing"
)

func TestNearestRank(t *testing.T) {
	f := func(millionths, n, want int) {
		t.Helper()
		if got := nearestRank(millionths, n); got != want {
			t.Errorf("rank of p = %d millionths in %d = %d, want %d", millionths, n, got, want)
		}
	}
	f(0, 5, 1)         // the minimum
	f(100_000, 5, 1)   // ⌈0.5⌉
	f(100_000, 10, 1)  // ⌈1⌉
	f(100_000, 11, 2)  // ⌈1.1⌉
	f(500_000, 4, 2)   // ⌈2⌉: the lower middle value, never an average
	f(500_000, 5, 3)   // ⌈2.5⌉
	f(900_000, 5, 5)   // ⌈4.5⌉
	f(900_000, 10, 9)  // ⌈9⌉
	f(900_000, 11, 10) // ⌈9.9⌉
	f(1_000_000, 7, 7) // the maximum
	f(500_000, 1, 1)
}

func TestSpreadOf(t *testing.T) {
	f := func(sts []siteStanding, want string) {
		t.Helper()
		s := spreadOf(sts)
		got := fmt.Sprintf("%d sites, %v %v %v %v %v, %d missed", s.Sites, deref(s.Min), deref(s.P10), deref(s.Median), deref(s.P90), deref(s.Max), s.Missed)
		if got != want {
			t.Errorf("spread of %v = %s, want %s", sts, got, want)
		}
	}
	// Five sites, in no order: sorted 60 70 80 90 100; p10 is the 1st
	// (⌈0.5⌉), the median the 3rd (⌈2.5⌉), p90 the 5th (⌈4.5⌉).
	f([]siteStanding{{90, false}, {60, true}, {100, false}, {80, false}, {70, true}}, "5 sites, 60 60 80 100 100, 2 missed")
	// Eleven sites 1…11: p10 the 2nd (⌈1.1⌉), median the 6th, p90 the
	// 10th (⌈9.9⌉).
	var eleven []siteStanding
	for v := 11; v >= 1; v-- {
		eleven = append(eleven, siteStanding{float64(v), v <= 3})
	}
	f(eleven, "11 sites, 1 2 6 10 11, 3 missed")
	// Four: the median is the 2nd value, not the mean of the middle two.
	f([]siteStanding{{4, false}, {1, false}, {3, false}, {2, false}}, "4 sites, 1 1 2 4 4, 0 missed")
	f([]siteStanding{{42.5, true}}, "1 sites, 42.5 42.5 42.5 42.5 42.5, 1 missed")
	f(nil, "0 sites, <nil> <nil> <nil> <nil> <nil>, 0 missed")
}
