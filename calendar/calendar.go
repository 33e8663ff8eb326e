package calendar

import (
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/fr"

	"globaloffice/model"
)

// Options changes which days are holidays.
type Options struct {
	// WhitMondayWorked makes Whit Monday (lundi de Pentecôte) an ordinary
	// working day, as where it is the "journée de solidarité". By default
	// (false) it is a public holiday like the other ten national days.
	WhitMondayWorked bool
}

// Holiday is one public holiday of a zone. When two holidays fall on the same
// date (Ascension on 1 May 2008) they are one Holiday whose Name joins both.
type Holiday struct {
	Date Date
	Name string
}

// Calendar answers holiday and working-day questions for every zone. Build
// it once with New; it is read-only afterwards and safe for concurrent use.
// Questions about dates from FirstFastYear to LastFastYear are answered from
// precomputed tables in constant time; other dates are computed on demand,
// correctly but more slowly.
type Calendar struct {
	opts   Options
	tables [7]*zoneTable
}

// The years covered by the precomputed tables.
const (
	FirstFastYear = 1990
	LastFastYear  = 2099
)

var (
	tableStart = DateOf(FirstFastYear, time.January, 1)
	tableEnd   = DateOf(LastFastYear+1, time.January, 1) // exclusive
)

// Day kinds in a zone table: 0 is a working day, 1 a weekend day that is
// not a holiday, k ≥ 2 the holiday names[k-2].
const (
	dayWorking = 0
	dayWeekend = 1
	dayHoliday = 2
)

type zoneTable struct {
	kind  []uint8  // per day from tableStart
	cum   []int32  // cum[i] = working days in [tableStart, tableStart+i)
	names []string // holiday names, indexed by kind-dayHoliday
}

var (
	goodFriday   = aa.GoodFriday.Clone(&cal.Holiday{Name: "Vendredi saint", Type: cal.ObservancePublic})
	saintEtienne = aa.ChristmasDay2.Clone(&cal.Holiday{Name: "Saint-Étienne", Type: cal.ObservancePublic})
)

func abolition(m time.Month, d int) *cal.Holiday {
	return &cal.Holiday{Name: "Abolition de l'esclavage", Type: cal.ObservancePublic, Month: m, Day: d, Func: cal.CalcDayOfMonth}
}

// zoneExtras are the holidays a zone has on top of the national ones, in the
// order of model.Zones.
var zoneExtras = [7][]*cal.Holiday{
	0: nil,                            // metropole
	1: {goodFriday, saintEtienne},     // alsace_moselle
	2: {abolition(time.May, 27)},      // guadeloupe
	3: {abolition(time.May, 22)},      // martinique
	4: {abolition(time.June, 10)},     // guyane
	5: {abolition(time.December, 20)}, // reunion
	6: {abolition(time.April, 27)},    // mayotte
}

// zoneIndex maps a zone to its slot. A zone that is not one of model.Zones
// gets the metropole rules (the national holidays only); validate zones where
// they enter the system (model.Zone.Valid).
func zoneIndex(z model.Zone) int {
	switch z {
	case model.ZoneAlsaceMoselle:
		return 1
	case model.ZoneGuadeloupe:
		return 2
	case model.ZoneMartinique:
		return 3
	case model.ZoneGuyane:
		return 4
	case model.ZoneReunion:
		return 5
	case model.ZoneMayotte:
		return 6
	}
	return 0
}

// New builds a calendar: the tables of every zone for FirstFastYear to
// LastFastYear (about a millisecond each).
func New(opts Options) *Calendar {
	c := &Calendar{opts: opts}
	for zi := range c.tables {
		c.tables[zi] = c.buildTable(zi)
	}
	return c
}

func (c *Calendar) buildTable(zi int) *zoneTable {
	n := int(tableEnd - tableStart)
	t := &zoneTable{kind: make([]uint8, n), cum: make([]int32, n+1)}
	for i := range n {
		if wd := (tableStart + Date(i)).Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.kind[i] = dayWeekend
		}
	}
	nameIdx := map[string]uint8{}
	for y := FirstFastYear; y <= LastFastYear; y++ {
		for _, h := range c.holidays(zi, y) {
			k, ok := nameIdx[h.Name]
			if !ok {
				k = uint8(dayHoliday + len(t.names))
				nameIdx[h.Name] = k
				t.names = append(t.names, h.Name)
			}
			t.kind[h.Date-tableStart] = k
		}
	}
	for i := range n {
		t.cum[i+1] = t.cum[i]
		if t.kind[i] == dayWorking {
			t.cum[i+1]++
		}
	}
	return t
}

// holidays computes the holidays of zone slot zi in year from the rules.
func (c *Calendar) holidays(zi, year int) []Holiday {
	var out []Holiday
	add := func(h *cal.Holiday) {
		actual, _ := h.Calc(year) // French holidays are not moved when on a weekend
		if actual.IsZero() {
			return
		}
		out = append(out, Holiday{Date: DateFromTime(actual), Name: h.Name})
	}
	for _, h := range fr.Holidays {
		if h == fr.LundiDePentecôte && c.opts.WhitMondayWorked {
			continue
		}
		add(h)
	}
	for _, h := range zoneExtras[zi] {
		add(h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	// Merge holidays that fall on the same date.
	merged := out[:0]
	for _, h := range out {
		if n := len(merged); n > 0 && merged[n-1].Date == h.Date {
			if !strings.Contains(merged[n-1].Name, h.Name) {
				merged[n-1].Name += " / " + h.Name
			}
			continue
		}
		merged = append(merged, h)
	}
	return merged
}

// Holidays returns the public holidays of zone in year, sorted by date,
// including those that fall on a weekend.
func (c *Calendar) Holidays(zone model.Zone, year int) []Holiday {
	return c.holidays(zoneIndex(zone), year)
}

// HolidayDates returns the dates of the public holidays of zone from
// fromYear to toYear inclusive, sorted and without repeats: the list to
// compile into SQL.
func (c *Calendar) HolidayDates(zone model.Zone, fromYear, toYear int) []Date {
	zi := zoneIndex(zone)
	var out []Date
	for y := fromYear; y <= toYear; y++ {
		for _, h := range c.holidays(zi, y) {
			out = append(out, h.Date)
		}
	}
	return out
}

// IsHoliday reports whether d is a public holiday in zone, and its name.
func (c *Calendar) IsHoliday(zone model.Zone, d Date) (bool, string) {
	zi := zoneIndex(zone)
	if d >= tableStart && d < tableEnd {
		t := c.tables[zi]
		if k := t.kind[d-tableStart]; k >= dayHoliday {
			return true, t.names[k-dayHoliday]
		}
		return false, ""
	}
	for _, h := range c.holidays(zi, d.Year()) {
		if h.Date == d {
			return true, h.Name
		}
	}
	return false, ""
}

// IsWorkingDay reports whether d is Monday to Friday and not a public
// holiday of zone.
func (c *Calendar) IsWorkingDay(zone model.Zone, d Date) bool {
	if d >= tableStart && d < tableEnd {
		return c.tables[zoneIndex(zone)].kind[d-tableStart] == dayWorking
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	h, _ := c.IsHoliday(zone, d)
	return !h
}

// WorkingDaysBetween returns the number of working days d of zone with
// received < d ≤ completed: 0 on the same day, 2 from a Friday to the next
// Tuesday. When completed is before received the result is the negative of
// WorkingDaysBetween(zone, completed, received), so that a data error shows
// as a negative delay instead of hiding as zero.
func (c *Calendar) WorkingDaysBetween(zone model.Zone, received, completed Date) int {
	if received >= tableStart && received < tableEnd && completed >= tableStart && completed < tableEnd {
		cum := c.tables[zoneIndex(zone)].cum
		return int(cum[completed-tableStart+1] - cum[received-tableStart+1])
	}
	sign, from, to := 1, received, completed
	if to < from {
		sign, from, to = -1, to, from
	}
	n := 0
	for d := from + 1; d <= to; d++ {
		if c.IsWorkingDay(zone, d) {
			n++
		}
	}
	return sign * n
}

// AddWorkingDays returns the n-th working day of zone after d (n ≥ 1), so
// that WorkingDaysBetween(zone, d, AddWorkingDays(zone, d, n)) == n. With
// n ≤ 0 it returns d itself.
func (c *Calendar) AddWorkingDays(zone model.Zone, d Date, n int) Date {
	for n > 0 {
		d++
		if c.IsWorkingDay(zone, d) {
			n--
		}
	}
	return d
}

// NextWorkingDay returns d when it is a working day of zone, else the first
// working day after it.
func (c *Calendar) NextWorkingDay(zone model.Zone, d Date) Date {
	for !c.IsWorkingDay(zone, d) {
		d++
	}
	return d
}
