package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"globaloffice/indicators"
)

// resultsPage is the body of GET /results.
type resultsPage struct {
	Period     string                `json:"period"`
	Provenance indicators.Provenance `json:"provenance"`
	Items      []indicators.Result   `json:"items"`
	Total      int                   `json:"total"`
}

func (e *env) results(token, query string) (resultsPage, response) {
	e.t.Helper()
	r := e.do("GET", "/api/v1/results?"+query, token, "")
	if r.status != 200 {
		e.t.Fatalf("results %s as %q: %d %s", query, token, r.status, r.body)
	}
	var p resultsPage
	r.decode(e.t, &p)
	return p, r
}

// TestResultsEqualEngine: the API's results are the engine's, for a closed
// and a live period, page by page.
func TestResultsEqualEngine(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		query string
		q     indicators.Query
	}{
		{"period=2026-05", indicators.Query{}},
		{"period=2026-05&live=true", indicators.Query{Live: true}},
		{"period=2026-06", indicators.Query{}},
		{"period=2026-ytd&scope=department", indicators.Query{Selection: indicators.Selection{Scope: "department"}}},
		{"period=2026-05&site=PAR-18&site=STR-67&indicator=reception.wait_20min", indicators.Query{Selection: indicators.Selection{Sites: []string{"PAR-18", "STR-67"}, Indicators: []string{"reception.wait_20min"}}}},
	} {
		period := strings.TrimPrefix(strings.Split(tc.query, "&")[0], "period=")
		tc.q.Period, _ = indicators.ParsePeriod(period, today)
		want, err := e.ref.Results(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		// Two pages of 100, then the rest.
		var got []indicators.Result
		var prov indicators.Provenance
		for page := 1; ; page++ {
			p, _ := e.results("director", fmt.Sprintf("%s&limit=100&page=%d", tc.query, page))
			if p.Total != len(want.Results) {
				t.Fatalf("%s: total %d, want %d", tc.query, p.Total, len(want.Results))
			}
			got, prov = append(got, p.Items...), p.Provenance
			if len(p.Items) < 100 {
				break
			}
		}
		if len(got) != len(want.Results) {
			t.Fatalf("%s: %d results, want %d", tc.query, len(got), len(want.Results))
		}
		for i := range got {
			g, _ := json.Marshal(got[i])
			w, _ := json.Marshal(want.Results[i])
			if string(g) != string(w) {
				t.Errorf("%s: result %d\n got %s\nwant %s", tc.query, i, g, w)
				break
			}
		}
		want.Provenance.ComputedAt = prov.ComputedAt // the moment of each computation
		if !reflect.DeepEqual(prov, want.Provenance) {
			t.Errorf("%s: provenance %+v, want %+v", tc.query, prov, want.Provenance)
		}
	}
}

// TestTargetsAndClosingThroughTheAPI: a target set through the API shows in
// the results with its status; a period closed through the API is frozen.
func TestTargetsAndClosingThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	find := func(p resultsPage, indicator, scope string) indicators.Result {
		t.Helper()
		for _, r := range p.Items {
			if r.Indicator == indicator && string(r.Scope)+":"+r.ScopeID == scope {
				return r
			}
		}
		t.Fatalf("no %s %s in %+v", indicator, scope, p.Items)
		return indicators.Result{}
	}
	// June: PAR-11 10 of 10 within 20 minutes; the national target is 80.
	p, _ := e.results("director", "period=2026-06&indicator=reception.wait_20min")
	if r := find(p, "reception.wait_20min", "site:PAR-11"); *r.Value != 100 || *r.Target != 80 || r.Status != "met" {
		t.Fatalf("before: %+v", r)
	}
	bad := e.do("PUT", "/api/v1/targets", "director", `{"targets":[{"indicator":"reception.wait_20min","scope":"site:PAR-11","year":2026,"target":99},{"indicator":"nope","scope":"region:99","year":2026,"target":1}]}`)
	var prob struct {
		Errors []struct{ Location, Message string } `json:"errors"`
	}
	bad.decode(t, &prob)
	if bad.status != 422 || len(prob.Errors) != 2 || prob.Errors[0].Location != "body.targets[1].indicator" || prob.Errors[1].Location != "body.targets[1].scope" {
		t.Fatalf("bad rows: %d %s", bad.status, bad.body)
	}
	p, _ = e.results("director", "period=2026-06&indicator=reception.wait_20min")
	if r := find(p, "reception.wait_20min", "site:PAR-11"); *r.Target != 80 {
		t.Fatalf("a refused PUT set something: %+v", r)
	}
	// 101 % cannot be met: refused, then set when forced.
	over := e.do("PUT", "/api/v1/targets", "director", `{"targets":[{"indicator":"reception.wait_20min","scope":"site:PAR-11","year":2026,"target":101}]}`)
	if over.status != 422 || !strings.Contains(string(over.body), `"location":"body.targets[0].target"`) || !strings.Contains(string(over.body), "outside 0 to 100") {
		t.Fatalf("101 %%: %d %s", over.status, over.body)
	}
	ok := e.do("PUT", "/api/v1/targets?force=true", "director", `{"targets":[{"indicator":"reception.wait_20min","scope":"site:PAR-11","year":2026,"target":101}]}`)
	if ok.status != 200 {
		t.Fatalf("put: %d %s", ok.status, ok.body)
	}
	p, _ = e.results("director", "period=2026-06&indicator=reception.wait_20min")
	if r := find(p, "reception.wait_20min", "site:PAR-11"); *r.Target != 101 || r.Status != "missed" {
		t.Errorf("after: %+v", r)
	}
	h := e.do("GET", "/api/v1/targets/history?indicator=reception.wait_20min", "manager", "")
	if h.status != 200 || !strings.Contains(string(h.body), `"scope":"site:PAR-11","year":2026,"target":101,"set_by":"director (tk_`) {
		t.Errorf("history: %d %s", h.status, h.body)
	}

	// Close June through the API, then send late data: the closed figures
	// do not move; live ones do.
	c := e.do("POST", "/api/v1/periods/2026-06/close", "director", "")
	if c.status != 200 || !strings.Contains(string(c.body), `"revision":1`) {
		t.Fatalf("close: %d %s", c.status, c.body)
	}
	e.send("contacts", "test", contactsHeader+reception("PAR-11", "2026-06-10", 0, 10))
	closed, r1 := e.results("", "period=2026-06&indicator=reception.wait_20min&scope=site&site=PAR-11")
	if r := find(closed, "reception.wait_20min", "site:PAR-11"); *r.Value != 100 || r.Revision != 1 || !closed.Provenance.Closed || !strings.HasPrefix(closed.Provenance.ClosedBy, "director (tk_") {
		t.Errorf("closed after late data: %+v %+v", r, closed.Provenance)
	}
	live, r2 := e.results("director", "period=2026-06&indicator=reception.wait_20min&live=true&site=PAR-11")
	if r := find(live, "reception.wait_20min", "site:PAR-11"); math.Abs(*r.Value-50) > 1e-9 || live.Provenance.Closed || live.Provenance.Revisions != 1 {
		t.Errorf("live after late data: %+v %+v", r, live.Provenance)
	}
	// Closed: ETag, cacheable, 304 when unchanged; live: never cached.
	etag := r1.header.Get("ETag")
	if etag == "" || r1.header.Get("Cache-Control") != "public, max-age=300" || r2.header.Get("ETag") != "" || r2.header.Get("Cache-Control") != "no-store" {
		t.Errorf("caching: closed %q %q, live %q %q", etag, r1.header.Get("Cache-Control"), r2.header.Get("ETag"), r2.header.Get("Cache-Control"))
	}
	nm := e.do("GET", "/api/v1/results?period=2026-06&indicator=reception.wait_20min&scope=site&site=PAR-11", "", "", "If-None-Match", etag)
	if nm.status != http.StatusNotModified || len(nm.body) != 0 || nm.header.Get("ETag") != etag {
		t.Errorf("If-None-Match: %d %q %q", nm.status, nm.body, nm.header.Get("ETag"))
	}
	// Another caller, another request or a new revision: another ETag.
	if _, r := e.results("director", "period=2026-06&indicator=reception.wait_20min&scope=site&site=PAR-11"); r.header.Get("ETag") == etag || r.header.Get("Cache-Control") != "private, max-age=60" {
		t.Errorf("the director's ETag %q (public %q) %q", r.header.Get("ETag"), etag, r.header.Get("Cache-Control"))
	}
	if c := e.do("POST", "/api/v1/periods/2026-06/close", "admin", ""); c.status != 200 {
		t.Fatal(c.status)
	}
	again := e.do("GET", "/api/v1/results?period=2026-06&indicator=reception.wait_20min&scope=site&site=PAR-11", "", "", "If-None-Match", etag)
	if again.status != 200 || again.header.Get("ETag") == etag {
		t.Errorf("after a second closing: %d %q", again.status, again.header.Get("ETag"))
	}
	var periods struct {
		Items []indicators.ClosedPeriod `json:"items"`
	}
	e.do("GET", "/api/v1/periods", "", "").decode(t, &periods)
	if len(periods.Items) != 2 || periods.Items[0].Period != "2026-06" || len(periods.Items[0].Revisions) != 2 || periods.Items[1].Period != "2026-05" {
		t.Errorf("periods: %+v", periods.Items)
	}
}

// TestOpenAPI: the document loads and validates with an independent
// parser, and holds every route the server serves under /api/v1.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/openapi-3.0.json"} {
		r := e.do("GET", path, "", "")
		if r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		var doc struct {
			OpenAPI string                                `json:"openapi"`
			Paths   map[string]map[string]json.RawMessage `json:"paths"`
		}
		r.decode(t, &doc)
		if path == "/api/v1/openapi.json" && doc.OpenAPI != "3.1.0" {
			t.Errorf("%s: openapi %q", path, doc.OpenAPI)
		}
		// Every route, as gin serves it.
		for _, rt := range []string{
			"GET /sites", "GET /sites/{id}", "GET /indicators", "GET /results", "GET /scorecard", "GET /targets", "PUT /targets",
			"GET /targets/history", "GET /periods", "POST /periods/{period}/close", "GET /tokens", "POST /tokens", "DELETE /tokens/{id}",
			"POST /ingest/contacts", "POST /ingest/cases", "POST /ingest/surveys", "GET /ingest/rejects",
			"GET /exports/agency.xlsx", "GET /exports/director.xlsx", "GET /exports/raw.xlsx", "GET /exports/raw.csv",
		} {
			method, p, _ := strings.Cut(rt, " ")
			if _, ok := doc.Paths[p][strings.ToLower(method)]; !ok {
				t.Errorf("%s lacks %s", path, rt)
			}
		}
		if path != "/api/v1/openapi-3.0.json" {
			continue
		}
		loader := openapi3.NewLoader()
		spec, err := loader.LoadFromData(r.body)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if err := spec.Validate(context.Background()); err != nil {
			t.Errorf("validate: %v", err)
		}
	}
}

// TestScorecard: the sub-scopes of a scope × the indicators, misses first,
// with the scope's own row; values as the engine computes them.
func TestScorecard(t *testing.T) {
	e := newEnv(t)
	var sc struct {
		Period string `json:"period"`
		Scope  struct {
			Scope, ScopeID string
			Cells          []struct {
				Indicator string             `json:"indicator"`
				Value     *float64           `json:"value"`
				Status    string             `json:"status"`
				Spread    *indicators.Spread `json:"spread"`
			} `json:"cells"`
		} `json:"scope"`
		Indicators []struct {
			ID string `json:"id"`
		} `json:"indicators"`
		Rows []struct {
			ScopeID string `json:"scope_id"`
			Name    string `json:"name"`
			Missed  int    `json:"missed"`
			Cells   []struct {
				Indicator string   `json:"indicator"`
				Value     *float64 `json:"value"`
				Target    *float64 `json:"target"`
				Status    string   `json:"status"`
				Sample    uint64   `json:"sample"`
				Spread    any      `json:"spread"`
			} `json:"cells"`
		} `json:"rows"`
	}
	r := e.do("GET", "/api/v1/scorecard?period=2026-05&scope=department:75", "director", "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r.decode(t, &sc)
	// PAR-18: 7 of 10 within 20 minutes, under the national 80: missed,
	// so first; PAR-11: 9 of 10, met.
	if len(sc.Rows) != 2 || sc.Rows[0].ScopeID != "PAR-18" || sc.Rows[0].Name != "Paris 18" || sc.Rows[0].Missed < 1 || sc.Rows[1].ScopeID != "PAR-11" {
		t.Fatalf("rows: %+v", sc.Rows)
	}
	cell := func(i int, id string) (float64, string, uint64) {
		for _, c := range sc.Rows[i].Cells {
			if c.Indicator == id && c.Value != nil {
				return *c.Value, c.Status, c.Sample
			}
		}
		return -1, "", 0
	}
	if v, st, n := cell(0, "reception.wait_20min"); v != 70 || st != "missed" || n != 10 {
		t.Errorf("PAR-18: %v %s %d", v, st, n)
	}
	if v, st, _ := cell(1, "reception.wait_20min"); v != 90 || st != "met" {
		t.Errorf("PAR-11: %v %s", v, st)
	}
	// The spread of department 75 over its sites: 70 and 90, both with
	// the minimum sample; nearest rank p10 ⌈0.2⌉ = 1st = 70, median ⌈1⌉ =
	// 1st = 70, p90 ⌈1.8⌉ = 2nd = 90; PAR-18 missed the national 80.
	spread := "2 sites 70 70 70 90 90, 1 missed"
	for _, c := range sc.Scope.Cells {
		if c.Indicator != "reception.wait_20min" {
			continue
		}
		if c.Value == nil || *c.Value != 80 {
			t.Errorf("department 75 pools 16 of 20: %v", c.Value)
		}
		if s := c.Spread; s == nil || fmt.Sprintf("%d sites %v %v %v %v %v, %d missed", s.Sites, *s.Min, *s.P10, *s.Median, *s.P90, *s.Max, s.Missed) != spread {
			t.Errorf("department 75 spread %+v, want %s", s, spread)
		}
	}
	for _, row := range sc.Rows {
		for _, c := range row.Cells {
			if c.Spread != nil {
				t.Errorf("site %s %s: spread %v, want none (sub-scope rows have none)", row.ScopeID, c.Indicator, c.Spread)
			}
		}
	}
	if len(sc.Indicators) == 0 || sc.Indicators[0].ID != "reception.wait_20min" {
		t.Errorf("columns: %+v", sc.Indicators)
	}
	// The nation's rows are its regions.
	r = e.do("GET", "/api/v1/scorecard?period=2026-05", "director", "")
	r.decode(t, &sc)
	var regions []string
	for _, row := range sc.Rows {
		regions = append(regions, row.ScopeID)
	}
	if fmt.Sprint(regions) != "[11 44]" && fmt.Sprint(regions) != "[44 11]" {
		t.Errorf("national rows %v", regions)
	}
}
