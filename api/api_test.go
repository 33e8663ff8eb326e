package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"globaloffice/ingest"
)

// newServer is a server with data (see env); the collectors' tests below
// send as the admin token.
func newServer(t *testing.T) (*env, *prometheus.Registry) {
	e := newEnv(t)
	return e, e.reg
}

func TestServerRoutesAndMetrics(t *testing.T) {
	srv, _ := newServer(t)

	body := `{"id":"1","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}
{"id":"2","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}
{"id":"2","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}
{"id":"3","source":"acd","site":"XX","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`
	req, _ := http.NewRequest("POST", srv.srv.URL+"/api/v1/ingest/contacts", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+srv.tokens["admin"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var res ingest.Result
	_ = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != 200 || res.Accepted != 2 || res.Duplicates != 1 || res.Rejected != 1 {
		t.Fatalf("ingest through the router: %d %+v", resp.StatusCode, res)
	}

	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := http.Get(srv.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	time.Sleep(10 * time.Millisecond)
	code, _, metrics := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`globaloffice_ingest_records_total{kind="contacts",outcome="accepted",source="acd"} 2`,
		`globaloffice_ingest_records_total{kind="contacts",outcome="duplicate",source="acd"} 1`,
		`globaloffice_ingest_records_total{kind="contacts",outcome="rejected",source="acd"} 1`,
		`globaloffice_ingest_rejects_total{field="site",kind="contacts"} 1`,
		`globaloffice_ingest_batch_records_count{kind="contacts"}`,
		`globaloffice_ingest_spool_segments 0`,
		`globaloffice_http_request_duration_seconds_count{code="200",method="POST",route="/api/v1/ingest/contacts"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code, _, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	if code, ct, _ := get("/nope"); code != 404 || ct != "application/problem+json" {
		t.Errorf("/nope: %d %s", code, ct)
	}
}

// TestCollectorAnswers pins what the router answers around the collectors:
// each collector under its own path, and a problem naming them for any
// other path or method under /api/v1/ingest.
func TestCollectorAnswers(t *testing.T) {
	srv, reg := newServer(t)
	const valid = "use POST /api/v1/ingest/contacts, POST /api/v1/ingest/cases, POST /api/v1/ingest/surveys or GET /api/v1/ingest/rejects"
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f := func(method, path, ctype string, wantStatus int, wantType, wantTitle, wantDetail string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.srv.URL+path, strings.NewReader(`{"id":"1","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"served"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+srv.tokens["admin"])
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p struct{ Title, Detail string }
		if resp.Header.Get("Content-Type") == "application/problem+json" {
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
		}
		if resp.StatusCode != wantStatus || resp.Header.Get("Content-Type") != wantType || p.Title != wantTitle || p.Detail != wantDetail {
			t.Errorf("%s %s: %d %s %q %q\nwant %d %s %q %q", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), p.Title, p.Detail,
				wantStatus, wantType, wantTitle, wantDetail)
		}
	}
	const js, problem = "application/json", "application/problem+json"
	f("POST", "/api/v1/ingest/contacts", js, 200, js, "", "")
	f("POST", "/api/v1/ingest/cases", "text/plain", 415, problem, "unsupported content type", `Content-Type "text/plain": send application/json, application/x-ndjson or text/csv`)
	f("GET", "/api/v1/ingest/rejects", "", 200, js, "", "")
	f("HEAD", "/api/v1/ingest/rejects", "", 200, js, "", "")
	f("GET", "/api/v1/ingest/rejects?limit=0", "", 400, problem, "bad limit", `limit="0": want 1 to 10000`)
	// Unknown collectors, wrong methods, stray slashes: 404, naming the valid ones.
	f("POST", "/api/v1/ingest/letters", js, 404, problem, "no such collector", valid)
	f("POST", "/api/v1/ingest/rejects", js, 404, problem, "no such collector", valid)
	f("GET", "/api/v1/ingest/contacts", "", 404, problem, "no such collector", valid)
	f("PUT", "/api/v1/ingest/contacts", js, 404, problem, "no such collector", valid)
	f("DELETE", "/api/v1/ingest/rejects", "", 404, problem, "no such collector", valid)
	f("POST", "/api/v1/ingest/contacts/", js, 404, problem, "no such collector", valid)
	f("GET", "/api/v1/ingest/rejects/", "", 404, problem, "no such collector", valid)
	f("GET", "/api/v1/ingest/contacts/x", "", 404, problem, "no such collector", valid)
	f("POST", "/api/v1/ingest", js, 404, problem, "no such collector", valid)
	// Elsewhere, a plain 404.
	f("POST", "/healthz", js, 404, problem, "not found", "no route POST /healthz")
	f("GET", "/api/v1/ingestion", "", 404, problem, "not found", "no route GET /api/v1/ingestion")

	// Each request counted once under its route and numeric status.
	metrics := gatherText(t, reg)
	for _, want := range []string{
		`{code="200",method="POST",route="/api/v1/ingest/contacts"} 1`,
		`{code="415",method="POST",route="/api/v1/ingest/cases"} 1`,
		`{code="200",method="GET",route="/api/v1/ingest/rejects"} 1`,
		`{code="400",method="GET",route="/api/v1/ingest/rejects"} 1`,
		`{code="200",method="HEAD",route="/api/v1/ingest/rejects"} 1`,
		`{code="404",method="POST",route="unmatched"} 5`,
		`{code="404",method="GET",route="unmatched"} 4`,
		`{code="404",method="PUT",route="unmatched"} 1`,
		`{code="404",method="DELETE",route="unmatched"} 1`,
	} {
		if !strings.Contains(metrics, "globaloffice_http_request_duration_seconds_count"+want+"\n") {
			t.Errorf("no globaloffice_http_request_duration_seconds_count%s", want)
		}
	}
}

// gatherText is the registry's metrics in the text format.
func gatherText(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
