package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"globaloffice/api"
	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// Sites of the fixture: two in Paris (department 75, region 11), one in
// Strasbourg (department 67, region 44).
var fixtureSites = []model.Site{
	{ID: "PAR-11", Name: "Paris 11", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "PAR-18", Name: "Paris 18", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "STR-67", Name: "Strasbourg", Kind: model.SiteAgency, Region: "44", Department: "67", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris"},
}

// today is the fixture's date: May 2026 is closed, June is not.
var today = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// env is a real server over a database of the test's own, with data, a
// closed period and a token of every kind.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	db     *store.DB
	eng    *indicators.Engine // the server's
	ref    *indicators.Engine // another, uncached, for expected figures
	svc    *ingest.Service
	reg    *prometheus.Registry
	tokens map[string]string // secret by name
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, api.Limits{})
}

// newEnvWith is newEnv with limits.
func newEnvWith(t *testing.T, limits api.Limits) *env {
	t.Helper()
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.UpsertSites(ctx, fixtureSites); err != nil {
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
		Channels: []string{"reception", "phone"}, CaseKinds: []string{"claim"}, Dimensions: []string{"overall"},
		Segments: model.DefaultSegments,
	}, ingest.DefaultLimits, m)
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eng := indicators.NewEngine(db, cat, false)
	eng.Now, eng.CacheFor = func() time.Time { return today }, time.Minute
	ref := indicators.NewEngine(db, cat, false)
	ref.Now = eng.Now
	keys := auth.NewKeyring(db.Tokens, time.Minute)
	e := &env{t: t, db: db, eng: eng, ref: ref, svc: svc, reg: reg, tokens: map[string]string{}}
	for _, tk := range []struct {
		name           string
		role           model.Role
		sites, sources []string
		ttl            time.Duration
	}{
		{"admin", model.RoleAdmin, nil, nil, 0},
		{"director", model.RoleDirector, nil, nil, 0},
		{"manager", model.RoleManager, []string{"PAR-11"}, nil, 0},
		{"manager-str", model.RoleManager, []string{"STR-67"}, nil, 0},
		{"collector", model.RoleCollector, []string{"PAR-11"}, []string{"qms"}, 0},
		{"collector-acd", model.RoleCollector, nil, []string{"acd"}, 0},
		{"revoked", model.RoleDirector, nil, nil, 0},
		{"expired", model.RoleDirector, nil, nil, time.Second},
	} {
		created := time.Now()
		if tk.name == "expired" {
			created = created.Add(-time.Hour)
		}
		tok, secret, err := auth.NewToken(tk.name, tk.role, tk.sites, tk.sources, "test", created, tk.ttl)
		if err != nil {
			t.Fatal(err)
		}
		if tk.name == "revoked" {
			tok.RevokedAt = time.Now()
		}
		if err := db.PutToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		e.tokens[tk.name] = secret
	}
	if err := keys.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	// May 2026: PAR-11 9 of 10 visits within 20 minutes, PAR-18 7 of 10,
	// STR-67 4 of 5 (below the minimum sample of 10); June: PAR-11 only.
	e.send("contacts", "test", contactsHeader+reception("PAR-11", "2026-05-12", 9, 1)+reception("PAR-18", "2026-05-12", 7, 3)+
		reception("STR-67", "2026-05-12", 4, 1)+reception("PAR-11", "2026-06-09", 10, 0))
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\nreception.wait_20min,national,2026,80\n"), cat, fixtureSites, "dg", today, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(ctx, db, ts); err != nil {
		t.Fatal(err)
	}
	may, _ := indicators.ParsePeriod("2026-05", today)
	if _, err := ref.Close(ctx, may, "dg"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{
		Server:   &api.Server{Engine: eng, DB: db, Keyring: keys, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: eng.Now, Limits: limits},
		Ingest:   ingest.Routes(svc, ingest.HTTPOptions{}),
		Gatherer: reg, Registry: reg,
		Health: func(r *http.Request) error { return db.Ping(r.Context()) },
	}))
	t.Cleanup(srv.Close)
	e.srv = srv
	return e
}

const contactsHeader = "id,site,channel,arrived_at,answered_at,ended_at,outcome,user_ref\n"

// reception writes within visits waiting 10 min and beyond visits waiting
// 30 min at site on day.
func reception(site, day string, within, beyond int) string {
	var b strings.Builder
	for i := 0; i < within+beyond; i++ {
		ans := "09:10:00"
		if i >= within {
			ans = "09:30:00"
		}
		b.WriteString(site + "-" + day + "-" + string(rune('a'+i)) + "," + site + ",reception," + day + "T09:00:00," + day + "T" + ans + "," + day + "T09:40:00,served,\n")
	}
	return b.String()
}

// send ingests CSV records through the collectors, all accepted.
func (e *env) send(kind, source, csv string) {
	e.t.Helper()
	k, _ := ingest.ParseKind(kind)
	res, err := e.svc.Ingest(context.Background(), k, ingest.FormatCSV, strings.NewReader(csv), ingest.Options{Source: source})
	if err != nil || res.Rejected > 0 {
		e.t.Fatalf("ingest %s: %v %+v", kind, err, res.Rejects)
	}
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request as the named token ("" for the public).
func (e *env) do(method, path, token, body string, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		secret, ok := e.tokens[token]
		if !ok {
			secret = token // a raw header value
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// decode reads a JSON answer into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}
