package demo

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Plausibility of the sample data set (Scale 0.25, 15 December 2025 to
// 30 April 2026), measured from the files as the indicator engine will.

func minuteOfDay(t time.Time) int { return t.Hour()*60 + t.Minute() }

// localTime is a contact's arrival in its site's local time.
func localTime(t *testing.T, c readContact, sites map[string]model.Site) time.Time {
	if c.source == "qms" {
		return c.arrived // written as local wall clock
	}
	loc, err := calendar.Location(sites[c.site].Timezone)
	if err != nil {
		t.Fatal(err)
	}
	return c.arrived.In(loc)
}

func share(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func TestOpeningHoursAndHolidays(t *testing.T) {
	_, ds := loadSample(t)
	sites := siteMap(t)
	cal := calendar.New(calendar.Options{})
	g, err := newGenerator(Options{Seed: 42, From: date(2025, 12, 15), To: date(2026, 5, 1), Scale: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*site{}
	for _, s := range g.sites {
		byID[s.ID] = s
	}
	counts := map[string]int{}
	for _, c := range ds.contacts {
		s := sites[c.site]
		lt := localTime(t, c, sites)
		d := calendar.DateFromTime(lt)
		m := minuteOfDay(lt)
		wd := lt.Weekday()
		holiday, name := cal.IsHoliday(s.Zone, d)
		switch c.channel {
		case "reception", "proximity", "appointment":
			counts[c.channel]++
			if s.Kind != model.SiteAgency && s.Kind != model.SiteProximityPoint {
				t.Fatalf("%s contact at %s site %s", c.channel, s.Kind, c.site)
			}
			// Hand bounds: Monday–Friday 8:30–17:00, Saturday 9:00–12:00.
			ok := wd >= time.Monday && wd <= time.Friday && m >= 8*60+30 && m < 17*60 ||
				wd == time.Saturday && c.channel != "appointment" && m >= 9*60 && m < 12*60
			if c.channel == "appointment" {
				ok = wd >= time.Monday && wd <= time.Friday && m >= 8*60+15 && m < 17*60+15 // early or late for the slot
			}
			if !ok {
				t.Fatalf("%s contact %s at %s on %s %s local", c.channel, c.id, c.site, wd, lt.Format(time.DateTime))
			}
			if holiday {
				t.Fatalf("%s contact %s at %s on %s (%s, %s)", c.channel, c.id, c.site, d, name, s.Zone)
			}
			// And the site's own hours for walk-ins.
			if c.channel != "appointment" {
				day := g.day(byID[c.site], d)
				open, close, ok := byID[c.site].deskHours(&day)
				if !ok || m < open || m >= close {
					t.Fatalf("walk-in %s at %s %s, open %v %d–%d", c.id, c.site, lt.Format(time.DateTime), ok, open, close)
				}
			}
		case "phone":
			counts["phone"]++
			// Within the site's hours of demo/sites.csv, or, while closed
			// (the half-hour before, the hour after), the closed message.
			hours, err := model.ParseHours(s.Hours)
			if err != nil || len(hours) == 0 {
				t.Fatalf("site %s answers calls without hours (%v)", c.site, err)
			}
			open := hours.Open(wd, m*60+lt.Second()) && !holiday
			if !open {
				counts["phone closed"]++
			}
			if wd < time.Monday || wd > time.Friday || m < 8*60 || m >= 18*60+30 || holiday || !open && c.outcome != "overflow" {
				t.Fatalf("call %s at %s on %s %s local (holiday %v, open %v): %s", c.id, c.site, wd, lt.Format(time.DateTime), holiday, open, c.outcome)
			}
		}
	}
	// Overseas sites write local times too: a Cayenne agency's walk-ins are
	// in its office hours (checked above), so there must be some.
	for _, id := range []string{"CAY-973", "STD-974", "MAM-976", "PAP-971", "FDF-972"} {
		n := 0
		for _, c := range ds.contacts {
			if c.site == id && c.channel == "reception" {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no reception contacts at %s", id)
		}
	}
	t.Logf("contacts checked: %v", counts)
}

func TestLoadPatterns(t *testing.T) {
	_, ds := loadSample(t)
	sites := siteMap(t)
	byWeekday := map[time.Weekday]int{}
	byMonth := map[time.Month]int{}
	var peakWait, offWait time.Duration
	var peakN, offN int
	for _, c := range ds.contacts {
		if c.channel != "reception" {
			continue
		}
		byWeekday[c.arrived.Weekday()]++
		byMonth[c.arrived.Month()]++
		if !c.hasAnswered {
			continue
		}
		switch m := minuteOfDay(c.arrived); {
		case m >= 9*60 && m < 11*60:
			peakWait += c.wait()
			peakN++
		case m >= 12*60 && m < 13*60+30, m >= 15*60:
			offWait += c.wait()
			offN++
		}
	}
	t.Logf("reception contacts by weekday: %v", byWeekday)
	if byWeekday[time.Monday] <= byWeekday[time.Friday] {
		t.Errorf("Monday %d contacts, Friday %d", byWeekday[time.Monday], byWeekday[time.Friday])
	}
	if byWeekday[time.Sunday] != 0 {
		t.Errorf("%d reception contacts on Sundays", byWeekday[time.Sunday])
	}
	// January (season 1.25) busier than April (0.95): both have 21 or 22
	// working days in 2026 (April: Easter Monday).
	if byMonth[time.January] <= byMonth[time.April] {
		t.Errorf("January %d contacts, April %d", byMonth[time.January], byMonth[time.April])
	}
	peak, off := peakWait/time.Duration(peakN), offWait/time.Duration(offN)
	t.Logf("mean reception wait: %v at 9:00–11:00, %v off-peak", peak.Round(time.Second), off.Round(time.Second))
	if peak <= off {
		t.Errorf("mean wait at peak %v, off-peak %v", peak, off)
	}
	_ = sites
}

func TestReceptionWaitTargets(t *testing.T) {
	_, ds := loadSample(t)
	type tally struct{ in20, n int }
	bySite := map[string]*tally{}
	var all tally
	for _, c := range ds.contacts {
		if c.channel != "reception" || !c.hasAnswered {
			continue
		}
		s := bySite[c.site]
		if s == nil {
			s = &tally{}
			bySite[c.site] = s
		}
		s.n++
		all.n++
		if c.wait() <= 20*time.Minute {
			s.in20++
			all.in20++
		}
	}
	overall := share(all.in20, all.n)
	lo, hi := 1.0, 0.0
	var worst, best string
	for id, s := range bySite {
		if s.n < 200 {
			continue
		}
		v := share(s.in20, s.n)
		if v < lo {
			lo, worst = v, id
		}
		if v > hi {
			hi, best = v, id
		}
	}
	t.Logf("served within 20 min: %.1f%% overall, worst %s %.1f%%, best %s %.1f%%", 100*overall, worst, 100*lo, best, 100*hi)
	if overall < 0.78 || overall > 0.92 {
		t.Errorf("served within 20 min: %.3f overall, want 0.78–0.92", overall)
	}
	if lo > 0.75 || hi < 0.9 {
		t.Errorf("sites range from %.3f to %.3f within 20 min; want some below 0.75 and some above 0.9", lo, hi)
	}
}

func TestPhone(t *testing.T) {
	_, ds := loadSample(t)
	var n, abandoned, quick, overflow int
	type tally struct {
		n, abandoned int
		wait         time.Duration
		answered     int
	}
	byHour := map[int]*tally{}
	for _, c := range ds.contacts {
		if c.channel != "phone" {
			continue
		}
		n++
		h := c.arrived.Hour() // UTC; the bulk is in Europe/Paris, one hour off in winter
		b := byHour[h]
		if b == nil {
			b = &tally{}
			byHour[h] = b
		}
		b.n++
		switch c.outcome {
		case "abandoned":
			abandoned++
			b.abandoned++
			if c.ended.Sub(c.arrived) < 5*time.Second {
				quick++
			}
		case "overflow":
			overflow++
		}
		if c.hasAnswered {
			b.wait += c.wait()
			b.answered++
			if c.wait() > time.Hour {
				t.Errorf("call %s waited %v", c.id, c.wait())
			}
		}
	}
	t.Logf("calls %d: abandoned %.1f%% (%d within 5 s), overflow %.1f%%", n, 100*share(abandoned, n), quick, 100*share(overflow, n))
	if r := share(abandoned, n); r < 0.04 || r > 0.25 {
		t.Errorf("abandon rate %.3f", r)
	}
	if quick == 0 {
		t.Error("no call abandoned within 5 s")
	}
	// Abandonment rises with the wait: across hours, the hour with the
	// longest mean wait has a higher abandon rate than the shortest.
	type row struct {
		wait    time.Duration
		abandon float64
	}
	var rows []row
	for _, b := range byHour {
		if b.answered > 200 {
			rows = append(rows, row{b.wait / time.Duration(b.answered), share(b.abandoned, b.n)})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].wait < rows[j].wait })
	if len(rows) < 4 {
		t.Fatalf("only %d busy hours", len(rows))
	}
	first, last := rows[0], rows[len(rows)-1]
	t.Logf("shortest mean wait %v → %.1f%% abandoned; longest %v → %.1f%%", first.wait.Round(time.Second), 100*first.abandon, last.wait.Round(time.Second), 100*last.abandon)
	if last.abandon <= first.abandon {
		t.Errorf("abandon rate %.3f at the longest waits, %.3f at the shortest", last.abandon, first.abandon)
	}
}

func TestNoShows(t *testing.T) {
	_, ds := loadSample(t)
	var n, noShow int
	for _, c := range ds.contacts {
		if c.channel == "appointment" {
			n++
			if c.outcome == "no_show" {
				noShow++
			}
		}
	}
	r := share(noShow, n)
	t.Logf("appointments %d, no-show %.1f%%", n, 100*r)
	if r < 0.05 || r > 0.12 {
		t.Errorf("no-show share %.3f, want 0.05–0.12", r)
	}
}

func TestSatisfactionFollowsWait(t *testing.T) {
	_, ds := loadSample(t)
	contacts := map[string]readContact{}
	for _, c := range ds.contacts {
		contacts[c.id] = c
	}
	var short, long, kiosk struct {
		sum float64
		n   int
	}
	surveys := map[string]int{}
	comments := 0
	for _, p := range ds.responses {
		surveys[p.survey+"/"+p.mode+"/"+p.scale]++
		if p.comment != "" {
			comments++
		}
		c, ok := contacts[p.contactID]
		if !ok || c.channel != "reception" || !c.hasAnswered {
			continue
		}
		lo, hi := model.Scale(p.scale).Bounds()
		v := float64(p.scores["overall"]-lo) / float64(hi-lo) // 0–1, whatever the scale
		if p.survey == "borne_accueil" {
			kiosk.sum += v
			kiosk.n++
		}
		if c.wait() > 20*time.Minute {
			long.sum += v
			long.n++
		} else {
			short.sum += v
			short.n++
		}
	}
	t.Logf("responses by survey: %v; %d with a comment", surveys, comments)
	if short.n < 100 || long.n < 30 {
		t.Fatalf("%d responses after short waits, %d after long ones", short.n, long.n)
	}
	ms, ml := short.sum/float64(short.n), long.sum/float64(long.n)
	t.Logf("mean overall satisfaction (0–1): %.3f after waits ≤ 20 min (%d), %.3f after longer (%d)", ms, short.n, ml, long.n)
	if ml >= ms-0.05 {
		t.Errorf("satisfaction %.3f after long waits, %.3f after short ones", ml, ms)
	}
	if comments == 0 || len(surveys) < 5 {
		t.Errorf("%d comments, surveys %v", comments, surveys)
	}
}

// TestMixedScales: the post-contact questionnaire asks overall on 1–5 and
// recommend on 0–10 (scale_recommend), as the NPS surveys ask both on
// 0–10; top box and NPS come out plausible on each, and the 1–5 overall
// and 0–10 recommendation of the same responses agree in direction.
func TestMixedScales(t *testing.T) {
	_, ds := loadSample(t)
	type tally struct{ top, promoters, detractors, nOverall, nRecommend int }
	by := map[string]*tally{}
	var recAfterHigh, recAfterLow, nHigh, nLow int
	for _, p := range ds.responses {
		tl := by[p.survey]
		if tl == nil {
			tl = &tally{}
			by[p.survey] = tl
		}
		lo, hi := model.Scale(p.scale).Bounds()
		if o, ok := p.scores["overall"]; ok {
			tl.nOverall++
			if o >= hi-(hi-lo)/4 { // 4–5 on 1–5, 8–10 on 0–10 (3–4 on 1–4)
				tl.top++
			}
		}
		r, ok := p.scores["recommend"]
		if !ok {
			continue
		}
		recScale := p.scale
		if p.scaleRecommend != "" {
			recScale = p.scaleRecommend
		}
		if recScale != "0-10" {
			t.Fatalf("%s: recommend on %s, want 0-10", p.id, recScale)
		}
		tl.nRecommend++
		switch {
		case r >= 9:
			tl.promoters++
		case r <= 6:
			tl.detractors++
		}
		if p.survey == "post_contact" {
			if p.scaleRecommend != "0-10" || p.scale != "1-5" {
				t.Fatalf("%s: post_contact on %s with scale_recommend %q, want 1-5 and 0-10", p.id, p.scale, p.scaleRecommend)
			}
			if p.scores["overall"] >= 4 {
				recAfterHigh += r
				nHigh++
			} else {
				recAfterLow += r
				nLow++
			}
		}
	}
	for _, name := range []string{"post_contact", "nps_telephone", "nps_en_ligne"} {
		tl := by[name]
		if tl == nil || tl.nRecommend < 100 {
			t.Fatalf("%s: %+v, want at least 100 recommendations", name, tl)
		}
		top := 100 * share(tl.top, tl.nOverall)
		nps := 100 * (share(tl.promoters, tl.nRecommend) - share(tl.detractors, tl.nRecommend))
		t.Logf("%s: top box %.1f%% of %d, NPS %.1f points over %d", name, top, tl.nOverall, nps, tl.nRecommend)
		if top < 40 || top > 90 || nps < -50 || nps > 60 {
			t.Errorf("%s: top box %.1f%%, NPS %.1f points: implausible", name, top, nps)
		}
	}
	if nHigh < 30 || nLow < 30 {
		t.Fatalf("post_contact: %d satisfied, %d not", nHigh, nLow)
	}
	mh, ml := float64(recAfterHigh)/float64(nHigh), float64(recAfterLow)/float64(nLow)
	t.Logf("post_contact: mean recommendation %.2f when overall ≥ 4, %.2f below", mh, ml)
	if mh < ml+1 {
		t.Errorf("mean recommendation %.2f when satisfied, %.2f when not: the scales disagree", mh, ml)
	}
}

func TestUsersAcrossChannels(t *testing.T) {
	_, ds := loadSample(t)
	channels := map[string]map[string]bool{}
	anonymous := 0
	for _, c := range ds.contacts {
		if c.user == "" {
			anonymous++
			continue
		}
		if channels[c.user] == nil {
			channels[c.user] = map[string]bool{}
		}
		channels[c.user][c.channel] = true
	}
	multi := 0
	for _, chs := range channels {
		if len(chs) >= 2 {
			multi++
		}
	}
	r := share(multi, len(channels))
	t.Logf("%d users, %.1f%% on two channels or more; %.1f%% of contacts anonymous", len(channels), 100*r, 100*share(anonymous, len(ds.contacts)))
	if r < 0.05 {
		t.Errorf("%.3f of users on ≥ 2 channels", r)
	}
	if anonymous == 0 {
		t.Error("no anonymous contact")
	}

	// Users come back within 7 days on another channel more often after an
	// abandoned call than after a served one.
	type ev struct {
		at      time.Time
		channel string
	}
	byUser := map[string][]ev{}
	for _, c := range ds.contacts {
		if c.user != "" {
			at := c.arrived
			if c.source == "qms" {
				at = at.Add(-time.Hour) // local Paris wall clock to about UTC; a rough alignment suffices
			}
			byUser[c.user] = append(byUser[c.user], ev{at, c.channel})
		}
	}
	back := func(c readContact) bool {
		for _, e := range byUser[c.user] {
			if e.channel != c.channel && e.at.After(c.arrived) && e.at.Sub(c.arrived) <= 7*24*time.Hour {
				return true
			}
		}
		return false
	}
	var aband, abandBack, served, servedBack int
	for _, c := range ds.contacts {
		if c.channel != "phone" || c.user == "" {
			continue
		}
		switch c.outcome {
		case "abandoned":
			aband++
			if back(c) {
				abandBack++
			}
		case "served":
			served++
			if back(c) {
				servedBack++
			}
		}
	}
	ra, rs := share(abandBack, aband), share(servedBack, served)
	t.Logf("another channel within 7 days: %.1f%% after an abandoned call, %.1f%% after a served one", 100*ra, 100*rs)
	if ra <= rs {
		t.Errorf("come back after abandoned %.3f, after served %.3f", ra, rs)
	}
}

func TestCaseDelays(t *testing.T) {
	_, ds := loadSample(t)
	sites := siteMap(t)
	cal := calendar.New(calendar.Options{})
	latest := map[string]readCase{}
	for _, c := range ds.cases {
		if l, ok := latest[c.id]; !ok || c.updated.After(l.updated) {
			latest[c.id] = c
		}
	}
	type tally struct {
		n, ok, open, cancelled int
		sum                    float64
	}
	stats := map[string]*tally{}
	var xmas, spring tally // reimbursements received around Christmas and in March
	for _, c := range latest {
		s := stats[c.kind]
		if s == nil {
			s = &tally{}
			stats[c.kind] = s
		}
		switch c.status {
		case "open":
			s.open++
			continue
		case "cancelled":
			s.cancelled++
			continue
		}
		site := sites[c.site]
		loc, _ := calendar.Location(site.Timezone)
		r, d := calendar.LocalDate(c.received, loc), calendar.LocalDate(c.completed, loc)
		cd, wd := calendar.CalendarDaysBetween(r, d), cal.WorkingDaysBetween(site.Zone, r, d)
		s.n++
		var within bool
		switch c.kind {
		case "reimbursement":
			within = cd <= 7
			switch y, m, day := c.received.Date(); {
			case m == time.December && day >= 15 || y == 2026 && m == time.January && day <= 5:
				xmas.n++
				xmas.sum += float64(cd)
			case m == time.March:
				spring.n++
				spring.sum += float64(cd)
			}
		case "allowance_payment":
			within = cd <= 30
		case "registration":
			within = cd <= 5
		case "email_reply":
			within = wd <= 2
		case "mail_reply":
			within = wd <= 15
		default:
			within = wd <= 30
		}
		if within {
			s.ok++
		}
		s.sum += float64(cd)
	}
	want := map[string][2]float64{ // share within the commitment: min, max
		"reimbursement":     {0.7, 0.95},
		"allowance_payment": {0.75, 0.97},
		"registration":      {0.7, 0.97},
		"email_reply":       {0.75, 0.97},
		"mail_reply":        {0.7, 0.97},
	}
	for kind, s := range stats {
		r := share(s.ok, s.n)
		t.Logf("%-18s %6d completed, %5.1f%% within commitment, mean %4.1f calendar days; %d open at the end, %d cancelled",
			kind, s.n, 100*r, s.sum/float64(max(s.n, 1)), s.open, s.cancelled)
		if w, ok := want[kind]; ok && (r < w[0] || r > w[1]) {
			t.Errorf("%s: %.3f within commitment, want %.2f–%.2f", kind, r, w[0], w[1])
		}
		if s.cancelled == 0 && s.n > 500 {
			t.Errorf("%s: no cancelled case", kind)
		}
	}
	for _, k := range []string{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"} {
		if stats[k] == nil || stats[k].open == 0 {
			t.Errorf("kind %s: no case open at the end (%v)", k, stats[k])
		}
	}
	mx, ms := xmas.sum/float64(xmas.n), spring.sum/float64(spring.n)
	t.Logf("reimbursement mean delay: %.2f days received at Christmas, %.2f in March", mx, ms)
	if mx <= ms {
		t.Errorf("no Christmas backlog: %.2f vs %.2f days", mx, ms)
	}
}

func TestTimesAreUTCOrLocal(t *testing.T) {
	// A Cayenne walk-in at 9:00 local is written 09:00:00 without offset;
	// the same instant as a call would be 12:00:00Z.
	g, err := newGenerator(Options{Seed: 1, From: date(2026, 6, 1), To: date(2026, 6, 2)})
	if err != nil {
		t.Fatal(err)
	}
	var cay *site
	for _, s := range g.sites {
		if s.ID == "CAY-973" {
			cay = s
		}
	}
	d := g.day(cay, calendar.DateOf(2026, 6, 1))
	if d.off != -3*3600 {
		t.Fatalf("Cayenne offset %d", d.off)
	}
	at := d.wall + 9*3600 - d.off
	walkIn := contact{ch: chReception, site: cay, arrived: at, off: d.off, outcome: model.OutcomeNoShow, user: -1}
	call := walkIn
	call.ch = chPhone
	got := fmt.Sprintf("%s%s", appendContact(nil, &walkIn, 0), appendContact(nil, &call, 0))
	want := "T-000000000000,qms,CAY-973,reception,2026-06-01T09:00:00,,,no_show,,,,,,\n" +
		"A-000000000000,acd,CAY-973,phone,2026-06-01T12:00:00Z,,,no_show,,,,,,\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestCaseFollowUp: the issue 14 indicators come out plausible on demo
// data, each computed as the catalog defines it (indicators/followup.go)
// on each case's newest version: acknowledgement within 7 calendar days
// (online, e-mail) and 14 (mail), completed within the announced delay,
// the paused share, and sick pay's mean delay gross and net.
func TestCaseFollowUp(t *testing.T) {
	_, ds := loadSample(t)
	sites := siteMap(t)
	latest := map[string]readCase{}
	for _, c := range ds.cases {
		if l, ok := latest[c.id]; !ok || c.updated.After(l.updated) {
			latest[c.id] = c
		}
	}
	var elec, postal, announced, acked [2]int // within, all
	var paused, elapsed int64
	var sick struct {
		n          int
		gross, net float64
	}
	for _, c := range latest {
		if c.status != "completed" {
			continue
		}
		loc, _ := calendar.Location(sites[c.site].Timezone)
		day := func(t time.Time) calendar.Date { return calendar.LocalDate(t, loc) }
		cd := calendar.CalendarDaysBetween(day(c.received), day(c.completed))
		ackAt := c.completed
		if !c.ack.IsZero() {
			acked[0]++
			if c.ack.Before(ackAt) {
				ackAt = c.ack
			}
		}
		acked[1]++
		ad := calendar.CalendarDaysBetween(day(c.received), day(ackAt))
		count := func(tally *[2]int, ok bool) {
			if ok {
				tally[0]++
			}
			tally[1]++
		}
		switch c.channel {
		case "online", "email":
			count(&elec, ad <= 7)
		case "mail":
			count(&postal, ad <= 14)
		}
		if c.announced >= 0 {
			count(&announced, cd <= c.announced)
		}
		paused += c.paused
		elapsed += int64(c.completed.Sub(c.received) / time.Second)
		if c.kind == "sick_pay" {
			sick.n++
			sick.gross += float64(cd)
			sick.net += float64(max(cd-int(c.paused/86400), 0))
		}
	}
	ps := float64(paused) / float64(elapsed)
	t.Logf("acknowledged %.1f%% of completed cases; electronic within 7 days %.1f%% (%d), postal within 14 %.1f%% (%d), within announced %.1f%% (%d); paused share %.1f%%; sick pay %d, mean %.1f days gross, %.1f net",
		100*share(acked[0], acked[1]), 100*share(elec[0], elec[1]), elec[1], 100*share(postal[0], postal[1]), postal[1],
		100*share(announced[0], announced[1]), announced[1], 100*ps, sick.n, sick.gross/float64(sick.n), sick.net/float64(sick.n))
	for _, c := range []struct {
		what      string
		v, lo, hi float64
	}{
		{"acknowledged", share(acked[0], acked[1]), 0.5, 0.95},
		{"electronic within 7 days", share(elec[0], elec[1]), 0.8, 0.99},
		{"postal within 14 days", share(postal[0], postal[1]), 0.75, 0.99},
		{"within the announced delay", share(announced[0], announced[1]), 0.6, 0.97},
		{"paused share", ps, 0.02, 0.3},
	} {
		if c.v < c.lo || c.v > c.hi {
			t.Errorf("%s: %.3f, want %.2f–%.2f", c.what, c.v, c.lo, c.hi)
		}
	}
	if sick.n < 100 {
		t.Fatalf("%d sick pay cases completed", sick.n)
	}
	// Sick pay: a few weeks gross; net of the employer's certificate, days
	// shorter, never longer.
	g, n := sick.gross/float64(sick.n), sick.net/float64(sick.n)
	if g < 7 || g > 30 || n >= g || g-n < 1 {
		t.Errorf("sick pay mean delay %.1f days gross, %.1f net; want 7–30 gross, net at least a day shorter", g, n)
	}
}
