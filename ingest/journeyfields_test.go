package ingest_test

import (
	"strings"
	"testing"

	"globaloffice/ingest"
)

// The links of the global office (case_id on a contact, origin_contact_id
// on a case) and the user's segment are optional fields of both formats,
// stored as sent; a segment outside the configured list is a reject naming
// its line and field.
func TestJourneyFields(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	csv := "id,source,site,channel,arrived_at,answered_at,outcome,motive,user_ref,case_id,segment\n" +
		"C1,acd,PAR-11,phone,2026-05-14T09:03:12,2026-05-14T09:04:00,served,allocation,U1,D-7,assisted\n" +
		"C2,acd,PAR-11,phone,2026-05-14T09:05:00,,abandoned,allocation,U1,,\n" +
		"C3,acd,PAR-11,phone,2026-05-14T09:06:00,,abandoned,allocation,U2,,vip\n"
	status, res, problem := e.post(t, "contacts", "text/csv", csv)
	if status != 200 || res.Accepted != 2 || res.Rejected != 1 {
		t.Fatalf("contacts: status %d %+v %v; want 2 accepted, 1 rejected", status, res, problem)
	}
	if r := res.Rejects[0]; r.Line != 4 || r.Field != "segment" || !strings.Contains(r.Reason, `unknown segment "vip"`) || !strings.Contains(r.Reason, "assisted, priority_public") {
		t.Errorf("reject %+v, want line 4, field segment, naming vip and the configured list", r)
	}
	cases := `{"id":"D-7","source":"ged","site":"PAR-11","kind":"reimbursement","channel":"reception","received_at":"2026-05-14T09:10:00Z","status":"open","updated_at":"2026-05-14T09:10:00Z","origin_contact_id":"C1","segment":"assisted","user_ref":"U1"}
{"id":"D-8","source":"ged","site":"PAR-11","kind":"reimbursement","channel":"online","received_at":"2026-05-14T09:10:00Z","status":"open","updated_at":"2026-05-14T09:10:00Z"}
{"id":"D-9","source":"ged","site":"PAR-11","kind":"reimbursement","channel":"online","received_at":"2026-05-14T09:10:00Z","status":"open","updated_at":"2026-05-14T09:10:00Z","segment":"Assisted"}
`
	status, res, problem = e.post(t, "cases", "application/x-ndjson", cases)
	if status != 200 || res.Accepted != 2 || res.Rejected != 1 {
		t.Fatalf("cases: status %d %+v %v; want 2 accepted, 1 rejected", status, res, problem)
	}
	if r := res.Rejects[0]; r.Line != 3 || r.Field != "segment" {
		t.Errorf("reject %+v, want line 3, field segment", r)
	}
	for q, want := range map[string]uint64{
		"SELECT count() FROM contacts WHERE id = 'C1' AND case_id = 'D-7' AND segment = 'assisted'":                                      1,
		"SELECT count() FROM contacts WHERE id = 'C2' AND case_id = '' AND segment = ''":                                                 1,
		"SELECT count() FROM cases WHERE id = 'D-7' AND origin_contact_id = 'C1' AND segment = 'assisted'":                               1,
		"SELECT count() FROM cases WHERE id = 'D-8' AND origin_contact_id = '' AND segment = ''":                                         1,
		"SELECT count() FROM case_completions WHERE id = 'D-7' AND entry = 'open' AND origin_contact_id = 'C1' AND segment = 'assisted'": 1,
	} {
		if n := e.count(t, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}
