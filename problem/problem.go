package problem

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Write writes a problem-details answer of type about:blank.
func Write(w http.ResponseWriter, status int, title, detail string) {
	WriteWith(w, status, title, detail, nil)
}

// WriteWith writes a problem-details answer with extension members (ext
// adds to type, title, status and detail; it cannot replace them).
func WriteWith(w http.ResponseWriter, status int, title, detail string, ext map[string]any) {
	body := make(map[string]any, len(ext)+4)
	for k, v := range ext {
		body[k] = v
	}
	body["type"], body["title"], body["status"], body["detail"] = "about:blank", title, status, detail
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// Route is one endpoint: a method, a path and the handler serving it.
type Route struct {
	Method  string
	Path    string
	Handler http.Handler
}

// NotFound answers 404 with title, for a request near routes that matches
// none of them (a wrong name or method): the detail names them.
func NotFound(w http.ResponseWriter, title string, routes []Route) {
	Write(w, http.StatusNotFound, title, "use "+list(routes))
}

// list names routes as "GET /a, POST /b or POST /c".
func list(routes []Route) string {
	var b strings.Builder
	for i, rt := range routes {
		switch {
		case i == 0:
		case i == len(routes)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(rt.Method + " " + rt.Path)
	}
	return b.String()
}
