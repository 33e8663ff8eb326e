package problem_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"globaloffice/problem"
)

func TestWrite(t *testing.T) {
	f := func(write func(http.ResponseWriter), status int, body string) {
		t.Helper()
		rec := httptest.NewRecorder()
		write(rec)
		if rec.Code != status || rec.Header().Get("Content-Type") != "application/problem+json" || rec.Body.String() != body {
			t.Errorf("got %d %s %s\nwant %d application/problem+json %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body, status, body)
		}
	}
	f(func(w http.ResponseWriter) { problem.Write(w, 503, "unhealthy", "dial tcp: refused") },
		503, `{"detail":"dial tcp: refused","status":503,"title":"unhealthy","type":"about:blank"}`+"\n")
	// Extensions add members; they cannot replace the standard ones.
	f(func(w http.ResponseWriter) {
		problem.WriteWith(w, 400, "body refused", "line 3: bad JSON", map[string]any{"line": 3, "status": 200})
	}, 400, `{"detail":"line 3: bad JSON","line":3,"status":400,"title":"body refused","type":"about:blank"}`+"\n")

	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	one := []problem.Route{{Method: "GET", Path: "/a", Handler: h}}
	two := append(one, problem.Route{Method: "POST", Path: "/b", Handler: h})
	four := append(two, problem.Route{Method: "POST", Path: "/c", Handler: h}, problem.Route{Method: "GET", Path: "/d", Handler: h})
	f(func(w http.ResponseWriter) { problem.NotFound(w, "no such thing", one) },
		404, `{"detail":"use GET /a","status":404,"title":"no such thing","type":"about:blank"}`+"\n")
	f(func(w http.ResponseWriter) { problem.NotFound(w, "no such thing", two) },
		404, `{"detail":"use GET /a or POST /b","status":404,"title":"no such thing","type":"about:blank"}`+"\n")
	f(func(w http.ResponseWriter) { problem.NotFound(w, "no such thing", four) },
		404, `{"detail":"use GET /a, POST /b, POST /c or GET /d","status":404,"title":"no such thing","type":"about:blank"}`+"\n")
}
