package ingest

import (
	"errors"
	"fmt"
	"math"
	"time"
)

var errNoZone = errors.New("a time without UTC offset needs the site's time zone")

var offsetLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999Z07:00"}
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04"}

// ParseTime reads RFC 3339 (with an offset or Z), or a time without offset
// as local time in loc (the site's). A local time that does not exist (the
// hour skipped when daylight saving starts) is an error; one that happens
// twice (the hour repeated when it ends) is taken at its first occurrence.
// The result is in UTC, truncated to the second.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	return parseTime(s, loc, nil)
}

// parseTime is ParseTime with a zone cache (nil for none).
func parseTime(s string, loc *time.Location, zc *zoneCache) (time.Time, error) {
	if t, local, ok := parseTimeFast(s); ok {
		if !local {
			return t, nil
		}
		if loc == nil {
			return time.Time{}, errNoZone
		}
		if zc != nil {
			return zc.localTime(t, loc, s)
		}
		return localTime(t, loc, s)
	}
	for _, l := range offsetLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Truncate(time.Second), nil
		}
	}
	for _, l := range localLayouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if loc == nil {
			return time.Time{}, errNoZone
		}
		return localTime(t, loc, s)
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want RFC 3339 such as 2026-05-14T09:03:12+02:00, or a local time 2026-05-14T09:03:12)", s)
}

// parseTimeFast reads the common shapes without time.Parse:
// YYYY-MM-DD[T| ]hh:mm[:ss[.fff…]][Z|±hh:mm]. It returns the instant in UTC
// (truncated to the second), or, without an offset, the wall clock in UTC
// with local set. ok is false for anything else, left to the slow path.
func parseTimeFast(s string) (t time.Time, local, ok bool) {
	num := func(i, n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range s[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if len(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' {
		return time.Time{}, false, false
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return time.Time{}, false, false
	}
	sec, i := 0, 16
	if i < len(s) && s[i] == ':' {
		v, ok := num(i+1, 2)
		if !ok {
			return time.Time{}, false, false
		}
		sec, i = v, i+3
		if i < len(s) && s[i] == '.' {
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i+1 {
				return time.Time{}, false, false
			}
			i = j
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false, false // the slow path words the error
	}
	wall := time.Unix(civilSeconds(y, mo, d, h, mi, sec), 0).UTC()
	switch {
	case i == len(s):
		return wall, true, true
	case s[i] == 'Z' && i+1 == len(s):
		return wall, false, true
	case (s[i] == '+' || s[i] == '-') && i+6 == len(s) && s[i+3] == ':':
		oh, ok1 := num(i+1, 2)
		om, ok2 := num(i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false, false
		}
		off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
		if s[i] == '+' {
			off = -off
		}
		return wall.Add(off), false, true
	}
	return time.Time{}, false, false
}

// civilSeconds is the Unix time of a UTC wall clock (days from the civil
// date, as in Howard Hinnant's algorithm): time.Date normalises every field
// and costs several times more on the hot path.
func civilSeconds(y, m, d, h, mi, s int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468
	return days*86400 + int64(h*3600+mi*60+s)
}

func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// zoneCache remembers, per location, the span of time with one UTC offset
// met last: a wall clock well inside it (an hour from either end) reads once,
// with that offset, without a zone lookup.
type zoneCache struct {
	spans [8]zoneSpan
	next  int
}

type zoneSpan struct {
	loc        *time.Location
	start, end int64 // Unix seconds
	offset     int64
}

// localTime is the package's localTime, through the cache.
func (zc *zoneCache) localTime(wall time.Time, loc *time.Location, s string) (time.Time, error) {
	w := wall.Unix()
	for i := range zc.spans {
		sp := &zc.spans[i]
		if sp.loc != loc {
			continue
		}
		if u := w - sp.offset; u >= sp.start+3600 && u < sp.end-3600 {
			return time.Unix(u, 0).UTC(), nil
		}
		break
	}
	t, err := localTime(wall, loc, s)
	if err != nil {
		return t, err
	}
	lt := t.In(loc)
	_, off := lt.Zone()
	start, end := lt.ZoneBounds()
	sp := zoneSpan{loc: loc, start: math.MinInt64 / 2, end: math.MaxInt64 / 2, offset: int64(off)}
	if !start.IsZero() {
		sp.start = start.Unix()
	}
	if !end.IsZero() {
		sp.end = end.Unix()
	}
	for i := range zc.spans {
		if zc.spans[i].loc == loc {
			zc.spans[i] = sp
			return t, nil
		}
	}
	zc.spans[zc.next] = sp
	zc.next = (zc.next + 1) % len(zc.spans)
	return t, nil
}

func localTime(wall time.Time, loc *time.Location, s string) (time.Time, error) {
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	same := func(t time.Time) bool {
		lt := t.In(loc)
		ly, lmo, ld := lt.Date()
		lh, lmi, ls := lt.Clock()
		return ly == y && lmo == mo && ld == d && lh == h && lmi == mi && ls == sec
	}
	t := time.Date(y, mo, d, h, mi, sec, 0, loc)
	// Most times are far from an offset change: the same offset an hour
	// before and after means the wall clock reads exactly once.
	if _, before := t.Add(-time.Hour).Zone(); true {
		if _, after := t.Add(time.Hour).Zone(); before == after {
			return t.UTC(), nil
		}
	}
	// Near a change, candidates in increasing order: the first that reads
	// back as the same wall clock is the first occurrence (changes here are
	// an hour).
	for _, cand := range []time.Time{t.Add(-time.Hour), t, t.Add(time.Hour)} {
		if same(cand) {
			return cand.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q does not exist in %s (skipped when daylight saving time starts)", s, loc)
}
