package indicators_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
)

// Phone platforms of the phone-plan test: opening hours in Paris
// (metropole) and Strasbourg (Alsace-Moselle: Good Friday is a holiday
// there, not in Paris), Cayenne (UTC−3, other hours), and a site without
// hours (always open).
var phoneSites = []model.Site{
	{ID: "PF-PAR", Name: "Plateforme Paris", Kind: model.SitePhonePlatform, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris", Hours: "mon-fri 08:30-17:00; sat 09:00-12:00"},
	{ID: "PF-STR", Name: "Plateforme Strasbourg", Kind: model.SitePhonePlatform, Region: "44", Department: "67", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris", Hours: "mon-fri 08:30-17:00; sat 09:00-12:00"},
	{ID: "PF-CAY", Name: "Plateforme Cayenne", Kind: model.SitePhonePlatform, Region: "03", Department: "973", Zone: model.ZoneGuyane, Timezone: "America/Cayenne", Hours: "mon-fri 08:00-16:00"},
	{ID: "PF-ALL", Name: "Plateforme sans horaires", Kind: model.SitePhonePlatform, Region: "11", Department: "93", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
}

// call is a phone contact line: arrived at at (local time at the site, or
// with Z), answered after 10 s when served or transferred, otherwise ended
// after wait seconds.
func call(id, site, at, outcome, asked string, wait int) string {
	layout := "2006-01-02T15:04:05"
	zulu := strings.HasSuffix(at, "Z")
	t, err := time.Parse(layout, strings.TrimSuffix(at, "Z"))
	if err != nil {
		panic(err)
	}
	f := func(d time.Duration) string {
		s := t.Add(d).Format(layout)
		if zulu {
			s += "Z"
		}
		return s
	}
	answered, ended := "", f(time.Duration(wait)*time.Second)
	if outcome == "served" || outcome == "transferred" {
		answered, ended = f(10*time.Second), f(5*time.Minute)
	}
	return fmt.Sprintf("%s,%s,phone,%s,%s,%s,%s,%s\n", id, site, at, answered, ended, outcome, asked)
}

// TestPhonePlanPickup: the plan's pick-up rate, worked by hand. April
// 2026: Thursday 2, Good Friday 3 (a holiday in Alsace-Moselle only),
// Saturday 4, Sunday 5, Easter Monday 6 (a holiday everywhere); summer
// time in Paris (UTC+2).
func TestPhonePlanPickup(t *testing.T) {
	f := newFixture(t)
	if err := f.db.UpsertSites(context.Background(), phoneSites); err != nil {
		t.Fatal(err)
	}
	f.send(t, ingest.KindContacts, "id,site,channel,arrived_at,answered_at,ended_at,outcome,asked_agent\n"+
		// PF-PAR, open mon-fri 08:30-17:00, sat 09:00-12:00.
		call("A1", "PF-PAR", "2026-04-02T08:29:59", "served", "", 0)+ // before opening: out
		call("A2", "PF-PAR", "2026-04-02T08:30:00", "served", "", 0)+ // opening: in, answered
		call("A3", "PF-PAR", "2026-04-02T16:59:59", "abandoned", "", 60)+ // in, not answered
		call("A4", "PF-PAR", "2026-04-02T17:00:00", "served", "", 0)+ // closing: out
		call("A5", "PF-PAR", "2026-04-04T09:30:00", "transferred", "", 0)+ // Saturday morning: in, answered
		call("A6", "PF-PAR", "2026-04-05T10:00:00", "served", "", 0)+ // Sunday: out
		call("A7", "PF-PAR", "2026-04-06T10:00:00", "served", "", 0)+ // Easter Monday: out
		call("A8", "PF-PAR", "2026-04-03T10:00:00", "served", "true", 0)+ // Good Friday, not a holiday in Paris: in
		call("A9", "PF-PAR", "2026-04-03T10:00:00", "served", "false", 0)+ // did not ask for an agent: out
		call("A10", "PF-PAR", "2026-04-03T10:00:00", "deflected", "", 30)+ // the voice menu resolved it: out, deflected
		call("A11", "PF-PAR", "2026-04-03T18:00:00", "deflected", "", 30)+ // deflected while closed: in neither
		call("A12", "PF-PAR", "2026-04-03T11:00:00", "redirected", "", 40)+ // in, not answered
		call("A13", "PF-PAR", "2026-04-03T11:00:00", "abandoned", "", 3)+ // hung up within 5 s: out
		call("A14", "PF-PAR", "2026-04-04T12:00:00", "served", "", 0)+ // Saturday noon, closing: out
		// PF-STR: Good Friday is a holiday in Alsace-Moselle.
		call("S1", "PF-STR", "2026-04-03T10:00:00", "served", "", 0)+ // holiday: out
		call("S2", "PF-STR", "2026-04-02T10:00:00", "abandoned", "", 30)+ // in, not answered
		call("S3", "PF-STR", "2026-04-02T10:00:00", "served", "", 0)+ // in, answered
		call("S4", "PF-STR", "2026-04-03T10:00:00", "deflected", "", 20)+ // holiday: in neither
		call("S5", "PF-STR", "2026-04-02T11:00:00", "deflected", "", 20)+ // deflected
		// PF-CAY, open mon-fri 08:00-16:00 in Cayenne (UTC−3).
		call("C1", "PF-CAY", "2026-04-02T10:59:59Z", "served", "", 0)+ // 07:59:59 local: out (12:59:59 in Paris)
		call("C2", "PF-CAY", "2026-04-02T11:00:00Z", "served", "", 0)+ // 08:00:00 local: in, answered
		call("C3", "PF-CAY", "2026-04-02T18:30:00Z", "abandoned", "", 20)+ // 15:30 local: in
		call("C4", "PF-CAY", "2026-04-02T19:00:00Z", "served", "", 0)+ // 16:00 local, closing: out
		call("C5", "PF-CAY", "2026-04-03T02:00:00Z", "served", "", 0)+ // Thursday 23:00 local: out
		call("C6", "PF-CAY", "2026-04-03T12:00:00", "served", "", 0)+ // Good Friday, no holiday in Guyane: in, answered
		// PF-ALL has no hours: always open, holidays included.
		call("N1", "PF-ALL", "2026-04-05T03:00:00", "served", "", 0)+
		call("N2", "PF-ALL", "2026-04-06T10:00:00", "abandoned", "", 10)+
		call("N3", "PF-ALL", "2026-04-06T10:00:00", "deflected", "", 10))

	got := f.compute(t, "2026-04", "phone.pickup_rate", "phone.ivr_deflected")
	nan := math.NaN()
	check(t, got, []want{
		// Offered A2, A3, A5, A8, A12; answered A2, A5 (transferred), A8.
		{"phone.pickup_rate site:PF-PAR", 60, 5, 3, 5, ""},
		// Offered S2, S3; answered S3.
		{"phone.pickup_rate site:PF-STR", 50, 2, 1, 2, ""},
		// Offered C2, C3, C6; answered C2, C6.
		{"phone.pickup_rate site:PF-CAY", 100 * 2.0 / 3, 3, 2, 3, ""},
		{"phone.pickup_rate site:PF-ALL", 50, 2, 1, 2, ""},
		// Region 11: PF-PAR and PF-ALL pooled, 4/7.
		{"phone.pickup_rate region:11", 100 * 4.0 / 7, 7, 4, 7, ""},
		{"phone.pickup_rate national:", 100 * 7.0 / 12, 12, 7, 12, ""},
		// Beside it, the deflected calls while open: A10, S5, N3.
		{"phone.ivr_deflected site:PF-PAR", 1, 1, 0, 0, ""},
		{"phone.ivr_deflected site:PF-STR", 1, 1, 0, 0, ""},
		{"phone.ivr_deflected site:PF-CAY", nan, 0, 0, 0, ""},
		{"phone.ivr_deflected site:PF-ALL", 1, 1, 0, 0, ""},
		{"phone.ivr_deflected national:", 3, 3, 0, 0, ""},
	})
}
