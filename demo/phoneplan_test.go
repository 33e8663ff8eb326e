package demo

import (
	"testing"

	"globaloffice/calendar"
	"globaloffice/model"
)

// TestPhonePlanPlausible: on the sample data set, the phone plan's pick-up
// rate (asked for an agent, during the site's hours, without the calls the
// voice menu resolved; transferred counts as answered) comes out as a
// platform's would, with the deflections, transfers, self-service choices
// and closed-line calls the generator writes, in plausible shares.
func TestPhonePlanPlausible(t *testing.T) {
	_, ds := loadSample(t)
	sites := siteMap(t)
	cal := calendar.New(calendar.Options{})
	var calls, deflected, notAsked, closed, transferred, answered, offered, picked, oldOffered, oldPicked int
	for _, c := range ds.contacts {
		if c.channel != "phone" {
			continue
		}
		calls++
		s := sites[c.site]
		lt := localTime(t, c, sites)
		hours, err := model.ParseHours(s.Hours)
		if err != nil {
			t.Fatal(err)
		}
		holiday, _ := cal.IsHoliday(s.Zone, calendar.DateFromTime(lt))
		open := !holiday && hours.Open(lt.Weekday(), lt.Hour()*3600+lt.Minute()*60+lt.Second())
		quick := c.outcome == "abandoned" && c.ended.Sub(c.arrived).Seconds() < 5
		ans := model.Outcome(c.outcome).Answered()
		switch {
		case c.outcome == "deflected":
			deflected++
		case c.outcome == "transferred":
			transferred++
		}
		if ans {
			answered++
		}
		if c.notAsked {
			notAsked++
		}
		if !open {
			closed++
		}
		// Version 1: every call but the quick hang-ups.
		if !quick {
			oldOffered++
			if ans {
				oldPicked++
			}
		}
		if open && !c.notAsked && c.outcome != "deflected" && !quick {
			offered++
			if ans {
				picked++
			}
		}
	}
	rate, old := share(picked, offered), share(oldPicked, oldOffered)
	t.Logf("calls %d: pick-up %.1f%% (version 1 %.1f%%), deflected %.1f%%, not asking for an agent %.1f%%, while closed %.1f%%, transferred %.1f%% of answered",
		calls, 100*rate, 100*old, 100*share(deflected, calls), 100*share(notAsked, calls), 100*share(closed, calls), 100*share(transferred, answered))
	f := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s %.3f, want %.2f–%.2f", what, got, lo, hi)
		}
	}
	f("pick-up rate", rate, 0.75, 0.97)
	f("deflected share", share(deflected, calls), 0.04, 0.08)
	f("share not asking for an agent", share(notAsked, calls), 0.06, 0.10)
	f("share while closed", share(closed, calls), 0.01, 0.05)
	f("transferred share of answered", share(transferred, answered), 0.06, 0.10)
	// The plan's rate leaves out what no agent could have answered, so it
	// is above version 1's, by a few points.
	f("rise over version 1", rate-old, 0.02, 0.15)
}
