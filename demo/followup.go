package demo

import (
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Follow-ups: a share of users come back on another channel within a week,
// far more often when the first contact failed (an abandoned call, a walk-in
// sent away, a missed appointment) than when it went well.

var followUpRate = map[model.Outcome]float64{
	model.OutcomeServed:     0.04,
	model.OutcomeRedirected: 0.25,
	model.OutcomeAbandoned:  0.3, // 0.45 after an abandoned call, below
	model.OutcomeOverflow:   0.4,
	model.OutcomeNoShow:     0.2,
	// Transferred callers were answered; deflected ones were sent to the
	// web or an SMS, and some come back.
	model.OutcomeTransferred: 0.06,
	model.OutcomeDeflected:   0.15,
}

// The channel users turn to next, by the channel of the first contact,
// with weights.
type nextChoice struct {
	chs []*channelDef
	w   []float64
}

var nextChannel = map[*channelDef]nextChoice{
	chPhone:       {[]*channelDef{chReception, chEmail, chOnline}, []float64{0.45, 0.35, 0.2}},
	chReception:   {[]*channelDef{chPhone, chEmail, chOnline}, []float64{0.5, 0.3, 0.2}},
	chProximity:   {[]*channelDef{chPhone, chReception, chOnline}, []float64{0.5, 0.3, 0.2}},
	chAppointment: {[]*channelDef{chPhone, chReception}, []float64{0.7, 0.3}},
	chVideo:       {[]*channelDef{chPhone, chEmail}, []float64{0.7, 0.3}},
	chEmail:       {[]*channelDef{chPhone, chReception}, []float64{0.6, 0.4}},
	chMail:        {[]*channelDef{chPhone, chReception}, []float64{0.6, 0.4}},
	chOnline:      {[]*channelDef{chPhone, chReception}, []float64{0.6, 0.4}},
}

// followGap is the distribution of days between a contact and its
// follow-up (0 to 7).
var followGap = []float64{0.12, 0.3, 0.2, 0.12, 0.09, 0.07, 0.05, 0.05}

// followUp maybe generates the contact the user of c makes next.
func (k *chunk) followUp(c *contact) {
	if c.user < 0 {
		return
	}
	r := k.r
	p := followUpRate[c.outcome]
	if c.ch == chPhone && c.outcome == model.OutcomeAbandoned {
		p = 0.45
	}
	if !chance(r, p) {
		return
	}
	// Mostly on the same request: the motive is kept.
	if chance(k.jr, 0.8) {
		k.nextMotive = c.motive
		defer func() { k.nextMotive = "" }()
	}
	opts := nextChannel[c.ch]
	next := opts.chs[weighted(r, opts.w)]
	home := k.g.homeOf(c.user)
	after := max(c.arrived, c.answered, c.ended)
	date0 := calendar.Date((after + c.off) / 86400)
	gap := calendar.Date(weighted(r, followGap))

	switch next {
	case chEmail, chOnline:
		if home.agency == nil {
			return
		}
		at := after + 600 + int64(gap)*86400 + r.Int64N(12*3600)
		t := home.agency
		td := k.g.day(t, calendar.Date((at+c.off)/86400))
		k.message(t, &td, next, at, c.user, true)
		return
	}
	t, ch := home.agency, chReception
	if next == chPhone {
		t, ch = home.phone, chPhone
	} else if t == nil {
		t, ch = home, chProximity
	}
	if t == nil {
		return
	}
	for try := calendar.Date(0); try < 8; try++ {
		date := date0 + gap + try
		if date >= k.g.to {
			return
		}
		td := k.g.day(t, date)
		var open, close int
		var ok bool
		profile := &deskProfile
		if ch == chPhone {
			open, close, ok = t.phoneHours(&td)
			profile = &phoneProfile
		} else {
			open, close, ok = t.deskHours(&td)
		}
		if !ok {
			continue
		}
		sl := newSlots(profile, open, close, td.wd == time.Friday)
		start, _ := sl.draw(r)
		a := start + r.Int64N(1800)
		if td.wall+a-td.off <= after {
			continue
		}
		if ch == chPhone {
			k.call(t, &td, a, c.user, true)
		} else {
			k.deskContact(t, &td, ch, a, close, c.user, true)
		}
		return
	}
}
