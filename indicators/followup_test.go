package indicators_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

const followUpHeader = "id,site,kind,channel,received_at,completed_at,status,updated_at,acknowledged_at,announced_days,paused_seconds\n"

// TestFollowUpIndicators: acknowledgement within 7 (electronic) and 14
// (postal) calendar days, answered within the announced delay, paused
// time (gross and net delays, paused share) and sick pay's mean delay,
// worked out by hand at their boundaries, on the new path and the raw
// one. Times are local (Paris, no DST change in May 2026).
func TestFollowUpIndicators(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindCases, followUpHeader+
		// Electronic (online, e-mail), PAR-11, received 4 May at noon:
		// A1 acknowledged on the 11th at 23:30, 7 days by the dates ✓;
		// A2 on the 12th, 8 days ✗; A3 never acknowledged but answered on
		// the 8th, 4 days ✓; A4 never acknowledged, answered on the 15th,
		// 11 days ✗; A5 answered on the 6th (2 days ✓) before its
		// acknowledgement on the 14th.
		// A1 completed on the 20th: 16 days, exactly its announced 16 ✓;
		// A2 too, one day past its announced 15 ✗.
		"A1,PAR-11,reimbursement,email,2026-05-04T12:00:00,2026-05-20T12:00:00,completed,2026-05-20T12:00:00,2026-05-11T23:30:00,16,\n"+
		"A2,PAR-11,reimbursement,online,2026-05-04T12:00:00,2026-05-20T12:00:00,completed,2026-05-20T12:00:00,2026-05-12T09:00:00,15,\n"+
		"A3,PAR-11,reimbursement,email,2026-05-04T12:00:00,2026-05-08T12:00:00,completed,2026-05-08T12:00:00,,,\n"+
		"A4,PAR-11,reimbursement,email,2026-05-04T12:00:00,2026-05-15T12:00:00,completed,2026-05-15T12:00:00,,,\n"+
		"A5,PAR-11,reimbursement,online,2026-05-04T12:00:00,2026-05-06T12:00:00,completed,2026-05-06T12:00:00,2026-05-14T12:00:00,,\n"+
		// Postal: P1 acknowledged after exactly 14 days ✓, P2 after 15 ✗;
		// no announced delay: not in cases.within_announced.
		"P1,PAR-11,mail_reply,mail,2026-05-01T12:00:00,2026-05-25T12:00:00,completed,2026-05-25T12:00:00,2026-05-15T12:00:00,,\n"+
		"P2,PAR-11,mail_reply,mail,2026-05-01T12:00:00,2026-05-25T12:00:00,completed,2026-05-25T12:00:00,2026-05-16T08:00:00,,\n"+
		// Received at a reception desk: neither electronic nor postal.
		// Announced 0 days and answered the same day: 0 ≤ 0 ✓ (0 is an
		// announced delay, not a missing one).
		"R1,PAR-11,reimbursement,reception,2026-05-20T09:00:00,2026-05-20T17:00:00,completed,2026-05-20T17:00:00,2026-05-20T09:00:00,0,\n"+
		// An open case with an acknowledgement and announced delay: in no
		// delay (only completed cases are).
		"O1,PAR-11,reimbursement,email,2026-05-04T12:00:00,,open,2026-05-05T12:00:00,2026-05-05T12:00:00,1,\n"+
		// Sick pay at PAR-18 (reception: in no acknowledgement figure).
		// S1 20 days gross, paused 10 days (864,000 s): net 10. S2 10
		// days, paused 1.5 days (129,600 s): only whole days are taken
		// off, net 9. S3 3 days, no pause: net 3. S4 2 days, paused all
		// of it (172,800 s, the most accepted): net 0.
		"S1,PAR-18,sick_pay,reception,2026-05-04T12:00:00,2026-05-24T12:00:00,completed,2026-05-24T12:00:00,,,864000\n"+
		"S2,PAR-18,sick_pay,reception,2026-05-10T12:00:00,2026-05-20T12:00:00,completed,2026-05-20T12:00:00,,,129600\n"+
		"S3,PAR-18,sick_pay,reception,2026-05-11T12:00:00,2026-05-14T12:00:00,completed,2026-05-14T12:00:00,,,0\n"+
		"S4,PAR-18,sick_pay,reception,2026-05-12T12:00:00,2026-05-14T12:00:00,completed,2026-05-14T12:00:00,,,172800\n")

	ids := []string{"ack.electronic_7d", "ack.postal_14d", "cases.within_announced", "cases.paused_share", "sick_pay.mean_days", "sick_pay.mean_days_net"}
	// PAR-18's elapsed time: 20 + 10 + 3 + 2 days = 35 × 86,400 =
	// 3,024,000 s, of which paused 864,000 + 129,600 + 172,800 =
	// 1,166,400 s: 27/70.
	wants := []want{
		{"ack.electronic_7d site:PAR-11", 60, 5, 3, 5, ""},
		{"ack.electronic_7d national:", 60, 5, 3, 5, ""},
		{"ack.postal_14d site:PAR-11", 50, 2, 1, 2, ""},
		{"ack.electronic_7d site:PAR-18", math.NaN(), 0, 0, 0, ""},
		{"cases.within_announced site:PAR-11", 100 * 2.0 / 3, 3, 2, 3, ""},
		{"cases.paused_share site:PAR-18", 100 * 27.0 / 70, 4, 1166400, 3024000, ""},
		{"cases.paused_share site:PAR-11", 0, 8, 0, 0, ""},
		// Gross (20 + 10 + 3 + 2)/4 = 8.75; net (10 + 9 + 3 + 0)/4 = 5.5.
		{"sick_pay.mean_days site:PAR-18", 8.75, 4, 35, 4, ""},
		{"sick_pay.mean_days_net site:PAR-18", 5.5, 4, 22, 4, ""},
	}
	raw := &indicators.Engine{DB: f.db, Catalog: f.eng.Catalog, Now: f.eng.Now,
		Compiler: &indicators.Compiler{Calendar: f.eng.Compiler.Calendar, Raw: true}}
	for _, eng := range []*indicators.Engine{f.eng, raw} {
		check(t, computeWith(t, f, eng, "2026-05", ids...), wants)
	}

	// A newer version of A2 acknowledged on the 10th (6 days ✓) with no
	// announced delay: it leaves cases.within_announced's population.
	f.send(t, ingest.KindCases, followUpHeader+
		"A2,PAR-11,reimbursement,online,2026-05-04T12:00:00,2026-05-20T12:00:00,completed,2026-05-21T12:00:00,2026-05-10T12:00:00,,\n")
	wants = []want{
		{"ack.electronic_7d site:PAR-11", 80, 5, 4, 5, ""},
		{"cases.within_announced site:PAR-11", 100, 2, 2, 2, ""},
	}
	for _, eng := range []*indicators.Engine{f.eng, raw} {
		check(t, computeWith(t, f, eng, "2026-05", ids...), wants)
	}
}

// computeWith computes a live period's results with eng, by "indicator
// scope:id".
func computeWith(t *testing.T, f *fixture, eng *indicators.Engine, period string, ids ...string) map[string]indicators.Result {
	t.Helper()
	p, err := indicators.ParsePeriod(period, f.eng.Now())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Results(context.Background(), indicators.Query{Period: p, Selection: indicators.Selection{Indicators: ids}, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]indicators.Result{}
	for _, r := range rep.Results {
		out[fmt.Sprintf("%s %s:%s", r.Indicator, r.Scope, r.ScopeID)] = r
	}
	return out
}
