package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
)

var testSites = []model.Site{
	{ID: "PAR-11", Name: "Paris 11e", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "CAY-973", Name: "Cayenne", Kind: model.SiteAgency, Region: "03", Department: "973", Zone: model.ZoneGuyane, Timezone: "America/Cayenne"},
}

type env struct {
	db    *store.DB
	svc   *ingest.Service
	w     *ingest.Writer
	spool *ingest.Spool
	url   string
}

func newEnv(t testing.TB, db *store.DB, spoolDir string, limits ...ingest.Limits) *env {
	t.Helper()
	ctx := context.Background()
	if err := db.UpsertSites(ctx, testSites); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour, InsertTimeout: 10 * time.Second}, ingest.NewMetrics(nil), nil)
	t.Cleanup(w.Close)
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("test-key")),
		ingest.Lists{
			Channels:   []string{"reception", "appointment", "phone", "email", "mail", "online"},
			CaseKinds:  []string{"reimbursement", "email_reply"},
			Dimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend"},
			Segments:   []string{"priority_public", "assisted"},
			Scales:     map[string]model.Scale{"recommend": model.Scale0to10}, // the configured default
		}, append(limits, ingest.Limits{MaxLineBytes: 4096, MaxRecords: 50})[0], nil)
	svc.SetSitesCache(filepath.Join(spoolDir, "sites.json"))
	srv := httptest.NewServer(ingest.Handler(svc, ingest.HTTPOptions{MaxBodyBytes: 64 << 10, BodyTimeout: 5 * time.Second}))
	t.Cleanup(srv.Close)
	return &env{db: db, svc: svc, w: w, spool: sp, url: srv.URL}
}

func (e *env) post(t *testing.T, kind, ctype, body string) (int, ingest.Result, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1/ingest/"+kind, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res ingest.Result
	var problem map[string]any
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("answer %s: %v", b, err)
		}
	} else {
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("status %d with Content-Type %q, want application/problem+json", resp.StatusCode, ct)
		}
		_ = json.Unmarshal(b, &problem)
	}
	return resp.StatusCode, res, problem
}

func (e *env) count(t *testing.T, q string) uint64 {
	t.Helper()
	var n uint64
	if err := e.db.Conn().QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

const contactHeader = "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n"

func TestFormats(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	csv := contactHeader +
		"C1,qms,PAR-11,reception,2026-05-14T09:03:12,2026-05-14T09:15:00,2026-05-14T09:25:00,served,inscription,U1,accueil-1\n" +
		"C2,qms,PAR-11,reception,2026-05-14T09:05:00,,,abandoned,inscription,,accueil-1\n"
	ndjson := `{"id":"N1","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","answered_at":"2026-05-14T12:00:40Z","ended_at":"2026-05-14T12:05:00Z","outcome":"served","user_ref":"U1"}` + "\n" +
		`{"id":"N2","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-05-14T12:01:00Z","outcome":"abandoned"}` + "\n"
	jsonArr := `[{"id":"J1","source":"crm","site":"PAR-11","channel":"email","arrived_at":"2026-05-14T10:00:00+02:00","answered_at":"2026-05-15T10:00:00+02:00","outcome":"served"},
	{"id":"J2","source":"crm","site":"PAR-11","channel":"email","arrived_at":"2026-05-14T11:00:00+02:00","outcome":"redirected"}]`
	jsonObj := `{"id":"J3","source":"crm","site":"PAR-11","channel":"online","arrived_at":"2026-05-14T11:00:00Z","outcome":"overflow"}`
	for _, tc := range []struct{ ctype, body string }{
		{"text/csv; charset=utf-8", csv},
		{"application/x-ndjson", ndjson},
		{"application/json", jsonArr},
		{"application/json", jsonObj},
	} {
		status, res, problem := e.post(t, "contacts", tc.ctype, tc.body)
		want := strings.Count(tc.body, `"id"`) + strings.Count(tc.body, ",qms,")
		if status != 200 || res.Accepted != want || res.Rejected != 0 {
			t.Errorf("%s: status %d, %+v %v; want %d accepted", tc.ctype, status, res, problem, want)
		}
	}
	if n := e.count(t, "SELECT count() FROM contacts"); n != 7 {
		t.Errorf("%d contacts stored, want 7", n)
	}
	// Local time without offset is the site's: 09:03:12 in Paris in May (UTC+2) is 07:03:12Z.
	if n := e.count(t, "SELECT count() FROM contacts WHERE id = 'C1' AND arrived_at = toDateTime('2026-05-14 07:03:12', 'UTC') AND answered_at = toDateTime('2026-05-14 07:15:00', 'UTC')"); n != 1 {
		t.Error("C1 not stored at 07:03:12Z")
	}
	// user_ref is pseudonymised, stable across channels and sources, never raw.
	if n := e.count(t, "SELECT count() FROM contacts WHERE user_ref = 'U1'"); n != 0 {
		t.Error("raw user_ref stored")
	}
	if n := e.count(t, "SELECT uniqExact(user_ref) FROM contacts WHERE id IN ('C1', 'N1')"); n != 1 {
		t.Error("the same person got two references")
	}
	if n := e.count(t, "SELECT count() FROM contacts WHERE id = 'C2' AND user_ref = ''"); n != 1 {
		t.Error("an empty user_ref must stay empty")
	}
}

func TestRejectReasons(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	good := `{"id":"OK%d","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","answered_at":"2026-05-14T12:00:30Z","outcome":"served"}`
	goodCase := `{"id":"OK%d","source":"s","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","completed_at":"2026-05-07T08:00:00Z","status":"completed","updated_at":"2026-05-07T08:00:00Z"}`
	goodSurvey := `{"id":"OK%d","source":"s","site":"PAR-11","channel":"reception","survey":"post","mode":"sms","answered_at":"2026-05-14T12:00:00Z","scale":"1-5","scores":{"overall":4}}`
	tests := []struct {
		name, kind, bad, field, reason string
	}{
		{"missing id", "contacts", `{"source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`, "id", "required"},
		{"unknown site", "contacts", `{"id":"X","source":"s","site":"LYO","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`, "site", `unknown site "LYO"`},
		{"unknown channel", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"fax","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`, "channel", `unknown channel "fax"`},
		{"unknown outcome", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"lost"}`, "outcome", `"lost" is not one of`},
		{"unparsable time", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arrived_at":"14/05/2026 12:00","outcome":"abandoned"}`, "arrived_at", "is not a time"},
		{"answered before arrived", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","answered_at":"2026-05-14T11:59:59Z","outcome":"served"}`, "answered_at", "is before arrived_at"},
		{"impossible date", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-02-30T12:00:00Z","outcome":"abandoned"}`, "arrived_at", "is not a time"},
		{"time in the future", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2099-01-01T12:00:00Z","outcome":"abandoned"}`, "arrived_at", "in the future"},
		{"unknown field", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`, "arived_at", "unknown field"},
		{"missing source", "contacts", `{"id":"X","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`, "source", "required"},
		{"not an object", "contacts", `[1,2]`, "", "not a JSON object"},
		{"served without answer", "contacts", `{"id":"X","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"served"}`, "answered_at", "required when outcome is served"},
		{"unknown case kind", "cases", `{"id":"X","source":"s","site":"PAR-11","kind":"tax","channel":"mail","received_at":"2026-05-04T08:00:00Z","status":"open","updated_at":"2026-05-04T08:00:00Z"}`, "kind", `unknown case kind "tax"`},
		{"completed before received", "cases", `{"id":"X","source":"s","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","completed_at":"2026-05-03T08:00:00Z","status":"completed","updated_at":"2026-05-04T08:00:00Z"}`, "completed_at", "is before received_at"},
		{"score off its scale", "surveys", `{"id":"X","source":"s","site":"PAR-11","channel":"reception","survey":"post","mode":"sms","answered_at":"2026-05-14T12:00:00Z","scale":"1-5","scores":{"overall":6}}`, "score_overall", "6 is off the 1-5 scale"},
		{"unknown dimension", "surveys", `{"id":"X","source":"s","site":"PAR-11","channel":"reception","survey":"post","mode":"sms","answered_at":"2026-05-14T12:00:00Z","scale":"1-5","scores":{"speed":3}}`, "score_speed", "unknown survey dimension"},
		{"no score", "surveys", `{"id":"X","source":"s","site":"PAR-11","channel":"reception","survey":"post","mode":"sms","answered_at":"2026-05-14T12:00:00Z","scale":"0-10"}`, "scores", "no score"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := map[string]string{"contacts": good, "cases": goodCase, "surveys": goodSurvey}[tt.kind]
			body := fmt.Sprintf(g, 2*i) + "\n" + tt.bad + "\n" + fmt.Sprintf(g, 2*i+1) + "\n"
			status, res, problem := e.post(t, tt.kind, "application/x-ndjson", body)
			if status != 200 {
				t.Fatalf("status %d %v", status, problem)
			}
			if res.Accepted != 2 || res.Rejected != 1 || len(res.Rejects) != 1 {
				t.Fatalf("result %+v, want the 2 good records around the bad one accepted and 1 rejected", res)
			}
			r := res.Rejects[0]
			if r.Line != 2 || (tt.field != "" && r.Field != tt.field) || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reject %+v, want line 2 field %q reason containing %q", r, tt.field, tt.reason)
			}
		})
	}
	// Every reject is stored with its raw text.
	if n := e.count(t, "SELECT count() FROM ingest_rejects WHERE raw != '' AND line = 2"); n != uint64(len(tests)) {
		t.Errorf("%d rejects stored, want %d", n, len(tests))
	}
	resp, err := http.Get(e.url + "/api/v1/ingest/rejects?kind=surveys")
	if err != nil {
		t.Fatal(err)
	}
	var listed struct{ Rejects []map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&listed)
	resp.Body.Close()
	if len(listed.Rejects) != 3 {
		t.Errorf("GET rejects?kind=surveys listed %d, want 3", len(listed.Rejects))
	}
}

func TestBodyErrors(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	rec := `{"id":"%d","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`
	var many strings.Builder
	for i := 0; i < 51; i++ {
		fmt.Fprintf(&many, rec+"\n", i)
	}
	huge := "[" + strings.Repeat(fmt.Sprintf(rec, 1)+",", 700) + fmt.Sprintf(rec, 2) + "]"
	tests := []struct {
		name, ctype, body string
		status            int
		detail            string
	}{
		{"wrong content type", "application/xml", "<a/>", 415, "application/xml"},
		{"no content type", "", "{}", 415, "Content-Type"},
		{"empty body", "application/json", "", 400, "empty body"},
		{"empty csv", "text/csv", "", 400, "empty body"},
		{"csv header only", "text/csv", contactHeader, 400, "no records"},
		{"truncated JSON", "application/json", `[` + fmt.Sprintf(rec, 1) + `,{"id":"2","sou`, 400, "truncated JSON"},
		{"binary garbage", "application/x-ndjson", "\x00\x01\x02\xff\xfe garbage", 400, "binary data"},
		{"binary garbage csv", "text/csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 400, "binary"},
		{"oversized line", "application/x-ndjson", `{"id":"` + strings.Repeat("x", 5000) + `"}`, 400, "line longer than 4096 bytes"},
		{"oversized csv line", "text/csv", contactHeader + "X," + strings.Repeat("y", 5000) + "\n", 400, "line 2: line longer than 4096 bytes"},
		{"binary in a later csv line", "text/csv", contactHeader + "a,b\nc\x00d\n", 400, "line 3: binary data"},
		{"too many records", "application/x-ndjson", many.String(), 413, "more than 50 records"},
		{"body too large", "application/json", huge, 413, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, problem := e.post(t, "contacts", tt.ctype, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d (%v)", status, tt.status, problem)
			}
			if d, _ := problem["detail"].(string); !strings.Contains(d, tt.detail) {
				t.Errorf("detail %q does not contain %q", d, tt.detail)
			}
		})
	}
	if n := e.count(t, "SELECT count() FROM contacts"); n != 0 {
		t.Errorf("%d contacts stored from refused bodies, want 0", n)
	}
	if status, _, _ := e.post(t, "letters", "application/json", "{}"); status != 404 {
		t.Errorf("unknown kind: status %d, want 404", status)
	}
}

func TestDuplicatesAndCaseVersions(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	body := contactHeader +
		"D1,qms,PAR-11,reception,2026-05-14T09:03:12,2026-05-14T09:15:00,,served,,U1,\n" +
		"D2,qms,PAR-11,reception,2026-06-14T09:03:12,,,abandoned,,U2,\n" +
		"D1,qms,PAR-11,reception,2026-05-14T09:03:12,2026-05-14T09:15:00,,served,,U1,\n"
	_, res, _ := e.post(t, "contacts", "text/csv", body)
	if res.Accepted != 2 || res.Duplicates != 1 {
		t.Errorf("first send: %+v, want 2 accepted and 1 duplicate within the request", res)
	}
	_, res, _ = e.post(t, "contacts", "text/csv", body)
	if res.Accepted != 0 || res.Duplicates != 3 {
		t.Errorf("second send: %+v, want 0 accepted and 3 duplicates", res)
	}
	// Same id from another source is another record.
	_, res, _ = e.post(t, "contacts", "text/csv", strings.ReplaceAll(body, ",qms,", ",other,"))
	if res.Accepted != 2 {
		t.Errorf("other source: %+v, want 2 accepted", res)
	}
	if n := e.count(t, "SELECT count() FROM contacts"); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}

	open := `{"id":"K1","source":"cms","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","status":"open","updated_at":"2026-05-04T08:00:00Z"}`
	done := `{"id":"K1","source":"cms","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-05-04T08:00:00Z","completed_at":"2026-05-09T08:00:00Z","status":"completed","updated_at":"2026-05-09T08:00:00Z"}`
	if _, res, _ = e.post(t, "cases", "application/x-ndjson", open); res.Accepted != 1 {
		t.Errorf("open version: %+v", res)
	}
	if _, res, _ = e.post(t, "cases", "application/x-ndjson", done); res.Accepted != 1 {
		t.Errorf("newer version: %+v, want accepted", res)
	}
	if _, res, _ = e.post(t, "cases", "application/x-ndjson", open+"\n"+done); res.Accepted != 0 || res.Duplicates != 2 {
		t.Errorf("old and current versions again: %+v, want 2 duplicates", res)
	}
	// Two new versions in one batch are both new records; the newest wins.
	both := strings.ReplaceAll(open+"\n"+done, `"K1"`, `"K2"`)
	if _, res, _ = e.post(t, "cases", "application/x-ndjson", both); res.Accepted != 2 || res.Duplicates != 0 {
		t.Errorf("open and completed versions of a new case in one batch: %+v, want 2 accepted", res)
	}
	if _, res, _ = e.post(t, "cases", "application/x-ndjson", open); res.Duplicates != 1 {
		t.Errorf("an older version than the stored one: %+v, want a duplicate", res)
	}
	var status string
	if err := e.db.Conn().QueryRow(context.Background(), "SELECT toString(argMax(status, updated_at)) FROM cases WHERE id = 'K2'").Scan(&status); err != nil || status != "completed" {
		t.Errorf("K2 latest version status %q, %v; want completed", status, err)
	}
	if err := e.db.Conn().QueryRow(context.Background(), "SELECT toString(argMax(status, updated_at)) FROM cases WHERE id = 'K1'").Scan(&status); err != nil || status != "completed" {
		t.Errorf("latest version status %q, %v; want completed", status, err)
	}
	if n := e.count(t, "SELECT count() FROM cases FINAL"); n != 2 {
		t.Errorf("cases FINAL: %d rows, want 2 (one per case)", n)
	}
}

func TestLocalTimesAtDSTChange(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	cayenne, _ := time.LoadLocation("America/Cayenne")
	tests := []struct {
		in   string
		loc  *time.Location
		want string // UTC, or "" for an error
	}{
		{"2026-03-29T01:59:59", paris, "2026-03-29T00:59:59Z"}, // last second of winter time (UTC+1)
		{"2026-03-29T02:30:00", paris, ""},                     // skipped hour: does not exist
		{"2026-03-29T03:00:00", paris, "2026-03-29T01:00:00Z"}, // summer time (UTC+2)
		{"2026-10-25T02:30:00", paris, "2026-10-25T00:30:00Z"}, // repeated hour: first occurrence (UTC+2)
		{"2026-10-25T03:30:00", paris, "2026-10-25T02:30:00Z"}, // after the change (UTC+1)
		{"2026-03-29T02:30:00", cayenne, "2026-03-29T05:30:00Z"},
		{"2026-05-31 23:30:00", cayenne, "2026-06-01T02:30:00Z"},
		{"2026-05-31T22:30:00+02:00", cayenne, "2026-05-31T20:30:00Z"}, // an offset wins over the site's zone
		{"2026-05-31T22:30:00.750Z", paris, "2026-05-31T22:30:00Z"},    // truncated to the second
	}
	for _, tt := range tests {
		got, err := ingest.ParseTime(tt.in, tt.loc)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), "does not exist") {
				t.Errorf("%s in %s: %v, %v; want a does-not-exist error", tt.in, tt.loc, got, err)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tt.want {
			t.Errorf("%s in %s = %v, %v; want %s", tt.in, tt.loc, got, err, tt.want)
		}
	}
}

func TestLocalDatesNearMidnight(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	body := `{"id":"M1","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-05-31T22:30:00Z","outcome":"abandoned"}
{"id":"M2","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-05-31T22:30:00Z","outcome":"abandoned"}
{"id":"M3","source":"acd","site":"CAY-973","channel":"phone","arrived_at":"2026-06-01T02:30:00Z","outcome":"abandoned"}`
	if _, res, _ := e.post(t, "contacts", "application/x-ndjson", body); res.Accepted != 3 {
		t.Fatalf("%+v", res)
	}
	// 22:30Z is 00:30 on 1 June in Paris (UTC+2) but 19:30 on 31 May in
	// Cayenne (UTC−3); 02:30Z is 23:30 on 31 May in Cayenne.
	for id, want := range map[string]string{"M1": "2026-06-01", "M2": "2026-05-31", "M3": "2026-05-31"} {
		if n := e.count(t, "SELECT count() FROM contacts WHERE id = '"+id+"' AND arrived_date = toDate('"+want+"')"); n != 1 {
			t.Errorf("%s: arrived_date is not %s", id, want)
		}
	}
	c := `{"id":"K","source":"cms","site":"PAR-11","kind":"reimbursement","channel":"mail","received_at":"2026-06-24T21:59:59Z","completed_at":"2026-06-30T22:00:00Z","status":"completed","updated_at":"2026-06-30T22:00:00Z"}`
	if _, res, _ := e.post(t, "cases", "application/x-ndjson", c); res.Accepted != 1 {
		t.Fatalf("%+v", res)
	}
	if n := e.count(t, "SELECT count() FROM cases WHERE received_date = toDate('2026-06-24') AND completed_date = toDate('2026-07-01')"); n != 1 {
		t.Error("case local dates: want received 24 June (23:59:59 in Paris), completed 1 July (00:00 in Paris)")
	}
}

// TestResendLongIDs: looking up which of many long ids are stored must stay
// under ClickHouse's max_query_size (256 KiB); over it the lookup failed, the
// records were spooled, and the drain, refused the same way, quarantined the
// segment: accepted records never stored.
func TestResendLongIDs(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 10_000})
	var b strings.Builder
	const n = 4100
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id":"%070d","source":"long","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`+"\n", i)
	}
	for _, tc := range []struct {
		name                 string
		accepted, duplicates int
	}{{"first send", n, 0}, {"sent again", 0, n}} {
		res, err := e.svc.Ingest(t.Context(), ingest.KindContacts, ingest.FormatNDJSON, strings.NewReader(b.String()), ingest.Options{})
		if err != nil || res.Accepted != tc.accepted || res.Duplicates != tc.duplicates || res.Spooled != 0 {
			t.Fatalf("%s: %v, accepted %d duplicates %d spooled %d; want %d, %d, 0", tc.name, err, res.Accepted, res.Duplicates, res.Spooled, tc.accepted, tc.duplicates)
		}
	}
	if segs, _ := e.spool.Segments(); len(segs) != 0 {
		t.Errorf("%d spool segments with ClickHouse up", len(segs))
	}
}

// TestJSONInvalidUTF8: like NDJSON and CSV records, a JSON record with bytes
// that are not UTF-8 is refused, not stored (and its spooled copy would be
// altered by the spool's JSON encoding, so stored twice under two ids).
func TestJSONInvalidUTF8(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir())
	rec := `{"id":"%s","source":"s","site":"PAR-11","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned","motive":"%s"}`
	for _, tt := range []struct{ name, ctype, body string }{
		{"array", "application/json", "[" + fmt.Sprintf(rec, "U1", "ok") + "," + fmt.Sprintf(rec, "U2", "caf\xe9") + "]"},
		{"object", "application/json", fmt.Sprintf(rec, "U3", "caf\xe9")},
		{"ndjson", "application/x-ndjson", fmt.Sprintf(rec, "U4", "caf\xe9")},
	} {
		status, res, problem := e.post(t, "contacts", tt.ctype, tt.body)
		if status != 200 || res.Rejected != 1 || len(res.Rejects) != 1 || !strings.Contains(res.Rejects[0].Reason, "UTF-8") {
			t.Errorf("%s: status %d %+v %v; want the record with a non-UTF-8 byte refused", tt.name, status, res, problem)
		}
	}
	if n := e.count(t, "SELECT count() FROM contacts WHERE id IN ('U2', 'U3', 'U4')"); n != 0 {
		t.Errorf("%d contacts stored with bytes that are not UTF-8", n)
	}
}

// TestUnknownSitesWhileClickHouseAway: records naming an unknown site make
// the sites reload; with ClickHouse away each reload waits for the dial
// timeout, and a failed reload was retried for every such record (under the
// lock every request takes), so a body of N such records took N timeouts.
func TestUnknownSitesWhileClickHouseAway(t *testing.T) {
	db, cut := ingest.ProxiedDB(t, time.Second)
	e := newEnv(t, db, t.TempDir())
	if status, res, problem := e.post(t, "contacts", "application/x-ndjson", contactsNDJSON(0, 1)); status != 200 || res.Accepted != 1 {
		t.Fatalf("%d %+v %v", status, res, problem)
	}
	time.Sleep(5500 * time.Millisecond) // the sites are older than the retry-on-miss delay
	cut(true)
	var b strings.Builder
	// 40 records: retried for each, the reload would take ≥ 40 dial
	// timeouts (40 s); once, about one (1 s). The bound between is wide so
	// that a loaded machine does not fail the test.
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, `{"id":"X%d","source":"s","site":"NOPE-%d","channel":"phone","arrived_at":"2026-05-14T12:00:00Z","outcome":"abandoned"}`+"\n", i, i)
	}
	t0 := time.Now()
	status, res, problem := e.post(t, "contacts", "application/x-ndjson", b.String())
	if status != 200 || res.Rejected != 40 {
		t.Errorf("status %d %+v %v; want 40 rejects (spooled)", status, res, problem)
	}
	if d := time.Since(t0); d > 20*time.Second {
		t.Errorf("answered after %s: the sites reload was retried for every record", d.Round(time.Second))
	}
}
