package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OpenRange is one opening of a site in its week, in seconds from Monday
// 00:00 local time: open at From, closed again at To (a call at To is
// outside).
type OpenRange struct{ From, To uint32 }

// Hours are a site's opening hours over the week, in order. Empty Hours
// mean none were given: such a site is taken as open at every hour and on
// every day, so that a sites file without hours keeps every call counted.
type Hours []OpenRange

// secondsPerDay is the width of a day in week seconds.
const secondsPerDay = 86400

// weekdays are the day names of the hours text, Monday first.
var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// ParseHours reads opening hours such as
// "mon-fri 08:30-12:00,13:30-17:00; sat 09:00-12:00": entries separated by
// ";", each days (a day or a range of days, several joined by ",") then
// times (HH:MM-HH:MM, several joined by ","; 24:00 is the end of the day).
// Days not named are closed. A day named twice, overlapping times, or a
// range that ends before it starts are errors naming the bad part. "" gives
// no hours (always open).
func ParseHours(text string) (Hours, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var out Hours
	seen := [7]bool{}
	for _, entry := range strings.Split(text, ";") {
		entry = strings.TrimSpace(entry)
		daysText, timesText, ok := strings.Cut(entry, " ")
		if !ok {
			return nil, fmt.Errorf("%q: want days then times, e.g. mon-fri 08:30-17:00", entry)
		}
		days, err := parseDays(daysText)
		if err != nil {
			return nil, err
		}
		var ranges []OpenRange
		for _, t := range strings.Split(strings.TrimSpace(timesText), ",") {
			r, err := parseTimes(strings.TrimSpace(t))
			if err != nil {
				return nil, err
			}
			ranges = append(ranges, r)
		}
		slices.SortFunc(ranges, func(a, b OpenRange) int { return int(a.From) - int(b.From) })
		for i := 1; i < len(ranges); i++ {
			if ranges[i].From < ranges[i-1].To {
				return nil, fmt.Errorf("%q: times overlap", strings.TrimSpace(timesText))
			}
		}
		for _, d := range days {
			if seen[d] {
				return nil, fmt.Errorf("%q: %s is already given", entry, weekdays[d])
			}
			seen[d] = true
			for _, r := range ranges {
				base := uint32(d) * secondsPerDay
				out = append(out, OpenRange{From: base + r.From, To: base + r.To})
			}
		}
	}
	slices.SortFunc(out, func(a, b OpenRange) int { return int(a.From) - int(b.From) })
	return out, nil
}

// parseDays reads "mon-fri", "sat", "mon,wed,fri" or "mon-wed,fri" into
// day indexes (Monday 0).
func parseDays(text string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(text, ",") {
		from, to, isRange := strings.Cut(part, "-")
		f, t := dayIndex(from), dayIndex(to)
		if !isRange {
			t = f
		}
		switch {
		case f < 0 || t < 0:
			return nil, fmt.Errorf("%q: days are mon, tue, wed, thu, fri, sat, sun (a range: mon-fri)", part)
		case t < f:
			return nil, fmt.Errorf("%q: a range of days runs from Monday to Sunday (write sat-sun, not sun-sat)", part)
		}
		for d := f; d <= t; d++ {
			out = append(out, d)
		}
	}
	return out, nil
}

func dayIndex(s string) int { return slices.Index(weekdays, strings.ToLower(s)) }

// parseTimes reads "08:30-17:00" into seconds of the day.
func parseTimes(text string) (OpenRange, error) {
	from, to, ok := strings.Cut(text, "-")
	if !ok {
		return OpenRange{}, fmt.Errorf("%q: want times HH:MM-HH:MM", text)
	}
	f, errF := parseClock(from)
	t, errT := parseClock(to)
	switch {
	case errF != nil || errT != nil:
		return OpenRange{}, fmt.Errorf("%q: want times HH:MM-HH:MM between 00:00 and 24:00", text)
	case t <= f:
		return OpenRange{}, fmt.Errorf("%q: closes before it opens", text)
	}
	return OpenRange{From: f, To: t}, nil
}

// parseClock reads HH:MM (00:00 to 24:00) into seconds of the day.
func parseClock(s string) (uint32, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q: not HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q: not HH:MM", s)
	}
	return uint32(h*3600 + m*60), nil
}

// Open tells whether the hours are open at a local weekday and second of
// the day; empty hours are always open.
func (h Hours) Open(day time.Weekday, second int) bool {
	if len(h) == 0 {
		return true
	}
	w := uint32((int(day)+6)%7*secondsPerDay + second)
	for _, r := range h {
		if w >= r.From && w < r.To {
			return true
		}
	}
	return false
}

// Bounds are the ranges as two parallel lists of starts and ends (the
// columns ClickHouse reads them from).
func (h Hours) Bounds() (from, to []uint32) {
	from, to = make([]uint32, len(h)), make([]uint32, len(h))
	for i, r := range h {
		from[i], to[i] = r.From, r.To
	}
	return from, to
}
