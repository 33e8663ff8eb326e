package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

// TestJourneysEndpoint: counts of journeys by path, for directors and for
// managers over their own sites only; never for the public. Results broken
// down by segment need a token too.
func TestJourneysEndpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	send := func(kind ingest.Kind, csv string) {
		t.Helper()
		res, err := e.svc.Ingest(ctx, kind, ingest.FormatCSV, strings.NewReader(csv), ingest.Options{Source: "jt"})
		if err != nil || res.Rejected > 0 {
			t.Fatalf("ingest %s: %v %+v", kind, err, res.Rejects)
		}
	}
	send(ingest.KindContacts, "id,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,case_id,segment\n"+
		"X1,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:20:00Z,served,inscription,UX,,assisted\n"+
		"X2,PAR-11,phone,2026-05-10T08:00:00Z,2026-05-10T08:01:00Z,2026-05-10T08:05:00Z,served,suivi_dossier,UX,K1,assisted\n"+
		"Y1,STR-67,phone,2026-05-06T08:00:00Z,2026-05-06T08:01:00Z,2026-05-06T08:05:00Z,served,paiement,UY,,priority_public\n")
	send(ingest.KindCases, "id,site,kind,channel,received_at,completed_at,status,user_ref,updated_at,origin_contact_id,segment\n"+
		"K1,PAR-11,claim,reception,2026-05-04T09:00:00Z,2026-05-20T09:00:00Z,completed,UX,2026-05-20T09:00:00Z,X1,assisted\n"+
		"K2,STR-67,claim,phone,2026-05-06T09:00:00Z,,open,UY,2026-05-06T09:00:00Z,Y1,priority_public\n")
	paths := func(token, query string, wantStatus int) []string {
		t.Helper()
		r := e.do("GET", "/api/v1/journeys?"+query, token, "")
		if r.status != wantStatus {
			t.Fatalf("%s %s: status %d %s, want %d", token, query, r.status, r.body, wantStatus)
		}
		if r.status != 200 {
			return nil
		}
		var rep indicators.JourneyReport
		if err := json.Unmarshal(r.body, &rep); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range rep.Paths {
			out = append(out, strings.Join(p.Steps, " "))
		}
		if strings.Contains(string(r.body), "UX") || strings.Contains(string(r.body), "user_ref") {
			t.Errorf("a user reference in %s", r.body)
		}
		return out
	}
	both := "phone case:phone open|reception case:reception phone completed"
	for _, tc := range []struct {
		token, query string
		status       int
		want         string
	}{
		{"director", "period=2026-05", 200, both},
		{"director", "period=2026-05&motive=paiement", 200, "phone case:phone open"},
		{"director", "period=2026-05&scope=region:11", 200, "reception case:reception phone completed"},
		{"director", "period=2026-04", 200, ""},
		{"manager", "period=2026-05", 200, "reception case:reception phone completed"},
		{"manager", "period=2026-05&site=STR-67", 403, ""},
		{"director", "period=2026-05&scope=region:11&site=STR-67", 422, ""},
		{"", "period=2026-05", 401, ""},
		{"director", "period=someday", 422, ""},
	} {
		if got := strings.Join(paths(tc.token, tc.query, tc.status), "|"); got != tc.want {
			t.Errorf("%s %s: paths %q, want %q", tc.token, tc.query, got, tc.want)
		}
	}

	// Breakdowns: live, with a token; each result names its group.
	if r := e.do("GET", "/api/v1/results?period=2026-05&by=segment&indicator=journey.fcr_7d", "", ""); r.status != 401 {
		t.Errorf("public by=segment: status %d, want 401", r.status)
	}
	r := e.do("GET", "/api/v1/results?period=2026-05&by=segment&indicator=journey.fcr_7d&scope=national", "director", "")
	var body struct{ Items []indicators.Result }
	if err := json.Unmarshal(r.body, &body); r.status != 200 || err != nil {
		t.Fatalf("by=segment: %d %s", r.status, r.body)
	}
	groups := map[string]uint64{}
	for _, res := range body.Items {
		if res.Breakdown == nil || res.Breakdown.Field != "segment" {
			t.Fatalf("result without its breakdown: %+v", res)
		}
		groups[res.Breakdown.Value] = res.Sample
	}
	// Served contacts with a motive: X1, X2 assisted; Y1 priority public.
	if groups["assisted"] != 2 || groups["priority_public"] != 1 || len(groups) != 2 {
		t.Errorf("samples by segment %v, want assisted 2, priority_public 1", groups)
	}
}
