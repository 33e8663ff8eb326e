package demo

import (
	"math"
	"slices"
	"time"

	"globaloffice/model"
)

// Desk channels (source qms, local times): walk-ins at agencies and
// proximity points, and booked appointments (video appointments, source
// crm, share the appointment logic).

// deskDay generates the walk-ins of a reception desk or a proximity point.
func (k *chunk) deskDay(s *site, d *day, ch *channelDef) {
	open, close, ok := s.deskHours(d)
	if !ok {
		return
	}
	sl := newSlots(&deskProfile, open, close, d.wd == time.Friday)
	rate := receptionRate
	if ch == chProximity {
		rate = proximityRate
	}
	n := poisson(k.r, rate*s.weight*k.g.scale*d.load*sl.total/(deskMean*16))
	for _, a := range k.arrivals(&sl, n) {
		k.deskContact(s, d, ch, a, close, k.user(s, 0.15), false)
		if k.err != nil {
			return
		}
	}
}

// deskContact is one walk-in arriving a seconds after midnight at a desk
// that closes at close minutes.
func (k *chunk) deskContact(s *site, d *day, ch *channelDef, a int64, close int, user int64, repeat bool) {
	r := k.r
	L := min(relLoad(d, &deskProfile, deskMean, int(a/1800)), 2.6)
	mean := deskWait * d.stress * L * L
	c := contact{
		ch: ch, site: s, arrived: d.wall + a - d.off, off: d.off, user: user, repeat: repeat,
		motive: motives[ch].pick(r),
	}
	k.carry(&c)
	if ch == chProximity {
		mean *= 0.6
		c.team = "france-services"
	} else {
		c.team = deskTeams[r.IntN(len(deskTeams))]
	}
	untilClose := int64(close*60) - a
	switch {
	case L*d.stress > 1.9 && untilClose < 40*60 && chance(r, 0.5), chance(r, 0.004):
		// Too many people for the time left: sent away with a leaflet.
		c.outcome = model.OutcomeOverflow
		c.ended = c.arrived + 30 + r.Int64N(120)
	default:
		wait := expo(r, mean)
		patience := expo(r, 120*60) + 5*60
		limit := float64(untilClose + 75*60) // the desk stops calling tickets
		if wait > patience || wait > limit {
			c.outcome = model.OutcomeAbandoned
			c.ended = c.arrived + int64(math.Min(patience, limit))
			break
		}
		c.answered = c.arrived + int64(wait)
		redirect := 0.05
		if ch == chProximity {
			redirect = 0.15
		}
		if chance(r, redirect) {
			c.outcome = model.OutcomeRedirected
			c.ended = c.answered + 90 + r.Int64N(240)
		} else {
			c.outcome = model.OutcomeServed
			c.ended = c.answered + int64(clamp(lognormal(r, 11*60, 0.5), 120, 3*3600))
		}
	}
	k.emitContact(&c)
}

var (
	deskTeams        = []string{"accueil-1", "accueil-2", "accueil-3"}
	appointmentTeams = []string{"conseil-1", "conseil-2", "conseil-3", "conseil-4"}
)

// appointmentDay generates the day's booked appointments at an agency.
func (k *chunk) appointmentDay(s *site, d *day) {
	open, close, ok := s.deskHours(d)
	if !ok || !d.working {
		return
	}
	nSlots := (close-open)/30 - 1
	if nSlots <= 0 {
		return
	}
	n := poisson(k.r, appointmentRate*s.weight*k.g.scale*d.load*float64(nSlots)/15)
	a := k.scratch[:0]
	for range n {
		a = append(a, int64(open*60+k.r.IntN(nSlots)*1800))
	}
	slices.Sort(a)
	k.scratch = a
	for _, t := range a {
		k.appointment(s, d, chAppointment, t)
		if k.err != nil {
			return
		}
	}
}

// appointment is one booked appointment at t seconds after midnight, at a
// desk (qms) or by video (crm).
func (k *chunk) appointment(s *site, d *day, ch *channelDef, t int64) {
	r := k.r
	slot := d.wall + t - d.off
	c := contact{ch: ch, site: s, off: d.off, user: k.user(s, 0), motive: motives[ch].pick(r)}
	noShow := s.noShow
	if ch == chVideo {
		noShow = 0.07
		c.team = "visio-1"
	} else {
		c.team = appointmentTeams[r.IntN(len(appointmentTeams))]
	}
	if chance(r, noShow) {
		c.outcome = model.OutcomeNoShow
		c.arrived = slot
		if chance(r, 0.25) {
			c.ended = slot + 15*60 // closed by the system
		}
		k.emitContact(&c)
		return
	}
	if chance(r, 0.85) {
		c.arrived = slot - r.Int64N(15*60)
	} else {
		c.arrived = slot + r.Int64N(12*60) // late
	}
	L := min(relLoad(d, &deskProfile, deskMean, int(t/1800)), 2.6)
	c.answered = max(c.arrived, slot) + int64(expo(r, 2.5*60*d.stress*math.Pow(L, 1.5)))
	if chance(r, 0.03) {
		c.outcome = model.OutcomeRedirected
		c.ended = c.answered + 300 + r.Int64N(600)
	} else {
		c.outcome = model.OutcomeServed
		c.ended = c.answered + int64(clamp(lognormal(r, 25*60, 0.35), 300, 2*3600))
	}
	k.emitContact(&c)
}

// videoDay generates the day's video appointments at an agency.
func (k *chunk) videoDay(s *site, d *day) {
	if !d.working {
		return
	}
	n := poisson(k.r, videoRate*s.weight*k.g.scale*d.load)
	for range n {
		k.appointment(s, d, chVideo, int64(9*3600+k.r.IntN(14)*1800))
	}
}
