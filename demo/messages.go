package demo

import (
	"math"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Written channels (source crm, UTC): e-mails, online messages and letters,
// which arrive at any hour and are handled during office hours.

// messageDayLoad is the weekly pattern of e-mail and online messages, which
// arrive every day.
var messageDayLoad = [7]float64{
	time.Sunday: 0.45, time.Monday: 1.3, time.Tuesday: 1.15, time.Wednesday: 1.1,
	time.Thursday: 1.05, time.Friday: 0.95, time.Saturday: 0.5,
}

// messageDay generates the e-mails or online messages that reach an agency
// on d, at any hour.
func (k *chunk) messageDay(s *site, d *day, ch *channelDef, rate float64) {
	n := poisson(k.r, rate*s.weight*k.g.scale*d.season*messageDayLoad[d.wd])
	full := newSlots(&messageProfile, 0, 24*60, false)
	for _, a := range k.arrivals(&full, n) {
		k.message(s, d, ch, d.wall+a-d.off, k.user(s, 0.05), false)
		if k.err != nil {
			return
		}
	}
}

// message is one e-mail, online message or letter arriving at Unix time at:
// an agent qualifies it (answered_at) within hours, and most lead to a reply
// case.
func (k *chunk) message(s *site, d *day, ch *channelDef, at int64, user int64, repeat bool) {
	r := k.r
	c := contact{ch: ch, site: s, arrived: at, off: d.off, user: user, repeat: repeat, motive: motives[ch].pick(r)}
	k.carry(&c)
	lag := lognormal(r, 3*3600, 1.0)
	if ch == chMail {
		lag = lognormal(r, 20*3600, 0.7)
	}
	c.answered = k.officeTime(s, at+60+int64(math.Min(lag, 10*86400)))
	c.ended = c.answered + 60 + r.Int64N(900)
	if c.ended >= k.g.toWall-d.off {
		// Not yet qualified when the export is made (To): it appears in a
		// later export, never with an answer in the future.
		return
	}
	switch ch {
	case chEmail:
		c.team = "courriel-1"
	case chMail:
		c.team = "courrier-1"
	default:
		c.team = "en-ligne-1"
	}
	c.outcome = model.OutcomeServed
	if chance(r, 0.1) {
		c.outcome = model.OutcomeRedirected
	}
	if !k.emitContact(&c) || c.outcome != model.OutcomeServed {
		return
	}
	switch {
	case ch == chEmail && chance(r, 0.92):
		k.newCase(s, d, kindEmailReply, "email", at, user, c.ch.prefix, c.id)
	case ch == chMail && chance(r, 0.95):
		k.newCase(s, d, kindMailReply, "mail", at, user, c.ch.prefix, c.id)
	}
}

// mailDay generates the letters scanned at an agency on a working day.
func (k *chunk) mailDay(s *site, d *day) {
	if !d.working {
		return
	}
	n := poisson(k.r, mailRate*s.weight*k.g.scale*d.load)
	for range n {
		at := d.wall + int64(8*3600+30*60+k.r.IntN(2*3600)) - d.off
		k.message(s, d, chMail, at, k.user(s, 0.02), false)
	}
}

// officeTime returns t when it falls within office hours of a working day
// at s, else a moment early on the next working day: messages are handled
// by staff, not at night.
func (k *chunk) officeTime(s *site, t int64) int64 {
	_, off := time.Unix(t, 0).In(k.g.locs[s.idx]).Zone()
	wall := t + int64(off)
	date := calendar.Date(wall / 86400)
	sec := wall - int64(date)*86400
	if k.g.cal.IsWorkingDay(s.Zone, date) && sec >= officeOpen*60 && sec < officeClose*60 {
		return t
	}
	if sec >= officeOpen*60 {
		date++
	}
	d := k.g.day(s, k.g.cal.NextWorkingDay(s.Zone, date))
	return d.wall + officeOpen*60 + int64(math.Min(expo(k.r, 3600), 4*3600)) - d.off
}
