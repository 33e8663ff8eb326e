package indicators_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

// Hand-worked journeys (times UTC; Paris and Strasbourg are UTC+2 in May,
// so every local date is the UTC date):
//
//	A (assisted): calls twice in 4 days on "paiement", then on "attestation".
//	B (first_request): asks online, files case DB1 online naming that
//	  contact, then comes to the desk on the same motive about DB1.
//	C (priority_public): a visit on 5 April, another on 2 May that opens
//	  DC1, two calls chasing DC1 while open, one after it was completed.
//	D: a call in Paris on 20 April, a visit in Strasbourg on 29 April that
//	  opens DD1 there, completed on 5 May: across a month and a site.
//	DE1: completed in May, opened by no contact named; DF1 closed in
//	  April; DG1 received in May, still open.
const journeyContacts = "id,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,case_id,segment\n" +
	"A1,PAR-11,phone,2026-05-04T08:00:00Z,2026-05-04T08:01:00Z,2026-05-04T08:05:00Z,served,paiement,UA,,assisted\n" +
	"A2,PAR-11,phone,2026-05-08T08:00:00Z,2026-05-08T08:01:00Z,2026-05-08T08:05:00Z,served,paiement,UA,,assisted\n" +
	"A3,PAR-11,phone,2026-05-09T08:00:00Z,2026-05-09T08:01:00Z,2026-05-09T08:05:00Z,served,attestation,UA,,assisted\n" +
	"B1,PAR-18,online,2026-05-10T09:00:00Z,2026-05-10T09:30:00Z,2026-05-10T09:31:00Z,served,inscription,UB,,first_request\n" +
	"B2,PAR-18,reception,2026-05-12T09:00:00Z,2026-05-12T09:10:00Z,2026-05-12T09:20:00Z,served,inscription,UB,DB1,first_request\n" +
	"C0,PAR-11,reception,2026-04-05T08:00:00Z,2026-04-05T08:10:00Z,2026-04-05T08:20:00Z,served,changement_situation,UC,,priority_public\n" +
	"C1,PAR-11,reception,2026-05-02T08:00:00Z,2026-05-02T08:10:00Z,2026-05-02T08:20:00Z,served,changement_situation,UC,,priority_public\n" +
	"C2,PAR-11,phone,2026-05-06T08:00:00Z,,2026-05-06T08:03:00Z,abandoned,suivi_dossier,UC,DC1,priority_public\n" +
	"C3,PAR-11,phone,2026-05-13T08:00:00Z,2026-05-13T08:01:00Z,2026-05-13T08:05:00Z,served,suivi_dossier,UC,DC1,priority_public\n" +
	"C4,PAR-11,phone,2026-05-22T08:00:00Z,2026-05-22T08:01:00Z,2026-05-22T08:05:00Z,served,suivi_dossier,UC,DC1,priority_public\n" +
	"D1,PAR-11,phone,2026-04-20T08:00:00Z,2026-04-20T08:01:00Z,2026-04-20T08:05:00Z,served,documents,UD,,\n" +
	"D2,STR-67,reception,2026-04-29T08:00:00Z,2026-04-29T08:10:00Z,2026-04-29T08:20:00Z,served,documents,UD,,\n"

const journeyCases = "id,site,kind,channel,received_at,completed_at,status,user_ref,updated_at,origin_contact_id,segment\n" +
	"DB1,PAR-18,registration,online,2026-05-10T10:00:00Z,2026-05-25T10:00:00Z,completed,UB,2026-05-25T10:00:00Z,B1,first_request\n" +
	"DC1,PAR-11,allowance_payment,reception,2026-05-02T09:00:00Z,2026-05-20T08:00:00Z,completed,UC,2026-05-20T08:00:00Z,C1,priority_public\n" +
	"DD1,STR-67,reimbursement,reception,2026-04-29T09:00:00Z,2026-05-05T08:00:00Z,completed,UD,2026-05-05T08:00:00Z,D2,\n" +
	"DE1,PAR-11,reimbursement,mail,2026-05-11T08:00:00Z,2026-05-14T08:00:00Z,completed,,2026-05-14T08:00:00Z,,\n" +
	"DF1,PAR-11,reimbursement,mail,2026-04-01T08:00:00Z,2026-04-10T08:00:00Z,completed,,2026-04-10T08:00:00Z,,\n" +
	"DG1,PAR-18,reimbursement,mail,2026-05-20T08:00:00Z,,open,,2026-05-20T08:00:00Z,,\n"

func TestJourneys(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, journeyContacts)
	f.send(t, ingest.KindCases, journeyCases)
	for _, raw := range []bool{false, true} {
		f.eng.Compiler.Raw = raw
		got := f.compute(t, "2026-05", "journey.fcr_7d", "journey.fcr_7d.phone", "journey.switch_online_desk_7d",
			"journey.chasing_share", "journey.chasing_per_100", "journey.time_median", "journey.within_30d", "journey.handoffs")
		check(t, got, []want{
			// Served May contacts with a motive: A1 ✗ (A2 on paiement 4
			// days later), A2 ✓, A3 ✓ (attestation is another motive), C1 ✓
			// (C's next contacts chase the case: another motive), C3 ✓ (C4
			// is 9 days later), C4 ✓; B1 ✗ (B2, 2 days later), B2 ✓.
			{"journey.fcr_7d site:PAR-11", 500.0 / 6, 6, 5, 6, ""},
			{"journey.fcr_7d site:PAR-18", 50, 2, 1, 2, ""},
			{"journey.fcr_7d national:", 75, 8, 6, 8, ""},
			{"journey.fcr_7d.phone site:PAR-11", 80, 5, 4, 5, ""},
			// B1 online, then at the desk on the same motive 2 days later.
			{"journey.switch_online_desk_7d site:PAR-18", 100, 1, 1, 1, ""},
			// May contacts: PAR-11 A1–A3, C1–C4, of which C2 and C3 chase
			// DC1 while open (C4 came after its completion); PAR-18 B1, B2
			// (B2 chases DB1).
			{"journey.chasing_share site:PAR-11", 200.0 / 7, 7, 2, 7, ""},
			{"journey.chasing_share site:PAR-18", 50, 2, 1, 2, ""},
			{"journey.chasing_share national:", 100.0 / 3, 9, 3, 9, ""},
			// Cases open at some time in May, at their site: PAR-11 DC1 (2
			// chasing contacts) and DE1; PAR-18 DB1 (1) and DG1; STR-67 DD1
			// (open until 5 May). DF1 closed in April.
			{"journey.chasing_per_100 site:PAR-11", 100, 2, 2, 2, ""},
			{"journey.chasing_per_100 site:PAR-18", 50, 2, 1, 2, ""},
			{"journey.chasing_per_100 site:STR-67", 0, 1, 0, 1, ""},
			{"journey.chasing_per_100 region:11", 75, 4, 3, 4, ""},
			{"journey.chasing_per_100 national:", 60, 5, 3, 5, ""},
			// Journeys of May's completed cases naming their contact: DB1
			// 10→25 May = 15 days; DC1 from C0 (5 April, within 30 days of
			// C1) to 20 May = 45 days; DD1 from D1 in Paris (20 April) to 5
			// May in Strasbourg = 15 days. Median of 15, 15, 45: 15.
			{"journey.time_median site:PAR-11", 45, 1, 0, 0, ""},
			{"journey.time_median site:STR-67", 15, 1, 0, 0, ""},
			{"journey.time_median national:", 15, 3, 0, 0, ""},
			{"journey.within_30d site:PAR-11", 0, 1, 0, 1, ""},
			{"journey.within_30d national:", 200.0 / 3, 3, 2, 3, ""},
			// Hand-offs: DB1 online only (1); DC1 reception twice (1); DD1
			// phone then reception (2).
			{"journey.handoffs site:PAR-18", 1, 1, 1, 1, ""},
			{"journey.handoffs site:STR-67", 2, 1, 2, 1, ""},
			{"journey.handoffs national:", 4.0 / 3, 3, 4, 3, ""},
		})
	}
}

// TestJourneysBySegmentAndMotive: any indicator of contacts or cases can be
// broken down by segment, those of contacts by motive.
func TestJourneysBySegmentAndMotive(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, journeyContacts)
	f.send(t, ingest.KindCases, journeyCases)
	by := func(field string, ids ...string) map[string]indicators.Result {
		p, err := indicators.ParsePeriod("2026-05", f.eng.Now())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := f.eng.Results(context.Background(), indicators.Query{Period: p, Selection: indicators.Selection{Indicators: ids, By: field}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]indicators.Result{}
		for _, r := range rep.Results {
			if r.Breakdown == nil || r.Breakdown.Field != field {
				t.Fatalf("%s: breakdown %+v, want by %s", r.Indicator, r.Breakdown, field)
			}
			out[fmt.Sprintf("%s %s:%s", r.Indicator+"@"+r.Breakdown.Value, r.Scope, r.ScopeID)] = r
		}
		return out
	}
	got := by("segment", "journey.fcr_7d", "journey.chasing_per_100", "satisfaction.overall")
	check(t, got, []want{
		{"journey.fcr_7d@assisted national:", 200.0 / 3, 3, 2, 3, ""},
		{"journey.fcr_7d@first_request national:", 50, 2, 1, 2, ""},
		{"journey.fcr_7d@priority_public national:", 100, 3, 3, 3, ""},
		// Segments of cases: DC1 priority public, DB1 first request.
		{"journey.chasing_per_100@priority_public national:", 200, 1, 2, 1, ""},
		{"journey.chasing_per_100@first_request national:", 100, 1, 1, 1, ""},
	})
	for k := range got {
		if len(k) >= len("satisfaction") && k[:len("satisfaction")] == "satisfaction" {
			t.Errorf("%s: surveys have no segment, want no breakdown", k)
		}
	}
	check(t, by("motive", "mix.phone", "mix.online"), []want{
		{"mix.phone@paiement national:", 100, 2, 2, 2, ""},
		{"mix.phone@inscription national:", 0, 2, 0, 2, ""},
		{"mix.online@inscription national:", 50, 2, 1, 2, ""},
		{"mix.phone@suivi_dossier site:PAR-11", 100, 3, 3, 3, ""},
	})
	p, _ := indicators.ParsePeriod("2026-05", f.eng.Now())
	if _, err := f.eng.Results(context.Background(), indicators.Query{Period: p, Selection: indicators.Selection{By: "user_ref"}}); err == nil {
		t.Error("a breakdown by user_ref was accepted")
	}
}

// TestJourneyPaths: the journeys of the cases received in May that name
// their opening contact (DB1, DC1; DD1 was received in April), by path.
func TestJourneyPaths(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, journeyContacts)
	f.send(t, ingest.KindCases, journeyCases)
	may, err := indicators.ParsePeriod("2026-05", f.eng.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		q      indicators.JourneyQuery
		paths  []string
		chased int
		hand   float64
	}{
		// DB1: asked online, filed online, came to the desk about it, done.
		// DC1: two visits (one step), the case, two calls chasing it (one
		// step; the third came after its completion), done.
		{"all", indicators.JourneyQuery{Period: may}, []string{"online case:online reception completed", "reception case:reception phone completed"}, 2, 1},
		{"motive", indicators.JourneyQuery{Period: may, Motive: "inscription"}, []string{"online case:online reception completed"}, 1, 1},
		{"sites", indicators.JourneyQuery{Period: may, Sites: []string{"PAR-11"}}, []string{"reception case:reception phone completed"}, 1, 1},
		{"none", indicators.JourneyQuery{Period: may, Motive: "paiement"}, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := f.eng.Journeys(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Paths {
				if p.Count != 1 {
					t.Errorf("path %v counted %d, want 1", p.Steps, p.Count)
				}
				got = append(got, strings.Join(p.Steps, " "))
			}
			if strings.Join(got, "|") != strings.Join(tc.paths, "|") || rep.Journeys != len(tc.paths) || rep.Chased != tc.chased || rep.HandOffs != tc.hand {
				t.Errorf("paths %q, %d journeys, %d chased, %v hand-offs; want %q, %d, %d, %v", got, rep.Journeys, rep.Chased, rep.HandOffs, tc.paths, len(tc.paths), tc.chased, tc.hand)
			}
		})
	}
}

// The measures of contacts followed by others, and the journey measures,
// are computed in one query each when asked together (CompileFollowed,
// CompileJourneys): every figure as each computes alone, at every scope
// and period kind, with previous and last year.
func TestBatchedTogether(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, journeyContacts)
	f.send(t, ingest.KindCases, journeyCases)
	ids := []string{"global.repeat_contact_7d", "journey.fcr_7d", "journey.fcr_7d.phone", "journey.fcr_7d.reception", "journey.switch_online_desk_7d",
		"journey.time_median", "journey.within_30d", "journey.handoffs"}
	for _, period := range []string{"2026-05", "2026-04", "2026-W19", "2026-05-04", "2026-Q2", "2026", "2026-04-20..2026-05-15", "2026-05-r12"} {
		together := f.compute(t, period, ids...)
		alone := map[string]indicators.Result{}
		for _, id := range ids {
			maps.Copy(alone, f.compute(t, period, id))
		}
		if len(together) != len(alone) {
			t.Fatalf("%s: %d results together, %d alone", period, len(together), len(alone))
		}
		for k, a := range alone {
			if g := together[k]; !reflect.DeepEqual(g, a) {
				t.Errorf("%s %s: together %+v, alone %+v", period, k, g, a)
			}
		}
	}
	// Served May contacts followed by any contact of the user within 7
	// days: A1 (A2), A2 (A3, another motive), C1 (C2, abandoned: any
	// contact follows), B1 (B2); not A3, C3 (C4 is 9 days later), C4, B2.
	check(t, f.compute(t, "2026-05", ids...), []want{
		{"global.repeat_contact_7d site:PAR-11", 50, 6, 3, 6, ""},
		{"global.repeat_contact_7d site:PAR-18", 50, 2, 1, 2, ""},
		{"global.repeat_contact_7d national:", 50, 8, 4, 8, ""},
		{"journey.fcr_7d national:", 75, 8, 6, 8, ""},
		{"journey.switch_online_desk_7d site:PAR-18", 100, 1, 1, 1, ""},
	})
}

// A contact chases a case open at its arrival whatever the two sites' time
// zones: a call in Cayenne at 20:30 on 31 May (23:30 UTC) about a case
// received in Paris at 1:00 on 1 June (23:00 UTC on 31 May), its local
// date after May's last day; a call in Paris at 00:30 on 1 June about a
// case completed in Cayenne at 20:00 on 31 May (23:00 UTC), after it.
func TestChasingAcrossTimeZones(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, "id,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,case_id,segment\n"+
		"X1,CAY-973,phone,2026-05-31T23:30:00Z,2026-05-31T23:31:00Z,2026-05-31T23:35:00Z,served,suivi_dossier,UX,DX1,\n"+
		"Y1,PAR-11,phone,2026-05-31T22:30:00Z,2026-05-31T22:31:00Z,2026-05-31T22:35:00Z,served,suivi_dossier,UY,DY1,\n")
	f.send(t, ingest.KindCases, "id,site,kind,channel,received_at,completed_at,status,user_ref,updated_at,origin_contact_id,segment\n"+
		"DX1,PAR-11,allowance_payment,online,2026-05-31T23:00:00Z,,open,UX,2026-05-31T23:00:00Z,,\n"+
		"DY1,CAY-973,allowance_payment,online,2026-05-20T12:00:00Z,2026-05-31T23:00:00Z,completed,UY,2026-05-31T23:00:00Z,,\n")
	for _, raw := range []bool{false, true} {
		f.eng.Compiler.Raw = raw
		check(t, f.compute(t, "2026-05", "journey.chasing_share"), []want{
			{"journey.chasing_share site:CAY-973", 100, 1, 1, 1, ""},
		})
		// The case completed in Cayenne on its 31 May: the query reads
		// from a day before its earliest period (last year's June here, so
		// this figure only guards the day before the current period).
		check(t, f.compute(t, "2026-06-01..2026-06-30", "journey.chasing_share"), []want{
			{"journey.chasing_share site:PAR-11", 100, 1, 1, 1, ""},
		})
	}
}
