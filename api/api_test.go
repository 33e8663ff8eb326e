package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"globaloffice/api"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store/chtest"
)

func TestServerRoutesAndMetrics(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.UpsertSites(ctx, []model.Site{{ID: "PAR-11", Name: "Paris", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"}}); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := ingest.NewMetrics(reg)
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{}, m, nil)
	defer w.Close()
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("k")), ingest.Lists{Channels: []string{"phone"}, CaseKinds: []string{"claim"}, Dimensions: []string{"overall"}}, ingest.DefaultLimits, m)
	srv := httptest.NewServer(api.New(api.Deps{
		Ingest: ingest.Handler(svc, ingest.HTTPOptions{}), Gatherer: reg, Registry: reg,
		Health: func(r *http.Request) error { return db.Ping(r.Context()) },
	}))
	defer srv.Close()

	body := `{"id":"1","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}
{"id":"2","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}
{"id":"2","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}
{"id":"3","source":"acd","site":"XX","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`
	resp, err := http.Post(srv.URL+"/api/v1/ingest/contacts", "application/x-ndjson", strings.NewReader(body))
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
		resp, err := http.Get(srv.URL + path)
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
		`globaloffice_http_request_duration_seconds_count{code="OK",method="POST",route="/api/v1/ingest/*rest"} 1`,
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
