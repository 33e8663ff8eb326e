package model

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseHours(t *testing.T) {
	const h, d = 3600, 86400
	f := func(text string, want Hours) {
		t.Helper()
		got, err := ParseHours(text)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseHours(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	f("", nil)
	f("  ", nil)
	f("mon-fri 08:30-17:00; sat 09:00-12:00", Hours{
		{8*h + 1800, 17 * h}, {d + 8*h + 1800, d + 17*h}, {2*d + 8*h + 1800, 2*d + 17*h},
		{3*d + 8*h + 1800, 3*d + 17*h}, {4*d + 8*h + 1800, 4*d + 17*h}, {5*d + 9*h, 5*d + 12*h}})
	// Several openings a day, given out of order; several day lists; case.
	f("Tue,THU 13:30-17:00,08:30-12:00", Hours{{d + 8*h + 1800, d + 12*h}, {d + 13*h + 1800, d + 17*h}, {3*d + 8*h + 1800, 3*d + 12*h}, {3*d + 13*h + 1800, 3*d + 17*h}})
	f("sun 00:00-24:00", Hours{{6 * d, 7 * d}})
	f("sat-sun 10:00-11:00", Hours{{5*d + 10*h, 5*d + 11*h}, {6*d + 10*h, 6*d + 11*h}})
}

func TestParseHoursRefused(t *testing.T) {
	f := func(text, part string) {
		t.Helper()
		_, err := ParseHours(text)
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("ParseHours(%q) = %v, want an error naming %s", text, err, part)
		}
	}
	f("mon-fri", `"mon-fri"`)                                     // no times
	f("mon-fry 08:00-12:00", `"mon-fry"`)                         // unknown day
	f("fri-mon 08:00-12:00", `"fri-mon"`)                         // backwards range
	f("mon 8:30-12:00", `"8:30-12:00"`)                           // not HH:MM
	f("mon 08:60-12:00", `"08:60-12:00"`)                         // no minute 60
	f("mon 08:00-24:30", `"08:00-24:30"`)                         // past the day
	f("mon 12:00-08:00", `"12:00-08:00"`)                         // closes before it opens
	f("mon 12:00-12:00", `"12:00-12:00"`)                         // empty
	f("mon 08:00-12:00,11:00-14:00", `"08:00-12:00,11:00-14:00"`) // overlap
	f("mon-fri 08:00-12:00; fri 14:00-16:00", "fri is already given")
	f("mon 08:00-12:00;", `""`) // an empty entry
	f("mon 08:00 12:00", `"08:00 12:00"`)
}

// TestHoursOpen: the boundaries of an opening, in local time: open at its
// first second, closed at its last.
func TestHoursOpen(t *testing.T) {
	hours, err := ParseHours("mon-fri 08:30-17:00; sat 09:00-12:00")
	if err != nil {
		t.Fatal(err)
	}
	clock := func(hh, mm, ss int) int { return hh*3600 + mm*60 + ss }
	f := func(day time.Weekday, second int, want bool) {
		t.Helper()
		if got := hours.Open(day, second); got != want {
			t.Errorf("%s %d: open %v, want %v", day, second, got, want)
		}
	}
	f(time.Thursday, clock(8, 29, 59), false)
	f(time.Thursday, clock(8, 30, 0), true)
	f(time.Thursday, clock(16, 59, 59), true)
	f(time.Thursday, clock(17, 0, 0), false)
	f(time.Saturday, clock(9, 0, 0), true)
	f(time.Saturday, clock(12, 0, 0), false)
	f(time.Sunday, clock(10, 0, 0), false)
	f(time.Monday, clock(8, 30, 0), true)
	if !(Hours(nil)).Open(time.Sunday, 0) {
		t.Error("no hours: closed, want always open")
	}
}
