package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"globaloffice/store"
)

// HTTPOptions bound what one request may send.
type HTTPOptions struct {
	MaxBodyBytes int64         // default 64 MiB
	BodyTimeout  time.Duration // to read the whole body (default 2 min): a slow or endless body is cut
}

// Handler serves the collector endpoints:
//
//	POST /api/v1/ingest/{contacts|cases|surveys}[?source=NAME]
//	GET  /api/v1/ingest/rejects[?kind=&source=&since=RFC3339&limit=N]
func Handler(s *Service, opts HTTPOptions) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = 2 * time.Minute
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/ingest/rejects", func(w http.ResponseWriter, r *http.Request) { s.listRejects(w, r) })
	mux.HandleFunc("POST /api/v1/ingest/{kind}", func(w http.ResponseWriter, r *http.Request) { s.post(w, r, opts) })
	mux.HandleFunc("/api/v1/ingest/", func(w http.ResponseWriter, r *http.Request) {
		Problem(w, http.StatusNotFound, "no such collector", "use POST /api/v1/ingest/contacts, /cases or /surveys, or GET /api/v1/ingest/rejects")
	})
	return mux
}

// Problem writes an RFC 9457 problem-details answer.
func Problem(w http.ResponseWriter, status int, title, detail string) {
	ProblemWith(w, status, title, detail, nil)
}

// ProblemWith writes a problem-details answer with extension members.
func ProblemWith(w http.ResponseWriter, status int, title, detail string, ext map[string]any) {
	body := map[string]any{"type": "about:blank", "title": title, "status": status, "detail": detail}
	for k, v := range ext {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Service) post(w http.ResponseWriter, r *http.Request, opts HTTPOptions) {
	kind, err := ParseKind(r.PathValue("kind"))
	if err != nil {
		Problem(w, http.StatusNotFound, "no such collector", err.Error())
		return
	}
	var mapping *Mapping
	if name := r.URL.Query().Get("mapping"); name != "" {
		mapping, err = s.mappings.Get(name)
		if err != nil {
			Problem(w, http.StatusBadRequest, "unknown mapping", err.Error())
			return
		}
		if mapping.Kind != kind {
			Problem(w, http.StatusBadRequest, "wrong mapping", fmt.Sprintf("mapping %s is for %s, not %s", mapping.Name, mapping.Kind, kind))
			return
		}
	}
	ct := r.Header.Get("Content-Type")
	format, ok := FormatFromContentType(ct)
	if !ok && mapping != nil && mapping.Decoder != "" && strings.HasPrefix(strings.ToLower(ct), "text/plain") {
		format, ok = Format(mapping.Decoder), true
	}
	if !ok {
		Problem(w, http.StatusUnsupportedMediaType, "unsupported content type",
			fmt.Sprintf("Content-Type %q: send application/json, application/x-ndjson or text/csv", ct))
		return
	}
	if r.ContentLength > opts.MaxBodyBytes {
		Problem(w, http.StatusRequestEntityTooLarge, "body too large", fmt.Sprintf("the body is %d bytes; the limit is %d: split it", r.ContentLength, opts.MaxBodyBytes))
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(opts.BodyTimeout))
	body := http.MaxBytesReader(w, r.Body, opts.MaxBodyBytes)
	origin := "http:" + r.RemoteAddr + ":" + time.Now().UTC().Format("20060102T150405.000000000")
	res, err := s.Ingest(r.Context(), kind, format, body, Options{Source: r.URL.Query().Get("source"), Origin: origin, Mapping: mapping})
	if err != nil {
		var mbe *http.MaxBytesError
		var be *BodyError
		switch {
		case errors.As(err, &mbe):
			Problem(w, http.StatusRequestEntityTooLarge, "body too large", fmt.Sprintf("the limit is %d bytes: split the body; nothing was stored", opts.MaxBodyBytes))
		case errors.Is(err, os.ErrDeadlineExceeded):
			Problem(w, http.StatusRequestTimeout, "body too slow", fmt.Sprintf("the body was not received within %s; nothing was stored", opts.BodyTimeout))
		case errors.As(err, &be):
			ext := map[string]any{}
			if be.Line > 0 {
				ext["line"] = be.Line
			}
			title := "body refused"
			if be.Status == http.StatusRequestEntityTooLarge {
				title = "body too large"
			}
			ProblemWith(w, be.Status, title, be.Error()+"; nothing was stored", ext)
		default:
			Problem(w, http.StatusServiceUnavailable, "cannot store records", err.Error())
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

func (s *Service) listRejects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.RejectFilter{Kind: q.Get("kind"), Source: q.Get("source")}
	if f.Kind != "" {
		if _, err := ParseKind(f.Kind); err != nil {
			Problem(w, http.StatusBadRequest, "bad kind", err.Error())
			return
		}
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			Problem(w, http.StatusBadRequest, "bad since", fmt.Sprintf("since=%q: want RFC 3339, e.g. 2026-05-01T00:00:00Z", v))
			return
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			Problem(w, http.StatusBadRequest, "bad limit", fmt.Sprintf("limit=%q: want 1 to 10000", v))
			return
		}
		f.Limit = n
	}
	rejects, err := s.db.ListRejects(r.Context(), f)
	if err != nil {
		Problem(w, http.StatusServiceUnavailable, "cannot read rejects", err.Error())
		return
	}
	type item struct {
		RejectedAt time.Time `json:"rejected_at"`
		Kind       string    `json:"kind"`
		Source     string    `json:"source"`
		Origin     string    `json:"origin"`
		Line       uint32    `json:"line"`
		Field      string    `json:"field"`
		Reason     string    `json:"reason"`
		Raw        string    `json:"raw"`
	}
	out := make([]item, 0, len(rejects))
	for _, rj := range rejects {
		out = append(out, item{rj.RejectedAt, rj.Kind, rj.Source, rj.Origin, rj.Line, rj.Field, rj.Reason, rj.Raw})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"rejects": out})
}
