package demo

import (
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Journeys across the global office: a served contact on some motives
// opens a case (handed in at the desk, or filed online a few days later,
// naming the contact that led to it); while a case is open its user calls
// to ask where it is (a contact naming the case); a follow-up contact
// mostly keeps the motive of the contact it follows. Users carry a coarse
// segment.

// caseOfMotive is the kind of case a contact on a motive may lead to, and
// how often a served contact on it does.
var caseOfMotive = map[string]struct {
	kind *caseKind
	rate float64
}{
	"inscription":          {kindRegistration, 0.2},
	"changement_situation": {kindAllowance, 0.1},
	"paiement":             {kindReimbursement, 0.05},
	"documents":            {kindAllowance, 0.1},
	"reclamation":          {kindComplaint, 0.1},
}

// chaseMotive is the motive of a call about a case still open.
const chaseMotive = "suivi_dossier"

// segmentOf is the segment of user u ("" for an unknown user): about 8 %
// priority public, 12 % assisted, 15 % first request, by user number.
func segmentOf(u int64) string {
	if u < 0 {
		return ""
	}
	switch h := (uint64(u) * 0x9E3779B97F4A7C15) >> 57; { // 0..127
	case h < 10:
		return "priority_public"
	case h < 26:
		return "assisted"
	case h < 45:
		return "first_request"
	}
	return ""
}

// opensCase maybe opens the case a served contact leads to, at the
// processing site of its user's home.
func (k *chunk) opensCase(c *contact) {
	m, ok := caseOfMotive[c.motive]
	if !ok || c.outcome != model.OutcomeServed || c.user < 0 || c.caseID != 0 {
		return
	}
	r := k.jr
	if !chance(r, m.rate) {
		return
	}
	home := k.g.homeOf(c.user)
	proc := home.proc
	if proc == nil {
		return
	}
	channel := "online"
	received := c.ended + 3600 + r.Int64N(3*86400) // filed online within 3 days
	if c.ch == chReception || c.ch == chAppointment || c.ch == chProximity {
		if chance(r, 0.6) { // handed in at the desk
			channel, received = "reception", c.ended+60
		}
	}
	if received <= 0 {
		received = c.arrived + 3600
	}
	d := k.g.day(proc, calendar.Date((received+c.off)/86400))
	if d.date >= k.g.to {
		return
	}
	k.newCase(proc, &d, m.kind, channel, received, c.user, c.ch.prefix, c.id)
}

// chase maybe has the user of an open case call about it: more often the
// longer it stays open, once or twice, between three days after receipt
// and the day before completion (both Unix seconds).
func (k *chunk) chase(cv *caseVersion, received, completed int64) {
	if cv.user < 0 || completed-received < 5*86400 {
		return
	}
	r := k.jr
	days := float64(completed-received) / 86400
	p := min(0.7, days/40)
	home := k.g.homeOf(cv.user)
	if home.phone == nil {
		return
	}
	for i := 0; i < 2 && chance(r, p); i++ {
		at := received + 3*86400 + r.Int64N(completed-received-4*86400+1)
		t := home.phone
		td := k.g.day(t, calendar.Date(at/86400)) // its UTC date: any day it is open
		if td.date >= k.g.to {
			return
		}
		open, close, ok := t.phoneHours(&td)
		if !ok {
			continue
		}
		sl := newSlots(&phoneProfile, open, close, td.wd == time.Friday)
		start, _ := sl.draw(r)
		k.nextCase, k.nextMotive = cv.id, chaseMotive
		k.call(t, &td, start+r.Int64N(1800), cv.user, true)
		k.nextCase, k.nextMotive = 0, ""
		p /= 2
	}
}
