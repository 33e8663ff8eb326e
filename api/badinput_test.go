package api_test

import (
	"strings"
	"testing"

	"globaloffice/ingest"
)

// TestBadInputCampaign sends hostile and malformed requests to the
// collector routes and every API parameter, as the caller named, and
// expects the status and the error due (a substring of the problem, or of
// the answer for a 200). SQL-looking and path-looking strings must be
// refused as values or taken as plain text, never run. Slow and truncated
// bodies are ingest's TestBodyCutShortOrSlow (the body timeout is 2 min
// here); the CLI's bad inputs are commands' TestBadInputCLI.
func TestBadInputCampaign(t *testing.T) {
	e := newEnv(t)
	maps, err := ingest.LoadMappings("") // the built-in ones
	if err != nil {
		t.Fatal(err)
	}
	e.svc.SetMappings(maps)
	const sql = "%27%3B%20DROP%20TABLE%20contacts%3B%20--" // '; DROP TABLE contacts; --
	const path = "..%2F..%2F..%2Fetc%2Fpasswd"             // ../../../etc/passwd
	rec := func(fields string) string {
		return `{"source":"qms","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned",` + fields + `}`
	}
	many := "[" + strings.Repeat("{},", 100_000) + "{}]"
	tests := []struct {
		name, method, url, token, ctype, body string
		headers                               []string
		status                                int
		want                                  string
	}{
		// Collector bodies.
		{"no content type", "POST", "/api/v1/ingest/contacts", "admin", "-", rec(`"id":"a"`), nil, 415, "unsupported content type"},
		{"wrong content type", "POST", "/api/v1/ingest/contacts", "admin", "text/html", rec(`"id":"a"`), nil, 415, `Content-Type \"text/html\"`},
		{"xml", "POST", "/api/v1/ingest/contacts", "admin", "application/xml", "<contact id='a'/>", nil, 415, "send application/json"},
		{"empty body", "POST", "/api/v1/ingest/contacts", "admin", "application/json", "", nil, 400, "empty body"},
		{"only white space", "POST", "/api/v1/ingest/contacts", "admin", "application/json", "   \n  ", nil, 400, "empty body"},
		{"truncated JSON", "POST", "/api/v1/ingest/contacts", "admin", "application/json", `[{"id":"a"`, nil, 400, "truncated JSON"},
		{"malformed JSON", "POST", "/api/v1/ingest/contacts", "admin", "application/json", `[{"id":}]`, nil, 400, "malformed JSON"},
		{"JSON scalar", "POST", "/api/v1/ingest/contacts", "admin", "application/json", `42`, nil, 400, "must be an object or an array"},
		{"data after JSON", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":"a"`) + ` x`, nil, 400, "unexpected data after the JSON value"},
		{"NUL bytes", "POST", "/api/v1/ingest/contacts", "admin", "application/x-ndjson", "{\"id\":\"a\x00\"}\n", nil, 400, "binary data"},
		{"CSV header without names", "POST", "/api/v1/ingest/contacts", "admin", "text/csv", "id,,site\n1,2,3\n", nil, 400, "column 2 of the header has no name"},
		{"CSV header twice", "POST", "/api/v1/ingest/contacts", "admin", "text/csv", "id,id\n1,2\n", nil, 400, `column \"id\" appears twice`},
		{"semicolon CSV without mapping", "POST", "/api/v1/ingest/contacts", "admin", "text/csv", "id;source;site\n1;qms;PAR-11\n", nil, 400, "needs a mapping whose delimiter is ';'"},
		{"NDJSON line over 1 MiB", "POST", "/api/v1/ingest/contacts", "admin", "application/x-ndjson", rec(`"id":"a","motive":"` + strings.Repeat("x", 1<<20) + `"`), nil, 400, "line longer than 1048576 bytes"},
		{"JSON record over 1 MiB", "POST", "/api/v1/ingest/contacts", "admin", "application/json", "[" + rec(`"id":"a","motive":"`+strings.Repeat("x", 1<<20)+`"`) + "]", nil, 400, "record 1 is longer than 1048576 bytes"},
		{"100,001 records", "POST", "/api/v1/ingest/contacts", "admin", "application/json", many, nil, 413, "more than 100000 records"},
		{"unknown mapping, path-looking", "POST", "/api/v1/ingest/contacts?mapping=" + path, "admin", "text/csv", "id\n1\n", nil, 400, "unknown mapping"},
		{"mapping of another kind", "POST", "/api/v1/ingest/contacts?mapping=limesurvey", "admin", "text/csv", "id\n1\n", nil, 400, "is for surveys, not contacts"},
		{"unknown collector", "POST", "/api/v1/ingest/widgets", "admin", "application/json", rec(`"id":"a"`), nil, 404, ""},
		{"GET on a collector", "GET", "/api/v1/ingest/contacts", "admin", "", "", nil, 404, "use POST /api/v1/ingest/contacts"},
		// Records refused one by one (the body answered 200).
		{"\\u0000 in a value", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":"a\u0000b"`), nil, 200, `NUL character`},
		{"field sent twice", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":"a","id":"b"`), nil, 200, `"field":"id","reason":"sent twice in the record"`},
		{"id over 256 bytes", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":"` + strings.Repeat("9", 257) + `"`), nil, 200, `"field":"id","reason":"longer than 256 bytes"`},
		{"unknown field", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":"a","answerd_at":"2026-06-10T09:01:00Z"`), nil, 200, `"field":"answerd_at","reason":"unknown field`},
		{"object as a value", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":{"$ne":1}`), nil, 200, `"field":"id","reason":"must be a string or a number`},
		{"time in 1970", "POST", "/api/v1/ingest/contacts", "admin", "application/json", `{"id":"t","source":"qms","site":"PAR-11","channel":"phone","arrived_at":"1970-01-01T00:00:00Z","outcome":"abandoned"}`, nil, 200, "is before 2000-01-01"},
		{"record of a source the token may not write", "POST", "/api/v1/ingest/contacts", "collector", "application/json", `{"id":"o","source":"acd","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}`, nil, 200, `"reason":"not allowed for this token"`},
		// SQL- and path-looking text is text: stored as sent.
		{"SQL-looking id", "POST", "/api/v1/ingest/contacts", "admin", "application/json", rec(`"id":"'; DROP TABLE contacts; --"`), nil, 200, `"accepted":1`},
		{"path-looking source", "POST", "/api/v1/ingest/contacts?source=" + path, "admin", "application/json", `{"id":"p","site":"PAR-11","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}`, nil, 200, `"accepted":1`},
		// Rejects' parameters.
		{"rejects: unknown kind", "GET", "/api/v1/ingest/rejects?kind=" + sql, "admin", "", "", nil, 400, "unknown record kind"},
		{"rejects: since not a time", "GET", "/api/v1/ingest/rejects?since=yesterday", "admin", "", "", nil, 400, "want RFC 3339"},
		{"rejects: limit 0", "GET", "/api/v1/ingest/rejects?limit=0", "admin", "", "", nil, 400, "want 1 to 10000"},
		{"rejects: limit not a number", "GET", "/api/v1/ingest/rejects?limit=1e9", "admin", "", "", nil, 400, "want 1 to 10000"},
		{"rejects: SQL-looking source", "GET", "/api/v1/ingest/rejects?source=" + sql, "admin", "", "", nil, 200, `{"rejects":[]}`},
		// Tokens.
		{"no token on a collector", "POST", "/api/v1/ingest/contacts", "", "application/json", rec(`"id":"a"`), nil, 401, ""},
		{"forged token", "POST", "/api/v1/ingest/contacts", "gof_" + strings.Repeat("A", 52), "application/json", rec(`"id":"a"`), nil, 401, ""},
		{"malformed token", "GET", "/api/v1/targets", "' OR 1=1 --", "", "", nil, 401, ""},
		{"revoked token", "GET", "/api/v1/targets", "revoked", "", "", nil, 401, ""},
		{"expired token", "GET", "/api/v1/targets", "expired", "", "", nil, 401, ""},
		{"Basic instead of Bearer", "GET", "/api/v1/targets", "", "", "", []string{"Authorization", "Basic YWRtaW46YWRtaW4="}, 401, ""},
		{"huge header", "GET", "/api/v1/sites", "", "", "", []string{"X-Padding", strings.Repeat("x", 2<<20)}, 431, ""},
		// API parameters.
		{"results: no period", "GET", "/api/v1/results", "director", "", "", nil, 422, "period"},
		{"results: month 13", "GET", "/api/v1/results?period=2026-13", "director", "", "", nil, 422, "2026-13"},
		{"results: rolling 11 months", "GET", "/api/v1/results?period=2026-06-r11", "director", "", "", nil, 422, "only r12 (twelve rolling months) is supported"},
		{"results: rolling month 13", "GET", "/api/v1/results?period=2026-13-r12", "director", "", "", nil, 422, "no month 13"},
		{"targets: 0.8 on a percentage", "PUT", "/api/v1/targets", "director", "application/json", `{"targets":[{"indicator":"reception.wait_20min","scope":"national","year":2026,"target":0.8}]}`, nil, 422, "did you mean 80?"},
		{"results: SQL-looking period", "GET", "/api/v1/results?period=" + sql, "director", "", "", nil, 422, "period"},
		{"results: period too long", "GET", "/api/v1/results?period=" + strings.Repeat("2", 41), "director", "", "", nil, 422, "period"},
		{"results: unknown scope", "GET", "/api/v1/results?period=2026-05&scope=planet", "director", "", "", nil, 422, "scope"},
		{"results: path-looking site", "GET", "/api/v1/results?period=2026-05&site=" + path, "director", "", "", nil, 422, "site"},
		{"results: unknown indicator", "GET", "/api/v1/results?period=2026-05&indicator=" + sql, "director", "", "", nil, 422, "indicator"},
		{"results: negative revision", "GET", "/api/v1/results?period=2026-05&revision=-1", "director", "", "", nil, 422, "revision"},
		{"results: live not a boolean", "GET", "/api/v1/results?period=2026-05&live=maybe", "director", "", "", nil, 422, "live"},
		{"results: unknown parameter", "GET", "/api/v1/results?period=2026-05&colour=red", "director", "", "", nil, 422, "colour"},
		{"results: page 0", "GET", "/api/v1/results?period=2026-05&page=0", "director", "", "", nil, 422, "page"},
		{"results: limit 5000", "GET", "/api/v1/results?period=2026-05&limit=5000", "director", "", "", nil, 422, "limit"},
		{"scorecard: no period", "GET", "/api/v1/scorecard", "director", "", "", nil, 422, "period"},
		{"scorecard: SQL-looking scope", "GET", "/api/v1/scorecard?period=2026-05&scope=region:" + sql, "director", "", "", nil, 404, "region"},
		{"scorecard: path-looking scope", "GET", "/api/v1/scorecard?period=2026-05&scope=" + path, "director", "", "", nil, 422, "scope"},
		{"scorecard: period FROM..TO reversed", "GET", "/api/v1/scorecard?period=2026-05-31..2026-05-01", "director", "", "", nil, 422, "period"},
		{"sites: SQL-looking q", "GET", "/api/v1/sites?q=" + sql, "", "", "", nil, 200, `"total":0`},
		{"sites: q too long", "GET", "/api/v1/sites?q=" + strings.Repeat("a", 101), "", "", "", nil, 422, "q"},
		{"site: path-looking id", "GET", "/api/v1/sites/" + path, "", "", "", nil, 404, ""},
		{"targets: year not a number", "GET", "/api/v1/targets?year=abc", "director", "", "", nil, 422, "year"},
		{"targets: year 3000", "GET", "/api/v1/targets?year=3000", "director", "", "", nil, 422, "year"},
		{"targets history: no indicator", "GET", "/api/v1/targets/history", "director", "", "", nil, 422, "indicator"},
		{"targets: malformed JSON", "PUT", "/api/v1/targets", "director", "application/json", `{"targets":[`, nil, 400, ""},
		{"targets: unknown region", "PUT", "/api/v1/targets", "director", "application/json", `{"targets":[{"indicator":"reception.wait_20min","scope":"region:99","year":2026,"target":85}]}`, nil, 422, "body.targets[0].scope"},
		{"targets: SQL-looking indicator", "PUT", "/api/v1/targets", "director", "application/json", `{"targets":[{"indicator":"'; DROP TABLE targets; --","scope":"national","year":2026,"target":85}]}`, nil, 422, "body.targets[0].indicator"},
		{"close: month 13", "POST", "/api/v1/periods/2026-13/close", "director", "", "", nil, 422, "2026-13"},
		{"close: SQL-looking period", "POST", "/api/v1/periods/" + sql + "/close", "director", "", "", nil, 422, "period"},
		{"tokens: unknown role", "POST", "/api/v1/tokens", "admin", "application/json", `{"role":"emperor"}`, nil, 422, "role"},
		{"tokens: revoke path-looking id", "DELETE", "/api/v1/tokens/" + path, "admin", "", "", nil, 404, ""},
		{"exports: unknown parameter", "GET", "/api/v1/exports/raw.csv?kind=contacts&from=2026-05-01&to=2026-05-31&x=" + sql, "director", "", "", nil, 422, "unknown query parameter x"},
		{"open data: unknown parameter", "GET", "/opendata/results.csv?period=2026-05&q=" + path, "", "", "", nil, 422, "unknown query parameter q"},
		{"unknown route", "GET", "/api/v1/" + path, "", "", "", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := append([]string(nil), tt.headers...)
			switch tt.ctype {
			case "":
			case "-":
				headers = append(headers, "Content-Type", "")
			default:
				headers = append(headers, "Content-Type", tt.ctype)
			}
			r := e.do(tt.method, tt.url, tt.token, tt.body, headers...)
			body := string(r.body)
			if len(body) > 300 {
				body = body[:300] + "…"
			}
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, body)
			}
			if tt.status >= 400 && r.status != 431 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%d as %q, not a problem", r.status, r.header.Get("Content-Type"))
			}
			if !strings.Contains(string(r.body), tt.want) {
				t.Errorf("answer does not contain %q: %s", tt.want, body)
			}
		})
	}
	// After all that, the tables are all there and hold what was accepted.
	var n uint64
	if err := e.db.Conn().QueryRow(t.Context(), "SELECT count() FROM contacts WHERE id = '''; DROP TABLE contacts; --' OR source = '../../../etc/passwd'").Scan(&n); err != nil || n != 2 {
		t.Errorf("the SQL-looking id and path-looking source stored as text: %d rows, %v; want 2", n, err)
	}
}
