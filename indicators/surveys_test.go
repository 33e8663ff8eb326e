package indicators_test

import (
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

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
