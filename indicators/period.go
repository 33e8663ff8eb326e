package indicators

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Period is a span of civil dates [From, To] (both included), cut in each
// site's local time, with the name it was given.
type Period struct {
	Name     string
	Kind     string // day, week, month, quarter, year, ytd, rolling12, range
	From, To time.Time
}

func (p Period) String() string { return p.Name }

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24) + 1 }

// Year is the year whose targets apply: the year the period starts in, the
// ISO year for a week, the year it ends in for twelve rolling months (the
// year in its name: 2026-02-r12 is the 2026 point of a rolling series,
// although eleven of its months are in 2025).
func (p Period) Year() int {
	switch p.Kind {
	case "week":
		y, _ := p.From.ISOWeek() // 2026-W01 starts on 29 December 2025
		return y
	case "rolling12":
		return p.To.Year()
	}
	return p.From.Year()
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var (
	reDay     = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	reWeek    = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
	reMonth   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reQuarter = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	reYear    = regexp.MustCompile(`^(\d{4})$`)
	reYTD     = regexp.MustCompile(`^(\d{4})-ytd$`)
	// Any rN is matched so that r3 or r24 is told only r12 is supported.
	reRolling = regexp.MustCompile(`^(\d{4})-(\d{2})-r(\d*)$`)
)

// ParsePeriod reads 2026-05-14 (day), 2026-W19 (ISO week), 2026-05,
// 2026-Q2, 2026, 2026-ytd (1 January to today, or to 31 December for a past
// year), 2026-05-r12 (the twelve months ending with May 2026: 1 June 2025
// to 31 May 2026, kind rolling12) and FROM..TO date ranges (both
// included). today is the current date, for ytd.
func ParsePeriod(s string, today time.Time) (Period, error) {
	p, err := parsePeriod(strings.TrimSpace(s), today)
	if err != nil {
		return Period{}, err
	}
	if p.From.Year() < 2000 || p.To.Year() > 2100 {
		return Period{}, fmt.Errorf("period %q: outside 2000–2100", s)
	}
	return p, nil
}

func parsePeriod(s string, today time.Time) (Period, error) {
	atoi := func(v string) int { n, _ := strconv.Atoi(v); return n }
	if from, to, ok := strings.Cut(s, ".."); ok {
		f, err := parseDay(from)
		if err != nil {
			return Period{}, fmt.Errorf("period %q: from: %w", s, err)
		}
		t, err := parseDay(to)
		if err != nil {
			return Period{}, fmt.Errorf("period %q: to: %w", s, err)
		}
		if t.Before(f) {
			return Period{}, fmt.Errorf("period %q: ends before it starts", s)
		}
		return Period{Name: s, Kind: "range", From: f, To: t}, nil
	}
	switch {
	case reDay.MatchString(s):
		d, err := parseDay(s)
		if err != nil {
			return Period{}, fmt.Errorf("period %q: %w", s, err)
		}
		return Period{Name: s, Kind: "day", From: d, To: d}, nil
	case reWeek.MatchString(s):
		m := reWeek.FindStringSubmatch(s)
		y, w := atoi(m[1]), atoi(m[2])
		mon := isoWeekMonday(y, w)
		if w < 1 || w > 53 || isoWeekOf(mon) != (isoWeek{y, w}) {
			return Period{}, fmt.Errorf("period %q: %d has no ISO week %d", s, y, w)
		}
		return Period{Name: s, Kind: "week", From: mon, To: mon.AddDate(0, 0, 6)}, nil
	case reMonth.MatchString(s):
		m := reMonth.FindStringSubmatch(s)
		y, mo := atoi(m[1]), atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: no month %d", s, mo)
		}
		f := date(y, time.Month(mo), 1)
		return Period{Name: s, Kind: "month", From: f, To: f.AddDate(0, 1, -1)}, nil
	case reQuarter.MatchString(s):
		m := reQuarter.FindStringSubmatch(s)
		y, q := atoi(m[1]), atoi(m[2])
		f := date(y, time.Month(3*q-2), 1)
		return Period{Name: s, Kind: "quarter", From: f, To: f.AddDate(0, 3, -1)}, nil
	case reYear.MatchString(s):
		y := atoi(s)
		return Period{Name: s, Kind: "year", From: date(y, 1, 1), To: date(y, 12, 31)}, nil
	case reYTD.MatchString(s):
		y := atoi(reYTD.FindStringSubmatch(s)[1])
		t := date(today.Year(), today.Month(), today.Day())
		switch {
		case y > t.Year():
			return Period{}, fmt.Errorf("period %q: the year has not started", s)
		case y < t.Year():
			t = date(y, 12, 31)
		}
		return Period{Name: s, Kind: "ytd", From: date(y, 1, 1), To: t}, nil
	case reRolling.MatchString(s):
		m := reRolling.FindStringSubmatch(s)
		y, mo := atoi(m[1]), atoi(m[2])
		if m[3] != "12" {
			return Period{}, fmt.Errorf("period %q: only r12 (twelve rolling months) is supported, e.g. %s-%s-r12", s, m[1], m[2])
		}
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: no month %d", s, mo)
		}
		return rolling12(y, time.Month(mo)), nil
	}
	return Period{}, fmt.Errorf("period %q: want 2026-05-14, 2026-W19, 2026-05, 2026-Q2, 2026, 2026-ytd, 2026-05-r12 or 2026-05-01..2026-05-31", s)
}

// rolling12 is the twelve months ending with month m of year y.
func rolling12(y int, m time.Month) Period {
	end := date(y, m, 1)
	return Period{Name: end.Format("2006-01") + "-r12", Kind: "rolling12", From: end.AddDate(0, -11, 0), To: end.AddDate(0, 1, -1)}
}

func parseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return t, nil
}

type isoWeek struct{ year, week int }

func isoWeekOf(t time.Time) isoWeek {
	y, w := t.ISOWeek()
	return isoWeek{y, w}
}

// isoWeekMonday is the Monday of ISO week w of year y: week 1 holds 4 January.
func isoWeekMonday(y, w int) time.Time {
	jan4 := date(y, 1, 4)
	wd := int(jan4.Weekday()+6) % 7 // Monday = 0
	return jan4.AddDate(0, 0, -wd+7*(w-1))
}

// Previous is the period before: the day, week, month, quarter or year
// before; for ytd the same span of the year before; for twelve rolling
// months the previous point of the rolling series, the twelve months
// ending the month before (they share eleven months); for a range the
// range of the same length just before it.
func (p Period) Previous() Period {
	switch p.Kind {
	case "day":
		d := p.From.AddDate(0, 0, -1)
		return Period{Name: d.Format(time.DateOnly), Kind: "day", From: d, To: d}
	case "week":
		mon := p.From.AddDate(0, 0, -7)
		w := isoWeekOf(mon)
		return Period{Name: fmt.Sprintf("%d-W%02d", w.year, w.week), Kind: "week", From: mon, To: mon.AddDate(0, 0, 6)}
	case "month":
		f := p.From.AddDate(0, -1, 0)
		return Period{Name: f.Format("2006-01"), Kind: "month", From: f, To: p.From.AddDate(0, 0, -1)}
	case "quarter":
		f := p.From.AddDate(0, -3, 0)
		return Period{Name: fmt.Sprintf("%d-Q%d", f.Year(), (int(f.Month())+2)/3), Kind: "quarter", From: f, To: p.From.AddDate(0, 0, -1)}
	case "year":
		y := p.From.Year() - 1
		return Period{Name: strconv.Itoa(y), Kind: "year", From: date(y, 1, 1), To: date(y, 12, 31)}
	case "ytd":
		return p.LastYear()
	case "rolling12":
		return rolling12(p.To.Year(), p.To.Month()-1) // date() normalises month 0
	}
	n := p.Days()
	to := p.From.AddDate(0, 0, -1)
	from := to.AddDate(0, 0, -(n - 1))
	return Period{Name: from.Format(time.DateOnly) + ".." + to.Format(time.DateOnly), Kind: "range", From: from, To: to}
}

// LastYear is the same period a year earlier: the same ISO week number for a
// week, 28 February for a 29 February, the twelve months ending with the
// same month a year earlier for twelve rolling months (adjacent to them).
func (p Period) LastYear() Period {
	shift := func(t time.Time) time.Time {
		y, m, d := t.Date()
		if m == time.February && d == 29 {
			d = 28
		}
		return date(y-1, m, d)
	}
	switch p.Kind {
	case "week":
		w := isoWeekOf(p.From)
		mon := isoWeekMonday(w.year-1, w.week)
		if isoWeekOf(mon) != (isoWeek{w.year - 1, w.week}) { // week 53 → 52
			mon = mon.AddDate(0, 0, -7)
		}
		lw := isoWeekOf(mon)
		return Period{Name: fmt.Sprintf("%d-W%02d", lw.year, lw.week), Kind: "week", From: mon, To: mon.AddDate(0, 0, 6)}
	case "day":
		d := shift(p.From)
		return Period{Name: d.Format(time.DateOnly), Kind: "day", From: d, To: d}
	case "month":
		f := p.From.AddDate(-1, 0, 0)
		return Period{Name: f.Format("2006-01"), Kind: "month", From: f, To: f.AddDate(0, 1, -1)}
	case "quarter":
		f := p.From.AddDate(-1, 0, 0)
		return Period{Name: fmt.Sprintf("%d-Q%d", f.Year(), (int(f.Month())+2)/3), Kind: "quarter", From: f, To: f.AddDate(0, 3, -1)}
	case "year":
		y := p.From.Year() - 1
		return Period{Name: strconv.Itoa(y), Kind: "year", From: date(y, 1, 1), To: date(y, 12, 31)}
	case "ytd":
		f, t := shift(p.From), shift(p.To)
		return Period{Name: fmt.Sprintf("%d-ytd", f.Year()), Kind: "ytd", From: f, To: t}
	case "rolling12":
		return rolling12(p.To.Year()-1, p.To.Month())
	}
	f, t := shift(p.From), shift(p.To)
	return Period{Name: f.Format(time.DateOnly) + ".." + t.Format(time.DateOnly), Kind: "range", From: f, To: t}
}

// FinishedQuarters lists the quarters from the first of fromYear that ended
// before today (a quarter ending on the day before today is finished).
func FinishedQuarters(fromYear int, today time.Time) []Period {
	var out []Period
	for y := fromYear; y <= today.Year(); y++ {
		for q := 1; q <= 4; q++ {
			from := date(y, time.Month(3*q-2), 1)
			to := from.AddDate(0, 3, -1)
			if !to.Before(date(today.Year(), today.Month(), today.Day())) {
				return out
			}
			out = append(out, Period{Name: fmt.Sprintf("%d-Q%d", y, q), Kind: "quarter", From: from, To: to})
		}
	}
	return out
}
