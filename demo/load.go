package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Load: how many users come, when, and how long they wait.
//
// Demand on a day is a base rate × the site's weight × a weekday factor
// (Monday peak) × a month factor (January and September peaks, August low)
// × a bump after holidays × a little day-to-day noise. Within the day it
// follows a half-hourly profile (morning peak, lunch dip, smaller afternoon
// peak, Friday afternoons quiet). Waits follow the relative load L (1 = an
// average half-hour of the site): the mean wait grows with L², a smooth
// stand-in for a queue that saturates at peaks, times the site's quality
// and the day's staffing.

var weekdayLoad = [7]float64{
	time.Sunday: 0, time.Monday: 1.32, time.Tuesday: 1.08, time.Wednesday: 1.0,
	time.Thursday: 0.94, time.Friday: 0.80, time.Saturday: 0.55,
}

var monthLoad = [13]float64{0, 1.25, 1.05, 1.0, 0.95, 0.92, 0.95, 0.85, 0.6, 1.25, 1.08, 1.0, 0.85}

// Half-hourly arrival profiles, slot i covering [i×30 min, (i+1)×30 min).
var (
	// Walk-in reception and proximity points.
	deskProfile = [48]float64{
		16: 0.6, 17: 0.8, 18: 1.5, 19: 1.7, 20: 1.7, 21: 1.5, 22: 1.3, 23: 1.0,
		24: 0.6, 25: 0.5, 26: 0.7, 27: 1.2, 28: 1.3, 29: 1.1, 30: 0.9, 31: 0.7, 32: 0.5, 33: 0.4,
	}
	// Phone platforms.
	phoneProfile = [48]float64{
		17: 1.3, 18: 1.8, 19: 1.8, 20: 1.6, 21: 1.4, 22: 1.2, 23: 1.0, 24: 0.7, 25: 0.6,
		26: 0.8, 27: 1.3, 28: 1.4, 29: 1.2, 30: 1.0, 31: 0.9, 32: 0.8, 33: 0.6, 34: 0.4,
	}
	// E-mail and online messages: any time, mostly office hours and evenings.
	messageProfile = [48]float64{
		0: 0.25, 1: 0.2, 2: 0.12, 3: 0.1, 4: 0.08, 5: 0.08, 6: 0.08, 7: 0.08, 8: 0.08, 9: 0.08, 10: 0.1, 11: 0.12,
		12: 0.2, 13: 0.3, 14: 0.5, 15: 0.7, 16: 1.0, 17: 1.2, 18: 1.4, 19: 1.4, 20: 1.4, 21: 1.4, 22: 1.3, 23: 1.2,
		24: 1.0, 25: 1.0, 26: 1.1, 27: 1.2, 28: 1.3, 29: 1.3, 30: 1.2, 31: 1.2, 32: 1.1, 33: 1.0, 34: 0.9, 35: 0.9,
		36: 0.8, 37: 0.9, 38: 0.9, 39: 1.0, 40: 1.0, 41: 0.9, 42: 0.8, 43: 0.7, 44: 0.6, 45: 0.5, 46: 0.4, 47: 0.3,
	}
	// The mean weight of a regular 8:30–16:30 (desk) or 8:30–17:30 (phone)
	// day: L = 1 is an average half-hour.
	deskMean  = meanOver(&deskProfile, 17, 33)
	phoneMean = meanOver(&phoneProfile, 17, 35)
)

func meanOver(p *[48]float64, from, to int) float64 {
	var s float64
	for i := from; i < to; i++ {
		s += p[i]
	}
	return s / float64(to-from)
}

// schedule is when a site's front desk is open, in minutes after local
// midnight.
type schedule struct {
	open, close  int
	thursdayNoon bool // closed on Thursday afternoons (staff meetings)
	saturday     bool // open on Saturday mornings, 9:00–12:00
}

const (
	saturdayOpen  = 9 * 60
	saturdayClose = 12 * 60
	thursdayClose = 12*60 + 30
	phoneOpen     = 8*60 + 30
	phoneClose    = 17*60 + 30 // platforms; agencies answering their own line close at 17:00
	officeOpen    = 8*60 + 30  // back office, for case milestones
	officeClose   = 17 * 60
)

func drawSchedule(r *rand.Rand, kind model.SiteKind) schedule {
	switch kind {
	case model.SiteAgency, model.SiteProximityPoint:
		s := schedule{open: 8*60 + 30, close: 16*60 + 30}
		if chance(r, 0.25) {
			s.open = 9 * 60
		}
		switch u := r.Float64(); {
		case u < 0.15:
			s.close = 16 * 60
		case u < 0.25:
			s.close = 17 * 60
		}
		s.thursdayNoon = chance(r, 0.25)
		s.saturday = chance(r, 0.2)
		return s
	case model.SitePhonePlatform:
		return schedule{open: phoneOpen, close: phoneClose}
	}
	return schedule{open: officeOpen, close: officeClose}
}

// day is what the generator knows about one site on one local date.
type day struct {
	date    calendar.Date
	wall    int64 // local wall-clock seconds at midnight (date × 86400)
	off     int64 // the site's UTC offset that day, seconds (taken at noon)
	wd      time.Weekday
	working bool    // a working day of the site's zone
	holiday bool    // a public holiday of the site's zone
	season  float64 // month factor × day-to-day noise, whatever the weekday
	load    float64 // relative demand at the desk and on the phone
	stress  float64 // wait multiplier: site quality × the day's staffing
	backlog float64 // case delay multiplier for files received that day
}

func (g *generator) day(s *site, date calendar.Date) day {
	y, m, dd := date.Civil()
	_, off := time.Date(y, m, dd, 12, 0, 0, 0, g.locs[s.idx]).Zone()
	d := day{
		date: date, wall: int64(date) * 86400, off: int64(off), wd: date.Weekday(),
		working: g.cal.IsWorkingDay(s.Zone, date),
	}
	d.holiday, _ = g.cal.IsHoliday(s.Zone, date)
	h := hash(g.seed, 3, uint64(s.idx), uint64(date))
	d.season = monthLoad[m] * math.Exp(0.1*hashNormal(h))
	if dd <= 5 {
		d.season *= 1.08 // payment questions at the start of the month
	}
	d.load = weekdayLoad[d.wd] * d.season
	// The first working day after a holiday or a long weekend is busier.
	if d.working && !g.cal.IsWorkingDay(s.Zone, date-1) && (d.wd != time.Monday || !g.cal.IsWorkingDay(s.Zone, date-3)) {
		d.load *= 1.2
	}
	d.stress = s.waitQ * math.Exp(0.12*hashNormal(h^1))
	if unit(mix(h^2)) < 0.04 {
		d.stress *= 1.7 // a bad day: staff off sick, system down
	}
	switch {
	case (m == time.December && dd >= 15) || (m == time.January && dd <= 6):
		d.backlog = 1.5
	case (m == time.July && dd >= 14) || m == time.August:
		d.backlog = 1.4
	case m == time.January || m == time.September:
		d.backlog = 1.15
	default:
		d.backlog = 1
	}
	return d
}

// deskHours returns the front desk's opening hours on d, and false when it
// is closed.
func (s *site) deskHours(d *day) (open, close int, ok bool) {
	if d.holiday {
		return 0, 0, false
	}
	switch {
	case d.wd == time.Saturday && s.sched.saturday:
		return saturdayOpen, saturdayClose, true
	case !d.working:
		return 0, 0, false
	case d.wd == time.Thursday && s.sched.thursdayNoon:
		return s.sched.open, thursdayClose, true
	}
	return s.sched.open, s.sched.close, true
}

// phoneHours returns when s answers the phone on d.
func (s *site) phoneHours(d *day) (open, close int, ok bool) {
	if !d.working {
		return 0, 0, false
	}
	if s.Kind == model.SitePhonePlatform {
		return phoneOpen, phoneClose, true
	}
	return phoneOpen, officeClose, true
}

// slots is a day's arrival distribution over its open half-hours.
type slots struct {
	idx   [48]int8
	cum   [48]float64
	n     int
	total float64
}

// newSlots keeps the half-hours of profile within [open, close) minutes;
// Friday afternoons are quieter.
func newSlots(profile *[48]float64, open, close int, friday bool) slots {
	var s slots
	for i := open / 30; i < close/30 && i < 48; i++ {
		w := profile[i]
		if w == 0 {
			w = 0.3 // an unusual opening hour still gets some visitors
		}
		if friday && i >= 26 {
			w *= 0.6
		}
		s.total += w
		s.idx[s.n] = int8(i)
		s.cum[s.n] = s.total
		s.n++
	}
	return s
}

// draw returns the start (seconds after midnight) of a random half-hour and
// its slot index.
func (s *slots) draw(r *rand.Rand) (start int64, slot int) {
	u := r.Float64() * s.total
	for i := 0; i < s.n; i++ {
		if u < s.cum[i] {
			return int64(s.idx[i]) * 1800, int(s.idx[i])
		}
	}
	i := s.idx[s.n-1]
	return int64(i) * 1800, int(i)
}

// relLoad is the relative load L of half-hour slot on d for profile p.
func relLoad(d *day, p *[48]float64, mean float64, slot int) float64 {
	w := p[slot]
	if w == 0 {
		w = 0.3
	}
	return d.load * w / mean
}
