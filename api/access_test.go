package api_test

import (
	"fmt"
	"strings"
	"testing"

	"globaloffice/indicators"
)

// TestAccessMatrix walks every route as every kind of caller — the public,
// each role, a revoked and an expired token, a manager of another site, a
// collector of another source — and expects the status due.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	who := []string{"", "admin", "director", "manager", "manager-str", "collector", "collector-acd", "revoked", "expired", "gof_forged", "nonsense"}
	// Statuses in the order of who; revoked, expired, forged and malformed
	// tokens are refused everywhere under /api/v1.
	type route struct {
		method, path, body string
		want               [7]int // public, admin, director, manager, manager-str, collector, collector-acd
	}
	contact := func(id, source, site string) string {
		return fmt.Sprintf(`{"id":%q,"source":%q,"site":%q,"channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}`, id, source, site)
	}
	routes := []route{
		{"GET", "/api/v1/sites", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/sites/PAR-11", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/sites/NOPE", "", [7]int{404, 404, 404, 404, 404, 404, 404}},
		{"GET", "/api/v1/indicators", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/v1/openapi.json", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		// May is closed; June is not (the public: not published yet).
		{"GET", "/api/v1/results?period=2026-05", "", [7]int{200, 200, 200, 200, 200, 403, 403}},
		{"GET", "/api/v1/results?period=2026-06", "", [7]int{404, 200, 200, 200, 200, 403, 403}},
		{"GET", "/api/v1/results?period=2026-05&live=true", "", [7]int{401, 200, 200, 200, 200, 403, 403}},
		{"GET", "/api/v1/results?period=2026-05&site=PAR-11", "", [7]int{200, 200, 200, 200, 403, 403, 403}},
		{"GET", "/api/v1/results?period=2026-05&site=NOPE", "", [7]int{422, 422, 422, 403, 403, 403, 403}},
		{"GET", "/api/v1/results?period=2026-05&revision=9", "", [7]int{404, 404, 404, 404, 404, 403, 403}},
		{"GET", "/api/v1/results?period=May", "", [7]int{422, 422, 422, 422, 422, 403, 403}},
		{"GET", "/api/v1/results?period=2026-05&colour=red", "", [7]int{422, 422, 422, 422, 422, 422, 422}},
		{"GET", "/api/v1/scorecard?period=2026-05", "", [7]int{200, 200, 200, 200, 200, 403, 403}},
		{"GET", "/api/v1/scorecard?period=2026-05&scope=region:11", "", [7]int{200, 200, 200, 200, 200, 403, 403}},
		{"GET", "/api/v1/scorecard?period=2026-05&scope=region:99", "", [7]int{404, 404, 404, 404, 404, 404, 404}},
		{"GET", "/api/v1/exports/director.xlsx?period=2026-05", "", [7]int{401, 200, 200, 403, 403, 403, 403}},
		{"GET", "/api/v1/targets", "", [7]int{401, 200, 200, 200, 200, 403, 403}},
		{"PUT", "/api/v1/targets", `{"targets":[{"indicator":"reception.wait_20min","scope":"region:11","year":2026,"target":85}]}`, [7]int{401, 200, 200, 403, 403, 403, 403}},
		{"GET", "/api/v1/targets/history?indicator=reception.wait_20min", "", [7]int{401, 200, 200, 200, 200, 403, 403}},
		{"GET", "/api/v1/periods", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"POST", "/api/v1/periods/2026-04/close", "", [7]int{401, 200, 200, 403, 403, 403, 403}},
		{"GET", "/api/v1/tokens", "", [7]int{401, 200, 403, 403, 403, 403, 403}},
		{"POST", "/api/v1/tokens", `{"role":"collector","sources":["x"]}`, [7]int{401, 201, 403, 403, 403, 403, 403}},
		{"DELETE", "/api/v1/tokens/tk_0000000000", "", [7]int{401, 404, 403, 403, 403, 403, 403}},
		{"POST", "/api/v1/ingest/contacts", contact("m1", "qms", "PAR-11"), [7]int{401, 200, 403, 403, 403, 200, 200}},
		{"GET", "/api/v1/ingest/rejects", "", [7]int{401, 200, 403, 403, 403, 200, 200}},
	}
	for _, rt := range routes {
		for i, w := range who {
			want := 401
			if i < len(rt.want) {
				want = rt.want[i]
			}
			r := e.do(rt.method, rt.path, w, rt.body)
			if r.status != want {
				t.Errorf("%s %s as %q: %d, want %d: %s", rt.method, rt.path, w, r.status, want, r.body)
			}
			if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s %s as %q: %d as %s, not a problem", rt.method, rt.path, w, r.status, r.header.Get("Content-Type"))
			}
			if r.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s as %q: 401 without WWW-Authenticate", rt.method, rt.path, w)
			}
		}
	}
	// Open to anyone, whatever the token.
	for _, path := range []string{"/metrics", "/healthz"} {
		for _, w := range who {
			if r := e.do("GET", path, w, ""); r.status != 200 {
				t.Errorf("GET %s as %q: %d", path, w, r.status)
			}
		}
	}
}

// TestManagerSeesOnlyItsSites: a manager's token never yields another
// site's row; the public never sees an unpublished indicator, a small
// sample or an open period.
func TestManagerSeesOnlyItsSites(t *testing.T) {
	e := newEnv(t)
	var body struct {
		Items []indicators.Result `json:"items"`
	}
	for _, path := range []string{"/api/v1/results?period=2026-05&limit=1000", "/api/v1/results?period=2026-05&live=true&limit=1000", "/api/v1/results?period=2026-06&limit=1000"} {
		r := e.do("GET", path, "manager", "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		r.decode(t, &body)
		sites := map[string]bool{}
		for _, res := range body.Items {
			if res.Scope == "site" {
				sites[res.ScopeID] = true
			}
		}
		if len(sites) != 1 || !sites["PAR-11"] {
			t.Errorf("%s: a manager of PAR-11 got sites %v", path, sites)
		}
	}
	r := e.do("GET", "/api/v1/results?period=2026-05&limit=1000", "", "")
	r.decode(t, &body)
	if len(body.Items) == 0 {
		t.Fatal("the public sees nothing of a closed period")
	}
	for _, res := range body.Items {
		d, _ := e.eng.Catalog.Get(res.Indicator)
		if !d.Published || res.Status == indicators.StatusInsufficientData || res.Revision == 0 {
			t.Errorf("the public got %+v", res)
		}
	}
	// STR-67 has 5 visits in May, under the minimum of 10: not shown.
	for _, res := range body.Items {
		if res.ScopeID == "STR-67" && res.Indicator == "reception.wait_20min" {
			t.Errorf("the public got a small sample: %+v", res)
		}
	}
	var sc struct {
		Rows []struct {
			ScopeID string `json:"scope_id"`
		} `json:"rows"`
	}
	r = e.do("GET", "/api/v1/scorecard?period=2026-05&scope=department:75", "manager", "")
	r.decode(t, &sc)
	for _, row := range sc.Rows {
		if row.ScopeID != "PAR-11" {
			t.Errorf("a manager of PAR-11 got the scorecard row of %s", row.ScopeID)
		}
	}
}
