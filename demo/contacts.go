package demo

import (
	"slices"

	"globaloffice/model"
)

// ContactsHeader is the header of the contacts files.
const ContactsHeader = "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team,asked_agent,case_id,segment"

// channelDef is a channel as the generator writes it: its name, the system
// that exports it (and that system's id prefix) and whether that system
// writes local times.
type channelDef struct {
	name   model.Channel
	source string
	prefix string
	local  bool
}

var (
	chReception   = &channelDef{"reception", "qms", "T-", true}
	chAppointment = &channelDef{"appointment", "qms", "T-", true}
	chProximity   = &channelDef{"proximity", "qms", "T-", true}
	chPhone       = &channelDef{"phone", "acd", "A-", false}
	chVideo       = &channelDef{"video", "crm", "M-", false}
	chEmail       = &channelDef{"email", "crm", "M-", false}
	chMail        = &channelDef{"mail", "crm", "M-", false}
	chOnline      = &channelDef{"online", "crm", "M-", false}
)

// Volumes at Scale 1 for a site of weight 1, per day at an average load.
const (
	receptionRate   = 21.0 // walk-ins per 8:30–16:30 day
	proximityRate   = 50.0 // per proximity-point weight unit (their weight is about 0.35)
	appointmentRate = 6.6  // per full day of slots
	videoRate       = 0.55
	emailRate       = 3.65 // per calendar day
	onlineRate      = 2.45
	mailRate        = 1.2 // per working day
	phoneRate       = 16.5
	phoneWait       = 28.0 // mean seconds on hold at an average load
	deskWait        = 6.0 * 60
)

var motives = map[*channelDef]choice{
	chReception: newChoice("inscription", 0.18, "actualisation", 0.08, "paiement", 0.2, "attestation", 0.15,
		"changement_situation", 0.12, "documents", 0.1, "reclamation", 0.05, "information", 0.12),
	chAppointment: newChoice("rdv_conseiller", 0.6, "inscription", 0.15, "changement_situation", 0.15, "reclamation", 0.1),
	chVideo:       newChoice("rdv_conseiller", 0.8, "changement_situation", 0.2),
	chPhone: newChoice("paiement", 0.3, "attestation", 0.14, "changement_situation", 0.15, "identifiants", 0.14,
		"reclamation", 0.1, "information", 0.17),
	chEmail: newChoice("paiement", 0.25, "attestation", 0.2, "changement_situation", 0.2, "documents", 0.15,
		"reclamation", 0.1, "information", 0.1),
	chMail:      newChoice("documents", 0.4, "reclamation", 0.2, "changement_situation", 0.25, "paiement", 0.15),
	chOnline:    newChoice("changement_situation", 0.3, "documents", 0.3, "attestation", 0.2, "paiement", 0.2),
	chProximity: newChoice("identifiants", 0.3, "attestation", 0.25, "documents", 0.2, "information", 0.25),
}

// contact is one front-office contact being generated. Times are Unix
// seconds, 0 when empty; off is the site's UTC offset that day.
type contact struct {
	ch                       *channelDef
	site                     *site
	id                       int64
	arrived, answered, ended int64
	off                      int64
	outcome                  model.Outcome
	motive                   string
	user                     int64 // −1 when unknown
	team                     string
	repeat                   bool  // a follow-up of an earlier contact
	notAsked                 bool  // a caller who chose a self-service option of the voice menu
	caseID                   int64 // the case it chases, 0 for none
}

func (c *contact) wait() int64 {
	if c.answered == 0 {
		return -1
	}
	return c.answered - c.arrived
}

// user draws the user behind a contact at front site s, or −1 for an
// anonymous one (share anon). Frequent users have low numbers.
func (k *chunk) user(s *site, anon float64) int64 {
	if s == nil || s.poolSize == 0 || chance(k.r, anon) {
		return -1
	}
	u := k.r.Float64()
	return int64(s.idx)*maxPool + int64(float64(s.poolSize)*u*u)
}

// homeOf returns the front site a user is homed at.
func (g *generator) homeOf(user int64) *site { return g.sites[user/maxPool] }

// arrivals draws n times (seconds after midnight) from sl, sorted.
func (k *chunk) arrivals(sl *slots, n int) []int64 {
	a := k.scratch[:0]
	for range n {
		start, _ := sl.draw(k.r)
		a = append(a, start+k.r.Int64N(1800))
	}
	slices.Sort(a)
	k.scratch = a
	return a
}

// emitContact writes a contact (and sometimes an invalid variant and a
// re-sent copy), then what follows from it: survey answers and a follow-up
// contact. It reports whether the contact was written (false after To).
func (k *chunk) emitContact(c *contact) bool {
	wall := c.arrived + c.off
	buf := k.dest(fileContacts, wall)
	if buf == nil {
		return false
	}
	c.id = k.nextID()
	start := len(*buf)
	*buf = appendContact(*buf, c, 0)
	k.n.contacts++
	k.resend(fileContacts, wall, buf, start)
	if f, ok := k.faulty(contactFaults); ok {
		bad := *c
		bad.id = k.nextID()
		*buf = appendContact(*buf, &bad, f)
		k.n.bad++
	}
	k.surveysAfter(c)
	if !c.repeat {
		k.followUp(c)
	}
	k.opensCase(c)
	return true
}

// appendContact writes c as a contacts CSV line; fault ≠ 0 makes it invalid
// in one of contactFaults ways.
func appendContact(b []byte, c *contact, fault int) []byte {
	if fault != faultMissingID {
		b = appendID(b, c.ch.prefix, c.id)
	}
	b = append(b, ',')
	b = append(b, c.ch.source...)
	b = append(b, ',')
	b = appendCSV(b, c.site.ID)
	b = append(b, ',')
	if fault == faultUnknownEnum {
		b = append(b, "fax"...)
	} else {
		b = append(b, c.ch.name...)
	}
	b = append(b, ',')
	answered, outcome := c.answered, c.outcome
	if fault == faultTimeOrder {
		answered = c.arrived - 60 - (c.id % 3000)
		if outcome != model.OutcomeServed && outcome != model.OutcomeRedirected && outcome != model.OutcomeTransferred {
			outcome = model.OutcomeServed
		}
	}
	if fault == faultBadTime {
		b = append(b, "14/05/2026 09:03"...)
	} else {
		b = c.appendTime(b, c.arrived)
	}
	b = append(b, ',')
	if answered != 0 {
		b = c.appendTime(b, answered)
	}
	b = append(b, ',')
	if c.ended != 0 {
		b = c.appendTime(b, c.ended)
	}
	b = append(b, ',')
	if fault == faultUnknownValue {
		b = append(b, "perdu"...)
	} else {
		b = append(b, outcome...)
	}
	b = append(b, ',')
	b = append(b, c.motive...)
	b = append(b, ',')
	b = appendUser(b, c.user)
	b = append(b, ',')
	b = append(b, c.team...)
	b = append(b, ',')
	if c.notAsked {
		b = append(b, "false"...) // not said: asked on the phone
	}
	b = append(b, ',')
	if c.caseID != 0 {
		b = appendID(b, "D-", c.caseID)
	}
	b = append(b, ',')
	b = append(b, segmentOf(c.user)...)
	return append(b, '\n')
}

func (c *contact) appendTime(b []byte, t int64) []byte {
	if c.ch.local {
		return appendClock(b, t+c.off, false)
	}
	return appendClock(b, t, true)
}
