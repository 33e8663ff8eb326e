package demo

import (
	"math"
	"time"

	"globaloffice/model"
)

// SurveysHeader is the header of the survey files.
const SurveysHeader = "id,source,site,channel,survey,mode,answered_at,contact_id,scale,score_overall,score_courtesy,score_clarity,score_delay,score_recommend,scale_recommend,comment"

// The score dimensions, in the order of the survey columns.
const (
	dimOverall = iota
	dimCourtesy
	dimClarity
	dimDelay
	dimRecommend
	nDims
)

// surveyDef is one of the surveys the service runs.
type surveyDef struct {
	name  string
	mode  model.SurveyMode
	scale model.Scale
	asks  [nDims]bool
	// recommend is the scale of the recommendation question when it is
	// not the survey's ("" otherwise): written as scale_recommend.
	recommend model.Scale
}

// scaleOf is the scale dimension i is asked on.
func (def *surveyDef) scaleOf(i int) model.Scale {
	if i == dimRecommend && def.recommend != "" {
		return def.recommend
	}
	return def.scale
}

var (
	// E-mailed after a contact, 1–5 on four dimensions, and "would you
	// recommend us" on 0–10, as real questionnaires mix them.
	svPostContact = &surveyDef{"post_contact", model.ModeEmail, model.Scale1to5, [nDims]bool{true, true, true, true, true}, model.Scale0to10}
	// The kiosk at the exit of a reception area, 1–4 smileys.
	svKiosk = &surveyDef{"borne_accueil", model.ModeKiosk, model.Scale1to4, [nDims]bool{dimOverall: true}, ""}
	// Net promoter score by text message after a call.
	svNPSPhone = &surveyDef{"nps_telephone", model.ModeSMS, model.Scale0to10, [nDims]bool{dimOverall: true, dimRecommend: true}, ""}
	// Net promoter score on the website after an online message.
	svNPSWeb = &surveyDef{"nps_en_ligne", model.ModeWeb, model.Scale0to10, [nDims]bool{dimOverall: true, dimRecommend: true}, ""}
	// Mystery shoppers' visits and calls, 1–4.
	svMystery = &surveyDef{"visite_mystere", model.ModeMysteryShopper, model.Scale1to4, [nDims]bool{true, true, true, false, false}, ""}
)

// Response rates.
const (
	postContactRate = 0.085 // of identified, served contacts at a desk, by phone or video
	kioskRate       = 0.05  // of served walk-ins
	npsPhoneRate    = 0.03  // of identified callers, answered or not
	npsWebRate      = 0.05  // of online messages
	mysteryRate     = 0.1   // visits per agency and working day
)

// response is one survey answer being generated.
type response struct {
	def       *surveyDef
	site      *site
	ch        *channelDef
	id        int64
	answered  int64 // Unix seconds
	contact   *channelDef
	contactID int64 // 0 when not linked to a contact
	scores    [nDims]int
	comment   string
}

// satisfaction is a contact's latent satisfaction (about −3 to 3) and the
// wait penalty it includes: long waits, abandons, overflows and redirections
// lower it.
func (k *chunk) satisfaction(c *contact) (z, pen float64) {
	wait := c.wait()
	if wait < 0 && c.ended != 0 {
		wait = c.ended - c.arrived
	}
	switch c.ch {
	case chPhone:
		pen = math.Min(float64(wait)/150, 3)
	case chReception, chProximity, chAppointment, chVideo:
		pen = math.Min(0.065*float64(wait)/60, 3)
	}
	switch c.outcome {
	case model.OutcomeAbandoned:
		pen += 1.2
	case model.OutcomeOverflow:
		pen += 1.5
	case model.OutcomeRedirected:
		pen += 0.4
	}
	return c.site.satBias + 0.75 - pen + 0.85*k.r.NormFloat64(), pen
}

// score draws the scores of the dimensions def asks from the latent
// satisfaction z: courtesy suffers less from waiting, the delay dimension
// more.
func (k *chunk) score(def *surveyDef, z, pen float64) [nDims]int {
	r := k.r
	shift := [nDims]float64{0, 0.5*pen + 0.3, 0.3 * pen, -0.5*pen - 0.1, 0.1}
	noise := [nDims]float64{0.35, 0.5, 0.5, 0.5, 0.5}
	var s [nDims]int
	for i := range s {
		if !def.asks[i] {
			s[i] = -1
			continue
		}
		x := z + shift[i] + noise[i]*r.NormFloat64()
		switch def.scaleOf(i) {
		case model.Scale1to5:
			s[i] = int(clamp(math.Round(3.45+0.85*x), 1, 5))
		case model.Scale1to4:
			s[i] = int(clamp(math.Round(2.85+0.7*x), 1, 4))
		default:
			s[i] = int(clamp(math.Round(7.2+1.9*x), 0, 10))
		}
	}
	return s
}

// surveysAfter writes the survey answers that follow contact c.
func (k *chunk) surveysAfter(c *contact) {
	r := k.r
	served := c.outcome.Answered() || c.outcome == model.OutcomeRedirected
	var z, pen float64
	zDone := false
	answer := func(def *surveyDef, at int64, linked bool, commentRate float64) {
		if !zDone {
			z, pen = k.satisfaction(c)
			zDone = true
		}
		resp := response{def: def, site: c.site, ch: c.ch, answered: at, scores: k.score(def, z, pen)}
		if linked {
			resp.contact, resp.contactID = c.ch, c.id
		}
		if chance(r, commentRate) {
			resp.comment = k.comment(z)
		}
		k.emitResponse(&resp)
	}
	switch c.ch {
	case chOnline:
		if served && chance(r, npsWebRate) {
			answer(svNPSWeb, c.ended+r.Int64N(2*3600), false, 0.15)
		}
	case chPhone:
		if c.user >= 0 && c.outcome != model.OutcomeOverflow && chance(r, npsPhoneRate) {
			answer(svNPSPhone, c.ended+120+r.Int64N(3600), true, 0.12)
		}
		if served && c.user >= 0 && chance(r, postContactRate) {
			answer(svPostContact, c.ended+int64(math.Min(lognormal(r, 6*3600, 1.2), 6*86400)), true, 0.2)
		}
	case chReception, chProximity, chAppointment, chVideo:
		if served && c.user >= 0 && chance(r, postContactRate) {
			answer(svPostContact, c.ended+int64(math.Min(lognormal(r, 6*3600, 1.2), 6*86400)), true, 0.2)
		}
		if (c.ch == chReception || c.ch == chProximity) && c.outcome == model.OutcomeServed && chance(r, kioskRate) {
			answer(svKiosk, c.ended+20+r.Int64N(130), chance(r, 0.6), 0.03)
		}
	}
}

// mysteryShopperDay sends, now and then, a mystery shopper to an agency's
// desk or to the phone line that serves it.
func (k *chunk) mysteryShopperDay(s *site, d *day) {
	if !d.working {
		return
	}
	r := k.r
	for range poisson(r, mysteryRate*k.g.scale) {
		t, td, ch := s, *d, chReception
		open, close, ok := s.deskHours(d)
		if chance(r, 0.3) && s.phone != nil {
			t, ch = s.phone, chPhone
			td = k.g.day(t, d.date)
			open, close, ok = t.phoneHours(&td)
		}
		if !ok || close-open < 60 {
			continue
		}
		a := int64(open*60) + r.Int64N(int64(close-open-30)*60)
		// The shopper waits like everyone else at that hour.
		c := contact{ch: ch, site: t, off: td.off, arrived: td.wall + a - td.off, outcome: model.OutcomeServed}
		if ch == chPhone {
			L := min(relLoad(&td, &phoneProfile, phoneMean, int(a/1800)), 2.8)
			c.answered = c.arrived + int64(expo(r, phoneWait*td.stress*math.Pow(L, 2.3)))
		} else {
			L := min(relLoad(&td, &deskProfile, deskMean, int(a/1800)), 2.6)
			c.answered = c.arrived + int64(expo(r, deskWait*td.stress*L*L))
		}
		c.ended = c.answered + 600
		z, pen := k.satisfaction(&c)
		resp := response{
			def: svMystery, site: t, ch: ch, scores: k.score(svMystery, z, pen),
			answered: c.ended + 3600 + r.Int64N(20*3600),
			comment:  mysteryComments.pick(z, r.Float64()),
		}
		k.emitResponse(&resp)
	}
}

// emitResponse writes a survey response (and sometimes an invalid variant
// and a re-sent copy).
func (k *chunk) emitResponse(p *response) bool {
	_, off := time.Unix(p.answered, 0).In(k.g.locs[p.site.idx]).Zone()
	wall := p.answered + int64(off)
	buf := k.dest(fileSurveys, wall)
	if buf == nil {
		return false
	}
	p.id = k.nextID()
	start := len(*buf)
	*buf = appendResponse(*buf, p, 0)
	k.n.surveys++
	k.resend(fileSurveys, wall, buf, start)
	if f, ok := k.faulty(surveyFaults); ok {
		bad := *p
		bad.id = k.nextID()
		*buf = appendResponse(*buf, &bad, f)
		k.n.bad++
	}
	return true
}

// appendResponse writes p as one surveys CSV line; fault ≠ 0 makes it
// invalid.
func appendResponse(b []byte, p *response, fault int) []byte {
	if fault != faultMissingID {
		b = appendID(b, "R-", p.id)
	}
	b = append(b, ",survey,"...)
	b = appendCSV(b, p.site.ID)
	b = append(b, ',')
	b = append(b, p.ch.name...)
	b = append(b, ',')
	b = append(b, p.def.name...)
	b = append(b, ',')
	if fault == faultUnknownEnum {
		b = append(b, "courrier"...)
	} else {
		b = append(b, p.def.mode...)
	}
	b = append(b, ',')
	if fault != faultBadTime {
		b = appendClock(b, p.answered, true)
	}
	b = append(b, ',')
	if p.contactID != 0 {
		b = appendID(b, p.contact.prefix, p.contactID)
	}
	b = append(b, ',')
	if fault == faultUnknownValue {
		b = append(b, "1-7"...)
	} else {
		b = append(b, p.def.scale...)
	}
	for i, s := range p.scores {
		b = append(b, ',')
		if fault == faultOffScale && i == dimOverall {
			lo, hi := p.def.scale.Bounds()
			if lo > 0 && p.id%2 == 0 {
				s = lo - 1
			} else {
				s = hi + 1
			}
		}
		if s >= 0 || (fault == faultOffScale && i == dimOverall) {
			b = appendInt(b, s)
		}
	}
	b = append(b, ',')
	if p.def.recommend != "" {
		b = append(b, p.def.recommend...)
	}
	b = append(b, ',')
	b = appendCSV(b, p.comment)
	return append(b, '\n')
}
