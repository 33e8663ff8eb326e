package api_test

import (
	"strings"
	"testing"
)

// TestTargetRangeThroughTheAPI: PUT /targets refuses a target that cannot
// mean what it says in its unit, naming the row and field, with the hint;
// force=true sets it as given, and the history keeps who set it.
func TestTargetRangeThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	var prob struct {
		Errors []struct{ Location, Message string } `json:"errors"`
	}
	// Row 0 is good, rows 1 to 3 cannot mean what they say: 0.8 % (a
	// fraction), an NPS of 101 points, a wait of −1 minute.
	body := `{"targets":[` +
		`{"indicator":"reception.wait_20min","scope":"national","year":2026,"target":80},` +
		`{"indicator":"phone.pickup_rate","scope":"national","year":2026,"target":0.8},` +
		`{"indicator":"satisfaction.nps","scope":"national","year":2026,"target":101},` +
		`{"indicator":"reception.wait_p90","scope":"national","year":2026,"target":-1}]}`
	bad := e.do("PUT", "/api/v1/targets", "director", body)
	bad.decode(t, &prob)
	want := []struct{ loc, msg string }{
		{"body.targets[1].target", "0.8 looks like a fraction, but phone.pickup_rate is in percent (0 to 100): did you mean 80? (force=true sets it as given)"},
		{"body.targets[2].target", "101 is outside -100 to 100, the range of an NPS in points (force=true sets it as given)"},
		{"body.targets[3].target", "-1 is below 0: minutes cannot be negative (force=true sets it as given)"},
	}
	if bad.status != 422 || len(prob.Errors) != len(want) {
		t.Fatalf("refused rows: %d %s", bad.status, bad.body)
	}
	for i, w := range want {
		if prob.Errors[i].Location != w.loc || prob.Errors[i].Message != w.msg {
			t.Errorf("error %d: %s %q, want %s %q", i, prob.Errors[i].Location, prob.Errors[i].Message, w.loc, w.msg)
		}
	}
	if h := e.do("GET", "/api/v1/targets/history?indicator=phone.pickup_rate", "director", ""); h.status != 200 || strings.Contains(string(h.body), `"target":0.8`) {
		t.Fatalf("a refused PUT set something: %d %s", h.status, h.body)
	}
	// force=false is the default: the same refusal.
	if r := e.do("PUT", "/api/v1/targets?force=false", "director", body); r.status != 422 {
		t.Errorf("force=false: %d %s", r.status, r.body)
	}
	ok := e.do("PUT", "/api/v1/targets?force=true", "director", body)
	if ok.status != 200 || !strings.Contains(string(ok.body), `"imported":4`) {
		t.Fatalf("forced: %d %s", ok.status, ok.body)
	}
	for ind, v := range map[string]string{"phone.pickup_rate": "0.8", "satisfaction.nps": "101", "reception.wait_p90": "-1"} {
		h := e.do("GET", "/api/v1/targets/history?indicator="+ind, "director", "")
		if h.status != 200 || !strings.Contains(string(h.body), `"scope":"national","year":2026,"target":`+v+`,"set_by":"director (tk_`) {
			t.Errorf("history of %s: %d %s", ind, h.status, h.body)
		}
	}
	// The OpenAPI document says how to force.
	var doc struct {
		Paths map[string]map[string]struct {
			Description string `json:"description"`
			Parameters  []struct {
				Name, In, Description string
			} `json:"parameters"`
		} `json:"paths"`
	}
	e.do("GET", "/api/v1/openapi.json", "", "").decode(t, &doc)
	put := doc.Paths["/targets"]["put"]
	if len(put.Parameters) != 1 || put.Parameters[0].Name != "force" || put.Parameters[0].In != "query" || !strings.Contains(put.Parameters[0].Description, "outside their unit's range") || !strings.Contains(put.Description, "unless force=true") {
		t.Errorf("PUT /targets in the OpenAPI document: %+v", put)
	}
}
