package demo

import (
	"math"
	"time"

	"globaloffice/model"
)

// The phone channel (source acd, UTC): platforms, or agencies that answer
// their own line, 8:30–17:30 on working days (the hours of demo/sites.csv).
// The voice menu sends some callers to the web or an SMS (deflected) and
// others choose a self-service option and hang up there (asked_agent
// false); some answered calls are transferred; and a few people call while
// the line is closed and hear the closed message.

// Shares of the calls offered while open.
const (
	ivrDeflected   = 0.06
	ivrSelfService = 0.02
	transferred    = 0.08
)

// closedCallRate is the calls made in the half-hour before opening and
// the hour after closing, relative to the day's.
const closedCallRate = 0.03

var platformTeams = []string{"plateau-A", "plateau-B", "plateau-C"}

// phoneDay generates the calls that a phone platform (or an agency that
// answers its own line) receives from the users of the sites it serves.
func (k *chunk) phoneDay(s *site, d *day) {
	open, close, ok := s.phoneHours(d)
	if !ok {
		return
	}
	sl := newSlots(&phoneProfile, open, close, d.wd == time.Friday)
	w := last(s.phoneCum)
	n := poisson(k.r, phoneRate*w*k.g.scale*d.load*sl.total/(phoneMean*18))
	for _, a := range k.arrivals(&sl, n) {
		home := pickServed(k.r.Float64(), s.phoneServed, s.phoneCum)
		k.call(s, d, a, k.user(home, 0.2), false)
		if k.err != nil {
			return
		}
	}
	// While closed: the closed message, then the line drops (overflow).
	for range poisson(k.r, float64(n)*closedCallRate) {
		a := int64(open*60 - 1800 + k.r.IntN(1800))
		if chance(k.r, 0.6) {
			a = int64(close*60 + k.r.IntN(3600))
		}
		home := pickServed(k.r.Float64(), s.phoneServed, s.phoneCum)
		c := contact{ch: chPhone, site: s, arrived: d.wall + a - d.off, off: d.off, user: k.user(home, 0.2), motive: motives[chPhone].pick(k.r), outcome: model.OutcomeOverflow}
		c.team = "telephone-1"
		if s.Kind == model.SitePhonePlatform {
			c.team = platformTeams[0]
		}
		c.ended = c.arrived + 20
		k.emitContact(&c)
		if k.err != nil {
			return
		}
	}
}

// call is one phone call offered a seconds after midnight: waits are in
// seconds, callers hang up as the wait grows (some within 5 s), and at
// saturation the platform deflects calls (overflow).
func (k *chunk) call(s *site, d *day, a int64, user int64, repeat bool) {
	r := k.r
	L := min(relLoad(d, &phoneProfile, phoneMean, int(a/1800)), 2.8)
	c := contact{ch: chPhone, site: s, arrived: d.wall + a - d.off, off: d.off, user: user, repeat: repeat, motive: motives[chPhone].pick(r)}
	k.carry(&c)
	if s.Kind == model.SitePhonePlatform {
		c.team = platformTeams[r.IntN(len(platformTeams))]
	} else {
		c.team = "telephone-1"
	}
	if L*d.stress > 2.1 && chance(r, 0.2) {
		c.outcome = model.OutcomeOverflow
		c.ended = c.arrived + 15 + r.Int64N(30) // the saturation message
		k.emitContact(&c)
		return
	}
	switch u := r.Float64(); {
	case u < ivrDeflected:
		c.outcome, c.notAsked = model.OutcomeDeflected, true
		c.ended = c.arrived + 40 + r.Int64N(50)
		k.emitContact(&c)
		return
	case u < ivrDeflected+ivrSelfService:
		c.outcome, c.notAsked = model.OutcomeAbandoned, true
		c.ended = c.arrived + 20 + r.Int64N(40)
		k.emitContact(&c)
		return
	}
	patience := expo(r, 400) + 8
	if chance(r, 0.03) {
		patience = 1 + 4*r.Float64() // hangs up during the greeting
	}
	wait := expo(r, phoneWait*d.stress*math.Pow(L, 2.3))
	if wait > patience {
		c.outcome = model.OutcomeAbandoned
		c.ended = c.arrived + int64(math.Ceil(patience))
		k.emitContact(&c)
		return
	}
	c.answered = c.arrived + int64(wait)
	if chance(r, 0.04) {
		c.outcome = model.OutcomeRedirected
		c.ended = c.answered + 60 + r.Int64N(60)
	} else {
		c.outcome = model.OutcomeServed
		if chance(r, transferred) {
			c.outcome = model.OutcomeTransferred
		}
		c.ended = c.answered + int64(clamp(lognormal(r, 330, 0.6), 30, 3600))
	}
	k.emitContact(&c)
}
