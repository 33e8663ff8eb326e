package demo

import (
	"fmt"
	"math/rand/v2"

	"globaloffice/model"
)

// The three output files of a month.
const (
	fileContacts = iota
	fileCases
	fileSurveys
	nFiles
)

// idsPerChunk is the id space of one site-month: record ids are
// (month × sites + site) × idsPerChunk + a sequence number, unique per
// source whatever the order of generation.
const idsPerChunk = 10_000_000

// chunk is one unit of work: the records that start at one site in one
// month, and what they lead to (a reply case, a survey answer, a contact on
// another channel), which may belong to another site or a later month.
type chunk struct {
	g     *generator
	month int
	site  *site
	r     *rand.Rand
	// jr draws the journeys' choices (journeys.go), apart from r so that
	// adding them left the rest of the data as it was.
	jr *rand.Rand

	idBase, seq int64
	err         error

	out    [nFiles][]byte          // records of this month
	future map[int]*[nFiles][]byte // records of later months, by month index
	n      counts

	scratch []int64 // arrival times of a day, reused

	// nextMotive and nextCase, when set, are the motive and the case of
	// the next contact generated: a follow-up on the same request, a call
	// chasing a case.
	nextMotive string
	nextCase   int64
}

// carry gives contact c the motive and case the chunk holds for it.
func (k *chunk) carry(c *contact) {
	if k.nextMotive != "" {
		c.motive = k.nextMotive
	}
	c.caseID = k.nextCase
}

func (g *generator) newChunk(month int, s *site) *chunk {
	return &chunk{
		g: g, month: month, site: s,
		r:      newRand(g.seed, 2, uint64(month), uint64(s.idx)),
		jr:     newRand(g.seed, 3, uint64(month), uint64(s.idx)),
		idBase: (int64(month)*int64(len(g.sites)) + int64(s.idx)) * idsPerChunk,
	}
}

// run generates the chunk's records, day by day.
func (k *chunk) run() {
	s := k.site
	first, end := k.g.monthDates(k.month)
	for date := first; date < end && k.err == nil; date++ {
		d := k.g.day(s, date)
		switch s.Kind {
		case model.SiteAgency:
			k.deskDay(s, &d, chReception)
			k.appointmentDay(s, &d)
			k.videoDay(s, &d)
			k.messageDay(s, &d, chEmail, emailRate)
			k.messageDay(s, &d, chOnline, onlineRate)
			k.mailDay(s, &d)
			k.complaintDay(s, &d)
			k.mysteryShopperDay(s, &d)
		case model.SiteProximityPoint:
			k.deskDay(s, &d, chProximity)
		}
		if len(s.phoneServed) > 0 {
			k.phoneDay(s, &d)
		}
		if len(s.procServed) > 0 {
			k.processingDay(s, &d)
		}
	}
}

func (k *chunk) nextID() int64 {
	k.seq++
	if k.seq >= idsPerChunk && k.err == nil {
		k.err = fmt.Errorf("site %s, month %s: more than %d records in one site-month (scale too large)", k.site.ID, k.g.monthName(k.month), idsPerChunk)
	}
	return k.idBase + k.seq
}

// dest returns the buffer for a record of file f whose event happens at
// local wall-clock seconds wall, or nil when that is outside [From, To).
func (k *chunk) dest(f int, wall int64) *[]byte {
	if wall >= k.g.toWall || wall < k.g.fromWall {
		return nil
	}
	mi := k.g.monthIndex(wall)
	if mi <= k.month {
		return &k.out[f]
	}
	return k.futureBuf(mi, f)
}

func (k *chunk) futureBuf(mi, f int) *[]byte {
	if k.future == nil {
		k.future = map[int]*[nFiles][]byte{}
	}
	b := k.future[mi]
	if b == nil {
		b = &[nFiles][]byte{}
		k.future[mi] = b
	}
	return &b[f]
}

// resend copies the line just written to buf from start, with probability
// DupRate, into the file of a later month (one or two months on, the last
// month at most).
func (k *chunk) resend(f int, wall int64, buf *[]byte, start int) {
	if k.g.dupRate == 0 || !chance(k.r, k.g.dupRate) {
		return
	}
	mi := k.g.monthIndex(wall)
	target := min(mi+1+k.r.IntN(2), k.g.months-1)
	var dst *[]byte
	switch {
	case target <= k.month:
		dst = &k.out[f]
	default:
		dst = k.futureBuf(target, f)
	}
	*dst = append(*dst, (*buf)[start:]...)
	k.n.dups++
}

// faulty reports whether to follow a good record with an invalid one, and
// which of faults it has.
func (k *chunk) faulty(faults []int) (int, bool) {
	if k.g.badRate == 0 || !chance(k.r, k.g.badRate) {
		return 0, false
	}
	return faults[k.r.IntN(len(faults))], true
}
