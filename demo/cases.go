package demo

import (
	"math"
	"math/rand/v2"
	"strconv"

	"globaloffice/model"
)

// CaseKeys are the keys of every case object, in the order written; the
// last five only when the version has them.
var CaseKeys = []string{"id", "source", "site", "kind", "channel", "received_at", "completed_at", "status", "user_ref", "updated_at",
	"acknowledged_at", "announced_days", "paused_seconds", "origin_contact_id", "segment"}

// caseKind is a kind of back-office file: its processing delay in working
// days (log-normal: median and shape, before site quality and backlogs),
// the channels it is submitted on, and its rate per day and weight unit.
type caseKind struct {
	name     string
	median   float64
	sigma    float64
	channels choice
	rate     float64
	// announce is the delay announced to the user in calendar days (0:
	// none), for a share of the cases; pauses is the share of cases that
	// wait on the user or a third party.
	announce int
	pauses   float64
}

var (
	// Mostly within 7 calendar days (about 5 working days).
	kindReimbursement = &caseKind{"reimbursement", 2.6, 0.55, newChoice("online", 0.65, "mail", 0.35), 4.25, 7, 0.05}
	// Mostly within 30 calendar days.
	kindAllowance = &caseKind{"allowance_payment", 10, 0.5, newChoice("online", 0.7, "mail", 0.2, "reception", 0.1), 1.85, 30, 0.15}
	// Mostly within 5 calendar days.
	kindRegistration = &caseKind{"registration", 1.6, 0.6, newChoice("online", 0.8, "reception", 0.2), 1.4, 5, 0.05}
	kindClaim        = &caseKind{"claim", 14, 0.6, newChoice("online", 0.5, "mail", 0.4, "reception", 0.1), 0.7, 30, 0.2}
	// Mostly within 2 working days.
	kindEmailReply = &caseKind{"email_reply", 0.9, 0.9, newChoice("email", 1.0), 0, 0, 0}
	// Mostly within 15 working days.
	kindMailReply = &caseKind{"mail_reply", 8, 0.5, newChoice("mail", 1.0), 0, 0, 0}
	kindComplaint = &caseKind{"complaint", 10, 0.6, newChoice("email", 0.4, "mail", 0.3, "online", 0.2, "reception", 0.1), 0.23, 30, 0.1}
	// Sick pay: many wait on the employer's salary certificate.
	kindSickPay = &caseKind{"sick_pay", 7, 0.55, newChoice("online", 0.75, "mail", 0.25), 1.0, 30, 0.4}

	processingKinds = []*caseKind{kindReimbursement, kindAllowance, kindRegistration, kindClaim, kindSickPay}

	messageSlots = newSlots(&messageProfile, 0, 24*60, false)
)

// caseVersion is one version of a case. Times are Unix seconds; completed
// is 0 while open.
type caseVersion struct {
	site                         *site
	id                           int64
	kind                         *caseKind
	channel                      string
	received, completed, updated int64
	status                       model.CaseStatus
	user                         int64
	// ack is when receipt is acknowledged (0: never), written on the
	// versions updated since; announced the delay announced (-1: none);
	// paused the time waited on others, on the completed version.
	ack, paused int64
	announced   int
	// originPrefix and origin are the id of the contact that opened the
	// case (origin 0: none named).
	originPrefix string
	origin       int64
}

// unlinkedShare is the share of files not opened through a front-office
// contact: the others come from the contacts that open them (journeys.go),
// so that the volume of files stays what it was.
const unlinkedShare = 0.88

// processingDay generates the files that a processing centre (or an agency
// that processes its own) receives on d from the users of the sites it
// serves. Online files arrive every day, letters and desk hand-ins on
// working days.
func (k *chunk) processingDay(s *site, d *day) {
	w := last(s.procCum)
	dayFactor := 0.5
	if d.working {
		dayFactor = 1.2
	}
	for _, kd := range processingKinds {
		n := poisson(k.r, kd.rate*w*k.g.scale*d.season*dayFactor*unlinkedShare)
		for range n {
			k.submitted(s, d, kd, pickServed(k.r.Float64(), s.procServed, s.procCum))
			if k.err != nil {
				return
			}
		}
	}
}

// complaintDay generates the complaints an agency handles itself.
func (k *chunk) complaintDay(s *site, d *day) {
	dayFactor := 0.5
	if d.working {
		dayFactor = 1.2
	}
	n := poisson(k.r, kindComplaint.rate*s.weight*k.g.scale*d.season*dayFactor)
	for range n {
		k.submitted(s, d, kindComplaint, s)
	}
}

// submitted is one file of kind kd received at s on d from a user of home.
func (k *chunk) submitted(s *site, d *day, kd *caseKind, home *site) {
	r := k.r
	ch := kd.channels.pick(r)
	var at int64 // seconds after local midnight
	switch ch {
	case "mail":
		if !d.working {
			return
		}
		at = 8*3600 + r.Int64N(150*60)
	case "reception":
		if !d.working {
			return
		}
		at = 9*3600 + r.Int64N(7*3600)
	default:
		start, _ := messageSlots.draw(r)
		at = start + r.Int64N(1800)
	}
	k.newCase(s, d, kd, ch, d.wall+at-d.off, k.user(home, 0), "", 0)
}

// newCase opens a case received at Unix time received on d at site s and
// writes its versions: open when received, sometimes an intermediate open
// version, and completed (2% cancelled) a number of working days later.
// Versions after To are not written, so late cases stay open.
func (k *chunk) newCase(s *site, d *day, kd *caseKind, channel string, received int64, user int64, originPrefix string, origin int64) {
	r := k.r
	c := caseVersion{site: s, id: k.nextID(), kind: kd, channel: channel, received: received, user: user, status: model.CaseOpen,
		originPrefix: originPrefix, origin: origin}
	recSec := received + d.off - d.wall
	x := lognormal(r, kd.median*s.delayQ*d.backlog, kd.sigma)
	wd := int(math.Min(x, 250))
	if wd == 0 && (!d.working || recSec > 15*3600+30*60) {
		wd = 1
	}
	cd := *d
	if wd > 0 {
		cd = k.g.day(s, k.g.cal.AddWorkingDays(s.Zone, d.date, wd))
	}
	var compSec int64
	if wd == 0 {
		compSec = min(max(recSec, officeOpen*60)+600+int64(expo(r, 3600)), 19*3600)
	} else {
		compSec = officeOpen*60 + r.Int64N((officeClose-officeOpen)*60)
	}
	completed := cd.wall + compSec - cd.off
	final := model.CaseCompleted
	if chance(r, 0.02) {
		final = model.CaseCancelled
	}

	c.announced = -1
	if kd.announce > 0 && chance(r, 0.6) {
		c.announced = kd.announce
	}
	c.ack = ackTime(r, channel, received)
	c.updated = received + 5 + r.Int64N(115)
	if !k.emitCase(&c, d.off, chance(r, 0.2)) {
		return
	}
	k.n.cases++
	if wd >= 10 && chance(r, 0.35) {
		md := k.g.day(s, k.g.cal.AddWorkingDays(s.Zone, d.date, wd/2))
		c.updated = md.wall + officeOpen*60 + r.Int64N((officeClose-officeOpen)*60) - md.off
		k.emitCase(&c, md.off, true)
	}
	c.status, c.completed = final, completed
	if chance(r, kd.pauses) {
		// Waiting on the user or a third party takes a tenth to two
		// thirds of the time the case took.
		c.paused = int64(float64(completed-received) * (0.1 + 0.57*r.Float64()))
	}
	c.updated = completed + r.Int64N(90)
	k.emitCase(&c, cd.off, false)
	k.chase(&c, received, completed)
}

// ackTime is when receipt of a case submitted on channel at received is
// acknowledged, 0 for never (a desk hand-in, or one case in ten): online
// at once by the service, e-mails within a few days, letters within about
// a week, a few late.
func ackTime(r *rand.Rand, channel string, received int64) int64 {
	if channel == "reception" || chance(r, 0.1) {
		return 0
	}
	switch channel {
	case "online":
		return received + 30 + int64(expo(r, 300))
	case "email":
		return received + int64(lognormal(r, 1.5, 0.8)*86400)
	}
	return received + int64(lognormal(r, 6, 0.45)*86400)
}

// emitCase writes a case version (and sometimes an invalid variant and a
// re-sent copy); off is the site's UTC offset on the day of the update.
func (k *chunk) emitCase(c *caseVersion, off int64, omitCompleted bool) bool {
	wall := c.updated + off
	buf := k.dest(fileCases, wall)
	if buf == nil {
		return false
	}
	start := len(*buf)
	*buf = appendCase(*buf, c, omitCompleted, 0)
	k.n.caseVersions++
	k.resend(fileCases, wall, buf, start)
	if f, ok := k.faulty(caseFaults); ok {
		bad := *c
		bad.id = k.nextID()
		*buf = appendCase(*buf, &bad, false, f)
		k.n.bad++
	}
	return true
}

// appendCase writes c as one NDJSON line. While open, completed_at is an
// empty string, or absent when omitCompleted. fault ≠ 0 makes it invalid.
func appendCase(b []byte, c *caseVersion, omitCompleted bool, fault int) []byte {
	b = append(b, '{')
	if fault != faultMissingID {
		b = append(b, `"id":"`...)
		b = appendID(b, "D-", c.id)
		b = append(b, `",`...)
	}
	b = append(b, `"source":"cms","site":`...)
	b = appendJSONString(b, c.site.ID)
	b = append(b, `,"kind":"`...)
	if fault == faultUnknownEnum {
		b = append(b, "remboursement"...)
	} else {
		b = append(b, c.kind.name...)
	}
	b = append(b, `","channel":"`...)
	b = append(b, c.channel...)
	b = append(b, `","received_at":"`...)
	if fault == faultBadTime {
		b = append(b, "2026-13-45T25:00:00Z"...)
	} else {
		b = appendClock(b, c.received, true)
	}
	b = append(b, '"')
	status, completed := c.status, c.completed
	if fault == faultTimeOrder {
		status, completed = model.CaseCompleted, c.received-2*86400
	}
	switch {
	case completed != 0:
		b = append(b, `,"completed_at":"`...)
		b = appendClock(b, completed, true)
		b = append(b, '"')
	case !omitCompleted:
		b = append(b, `,"completed_at":""`...)
	}
	b = append(b, `,"status":"`...)
	if fault == faultUnknownValue {
		b = append(b, "closed"...)
	} else {
		b = append(b, status...)
	}
	b = append(b, `","user_ref":"`...)
	b = appendUser(b, c.user)
	b = append(b, `","updated_at":"`...)
	b = appendClock(b, c.updated, true)
	b = append(b, '"')
	if c.ack != 0 && c.ack <= c.updated {
		b = append(b, `,"acknowledged_at":"`...)
		b = appendClock(b, c.ack, true)
		b = append(b, '"')
	}
	if c.announced >= 0 {
		b = append(b, `,"announced_days":`...)
		b = strconv.AppendInt(b, int64(c.announced), 10)
	}
	if c.paused > 0 {
		b = append(b, `,"paused_seconds":`...)
		b = strconv.AppendInt(b, c.paused, 10)
	}
	if c.origin != 0 {
		b = append(b, `,"origin_contact_id":"`...)
		b = appendID(b, c.originPrefix, c.origin)
		b = append(b, '"')
	}
	if seg := segmentOf(c.user); seg != "" {
		b = append(b, `,"segment":"`...)
		b = append(b, seg...)
		b = append(b, '"')
	}
	return append(b, "}\n"...)
}
