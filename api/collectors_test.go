package api_test

import (
	"fmt"
	"strings"
	"testing"

	"globaloffice/ingest"
)

// TestCollectorTokens: a collector token writes only for its sources and
// sites — any other record is a reject, reason "not allowed for this
// token" — and reads only its own rejects, without their raw text (it may
// hold caller numbers); an admin reads them all, raw text included.
func TestCollectorTokens(t *testing.T) {
	e := newEnv(t)
	rec := func(id, source, site string) string {
		return `{"id":"` + id + `","source":"` + source + `","site":"` + site + `","channel":"phone","arrived_at":"2026-06-10T09:00:00Z","outcome":"abandoned"}`
	}
	post := func(token string, recs ...string) ingest.Result {
		t.Helper()
		r := e.do("POST", "/api/v1/ingest/contacts", token, "["+strings.Join(recs, ",")+"]")
		if r.status != 200 {
			t.Fatalf("post as %s: %d %s", token, r.status, r.body)
		}
		var res ingest.Result
		r.decode(t, &res)
		return res
	}
	// "collector" may write source qms for site PAR-11 only.
	res := post("collector", rec("c1", "qms", "PAR-11"), rec("c2", "acd", "PAR-11"), rec("c3", "qms", "STR-67"), rec("c4", "qms", "NOPE"))
	if res.Accepted != 1 || res.Rejected != 3 {
		t.Fatalf("collector: %+v", res)
	}
	want := []ingest.RejectInfo{
		{Index: 1, ID: "c2", Field: "source", Reason: ingest.ReasonNotAllowed},
		{Index: 2, ID: "c3", Field: "site", Reason: ingest.ReasonNotAllowed},
		{Index: 3, ID: "c4", Field: "site", Reason: `unknown site "NOPE"`}, // invalid first: no site to allow
	}
	for i, w := range want {
		if g := res.Rejects[i]; g.Index != w.Index || g.ID != w.ID || g.Field != w.Field || !strings.HasPrefix(g.Reason, w.Reason) {
			t.Errorf("reject %d: %+v, want %+v", i, g, w)
		}
	}
	// "collector-acd" may write source acd anywhere.
	if res := post("collector-acd", rec("a1", "acd", "STR-67"), rec("a2", "qms", "STR-67")); res.Accepted != 1 || res.Rejected != 1 || res.Rejects[0].Field != "source" {
		t.Fatalf("collector-acd: %+v", res)
	}
	if res := post("admin", rec("x1", "any", "STR-67"), rec("x2", "any", "NOPE")); res.Accepted != 1 || res.Rejected != 1 {
		t.Fatalf("admin: %+v", res)
	}
	rejects := func(token string) []string {
		t.Helper()
		r := e.do("GET", "/api/v1/ingest/rejects", token, "")
		var body struct {
			Rejects []struct {
				Origin string `json:"origin"`
				Line   int    `json:"line"`
				Raw    string `json:"raw"`
			} `json:"rejects"`
		}
		r.decode(t, &body)
		var ids []string
		for _, rj := range body.Rejects {
			if rj.Raw == "" {
				ids = append(ids, fmt.Sprintf("line %d", rj.Line))
				continue
			}
			ids = append(ids, rj.Raw[strings.Index(rj.Raw, `"id":"`)+6:][:2])
		}
		return ids
	}
	same := func(got []string, want ...string) bool {
		m := map[string]bool{}
		for _, g := range got {
			m[g] = true
		}
		if len(got) != len(want) {
			return false
		}
		for _, w := range want {
			if !m[w] {
				return false
			}
		}
		return true
	}
	// Records 2, 3 and 4 of the collector's body (c2, c3, c4), record 2 of
	// collector-acd's (a2), without raw text.
	if got := rejects("collector"); !same(got, "line 2", "line 3", "line 4") {
		t.Errorf("collector reads rejects %v, want its own lines 2 3 4 without raw text", got)
	}
	if got := rejects("collector-acd"); !same(got, "line 2") {
		t.Errorf("collector-acd reads rejects %v, want its own line 2 without raw text", got)
	}
	if got := rejects("admin"); !same(got, "c2", "c3", "c4", "a2", "x2") {
		t.Errorf("admin reads rejects %v, want all", got)
	}
}
