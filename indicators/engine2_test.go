package indicators_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

const surveysHeader = "id,site,channel,survey,mode,answered_at,scale,score_overall,score_recommend\n"

func TestSatisfactionIndicators(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindSurveys, surveysHeader+
		// Satisfied: ≥ 4 on 1–5, ≥ 3 on 1–4, ≥ 8 on 0–10. Three of six.
		"S1,PAR-11,reception,post,sms,2026-05-12T10:00:00Z,1-5,4,\n"+ // ✓
		"S2,PAR-11,reception,post,sms,2026-05-12T10:00:00Z,1-5,3,\n"+ // ✗
		"S3,PAR-11,phone,kiosk,kiosk,2026-05-12T10:00:00Z,1-4,3,\n"+ // ✓
		"S4,PAR-11,phone,kiosk,kiosk,2026-05-12T10:00:00Z,1-4,2,\n"+ // ✗
		// NPS survey on 0–10: overall 8 ✓ and 7 ✗; recommend 10, 9, 8, 7, 6, 0:
		// promoters 10, 9 (2), detractors 6, 0 (2) → 0 points.
		"S5,PAR-11,reception,nps,email,2026-05-12T10:00:00Z,0-10,8,10\n"+
		"S6,PAR-11,reception,nps,email,2026-05-12T10:00:00Z,0-10,7,9\n"+
		"S7,PAR-11,reception,nps,email,2026-05-12T10:00:00Z,0-10,,8\n"+
		"S8,PAR-11,reception,nps,email,2026-05-12T10:00:00Z,0-10,,7\n"+
		"S9,PAR-11,reception,nps,email,2026-05-12T10:00:00Z,0-10,,6\n"+
		"S10,PAR-11,reception,nps,email,2026-05-12T10:00:00Z,0-10,,0\n"+
		// PAR-18 NPS: 10, 10, 9, 5 → (3 − 1)/4 = 50 points.
		"T1,PAR-18,phone,nps,email,2026-05-12T10:00:00Z,0-10,,10\n"+
		"T2,PAR-18,phone,nps,email,2026-05-12T10:00:00Z,0-10,,10\n"+
		"T3,PAR-18,phone,nps,email,2026-05-12T10:00:00Z,0-10,,9\n"+
		"T4,PAR-18,phone,nps,email,2026-05-12T10:00:00Z,0-10,,5\n")
	got := f.compute(t, "2026-05", "satisfaction.overall", "satisfaction.overall.reception", "satisfaction.overall.phone", "satisfaction.nps")
	check(t, got, []want{
		{"satisfaction.overall site:PAR-11", 50, 6, 3, 6, indicators.StatusInsufficientData},
		// By channel: reception S1 ✓ S2 ✗ S5 ✓ S6 ✗ = 2/4; phone S3 ✓ S4 ✗ = 1/2.
		{"satisfaction.overall.reception site:PAR-11", 50, 4, 2, 4, ""},
		{"satisfaction.overall.phone site:PAR-11", 50, 2, 1, 2, ""},
		{"satisfaction.nps site:PAR-11", 0, 6, 0, 6, ""},
		{"satisfaction.nps site:PAR-18", 50, 4, 2, 4, ""},
		// Pooled: promoters 2 + 3 = 5, detractors 2 + 1 = 3, n = 10: 20 points.
		{"satisfaction.nps region:11", 20, 10, 2, 10, ""},
	})
}

func TestRepeatContacts(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, contactsHeader+
		// U1: served, then a call exactly 7 × 24 h later: a repeat (≤ 7 days).
		"U1a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U1\n"+
		"U1b,PAR-11,phone,2026-05-11T08:00:00Z,,2026-05-11T08:01:00Z,abandoned,U1\n"+
		// U2: served, next contact 7 days and 1 second later: not a repeat.
		"U2a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U2\n"+
		"U2b,PAR-18,phone,2026-05-11T08:00:01Z,,2026-05-11T08:01:00Z,abandoned,U2\n"+
		// U3: served, another contact in the same second: not strictly later.
		"U3a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U3\n"+
		"U3b,PAR-11,phone,2026-05-04T08:00:00Z,,2026-05-04T08:01:00Z,abandoned,U3\n"+
		// Without user_ref: left out.
		"U4a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,\n"+
		// U5: served on 30 May, again on 2 June (after the period): a repeat
		// counted in May; the June contact is abandoned, so not in June's
		// population.
		"U5a,PAR-18,reception,2026-05-30T08:00:00Z,2026-05-30T08:05:00Z,2026-05-30T08:10:00Z,served,U5\n"+
		"U5b,PAR-18,email,2026-06-02T08:00:00Z,,2026-06-02T09:00:00Z,abandoned,U5\n")
	got := f.compute(t, "2026-05", "global.repeat_contact_7d")
	check(t, got, []want{
		// PAR-11: U1a ✓, U2a ✗, U3a ✗ → 1/3; PAR-18: U5a ✓ → 1/1; national 2/4.
		{"global.repeat_contact_7d site:PAR-11", 100.0 / 3, 3, 1, 3, ""},
		{"global.repeat_contact_7d site:PAR-18", 100, 1, 1, 1, ""},
		{"global.repeat_contact_7d national:", 50, 4, 2, 4, ""},
	})
}

func TestTargetsStatusAndClosing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+
		// PAR-11: 10 reception visits, 9 within 20 min → 90%, sample 10 (= min).
		strings.Repeat("", 0)+reception("PAR-11", 9, 1)+
		// PAR-18: 10 visits, 7 within → 70%.
		reception("PAR-18", 7, 3))
	cat, _ := indicators.DefaultCatalog()
	sites, _ := f.db.Sites(ctx)
	read := func(csv string, by string, at time.Time) {
		t.Helper()
		ts, err := indicators.ReadTargets(strings.NewReader(csv), cat, sites, by, at)
		if err != nil {
			t.Fatal(err)
		}
		if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	read("indicator,scope,year,target\nreception.wait_20min,national,2026,80\nreception.wait_20min,region:11,2026,85\nreception.wait_20min,site:PAR-18,2026,60\n", "dg", t0)
	got := f.compute(t, "2026-05", "reception.wait_20min")
	tv := func(k string) float64 {
		if r := got[k]; r.Target != nil {
			return *r.Target
		}
		return math.NaN()
	}
	// PAR-11 inherits the region's 85 (no site or department target), and
	// meets it; PAR-18 has its own 60; department 75 inherits 85 and its
	// pooled 16/20 = 80% misses it; Strasbourg's region has none: national 80.
	for _, c := range []struct {
		key    string
		target float64
		status string
	}{
		{"reception.wait_20min site:PAR-11", 85, indicators.StatusMet},
		{"reception.wait_20min site:PAR-18", 60, indicators.StatusMet},
		{"reception.wait_20min department:75", 85, indicators.StatusMissed},
		{"reception.wait_20min region:11", 85, indicators.StatusMissed},
		{"reception.wait_20min national:", 80, indicators.StatusMet},
		{"reception.wait_20min site:STR-67", 80, indicators.StatusInsufficientData},
	} {
		if tv(c.key) != c.target || got[c.key].Status != c.status {
			t.Errorf("%s: target %v status %s, want %v %s", c.key, tv(c.key), got[c.key].Status, c.target, c.status)
		}
	}
	// Changing a target keeps the old value in the history.
	read("indicator,scope,year,target\nreception.wait_20min,region:11,2026,75\n", "dr-idf", t0.Add(24*time.Hour))
	got = f.compute(t, "2026-05", "reception.wait_20min")
	if tv("reception.wait_20min site:PAR-11") != 75 || got["reception.wait_20min department:75"].Status != indicators.StatusMet {
		t.Errorf("after the change: target %v, department %s", tv("reception.wait_20min site:PAR-11"), got["reception.wait_20min department:75"].Status)
	}
	hist, err := indicators.TargetHistory(ctx, f.db, "reception.wait_20min")
	if err != nil {
		t.Fatal(err)
	}
	var region []float64
	for _, h := range hist {
		if h.ScopeID == "11" {
			region = append(region, h.Value)
		}
	}
	if len(region) != 2 || region[0] != 75 || region[1] != 85 {
		t.Errorf("region 11 history %v, want [75 85] newest first", region)
	}

	// Closing freezes the figures; late data changes nothing until the
	// period is closed again, which makes revision 2 and keeps revision 1.
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	rev, n, err := f.eng.Close(ctx, p, "dg")
	if err != nil || rev != 1 || n == 0 {
		t.Fatalf("close: %d %d %v", rev, n, err)
	}
	f.send(t, ingest.KindContacts, contactsHeader+"LATE,PAR-11,reception,2026-05-20T09:00:00,2026-05-20T10:00:00,2026-05-20T10:10:00,served,\n")
	sel := indicators.Selection{Indicators: []string{"reception.wait_20min"}, Scope: "site", SiteID: "PAR-11"}
	closed, err := f.eng.Closed(ctx, p, sel)
	if err != nil || len(closed) != 1 || *closed[0].Value != 90 || closed[0].Revision != 1 {
		t.Fatalf("closed revision 1 after late data: %+v %v", closed, err)
	}
	live, _ := f.eng.Compute(ctx, p, sel)
	if len(live) != 1 || math.Abs(*live[0].Value-100*9.0/11) > 1e-9 {
		t.Fatalf("live after late data: %+v", live)
	}
	if rev, _, err := f.eng.Close(ctx, p, "dg"); err != nil || rev != 2 {
		t.Fatalf("second close: %d %v", rev, err)
	}
	closed, _ = f.eng.Closed(ctx, p, sel)
	if closed[0].Revision != 2 || math.Abs(*closed[0].Value-100*9.0/11) > 1e-9 {
		t.Errorf("latest revision: %+v", closed[0])
	}
	ytd, _ := indicators.ParsePeriod("2026-ytd", f.eng.Now())
	if _, _, err := f.eng.Close(ctx, ytd, "dg"); err == nil {
		t.Error("a ytd period was closed")
	}
	first, _ := f.eng.ClosedRevision(ctx, p, 1, sel)
	if len(first) != 1 || *first[0].Value != 90 {
		t.Errorf("revision 1 not kept: %+v", first)
	}
}

// reception writes within visits waiting 10 min and beyond visits waiting
// 30 min at site on 12 May 2026.
func reception(site string, within, beyond int) string {
	var b strings.Builder
	for i := 0; i < within+beyond; i++ {
		ans := "09:10:00"
		if i >= within {
			ans = "09:30:00"
		}
		b.WriteString(site + "-" + string(rune('a'+i)) + "," + site + ",reception,2026-05-12T09:00:00,2026-05-12T" + ans + ",2026-05-12T09:40:00,served,\n")
	}
	return b.String()
}

func TestReadTargetsRejects(t *testing.T) {
	cat, _ := indicators.DefaultCatalog()
	csv := "indicator,scope,year,target\n" +
		"reception.wait_20min,national,2026,80\n" +
		"nope,national,2026,80\n" +
		"reception.wait_20min,region:99,2026,80\n" +
		"reception.wait_20min,town:x,2026,80\n" +
		"reception.wait_20min,national,20x6,80\n" +
		"reception.wait_20min,national,2026,high\n" +
		"reception.wait_20min,national,2026,85\n"
	_, err := indicators.ReadTargets(strings.NewReader(csv), cat, fixtureSites, "x", time.Now())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`line 3: indicator: unknown indicator "nope"`, `line 4: scope: unknown region "99"`, `line 5: scope: "town:x" is not`, `line 6: year`, `line 7: target`, "line 8: row: the same indicator, scope and year as line 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestRequiredRestOfYear(t *testing.T) {
	f := newFixture(t) // today is 27 November 2026
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 8, 2))
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,90\n"), cat, fixtureSites, "dg", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
		t.Fatal(err)
	}
	got := f.compute(t, "2026-ytd", "reception.wait_20min")
	r := got["reception.wait_20min national:"]
	// Year to date: 8 of 10 within (80%) over 1 January–27 November, 331
	// days; 34 days left. The rest of the year's population at this pace:
	// R = 10 × 34/331. Needed: (90 × (10 + R) − 100 × 8) / R.
	R := 10.0 * 34 / 331
	want := (90*(10+R) - 800) / R
	if r.Required == nil || math.Abs(*r.Required-want) > 1e-9 {
		t.Errorf("required %v, want %v", deref(r.Required), want)
	}
	if r.Status != indicators.StatusInsufficientData && r.Status != indicators.StatusMissed {
		t.Errorf("status %s", r.Status)
	}
	// A month has no "rest of the year" figure.
	if m := f.compute(t, "2026-05", "reception.wait_20min")["reception.wait_20min national:"]; m.Required != nil {
		t.Errorf("required for a month: %v", *m.Required)
	}
}

// TestRollupEmptyRegionOrDepartment: a site may have no department (a
// regional platform) or no region. GROUP BY … WITH ROLLUP fills rolled-up
// columns with the empty string, so without a marker the department-level
// row of (region 11, no department) looked like region 11's row, and the
// region-level row of "no region" like the national one; and empty codes
// made phantom department and region scopes. Such a site's events belong
// to its region (if any) and the nation only.
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
func TestReadTargetsEmptyCode(t *testing.T) {
	cat, _ := indicators.DefaultCatalog()
	sites := append([]model.Site{{ID: "NAT-1", Region: "", Department: ""}}, fixtureSites...)
	for _, scope := range []string{"department:", "region:", "site:"} {
		_, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,"+scope+",2026,80\n"), cat, sites, "x", time.Now())
		if err == nil || !strings.Contains(err.Error(), "line 2: scope") {
			t.Errorf("%s: error %v, want line 2: scope", scope, err)
		}
	}
}

// TestQuantileSmallP: nearest rank is ⌈p·n⌉, at least 1 for any p > 0. With
// p = 0.0000001 (valid: 0 < p < 1) and waits 10 s and 20 s, ⌈2·10⁻⁷⌉ = 1:
// the 1st value, 10 s — not 0, which is not even one of the values (p
// rounded to 0 millionths made the rank 0, and arrayElement(…, 0) is 0).
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
func TestExcludeByWorkingDays(t *testing.T) {
	f := newFixture(t)
	cat, err := indicators.ParseCatalog("x.yaml", []byte(`indicators:
  - id: reimbursement.within_7d_not_same_day
    title: {fr: a, en: a}
    source: cases
    filter: {kind: [reimbursement]}
    measure: share
    value: calendar_days
    threshold: 7
    exclude: {value: working_days, below: 1}
    unit: percent
    direction: higher
`))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = cat
	f.send(t, ingest.KindCases, casesHeader+
		// Fri 1 May (holiday) → Fri 8 May (holiday): Mon 4–Thu 7 = 4 working
		// days, kept; 7 calendar days: within.
		cs("M1", "PAR-11", "reimbursement", "2026-05-01", "2026-05-08")+
		// 1 May → Sat 9 May: 4 working days, kept; 8 calendar days: beyond.
		cs("M2", "PAR-11", "reimbursement", "2026-05-01", "2026-05-09")+
		// Same day: 0 working days < 1, excluded.
		cs("M3", "PAR-11", "reimbursement", "2026-05-11", "2026-05-11")+
		// Fri 15 → Sat 16 May: 0 working days, excluded.
		cs("M4", "PAR-11", "reimbursement", "2026-05-15", "2026-05-16"))
	// Population M1, M2: 1 of 2 within → 50%.
	check(t, f.compute(t, "2026-05", "reimbursement.within_7d_not_same_day"), []want{{"reimbursement.within_7d_not_same_day site:PAR-11", 50, 2, 1, 2, ""}})
}

// TestRepeatContactsExclude: an exclusion narrows the repeat-contact
// population like any other measure's (followers stay any contact).
func TestRepeatContactsExclude(t *testing.T) {
	f := newFixture(t)
	cat, err := indicators.ParseCatalog("r.yaml", []byte(`indicators:
  - id: repeat.no_email
    title: {fr: a, en: a}
    source: contacts
    filter: {outcome: [served]}
    exclude: {filter: {channel: [email]}}
    measure: repeat_contact
    window_hours: 168
    unit: percent
    direction: lower
`))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = cat
	f.send(t, ingest.KindContacts, contactsHeader+
		// U1: served at reception, an e-mail 2 days later: a repeat.
		"U1a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U1\n"+
		"U1b,PAR-11,email,2026-05-06T08:00:00Z,2026-05-06T09:00:00Z,2026-05-06T09:10:00Z,served,U1\n"+
		// U3: served at reception, nothing after: not a repeat.
		"U3a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U3\n"+
		// U2: a served e-mail (excluded from the population) followed by a call.
		"U2a,PAR-11,email,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U2\n"+
		"U2b,PAR-11,phone,2026-05-05T08:00:00Z,,2026-05-05T08:01:00Z,abandoned,U2\n")
	// Population U1a, U3a (U1b and U2a are e-mails): 1 repeat of 2 = 50%.
	check(t, f.compute(t, "2026-05", "repeat.no_email"), []want{{"repeat.no_email site:PAR-11", 50, 2, 1, 2, ""}})
}

// TestClosedUnknownIndicator: reading a closed period refuses an unknown
// indicator id as computing does, rather than silently leaving it out (a
// misspelt --indicator would otherwise look like a result-less indicator).
func TestClosedUnknownIndicator(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindContacts, contactsHeader+reception("PAR-11", 9, 1))
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	if _, _, err := f.eng.Close(ctx, p, "dg"); err != nil {
		t.Fatal(err)
	}
	sel := indicators.Selection{Indicators: []string{"reception.wait_20min", "reception.wait_20mn"}}
	if _, err := f.eng.Compute(ctx, p, sel); err == nil {
		t.Errorf("compute: no error for an unknown indicator")
	}
	if rs, err := f.eng.Closed(ctx, p, sel); err == nil || !strings.Contains(err.Error(), "reception.wait_20mn") {
		t.Errorf("closed: %d results, error %v; want unknown indicator", len(rs), err)
	}
}

func TestTargetsSameSecondAndUnknownSite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cat, _ := indicators.DefaultCatalog()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, v := range []string{"80", "85"} { // two imports in the same second: the second wins
		ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,"+v+"\n"), cat, fixtureSites, "dg", at)
		if err != nil {
			t.Fatal(err)
		}
		if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
			t.Fatal(err)
		}
	}
	got := f.compute(t, "2026-05", "reception.wait_20min")
	if r := got["reception.wait_20min national:"]; r.Target == nil || *r.Target != 85 {
		t.Errorf("target %v, want 85 (the later import)", deref(r.Target))
	}
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	if _, err := f.eng.Compute(ctx, p, indicators.Selection{SiteID: "NOPE"}); err == nil || !strings.Contains(err.Error(), `unknown site "NOPE"`) {
		t.Errorf("unknown site: %v", err)
	}
}

func TestTargetsFileWithBOMAndQuotedHeader(t *testing.T) {
	cat, _ := indicators.DefaultCatalog()
	ts, err := indicators.ReadTargets(strings.NewReader("\ufeff\"indicator\",\"scope\",\"year\",\"target\"\r\nreception.wait_20min,national,2026,\"85,5\"\r\n"), cat, fixtureSites, "x", time.Now())
	if err != nil || len(ts) != 1 || ts[0].Value != 85.5 {
		t.Fatalf("%+v %v", ts, err)
	}
}
