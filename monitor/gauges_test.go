package monitor_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"globaloffice/api"
	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/monitor"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

var sites = []model.Site{
	{ID: "PAR-11", Name: "Paris 11", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "PAR-18", Name: "Paris 18", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
}

// fixture is a database of the test's own with, in June 2026, 9 of 10
// visits within 20 minutes at PAR-11 and 7 of 10 at PAR-18 (nationally 16
// of 20: 80%), and a national 2026 target of 85% for reception.wait_20min;
// the rest of the catalog has no data. It serves the collectors and
// /metrics as serve does, over reg.
type fixture struct {
	db  *store.DB
	eng *indicators.Engine
	reg *prometheus.Registry
	svc *ingest.Service
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := chtest.New(t)
	if err := db.UpsertSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := ingest.NewMetrics(reg)
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{}, m, nil)
	t.Cleanup(func() { w.Close() })
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("k")), ingest.Lists{
		Channels: []string{"reception"}, CaseKinds: []string{"claim"}, Dimensions: []string{"overall"}, Segments: model.DefaultSegments,
	}, ingest.DefaultLimits, m)
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, reg: reg, svc: svc, now: time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC)}
	f.eng = indicators.NewEngine(db, cat, false)
	f.eng.Now = func() time.Time { return f.now }
	csv := "id,site,channel,arrived_at,answered_at,ended_at,outcome,user_ref\n" +
		visits("PAR-11", 9, 1) + visits("PAR-18", 7, 3)
	res, err := svc.Ingest(ctx, ingest.KindContacts, ingest.FormatCSV, strings.NewReader(csv), ingest.Options{Source: "qms"})
	if err != nil || res.Rejected > 0 {
		t.Fatalf("ingest: %v %+v", err, res.Rejects)
	}
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,85\n"), cat, sites, "dg", f.now, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, db, ts); err != nil {
		t.Fatal(err)
	}
	return f
}

// visits are within visits waiting 10 minutes and beyond visits waiting
// 30 minutes at site on 9 June 2026.
func visits(site string, within, beyond int) string {
	var b strings.Builder
	for i := range within + beyond {
		ans := "09:10:00"
		if i >= within {
			ans = "09:30:00"
		}
		b.WriteString(site + "-" + string(rune('a'+i)) + "," + site + ",reception,2026-06-09T09:00:00,2026-06-09T" + ans + ",2026-06-09T09:40:00,served,\n")
	}
	return b.String()
}

func TestGauges(t *testing.T) {
	f := newFixture(t)
	g := monitor.New(f.eng)
	ctx := context.Background()
	names := []string{"globaloffice_indicator_value", "globaloffice_indicator_target", "globaloffice_indicator_target_met",
		"globaloffice_indicator_last_computed_timestamp_seconds", "globaloffice_indicator_compute_failures_total"}
	check := func(step, want string) {
		t.Helper()
		if err := testutil.CollectAndCompare(g, strings.NewReader(want), names...); err != nil {
			t.Errorf("%s: %v", step, err)
		}
	}
	const help = `# HELP globaloffice_indicator_compute_failures_total Computations of the indicator gauges that failed (the previous figures stay exposed).
# TYPE globaloffice_indicator_compute_failures_total counter
# HELP globaloffice_indicator_last_computed_timestamp_seconds When the indicator gauges were last computed successfully (Unix time; 0: never).
# TYPE globaloffice_indicator_last_computed_timestamp_seconds gauge
`
	check("before the first refresh", help+"globaloffice_indicator_compute_failures_total 0\nglobaloffice_indicator_last_computed_timestamp_seconds 0\n")

	// June: 16 of 20 visits within 20 minutes, 80% against 85%: missed.
	// The other published indicators have no data: no value, no status.
	if err := g.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	june := help + `globaloffice_indicator_compute_failures_total 0
globaloffice_indicator_last_computed_timestamp_seconds 1.7819568e+09
# HELP globaloffice_indicator_target National target of a published indicator for the current month's year (absent when none is set).
# TYPE globaloffice_indicator_target gauge
globaloffice_indicator_target{indicator="reception.wait_20min"} 85
# HELP globaloffice_indicator_target_met 1 when the current month's national value meets its target, 0 when it misses it; absent with no target or too small a sample.
# TYPE globaloffice_indicator_target_met gauge
globaloffice_indicator_target_met{indicator="reception.wait_20min"} 0
# HELP globaloffice_indicator_value National value of a published indicator for the current month (absent until it has one), in the indicator's unit.
# TYPE globaloffice_indicator_value gauge
globaloffice_indicator_value{indicator="reception.wait_20min"} 80
`
	check("June", june)

	// A failed computation keeps June's figures and is counted.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.Refresh(cctx); err == nil {
		t.Error("refresh with a cancelled context: no error")
	}
	check("after a failure", strings.Replace(june, "failures_total 0", "failures_total 1", 1))

	// July: the current month has no data yet; the target stays.
	f.now = time.Date(2026, 7, 1, 0, 30, 0, 0, time.UTC)
	if err := g.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	check("July", help+`globaloffice_indicator_compute_failures_total 1
globaloffice_indicator_last_computed_timestamp_seconds 1.7828658e+09
# HELP globaloffice_indicator_target National target of a published indicator for the current month's year (absent when none is set).
# TYPE globaloffice_indicator_target gauge
globaloffice_indicator_target{indicator="reception.wait_20min"} 85
`)
	// Back in June with the target lowered to 75%: 80% meets it.
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,75\n"), f.eng.Catalog, sites, "dg", f.now, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, f.db, ts); err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC)
	if err := g.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	june = strings.Replace(june, "failures_total 0", "failures_total 1", 1)
	june = strings.Replace(june, `{indicator="reception.wait_20min"} 85`, `{indicator="reception.wait_20min"} 75`, 1)
	check("June, target 75", strings.Replace(june, `target_met{indicator="reception.wait_20min"} 0`, `target_met{indicator="reception.wait_20min"} 1`, 1))

	published := 0
	for _, d := range f.eng.Catalog.Indicators {
		if d.Published {
			published++
		}
	}
	if n := testutil.CollectAndCount(g, "globaloffice_indicator_sample"); n != published {
		t.Errorf("sample series: %d, want one per published indicator (%d)", n, published)
	}
}

func TestCurrentMonth(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	f := func(now time.Time, want string) {
		t.Helper()
		p, err := monitor.CurrentMonth(now)
		if err != nil || p.Name != want || p.Kind != "month" {
			t.Errorf("CurrentMonth(%v) = %v %q, %v; want month %s", now, p.Kind, p.Name, err, want)
		}
	}
	f(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "2026-06")
	f(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC).In(paris), "2026-07") // 1 July, 01:30 in Paris
	f(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-01")
}

// TestServerMetricsPassPromtool scrapes /metrics of a real server, with
// the collectors' series and the indicator gauges as serve registers them,
// and has promtool check metrics lint it.
func TestServerMetricsPassPromtool(t *testing.T) {
	promtool := promtoolPath(t)
	f := newFixture(t)
	g := monitor.New(f.eng)
	f.reg.MustRegister(g)
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A refused record, so that the rejects' series exist too.
	res, err := f.svc.Ingest(context.Background(), ingest.KindContacts, ingest.FormatCSV,
		strings.NewReader("id,site,channel,arrived_at,answered_at,ended_at,outcome,user_ref\nx,PAR-11,fax,2026-06-09T09:00:00,,,served,\n"), ingest.Options{Source: "qms"})
	if err != nil || res.Rejected != 1 {
		t.Fatalf("ingest: %v, %d rejected, want 1", err, res.Rejected)
	}
	keys := auth.NewKeyring(f.db.Tokens, time.Minute)
	srv := httptest.NewServer(api.New(api.Deps{
		Server:   &api.Server{Engine: f.eng, DB: f.db, Keyring: keys, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.eng.Now},
		Ingest:   ingest.Routes(f.svc, ingest.HTTPOptions{}),
		Gatherer: f.reg, Registry: f.reg,
	}))
	defer srv.Close()
	// A request first, so that the HTTP series exist.
	if resp, err := http.Get(srv.URL + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	for _, want := range []string{`globaloffice_indicator_value{indicator="reception.wait_20min"} 80`,
		`globaloffice_ingest_records_total{kind="contacts",outcome="rejected",source="qms"} 1`,
		`globaloffice_http_request_duration_seconds_count{`, "globaloffice_indicator_compute_failures_total 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(string(body))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// promtoolPath finds promtool: a test without it is skipped, unless CI is
// set (.ci/run installs Debian's prometheus package), where it fails.
func promtoolPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("promtool is required in CI (Debian package prometheus): %v", err)
		}
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	return p
}
