package commands

import (
	"slices"
	"testing"
	"time"
)

func TestFinishedQuarters(t *testing.T) {
	f := func(from int, today time.Time, want []string) {
		t.Helper()
		if got := finishedQuarters(from, today); !slices.Equal(got, want) {
			t.Errorf("finishedQuarters(%d, %s) = %q, want %q", from, today.Format(time.DateTime), got, want)
		}
	}
	f(2025, time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC), []string{"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"})
	f(2026, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), []string{"2026-Q1"}) // Q1 ends as 1 April starts
	f(2026, time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), nil)
	f(2027, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), nil)
}
