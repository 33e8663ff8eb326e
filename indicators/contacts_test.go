package indicators_test

import (
	"context"
	"math"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

func TestFrontOfficeIndicators(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, contactsHeader+
		// Reception at PAR-11, May 2026 (local times): waits 5 min, 19:59,
		// exactly 20:00 (within: "within N" is ≤ N) and 20:01. An abandoned
		// visit is not in the population (served only).
		"R1,PAR-11,reception,2026-05-12T09:00:00,2026-05-12T09:05:00,2026-05-12T09:15:00,served,\n"+
		"R2,PAR-11,reception,2026-05-12T09:00:00,2026-05-12T09:19:59,2026-05-12T09:30:00,served,\n"+
		"R3,PAR-11,reception,2026-05-12T09:00:00,2026-05-12T09:20:00,2026-05-12T09:30:00,served,\n"+
		"R4,PAR-11,reception,2026-05-12T09:00:00,2026-05-12T09:20:01,2026-05-12T09:30:00,served,\n"+
		"R5,PAR-11,reception,2026-05-12T09:00:00,,2026-05-12T09:30:00,abandoned,\n"+
		// PAR-18: one visit, 10 min.
		"R6,PAR-18,reception,2026-05-12T09:00:00,2026-05-12T09:10:00,2026-05-12T09:20:00,served,\n"+
		// Arrives at 00:30 on 1 June in Paris (22:30Z on 31 May): June, not May.
		"R7,PAR-11,reception,2026-05-31T22:30:00Z,2026-05-31T22:31:00Z,2026-05-31T22:40:00Z,served,\n"+
		// 31 May at 19:30 in Cayenne (22:30Z): May. Wait 1 min.
		"R8,CAY-973,reception,2026-05-31T22:30:00Z,2026-05-31T22:31:00Z,2026-05-31T22:40:00Z,served,\n"+
		// Across the change to summer time in Paris: 01:50 (UTC+1) to 03:05
		// (UTC+2) is 15 minutes of real time, not 75: within 20. (March.)
		"R9,PAR-11,reception,2026-03-29T01:50:00,2026-03-29T03:05:00,2026-03-29T03:10:00,served,\n"+
		// Phone at PAR-11: served after 10, 20, 60 s; abandoned after 4 s
		// (not offered: under 5 s), exactly 5 s (offered) and 60 s (offered).
		"P1,PAR-11,phone,2026-05-12T10:00:00Z,2026-05-12T10:00:10Z,2026-05-12T10:05:00Z,served,\n"+
		"P2,PAR-11,phone,2026-05-12T10:00:00Z,2026-05-12T10:00:20Z,2026-05-12T10:05:00Z,served,\n"+
		"P3,PAR-11,phone,2026-05-12T10:00:00Z,2026-05-12T10:01:00Z,2026-05-12T10:05:00Z,served,\n"+
		"P4,PAR-11,phone,2026-05-12T10:00:00Z,,2026-05-12T10:00:04Z,abandoned,\n"+
		"P5,PAR-11,phone,2026-05-12T10:00:00Z,,2026-05-12T10:00:05Z,abandoned,\n"+
		"P6,PAR-11,phone,2026-05-12T10:00:00Z,,2026-05-12T10:01:00Z,abandoned,\n"+
		// Appointments at PAR-18: 1 no-show in 4.
		"A1,PAR-18,appointment,2026-05-12T10:00:00Z,2026-05-12T10:00:00Z,2026-05-12T10:30:00Z,served,\n"+
		"A2,PAR-18,appointment,2026-05-12T11:00:00Z,2026-05-12T11:00:00Z,2026-05-12T11:30:00Z,served,\n"+
		"A3,PAR-18,appointment,2026-05-12T12:00:00Z,2026-05-12T12:05:00Z,2026-05-12T12:30:00Z,served,\n"+
		"A4,PAR-18,appointment,2026-05-12T13:00:00Z,,,no_show,\n")

	got := f.compute(t, "2026-05", "reception.wait_20min", "reception.wait_p90", "phone.pickup_rate", "phone.asa", "appointment.no_show_rate")
	nan := math.NaN()
	check(t, got, []want{
		// PAR-11: R1, R2, R3 within, R4 not: 3/4. Sample 4 < min 10.
		{"reception.wait_20min site:PAR-11", 75, 4, 3, 4, indicators.StatusInsufficientData},
		{"reception.wait_20min site:PAR-18", 100, 1, 1, 1, ""},
		// Pooled, not averaged: department 75 and region 11 are 4/5 = 80%
		// (the mean of 75% and 100% would be 87.5%).
		{"reception.wait_20min department:75", 80, 5, 4, 5, ""},
		{"reception.wait_20min region:11", 80, 5, 4, 5, ""},
		{"reception.wait_20min site:CAY-973", 100, 1, 1, 1, ""},
		// National: 5 + R8 = 6, 5 within.
		{"reception.wait_20min national:", 100 * 5.0 / 6, 6, 5, 6, ""},
		{"reception.wait_20min site:STR-67", nan, 0, 0, 0, indicators.StatusInsufficientData},
		// p90 at PAR-11, nearest rank: waits 5, 19.983, 20, 20.017 min;
		// ⌈0.9·4⌉ = 4th = 1201 s = 20.0167 min. Nationally (6 values: 1, 5,
		// 10, 19.983, 20, 20.017): ⌈5.4⌉ = 6th = 20.0167.
		{"reception.wait_p90 site:PAR-11", 1201.0 / 60, 4, 0, 0, ""},
		{"reception.wait_p90 national:", 1201.0 / 60, 6, 0, 0, ""},
		// Offered: 3 served + abandoned after 5 s and 60 s = 5; 3 served → 60%.
		{"phone.pickup_rate site:PAR-11", 60, 5, 3, 5, ""},
		// Mean wait of answered calls: (10 + 20 + 60)/3 = 30 s.
		{"phone.asa site:PAR-11", 30, 3, 90, 3, ""},
		{"appointment.no_show_rate site:PAR-18", 25, 4, 1, 4, ""},
	})
	june := f.compute(t, "2026-06", "reception.wait_20min")
	check(t, june, []want{{"reception.wait_20min site:PAR-11", 100, 1, 1, 1, ""}})
	march := f.compute(t, "2026-03", "reception.wait_20min")
	check(t, march, []want{{"reception.wait_20min site:PAR-11", 100, 1, 1, 1, ""}})

	// Sending everything again changes nothing.
	res := f.send(t, ingest.KindContacts, contactsHeader+"R1,PAR-11,reception,2026-05-12T09:00:00,2026-05-12T09:05:00,2026-05-12T09:15:00,served,\n")
	if res.Duplicates != 1 {
		t.Errorf("re-sent contact: %+v", res)
	}
	again := f.compute(t, "2026-05", "reception.wait_20min")
	check(t, again, []want{{"reception.wait_20min site:PAR-11", 75, 4, 3, 4, ""}})
}

func TestQuantileSmallP(t *testing.T) {
	f := newFixture(t)
	cat, err := indicators.ParseCatalog("q.yaml", []byte(`indicators:
  - id: phone.wait_min
    title: {fr: a, en: a}
    source: contacts
    filter: {channel: [phone], outcome: [served]}
    measure: quantile
    value: wait_seconds
    quantile: 0.0000001
    unit: seconds
    direction: lower
`))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = cat
	f.send(t, ingest.KindContacts, contactsHeader+
		"Q1,PAR-11,phone,2026-05-12T10:00:00Z,2026-05-12T10:00:10Z,2026-05-12T10:05:00Z,served,\n"+
		"Q2,PAR-11,phone,2026-05-12T10:00:00Z,2026-05-12T10:00:20Z,2026-05-12T10:05:00Z,served,\n")
	check(t, f.compute(t, "2026-05", "phone.wait_min"), []want{{"phone.wait_min site:PAR-11", 10, 2, 0, 0, ""}})
}

// TestExcludeByWorkingDays: exclude.value may be any value of the source,
// working_days included (it needs the site's zone, known only after the
// join with the sites).

func TestRollupEmptyRegionOrDepartment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.db.UpsertSites(ctx, []model.Site{
		{ID: "REG-11", Name: "Plateforme régionale", Kind: model.SitePhonePlatform, Region: "11", Department: "", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
		{ID: "NAT-1", Name: "Plateforme nationale", Kind: model.SitePhonePlatform, Region: "", Department: "", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	}); err != nil {
		t.Fatal(err)
	}
	// PAR-11 (11/75): 3 within; REG-11 (11/–): 2 beyond; NAT-1 (–/–): 1 within, 1 beyond.
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 3, 0)+reception("REG-11", 0, 2)+reception("NAT-1", 1, 1))
	got := f.compute(t, "2026-05", "reception.wait_20min")
	check(t, got, []want{
		{"reception.wait_20min department:75", 100, 3, 3, 3, ""},   // PAR-11 only
		{"reception.wait_20min region:11", 60, 5, 3, 5, ""},        // PAR-11 + REG-11: 3/5
		{"reception.wait_20min national:", 400.0 / 7, 7, 4, 7, ""}, // all: 4/7
		{"reception.wait_20min site:NAT-1", 50, 2, 1, 2, ""},
	})
	for k := range got {
		if k == "reception.wait_20min department:" || k == "reception.wait_20min region:" {
			t.Errorf("%s: a scope with an empty code", k)
		}
	}
}

// TestReadTargetsEmptyCode: "department:" or "region:" names no scope, even
// when some site has no department or region (its code is then "").
