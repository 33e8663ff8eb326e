package indicators

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	today := date(2026, 11, 27)
	tests := []struct {
		in, from, to, kind, prev, lastYear string
	}{
		{"2026-05-14", "2026-05-14", "2026-05-14", "day", "2026-05-13", "2025-05-14"},
		// 2026-W01 starts on Monday 29 December 2025 (4 January 2026 is a Sunday).
		{"2026-W01", "2025-12-29", "2026-01-04", "week", "2025-W52", "2025-W01"},
		{"2026-W19", "2026-05-04", "2026-05-10", "week", "2026-W18", "2025-W19"},
		// 2026 starts on a Thursday, so it has a week 53; 2025 has not: last year's is W52.
		{"2026-W53", "2026-12-28", "2027-01-03", "week", "2026-W52", "2025-W52"},
		{"2026-05", "2026-05-01", "2026-05-31", "month", "2026-04", "2025-05"},
		{"2026-03", "2026-03-01", "2026-03-31", "month", "2026-02", "2025-03"},
		{"2026-Q1", "2026-01-01", "2026-03-31", "quarter", "2025-Q4", "2025-Q1"},
		{"2026-Q2", "2026-04-01", "2026-06-30", "quarter", "2026-Q1", "2025-Q2"},
		{"2026", "2026-01-01", "2026-12-31", "year", "2025", "2025"},
		{"2026-ytd", "2026-01-01", "2026-11-27", "ytd", "2025-ytd", "2025-ytd"},
		{"2025-ytd", "2025-01-01", "2025-12-31", "ytd", "2024-ytd", "2024-ytd"},
		{"2026-05-01..2026-05-10", "2026-05-01", "2026-05-10", "range", "2026-04-21..2026-04-30", "2025-05-01..2025-05-10"},
		{"2024-02-29", "2024-02-29", "2024-02-29", "day", "2024-02-28", "2023-02-28"},
		// Twelve rolling months end with the month named: 2026-06-r12 is
		// July 2025 to June 2026; previous is the series' previous point
		// (ending May), last year the twelve months ending June 2025.
		{"2026-06-r12", "2025-07-01", "2026-06-30", "rolling12", "2026-05-r12", "2025-06-r12"},
		{"2026-02-r12", "2025-03-01", "2026-02-28", "rolling12", "2026-01-r12", "2025-02-r12"},
		// Ending in January: the previous point ends in December of the year before.
		{"2026-01-r12", "2025-02-01", "2026-01-31", "rolling12", "2025-12-r12", "2025-01-r12"},
		{"2026-12-r12", "2026-01-01", "2026-12-31", "rolling12", "2026-11-r12", "2025-12-r12"},
		// 2024 is a leap year: February ends on the 29th.
		{"2024-02-r12", "2023-03-01", "2024-02-29", "rolling12", "2024-01-r12", "2023-02-r12"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in, today)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := p.From.Format(time.DateOnly) + " " + p.To.Format(time.DateOnly) + " " + p.Kind; got != tt.from+" "+tt.to+" "+tt.kind {
			t.Errorf("%s = %s, want %s %s %s", tt.in, got, tt.from, tt.to, tt.kind)
		}
		if got := p.Previous().Name; got != tt.prev {
			t.Errorf("%s previous = %s, want %s", tt.in, got, tt.prev)
		}
		if got := p.LastYear().Name; got != tt.lastYear {
			t.Errorf("%s last year = %s, want %s", tt.in, got, tt.lastYear)
		}
	}
	for _, bad := range []string{"2026-13-r12", "2026-00-r12", "2026-06-r", "2026-06-R12", "2026-6-r12", "2000-05-r12", "2026-13", "2025-W53", "2026-W00", "2026-Q5", "2027-ytd", "2026-05-10..2026-05-01", "2026-02-30", "May 2026", "", "0000", "1999-Q4", "2026-01-01..2201-01-01"} {
		if _, err := ParsePeriod(bad, today); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	for _, in := range []string{"2026-06-r11", "2026-06-r24", "2026-06-r1"} {
		if _, err := ParsePeriod(in, today); err == nil || !strings.Contains(err.Error(), "only r12") {
			t.Errorf("%s: error %v, want only r12", in, err)
		}
	}
	if _, err := ParsePeriod("2026-13-r12", today); err == nil || !strings.Contains(err.Error(), "no month 13") {
		t.Errorf("2026-13-r12: error %v, want no month 13", err)
	}
	// Twelve rolling months take the targets of the year they end in.
	if r, _ := ParsePeriod("2026-02-r12", today); r.Year() != 2026 || r.Days() != 365 {
		t.Errorf("2026-02-r12: year %d, %d days; want 2026, 365", r.Year(), r.Days())
	}
	// Its previous point and last year, day by day: the previous shares
	// eleven months with it, last year ends the day before it starts.
	r, _ := ParsePeriod("2026-01-r12", today)
	if pr, ly := r.Previous(), r.LastYear(); pr.From != date(2025, 1, 1) || pr.To != date(2025, 12, 31) || ly.From != date(2024, 2, 1) || ly.To != date(2025, 1, 31) || ly.Kind != "rolling12" {
		t.Errorf("2026-01-r12: previous %v..%v, last year %v..%v %s", pr.From, pr.To, ly.From, ly.To, ly.Kind)
	}
	// 2026-W01 starts in 2025 but takes 2026's targets.
	if w1, _ := ParsePeriod("2026-W01", today); w1.Year() != 2026 {
		t.Errorf("2026-W01 year %d, want 2026", w1.Year())
	}
	// The previous week of 2026-W01 is 2025-W52: 22–28 December 2025.
	p, _ := ParsePeriod("2026-W01", today)
	if pw := p.Previous(); pw.From != date(2025, 12, 22) || pw.To != date(2025, 12, 28) {
		t.Errorf("previous of 2026-W01: %v..%v", pw.From, pw.To)
	}
}

func TestWilson(t *testing.T) {
	// Hand-worked: 45/60, p = 0.75, z = 1.96: center (0.75 + 0.0320)/1.0640 =
	// 0.7350, half 1.96/1.0640·√(0.003125 + 0.000267) = 0.1073 →
	// [0.6277, 0.8422]. 0/20: center 0.0806, half 0.0806 → [0, 0.1611].
	tests := []struct{ k, n, lo, hi float64 }{
		{45, 60, 0.6277, 0.8422},
		{0, 20, 0, 0.1611},
		{20, 20, 0.8389, 1},
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.k, tt.n)
		if math.Abs(lo-tt.lo) > 5e-5 || math.Abs(hi-tt.hi) > 5e-5 {
			t.Errorf("Wilson(%v, %v) = [%.4f, %.4f], want [%.4f, %.4f]", tt.k, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestFinishedQuarters(t *testing.T) {
	f := func(fromYear int, today time.Time, want string) {
		t.Helper()
		var names []string
		for _, p := range FinishedQuarters(fromYear, today) {
			q, err := ParsePeriod(p.Name, today)
			if err != nil || q != p {
				t.Errorf("%s does not parse to itself: %+v %v", p.Name, q, err)
			}
			names = append(names, p.Name)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("FinishedQuarters(%d, %s) = %q, want %q", fromYear, today.Format(time.DateOnly), got, want)
		}
	}
	// Q3 ends on 30 September: finished on 1 October, not on 30 September.
	f(2026, date(2026, 9, 30), "2026-Q1 2026-Q2")
	f(2026, date(2026, 10, 1), "2026-Q1 2026-Q2 2026-Q3")
	// A time of day does not matter, only the date.
	f(2026, time.Date(2026, 10, 1, 0, 0, 1, 0, time.UTC), "2026-Q1 2026-Q2 2026-Q3")
	f(2025, date(2026, 11, 28), "2025-Q1 2025-Q2 2025-Q3 2025-Q4 2026-Q1 2026-Q2 2026-Q3")
	f(2026, date(2026, 3, 31), "")
	f(2027, date(2026, 11, 28), "")
}

// FuzzParsePeriod: any text is either refused or a period whose days run
// forward, whose name parses back to the same days, and which never starts
// before 2000 nor ends after 2100 (ClickHouse's DateTime range).
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-05-14", "2026-W19", "2026-05", "2026-Q2", "2026", "2026-ytd", "2026-05-01..2026-05-31", "2026-02-r12", "2026-06-r11", "2026-W53", "2026-13", "0000-01", "9999-Q4", "2026-05-31..2026-05-01", "' OR 1=1 --", "../../etc/passwd", "2026-02-29"} {
		f.Add(s)
	}
	today := date(2026, 11, 27)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s, today)
		if err != nil {
			return
		}
		if p.To.Before(p.From) || p.Days() < 1 {
			t.Fatalf("%q: %s..%s runs backwards", s, p.From, p.To)
		}
		if p.From.Year() < 2000 || p.To.Year() > 2100 {
			t.Fatalf("%q: %s..%s outside 2000–2100", s, p.From, p.To)
		}
		q, err := ParsePeriod(p.Name, today)
		if err != nil || !q.From.Equal(p.From) || !q.To.Equal(p.To) {
			t.Fatalf("%q: name %q parses to %v..%v, %v; want %v..%v", s, p.Name, q.From, q.To, err, p.From, p.To)
		}
	})
}
