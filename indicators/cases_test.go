package indicators_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
)

func TestBackOfficeIndicators(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindCases, casesHeader+
		// E-mail replies at PAR-11 (metropole), completed in May 2026:
		cs("E1", "PAR-11", "email_reply", "2026-05-15", "2026-05-19")+ // Fri → Tue: Mon 18, Tue 19 = 2 ✓
		cs("E2", "PAR-11", "email_reply", "2026-05-07", "2026-05-11")+ // Thu → Mon: Fri 8 May is a holiday → 1 ✓
		cs("E3", "PAR-11", "email_reply", "2026-05-13", "2026-05-18")+ // Wed → Mon: Thu 14 Ascension → Fri 15, Mon 18 = 2 ✓
		cs("E4", "PAR-11", "email_reply", "2026-05-18", "2026-05-21")+ // Mon → Thu: 3 ✗
		cs("E5", "PAR-11", "email_reply", "2026-05-20", "2026-05-20")+ // same day: 0 ✓
		cs("E6", "PAR-11", "email_reply", "2026-05-22", "2026-05-26")+ // Fri → Tue: Whit Monday 25 May is a holiday → 1 ✓
		// Around Christmas 2025: Wed 24 → Mon 29 December: Thu 25 is a
		// holiday everywhere, Fri 26 only in Alsace-Moselle.
		cs("X1", "PAR-11", "email_reply", "2025-12-24", "2025-12-29")+ // metropole: Fri 26, Mon 29 = 2 ✓
		cs("X2", "STR-67", "email_reply", "2025-12-24", "2025-12-29")+ // Alsace: Mon 29 = 1 ✓
		cs("X3", "PAR-11", "email_reply", "2025-12-23", "2025-12-29")+ // metropole: Wed 24, Fri 26, Mon 29 = 3 ✗
		cs("X4", "STR-67", "email_reply", "2025-12-23", "2025-12-29")+ // Alsace: Wed 24, Mon 29 = 2 ✓
		// Letters: 15 working days is within, 16 is not (metropole, no
		// holiday in June 2026: 1 June → 22 June = 15, → 23 June = 16).
		cs("L1", "PAR-11", "mail_reply", "2026-06-01", "2026-06-22")+
		cs("L2", "PAR-11", "mail_reply", "2026-06-01", "2026-06-23")+
		// Reimbursements: calendar days, 7 within, 8 not.
		cs("M1", "PAR-11", "reimbursement", "2026-05-01", "2026-05-08")+
		cs("M2", "PAR-11", "reimbursement", "2026-05-01", "2026-05-09")+
		cs("M3", "PAR-11", "reimbursement", "2026-05-10", "2026-05-10")+
		// Allowances: 30 days within, 31 not; registrations 5 and 6.
		cs("W1", "PAR-18", "allowance_payment", "2026-04-10", "2026-05-10")+
		cs("W2", "PAR-18", "allowance_payment", "2026-04-10", "2026-05-11")+
		cs("G1", "PAR-18", "registration", "2026-05-01", "2026-05-06")+
		cs("G2", "PAR-18", "registration", "2026-05-01", "2026-05-07"))
	// A case completed at 23:30Z on 31 May is completed on 1 June in
	// Paris: not in May. And an open case is in no delay.
	f.send(t, ingest.KindCases, casesHeader+
		"M4,PAR-11,reimbursement,email,2026-05-25T08:00:00Z,2026-05-31T23:30:00Z,completed,2026-05-31T23:30:00Z\n"+
		"M5,PAR-11,reimbursement,email,2026-05-25T08:00:00Z,,open,2026-05-25T08:00:00Z\n")

	may := f.compute(t, "2026-05", "email.reply_2wd", "reimbursement.within_7d", "reimbursement.mean_days", "allowance.within_30d", "registration.within_5d")
	check(t, may, []want{
		{"email.reply_2wd site:PAR-11", 100 * 5.0 / 6, 6, 5, 6, ""},
		// M1 7 days ✓, M2 8 ✗, M3 0 ✓: 2/3; mean (7 + 8 + 0)/3 = 5.
		{"reimbursement.within_7d site:PAR-11", 100 * 2.0 / 3, 3, 2, 3, ""},
		{"reimbursement.mean_days site:PAR-11", 5, 3, 15, 3, ""},
		{"allowance.within_30d site:PAR-18", 50, 2, 1, 2, ""},
		{"registration.within_5d site:PAR-18", 50, 2, 1, 2, ""},
	})
	dec := f.compute(t, "2025-12", "email.reply_2wd")
	check(t, dec, []want{
		{"email.reply_2wd site:PAR-11", 50, 2, 1, 2, ""},
		{"email.reply_2wd site:STR-67", 100, 2, 2, 2, ""},
		{"email.reply_2wd national:", 75, 4, 3, 4, ""},
	})
	june := f.compute(t, "2026-06", "mail.reply_15wd", "reimbursement.within_7d")
	check(t, june, []want{
		{"mail.reply_15wd site:PAR-11", 50, 2, 1, 2, ""},
		// M4: 25 May → 1 June local = 7 days ✓.
		{"reimbursement.within_7d site:PAR-11", 100, 1, 1, 1, ""},
	})

	// A newer version of a case replaces the older: M2 re-completed on 8 May.
	f.send(t, ingest.KindCases, casesHeader+"M2,PAR-11,reimbursement,email,2026-05-01T12:00:00,2026-05-08T12:00:00,completed,2026-05-20T12:00:00\n")
	may = f.compute(t, "2026-05", "reimbursement.within_7d")
	check(t, may, []want{{"reimbursement.within_7d site:PAR-11", 100, 3, 3, 3, ""}})

	// A newer version may correct the received date, even into another
	// month: the case still counts once, with its newest dates (2 days).
	f.send(t, ingest.KindCases, casesHeader+
		"M6,PAR-11,reimbursement,email,2026-04-20T12:00:00,2026-05-12T12:00:00,completed,2026-05-12T12:00:00\n")
	f.send(t, ingest.KindCases, casesHeader+
		"M6,PAR-11,reimbursement,email,2026-05-10T12:00:00,2026-05-12T12:00:00,completed,2026-05-13T12:00:00\n")
	may = f.compute(t, "2026-05", "reimbursement.within_7d", "reimbursement.mean_days")
	check(t, may, []want{
		{"reimbursement.within_7d site:PAR-11", 100, 4, 4, 4, ""},
		// M1 7, M2 7, M3 0, M6 2: 16/4 = 4 days.
		{"reimbursement.mean_days site:PAR-11", 4, 4, 16, 4, ""},
	})
}

// TestWorkingDaysEveryZone checks the SQL working-day count against holidays
// of each zone in 2026 and 2027, worked out by hand: a case received the
// working day before a holiday and completed the working day after it
// counts 1 where the day is a holiday and 2 where it is not.

func TestWorkingDaysEveryZone(t *testing.T) {
	f := newFixture(t)
	sites := []model.Site{
		{ID: "Z-MET", Name: "m", Kind: model.SiteAgency, Region: "R", Department: "D1", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
		{ID: "Z-ALS", Name: "a", Kind: model.SiteAgency, Region: "R", Department: "D2", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris"},
		{ID: "Z-GLP", Name: "g", Kind: model.SiteAgency, Region: "R", Department: "D3", Zone: model.ZoneGuadeloupe, Timezone: "America/Guadeloupe"},
		{ID: "Z-MTQ", Name: "q", Kind: model.SiteAgency, Region: "R", Department: "D4", Zone: model.ZoneMartinique, Timezone: "America/Martinique"},
		{ID: "Z-GUF", Name: "y", Kind: model.SiteAgency, Region: "R", Department: "D5", Zone: model.ZoneGuyane, Timezone: "America/Cayenne"},
		{ID: "Z-REU", Name: "r", Kind: model.SiteAgency, Region: "R", Department: "D6", Zone: model.ZoneReunion, Timezone: "Indian/Reunion"},
		{ID: "Z-MYT", Name: "t", Kind: model.SiteAgency, Region: "R", Department: "D7", Zone: model.ZoneMayotte, Timezone: "Indian/Mayotte"},
	}
	if err := f.db.UpsertSites(context.Background(), sites); err != nil {
		t.Fatal(err)
	}
	type exp struct {
		site, recv, done string
		wd               int
	}
	var exps []exp
	for _, s := range sites {
		z := s.ID
		// Good Friday 3 Apr 2026 (Alsace only) and Easter Monday 6 Apr
		// (everywhere): Thu 2 → Tue 7: Fri 3, Mon 6, Tue 7 = 3, minus
		// Easter Monday = 2, minus Good Friday in Alsace = 1.
		wd := 2
		if z == "Z-ALS" {
			wd = 1
		}
		exps = append(exps, exp{z, "2026-04-02", "2026-04-07", wd})
		// Mayotte 27 Apr 2026 (Mon): Fri 24 → Tue 28 = Mon, Tue = 2; 1 in Mayotte.
		wd = 2
		if z == "Z-MYT" {
			wd = 1
		}
		exps = append(exps, exp{z, "2026-04-24", "2026-04-28", wd})
		// Thu 21 → Tue 26 May 2026: Fri 22, Mon 25, Tue 26 = 3; Whit
		// Monday everywhere → 2; Martinique's 22 May too → 1.
		wd = 2
		if z == "Z-MTQ" {
			wd = 1
		}
		exps = append(exps, exp{z, "2026-05-21", "2026-05-26", wd})
		// Guadeloupe 27 May 2026 (Wed): Tue 26 → Thu 28 = 2; 1 there.
		wd = 2
		if z == "Z-GLP" {
			wd = 1
		}
		exps = append(exps, exp{z, "2026-05-26", "2026-05-28", wd})
		// Guyane 10 June 2026 (Wed): Tue 9 → Thu 11 = 2; 1 there.
		wd = 2
		if z == "Z-GUF" {
			wd = 1
		}
		exps = append(exps, exp{z, "2026-06-09", "2026-06-11", wd})
		// Réunion 20 Dec 2027 (Mon): Fri 17 → Tue 21 = 2; 1 there.
		wd = 2
		if z == "Z-REU" {
			wd = 1
		}
		exps = append(exps, exp{z, "2027-12-17", "2027-12-21", wd})
		// 25 Dec 2027 is a Saturday and 26 Dec a Sunday: Thu 23 → Tue 28
		// = Fri 24, Mon 27, Tue 28 = 3 everywhere.
		exps = append(exps, exp{z, "2027-12-23", "2027-12-28", 3})
		// Easter 2027 is 28 March: Good Friday 26 Mar (Alsace), Easter
		// Monday 29 Mar: Thu 25 → Tue 30 = 3 − 1 = 2; 1 in Alsace.
		wd = 2
		if z == "Z-ALS" {
			wd = 1
		}
		exps = append(exps, exp{z, "2027-03-25", "2027-03-30", wd})
		// Ascension 2027: 6 May (Thu); 8 May 2027 is a Saturday: Wed 5 →
		// Mon 10 = Thu 6, Fri 7, Mon 10 = 3 − 1 = 2 everywhere.
		exps = append(exps, exp{z, "2027-05-05", "2027-05-10", 2})
		// Whit Monday 2027: 17 May: Fri 14 → Tue 18 = 2 − 1 = 1.
		exps = append(exps, exp{z, "2027-05-14", "2027-05-18", 1})
		// Mayotte 27 Apr 2027 (Tue): Mon 26 → Wed 28 = 2; 1 there.
		wd = 2
		if z == "Z-MYT" {
			wd = 1
		}
		exps = append(exps, exp{z, "2027-04-26", "2027-04-28", wd})
		// 14 July 2026 (Tue): Mon 13 → Wed 15 = 2 − 1 = 1 everywhere.
		exps = append(exps, exp{z, "2026-07-13", "2026-07-15", 1})
	}
	// Inserted directly (2027 is in the future for the collectors).
	ids := make([]string, len(exps))
	var rows []model.Case
	for i, e := range exps {
		ids[i] = fmt.Sprintf("W%d", i)
		r, _ := time.Parse(time.DateOnly, e.recv)
		c, _ := time.Parse(time.DateOnly, e.done)
		rows = append(rows, model.Case{Source: "test", ID: ids[i], Site: e.site, Kind: "email_reply", Channel: "email",
			ReceivedAt: r.Add(12 * time.Hour), ReceivedDate: r, CompletedAt: &c, CompletedDate: &c, Status: model.CaseCompleted, UpdatedAt: c})
	}
	if err := f.db.InsertCases(context.Background(), rows, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Working days of each case, computed by the compiler's expression.
	for i, e := range exps {
		d := &indicators.Definition{ID: "wd", Source: "cases", Filter: indicators.Filter{}, Measure: indicators.Mean{Value: "working_days"}, Unit: "working_days", Direction: "lower"}
		p, _ := indicators.ParsePeriod(e.done, f.eng.Now())
		q, err := f.eng.Compiler.Compile(d, []indicators.Period{p})
		if err != nil {
			t.Fatal(err)
		}
		q.SQL = strings.Replace(q.SQL, "status = 'completed'", "status = 'completed' AND id = '"+ids[i]+"'", 1)
		rows, err := f.db.Conn().Query(context.Background(), q.SQL, q.Args...)
		if err != nil {
			t.Fatal(err)
		}
		var got float64 = -1
		for rows.Next() {
			var pk uint8
			var r, dep, site string
			var sample uint64
			var num, den, qq float64
			if err := rows.Scan(&pk, &r, &dep, &site, &sample, &num, &den, &qq); err != nil {
				t.Fatal(err)
			}
			if site == e.site && pk == 1 {
				got = num / den
			}
		}
		rows.Close()
		if got != float64(e.wd) {
			t.Errorf("%s %s → %s: %v working days, want %d", e.site, e.recv, e.done, got, e.wd)
		}
	}
}

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

// TestCaseMonthsWithoutRows: a case indicator over periods whose months
// hold no row, while other months are merged (read without FINAL), reads
// nothing rather than compiling an empty condition.
func TestCaseMonthsWithoutRows(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindCases, "id,site,kind,channel,received_at,completed_at,status,updated_at\n"+
		"M1,PAR-11,reimbursement,mail,2026-03-02T08:00:00Z,2026-03-05T08:00:00Z,completed,2026-03-05T08:00:00Z\n")
	if _, err := f.db.Compact(context.Background(), "case_completions", 0); err != nil {
		t.Fatal(err)
	}
	got := f.compute(t, "2026-05", "reimbursement.within_7d")
	if r, ok := got["reimbursement.within_7d national:"]; !ok || r.Sample != 0 || r.Value != nil {
		t.Errorf("May: %+v, want an empty national result", r)
	}
	check(t, f.compute(t, "2026-03", "reimbursement.within_7d"), []want{{"reimbursement.within_7d site:PAR-11", 100, 1, 1, 1, ""}})
}
